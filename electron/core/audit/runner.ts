import { runCommand, type CommandResult } from '../../platform/run-command';

/**
 * The one interface reruns go through. A runner runs one prepared command and reports how it
 * ended; it knows nothing of audits, groups or statistics, so another backend (a cluster, a
 * container farm) can replace the local one without touching the campaign.
 */

/** One command to run: its words, folder, full environment, limits and live output. */
export interface RunnerJob {
  argv: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number | null;
  signal: AbortSignal;
  onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
}

/** Runs jobs. */
export interface Runner {
  readonly name: string;
  run(job: RunnerJob): Promise<CommandResult>;
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
