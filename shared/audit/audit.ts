import { z } from 'zod';
import { ReproError } from '../errors';
import { AnyNumberSchema } from '../snapshot/snapshot';

/**
 * The audit model: a campaign of reruns of one MLproject entry point, in groups, judged against an
 * original run. What the store keeps is the truth reports are built from, so everything a report
 * needs (plan, reruns with their metric values, statistics, verdict, sources) is in this record;
 * reruns' full snapshots are in the runs table under the same `auditId`.
 * docs/audit.md documents every field and the rules behind `verdict` and `sources`.
 */

/** The audit format version written by this build. */
export const AUDIT_SCHEMA_VERSION = 1;
// Fields added after format 1 shipped are optional, so records written before them still parse (absent = unknown).

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
export const VARY_FACTORS = ['seed', 'threads', 'hashseed', 'node'] as const;
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

/** One output file: `artifacts/<path>` for what the run logged to MLflow, else the `--outputs` path; `sha256` is what is compared. */
export const OutputFileSchema = z.object({
  path: z.string(),
  size: z.number().int().nonnegative(),
  /** The hash compared: of the file with MLflow's per-run fields removed where `normalised`, else of its bytes. */
  sha256: z.string().nullable(),
  /** The hash of the file's bytes as written. */
  rawSha256: z.string().nullable(),
  /** Whether per-run fields (MLmodel's run_id, model_uuid, utc_time_created, artifact_path, model_id; meta.yaml's times and ids) were removed before hashing. */
  normalised: z.boolean(),
});
/** One output file. */
export type OutputFile = z.infer<typeof OutputFileSchema>;

/** How the reruns' outputs compare with the reference's, file by file. */
export const OutputComparisonSchema = z.object({
  /** Files compared (present in the reference and judged). */
  compared: z.number().int().nonnegative(),
  /** Files that differ in at least one baseline rerun: `content` (hash), `missing` (the rerun lacks it), `extra` (only the rerun has it). */
  differing: z.array(
    z.object({
      path: z.string(),
      kind: z.enum(['content', 'missing', 'extra']),
      /** How many finished baseline reruns differ in this file. */
      reruns: z.number().int().nonnegative(),
    }),
  ),
  /** Files compared after their volatile MLflow fields were normalised. */
  normalised: z.array(z.string()),
  /** Files left out by `--ignore-output`. */
  ignored: z.array(z.string()),
  /** Files the reference recorded only as raw bytes of a volatile MLflow file: unknown, so not compared. */
  uncomparable: z.array(z.string()),
});
/** The output comparison. */
export type OutputComparison = z.infer<typeof OutputComparisonSchema>;

/** The smallest difference the reruns could have detected in one varying metric. */
export const PowerStatementSchema = z.object({
  metric: z.string(),
  /** Finished baseline reruns the statement rests on. */
  n: z.number().int().nonnegative(),
  sd: AnyNumberSchema.nullable(),
  /** In the metric's units: a reference this far from the reruns' mean is found with 80 % power at α = 0.05 (docs/audit.md); null below 2 reruns. */
  detectableDifference: AnyNumberSchema.nullable(),
});
/** A power statement. */
export type PowerStatement = z.infer<typeof PowerStatementSchema>;

/** What the verdict rests on: the question asked, the metrics judged, the power, and for `inconclusive` why and what to do. */
export const JudgementSchema = z.object({
  /** `deterministic` without `--against` (do identical reruns agree?), `matches-original` with it. */
  question: z.enum(['deterministic', 'matches-original']),
  /** Metrics the verdict was judged on. */
  judgedMetrics: z.array(z.string()),
  /** Metrics reported but not judged (`--metric` chose others). */
  reportedMetrics: z.array(z.string()),
  /** Output files compared. */
  outputFiles: z.number().int().nonnegative(),
  /** The fewest finished baseline reruns a statistical verdict needs (docs/audit.md derives it). */
  minReruns: z.number().int().positive(),
  /** Baseline reruns that would settle an inconclusive verdict, null when more reruns would not help. */
  rerunsNeeded: z.number().int().positive().nullable(),
  power: z.array(PowerStatementSchema),
  /** Why the verdict is `inconclusive`, null otherwise. */
  reason: z.string().nullable(),
  /** What the user can do to get a verdict, null when nothing is needed. */
  nextStep: z.string().nullable(),
});
/** What a verdict rests on. */
export type Judgement = z.infer<typeof JudgementSchema>;

