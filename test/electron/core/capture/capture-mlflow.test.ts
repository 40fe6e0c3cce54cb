/** Capture of scripts that log to MLflow (through the stand-in client): the run they created is read where they logged it. */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
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

interface ServerRun {
  info: Record<string, unknown>;
  params: { key: string; value: string }[];
  tags: { key: string; value: string }[];
  metrics: { key: string; value: number; timestamp: number; step: number }[];
}

/** A tracking server answering the REST calls the client makes and the ones reproscope's reader makes, in MLflow's JSON shapes. */
function trackingServer(runs: ServerRun[]): http.Server {
  return http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const b = (body ? JSON.parse(body) : {}) as Record<string, string | number>;
      const send = (value: unknown): void => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      const find = (): ServerRun => runs.find((r) => r.info.run_id === b.run_id)!;
      const latest = (r: ServerRun) => [...new Map(r.metrics.map((m) => [m.key, m])).values()];
      const asJson = (r: ServerRun) => ({ info: r.info, data: { metrics: latest(r), params: r.params, tags: r.tags } });
      switch (url.pathname.replace('/api/2.0/mlflow/', '')) {
        case 'runs/create': {
          const id = `${runs.length + 1}`.padStart(32, 'c');
          const info = {
            run_id: id,
            run_uuid: id,
            run_name: b.run_name,
            experiment_id: '0',
            status: 'RUNNING',
            start_time: b.start_time,
            lifecycle_stage: 'active',
            artifact_uri: `mlflow-artifacts:/0/${id}/artifacts`,
          };
          runs.push({ info, params: [], tags: [], metrics: [] });
          return send({ run: { info } });
        }
        case 'runs/log-parameter':
          find().params.push({ key: String(b.key), value: String(b.value) });
          return send({});
        case 'runs/set-tag':
          find().tags.push({ key: String(b.key), value: String(b.value) });
          return send({});
        case 'runs/log-metric':
          find().metrics.push({
            key: String(b.key),
            value: Number(b.value),
            timestamp: Number(b.timestamp),
            step: Number(b.step),
          });
          return send({});
        case 'runs/update':
          Object.assign(find().info, { status: b.status, end_time: b.end_time });
          return send({});
        case 'experiments/search':
          return send({ experiments: [{ experiment_id: '0', name: 'Default', lifecycle_stage: 'active' }] });
        case 'runs/search':
          return send({ runs: runs.map(asJson) });
        case 'metrics/get-history': {
          const r = runs.find((x) => x.info.run_id === url.searchParams.get('run_id'))!;
          return send({ metrics: r.metrics.filter((m) => m.key === url.searchParams.get('metric_key')) });
        }
        default:
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error_code: 'ENDPOINT_NOT_FOUND', message: url.pathname }));
      }
    });
  });
}

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

  it('reads the run from a tracking server named by MLFLOW_TRACKING_URI, ignoring the runs from before', async () => {
    const old: ServerRun = {
      info: {
        run_id: 'o'.repeat(32),
        experiment_id: '0',
        status: 'FINISHED',
        start_time: 1717345440961,
        lifecycle_stage: 'active',
      },
      params: [],
      tags: [],
      metrics: [{ key: 'r2', value: 0.99, timestamp: 1717345440961, step: 0 }],
    };
    const server = trackingServer([old]);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { snapshot } = await capture(project(), { MLFLOW_TRACKING_URI: uri });
      expect(snapshot.mlflowRun).toMatchObject({
        storeType: 'mlflow-server',
        runId: '2'.padStart(32, 'c'),
        status: 'FINISHED',
      });
      expect(snapshot.outcome.metrics.rmse!.history!.map((p) => p.step)).toEqual([0, 1, 2]);
      expect(snapshot.outcome.metrics.r2!.value).not.toBe(0.99);
      expect(snapshot.process.parameters.alpha).toBe('0.3');
    } finally {
      server.close();
    }
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
