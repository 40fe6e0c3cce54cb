/** The one interface reruns go through, and the local backend (runner-choice.ts picks one for an audit's plan). */
import type { HardwareState } from '../../../shared/snapshot/snapshot';
import { runCommand, type CommandResult } from '../../platform/run-command';

/**
 * A runner runs one prepared command and reports how it ended; it knows nothing of audits, groups
 * or statistics, so another backend (a cluster, a container farm) can replace the local one without
 * touching the campaign. Batch backends get what they need to group submissions and to reattach.
 */

/** Where a backend has a rerun's job: enough to find it again from another process (resume). */
export interface RunnerTicket {
  runner: string;
  /** The backend's job id (Slurm: `123` or `123_4` for an array task). */
  id: string;
  phase: 'queued' | 'running' | 'ended';
  node: string | null;
  partition: string | null;
  /** Why it waits or why it ended, in the backend's words. */
  reason: string | null;
  submittedAt: string;
}

/** One command to run: its words, folder, full environment, limits and live output. */
export interface RunnerJob {
  argv: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number | null;
  signal: AbortSignal;
  onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
  /** The rerun's own folder, kept until the rerun is collected: a batch backend writes its job files there. */
  dir?: string;
  /** A name for the job (the audit and the rerun), shown by the backend's own tools. */
  name?: string;
  /** Jobs with the same batch name may be submitted together (one Slurm job array). */
  batch?: string;
  /** A job an earlier process left queued or running: follow it instead of submitting again. */
  ticket?: RunnerTicket | null;
  /** Called when the job is submitted and whenever its place changes, so the audit state records it at once. */
  onTicket?: (ticket: RunnerTicket) => void;
  /**
   * A probe of the job's own interpreter (packages, numerics builds) that a backend running jobs on other
   * machines runs beside the command, where the command runs; its output comes back in the result.
   */
  probe?: { argv: readonly string[]; stdin?: string };
  /**
   * For a backend with several nodes: run on the node at this position of its list of usable nodes (the same
   * index, the same node; wrapping around when there are fewer). `--vary node` gives its group's reruns 0, 1,
   * 2… and every other group 0, so only that group changes node. Absent: wherever the backend places it.
   */
  nodeIndex?: number;
}

/** Where a rerun ran, as the backend knows it (absent for local runs: this machine). */
export interface RunPlacement {
  runner: string;
  jobId: string | null;
  node: string | null;
  partition: string | null;
  /** The resources the job asked for, as given to the backend (e.g. sbatch options). */
  requested: string[];
  /** What the backend gave it, as the job saw it (e.g. `cpus=4 mem=8000M gpus=0,1`). */
  allocated: string | null;
  /** The node's hardware as the job itself read it there. */
  hardware: HardwareState | null;
  /** The node's raw facts (key=value lines), kept for the record. */
  facts: Record<string, string>;
}

/** How a job ended: the command's result, plus where it ran and why the backend ended it. */
export interface RunnerResult extends CommandResult {
  placement?: RunPlacement;
  /** Why the backend (not the command) ended the job, e.g. Slurm's TIMEOUT with its reason; null when the command ended on its own. */
  failure?: string | null;
  /** What the job's `probe` printed where the job ran; absent where the backend does not run probes (local: this machine). */
  probe?: { stdout: string; stderr: string } | null;
}

/** Runs jobs. */
export interface Runner {
  readonly name: string;
  /** Whether jobs run on other machines, so a job's `probe` is run there, beside it. */
  readonly probesWhereJobsRun?: boolean;
  /** Checks, before anything runs, that the backend can work with this work folder; returns warnings to show. */
  check?(workDir: string): Promise<string[]>;
  run(job: RunnerJob): Promise<RunnerResult>;
}

/** Local processes, each in its own process group so a stop takes the whole tree down. */
export const localRunner: Runner = {
  name: 'local',
  run: (job) =>
    runCommand({
      argv: job.argv,
      cwd: job.cwd,
      env: job.env,
      stdin: 'ignore',
      tee: false,
      onOutput: job.onOutput,
      ownProcessGroup: true,
      timeoutMs: job.timeoutMs ?? undefined,
      signal: job.signal,
    }),
};