/** A rerun's state: `pending` ones have not started; `running` ones were in flight (a crash leaves them so; resume reruns them). */
export const RerunStatusSchema = z.enum(['pending', 'running', 'finished', 'failed', 'interrupted', 'timed-out']);
/** A rerun's state. */
export type RerunStatus = z.infer<typeof RerunStatusSchema>;

/** A rerun's job on a batch backend (Slurm): where it is, and what a resumed audit needs to collect it without submitting it again. */
export const BackendJobSchema = z.object({
  runner: z.string(),
  /** The backend's job id (Slurm: `123`, or `123_4` for a task of a job array). */
  id: z.string(),
  phase: z.enum(['queued', 'running', 'ended']),
  node: z.string().nullable(),
  partition: z.string().nullable(),
  /** Why it waits or why it ended, as the backend says it. */
  reason: z.string().nullable(),
  submittedAt: z.string(),
  /** The folder the job runs in and its MLflow run id, so a resumed audit reads what the job wrote. */
  cwd: z.string(),
  mlflowRunId: z.string(),
});
/** A rerun's job on a batch backend. */
export type BackendJob = z.infer<typeof BackendJobSchema>;

/** One rerun of a group: what it changed and what it produced (metric values kept here so statistics need no snapshot reads). */
export const RerunSchema = z.object({
  /** The rerun's snapshot in the runs table (kind `rerun`); null until it has run. */
  runId: z.string().nullable(),
  index: z.number().int().nonnegative(),
  status: RerunStatusSchema,
  /** Environment variables this rerun set on top of the baseline's (e.g. PYTHONHASHSEED, OMP_NUM_THREADS). */
  env: z.record(z.string(), z.string()),
  /** The seed parameter's value for this rerun, or null when the project has no seed parameter. */
  seed: z.string().nullable(),
  /** Parameters this rerun changed from the audit's (the seed, for `seeds` and `vary:seed`). */
  parameters: z.record(z.string(), z.string()),
  exitCode: z.number().int().nullable(),
  error: z.string().nullable(),
  durationMs: z.number().nullable(),
  /** Last value of each metric (NaN and ±Infinity allowed). */
  metrics: z.record(z.string(), AnyNumberSchema),
  /** A hash over the output artifacts' hashes (the MLflow run's artifacts folder), null when none were written. */
  artifactsHash: z.string().nullable(),
  /** Every output file this rerun wrote, with its comparison hash (MLflow's volatile fields normalised) and its raw hash. */
  outputs: z.array(OutputFileSchema).optional(),
  /** Its job where a batch backend ran it (absent for local reruns). */
  job: BackendJobSchema.nullable().optional(),
  /** Names that look like metrics in what it printed, kept only when no metric was read (so the verdict can say `--metrics-from stdout`). */
  printedMetrics: z.array(z.string()).optional(),
});
/** One rerun. */
export type Rerun = z.infer<typeof RerunSchema>;

/** One group of reruns that share a plan. */
export const AuditGroupSchema = z.object({
  name: GroupNameSchema,
  /** What the group changes, in a sentence (e.g. "PYTHONHASHSEED=0"). */
  description: z.string(),
  reruns: z.array(RerunSchema),
});
/** One group of reruns. */
export type AuditGroup = z.infer<typeof AuditGroupSchema>;

/** A two-sided interval. */
export const IntervalSchema = z.tuple([AnyNumberSchema, AnyNumberSchema]);

/** A between-group test result against the baseline group. */
export const TestResultSchema = z.object({
  statistic: AnyNumberSchema,
  pValue: AnyNumberSchema,
  /** Welch's degrees of freedom (null for KS). */
  df: AnyNumberSchema.nullable(),
});
/** A test result. */
export type TestResult = z.infer<typeof TestResultSchema>;

