/** Capture of scripts that log to MLflow (through the stand-in client): the run they created is read where they logged it. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureRun } from '../../../../electron/core/capture';
import { createHandlers } from '../../../../electron/core/handlers';
import { createMlflowDb, writeExperiment, writeFileRun } from '../../../helpers/mlflow-stores';
import { tempCore } from '../../../helpers/store';
import { REPO_ROOT, SYSTEM_PYTHON, tempDir, writeFiles } from '../../../helpers/temp';

const MLFLOW_CLIENT = path.join(REPO_ROOT, 'test', 'fixtures', 'mlflow-client');

// In the shape of MLflow's examples/sklearn_elasticnet_wine/train.py, on scikit-learn's bundled diabetes data.
const ELASTICNET = `
import os, sys
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.linear_model import ElasticNet
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.model_selection import train_test_split
import mlflow

alpha = float(sys.argv[1]) if len(sys.argv) > 1 else 0.5
l1_ratio = float(sys.argv[2]) if len(sys.argv) > 2 else 0.5
print("tracking uri in the script:", os.environ.get("MLFLOW_TRACKING_URI", "(unset)"))
X, y = load_diabetes(return_X_y=True)
train_x, test_x, train_y, test_y = train_test_split(X, y, random_state=42)
with mlflow.start_run():
    lr = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, random_state=42).fit(train_x, train_y)
    pred = lr.predict(test_x)
    mlflow.log_param("alpha", alpha)
    mlflow.log_param("l1_ratio", l1_ratio)
    mlflow.log_param("random_state", 42)
    for step, n in enumerate((30, 60, len(test_y))):
        mlflow.log_metric("rmse", float(np.sqrt(mean_squared_error(test_y[:n], pred[:n]))), step=step)
    mlflow.log_metric("r2", r2_score(test_y, pred))
    mlflow.log_metric("mae", mean_absolute_error(test_y, pred))
    mlflow.set_tag("stage", "dev")
    if os.environ.get("NESTED"):
        for a in (0.1, 1.0):
            with mlflow.start_run(run_name="alpha-%s" % a, nested=True):
                m = ElasticNet(alpha=a, random_state=42).fit(train_x, train_y)
                mlflow.log_metric("r2", r2_score(test_y, m.predict(test_x)))
`;

function project(): string {
  const dir = tempDir();
  writeFiles(dir, { 'train.py': ELASTICNET });
  return dir;
}

async function capture(cwd: string, env: NodeJS.ProcessEnv) {
  const ctx = tempCore();
  const r = await captureRun(
    { argv: [SYSTEM_PYTHON, 'train.py', '0.3'], cwd, env: { ...process.env, PYTHONPATH: MLFLOW_CLIENT, ...env } },
    { runs: ctx.runs, hashCache: ctx.hashCache },
  );
  return { ...r, ctx };
}

describe('capture of a script that logs to MLflow', () => {
  it("reads the run it created in the default ./mlruns, links the snapshot to it, and leaves the user's tracking alone", async () => {
    const dir = project();
    // An earlier run in the same store is not this capture's.
    const expDir = writeExperiment(path.join(dir, 'mlruns'), '0', 'Default');
    writeFileRun({ expDir, runId: 'a'.repeat(32), experimentId: '0', metrics: { r2: '1717300990000 0.99 0\n' } });
    const env: NodeJS.ProcessEnv = { ...process.env, PYTHONPATH: MLFLOW_CLIENT };
    delete env.MLFLOW_TRACKING_URI;
    const { snapshot, command, ctx } = await capture(dir, env);
    expect(command.exitCode).toBe(0);
    expect(command.stdout.data.toString()).toContain('tracking uri in the script: (unset)');
    const runs = fs.readdirSync(expDir).filter((n) => n !== 'meta.yaml' && n !== 'a'.repeat(32));
    expect(runs).toHaveLength(1);
    expect(snapshot.mlflowRun).toMatchObject({
      runId: runs[0],
      experimentId: '0',
      storeType: 'mlflow-file',
      status: 'FINISHED',
    });
    const m = snapshot.outcome.metrics;
    expect(Object.keys(m).sort()).toEqual(['mae', 'r2', 'rmse']);
    expect(m.r2!.value).not.toBe(0.99);
    expect(m.rmse!.history!.map((p) => p.step)).toEqual([0, 1, 2]);
    expect(snapshot.process.parameters).toEqual({ alpha: '0.3', l1_ratio: '0.5', random_state: '42' });
    expect(snapshot.randomness.seeds).toContainEqual({ source: 'parameter', name: 'random_state', value: '42' });
    expect(snapshot.tags.stage).toBe('dev');
    // The link survives the store.
    const stored = await createHandlers(ctx).getRun({ id: snapshot.id });
    expect(stored.ok && stored.value.mlflowRun?.runId).toBe(runs[0]);
  }, 60_000);

  it('reads an sqlite:/// store named by MLFLOW_TRACKING_URI, nested runs named by their run name', async () => {
    const dir = project();
    createMlflowDb(path.join(dir, 'mlflow.db')).close();
    const { snapshot } = await capture(dir, { MLFLOW_TRACKING_URI: 'sqlite:///mlflow.db', NESTED: '1' });
    expect(snapshot.mlflowRun).toMatchObject({ storeType: 'mlflow-sqlite', status: 'FINISHED' });
    expect(snapshot.mlflowRun!.otherRunIds).toHaveLength(2);
    expect(Object.keys(snapshot.outcome.metrics).sort()).toEqual(['alpha-0.1/r2', 'alpha-1.0/r2', 'mae', 'r2', 'rmse']);
    expect(snapshot.warnings.join('\n')).toContain('created 3 MLflow runs');
  }, 60_000);

  it('records no link, and no warning, for a command that logged nothing; warns when the named store cannot be read', async () => {
    const dir = tempDir();
    const ctx = tempCore();
    writeFiles(dir, { 'notes.txt': 'not an MLflow store' });
    const plain = await captureRun(
      { argv: [SYSTEM_PYTHON, '-c', 'print(1)'], cwd: dir },
      { runs: ctx.runs, hashCache: ctx.hashCache },
    );
    expect(plain.snapshot.mlflowRun ?? null).toBeNull();
    const broken = await captureRun(
      {
        argv: [SYSTEM_PYTHON, '-c', 'print(1)'],
        cwd: dir,
        env: { ...process.env, MLFLOW_TRACKING_URI: path.join(dir, 'notes.txt') },
      },
      { runs: ctx.runs, hashCache: ctx.hashCache },
    );
    expect(broken.snapshot.warnings.join('\n')).toContain('could not be read');
  });
});
