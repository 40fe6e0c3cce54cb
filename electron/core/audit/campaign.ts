/** The audit campaign: starting, resuming and cancelling audits, and running their groups of reruns in order with bounded parallelism. */
import { setMaxListeners } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { emptyRecord } from '../../../shared/records';
import { type Audit, type AuditGroup, type GroupName } from '../../../shared/audit/audit';
import { ReproError } from '../../../shared/errors';
import { newId } from '../../../shared/ids';
import { findSources } from '../../../shared/audit/verdict';
import { toPendingBlob } from '../../db/blob-repository';
import { HashPool } from '../../platform/hash-pool';
import { captureMachine } from '../../platform/machine-info';
import { WorkspaceSlots } from '../../platform/workspace-slots';
import type { CoreContext } from '../core-context';
import { acquireAuditLease, type AuditLease } from './audit-lease';
import { auditsOf, storePaths, workRootOf } from './audit-store';
import type { AuditRequest, CampaignOptions, Prepared, Shared } from './campaign-types';
import { addPins, blankRerun } from './groups';
import { judge, moreBaselineReruns } from './judge';
import { cleanup, parkPrepared, prepareAudit } from './prepare';
import { prepareResume } from './prepare-resume';
import { runOneRerun } from './rerun';
import type { Runner } from './runner';
import { runnerFor } from './runner-choice';

/** A running audit's stop switch, by context and audit id (cancelAudit and Ctrl-C use it). */
const running = new WeakMap<CoreContext, Map<string, AbortController>>();

/** Stops a running audit of this process; false when it is not running here. */
export function cancelRunningAudit(ctx: CoreContext, id: string): boolean {
  const c = running.get(ctx)?.get(id);
  if (!c) return false;
  c.abort();
  return true;
}

/** Creates an audit (or, with dryRun, only prepares it) and runs its campaign to the end, an interruption or a failure. */
export async function startAudit(
  input: AuditRequest,
  ctx: CoreContext,
  options: CampaignOptions = {},
): Promise<{ audit: Audit; done: Promise<Audit> }> {
  const id = newId();
  const log = (line: string): void =>
    ctx.events.publish({ task: `audit-${id}`, phase: 'log', label: 'audit', message: `${line}\n` });
  const workDir = input.workDir ? path.resolve(input.cwd ?? process.cwd(), input.workDir) : null;
  // a backend that cannot work (Slurm commands missing, controller down) says so before anything is prepared
  const runnerWarnings = await checkRunner(
    options.runner ??
      runnerFor({
        vary: input.vary,
        runner:
          input.runner === 'slurm'
            ? { kind: 'slurm', partition: input.slurmPartition ?? null, options: input.slurmOptions }
            : undefined,
      }),
    workDir ?? storePaths(ctx).work,
  );
  let prep;
  try {
    prep = await prepareAudit(input, ctx, id, log);
  } catch (e) {
    fs.rmSync(workRootOf(ctx, { workDir }, id), { recursive: true, force: true });
    throw e;
  }
  const { audit, prepared, patch } = prep;
  for (const w of runnerWarnings) {
    audit.warnings.push(w);
    log(`warning: ${w}`);
  }
  if (input.dryRun) {
    parkPrepared(prepared);
    return { audit, done: Promise.resolve(audit) };
  }
  if (patch) ctx.runs.blobs.put(toPendingBlob(Buffer.from(patch)));
  const stale = audit.dataChecks.filter((d) => d.same === false);
  if (stale.length > 0 && input.strictData) {
    audit.status = 'failed';
    audit.verdict = 'failed';
    audit.error = `the data changed since the original run: ${stale.map((d) => d.path).join(', ')}`;
    audit.explanation = `The audit stopped before any rerun because --strict-data was given and ${stale.map((d) => d.path).join(', ')} changed since the original run.`;
    audit.sources = findSources({
      groups: [],
      metrics: emptyRecord(),
      dataChecks: audit.dataChecks,
      findings: [],
      differences: [],
    });
    audit.finishedAt = audit.updatedAt = new Date().toISOString();
    auditsOf(ctx).save(audit);
    await cleanup(prepared);
    return { audit, done: Promise.resolve(audit) };
  }
  auditsOf(ctx).save(audit);
  const done = runCampaign(audit, prepared, ctx, { ...options, lease: acquireAuditLease(ctx, audit.id) });
  return { audit, done };
}

