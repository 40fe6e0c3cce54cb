// The model of an N-run comparison (2–20 runs, the first the baseline), as zod schemas over a number schema.
import { z } from 'zod';
import { AnyNumberSchema } from '../snapshot/snapshot';
import { COMPARE_SECTIONS, comparisonSchemas } from './compare-model';
import { MAX_COMPARE_RUNS } from './compare-limits';

/** The most runs one comparison takes: columns stay readable and the pairwise summaries stay quick. */
export { MAX_COMPARE_RUNS };

/** The N-run comparison schemas over a number schema (AnyNumberSchema in memory, JsonNumberSchema in a JSON report). */
export function runSetSchemas<N extends z.ZodType>(num: N) {
  const c = comparisonSchemas(num);
  const row = z.object({
    key: z.string().describe('stable key of the fact, e.g. package:numpy or param:lr'),
    label: z.string(),
    /** The value in each run, in the order of `runs`, as text; null where a run lacks the fact. */
    values: z.array(z.string().nullable()),
    /** Per run, whether its value differs from the baseline's (the first is always false). */
    differsFromBaseline: z.array(z.boolean()),
    differs: z.boolean().describe('true when any run differs from the baseline'),
  });
  const section = z.object({
    section: z.enum(COMPARE_SECTIONS),
    rows: z.array(row),
    differences: z.number().int().describe('rows that differ in at least one run'),
  });
  const metric = z.object({
    name: z.string(),
    values: z.array(num.nullable()).describe('the last value in each run, null where a run lacks the metric'),
    /** Per run, (value − baseline) / |baseline|; null for the baseline, a missing value or a zero baseline. */
    rel: z.array(num.nullable()),
    differs: z.boolean(),
    min: num.nullable(),
    max: num.nullable(),
  });
  const pair = z.object({
    /** The run compared with the baseline. */
    runId: z.string(),
    headline: z.string(),
    differences: z.number().int(),
    /** The ranked summary of this run against the baseline (what most likely explains its outcome). */
    ranked: z.array(c.summaryItem),
  });
  const runSet = z.object({
    /** The runs in column order; the first is the baseline every other is measured against. */
    runs: z.array(c.runRef).min(2).max(MAX_COMPARE_RUNS),
    headline: z.string(),
    sections: z.array(section),
    metrics: z.array(metric),
    /** Each run other than the baseline against the baseline. */
    pairs: z.array(pair),
    /** Each run's uncommitted patch, in the order of `runs`; null where it had none. */
    uncommitted: z.array(z.string().nullable()),
  });
  return { row, section, metric, pair, runSet };
}

const inMemory = runSetSchemas(AnyNumberSchema);
/** An N-run comparison as the compare operation returns it. */
export const RunSetComparisonSchema = inMemory.runSet;
/** An N-run comparison. */
export type RunSetComparison = z.infer<typeof RunSetComparisonSchema>;
/** One fact across N runs. */
export type RunSetRow = z.infer<typeof inMemory.row>;
/** One section across N runs. */
export type RunSetSection = z.infer<typeof inMemory.section>;
/** One metric across N runs. */
export type RunSetMetric = z.infer<typeof inMemory.metric>;
/** One run against the baseline. */
export type RunSetPair = z.infer<typeof inMemory.pair>;