/** Statistics of one metric in one group (null where the sample is too small: sd, CI and PI need n ≥ 2; cv needs a non-zero mean). */
export const GroupStatsSchema = z.object({
  n: z.number().int().nonnegative(),
  mean: AnyNumberSchema.nullable(),
  sd: AnyNumberSchema.nullable(),
  min: AnyNumberSchema.nullable(),
  max: AnyNumberSchema.nullable(),
  /** sd / |mean|. */
  cv: AnyNumberSchema.nullable(),
  /** 95 % confidence interval of the mean (Student t, n − 1 df). */
  ci95: IntervalSchema.nullable(),
  /** 95 % prediction interval for one more rerun (Student t, mean ± t·sd·√(1 + 1/n)). */
  pi95: IntervalSchema.nullable(),
  /** Whether every value is bitwise equal (true for n = 1). */
  allBitwiseEqual: z.boolean(),
  /** Two-sample Kolmogorov–Smirnov against the baseline group (exact p for small samples); null for the baseline itself. */
  ksVsBaseline: TestResultSchema.nullable(),
  /** Welch's t-test against the baseline group; null for the baseline or when either sample has n < 2 or both have no spread. */
  welchVsBaseline: TestResultSchema.nullable(),
});
/** Statistics of one metric in one group. */
export type GroupStats = z.infer<typeof GroupStatsSchema>;

/** One metric across the audit. */
export const MetricSummarySchema = z.object({
  /** The reference run's value, null when the reference did not report it. */
  reference: AnyNumberSchema.nullable(),
  /** Statistics per group, by group name. */
  groups: z.record(z.string(), GroupStatsSchema),
  /** The tolerance applied to this metric, if any. */
  tolerance: ToleranceSchema.nullable(),
  /** Largest |rerun − reference| over the baseline group, in the metric's units. */
  maxAbsDiff: AnyNumberSchema.nullable(),
  /** Whether every baseline rerun is within the tolerance (null without a tolerance). */
  withinTolerance: z.boolean().nullable(),
  /** Whether the reference lies in the baseline's 95 % prediction interval (null when it cannot be computed). */
  referenceInPi95: z.boolean().nullable(),
  /** Whether the verdict is judged on this metric (`--metric` chooses; otherwise every metric the reference reported). */
  judged: z.boolean().optional(),
});
/** One metric across the audit. */
export type MetricSummary = z.infer<typeof MetricSummarySchema>;

/** How a source was found. */
export const SourceKindSchema = z.enum(['pinned', 'varied', 'uncontrolled', 'data', 'candidate']);

/** A measured effect of a factor on one metric. */
export const EffectSizeSchema = z.object({
  metric: z.string(),
  /** In the metric's units: the spread removed by a pin (sd before − after), or the move of the mean for a varied factor. */
  absolute: AnyNumberSchema,
  /** `absolute` divided by the seed spread (sd of the seeds group), null without one. */
  relativeToSeedSpread: AnyNumberSchema.nullable(),
  before: AnyNumberSchema.nullable(),
  after: AnyNumberSchema.nullable(),
});
/** An effect size. */
export type EffectSize = z.infer<typeof EffectSizeSchema>;

/** A factor to which the audit attributes variance, with its evidence. */
export const AuditSourceSchema = z.object({
  category: z.enum(['code', 'data', 'software', 'hardware', 'randomness', 'process']),
  /** The factor, e.g. `env:PYTHONHASHSEED`, `threads`, `data:train.csv`, `package:numpy`. */
  factor: z.string(),
  kind: SourceKindSchema,
  /** The effect in one sentence, with sizes in the metric's units and relative to the seed spread. */
  effect: z.string(),
  effects: z.array(EffectSizeSchema),
  /** Facts behind the attribution (spreads, p-values, differing values, seed-scan findings). */
  evidence: z.array(z.string()),
  /** 1 = most likely; the ranking rule is in docs/audit.md. */
  rank: z.number().int().positive(),
  /** For a source found by a statistical test: its p-value after Holm's correction over every test the audit ran. */
  adjustedPValue: AnyNumberSchema.nullable().optional(),
});
/** One source of variance. */
export type AuditSource = z.infer<typeof AuditSourceSchema>;

