// The comparison model as zod schemas (built over a number schema: NaN in memory, $nonfinite in JSON).
import { z } from 'zod';
import { AnyNumberSchema, CATEGORIES, SeedFindingSchema } from '../snapshot/snapshot';
import { dataShiftSchemas } from './data-shift-model';

/**
 * The comparison model: what `compareSnapshots` returns, as zod schemas. The schemas are built by
 * a factory over the number schema because metric values may be NaN or infinite in memory, while
 * the JSON report writes them as `{"$nonfinite": "NaN"}` and validates that form.
 */

/** The sections of a comparison: the six categories in DESIGN.md's order, then the outcome. */
export const COMPARE_SECTIONS = [...CATEGORIES, 'outcome'] as const;
/** One section of a comparison. */
export type CompareSection = (typeof COMPARE_SECTIONS)[number];

/** How one fact differs between run A and run B. */
export const RowStatusSchema = z.enum(['same', 'changed', 'only-a', 'only-b']);
/** How one fact differs. */
export type RowStatus = z.infer<typeof RowStatusSchema>;

/** The kinds of difference the summary ranks (see RANKING_RULE in shared/compare.ts). */
export const DIFFERENCE_KINDS = [
  'data-content',
  'code-commit',
  'code-patch',
  'process-parameters',
  'randomness-seeds',
  'software-python',
  'package-major',
  'software-numerics-build',
  'hardware-gpu',
  'package-minor',
  'hardware-cpu-flags',
  'process-env',
  'randomness-scan',
  'randomness-hashseed',
  'code-untracked',
  'data-declared',
  'package-patch',
  'package-added-removed',
  'package-other',
  'software-env-spec',
  'process-command',
  'data-unread',
  'hardware-cpu',
  'software-os',
  'hardware-other',
  'code-other',
  'process-other',
  'process-tags',
] as const;
/** One kind of ranked difference. */
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number];

/** A number that is finite in JSON: plain, or `{"$nonfinite": "NaN" | "Infinity" | "-Infinity"}` as snapshot-codec writes it. */
export const JsonNumberSchema = z
  .union([z.number(), z.object({ $nonfinite: z.enum(['NaN', 'Infinity', '-Infinity']) }).strict()])
  .describe('a number; NaN and infinities are written as {"$nonfinite": "NaN" | "Infinity" | "-Infinity"}');

