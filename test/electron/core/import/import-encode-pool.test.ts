import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SnapshotEncodePool } from '../../../../electron/core/import/import-encode-pool';
import { importMlflow } from '../../../../electron/core/import/import-mlflow';
import type { ImportSummary } from '../../../../shared/api/api-import';
import { encodeSnapshot } from '../../../../shared/snapshot/snapshot-codec';
import { emptySnapshot } from '../../../../shared/snapshot/snapshot';
import { SqlitePrefetch } from '../../../../electron/core/import/import-sqlite-prefetch';
import { createMlflowDb, insertRun, writeExperiment, writeFileRun } from '../../../helpers/mlflow-stores';
import { tempCore } from '../../../helpers/store';
import { tempDir } from '../../../helpers/temp';

describe('importing with worker threads', () => {
  it('writes exactly the text encodeSnapshot writes, null timestamps and odd numbers included, and leaves non-finite values to the caller', async () => {
    const pool = new SnapshotEncodePool(1, 2);
    try {
      const s = emptySnapshot('0123456789abcdef', 'import', '2024-06-02T00:00:00.000Z');
      s.outcome.metrics = {
        'b/loss': {
          value: 0.1 + 0.2,
          history: [
            { step: -3, value: 1e-300, timestamp: null },
            { step: 0, value: -0, timestamp: 1717300990001 },
            { step: 2 ** 40, value: 0.30000000000000004, timestamp: 1717300990002 },
          ],
          source: 'mlflow',
        },
        empty: { value: 5, history: [], source: 'mlflow' },
        last: { value: 7, history: null, source: 'mlflow' },
        'a"quoted\u2028': {
          value: 1.7976931348623157e308,
          history: [{ step: 1, value: 1.7976931348623157e308, timestamp: 0 }],
          source: 'mlflow',
        },
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
        expDir: exp,
        runId: i.toString(16).padStart(32, '0'),
        experimentId: '0',
        params: { lr: String(i / 10), seed: String(i) },
        metrics: {
          loss: `1717300990001 ${1 / (i + 1)} 0\n1717300990002 ${i % 3 === 0 ? 'nan' : 0.5} 1\n`,
          acc: '1717300990001 0.9\n',
        },
      });
    }
    await expectSameWithAndWithoutWorkers(root, 12);
  });

  it('reads an mlflow.db the same with its metrics fetched ahead on a worker (NaN, infinities, a malformed value, no metrics, a deleted run)', async () => {
    const file = path.join(tempDir(), 'mlflow.db');
    const db = createMlflowDb(file);
    db.prepare("INSERT INTO experiments (experiment_id, name, lifecycle_stage) VALUES (0, 'Default', 'active')").run();
    const metric = db.prepare(
      'INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, ?)',
    );
    db.transaction(() => {
      for (let i = 0; i < 130; i++) {
        const id = (i * 7919).toString(16).padStart(32, '0');
        insertRun(db, { run_uuid: id, experiment_id: 0, lifecycle_stage: i === 5 ? 'deleted' : 'active' });
        if (i % 10 === 9) continue;
        for (let s = 0; s < 3; s++) {
          metric.run(
            'loss',
            i % 4 === 0 && s === 1 ? 0 : 1 / (i + s + 1),
            1717300990000 + s,
            id,
            s,
            i % 4 === 0 && s === 1 ? 1 : 0,
          );
          metric.run('acc', s === 2 && i % 3 === 0 ? 1.7976931348623157e308 : s / 3, 1717300990000 + s, id, 2 - s, 0);
        }
        if (i === 17) metric.run('bad', 'not a number', 1, id, 0, 0);
      }
    })();
    db.close();
    const summary = await expectSameWithAndWithoutWorkers(file, 128);
    expect(summary.skipped.map((s) => s.reason)).toEqual([
      expect.stringContaining('deleted'),
      'metric bad holds a value that is not a number',
    ]);
  });

  it('fetches rows ahead in the order asked, and says when the worker cannot, so the reader can do the work itself', async () => {
    const file = path.join(tempDir(), 'mlflow.db');
    createMlflowDb(file).close();
    const keys = Array.from({ length: 7 }, (_, i) => `k${i}`);
    const ok = new SqlitePrefetch(file, "SELECT ? || '!', (SELECT count(*) FROM runs)", keys, 3, 2);
    try {
      const rows: unknown[] = [];
      for (let i = 0; i < keys.length; i++) rows.push(await ok.next());
      expect(rows).toEqual(keys.map((k) => [`${k}!`, 0]));
    } finally {
      ok.close();
    }
    const missing = new SqlitePrefetch(path.join(tempDir(), 'missing.db'), 'SELECT ?', ['a', 'b']);
    try {
      await expect(missing.next()).rejects.toThrow();
    } finally {
      missing.close();
    }
  });
});

async function expectSameWithAndWithoutWorkers(location: string, added: number): Promise<ImportSummary> {
  let summary: ImportSummary | null = null;
  const texts = async (workersFrom: number): Promise<Map<string, string>> => {
    const ctx = tempCore();
    summary = await importMlflow(ctx, { location }, { workersFrom });
    expect(summary.added).toBe(added);
    const out = new Map<string, string>();
    for (const r of ctx.store.db.prepare('SELECT id, source_key, snapshot FROM runs').all() as {
      id: string;
      source_key: string;
      snapshot: Buffer;
    }[]) {
      const text = gunzipSync(r.snapshot).toString('utf8');
      expect(text).toBe(encodeSnapshot(ctx.runs.get(r.id)));
      out.set(r.source_key, text.replaceAll(r.id, '<id>'));
    }
    const again = await importMlflow(ctx, { location }, { workersFrom });
    expect(again).toMatchObject({ added: 0, updated: 0, unchanged: added });
    return out;
  };
  const inWorkers = await texts(0);
  const inWorkersSummary = summary!;
  const here = await texts(Number.POSITIVE_INFINITY);
  expect(inWorkers).toEqual(here);
  expect(summary!.skipped).toEqual(inWorkersSummary.skipped);
  expect(summary!.runs.map((r) => [r.mlflowRunId, r.change])).toEqual(
    inWorkersSummary.runs.map((r) => [r.mlflowRunId, r.change]),
  );
  return summary!;
}