/** Resumes an interrupted (or crashed) audit: reruns left pending or in flight are run; the rest is kept. */
export async function resumeAudit(
  id: string,
  ctx: CoreContext,
  options: CampaignOptions = {},
): Promise<{ audit: Audit; done: Promise<Audit> }> {
  const audit = auditsOf(ctx).get(auditsOf(ctx).resolveId(id));
  if (
    audit.status === 'finished' ||
    (audit.status === 'failed' &&
      audit.groups.every((g) => g.reruns.every((r) => r.status !== 'pending' && r.status !== 'running')))
  ) {
    return { audit, done: Promise.resolve(audit) };
  }
  if (running.get(ctx)?.has(audit.id))
    throw new ReproError('INVALID_INPUT', `audit ${audit.id} is already running`, 'Wait for it, or cancel it first.');
  // One owner at a time: a live lease of another process refuses the resume; a stale one is taken over.
  const lease = acquireAuditLease(ctx, audit.id);
  let prepared: Prepared;
  try {
    await checkRunner(options.runner ?? runnerFor(audit.plan), workRootOf(ctx, audit.plan, ''));
    // a rerun left running keeps its job (if a batch backend has one): the campaign collects it instead of running it again
    for (const g of audit.groups) for (const r of g.reruns) if (r.status === 'running') r.status = 'pending';
    prepared = await prepareResume(audit, ctx);
  } catch (e) {
    lease.release();
    throw e;
  }
  audit.status = 'running';
  audit.updatedAt = new Date().toISOString();
  auditsOf(ctx).save(audit);
  return {
    audit,
    done: runCampaign(audit, prepared, ctx, { ...options, lease }),
  };
}

async function checkRunner(runner: Runner, workDir: string): Promise<string[]> {
  return runner.check ? runner.check(workDir) : [];
}

