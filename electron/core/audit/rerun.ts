/** One rerun: a workspace at the audited commit, a private MLflow store, the command through the runner, and the rerun's snapshot. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { copyRecord, recordOf } from '../../../shared/records';
import { type Audit, type AuditGroup, type Rerun } from '../../../shared/audit/audit';
import { printedMetricNames } from '../../../shared/snapshot/metrics-from-output';
import type { Metric } from '../../../shared/snapshot/snapshot';
import {
  createMlflowRun,
  endMlflowRun,
  openMlflowRun,
  readMlflowRun,
  type MlflowRunHandle,
  type MlflowRunRecord,
} from '../../platform/mlflow-file-store';
import { whichSync } from '../../platform/python-which';
import { currentUser, hasMetricSources, parseMetricSources, readMetricSources, readMetricsFiles } from '../capture';
import type { CoreContext } from '../core-context';
import { auditsOf } from './audit-store';
import type { Prepared, Shared } from './campaign-types';
import { dockerArgv, rerunEnvironment } from './environment';
import { resolveRender } from './project';
import { clearExpectedOutputs, hashRerunOutputs } from './rerun-outputs';
import type { Runner, RunnerJob, RunnerResult } from './runner';
import { startProbe, type RerunProbe } from './rerun-probe';
import { buildRerunSnapshot, saveRerunSnapshot, type RerunCollected } from './rerun-snapshot';

/** One rerun to run, and what the campaign shares with it. */
export interface RerunJob {
  audit: Audit;
  group: AuditGroup;
  /** Updated in place: status, metrics, run id, error. */
  rerun: Rerun;
  prepared: Prepared;
  ctx: CoreContext;
  runner: Runner;
  signal: AbortSignal;
  shared: Shared;
}

/** A rerun as it starts: its progress task, its name in the audit, its folder, and a backend job to collect again. */
interface RerunStart {
  task: string;
  /** `group-index`, in folder and job names. */
  key: string;
  /** The rerun's own folder (its MLflow store, the runner's files), removed when it ends. */
  dir: string;
  /** A job an earlier process left on a batch backend: collected where it runs, never submitted again. */
  reattach: NonNullable<Rerun['job']> | null;
  mlflowRunId: string;
}

/** The rerun's command as it ran: where, with what, and what the runner and the probe gave back. */
interface RerunRun {
  cwd: string;
  parameters: Record<string, string>;
  loggedParameters: Record<string, string>;
  user: string;
  mlflow: MlflowRunHandle;
  env: NodeJS.ProcessEnv;
  argv: string[];
  result: RunnerResult;
  probe: RerunProbe;
  /** Whether this rerun runs the audit's one seed scan of the code (the first rerun). */
  scanNow: boolean;
}

/** Runs one rerun to its end and records its snapshot; an abort leaves it pending so a resume runs it again. */
export async function runOneRerun(job: RerunJob): Promise<void> {
  const { rerun, signal } = job;
  const start = markRunning(job);
  let slot: { cwd: string; release: () => void };
  try {
    slot = await takeWorkspace(job, start);
  } catch (e) {
    rerun.status = 'failed';
    rerun.error = `could not prepare the workspace: ${(e as Error).message}`;
    return;
  }
  try {
    const run = await runCommand(job, start, slot.cwd);
    const { result } = run;
    rerun.durationMs = result.endedAt.getTime() - result.startedAt.getTime();
    rerun.exitCode = result.exitCode;
    if (result.interrupted && !result.timedOut && signal.aborted) {
      rerun.status = 'pending';
      rerun.exitCode = null;
      rerun.durationMs = null;
      rerun.job = null;
      return;
    }
    const collected = await collectOutputs(job, run);
    const snapshot = await buildRerunSnapshot({ job, ...run, ...collected });
    saveRerunSnapshot(job.ctx, snapshot, result);
    recordResult(job, { snapshot, result, collected });
  } catch (e) {
    if (signal.aborted) {
      rerun.status = 'pending';
      rerun.job = null;
      return;
    }
    rerun.status = 'failed';
    rerun.error = e instanceof Error ? e.message : String(e);
  } finally {
    slot.release();
    removeRerunDir(start.dir);
  }
}

/** Marks the rerun running (saved, and told to every face with the audit's counts); names its folder and MLflow run. */
function markRunning({ audit, group, rerun, prepared, ctx, runner }: RerunJob): RerunStart {
  const task = `audit-${audit.id}`;
  const key = `${group.name.replace(':', '-')}-${rerun.index}`;
  const dir = path.join(prepared.workRoot, key);
  rerun.status = 'running';
  rerun.error = null;
  auditsOf(ctx).save(audit);
  // counts on every progress event, so no face prints [undefined/undefined]
  const reruns = audit.groups.flatMap((g) => g.reruns);
  ctx.events.publish({
    task,
    phase: 'progress',
    label: `${group.name} #${rerun.index + 1} running`,
    done: reruns.filter((r) => r.status !== 'pending' && r.status !== 'running').length,
    total: reruns.length,
    unit: 'reruns',
    detail: { auditId: audit.id, group: group.name, index: rerun.index, state: 'running', elapsedMs: 0 },
  });
  const reattach = rerun.job && rerun.job.phase !== 'ended' && rerun.job.runner === runner.name ? rerun.job : null;
  const mlflowRunId =
    reattach?.mlflowRunId ??
    createHash('sha256').update(`${audit.id}/${key}/${Date.now()}/${Math.random()}`).digest('hex').slice(0, 32);
  if (!reattach) rerun.job = null;
  return { task, key, dir, reattach, mlflowRunId };
}

