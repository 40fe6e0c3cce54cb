// A run whose artifacts folder the reader listed empty is recorded exactly as hashing that folder records it, without hashing it.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyTree } from '../../../../electron/core/import/import-artifacts';
import { readRun } from '../../../../electron/core/import/import-file-run';
import { importMlflow } from '../../../../electron/core/import/import-mlflow';
import { hashTree } from '../../../../electron/platform/hash-tree';
import { withNormalisedHashes } from '../../../../electron/platform/mlflow-normalised';
import { writeExperiment, writeFileRun } from '../../../helpers/mlflow-stores';
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
});