/** One data input checked before the reruns. */
export const DataCheckSchema = z.object({
  path: z.string(),
  /** The original's root hash, null when the original did not record this path. */
  originalHash: z.string().nullable(),
  currentHash: z.string().nullable(),
  same: z.boolean().nullable(),
});
/** A data check. */
export type DataCheck = z.infer<typeof DataCheckSchema>;

export const AuditSchema = z.object({
  schemaVersion: z.literal(AUDIT_SCHEMA_VERSION),
  id: z.string(),
  project: z.object({
    /** The folder or git URL as the user gave it (a local path made absolute; credentials removed from URLs). */
    location: z.string(),
    kind: z.enum(['folder', 'git', 'git-url']),
    name: z.string(),
  }),
  entryPoint: z.string(),
  /** The commit rerun (null for a folder outside git). */
  commit: z.string().nullable(),
  /** The parameters the reruns start from, as MLflow would log them (defaults filled in). */
  parameters: z.record(z.string(), z.string()),
  envManager: EnvManagerSchema,
  /** The rendered baseline command as `mlflow run` would run it (for the confirmation and the report). */
  command: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
  status: AuditStatusSchema,
  /** The run judged against: `--against`, else the first finished baseline rerun. */
  referenceRunId: z.string().nullable(),
  referenceKind: z.enum(['original', 'first-baseline']),
  plan: AuditPlanSchema,
  groups: z.array(AuditGroupSchema),
  /** Per metric, by metric name. */
  metrics: z.record(z.string(), MetricSummarySchema),
  /** null while running or interrupted. */
  verdict: VerdictSchema.nullable(),
  /** The verdict in one sentence. */
  explanation: z.string().nullable(),
  /** What the verdict rests on (null while running, and in records written before it existed). */
  judgement: JudgementSchema.nullable().optional(),
  /** The output files compared, null when no output was compared. */
  outputs: OutputComparisonSchema.nullable().optional(),
  sources: z.array(AuditSourceSchema),
  dataChecks: z.array(DataCheckSchema),
  /** How reruns get their code: the repository root and subfolder, the uncommitted patch applied (a blob in the store), the folder relative paths were given from. */
  workspace: z.object({
    kind: z.enum(['git', 'folder']),
    repoRoot: z.string().nullable(),
    subdir: z.string().nullable(),
    patchBlob: z.string().nullable(),
    cwd: z.string(),
  }),
  /** The rendered command's parameters as MLflow logs them (shlex-quoted; path values as given). */
  loggedParameters: z.record(z.string(), z.string()),
  /** Things that went wrong or could not be checked, each a sentence. */
  warnings: z.array(z.string()),
  /** Why the audit failed as a whole (environment missing, strict data), null otherwise. */
  error: z.string().nullable(),
});
/** One audit. */
export type Audit = z.infer<typeof AuditSchema>;

/** One row of the audit list. */
export const AuditSummarySchema = z.object({
  id: z.string(),
  project: z.string(),
  entryPoint: z.string(),
  createdAt: z.string(),
  status: AuditStatusSchema,
  verdict: VerdictSchema.nullable(),
  reruns: z.number().int(),
  rerunsDone: z.number().int(),
});
/** One row of the audit list. */
export type AuditSummary = z.infer<typeof AuditSummarySchema>;

/** Validates an unknown value as an audit (a stored record, an imported file); a newer or damaged record is an error naming it. */
export function parseAudit(raw: unknown, label = 'audit'): Audit {
  const version = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > AUDIT_SCHEMA_VERSION) {
    throw new ReproError(
      'STORE_TOO_NEW',
      `${label} was written in audit format ${version}, newer than this reproscope understands`,
      'Upgrade reproscope to read it.',
    );
  }
  const parsed = AuditSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ReproError(
      'STORE_CORRUPT',
      `${label} does not match the audit format${issue ? ` at ${issue.path.join('.')}: ${issue.message}` : ''}`,
      'The record is damaged or was not written by reproscope.',
    );
  }
  return parsed.data;
}
