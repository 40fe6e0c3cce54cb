/** Capture reads what the command logged to MLflow: the runs it created at the tracking URI in effect, never redirecting it. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { snapshotFromMlflowRun } from '../../../shared/mlflow/mlflow-snapshot';
import { copyRecord } from '../../../shared/records';
import { stripUrlCredentials } from '../../../shared/snapshot/secrets';
import type { Metric, MlflowRunLink, Seed } from '../../../shared/snapshot/snapshot';
import type { RawMlflowRun } from '../import';

/** What the command's MLflow runs give the capture. */
export interface CapturedMlflow {
  link: MlflowRunLink;
  metrics: Record<string, Metric>;
  parameters: Record<string, string>;
  seeds: Seed[];
  tags: Record<string, string>;
  /** The first run's artifact folder on this machine, if it has one. */
  artifactDir: string | null;
  warnings: string[];
}

/** When and where the command ran. */
export interface MlflowCaptureWindow {
  env: NodeJS.ProcessEnv;
  cwd: string;
  startedAt: Date;
  endedAt: Date;
}

/** Slack around the command's times: MLflow's start_time comes from the script's clock, in ms. */
const WINDOW_SLACK_MS = 2000;
const READ_TIMEOUT_MS = 30_000;

/**
 * The tracking store the command logged to, as MLflow resolves it when the script does not call
 * set_tracking_uri: MLFLOW_TRACKING_URI, else `./mlruns` (MLflow 2), else `./mlflow.db` (newer
 * MLflow's default), both in the command's folder; null when there is none to read.
 */
export function trackingLocation(env: NodeJS.ProcessEnv, cwd: string): string | null {
  const uri = env.MLFLOW_TRACKING_URI?.trim();
  if (uri) return uri;
  const mlruns = path.join(cwd, 'mlruns');
  if (fs.existsSync(mlruns) && fs.statSync(mlruns).isDirectory()) return mlruns;
  const db = path.join(cwd, 'mlflow.db');
  if (fs.existsSync(db)) return `sqlite:///${db}`;
  return null;
}

/** The file or folder a local tracking URI names; null for a server or another scheme. */
function localFileOf(location: string, cwd: string): string | null {
  if (/^sqlite:\/\/\//i.test(location))
    return path.resolve(cwd, location.replace(/^sqlite:\/\/\//i, '').split('?')[0]!);
  if (/^file:/i.test(location)) {
    try {
      return fileURLToPath(location);
    } catch {
      return null;
    }
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(location)) return null;
  return path.resolve(cwd, location);
}

/**
 * Reads the MLflow runs the command created (start time inside the command's run, or the run
 * MLFLOW_RUN_ID named). The first top-level run is the snapshot's run: its metrics keep their names,
 * another run's carry `<run name>/`. `run` is null when the command logged none; a store that cannot
 * be read is a warning, never a failed capture.
 */
export async function readCapturedMlflow(
  window: MlflowCaptureWindow,
): Promise<{ run: CapturedMlflow | null; warnings: string[] }> {
  const none = { run: null, warnings: [] };
  const location = trackingLocation(window.env, window.cwd);
  if (location === null) return none;
  const local = localFileOf(location, window.cwd);
  if (local !== null && !fs.existsSync(local)) return none; // MLflow creates its store on the first log: nothing was logged
  const shown = stripUrlCredentials(location);
  const from = window.startedAt.getTime() - WINDOW_SLACK_MS;
  const to = window.endedAt.getTime() + WINDOW_SLACK_MS;
  const resumed = window.env.MLFLOW_RUN_ID ?? null;
  const found: RawMlflowRun[] = [];
  try {
    // the MLflow readers load only when there is a store to read: most captures have none
    const { openMlflowStore } = await import('../import');
    const reader = await openMlflowStore(location, { includeDeleted: false, timeoutMs: READ_TIMEOUT_MS }, window.cwd);
    try {
      for await (const item of reader.runs()) {
        if (item.kind !== 'run') continue;
        const start = item.run.record.startTime;
        if (item.run.record.runId === resumed || (start !== null && start >= from && start <= to)) found.push(item.run);
      }
    } finally {
      reader.close();
    }
    if (found.length === 0) return none;
    const run = fromRuns(found, reader.type, reader.location, window);
    return { run, warnings: run.warnings };
  } catch (e) {
    // Without MLFLOW_TRACKING_URI the default store is only a guess: an unreadable one is not news.
    if (!window.env.MLFLOW_TRACKING_URI) return none;
    return {
      run: null,
      warnings: [
        `outcome: the MLflow store ${shown} could not be read, so what the command logged there was not recorded (${(e as Error).message})`,
      ],
    };
  }
}

function fromRuns(
  runs: RawMlflowRun[],
  type: MlflowRunLink['storeType'],
  location: string,
  window: MlflowCaptureWindow,
): CapturedMlflow {
  runs.sort((a, b) => (a.record.startTime ?? 0) - (b.record.startTime ?? 0));
  const ids = new Set(runs.map((r) => r.record.runId));
  const primary = runs.find((r) => !ids.has(r.record.tags['mlflow.parentRunId'] ?? '')) ?? runs[0]!;
  const toSnapshot = (r: RawMlflowRun) =>
    snapshotFromMlflowRun(r.record, {
      id: r.record.runId,
      createdAt: window.startedAt.toISOString(),
      sourceType: type,
      location,
    });
  const main = toSnapshot(primary);
  const metrics = copyRecord(main.outcome.metrics);
  const warnings = main.warnings.filter((w) => w.startsWith('outcome:') || w.includes('secret'));
  const others = runs.filter((r) => r !== primary);
  for (const r of others) {
    const prefix = `${r.record.runName ?? r.record.runId.slice(0, 8)}/`;
    for (const [k, m] of Object.entries(toSnapshot(r).outcome.metrics)) metrics[prefix + k] ??= m;
  }
  if (others.length > 0)
    warnings.push(
      `outcome: the command created ${runs.length} MLflow runs; the snapshot is run ${primary.record.runId}, the other runs' metrics carry their run name (${others.map((r) => r.record.runName ?? r.record.runId).join(', ')})`,
    );
  if (primary.record.status === 'RUNNING')
    warnings.push(`outcome: MLflow run ${primary.record.runId} was still RUNNING when the command ended (no end_run)`);
  return {
    link: {
      trackingUri: location,
      storeType: type,
      experimentId: primary.record.experimentId,
      runId: primary.record.runId,
      runName: primary.record.runName,
      status: primary.record.status,
      otherRunIds: others.map((r) => r.record.runId),
    },
    metrics,
    parameters: main.process.parameters,
    seeds: main.randomness.seeds,
    tags: main.tags,
    artifactDir: primary.artifactDir,
    warnings,
  };
}
