/** Following submitted Slurm jobs to their end: their files watched, squeue/sacct/scontrol polled with back-off, Ctrl-C turned into scancel, each job's result collected once. */
import fs from 'node:fs';
import type { HardwareState } from '../../../shared/snapshot/snapshot';
import { captureHardware } from '../../platform/machine-info';
import { phaseOf, queryJobs, scancel, type SlurmJobInfo } from '../../platform/slurm';
import { hardwareFromNodeFacts } from '../../platform/slurm-node';
import type { RunnerJob, RunnerResult, RunnerTicket } from './runner';
import { allocatedOf } from './slurm-job-script';
import { slurmFailure } from './slurm-options';
import { readCapped, readInt, readNew, readNodeFacts, tailOf, type JobFiles } from './slurm-job-files';

/** Output files are looked at this often (cheap: a stat per file). */
const FILE_TICK_MS = 200;
/** squeue is asked at most this often, backing off while nothing changes. */
const POLL_MIN_MS = 500;
const POLL_MAX_MS = 10_000;
/** How long an ended job may take to show its result file (a shared filesystem's attribute cache lags). */
const RESULT_GRACE_MS = 5000;
/** How long a job must be missing from the controller's answers before it counts as forgotten. */
const FORGOTTEN_MS = 10_000;
/** After scancel, how long cancelled jobs are waited for to end (their script still writes while it stops). */
const CANCEL_WAIT_MS = 15_000;
const CANCEL_POLL_MS = 250;

/** One job to follow, as the runner hands it over after sbatch answered (or from a resumed audit's ticket). */
export interface FollowedJob {
  job: RunnerJob;
  files: JobFiles;
  ticket: RunnerTicket;
  /** The sbatch options it was submitted with. */
  requested: string[];
  resolve: (r: RunnerResult) => void;
}

interface Tracked extends FollowedJob {
  /** Removes its abort listener (the campaign's signal is shared by every rerun). */
  detach?: () => void;
  offsets: { stdout: number; stderr: number };
  /** Polls in a row where Slurm did not know the job. */
  missing: number;
  /** When the controller first answered without this job (null while it is listed). */
  missingSince: number | null;
  endedSeenAt: number | null;
  exitSeenAt: number | null;
  lastInfo: SlurmJobInfo | null;
}

/** The result of a job stopped by the interruption (or never started because of it). */
export function interruptedResult(files: JobFiles | null, since: Date, failure?: string): RunnerResult {
  return {
    exitCode: null,
    signal: null,
    interrupted: true,
    timedOut: false,
    startedAt: since,
    endedAt: new Date(),
    pid: null,
    stdout: readCapped(files?.stdout ?? ''),
    stderr: readCapped(files?.stderr ?? ''),
    ...(failure ? { failure } : {}),
  };
}

function readProbe(files: JobFiles): RunnerResult['probe'] {
  try {
    return { stdout: fs.readFileSync(files.python, 'utf8'), stderr: tailOf(files.pythonErr, 2000) };
  } catch {
    return null;
  }
}

/** The jobs one Slurm runner follows; the file ticker runs (and keeps the process alive) only while there are some. */
export class SlurmJobTracker {
  private readonly tracked = new Map<string, Tracked>();
  private ticker: NodeJS.Timeout | null = null;
  private nextPoll = 0;
  private pollMs = POLL_MIN_MS;
  private polling = false;
  /** This machine's hardware, read once: node facts are named as this machine's capture names them. */
  private localHardware: Promise<HardwareState | null> | null = null;

  constructor(private readonly partition: string | null) {}

  /** Starts reading this machine's hardware (while the jobs wait in the queue). */
  warmUp(): Promise<HardwareState | null> {
    return (this.localHardware ??= captureHardware()
      .then((h) => h.hardware)
      .catch(() => null));
  }

