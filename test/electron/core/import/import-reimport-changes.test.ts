// Re-importing a file store by stats alone: every change MLflow (or a user) makes to a run is still found, and an unchanged store is reported unchanged without a run folder listed.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runStamp } from '../../../../electron/core/import/import-file-stamp';
import { IMPORT_DIGEST_VERSION } from '../../../../electron/core/import/import-encode';
import { importMlflow } from '../../../../electron/core/import/import-mlflow';
import { SNAPSHOT_SCHEMA_VERSION } from '../../../../shared/snapshot/snapshot';
import { writeExperiment, writeFileRun } from '../../../helpers/mlflow-stores';
import { tempCore } from '../../../helpers/store';
import { tempDir } from '../../../helpers/temp';

const runId = (i: number): string => i.toString(16).padStart(32, '0');

/** Sets the mtime of each path (and of everything below a folder) to `secondsAgo`: files written this very second get no stamp. */
function age(secondsAgo: number, ...paths: string[]): void {
  const when = new Date(Date.now() - secondsAgo * 1000);
  for (const p of paths) {
    if (fs.lstatSync(p).isDirectory())
      for (const e of fs.readdirSync(p, { withFileTypes: true, recursive: true }))
        fs.utimesSync(path.join(e.parentPath, e.name), when, when);
    fs.utimesSync(p, when, when);
  }
}

/** Runs `change`, then puts the mtime of each path back exactly as it was (only ctime, size or inode may tell). */
function keepingMtimes(paths: string[], change: () => void): void {
  const before = paths.map((p) => fs.lstatSync(p));
  change();
  paths.forEach((p, i) => fs.utimesSync(p, before[i]!.atime, before[i]!.mtime));
  paths.forEach((p, i) => expect(fs.lstatSync(p).mtimeMs).toBe(before[i]!.mtimeMs));
}

/** A store of `n` runs with a metric, a param, two tags and an artifact each, all written a minute ago. */
function store(n: number): { root: string; expDir: string; run: (i: number) => string } {
  const root = path.join(tempDir(), 'mlruns');
  const expDir = writeExperiment(root, '0', 'Default');
  for (let i = 0; i < n; i++)
    writeFileRun({
      expDir,
      runId: runId(i),
      experimentId: '0',
      params: { lr: String(i / 10) },
      tags: { team: 'aaa', 'mlflow.user': 'ann' },
      metrics: { loss: '1717300990000 1.0 0\n1717300990001 0.5 1\n' },
      artifacts: { 'model.txt': `weights ${i}` },
    });
  age(60, root);
  return { root, expDir, run: (i) => path.join(expDir, runId(i)) };
}

