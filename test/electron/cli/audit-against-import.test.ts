// `reproscope audit --against` an imported MLflow run whose recorded commit does not hold the project's MLproject yet
// (it was run with uncommitted changes, which MLflow does not record), as in a real student project imported here.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, gitRepo, runCli, tempDir, writeFiles } from '../../helpers/temp';
import { writeExperiment, writeFileRun } from '../../helpers/mlflow-stores';

const MLPROJECT =
  'name: demo\nentry_points:\n  knn:\n    parameters:\n      n_neighbors: {type: int, default: 5}\n    command: "python3 train.py {n_neighbors}"\n';

describe('reproscope audit --against an imported run', () => {
  it("names the original's commit and what it lacks when the entry point is not there; at HEAD, says the original recorded no metrics", async () => {
    const repo = gitRepo({ 'README.md': 'template\n' });
    const first = git(repo, 'rev-parse', 'HEAD').trim();
    writeFiles(repo, { MLproject: MLPROJECT, 'train.py': 'import sys\nprint("k:", sys.argv[1])\n' });
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'the project');

    const mlruns = path.join(tempDir(), 'mlruns');
    writeFileRun({
      expDir: writeExperiment(mlruns, '0', 'Default'),
      experimentId: '0',
      runId: 'fe944fbbbc30430aa2d9723450c2c3f1',
      params: { n_neighbors: '5' },
      tags: { 'mlflow.source.git.commit': first, 'mlflow.project.entryPoint': 'knn', 'mlflow.source.type': 'PROJECT' },
    });
    const store = tempDir();
    expect((await runCli(['--store', store, 'import', mlruns])).code).toBe(0);
    const list = JSON.parse((await runCli(['--store', store, 'runs', '--json'])).stdout) as { runs: { id: string }[] };
    const original = list.runs[0]!.id;

    const atOriginal = await runCli(['--store', store, 'audit', repo, '--against', original, '--yes']);
    expect(atOriginal.code).toBe(2);
    expect(atOriginal.stderr).toContain(
      `the original ran entry point knn at commit ${first.slice(0, 12)}, as its run recorded, but there is no MLproject there`,
    );
    expect(atOriginal.stderr).toMatch(/changes that were not committed[\s\S]*--version HEAD/);

    const atHead = await runCli([
      '--store',
      store,
      'audit',
      repo,
      '--against',
      original,
      '--version',
      'HEAD',
      '--metrics-from',
      'stdout',
      '--yes',
    ]);
    expect(atHead.stderr).toContain('python3 train.py 5');
    expect(atHead.stderr).not.toContain('no MLproject');
    // the run logged no metric to MLflow: what the reruns print is read, and there is nothing to compare it with
    expect(atHead.code).toBe(4);
    expect(atHead.stdout).toContain(
      'inconclusive because the original recorded no metrics (the reruns report k), so none was compared',
    );
    expect(atHead.stdout).toMatch(/next: audit without --against to ask whether identical reruns agree/);
  }, 60_000);
});