/** The folder the rerun runs in: a reattached job keeps the one it runs in; only new reruns take a workspace slot. */
async function takeWorkspace(
  { shared }: RerunJob,
  { reattach }: RerunStart,
): Promise<{ cwd: string; release: () => void }> {
  if (reattach) return { cwd: reattach.cwd, release: () => undefined };
  return shared.slots.acquire();
}

/** The rerun's MLflow run in its private store: opened again for a reattached job, else created with the audit's tags. */
function openRerunMlflow(
  { audit, group, runner }: RerunJob,
  { key, dir, reattach, mlflowRunId }: RerunStart,
  run: { user: string; loggedParameters: Record<string, string> },
): MlflowRunHandle {
  if (reattach) return openMlflowRun(path.join(dir, 'mlruns'), mlflowRunId);
  return createMlflowRun(path.join(dir, 'mlruns'), mlflowRunId, {
    runName: `reproscope-${audit.id.slice(0, 8)}-${key}`,
    user: run.user,
    params: run.loggedParameters,
    tags: {
      'mlflow.source.type': 'PROJECT',
      'mlflow.source.name': audit.project.location,
      'mlflow.project.entryPoint': audit.entryPoint,
      'mlflow.project.backend': runner.name,
      'mlflow.project.env': audit.envManager,
      ...(audit.commit ? { 'mlflow.source.git.commit': audit.commit } : {}),
      'reproscope.auditId': audit.id,
      'reproscope.group': group.name,
    },
  });
}

/** Runs the rendered command through the runner in `cwd`, with the interpreter probed while it runs. */
async function runCommand(job: RerunJob, start: RerunStart, cwd: string): Promise<RerunRun> {
  const { audit, group, rerun, prepared, runner, signal, shared } = job;
  // a reattached job may have written its results already (it ran while no reproscope watched): keep them
  if (!start.reattach)
    clearExpectedOutputs(cwd, ['metrics.json', ...audit.plan.metricsFiles, ...(audit.plan.outputs ?? [])]);
  const parameters = Object.assign(copyRecord(audit.parameters), rerun.parameters);
  const rendered = resolveRender(prepared.entry, parameters, audit.workspace.cwd);
  const user = currentUser() ?? 'unknown';
  const mlflow = openRerunMlflow(job, start, { user, loggedParameters: rendered.loggedParameters });
  const env = rerunEnvironment(audit, prepared, rerun, mlflow.env);
  const argv = prepared.environment.docker
    ? dockerArgv({ docker: prepared.environment.docker, cwd, mlflow, command: rendered.command })
    : ['bash', '-c', rendered.command];
  // the interpreter is probed while the command runs; the seed scan of the (shared) code runs once per audit
  const scanNow = shared.scan === null;
  const python = prepared.environment.python.includes('/')
    ? prepared.environment.python
    : (whichSync(prepared.environment.python, env.PATH) ?? prepared.environment.python);
  const probe = startProbe({ runner, python, env, cwd, scanNow, shared });
  const name = `reproscope-${audit.id.slice(0, 8)}-${start.key}`;
  const result = await runner.run({
    argv,
    cwd,
    env,
    timeoutMs: audit.plan.timeoutS ? audit.plan.timeoutS * 1000 : null,
    signal,
    dir: start.dir,
    name,
    batch: `reproscope-${audit.id.slice(0, 8)}-${group.name.replace(':', '-')}`,
    ticket: start.reattach,
    probe: probe.command,
    nodeIndex: audit.plan.vary.includes('node') ? (group.name === 'vary:node' ? rerun.index : 0) : undefined,
    ...progressReports(job, start, cwd),
  });
  const loggedParameters = rendered.loggedParameters;
  return { cwd, parameters, loggedParameters, user, mlflow, env, argv, result, probe, scanNow };
}

/** The runner's callbacks: each job state saved and published, and the output streamed with the elapsed time and its tail. */
function progressReports(
  { audit, group, rerun, ctx }: RerunJob,
  { task, mlflowRunId }: RerunStart,
  cwd: string,
): Pick<RunnerJob, 'onTicket' | 'onOutput'> {
  const where = { auditId: audit.id, group: group.name, index: rerun.index };
  let tail = '';
  const started = Date.now();
  return {
    onTicket: (t) => {
      rerun.job = { ...t, cwd, mlflowRunId };
      auditsOf(ctx).save(audit);
      if (t.phase === 'ended') return;
      ctx.events.publish({
        task,
        phase: 'progress',
        label: `${group.name} #${rerun.index + 1} ${t.phase}`,
        detail: { ...where, state: t.phase, jobId: t.id, node: t.node },
      });
    },
    onOutput: (_stream, chunk) => {
      const text = chunk.toString('utf8');
      tail = (tail + text).slice(-4000);
      ctx.events.publish({
        task,
        phase: 'log',
        label: `${group.name} #${rerun.index + 1}`,
        message: text,
        detail: { ...where, state: 'running', elapsedMs: Date.now() - started, logTail: tail.slice(-1000) },
      });
    },
  };
}