async function runCampaign(
  audit: Audit,
  prepared: Prepared,
  ctx: CoreContext,
  options: CampaignOptions & { lease: AuditLease },
): Promise<Audit> {
  const controller = new AbortController();
  // every rerun in flight (up to --jobs) listens to this one signal
  setMaxListeners(200, controller.signal);
  const onOuterAbort = (): void => controller.abort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (options.signal?.aborted) controller.abort();
  const map = running.get(ctx) ?? new Map<string, AbortController>();
  running.set(ctx, map);
  map.set(audit.id, controller);
  const runner = options.runner ?? runnerFor(audit.plan);
  const task = `audit-${audit.id}`;
  const total = (): number => audit.groups.reduce((n, g) => n + g.reruns.length, 0);
  const doneCount = (): number =>
    audit.groups.reduce(
      (n, g) => n + g.reruns.filter((r) => r.status !== 'pending' && r.status !== 'running').length,
      0,
    );
  const shared: Shared = {
    machine: captureMachine(),
    scan: null,
    hashPool: new HashPool(),
    probes: new Map(),
    // slots of this campaign run only: a resumed audit's reattached jobs still run in the slots of the run before
    slots: new WorkspaceSlots(prepared.source, path.join(prepared.workRoot, `slots-${process.pid}-${Date.now()}`)),
  };
  shared.machine.catch(() => undefined);
  // The inspection worktree is the commit too: the first rerun resets it instead of checking out another.
  // (not while a reattached cluster job may still run in it)
  const liveJobs = audit.groups.some((g) => g.reruns.some((r) => r.job && r.job.phase !== 'ended'));
  if (prepared.inspectDir && prepared.source.kind === 'git' && !liveJobs)
    shared.slots.adopt(path.join(prepared.workRoot, 'inspect'), prepared.inspectReady === true);
  ctx.events.publish({
    task,
    phase: 'start',
    label: `audit ${audit.project.name}:${audit.entryPoint}`,
    done: doneCount(),
    total: total(),
    unit: 'reruns',
    detail: { auditId: audit.id },
  });
  try {
    const order: GroupName[] = [
      'baseline',
      'pin:hashseed',
      'pin:threads',
      'pin:cuda-determinism',
      'seeds',
      'vary:threads',
      'vary:hashseed',
      'vary:seed',
      'vary:node',
    ];
    const runGroup = async (group: AuditGroup): Promise<void> => {
      const pending = group.reruns.filter((r) => r.status === 'pending');
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < pending.length && !controller.signal.aborted) {
          const rerun = pending[next++]!;
          await runOneRerun({ audit, group, rerun, prepared, ctx, runner, signal: controller.signal, shared });
          audit.updatedAt = new Date().toISOString();
          auditsOf(ctx).save(audit);
          ctx.events.publish({
            task,
            phase: 'progress',
            label: `${group.name} #${rerun.index + 1} ${rerun.status}`,
            done: doneCount(),
            total: total(),
            unit: 'reruns',
            detail: {
              auditId: audit.id,
              group: group.name,
              index: rerun.index,
              state: rerun.status,
              elapsedMs: rerun.durationMs,
              ...(rerun.error ? { error: rerun.error } : {}),
            },
          });
        }
      };
      await Promise.all(Array.from({ length: Math.min(audit.plan.jobs, pending.length) }, worker));
    };
    for (const name of order) {
      if (name.startsWith('pin:')) addPins(audit, await shared.machine.catch(() => null));
      const group = audit.groups.find((g) => g.name === name);
      if (!group) continue;
      await runGroup(group);
      // --repeats auto: the baseline grows until the verdict is settled or --max-reruns is reached
      for (
        let more = name === 'baseline' ? moreBaselineReruns(audit, prepared) : 0;
        more > 0 && !controller.signal.aborted;
      ) {
        const start = group.reruns.length;
        const seed = group.reruns[0]?.seed ?? null;
        for (let i = 0; i < more; i++) group.reruns.push(blankRerun(start + i, { seed }));
        auditsOf(ctx).save(audit);
        await runGroup(group);
        more = moreBaselineReruns(audit, prepared);
      }
      if (controller.signal.aborted) break;
    }
    if (controller.signal.aborted) {
      for (const g of audit.groups) for (const r of g.reruns) if (r.status === 'running') r.status = 'pending';
      audit.status = 'interrupted';
    } else {
      judge(audit, prepared, ctx, shared);
      audit.status = 'finished';
      audit.finishedAt = new Date().toISOString();
    }
  } catch (e) {
    for (const g of audit.groups) for (const r of g.reruns) if (r.status === 'running') r.status = 'pending';
    audit.status = 'failed';
    audit.verdict = 'failed';
    audit.error = e instanceof Error ? e.message : String(e);
    audit.explanation = `The audit stopped: ${audit.error}`;
  } finally {
    map.delete(audit.id);
    options.signal?.removeEventListener('abort', onOuterAbort);
    audit.updatedAt = new Date().toISOString();
    auditsOf(ctx).save(audit);
    options.lease.release();
    await shared.hashPool.close().catch(() => undefined);
    // the slots lie in the work folder, which cleanup discards whole (one rename, deleted in the background)
    await cleanup(prepared).catch(() => undefined);
    ctx.events.publish({
      task,
      phase: 'end',
      label: `audit ${audit.status}`,
      done: doneCount(),
      total: total(),
      unit: 'reruns',
      detail: { auditId: audit.id, status: audit.status, verdict: audit.verdict },
    });
  }
  return audit;
}