  /** Follows a job until it ends, is cancelled by the job's signal, or Slurm forgets it. */
  follow(f: FollowedJob): void {
    const t: Tracked = {
      ...f,
      offsets: { stdout: 0, stderr: 0 },
      missing: 0,
      missingSince: null,
      endedSeenAt: null,
      exitSeenAt: null,
      lastInfo: null,
    };
    this.tracked.set(t.ticket.id, t);
    const onAbort = (): void => {
      if (!this.tracked.delete(t.ticket.id)) return;
      this.idle();
      this.cancel(t);
    };
    if (t.job.signal.aborted) onAbort();
    else {
      t.job.signal.addEventListener('abort', onAbort, { once: true });
      t.detach = () => t.job.signal.removeEventListener('abort', onAbort);
    }
    this.nextPoll = 0;
    this.ticker ??= setInterval(() => this.tick(), FILE_TICK_MS);
  }

  /** Jobs the interruption cancels in this turn of the event loop: one scancel and one wait for all of them. */
  private cancelling: Tracked[] | null = null;

  /**
   * Cancels a job and resolves it as interrupted once Slurm has ended it (at most CANCEL_WAIT_MS): a cancelled
   * job's script is still stopping and writing into its rerun folder, which is removed after the result.
   */
  private cancel(t: Tracked): void {
    if (this.cancelling) {
      this.cancelling.push(t);
      return;
    }
    const batch = (this.cancelling = [t]);
    setImmediate(() => {
      this.cancelling = null;
      const ids = batch.map((b) => b.ticket.id);
      void scancel(ids)
        .then(() => untilEnded(ids))
        .catch(() => undefined)
        .then(() => {
          for (const b of batch)
            b.resolve(
              interruptedResult(
                b.files,
                new Date(b.ticket.submittedAt),
                `Slurm job ${b.ticket.id} cancelled by the interruption`,
              ),
            );
        });
    });
  }

  private idle(): void {
    if (this.tracked.size === 0 && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = null;
    }
  }

  private flushOutput(t: Tracked): void {
    if (!t.job.onOutput) return;
    for (const stream of ['stdout', 'stderr'] as const) {
      const chunk = readNew(t.files[stream], t.offsets[stream]);
      if (chunk && chunk.length > 0) {
        t.offsets[stream] += chunk.length;
        t.job.onOutput(stream, chunk);
      }
    }
  }

  private finish(t: Tracked, result: Omit<RunnerResult, 'placement'>): void {
    if (!this.tracked.delete(t.ticket.id)) return;
    t.detach?.();
    this.flushOutput(t);
    const rawFacts = readNodeFacts(t.files);
    const node = t.lastInfo?.node ?? rawFacts?.slurm_node?.[0] ?? rawFacts?.host?.[0] ?? t.ticket.node;
    t.ticket = { ...t.ticket, phase: 'ended', node: node ?? null, reason: t.lastInfo?.reason ?? t.ticket.reason };
    t.job.onTicket?.(t.ticket);
    const probe = t.job.probe ? readProbe(t.files) : undefined;
    void this.warmUp().then((local) => {
      t.resolve({
        ...result,
        ...(probe !== undefined ? { probe } : {}),
        placement: {
          runner: 'slurm',
          jobId: t.ticket.id,
          node: node ?? null,
          partition: t.lastInfo?.partition ?? rawFacts?.slurm_partition?.[0] ?? this.partition,
          requested: t.requested,
          allocated: rawFacts ? allocatedOf(rawFacts) : null,
          hardware: rawFacts ? hardwareFromNodeFacts(rawFacts, local) : null,
          facts: rawFacts ? Object.fromEntries(Object.entries(rawFacts).map(([k, v]) => [k, v.join('\n')])) : {},
        },
      });
      this.idle();
    });
  }

  private collect(t: Tracked, info: SlurmJobInfo | null): void {
    const code = readInt(t.files.exit);
    const startedMs = readInt(t.files.started);
    const endedMs = readInt(t.files.ended);
    const failure = slurmFailure(info);
    const noResult = code === null;
    const slurmOut = noResult ? tailOf(t.files.slurmOut) : '';
    this.finish(t, {
      exitCode: code ?? info?.exitCode ?? null,
      signal: null,
      interrupted: false,
      timedOut: code === 124 && t.job.timeoutMs !== null,
      startedAt: new Date(startedMs ?? Date.parse(t.ticket.submittedAt)),
      endedAt: new Date(endedMs ?? Date.now()),
      pid: null,
      stdout: readCapped(t.files.stdout),
      stderr: readCapped(t.files.stderr),
      failure:
        failure ??
        (noResult
          ? `Slurm job ${t.ticket.id} ended without the rerun's result${info ? ` (state ${info.state}${info.reason ? `, reason ${info.reason}` : ''})` : ' and Slurm no longer knows it'}${slurmOut ? `: ${slurmOut}` : ''}`
          : null),
    });
  }