/** Ends the MLflow run and gathers what the rerun left: metrics, hashed outputs, the probe's facts, the machine. */
async function collectOutputs({ audit, ctx, shared }: RerunJob, run: RerunRun): Promise<RerunCollected> {
  const { result, mlflow, cwd } = run;
  const ok = result.exitCode === 0 && !result.timedOut;
  endMlflowRun(mlflow, ok);
  const logged = readMlflowRun(mlflow);
  const { metrics, warnings } = await readRerunMetrics(audit, { cwd, result, logged, ok });
  const outputs = await hashRerunOutputs({
    artifactsDir: mlflow.artifactsDir,
    cwd,
    outputs: audit.plan.outputs ?? [],
    cache: ctx.hashCache,
    pool: shared.hashPool,
  });
  const [{ facts, warning: probeWarning }, machine] = await Promise.all([run.probe.facts(result), shared.machine]);
  if (run.scanNow && facts.scan) shared.scan = facts.scan;
  return {
    ok,
    loggedTags: logged.tags,
    loggedParams: logged.params,
    metrics,
    warnings,
    outputs,
    facts,
    probeWarning,
    machine,
  };
}

/** The rerun's metrics: MLflow's, then the plan's metrics files and --metrics-from sources, then a fresh metrics.json. */
async function readRerunMetrics(
  audit: Audit,
  { cwd, result, logged, ok }: { cwd: string; result: RunnerResult; logged: MlflowRunRecord; ok: boolean },
): Promise<{ metrics: Record<string, Metric>; warnings: string[] }> {
  const metrics = copyRecord(logged.metrics);
  const warnings: string[] = [];
  try {
    Object.assign(metrics, await readMetricsFiles(audit.plan.metricsFiles, cwd));
    const sources = parseMetricSources(audit.plan.metricsFrom, audit.plan.metricPatterns);
    if (hasMetricSources(sources)) {
      const read = await readMetricSources(sources, {
        cwd,
        stdout: result.stdout,
        stderr: result.stderr,
        startedAt: result.startedAt,
      });
      for (const [k, v] of Object.entries(read.metrics)) metrics[k] ??= v;
      warnings.push(...read.notes);
    }
  } catch (e) {
    if (ok) warnings.push((e as Error).message);
  }
  const autoMetrics = path.join(cwd, 'metrics.json');
  if (
    fs.existsSync(autoMetrics) &&
    fs.statSync(autoMetrics).mtimeMs >= result.startedAt.getTime() - 1000 &&
    !audit.plan.metricsFiles.includes('metrics.json')
  ) {
    try {
      for (const [k, v] of Object.entries(await readMetricsFiles(['metrics.json'], cwd))) metrics[k] ??= v;
    } catch (e) {
      warnings.push(`metrics.json was written but could not be read (${(e as Error).message})`);
    }
  }
  return { metrics, warnings };
}

/** What the audit keeps of the finished rerun: its run, metric values, outputs, status and the error a user reads. */
function recordResult(
  { audit, rerun }: RerunJob,
  { snapshot, result, collected }: { snapshot: { id: string }; result: RunnerResult; collected: RerunCollected },
): void {
  const { metrics, outputs, ok } = collected;
  rerun.runId = snapshot.id;
  rerun.metrics = recordOf(Object.entries(metrics).map(([k, m]) => [k, m.value]));
  // nothing read: keep what it printed that looks like a metric, so an inconclusive verdict can say --metrics-from stdout
  if (Object.keys(metrics).length === 0 && ok)
    rerun.printedMetrics = printedMetricNames(result.stdout.data.toString('utf8'));
  else delete rerun.printedMetrics;
  rerun.artifactsHash = outputs.artifacts?.rootHash ?? null;
  rerun.outputs = outputs.files;
  rerun.status = result.timedOut ? 'timed-out' : ok ? 'finished' : 'failed';
  rerun.error = result.timedOut
    ? `stopped by the timeout (${audit.plan.timeoutS} s)`
    : ok
      ? null
      : result.failure
        ? result.failure
        : `exit code ${result.exitCode ?? result.signal}: ${result.stderr.data.toString('utf8').trim().split('\n').slice(-3).join(' | ').slice(0, 500)}`;
}

/**
 * Removes a rerun's own folder. A Slurm job cancelled by Ctrl-C may still be writing its files there as it dies
 * (ENOTEMPTY mid-removal): retry a while, and never fail the audit over a leftover folder in its work folder.
 */
function removeRerunDir(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  } catch {
    // left for the work folder's own cleanup
  }
}