/** The run folders an import listed (readdirSync spied), below the experiment folder. */
async function listedRunFolders<T>(expDir: string, f: () => Promise<T>): Promise<{ result: T; listed: string[] }> {
  const readdir = vi.spyOn(fs, 'readdirSync');
  try {
    const result = await f();
    const listed = readdir.mock.calls.map((c) => String(c[0])).filter((d) => d.startsWith(`${expDir}${path.sep}`));
    return { result, listed };
  } finally {
    readdir.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('re-importing an unchanged or changed file store', () => {
  it('finds every kind of change by stats alone, and reports an unchanged store unchanged without listing a run', async () => {
    const { root, expDir, run } = store(14);
    const ctx = tempCore();
    expect(await importMlflow(ctx, { location: root })).toMatchObject({ added: 14 });
    const fingerprints = ctx.store.db.prepare('SELECT import_fingerprint FROM runs').pluck().all() as string[];
    expect(fingerprints.every((f) => f.startsWith('2:') && f.includes(' '))).toBe(true);
    const unchanged = await listedRunFolders(expDir, () => importMlflow(ctx, { location: root }));
    expect(unchanged.result).toMatchObject({ added: 0, updated: 0, unchanged: 14, skipped: [] });
    expect(unchanged.listed).toEqual([]);

    const file = (i: number, ...rel: string[]): string => path.join(run(i), ...rel);
    const meta = (i: number): string => fs.readFileSync(file(i, 'meta.yaml'), 'utf8');
    // MLflow's log_metric: append_to (the metrics folder keeps its mtime).
    fs.appendFileSync(file(1, 'metrics', 'loss'), '1717300990009 0.25 2\n');
    // MLflow's set_tag on an existing key: write_to, in place, here the same size.
    fs.writeFileSync(file(2, 'tags', 'team'), 'bbb');
    // MLflow's log_param of a new key: a new file in params/.
    fs.writeFileSync(file(3, 'params', 'epochs'), '10');
    // MLflow's update_run_info (set_terminated): overwrite_yaml writes a temp file elsewhere and moves it in place.
    const temp = path.join(tempDir(), 'tmpfile.yaml');
    fs.writeFileSync(temp, meta(4).replace('status: 3', 'status: 4'));
    fs.renameSync(temp, file(4, 'meta.yaml'));
    // A meta.yaml edited in place (MLflow's _overwrite_run_info: write_yaml with overwrite).
    fs.writeFileSync(file(5, 'meta.yaml'), meta(5).replace('run_name: run-000000', 'run_name: renamed'));
    // MLflow's delete_run: lifecycle_stage rewritten in meta.yaml.
    fs.writeFileSync(file(6, 'meta.yaml'), meta(6).replace('lifecycle_stage: active', 'lifecycle_stage: deleted'));
    // mlflow gc: the run folder removed.
    fs.rmSync(run(7), { recursive: true });
    // MLflow's delete_tag: os.remove.
    fs.rmSync(file(8, 'tags', 'team'));
    // A new metric key.
    fs.writeFileSync(file(9, 'metrics', 'acc'), '1717300990000 0.9 0\n');
    // A user rewrites a tag with the same size, then puts its mtime back to the very same value.
    keepingMtimes([file(10, 'tags', 'team')], () => fs.writeFileSync(file(10, 'tags', 'team'), 'zzz'));
    // The same for an artifact, and for a metric file whose folder also gets its mtime back after a rename in it.
    keepingMtimes([file(11, 'artifacts', 'model.txt')], () =>
      fs.writeFileSync(file(11, 'artifacts', 'model.txt'), 'weights ZZ'),
    );
    keepingMtimes([file(12, 'metrics'), file(12, 'metrics', 'loss')], () => {
      fs.writeFileSync(file(12, 'metrics', 'new'), '1717300990000 1.0 0\n1717300990001 0.4 1\n');
      fs.renameSync(file(12, 'metrics', 'new'), file(12, 'metrics', 'loss'));
    });
    // A new run.
    writeFileRun({ expDir, runId: runId(14), experimentId: '0', metrics: { loss: '1717300990000 3.0 0\n' } });
    // Everything written a while ago (but the files whose mtime was put back): no file is "just written".
    age(30, ...[1, 2, 3, 4, 5, 6, 8, 9, 14].map(run));
    const aWhileAgo = new Date(Date.now() - 30_000);
    fs.utimesSync(expDir, aWhileAgo, aWhileAgo); // the experiment folder alone: its runs keep their times

    const { result: changed, listed } = await listedRunFolders(expDir, () => importMlflow(ctx, { location: root }));
    // The unchanged runs were re-checked by stats alone.
    expect(listed.filter((d) => d.startsWith(run(0)) || d.startsWith(run(13)))).toEqual([]);
    const changeOf = (i: number): string | undefined => changed.runs.find((r) => r.mlflowRunId === runId(i))?.change;
    expect([...Array(15).keys()].map(changeOf)).toEqual([
      'unchanged',
      ...Array<string>(5).fill('updated'), // 1-5
      undefined, // 6: deleted in MLflow, skipped
      undefined, // 7: gone
      ...Array<string>(5).fill('updated'), // 8-12
      'unchanged',
      'added',
    ]);
    expect(changed.skipped.map((s) => s.runId)).toEqual([runId(6)]);
    expect(changed.skipped[0]!.reason).toMatch(/deleted in MLflow/);
    const stored = (i: number) => ctx.runs.get(changed.runs.find((r) => r.mlflowRunId === runId(i))!.id);
    expect(stored(1).outcome.metrics.loss!.history).toHaveLength(3);
    expect(stored(2).tags.team).toBe('bbb');
    expect(stored(3).process.parameters.epochs).toBe('10');
    expect(stored(4).outcome.status).toBe('failed');
    expect(stored(5).name).toBe('renamed');
    expect(stored(8).tags.team).toBeUndefined();
    expect(stored(9).outcome.metrics.acc!.value).toBe(0.9);
    expect(stored(10).tags.team).toBe('zzz');
    expect(stored(12).outcome.metrics.loss!.value).toBe(0.4);

    // And then nothing changed: no run folder listed again (but the deleted run's: a skipped run keeps no
    // fingerprint, so it is read as far as its meta.yaml each time, as before).
    const again = await listedRunFolders(expDir, () => importMlflow(ctx, { location: root }));
    expect(again.result).toMatchObject({ added: 0, updated: 0, unchanged: 13 });
    expect(again.listed.filter((d) => !d.startsWith(run(6)))).toEqual([]);
  });

  it('still refuses links and FIFOs that replace a stamped file', async () => {
    const { root, run } = store(3);
    const outside = path.join(tempDir(), 'secret');
    fs.writeFileSync(outside, 'ccc');
    age(60, outside);
    const ctx = tempCore();
    expect(await importMlflow(ctx, { location: root })).toMatchObject({ added: 3 });
    fs.rmSync(path.join(run(1), 'tags', 'team'));
    fs.symlinkSync(outside, path.join(run(1), 'tags', 'team'));
    fs.rmSync(path.join(run(2), 'metrics', 'loss'));
    execFileSync('mkfifo', [path.join(run(2), 'metrics', 'loss')]);
    age(60, path.join(run(1), 'tags'), path.join(run(2), 'metrics'));
    const changed = await importMlflow(ctx, { location: root });
    const stored = (i: number) => ctx.runs.get(changed.runs.find((r) => r.mlflowRunId === runId(i))!.id);
    expect(changed).toMatchObject({ updated: 2, unchanged: 1 });
    expect(stored(1).tags.team).toBeUndefined();
    expect(stored(1).warnings.join('\n')).toMatch(/tags\/team links outside the MLflow store; not followed/);
    expect(stored(2).outcome.metrics.loss).toBeUndefined();
    expect(stored(2).warnings.join('\n')).toMatch(/metrics\/loss is not a regular file/);
  });

  it('matches a fingerprint stored by the previous version once, without reading a run, then stores its own', async () => {
    const { root, expDir } = store(4);
    const ctx = tempCore();
    expect(await importMlflow(ctx, { location: root })).toMatchObject({ added: 4 });
    // What the previous version stored: sha256 of the import's salt, the experiment's context, the string stamp and
    // its folders' stats, then the plan after a space.
    const location = fs.realpathSync(root);
    const salt = `${IMPORT_DIGEST_VERSION}\0${SNAPSHOT_SCHEMA_VERSION}\0${ctx.version}\0mlflow-file\0${location}\0`;
    const context = JSON.stringify(['0', 'Default', 'active', false, []]);
    const update = ctx.store.db.prepare("UPDATE runs SET import_fingerprint = ? WHERE source_key LIKE '%#' || ?");
    for (let i = 0; i < 4; i++) {
      const s = runStamp(path.join(expDir, runId(i)))!;
      const hash = createHash('sha256').update(salt).update(context).update(s.stamp);
      const legacy = `${hash.update('\0folders\n').update(s.folders!).digest('base64url')} ${s.plan}`;
      expect(update.run(legacy, runId(i)).changes).toBe(1);
    }
    const readFile = vi.spyOn(fs, 'readFileSync');
    const upgraded = await importMlflow(ctx, { location: root });
    const metricReads = readFile.mock.calls.filter((c) => String(c[0]).includes(`${path.sep}metrics${path.sep}`));
    readFile.mockRestore();
    expect(upgraded).toMatchObject({ added: 0, updated: 0, unchanged: 4 });
    expect(metricReads).toEqual([]);
    const fingerprints = ctx.store.db.prepare('SELECT import_fingerprint FROM runs').pluck().all() as string[];
    expect(fingerprints.every((f) => f.startsWith('2:'))).toBe(true);
    const again = await listedRunFolders(expDir, () => importMlflow(ctx, { location: root }));
    expect(again.result).toMatchObject({ updated: 0, unchanged: 4 });
    expect(again.listed).toEqual([]);
  });
});
