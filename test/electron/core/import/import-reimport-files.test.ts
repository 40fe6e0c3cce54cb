// Re-importing a file store: runs whose files are stamped as before are passed over unread, and every change MLflow makes is still seen.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { importMlflow } from '../../../../electron/core/import/import-mlflow';
import { writeExperiment, writeFileRun } from '../../../helpers/mlflow-stores';
import { tempCore } from '../../../helpers/store';
import { tempDir } from '../../../helpers/temp';

const runId = (i: number): string => i.toString(16).padStart(32, '0');

/** Sets the mtime of each path (and, for a folder, of everything below it) to `secondsAgo`: files written this very second get no stamp. */
function age(secondsAgo: number, ...paths: string[]): void {
  const when = new Date(Date.now() - secondsAgo * 1000);
  for (const p of paths) {
    if (fs.statSync(p).isDirectory())
      for (const e of fs.readdirSync(p, { withFileTypes: true, recursive: true }))
        fs.utimesSync(path.join(e.parentPath, e.name), when, when);
    fs.utimesSync(p, when, when);
  }
}

describe('re-importing a file store', () => {
  it('passes over runs stamped as before, and sees an appended point, a rewritten tag, a new status, a new param', async () => {
    const root = path.join(tempDir(), 'mlruns');
    const expDir = writeExperiment(root, '0', 'Default');
    for (let i = 0; i < 5; i++)
      writeFileRun({
        expDir,
        runId: runId(i),
        experimentId: '0',
        params: { lr: String(i / 10) },
        tags: { team: 'aaa' },
        metrics: { loss: '1717300990000 1.0 0\n1717300990001 0.5 1\n' },
        artifacts: { 'model.txt': `weights ${i}` },
      });
    age(60, root);
    const ctx = tempCore();
    expect(await importMlflow(ctx, { location: root })).toMatchObject({ added: 5 });
    const fingerprints = ctx.store.db.prepare('SELECT import_fingerprint FROM runs').pluck().all();
    expect(fingerprints.every((f) => typeof f === 'string' && f.length > 20)).toBe(true);
    expect(await importMlflow(ctx, { location: root })).toMatchObject({ updated: 0, unchanged: 5 });

    // Only what MLflow touches changes (run 0's files keep their stamp, so it is passed over unread).
    const run = (i: number): string => path.join(expDir, runId(i));
    const loss1 = path.join(run(1), 'metrics', 'loss');
    fs.appendFileSync(loss1, '1717300990009 0.7 0\n'); // an old step, logged late
    const team2 = path.join(run(2), 'tags', 'team');
    fs.writeFileSync(team2, 'bbb'); // same size, rewritten in place
    const meta3 = path.join(run(3), 'meta.yaml');
    fs.writeFileSync(meta3, fs.readFileSync(meta3, 'utf8').replace('status: 3', 'status: 4'));
    fs.writeFileSync(path.join(run(4), 'params', 'epochs'), '10');
    age(30, loss1, team2, meta3, path.join(run(4), 'params'));
    const changed = await importMlflow(ctx, { location: root });
    expect(changed).toMatchObject({ added: 0, updated: 4, unchanged: 1 });
    const stored = (i: number) => ctx.runs.get(changed.runs.find((r) => r.mlflowRunId === runId(i))!.id);
    expect(stored(1).outcome.metrics.loss!.history).toHaveLength(3);
    expect(stored(2).tags.team).toBe('bbb');
    expect(stored(3).outcome.status).toBe('failed');
    expect(stored(4).process.parameters.epochs).toBe('10');
    expect(await importMlflow(ctx, { location: root })).toMatchObject({ updated: 0, unchanged: 5 });

    // A file written this second may still be being written: its run is read whole, and read again next time.
    fs.writeFileSync(path.join(run(0), 'artifacts', 'model.txt'), 'weights X');
    const before = stored(0).outcome.artifacts[0]!.rootHash;
    const fresh = await importMlflow(ctx, { location: root });
    expect(fresh).toMatchObject({ updated: 1, unchanged: 4 });
    expect(stored(0).outcome.artifacts[0]!.rootHash).not.toBe(before);
    expect(await importMlflow(ctx, { location: root })).toMatchObject({ updated: 0, unchanged: 5 });
  });

  it('re-checks stamped runs without listing their folders, and still sees a file added, a file removed, a folder replaced', async () => {
    const tmp = tempDir();
    const root = path.join(tmp, 'mlruns');
    const expDir = writeExperiment(root, '0', 'Default');
    const run = (i: number): string => path.join(expDir, runId(i));
    for (let i = 0; i < 4; i++)
      writeFileRun({
        expDir,
        runId: runId(i),
        experimentId: '0',
        params: { lr: String(i / 10) },
        tags: { team: 'aaa' },
        metrics: { loss: '1717300990000 1.0 0\n1717300990001 0.5 1\n' },
        artifacts: { 'model.txt': `weights ${i}` },
      });
    // A metrics folder with the same names as run 2's, written long ago, to be put in its place.
    const spare = path.join(tmp, 'spare-metrics');
    fs.mkdirSync(spare);
    fs.writeFileSync(path.join(spare, 'loss'), '1717300990000 1.0 0\n1717300990001 0.5 1\n1717300990002 0.2 2\n');
    age(60, root, spare);
    // Run 3's tags folder changed this second: its run gets a fingerprint but no re-check plan yet.
    fs.utimesSync(path.join(run(3), 'tags'), new Date(), new Date());
    const ctx = tempCore();
    const fingerprint = (i: number): string =>
      ctx.store.db
        .prepare("SELECT import_fingerprint FROM runs WHERE source_key LIKE '%' || ?")
        .pluck()
        .get(runId(i)) as string;
    expect(await importMlflow(ctx, { location: root })).toMatchObject({ added: 4 });
    expect([0, 1, 2, 3].map((i) => fingerprint(i).includes(' '))).toEqual([true, true, true, false]);
    // Once the folder settled, the run is still found unchanged (by its plain stamp), and gets its plan.
    age(60, path.join(run(3), 'tags'));
    expect(await importMlflow(ctx, { location: root })).toMatchObject({ unchanged: 4, updated: 0 });
    expect(fingerprint(3)).toContain(' ');

    // Unchanged runs are re-checked by stats alone: no run folder is listed.
    const readdir = vi.spyOn(fs, 'readdirSync');
    try {
      expect(await importMlflow(ctx, { location: root })).toMatchObject({ unchanged: 4, updated: 0 });
      const listed = readdir.mock.calls.map((c) => String(c[0]));
      expect(listed).toContain(expDir); // the experiment is listed, to find its runs
      expect(listed.filter((d) => d.startsWith(`${expDir}${path.sep}`))).toEqual([]);
    } finally {
      readdir.mockRestore();
    }

    // Each change below leaves its folder's mtime as it was (only its ctime, or an inode, moves).
    const keepMtime = (dir: string, change: () => void): void => {
      const before = fs.lstatSync(dir);
      change();
      fs.utimesSync(dir, before.atime, before.mtime);
      expect(fs.lstatSync(dir).mtimeMs).toBe(before.mtimeMs);
    };
    keepMtime(path.join(run(0), 'tags'), () => {
      fs.writeFileSync(path.join(run(0), 'tags', 'extra'), 'x');
      age(60, path.join(run(0), 'tags', 'extra'));
    });
    keepMtime(path.join(run(1), 'tags'), () => fs.rmSync(path.join(run(1), 'tags', 'team')));
    keepMtime(run(2), () => {
      fs.renameSync(path.join(run(2), 'metrics'), path.join(tmp, 'old-metrics'));
      fs.renameSync(spare, path.join(run(2), 'metrics'));
    });
    const changed = await importMlflow(ctx, { location: root });
    expect(changed).toMatchObject({ added: 0, updated: 3, unchanged: 1 });
    const stored = (i: number) => ctx.runs.get(changed.runs.find((r) => r.mlflowRunId === runId(i))!.id);
    expect(stored(0).tags.extra).toBe('x');
    expect(stored(1).tags.team).toBeUndefined();
    expect(stored(2).outcome.metrics.loss!.history).toHaveLength(3);
    expect(await importMlflow(ctx, { location: root })).toMatchObject({ updated: 0, unchanged: 4 });
  });
});
