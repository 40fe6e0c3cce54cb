/** A finished rerun's snapshot: code as the workspace had it, data, software probed, hardware where it ran, seeds, process, outcome. */
import os from 'node:os';
import { copyRecord, ownValue } from '../../../shared/records';
import type { Audit, AuditGroup, Rerun } from '../../../shared/audit/audit';
import { newId } from '../../../shared/ids';
import { filterEnvironment } from '../../../shared/snapshot/secrets';
import { emptySnapshot, type Metric, type Snapshot } from '../../../shared/snapshot/snapshot';
import { findEnvSpecs } from '../../platform/env-specs';
import { captureCodeState } from '../../platform/git-state';
import type { ProbeResult } from '../../platform/python-probe';
import { streamBlob } from '../capture';
import type { CoreContext } from '../core-context';
import type { Prepared, Shared } from './campaign-types';
import { placementFacts, placementHardware } from './placement';
import type { hashRerunOutputs } from './rerun-outputs';
import type { RunnerResult } from './runner';

/** What a rerun left once its command ended: metrics, hashed outputs, the probe's facts, the machine, warnings. */
export interface RerunCollected {
  /** Exit code 0 within the time limit. */
  ok: boolean;
  loggedTags: Record<string, string>;
  /** The parameters in the rerun's MLflow run: the entry point's, and any the code logged itself (log_param). */
  loggedParams: Record<string, string>;
  metrics: Record<string, Metric>;
  warnings: string[];
  outputs: Awaited<ReturnType<typeof hashRerunOutputs>>;
  facts: ProbeResult;
  probeWarning: string | null;
  machine: Awaited<Shared['machine']>;
}

/** What the snapshot is built from: the rerun and its audit, how its command ran, and what it left. */
export interface RerunSnapshotInput extends RerunCollected {
  job: { audit: Audit; group: AuditGroup; rerun: Rerun; prepared: Prepared; ctx: CoreContext; shared: Shared };
  cwd: string;
  parameters: Record<string, string>;
  loggedParameters: Record<string, string>;
  user: string;
  env: NodeJS.ProcessEnv;
  argv: string[];
  result: RunnerResult;
}

/** The rerun's snapshot, not yet saved; its logs are added by saveRerunSnapshot. */
export async function buildRerunSnapshot(i: RerunSnapshotInput): Promise<Snapshot> {
  const { audit, group, rerun, prepared, shared } = i.job;
  const { cwd, result, facts, machine } = i;
  const snapshot = emptySnapshot(newId(), 'rerun', result.startedAt.toISOString());
  snapshot.name = `${audit.project.name} ${group.name} #${rerun.index + 1}`;
  snapshot.project = { root: audit.project.location, name: audit.project.name };
  snapshot.auditId = audit.id;
  snapshot.code = await rerunCode(i.job, cwd);
  const { env: recordedEnv, withheld } = filterEnvironment(i.env, []);
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
  const seedParam = audit.plan.seedParam;
  snapshot.randomness = {
    seeds: [
      ...(seedParam && ownValue(i.parameters, seedParam) !== undefined
        ? [{ source: 'parameter' as const, name: seedParam, value: i.parameters[seedParam]! }]
        : []),
      ...(recordedEnv.PYTHONHASHSEED !== undefined
        ? [{ source: 'env' as const, name: 'PYTHONHASHSEED', value: recordedEnv.PYTHONHASHSEED }]
        : []),
    ],
    pythonHashSeed: recordedEnv.PYTHONHASHSEED ?? null,
    scan: shared.scan ?? { status: 'skipped', filesScanned: 0, error: null, findings: [] },
  };
  snapshot.process = {
    argv: [...i.argv],
    cwd,
    entryPoint: audit.entryPoint,
    // as a capture records the parameters of the MLflow run its command logged to, so that an original captured with
    // its script's own log_param calls is compared with reruns that logged the same (not with none)
    parameters: Object.assign(copyRecord(i.loggedParameters), i.loggedParams),
    env: recordedEnv,
    withheld,
    user: i.user,
    hostname: result.placement?.node ?? os.hostname(),
    startedAt: result.startedAt.toISOString(),
    endedAt: result.endedAt.toISOString(),
    durationMs: rerun.durationMs,
    pid: result.pid,
  };
  snapshot.outcome = {
    status: result.timedOut ? 'failed' : i.ok ? 'finished' : 'failed',
    exitCode: result.exitCode,
    signal: result.signal,
    metrics: i.metrics,
    artifacts: i.outputs.trees,
    logs: { stdout: null, stderr: null },
    error: result.timedOut ? `stopped by the timeout (${audit.plan.timeoutS} s)` : (result.failure ?? null),
  };
  snapshot.tags = Object.assign(copyRecord(i.loggedTags), placed.tags);
  snapshot.warnings = [
    ...i.warnings,
    ...placed.warnings,
    ...(i.probeWarning ? [i.probeWarning] : []),
    ...machine.warnings,
    ...(facts.python.status !== 'ok'
      ? [
          `software: the probe of ${prepared.environment.python} did not answer (${facts.python.error ?? facts.python.status})`,
        ]
      : []),
  ];
  return snapshot;
}

/** The code as the rerun ran it: the audited commit and patch in a worktree, or a folder copy (read, when the original was not in git). */
async function rerunCode({ audit, prepared, ctx }: RerunSnapshotInput['job'], cwd: string): Promise<Snapshot['code']> {
  const git = prepared.source.kind === 'git';
  const code: Snapshot['code'] = {
    vcs: git ? 'git' : 'none',
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
    note: git ? "a worktree of the audited commit with the original's patch applied" : 'a copy of the project folder',
  };
  if (prepared.source.kind === 'folder' && prepared.reference?.code.vcs === 'none') {
    const c = await captureCodeState(cwd, ctx.hashCache).catch(() => null);
    if (c) return { ...c.code, root: cwd };
  }
  return code;
}

/** Saves the snapshot with the rerun's stdout and stderr as its logs. */
export function saveRerunSnapshot(ctx: CoreContext, snapshot: Snapshot, result: RunnerResult): void {
  const stdout = streamBlob(result.stdout);
  const stderr = streamBlob(result.stderr);
  snapshot.outcome.logs = { stdout: stdout.ref, stderr: stderr.ref };
  ctx.runs.save(snapshot, [stdout.blob, stderr.blob]);
}
