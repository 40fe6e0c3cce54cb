import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SnapshotEncodePool } from '../../../electron/core/import-encode-pool';
import { importMlflow } from '../../../electron/core/import-mlflow';
import { encodeSnapshot } from '../../../shared/snapshot-codec';
import { emptySnapshot } from '../../../shared/snapshot';
import { writeExperiment, writeFileRun } from '../../helpers/mlflow-stores';
import { tempCore } from '../../helpers/store';
import { tempDir } from '../../helpers/temp';

describe('encoding imported snapshots on worker threads', () => {
  it('writes exactly the text encodeSnapshot writes, null timestamps and odd numbers included, and leaves non-finite values to the caller', async () => {
    const pool = new SnapshotEncodePool(1, 2);
    try {
      const s = emptySnapshot('0123456789abcdef', 'import', '2024-06-02T00:00:00.000Z');
      s.outcome.metrics = {
        'b/loss': { value: 0.1 + 0.2, history: [{ step: -3, value: 1e-300, timestamp: null }, { step: 0, value: -0, timestamp: 1717300990001 }, { step: 2 ** 40, value: 0.30000000000000004, timestamp: 1717300990002 }], source: 'mlflow' },
        empty: { value: 5, history: [], source: 'mlflow' },
        last: { value: 7, history: null, source: 'mlflow' },
        'a"quoted\u2028': { value: 1.7976931348623157e308, history: [{ step: 1, value: 1.7976931348623157e308, timestamp: 0 }], source: 'mlflow' },
      };
      s.tags = { 'mlflow.note': 'text with "quotes", \\ and \u0000' };
      const gz = await pool.encode(s)!;
      expect(gunzipSync(gz).toString('utf8')).toBe(encodeSnapshot(s));
      // The snapshot handed over is left as it was.
      expect(s.outcome.metrics['b/loss']!.history).toHaveLength(3);

      const nan = structuredClone(s);
      nan.outcome.metrics['b/loss']!.history![1]!.value = Number.NaN;
      expect(pool.encode(nan)).toBeNull();
      const inf = structuredClone(s);
      inf.outcome.metrics.last!.value = Number.POSITIVE_INFINITY;
      expect(pool.encode(inf)).toBeNull();
    } finally {
      await pool.close();
    }
  });

  it('stores the same snapshots with and without workers, and a re-import finds them unchanged', async () => {
    const root = tempDir();
    const exp = writeExperiment(root, '0', 'Default');
    for (let i = 0; i < 12; i++) {
      writeFileRun({
        expDir: exp, runId: i.toString(16).padStart(32, '0'), experimentId: '0', params: { lr: String(i / 10), seed: String(i) },
        metrics: { loss: `1717300990001 ${1 / (i + 1)} 0\n1717300990002 ${i % 3 === 0 ? 'nan' : 0.5} 1\n`, acc: '1717300990001 0.9\n' },
      });
    }
    const texts = async (workersFrom: number): Promise<Map<string, string>> => {
      const ctx = tempCore();
      const summary = await importMlflow(ctx, { location: root }, { encodeWorkersFrom: workersFrom });
      expect(summary).toMatchObject({ added: 12, skipped: [] });
      const out = new Map<string, string>();
      for (const r of ctx.store.db.prepare('SELECT id, source_key, snapshot FROM runs').all() as { id: string; source_key: string; snapshot: Buffer }[]) {
        const text = gunzipSync(r.snapshot).toString('utf8');
        expect(text).toBe(encodeSnapshot(ctx.runs.get(r.id)));
        out.set(r.source_key, text.replaceAll(r.id, '<id>'));
      }
      const again = await importMlflow(ctx, { location: root }, { encodeWorkersFrom: workersFrom });
      expect(again).toMatchObject({ added: 0, updated: 0, unchanged: 12 });
      return out;
    };
    const inWorkers = await texts(0);
    const here = await texts(Number.POSITIVE_INFINITY);
    expect(inWorkers).toEqual(here);
  });
});
