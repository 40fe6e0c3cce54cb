// Runs deleted in MLflow keep a fingerprint of what their skip was read from: a re-import passes over them by one stat, and finds one restored.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { importMlflow } from '../../../../electron/core/import/import-mlflow';
import { writeExperiment, writeFileRun } from '../../../helpers/mlflow-stores';
import { tempCore } from '../../../helpers/store';
import { tempDir } from '../../../helpers/temp';

const runId = (i: number): string => i.toString(16).padStart(32, '0');
const DELETED = 'deleted in MLflow (lifecycle_stage: deleted); use --include-deleted to import it';

/** Sets the mtime of a path (and of everything below a folder) to a minute ago: files written this second get no stamp. */
function age(p: string): void {
  const when = new Date(Date.now() - 60_000);
  if (fs.lstatSync(p).isDirectory())
    for (const e of fs.readdirSync(p, { withFileTypes: true, recursive: true }))
      fs.utimesSync(path.join(e.parentPath, e.name), when, when);
  fs.utimesSync(p, when, when);
}

/** The paths below `dir` (run folders, given the experiment folder) an import listed or opened (readdirSync, readFileSync and openSync spied, on this thread). */
async function touched<T>(dir: string, f: () => Promise<T>): Promise<{ result: T; paths: string[] }> {
  const spies = [vi.spyOn(fs, 'readdirSync'), vi.spyOn(fs, 'readFileSync'), vi.spyOn(fs, 'openSync')];
  try {
    const result = await f();
    const paths = spies
      .flatMap((s) => s.mock.calls.map((c) => String(c[0])))
      .filter((p) => p.startsWith(dir + path.sep) && path.relative(dir, p).includes(path.sep));
    return { result, paths };
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('runs deleted in MLflow', () => {
  it('are skipped again by one stat of their meta.yaml, on and off the workers, until one is restored', async () => {
    const root = path.join(tempDir(), 'mlruns');
    const expDir = writeExperiment(root, '0', 'Default');
    for (let i = 0; i < 5; i++)
      writeFileRun({
        expDir,
        runId: runId(i),
        experimentId: '0',
        lifecycle: i < 2 ? 'active' : 'deleted',
        params: { lr: String(i) },
        metrics: { loss: '1717300990000 1.0 0\n' },
      });
    age(root);
    const ctx = tempCore();
    const skips = (): string[] =>
      ctx.store.db.prepare('SELECT source_key FROM import_skips ORDER BY 1').pluck().all() as string[];
    const first = await importMlflow(ctx, { location: root });
    expect(first).toMatchObject({ added: 2 });
    expect(first.skipped).toEqual([2, 3, 4].map((i) => ({ experimentId: '0', runId: runId(i), reason: DELETED })));
    expect(skips().map((k) => k.slice(-32))).toEqual([2, 3, 4].map(runId));

    // Nothing of the deleted runs is listed or read again: the same skips, from one lstat each.
    const again = await touched(expDir, () => importMlflow(ctx, { location: root }));
    expect(again.result).toMatchObject({ added: 0, updated: 0, unchanged: 2, skipped: first.skipped });
    expect(again.paths).toEqual([]);
    // The same on the read-ahead worker (from 0 runs) and with the re-check worker sharing the runs (from 1).
    for (const workersFrom of [0, 1])
      expect(await importMlflow(ctx, { location: root }, { workersFrom })).toMatchObject({
        added: 0,
        unchanged: 2,
        skipped: first.skipped,
      });
    expect(skips()).toHaveLength(3);

    // Restored in MLflow: meta.yaml written elsewhere and moved in (a new inode), its mtime put back.
    const meta = path.join(expDir, runId(3), 'meta.yaml');
    const before = fs.lstatSync(meta);
    const moved = path.join(tempDir(), 'meta.yaml');
    fs.writeFileSync(
      moved,
      fs.readFileSync(meta, 'utf8').replace('lifecycle_stage: deleted', 'lifecycle_stage: active'),
    );
    fs.renameSync(moved, meta);
    fs.utimesSync(meta, before.atime, before.mtime);
    // Another rewritten in place to the same size (its ctime moves): read again, still deleted.
    const other = path.join(expDir, runId(4), 'meta.yaml');
    const kept = fs.lstatSync(other);
    fs.writeFileSync(other, fs.readFileSync(other, 'utf8').replace('user_id: tester', 'user_id: testor'));
    fs.utimesSync(other, kept.atime, kept.mtime);
    const restored = await touched(expDir, () => importMlflow(ctx, { location: root }));
    expect(restored.result).toMatchObject({ added: 1, unchanged: 2 });
    expect(restored.result.skipped.map((s) => s.runId)).toEqual([runId(2), runId(4)]);
    expect(restored.paths).toContain(other);
    expect(restored.paths.some((p) => p.startsWith(path.join(expDir, runId(2))))).toBe(false);
    expect(skips().map((k) => k.slice(-32))).toEqual([2, 4].map(runId));

    // --include-deleted is another question: the deleted runs are read and imported.
    expect(await importMlflow(ctx, { location: root, includeDeleted: true })).toMatchObject({ added: 2, skipped: [] });
  });
});
