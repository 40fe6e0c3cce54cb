// The MLflow import with and without its read-ahead worker: the same snapshots either way.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { importMlflow } from '../../../../electron/core/import/import-mlflow';
import type { ImportSummary } from '../../../../shared/api/api-import';
import { encodeSnapshot } from '../../../../shared/snapshot/snapshot-codec';
import { SqlitePrefetch } from '../../../../electron/core/import/import-sqlite-prefetch';
import { FileReadAhead } from '../../../../electron/core/import/import-file-read-ahead';
import { FolderWarmers } from '../../../../electron/core/import/import-file-warm';
import { FileRecheck } from '../../../../electron/core/import/import-file-recheck';
import { readRun } from '../../../../electron/core/import/import-file-run';
import { openFileStore } from '../../../../electron/core/import/import-mlflow-file';
import type { MlflowReadItem } from '../../../../electron/core/import/import-mlflow-types';
import { createMlflowDb, insertRun, writeExperiment, writeFileRun } from '../../../helpers/mlflow-stores';
import { tempCore } from '../../../helpers/store';
import { tempDir, writeFiles } from '../../../helpers/temp';

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

  it('re-imports a mostly unchanged file store with the re-checks shared by this thread and a worker, seeing changes in both parts', async () => {
    const root = tempDir();
    const exp = writeExperiment(root, '0', 'Default');
    const id = (i: number): string => i.toString(16).padStart(32, '0');
    const runs = Array.from({ length: 12 }, (_, i) =>
      writeFileRun({ expDir: exp, runId: id(i), experimentId: '0', metrics: { loss: `1717300990001 ${i} 0\n` } }),
    );
    // Settled files (written over a second ago) get stamps, so the re-import can pass over them.
    const settle = (...which: string[]): void => {
      const old = new Date(Date.now() - 60_000);
      for (const run of which)
        for (const f of ['meta.yaml', 'metrics/loss', 'params', 'tags', 'metrics', '.'])
          fs.utimesSync(path.join(run, f), old, old);
    };
    settle(...runs);
    const ctx = tempCore();
    expect((await importMlflow(ctx, { location: root }, { workersFrom: Number.POSITIVE_INFINITY })).added).toBe(12);
    fs.appendFileSync(path.join(runs[2]!, 'metrics', 'loss'), '1717300990002 0.5 1\n');
    fs.appendFileSync(path.join(runs[10]!, 'metrics', 'loss'), '1717300990002 0.25 1\n');
    settle(runs[2]!, runs[10]!);
    // 12 runs, 12 fingerprints, a worker from 5 runs: this thread re-checks runs 0-5, the worker 6-11.
    const verdict = vi.spyOn(FileRecheck.prototype, 'verdict');
    const unchanged = vi.spyOn(FileRecheck.prototype, 'unchanged');
    const again = await importMlflow(ctx, { location: root }, { workersFrom: 5 });
    // What the worker said of each of its runs (at once where it had, else once awaited).
    const said = new Map<number, boolean>();
    verdict.mock.calls.forEach(([i], k) => {
      const v = verdict.mock.results[k]!.value as boolean | undefined;
      if (v !== undefined) said.set(i, v);
    });
    for (const [k, [i]] of unchanged.mock.calls.entries())
      said.set(i, await (unchanged.mock.results[k]!.value as Promise<boolean>));
    verdict.mockRestore();
    unchanged.mockRestore();
    expect([...said].sort(([a], [b]) => a - b)).toEqual([
      [0, true],
      [1, true],
      [2, true],
      [3, true],
      [4, false], // run 10, read on this thread
      [5, true],
    ]);
    expect(again).toMatchObject({ added: 0, updated: 2, unchanged: 10 });
    expect(again.runs.filter((r) => r.change === 'updated').map((r) => r.mlflowRunId)).toEqual([id(2), id(10)]);
    const latest = (i: number): unknown =>
      ctx.runs.get(again.runs.find((r) => r.mlflowRunId === id(i))!.id).outcome.metrics.loss!.history;
    expect(latest(10)).toEqual([
      { step: 0, value: 10, timestamp: 1717300990001 },
      { step: 1, value: 0.25, timestamp: 1717300990002 },
    ]);
    expect(await importMlflow(ctx, { location: root }, { workersFrom: 5 })).toMatchObject({
      updated: 0,
      unchanged: 12,
    });
  });

  it('reads a hostile file store the same on its read-ahead worker: links not followed, FIFOs not opened, bad files named', async () => {
    const outside = tempDir('reproscope-outside-');
    writeFiles(outside, { secret: 'PLANTED-7f3e\n', 'meta.yaml': 'run_id: x\n' });
    const root = tempDir();
    const exp = writeExperiment(root, '0', 'Default');
    const id = (i: number): string => (i * 7919).toString(16).padStart(32, '0');
    for (let i = 0; i < 40; i++) {
      const run = writeFileRun({
        expDir: exp,
        runId: id(i),
        experimentId: '0',
        lifecycle: i === 3 ? 'deleted' : 'active',
        params: { lr: String(i / 10) },
        tags: { note: `run ${i}` },
        metrics: {
          loss:
            i === 7
              ? '1717300990001 abc 0\n'
              : `1717300990002 ${1 / (i + 1)} 1\n1717300990001 nan 0\n1 0.5 0\n1 0.5 0\n`,
        },
      });
      if (i === 1) fs.symlinkSync(path.join(outside, 'secret'), path.join(run, 'params', 'shadow'));
      if (i === 2) {
        fs.rmSync(path.join(run, 'tags'), { recursive: true });
        fs.symlinkSync(outside, path.join(run, 'tags'));
      }
      if (i === 4) execFileSync('mkfifo', [path.join(run, 'params', 'fifo')]);
      if (i === 5) fs.symlinkSync('/dev/zero', path.join(run, 'metrics', 'zero'));
      if (i === 6) {
        fs.rmSync(path.join(run, 'meta.yaml'));
        execFileSync('mkfifo', [path.join(run, 'meta.yaml')]);
      }
      if (i === 8) {
        fs.rmSync(path.join(run, 'meta.yaml'));
        fs.symlinkSync(path.join(outside, 'meta.yaml'), path.join(run, 'meta.yaml'));
      }
      if (i === 9)
        fs.writeFileSync(path.join(run, 'metrics', 'acc'), '1717300990001 0.25\n\n1717300990003 inf 2 extra\n');
    }
    const items = async (workersFrom: number): Promise<MlflowReadItem[]> => {
      const reader = openFileStore(root, { includeDeleted: false, timeoutMs: 1000, workersFrom });
      const out: MlflowReadItem[] = [];
      try {
        for await (const item of reader.runs()) out.push(item);
      } finally {
        reader.close();
      }
      return out;
    };
    const here = await items(Number.POSITIVE_INFINITY);
    expect(await items(0)).toEqual(here);
    const reasons = here.flatMap((i) => (i.kind === 'skip' ? [i.skip.reason] : []));
    expect(reasons).toEqual([
      expect.stringContaining('deleted in MLflow'),
      'meta.yaml is not a regular file',
      expect.stringMatching(/metric loss line 1: "abc" is not a number/),
      'meta.yaml links outside the MLflow store; not followed',
    ]);
    expect(JSON.stringify(here)).not.toContain('PLANTED');
    // The worker itself (no fallback to this thread): the same items, metric columns and notes as readRun here.
    const scope = {
      exp: { id: '0', name: 'Default', lifecycleStage: 'active', dir: exp },
      datasets: new Map(),
      models: new Map(),
    };
    const names = fs
      .readdirSync(exp)
      .filter((n) => n !== 'meta.yaml')
      .sort();
    const ahead = FileReadAhead.start(fs.realpathSync(root), [{ scope, names }], {
      options: { includeDeleted: false },
      stored: new Map(),
    });
    expect(ahead, 'the worker bundle is built (npm run build)').not.toBeNull();
    try {
      for (const name of names)
        expect(await ahead!.next()).toEqual(readRun(fs.realpathSync(root), scope, name, { includeDeleted: false }));
    } finally {
      ahead!.close();
    }
    await expectSameWithAndWithoutWorkers(root, 36);
  });

  it('imports a large file store the same with folder warmers reading ahead of its worker, FIFOs and links left alone', async () => {
    const outside = tempDir('reproscope-outside-');
    writeFiles(outside, { secret: 'PLANTED-52c1\n' });
    const root = tempDir();
    const exp = writeExperiment(root, '0', 'Default');
    const RUNS = 640; // the worker reads all but the first few, enough for the warmers to start (500)
    for (let i = 0; i < RUNS; i++) {
      const run = writeFileRun({
        expDir: exp,
        runId: (i * 7919).toString(16).padStart(32, '0'),
        experimentId: '0',
        params: { lr: String(i / 10) },
        metrics: { loss: `1717300990002 ${1 / (i + 1)} 1\n1717300990001 nan 0\n` },
      });
      // among the first runs, which the warmers reach before the reader does
      if (i === 10) execFileSync('mkfifo', [path.join(run, 'params', 'fifo')]);
      if (i === 11) fs.symlinkSync(path.join(outside, 'secret'), path.join(run, 'params', 'shadow'));
      if (i === 12) fs.symlinkSync('/dev/zero', path.join(run, 'metrics', 'zero'));
      if (i === 13) fs.symlinkSync(outside, path.join(run, 'params', 'elsewhere'));
    }
    const started = vi.spyOn(FolderWarmers, 'start');
    const summary = await expectSameWithAndWithoutWorkers(root, RUNS);
    expect(started).toHaveBeenCalled();
    expect(started.mock.results[0]!.value).toMatchObject({ threads: 4 });
    started.mockRestore();
    expect(summary.skipped).toEqual([]);
  }, 60_000);

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