/** The comparison schemas over a number schema (AnyNumberSchema in memory, JsonNumberSchema in a JSON report). */
export function comparisonSchemas<N extends z.ZodType>(num: N) {
  const row = z.object({
    key: z.string().describe('stable key of the fact, e.g. package:numpy or param:lr'),
    label: z.string(),
    status: RowStatusSchema,
    a: z.string().nullable().describe('the value in run A as text, null when absent'),
    b: z.string().nullable(),
  });
  const section = z.object({
    section: z.enum(COMPARE_SECTIONS),
    rows: z.array(row),
    differences: z.number().int().describe('rows whose status is not same'),
  });
  const runRef = z.object({
    id: z.string(),
    name: z.string().nullable(),
    kind: z.string(),
    createdAt: z.string(),
    project: z.string().nullable(),
    commit: z.string().nullable(),
    command: z.string(),
    status: z.string(),
  });
  const textDiff = z.object({
    path: z.string(),
    status: RowStatusSchema,
    /** A unified diff, null when the texts are the same, absent on one side, or too large to diff. */
    patch: z.string().nullable(),
    note: z.string().nullable(),
  });
  const fileChange = z.object({
    path: z.string(),
    change: z.enum(['changed', 'added', 'removed']),
    sizeA: z.number().int().nullable(),
    sizeB: z.number().int().nullable(),
  });
  const dataInput = z.object({
    path: z.string(),
    status: RowStatusSchema,
    rootA: z.string().nullable(),
    rootB: z.string().nullable(),
    filesA: z.number().int().nullable(),
    filesB: z.number().int().nullable(),
    bytesA: z.number().int().nullable(),
    bytesB: z.number().int().nullable(),
    changed: z.number().int(),
    added: z.number().int(),
    removed: z.number().int(),
    /** The first file changes (changed, then added, then removed), up to a cap; the counts above are complete. */
    files: z.array(fileChange),
    truncated: z.boolean(),
  });
  const packageChange = z.object({
    name: z.string(),
    a: z.string().nullable(),
    b: z.string().nullable(),
    change: z
      .enum(['added', 'removed', 'upgraded', 'downgraded', 'changed'])
      .describe('changed: the versions differ but do not parse as PEP 440'),
    step: z.enum(['major', 'minor', 'patch', 'other']).nullable().describe('null for added and removed'),
  });
  const commit = z.object({
    hash: z.string(),
    author: z.string(),
    date: z.string(),
    subject: z.string(),
    side: z.enum(['a-only', 'b-only']),
  });
  const history = z.object({
    status: z.enum(['ok', 'unavailable', 'not-needed']),
    note: z.string().nullable(),
    /** Commits between the two (reachable from one and not the other), newest first. */
    commits: z.array(commit),
    /** `git diff A B`, cut at a cap. */
    patch: z.string().nullable(),
    truncated: z.boolean(),
  });
  const metric = z.object({
    name: z.string(),
    status: RowStatusSchema,
    a: num.nullable(),
    b: num.nullable(),
    abs: num.nullable().describe('b − a'),
    rel: num.nullable().describe('(b − a) / |a|; null when a is 0 or absent'),
  });
  const summaryItem = z.object({
    kind: z.enum(DIFFERENCE_KINDS),
    section: z.enum(COMPARE_SECTIONS),
    weight: z.number().int().describe('the rank weight from the ranking rule: higher explains more'),
    count: z.number().int(),
    title: z.string(),
    details: z.array(z.string()),
  });
  const comparison = z.object({
    a: runRef,
    b: runRef,
    summary: z.object({
      headline: z.string(),
      differences: z.number().int(),
      bySection: z.record(z.string(), z.number().int()),
      ranked: z.array(summaryItem),
    }),
    sections: z.array(section),
    code: z.object({
      patch: textDiff.nullable().describe('the two uncommitted patches diffed'),
      /** Each run's own uncommitted patch (git diff HEAD when it ran), null where it had none. */
      uncommitted: z.object({ a: z.string().nullable(), b: z.string().nullable() }),
      untracked: z.array(fileChange),
      history: history.nullable().describe('filled by the compare operation where the repository is on this machine'),
    }),
    data: z.object({ inputs: z.array(dataInput) }),
    software: z.object({
      python: z.object({
        a: z.string().nullable(),
        b: z.string().nullable(),
        step: z.enum(['major', 'minor', 'patch', 'other']).nullable(),
      }),
      packages: z.array(packageChange),
      packagesSame: z.number().int(),
      envSpecs: z.array(textDiff),
    }),
    hardware: z.object({ flagsOnlyA: z.array(z.string()), flagsOnlyB: z.array(z.string()) }),
    randomness: z.object({ findingsGained: z.array(SeedFindingSchema), findingsLost: z.array(SeedFindingSchema) }),
    outcome: z.object({ metrics: z.array(metric) }),
    /** How changed data and output files differ (tables, arrays, models, text, images); filled by the compare operation. */
    dataShift: dataShiftSchemas(num)
      .dataShift.nullable()
      .optional()
      .describe('absent or null when the files were not analysed'),
  });
  return {
    row,
    section,
    runRef,
    textDiff,
    fileChange,
    dataInput,
    packageChange,
    history,
    metric,
    summaryItem,
    comparison,
  };
}

const inMemory = comparisonSchemas(AnyNumberSchema);
/** A comparison of two snapshots, as the compare operation returns it. */
export const ComparisonSchema = inMemory.comparison;
/** A comparison of two snapshots. */
export type Comparison = z.infer<typeof ComparisonSchema>;
/** One fact of a section. */
export type CompareRow = z.infer<typeof inMemory.row>;
/** One section's rows. */
export type SectionComparison = z.infer<typeof inMemory.section>;
/** A run as named in a comparison header. */
export type RunRef = z.infer<typeof inMemory.runRef>;
/** Two texts diffed. */
export type TextDiff = z.infer<typeof inMemory.textDiff>;
/** One file that differs between two manifests. */
export type FileChange = z.infer<typeof inMemory.fileChange>;
/** One data input compared. */
export type DataInputComparison = z.infer<typeof inMemory.dataInput>;
/** One package that differs. */
export type PackageChange = z.infer<typeof inMemory.packageChange>;
/** The git history between the two commits. */
export type CodeHistory = z.infer<typeof inMemory.history>;
/** One metric compared. */
export type MetricComparison = z.infer<typeof inMemory.metric>;
/** One ranked difference of the summary. */
export type SummaryItem = z.infer<typeof inMemory.summaryItem>;

/**
 * How many differences a reader is told a section has: its rows that differ and, for the outcome, the metrics that
 * differ (changed, or only one run has them). Metrics are not rows of the outcome section (its `differences` counts
 * status, exit code and artifacts), so a heading from `differences` alone said "no differences" above them.
 */
export function shownDifferences(
  c: Pick<Comparison, 'outcome'>,
  s: Pick<SectionComparison, 'section' | 'differences'>,
): number {
  if (s.section !== 'outcome') return s.differences;
  return s.differences + c.outcome.metrics.reduce((n, m) => n + (m.status === 'same' ? 0 : 1), 0);
}
