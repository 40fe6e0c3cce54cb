// A run whose artifacts folder the reader listed empty is recorded exactly as hashing that folder records it, without hashing it.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyTree } from '../../../../electron/core/import/import-artifacts';
import { readRun } from '../../../../electron/core/import/import-file-run';
import { importMlflow } from '../../../../electron/core/import/import-mlflow';
import { hashTree } from '../../../../electron/platform/hash-tree';
import { withNormalisedHashes } from '../../../../electron/platform/mlflow-normalised';
import { createMlflowDb, insertRun, writeExperiment, writeFileRun } from '../../../helpers/mlflow-stores';
import { tempCore } from '../../../helpers/store';
import { tempDir } from '../../../helpers/temp';

describe('an empty artifacts folder', () => {
  it('is the tree hashTree gives, taken from the listing the stamp made; a folder with files is still hashed', async () => {
    const root = fs.realpathSync(tempDir());
    const exp = writeExperiment(root, '0', 'Default');
    const empty = writeFileRun({ expDir: exp, runId: 'a'.repeat(32), experimentId: '0' });
    fs.mkdirSync(path.join(empty, 'artifacts'));
    const full = writeFileRun({ expDir: exp, runId: 'b'.repeat(32), experimentId: '0', artifacts: { 'x.txt': 'x' } });
    const old = new Date(Date.now() - 60_000);
    for (const run of [empty, full])
      for (const f of ['meta.yaml', 'params', 'tags', 'metrics', 'artifacts', 'artifacts/x.txt', '.'])
        if (fs.existsSync(path.join(run, f))) fs.utimesSync(path.join(run, f), old, old);
    expect(emptyTree(path.join(empty, 'artifacts'))).toEqual(
      withNormalisedHashes(await hashTree(path.join(empty, 'artifacts'), { displayPath: 'artifacts' })),
    );
    const scope = {
      exp: { id: '0', name: 'Default', lifecycleStage: 'active', dir: exp },
      datasets: new Map(),
      models: new Map(),
    };
    const options = { includeDeleted: false, fingerprintSalt: 'salt' };
    const read = (name: string) => {
      const item = readRun(root, scope, name, options);
      if (item.kind !== 'run') throw new Error(`not read: ${JSON.stringify(item)}`);
      return item.run;
    };
    expect(read('a'.repeat(32)).artifactsEmpty).toBe(true);
    expect(read('b'.repeat(32)).artifactsEmpty).toBeUndefined();
    const ctx = tempCore();
    const summary = await importMlflow(ctx, { location: root });
    const artifactsOf = (runId: string) =>
      ctx.runs.get(summary.runs.find((r) => r.mlflowRunId === runId)!.id).outcome.artifacts;
    expect(artifactsOf('a'.repeat(32))).toEqual([emptyTree(path.join(empty, 'artifacts'))]);
    expect(artifactsOf('b'.repeat(32))[0]).toMatchObject({ fileCount: 1, files: [{ path: 'x.txt' }] });
    expect(await importMlflow(ctx, { location: root })).toMatchObject({ unchanged: 2 });
  });

  it('from an mlflow.db: an empty folder beside the database is recorded as hashing records it, and a file put in it is seen', async () => {
    const root = fs.realpathSync(tempDir());
    const file = path.join(root, 'mlflow.db');
    const db = createMlflowDb(file);
    db.prepare("INSERT INTO experiments (experiment_id, name, lifecycle_stage) VALUES (0, 'Default', 'active')").run();
    for (const id of ['a'.repeat(32), 'b'.repeat(32)]) insertRun(db, { run_uuid: id, experiment_id: 0 });
    db.close();
    const dirOf = (id: string) => path.join(root, 'mlruns', '0', id, 'artifacts');
    fs.mkdirSync(dirOf('a'.repeat(32)), { recursive: true });
    fs.mkdirSync(dirOf('b'.repeat(32)), { recursive: true });
    fs.writeFileSync(path.join(dirOf('b'.repeat(32)), 'x.txt'), 'x');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(path.join(dirOf('b'.repeat(32)), 'x.txt'), old, old);
    const ctx = tempCore();
    const artifactsOf = (summary: Awaited<ReturnType<typeof importMlflow>>, runId: string) =>
      ctx.runs.get(summary.runs.find((r) => r.mlflowRunId === runId)!.id).outcome.artifacts;
    const first = await importMlflow(ctx, { location: file });
    expect(artifactsOf(first, 'a'.repeat(32))).toEqual([
      withNormalisedHashes(await hashTree(dirOf('a'.repeat(32)), { displayPath: 'artifacts' })),
    ]);
    expect(artifactsOf(first, 'b'.repeat(32))[0]).toMatchObject({ fileCount: 1, files: [{ path: 'x.txt' }] });
    expect(await importMlflow(ctx, { location: file })).toMatchObject({ unchanged: 2 });
    // a model saved into the empty folder afterwards: the run is read again and the file hashed
    fs.writeFileSync(path.join(dirOf('a'.repeat(32)), 'model.pkl'), 'weights');
    fs.utimesSync(path.join(dirOf('a'.repeat(32)), 'model.pkl'), old, old);
    const again = await importMlflow(ctx, { location: file });
    expect(again).toMatchObject({ updated: 1, unchanged: 1 });
    expect(artifactsOf(again, 'a'.repeat(32))[0]).toMatchObject({ fileCount: 1, files: [{ path: 'model.pkl' }] });
  });
});
