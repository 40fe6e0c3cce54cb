/** The sbatch options of an audit's Slurm plan: which the user may give, what each job asks for, and what Slurm's end states mean for a rerun. */
import { ReproError } from '../../../shared/errors';
import { SLURM_END_STATES, type SlurmJobInfo } from '../../platform/slurm';

/** What the audit's plan says about Slurm. */
export interface SlurmRunnerOptions {
  partition: string | null;
  /** Extra sbatch options, as the user gave them. */
  options: string[];
  /** The plan varies the node (`--vary node`): jobs are pinned to nodes by their nodeIndex. */
  spread?: boolean;
}

const hasTimeOption = (options: readonly string[]): boolean => options.some((o) => /^(--time(=|$)|-t)/.test(o));

/** The sbatch options every job of the plan asks for (partition, a time limit above reproscope's own --timeout, the user's). */
export function requestedArgs(options: SlurmRunnerOptions, timeoutMs: number | null): string[] {
  return [
    ...(options.partition ? [`--partition=${options.partition}`] : []),
    // reproscope's own --timeout is enforced by the job script; Slurm's limit is a safety net above it
    ...(timeoutMs && !hasTimeOption(options.options) ? [`--time=${Math.ceil(timeoutMs / 60_000) + 1}`] : []),
    ...options.options,
  ];
}

/** What Slurm's end state means for a rerun: null when the command ended on its own. */
export function slurmFailure(info: SlurmJobInfo | null): string | null {
  if (!info) return null;
  const state = info.state.toUpperCase().replace(/\+$/, '');
  if (state === 'COMPLETED' || state === 'FAILED') return null;
  const what = SLURM_END_STATES[state] ?? state.toLowerCase();
  return `Slurm job ${info.id} ${what} (state ${state}${info.reason ? `, reason ${info.reason}` : ''}${info.node ? `, node ${info.node}` : ''})`;
}

/** sbatch options the runner sets itself for each job; a user's value would break how it follows the job. */
const RUNNER_OWNED =
  /^(--array|-a|--output|-o|--error|-e|--chdir|-D|--wrap|--parsable|--job-name|-J|--export|--input|-i)(=|$)/;

/** Refuses --slurm-option values that are not sbatch options or that the runner must set itself. */
export function validateSlurmOptions(options: readonly string[]): void {
  for (const o of options) {
    if (!o.startsWith('-'))
      throw new ReproError(
        'INVALID_INPUT',
        `--slurm-option ${o} is not an sbatch option`,
        'Give each option with its dashes and value in one word, e.g. --slurm-option=--gres=gpu:1 --slurm-option=--time=02:00:00.',
      );
    if (RUNNER_OWNED.test(o))
      throw new ReproError(
        'INVALID_INPUT',
        `--slurm-option ${o} is set by reproscope for each rerun's job`,
        'Leave out --array, --output, --error, --chdir, --wrap, --job-name and --export; reproscope sets them so it can follow each rerun.',
      );
  }
}
