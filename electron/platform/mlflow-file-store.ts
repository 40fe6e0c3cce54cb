// A private MLflow file store for one rerun, read back as MLflow's FileStore writes it (params, tags, metrics, artifacts).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { emptyRecord, recordOf } from '../../shared/records';
import type { Metric } from '../../shared/snapshot/snapshot';

/**
 * A private MLflow file store for one rerun, laid out as MLflow's FileStore writes it (mlruns/0/meta.yaml,
 * mlruns/0/<run>/meta.yaml, params/, tags/, metrics/, artifacts/), so that a script which logs with
 * mlflow under `mlflow run` logs into it; what it logged is read back when the rerun ends.
 */

/** The run created for a rerun, and the environment variables `mlflow run` would set for it. */
export interface MlflowRunHandle {
  root: string;
  runId: string;
  experimentId: string;
  artifactsDir: string;
  env: Record<string, string>;
}

/** What the script logged. */
export interface MlflowRunRecord {
  metrics: Record<string, Metric>;
  params: Record<string, string>;
  tags: Record<string, string>;
}

const yamlQuote = (s: string): string =>
  /^[\w./:@+-]+$/.test(s) && !/^[\d.+-]/.test(s) ? s : `'${s.replace(/'/g, "''")}'`;

// MLflow's FileStore file names: tags and params are files named by key (a key may hold '/').
function writeKeyed(dir: string, entries: Record<string, string>): void {
  for (const [k, v] of Object.entries(entries)) {
    if (k.includes('..') || path.isAbsolute(k)) continue;
    const file = path.join(dir, k);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, v);
  }
}

/** Creates experiment 0 and a RUNNING run in a fresh file store at `root`, with the params and tags `mlflow run` logs. */
export function createMlflowRun(
  root: string,
  runId: string,
  info: { runName: string; user: string; params: Record<string, string>; tags: Record<string, string> },
): MlflowRunHandle {
  const now = Date.now();
  const expDir = path.join(root, '0');
  const runDir = path.join(expDir, runId);
  fs.mkdirSync(path.join(runDir, 'artifacts'), { recursive: true });
  for (const sub of ['metrics', 'params', 'tags']) fs.mkdirSync(path.join(runDir, sub), { recursive: true });
  const rootUri = pathToFileURL(root).href;
  fs.writeFileSync(
    path.join(expDir, 'meta.yaml'),
    [
      `artifact_location: ${rootUri}/0`,
      `creation_time: ${now}`,
      "experiment_id: '0'",
      `last_update_time: ${now}`,
      'lifecycle_stage: active',
      'name: Default',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(
    path.join(runDir, 'meta.yaml'),
    [
      `artifact_uri: ${rootUri}/0/${runId}/artifacts`,
      'end_time: null',
      "entry_point_name: ''",
      "experiment_id: '0'",
      'lifecycle_stage: active',
      `run_id: ${runId}`,
      `run_name: ${yamlQuote(info.runName)}`,
      `run_uuid: ${runId}`,
      "source_name: ''",
      'source_type: 4',
      "source_version: ''",
      `start_time: ${now}`,
      'status: 1',
      'tags: []',
      `user_id: ${yamlQuote(info.user)}`,
      '',
    ].join('\n'),
  );
  writeKeyed(path.join(runDir, 'params'), info.params);
  writeKeyed(path.join(runDir, 'tags'), { 'mlflow.runName': info.runName, 'mlflow.user': info.user, ...info.tags });
  return {
    root,
    runId,
    experimentId: '0',
    artifactsDir: path.join(runDir, 'artifacts'),
    env: { MLFLOW_TRACKING_URI: rootUri, MLFLOW_EXPERIMENT_ID: '0', MLFLOW_RUN_ID: runId },
  };
}

/** The handle of a run createMlflowRun made earlier (a resumed audit collecting a job that ran meanwhile). */
export function openMlflowRun(root: string, runId: string): MlflowRunHandle {
  return {
    root,
    runId,
    experimentId: '0',
    artifactsDir: path.join(root, '0', runId, 'artifacts'),
    env: { MLFLOW_TRACKING_URI: pathToFileURL(root).href, MLFLOW_EXPERIMENT_ID: '0', MLFLOW_RUN_ID: runId },
  };
}

function readKeyed(dir: string, prefix = ''): [string, string][] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: [string, string][] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...readKeyed(abs, `${prefix}${e.name}/`));
    else if (e.isFile()) out.push([`${prefix}${e.name}`, fs.readFileSync(abs, 'utf8')]);
  }
  return out;
}

/** Reads back what a rerun's script logged to its run: metrics with their history (lines "timestamp value step"), params, tags. */
export function readMlflowRun(handle: Pick<MlflowRunHandle, 'root' | 'experimentId' | 'runId'>): MlflowRunRecord {
  const runDir = path.join(handle.root, handle.experimentId, handle.runId);
  const metrics = emptyRecord<Metric>();
  for (const [name, text] of readKeyed(path.join(runDir, 'metrics'))) {
    const history = text
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((p) => p.length >= 2)
      .map(([ts, value, step]) => ({
        timestamp: Number(ts),
        value: Number(value),
        step: step === undefined ? 0 : Number(step),
      }))
      .filter((p) => Number.isFinite(p.timestamp));
    if (history.length === 0) continue;
    // MLflow's "latest" value: the highest step, then the latest timestamp
    const last = history.reduce((a, b) =>
      b.step > a.step || (b.step === a.step && b.timestamp >= a.timestamp) ? b : a,
    );
    metrics[name] = { value: last.value, history, source: `mlflow run ${handle.runId}` };
  }
  return {
    metrics,
    params: recordOf(readKeyed(path.join(runDir, 'params'))),
    tags: recordOf(readKeyed(path.join(runDir, 'tags'))),
  };
}

/** Marks the run finished or failed in its meta.yaml, as `mlflow run` does when the command ends. */
export function endMlflowRun(handle: MlflowRunHandle, ok: boolean): void {
  const meta = path.join(handle.root, handle.experimentId, handle.runId, 'meta.yaml');
  try {
    const text = fs
      .readFileSync(meta, 'utf8')
      .replace(/^end_time: .*$/m, `end_time: ${Date.now()}`)
      .replace(/^status: .*$/m, `status: ${ok ? 3 : 4}`);
    fs.writeFileSync(meta, text);
  } catch {
    // the script may have removed its store; the metrics were read already
  }
}
