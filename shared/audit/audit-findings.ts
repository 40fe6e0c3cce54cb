// What an audit concluded from its reruns: the output comparison, the judgement behind the verdict, statistics per group and metric, sources of variance, data checks.
import { z } from 'zod';
import { AnyNumberSchema } from '../snapshot/snapshot';
import { ToleranceSchema } from './audit-plan';

/** How the reruns' outputs compare with the reference's, file by file. */
export const OutputComparisonSchema = z.object({
  /** Files compared (present in the reference and judged). */
  compared: z.number().int().nonnegative(),
  /**
   * Files that differ in at least one baseline rerun: `content` (hash), `missing` (the rerun lacks it), `extra` (only
   * the rerun has it); `varies`: a file the original recorded none of, which the reruns wrote differently from each other.
   */
  differing: z.array(
    z.object({
      path: z.string(),
      kind: z.enum(['content', 'missing', 'extra', 'varies']),
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
  /** Logs and TensorBoard event files (`*.log`, `events.out.tfevents.*`): times in every line or event, so listed, not compared. Absent in older records. */
  logs: z.array(z.string()).optional(),
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
  /** Metrics reported but not judged (`--metric` chose others, or NaN or infinite alike in the reference and every baseline rerun). */
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
