// The audit's vocabulary and plan: statuses, verdicts, groups, factors, environment managers, tolerances, runners, and what a campaign runs.
import { z } from 'zod';
import { VARY_FACTORS } from './vary-factors';

/** Where an audit stands: `interrupted` audits are completed by `--resume`. */
export const AuditStatusSchema = z.enum(['running', 'interrupted', 'finished', 'failed']);
/** An audit's state. */
export type AuditStatus = z.infer<typeof AuditStatusSchema>;

/** The verdicts, from strongest to weakest. */
export const VERDICTS = [
  'reproduced-exact',
  'reproduced-within-tolerance',
  'statistically-consistent',
  'inconclusive',
  'not-reproduced',
  'failed',
] as const;
/** One verdict. */
export const VerdictSchema = z.enum(VERDICTS);
/** One verdict. */
export type Verdict = z.infer<typeof VerdictSchema>;

/** The factors `--vary` may change one at a time. */
export { VARY_FACTORS };
/** A factor `--vary` may change. */
export const VaryFactorSchema = z.enum(VARY_FACTORS);
/** A factor `--vary` may change. */
export type VaryFactor = z.infer<typeof VaryFactorSchema>;

/** The group names: the baseline, distinct seeds, one pinned factor, one varied factor. */
export const GROUP_NAMES = [
  'baseline',
  'seeds',
  'pin:hashseed',
  'pin:threads',
  'pin:cuda-determinism',
  'vary:threads',
  'vary:hashseed',
  'vary:seed',
  'vary:node',
] as const;
/** A group's name. */
export const GroupNameSchema = z.enum(GROUP_NAMES);
/** A group's name. */
export type GroupName = z.infer<typeof GroupNameSchema>;

/** How environments are made: MLflow's `--env-manager` values. */
export const EnvManagerSchema = z.enum(['local', 'virtualenv', 'conda', 'docker']);
/** An environment manager. */
export type EnvManager = z.infer<typeof EnvManagerSchema>;

/** One tolerance: a metric may differ from the reference by `value` (absolute, in the metric's units) or by `value` percent (relative). */
export const ToleranceSchema = z.object({
  metric: z.string().min(1),
  kind: z.enum(['abs', 'rel']),
  value: z.number().nonnegative(),
});
/** One metric tolerance. */
export type Tolerance = z.infer<typeof ToleranceSchema>;

/** Where reruns run: this machine's processes, or jobs of a Slurm cluster (partition and extra sbatch options). */
export const RunnerPlanSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('local') }),
  z.object({
    kind: z.literal('slurm'),
    partition: z.string().nullable(),
    /** sbatch options as given (`--slurm-option`), e.g. `--gres=gpu:1`, `--time=02:00:00`. */
    options: z.array(z.string()),
  }),
]);
/** Where reruns run. */
export type RunnerPlan = z.infer<typeof RunnerPlanSchema>;

/** What the campaign runs: how many reruns per group, which factors to vary, how to judge. */
export const AuditPlanSchema = z.object({
  repeats: z.number().int().min(1).max(1000),
  vary: z.array(VaryFactorSchema),
  tolerances: z.array(ToleranceSchema),
  jobs: z.number().int().min(1).max(64),
  /** Per rerun, in seconds; null for none. */
  timeoutS: z.number().positive().nullable(),
  /** The seed parameter (detected or `--seed-param`); null when the project has none. */
  seedParam: z.string().nullable(),
  /** Metrics files read after each rerun (besides the MLflow store and metrics.json), relative to the project. */
  metricsFiles: z.array(z.string()),
  /** `--metrics-from` sources read after each rerun: `stdout`, `stderr`, `tensorboard:DIR` (audits stored before them have none). */
  metricsFrom: z.array(z.string()).default([]),
  /** `--metric-pattern` regular expressions read over each rerun's output. */
  metricPatterns: z.array(z.string()).default([]),
  /** Data inputs hashed before running, beyond the `path` parameters, relative to the project or absolute. */
  dataPaths: z.array(z.string()),
  strictData: z.boolean(),
  /** The interpreter `--python` named (local), or null for `python3` on PATH. */
  python: z.string().nullable(),
  /** Extra pip options for virtualenv builds (`--pip-option`). */
  pipOptions: z.array(z.string()),
  /** Output paths hashed after each rerun besides the MLflow artifacts (`--outputs`), relative to the project. */
  outputs: z.array(z.string()).optional(),
  /** Globs of output files left out of the comparison (`--ignore-output`), matched against `artifacts/…` or the `--outputs` path. */
  ignoreOutputs: z.array(z.string()).optional(),
  /** The metrics the verdict is judged on (`--metric`); empty: every metric the reference reported. */
  judgedMetrics: z.array(z.string()).optional(),
  /** `--repeats auto`: the baseline grows until the verdict is settled or `maxReruns` baseline reruns ran. */
  repeatsAuto: z.boolean().optional(),
  /** The most baseline reruns `--repeats auto` may run. */
  maxReruns: z.number().int().min(1).max(1000).nullable().optional(),
  /** The captured command line rerun as is (`--against` a plain-script capture), its interpreter replaced; null for an MLproject entry point. */
  capturedCommand: z
    .object({
      argv: z.array(z.string()),
      /** The index in argv of the seed flag's value (`--seed N`, `--random-state N`, `seed=N`), null without one. */
      seedIndex: z.number().int().nonnegative().nullable(),
      /** The text around the seed value in that argument (`seed=` before it for Hydra style). */
      seedPrefix: z.string(),
    })
    .nullable()
    .optional(),
  /** The backend reruns go through; absent in audits from before runners could be chosen (local). */
  runner: RunnerPlanSchema.optional(),
  /** The folder the audit's work folders are made in (`--work-dir`); absent: the store's audit-work/. */
  workDir: z.string().nullable().optional(),
});
/** The plan of an audit. */
export type AuditPlan = z.infer<typeof AuditPlanSchema>;
