// The report document: what every format renders and the JSON format writes, versioned, as zod schemas.
import { z } from 'zod';
import { ToleranceSchema, VerdictSchema } from '../audit/audit';
import { comparisonSchemas, JsonNumberSchema } from '../compare/compare-model';
import { runSetSchemas } from '../compare/compare-many-model';
import { AnyNumberSchema, CATEGORIES, SeedFindingSchema } from '../snapshot/snapshot';
import { nameRecordSchema } from '../records-schema';

/**
 * The report document: what every format renders, and what the JSON format writes. Versioned
 * (`schemaVersion`) and documented in docs/report-schema.md; docs/report.schema.json is generated
 * from `ReportJsonSchema` by scripts/report-schema.mjs and a test checks the committed file.
 */

/** The report format version written by this build. */
export const REPORT_SCHEMA_VERSION = 2; // 2: an audit's outputs.logs, and `varies` among outputs.differing[].kind

/** The name every report document carries, so a program can recognise one. */
export const REPORT_SCHEMA_NAME = 'reproscope-report';

/** The marks of a checklist item. */
export const CheckMarkSchema = z.enum(['yes', 'partial', 'no', 'unknown']);
/** A checklist mark. */
export type CheckMark = z.infer<typeof CheckMarkSchema>;

/** The checklist items, in the order reports list them. */
export const CHECKLIST_ITEMS = [
  'code-pinned',
  'no-uncommitted-changes',
  'dependencies-pinned',
  'seeds-set',
  'data-hashed',
  'hardware-recorded',
  'determinism-switches',
  'repeated-runs',
] as const;

