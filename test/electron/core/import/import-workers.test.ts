// The MLflow import with and without its read-ahead worker: the same snapshots either way.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importMlflow } from '../../../../electron/core/import/import-mlflow';
import type { ImportSummary } from '../../../../shared/api/api-import';
import { encodeSnapshot } from '../../../../shared/snapshot/snapshot-codec';
import { SqlitePrefetch } from '../../../../electron/core/import/import-sqlite-prefetch';
import { createMlflowDb, insertRun, writeExperiment, writeFileRun } from '../../../helpers/mlflow-stores';
import { tempCore } from '../../../helpers/store';
import { tempDir } from '../../../helpers/temp';

describe('importing with worker threads', () => {
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

  it('reads interleaved keys, repeated and huge steps, and values stored as text the same on the worker', async () => {
    const file = path.join(tempDir(), 'mlflow.db');
    const db = createMlflowDb(file);
    db.prepare("INSERT INTO experiments (experiment_id, name, lifecycle_stage) VALUES (0, 'Default', 'active')").run();
    const metric = db.prepare(
      'INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, ?)',
    );
    db.transaction(() => {
      for (let i = 0; i < 60; i++) {
        const id = (i * 104729).toString(16).padStart(32, '0');
        insertRun(db, { run_uuid: id, experiment_id: 0 });
        // As MLflow's log_metrics writes them: every key at each step, so keys interleave.
        for (let s = 4; s >= 0; s--)
          for (const key of ['loss', 'acc', 'lr'])
            metric.run(key, Math.sin(i + s) * (key === 'lr' ? 1e-300 : 1), 1717300990000 + s, id, s * (i + 1), 0);
        metric.run('loss', 0.5, 1717300990009, id, 2 * (i + 1), 0); // the same step again, later
        metric.run('loss', 0.5, 1717300990009, id, 2 * (i + 1), 1); // and NaN at the same time
        metric.run('big', -1.7976931348623157e308, 1, id, 2n ** 62n + BigInt(i), 0);
        if (i === 7) metric.run('text', 'inf', 1, id, 0, 0);
        if (i === 8) metric.run('text', '-Infinity', 2, id, 1, 0);
        if (i === 9) metric.run('text', 'nan', 3, id, 2, 0);
      }
    })();
    db.close();
    const summary = await expectSameWithAndWithoutWorkers(file, 60);
    expect(summary.skipped).toEqual([]);
  });

  it('fetches rows ahead in the order asked, and says when the worker cannot, so the reader can do the work itself', async () => {
    const file = path.join(tempDir(), 'mlflow.db');
    createMlflowDb(file).close();
    const keys = Array.from({ length: 7 }, (_, i) => `k${i}`);
    const ok = new SqlitePrefetch(file, "SELECT ? || '!', (SELECT count(*) FROM runs)", { batchSize: 3, ahead: 2 });
    try {
      // Keys come in chunks that straddle the batches, the last chunk after end() is known.
      ok.add(keys.slice(0, 4));
      const rows: unknown[] = [];
      for (let i = 0; i < 2; i++) rows.push(await ok.next());
      ok.add(keys.slice(4));
      ok.end();
      for (let i = 2; i < keys.length; i++) rows.push(await ok.next());
      expect(rows).toEqual(keys.map((k) => [`${k}!`, 0]));
    } finally {
      ok.close();
    }
    const missing = new SqlitePrefetch(path.join(tempDir(), 'missing.db'), 'SELECT ?');
    try {
      missing.add(['a', 'b']);
      missing.end();
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
    for (const r of ctx.store.db.prepare('SELECT id, source_key FROM runs').all() as {
      id: string;
      source_key: string;
    }[]) {
      out.set(r.source_key, encodeSnapshot(ctx.runs.get(r.id)).replaceAll(r.id, '<id>'));
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
