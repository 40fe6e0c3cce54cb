/** One rerun: a workspace at the audited commit, a private MLflow store, the command through the runner, and the rerun's snapshot. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Audit, type AuditGroup, type Rerun } from '../../../shared/audit/audit';
import { newId } from '../../../shared/ids';
import { printedMetricNames } from '../../../shared/snapshot/metrics-from-output';
import { filterEnvironment } from '../../../shared/snapshot/secrets';
import { emptySnapshot, type Metric } from '../../../shared/snapshot/snapshot';
import { captureCodeState } from '../../platform/git-state';
import { createMlflowRun, endMlflowRun, openMlflowRun, readMlflowRun } from '../../platform/mlflow-file-store';
import { whichSync } from '../../platform/python-probe';
import { findEnvSpecs } from '../../platform/env-specs';
import {
  currentUser,
  hasMetricSources,
  parseMetricSources,
  readMetricSources,
  readMetricsFiles,
  streamBlob,
} from '../capture';
import type { CoreContext } from '../core-context';
import { auditsOf } from './audit-store';
import type { Prepared, Shared } from './campaign-types';
import { dockerArgv, rerunEnvironment } from './environment';
import { resolveRender } from './project';
import { clearExpectedOutputs, hashRerunOutputs } from './rerun-outputs';
import type { Runner, RunnerTicket } from './runner';
import { placementFacts, placementHardware } from './placement';
import { startProbe } from './rerun-probe';

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

/** Runs one rerun to its end and records its snapshot; an abort leaves it pending so a resume runs it again. */
export async function runOneRerun(job: RerunJob): Promise<void> {
  const { audit, group, rerun, prepared, ctx, runner, signal, shared } = job;
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
  // a job an earlier process left on a batch backend is collected where it runs, never submitted again
  const reattach = rerun.job && rerun.job.phase !== 'ended' && rerun.job.runner === runner.name ? rerun.job : null;
  const runId =
    reattach?.mlflowRunId ??
    createHash('sha256').update(`${audit.id}/${key}/${Date.now()}/${Math.random()}`).digest('hex').slice(0, 32);
  if (!reattach) rerun.job = null;
  let cwd: string;
  let release: () => void = () => undefined;
  try {
    // a reattached job keeps the folder it runs in; only new reruns take a workspace slot
    if (reattach) cwd = reattach.cwd;
    else ({ cwd, release } = await shared.slots.acquire());
  } catch (e) {
    rerun.status = 'failed';
    rerun.error = `could not prepare the workspace: ${(e as Error).message}`;
    return;
  }
  try {
    // a reattached job may have written its results already (it ran while no reproscope watched): keep them
    if (!reattach)
      clearExpectedOutputs(cwd, ['metrics.json', ...audit.plan.metricsFiles, ...(audit.plan.outputs ?? [])]);
    const parameters = { ...audit.parameters, ...rerun.parameters };
    const rendered = resolveRender(prepared.entry, parameters, audit.workspace.cwd);
    const user = currentUser() ?? 'unknown';
    const mlflow = reattach
      ? openMlflowRun(path.join(dir, 'mlruns'), runId)
      : createMlflowRun(path.join(dir, 'mlruns'), runId, {
          runName: `reproscope-${audit.id.slice(0, 8)}-${key}`,
          user,
          params: rendered.loggedParameters,
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
    let tail = '';
    const started = Date.now();
    const result = await runner.run({
      argv,
      cwd,
      env,
      timeoutMs: audit.plan.timeoutS ? audit.plan.timeoutS * 1000 : null,
      signal,
      dir,
      name: `reproscope-${audit.id.slice(0, 8)}-${key}`,
      batch: `reproscope-${audit.id.slice(0, 8)}-${group.name.replace(':', '-')}`,
      ticket: reattach,
      probe: probe.command,
      nodeIndex: audit.plan.vary.includes('node') ? (group.name === 'vary:node' ? rerun.index : 0) : undefined,
      onTicket: (t: RunnerTicket) => {
        rerun.job = { ...t, cwd, mlflowRunId: runId };
        auditsOf(ctx).save(audit);
        if (t.phase === 'ended') return;
        ctx.events.publish({
          task,
          phase: 'progress',
          label: `${group.name} #${rerun.index + 1} ${t.phase}`,
          detail: {
            auditId: audit.id,
            group: group.name,
            index: rerun.index,
            state: t.phase,
            jobId: t.id,
            node: t.node,
          },
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
          detail: {
            auditId: audit.id,
            group: group.name,
            index: rerun.index,
            state: 'running',
            elapsedMs: Date.now() - started,
            logTail: tail.slice(-1000),
          },
        });
      },
    });
    rerun.durationMs = result.endedAt.getTime() - result.startedAt.getTime();
    rerun.exitCode = result.exitCode;
    if (result.interrupted && !result.timedOut && signal.aborted) {
      rerun.status = 'pending';
      rerun.exitCode = null;
      rerun.durationMs = null;
      rerun.job = null;
      return;
    }
    const ok = result.exitCode === 0 && !result.timedOut;
    endMlflowRun(mlflow, ok);
    const logged = readMlflowRun(mlflow);
    const metrics: Record<string, Metric> = { ...logged.metrics };
    const warnings: string[] = [];
    try {
      Object.assign(metrics, readMetricsFiles(audit.plan.metricsFiles, cwd));
      const sources = parseMetricSources(audit.plan.metricsFrom, audit.plan.metricPatterns);
      if (hasMetricSources(sources)) {
        const read = readMetricSources(sources, {
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
        for (const [k, v] of Object.entries(readMetricsFiles(['metrics.json'], cwd))) metrics[k] ??= v;
      } catch (e) {
        warnings.push(`metrics.json was written but could not be read (${(e as Error).message})`);
      }
    }
    const outputs = await hashRerunOutputs({
      artifactsDir: mlflow.artifactsDir,
      cwd,
      outputs: audit.plan.outputs ?? [],
      cache: ctx.hashCache,
      pool: shared.hashPool,
    });
    const artifacts = outputs.artifacts;
    const [{ facts, warning: probeWarning }, machine] = await Promise.all([probe.facts(result), shared.machine]);
    if (scanNow && facts.scan) shared.scan = facts.scan;
    const snapshot = emptySnapshot(newId(), 'rerun', result.startedAt.toISOString());
    snapshot.name = `${audit.project.name} ${group.name} #${rerun.index + 1}`;
    snapshot.project = { root: audit.project.location, name: audit.project.name };
    snapshot.auditId = audit.id;
    snapshot.code = {
      vcs: prepared.source.kind === 'git' ? 'git' : 'none',
      provenance: 'observed',
      root: cwd,
      commit: audit.commit,
      branch: null,
      remotes: [],
      dirty: prepared.source.kind === 'git' ? Boolean(prepared.source.patch) : null,
      patch: prepared.source.kind === 'git' ? (prepared.source.patch ?? null) : null,
      untracked: [],
      submodules: [],
      contentHash: null,
      fileCount: null,
      note:
        prepared.source.kind === 'git'
          ? "a worktree of the audited commit with the original's patch applied"
          : 'a copy of the project folder',
    };
    if (prepared.source.kind === 'folder' && prepared.reference?.code.vcs === 'none') {
      const c = await captureCodeState(cwd, ctx.hashCache).catch(() => null);
      if (c) snapshot.code = { ...c.code, root: cwd };
    }
    const { env: recordedEnv, withheld } = filterEnvironment(env, []);
    // the inputs as this rerun read them (hashed once where the reruns read them: their copies are built alike)
    snapshot.data.inputs = structuredClone(prepared.dataInputs ?? []);
    snapshot.software = {
      os: machine.os,
      python: facts.python,
      packages: facts.packages,
      packagesProvenance: 'observed',
      numerics: facts.numerics,
      envSpecs: findEnvSpecs(cwd),
    };
    const placed = placementFacts(result.placement);
    snapshot.hardware = placementHardware(result.placement, machine.hardware);
    snapshot.randomness = {
      seeds: [
        ...(audit.plan.seedParam && parameters[audit.plan.seedParam] !== undefined
          ? [{ source: 'parameter' as const, name: audit.plan.seedParam, value: parameters[audit.plan.seedParam]! }]
          : []),
        ...(recordedEnv.PYTHONHASHSEED !== undefined
          ? [{ source: 'env' as const, name: 'PYTHONHASHSEED', value: recordedEnv.PYTHONHASHSEED }]
          : []),
      ],
      pythonHashSeed: recordedEnv.PYTHONHASHSEED ?? null,
      scan: shared.scan ?? { status: 'skipped', filesScanned: 0, error: null, findings: [] },
    };
    snapshot.process = {
      argv: [...argv],
      cwd,
      entryPoint: audit.entryPoint,
      parameters: rendered.loggedParameters,
      env: recordedEnv,
      withheld,
      user,
      hostname: result.placement?.node ?? os.hostname(),
      startedAt: result.startedAt.toISOString(),
      endedAt: result.endedAt.toISOString(),
      durationMs: rerun.durationMs,
      pid: result.pid,
    };
    snapshot.outcome = {
      status: result.timedOut ? 'failed' : ok ? 'finished' : 'failed',
      exitCode: result.exitCode,
      signal: result.signal,
      metrics,
      artifacts: outputs.trees,
      logs: { stdout: null, stderr: null },
      error: result.timedOut ? `stopped by the timeout (${audit.plan.timeoutS} s)` : (result.failure ?? null),
    };
    snapshot.tags = { ...logged.tags, ...placed.tags };
    snapshot.warnings = [
      ...warnings,
      ...placed.warnings,
      ...(probeWarning ? [probeWarning] : []),
      ...machine.warnings,
      ...(facts.python.status !== 'ok'
        ? [
            `software: the probe of ${prepared.environment.python} did not answer (${facts.python.error ?? facts.python.status})`,
          ]
        : []),
    ];
    const stdout = streamBlob(result.stdout);
    const stderr = streamBlob(result.stderr);
    snapshot.outcome.logs = { stdout: stdout.ref, stderr: stderr.ref };
    ctx.runs.save(snapshot, [stdout.blob, stderr.blob]);
    rerun.runId = snapshot.id;
    rerun.metrics = Object.fromEntries(Object.entries(metrics).map(([k, m]) => [k, m.value]));
    // nothing read: keep what it printed that looks like a metric, so an inconclusive verdict can say --metrics-from stdout
    if (Object.keys(metrics).length === 0 && ok)
      rerun.printedMetrics = printedMetricNames(result.stdout.data.toString('utf8'));
    else delete rerun.printedMetrics;
    rerun.artifactsHash = artifacts?.rootHash ?? null;
    rerun.outputs = outputs.files;
    rerun.status = result.timedOut ? 'timed-out' : ok ? 'finished' : 'failed';
    rerun.error = result.timedOut
      ? `stopped by the timeout (${audit.plan.timeoutS} s)`
      : ok
        ? null
        : result.failure
          ? result.failure
          : `exit code ${result.exitCode ?? result.signal}: ${result.stderr.data.toString('utf8').trim().split('\n').slice(-3).join(' | ').slice(0, 500)}`;
  } catch (e) {
    if (signal.aborted) {
      rerun.status = 'pending';
      rerun.job = null;
      return;
    }
    rerun.status = 'failed';
    rerun.error = e instanceof Error ? e.message : String(e);
  } finally {
    release();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