/** The report schemas over a number schema (AnyNumberSchema in memory, JsonNumberSchema in JSON). */
export function reportSchemas<N extends z.ZodType>(num: N) {
  const c = comparisonSchemas(num);
  const interval = z.tuple([num, num]);
  const generator = z.object({ name: z.literal('reproscope'), version: z.string() });
  const header = {
    schema: z.literal(REPORT_SCHEMA_NAME),
    schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
    generator,
    title: z.string(),
  };
  const checklistItem = z.object({
    id: z.enum(CHECKLIST_ITEMS),
    label: z.string(),
    mark: CheckMarkSchema,
    /** What in the captured record decided the mark. */
    evidence: z.string(),
  });
  const groupRow = z.object({
    group: z.string(),
    description: z.string(),
    n: z.number().int(),
    failed: z.number().int().describe('reruns of the group that did not finish'),
    mean: num.nullable(),
    sd: num.nullable(),
    ci95: interval.nullable().describe('95 % confidence interval of the mean'),
    pi95: interval.nullable().describe('95 % prediction interval for one more rerun'),
    min: num.nullable(),
    max: num.nullable(),
    difference: num.nullable().describe('mean − reference'),
    allBitwiseEqual: z.boolean(),
    values: z.array(num).describe("every finished rerun's value, in rerun order"),
  });
  const metric = z.object({
    name: z.string(),
    reference: num.nullable(),
    tolerance: ToleranceSchema.nullable(),
    maxAbsDiff: num.nullable(),
    withinTolerance: z.boolean().nullable(),
    referenceInPi95: z.boolean().nullable(),
    /** Whether the verdict was judged on this metric (`--metric`), or it is only reported. */
    judged: z.boolean(),
    groups: z.array(groupRow),
  });
  const effect = z.object({
    metric: z.string(),
    absolute: num,
    relativeToSeedSpread: num.nullable(),
    before: num.nullable(),
    after: num.nullable(),
  });
  const source = z.object({
    rank: z.number().int(),
    category: z.enum(CATEGORIES),
    factor: z.string(),
    kind: z.string(),
    effect: z.string(),
    effects: z.array(effect),
    evidence: z.array(z.string()),
  });
  const environmentDiff = z.object({
    group: z.string(),
    runId: z.string(),
    /** Differences from the reference, outcome left out (the outcome is what the audit judges). */
    differences: z.array(z.object({ section: z.string(), rows: z.array(c.row) })),
    ranked: z.array(c.summaryItem),
  });
  const compareReport = z.object({
    ...header,
    kind: z.literal('compare'),
    comparison: c.comparison,
  });
  /** A comparison of 3 to 20 runs: a column per run, the first the baseline. */
  const compareSetReport = z.object({
    ...header,
    kind: z.literal('compare-set'),
    comparison: runSetSchemas(num).runSet,
  });
  const auditReport = z.object({
    ...header,
    kind: z.literal('audit'),
    audited: z.object({
      auditId: z.string(),
      project: z.object({ name: z.string(), location: z.string(), kind: z.string() }),
      entryPoint: z.string(),
      commit: z.string().nullable(),
      parameters: nameRecordSchema(z.string()),
      envManager: z.string(),
      command: z.string(),
      createdAt: z.string(),
      finishedAt: z.string().nullable(),
      status: z.string(),
      reference: z.object({ runId: z.string().nullable(), kind: z.string(), name: z.string().nullable() }),
      plan: z.object({
        repeats: z.number().int(),
        vary: z.array(z.string()),
        tolerances: z.array(ToleranceSchema),
        reruns: z.number().int(),
      }),
    }),
    verdict: z.object({
      verdict: VerdictSchema.nullable(),
      /** The verdict in one sentence a reviewer can quote. */
      sentence: z.string(),
      /** What the verdict rests on (docs/audit.md); null for audits recorded before it was kept. */
      judgement: z
        .object({
          question: z.enum(['deterministic', 'matches-original']),
          judgedMetrics: z.array(z.string()),
          reportedMetrics: z.array(z.string()),
          outputFiles: z.number().int(),
          minReruns: z.number().int(),
          rerunsNeeded: z.number().int().nullable(),
          power: z.array(
            z.object({
              metric: z.string(),
              n: z.number().int(),
              sd: num.nullable(),
              detectableDifference: num.nullable().describe('the smallest difference detectable with 80 % power'),
            }),
          ),
          reason: z.string().nullable().describe('why the verdict is inconclusive'),
          nextStep: z.string().nullable(),
        })
        .nullable(),
      /** The output files compared one by one, null when none were. */
      outputs: z
        .object({
          compared: z.number().int(),
          differing: z.array(
            z.object({
              path: z.string(),
              kind: z.enum(['content', 'missing', 'extra', 'varies']),
              reruns: z.number().int(),
            }),
          ),
          normalised: z.array(z.string()),
          ignored: z.array(z.string()),
          uncomparable: z.array(z.string()),
          logs: z.array(z.string()).optional(),
        })
        .nullable(),
    }),
    metrics: z.array(metric),
    sources: z.array(source),
    environment: z.object({
      differences: z.array(environmentDiff),
      /** Every fact of the reference against the first baseline rerun, for the appendix. */
      appendix: z.array(c.section).nullable(),
    }),
    seedFindings: z.array(SeedFindingSchema),
    data: z.object({
      checks: z.array(
        z.object({
          path: z.string(),
          originalHash: z.string().nullable(),
          currentHash: z.string().nullable(),
          same: z.boolean().nullable(),
        }),
      ),
      inputs: z.array(c.dataInput),
    }),
    checklist: z.array(checklistItem),
    warnings: z.array(z.string()),
  });
  const report = z.discriminatedUnion('kind', [compareReport, compareSetReport, auditReport]);
  return {
    checklistItem,
    groupRow,
    metric,
    source,
    environmentDiff,
    compareReport,
    compareSetReport,
    auditReport,
    report,
  };
}

type InMemory = ReturnType<typeof reportSchemas<typeof AnyNumberSchema>>;
/** The JSON report as written to a file (non-finite numbers as {"$nonfinite": …}); validate parsed JSON with it. */
export const ReportJsonSchema = reportSchemas(JsonNumberSchema).report;
/** A report document in memory. */
export type ReportDocument = z.infer<InMemory['report']>;
/** A comparison report. */
export type CompareReport = z.infer<InMemory['compareReport']>;
/** A comparison report of 3 to 20 runs. */
export type CompareSetReport = z.infer<InMemory['compareSetReport']>;
/** An audit report. */
export type AuditReport = z.infer<InMemory['auditReport']>;
/** One checklist item. */
export type ChecklistItem = z.infer<InMemory['checklistItem']>;
/** One metric of an audit report. */
export type AuditReportMetric = z.infer<InMemory['metric']>;
/** One group's statistics in an audit report. */
export type AuditReportGroupRow = z.infer<InMemory['groupRow']>;
