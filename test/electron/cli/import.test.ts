// `reproscope import` of a file store and an mlflow.db: the summary, a second import, and unreadable stores.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nonFiniteReviver } from '../../../shared/snapshot/nonfinite-json';
import { runCli, SHARED_FIXTURES, tempDir } from '../../helpers/temp';

const FILESTORE = path.join(SHARED_FIXTURES, 'mlflow', 'mlflow-run-filestore', 'mlruns');
const DB = path.join(SHARED_FIXTURES, 'mlflow', 'mlflow-2.13-sqlite', 'week-02', 'mlflow.db');

describe('reproscope import', () => {
  it('imports a file store and an mlflow.db, prints a summary, and a second import changes nothing', async () => {
    const store = tempDir();
    const first = await runCli(['--store', store, 'import', FILESTORE]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`imported from ${FILESTORE}`);
    expect(first.stdout).toContain('experiments: Default (0): 3 runs');
    expect(first.stdout).toContain('runs: 3 added, 0 updated, 0 unchanged, 0 skipped');

    const json = await runCli([
      '--store',
      store,
      'import',
      `sqlite:///${DB}`,
      '--experiment',
      'my-experiment-1',
      '--json',
    ]);
    expect(json.code).toBe(0);
    const summary = JSON.parse(json.stdout, nonFiniteReviver) as {
      added: number;
      experiments: { name: string }[];
      runs: { mlflowRunId: string }[];
    };
    expect(summary.added).toBe(2);
    expect(summary.experiments.map((e) => e.name)).toEqual(['my-experiment-1']);

    const again = await runCli(['--store', store, 'import', FILESTORE]);
    expect(again.stdout).toContain('runs: 0 added, 0 updated, 3 unchanged, 0 skipped');
    const list = await runCli(['--store', store, 'runs', '--kind', 'import', '--json']);
    expect((JSON.parse(list.stdout) as { runs: unknown[] }).runs).toHaveLength(5);
  });

  it('fails with a message naming the store and a hint when it cannot be read', async () => {
    const store = tempDir();
    const missing = path.join(tempDir(), 'mlruns');
    const res = await runCli(['--store', store, 'import', missing]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`reproscope: error: the MLflow store ${missing} does not exist`);
    expect(res.stderr).toContain('→ Check the path');
  });
});