  private update(t: Tracked, info: SlurmJobInfo): boolean {
    t.lastInfo = info;
    const phase = phaseOf(info.state);
    const changed = phase !== t.ticket.phase || (info.node ?? null) !== t.ticket.node;
    if (changed || info.reason !== t.ticket.reason) {
      t.ticket = {
        ...t.ticket,
        phase,
        node: phase === 'queued' ? null : (info.node ?? t.ticket.node),
        partition: info.partition ?? t.ticket.partition,
        reason: info.reason,
      };
      if (phase !== 'ended') t.job.onTicket?.(t.ticket);
    }
    return changed;
  }

  private async poll(): Promise<void> {
    this.polling = true;
    let changed = false;
    try {
      const answer = await queryJobs([...this.tracked.keys()]);
      for (const t of [...this.tracked.values()]) {
        const info = answer.get(t.ticket.id) ?? null;
        if (!info) {
          t.missing++;
          t.missingSince ??= Date.now();
          if (fs.existsSync(t.files.exit)) this.collect(t, t.lastInfo);
          // forgotten only when several answers in a row, over some seconds, leave it out
          else if (t.missing >= 3 && Date.now() - t.missingSince >= FORGOTTEN_MS) this.collect(t, null);
          continue;
        }
        t.missing = 0;
        t.missingSince = null;
        if (this.update(t, info)) changed = true;
        if (phaseOf(info.state) !== 'ended') continue;
        if (fs.existsSync(t.files.exit)) this.collect(t, info);
        else if (Date.now() - (t.endedSeenAt ??= Date.now()) > RESULT_GRACE_MS) this.collect(t, info);
        else changed = true;
      }
    } catch {
      // a busy, restarting or unreachable controller (SlurmUnanswered): ask again later
    } finally {
      this.polling = false;
      this.pollMs = changed ? POLL_MIN_MS : Math.min(POLL_MAX_MS, this.pollMs * 1.6);
      this.nextPoll = Date.now() + this.pollMs;
    }
  }

  private tick(): void {
    let urgent = false;
    for (const t of [...this.tracked.values()]) {
      this.flushOutput(t);
      if (t.ticket.phase === 'queued' && fs.existsSync(t.files.started)) {
        const facts = readNodeFacts(t.files) ?? {};
        t.ticket = { ...t.ticket, phase: 'running', node: facts.slurm_node?.[0] || facts.host?.[0] || null };
        t.job.onTicket?.(t.ticket);
      }
      if (!fs.existsSync(t.files.exit)) continue;
      // a clean exit needs no word from Slurm; any other might be Slurm's doing (time limit, memory), so ask it first
      if (readInt(t.files.exit) === 0) this.collect(t, t.lastInfo);
      else if (Date.now() - (t.exitSeenAt ??= Date.now()) > RESULT_GRACE_MS) this.collect(t, t.lastInfo);
      else urgent = true;
    }
    if (!this.polling && this.tracked.size > 0 && (urgent || Date.now() >= this.nextPoll)) {
      if (urgent) this.pollMs = POLL_MIN_MS;
      void this.poll();
    }
  }
}

/** Waits until Slurm lists none of these jobs as queued or running, for at most CANCEL_WAIT_MS. */
async function untilEnded(ids: readonly string[]): Promise<void> {
  const deadline = Date.now() + CANCEL_WAIT_MS;
  while (Date.now() < deadline) {
    const info = await queryJobs(ids).catch(() => null);
    if (info && ids.every((id) => !info.has(id) || phaseOf(info.get(id)!.state) === 'ended')) return;
    await new Promise((resolve) => setTimeout(resolve, CANCEL_POLL_MS));
  }
}
