/** The answers of MLflow's REST API, read from unknown: experiments, runs, metric history pages; Python's JSON spellings. */
import { z } from 'zod';

/** An int64 as MLflow's JSON spells it (a number or a string of digits). */
export const int64 = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number),
]);
/** A param or tag. */
export const KeyValue = z.object({
  key: z.string(),
  value: z.union([z.string(), z.number()]).transform(String).optional(),
});
/** A metric point. */
export const MetricJson = z.object({
  key: z.string(),
  value: z.union([z.number(), z.string()]).nullable().optional(),
  timestamp: int64.nullable().optional(),
  step: int64.nullable().optional(),
});

/** A page of experiments/search. */
export const ExperimentsPage = z
  .object({
    experiments: z
      .array(
        z
          .object({
            experiment_id: z.union([z.string(), z.number()]).transform(String),
            name: z.string(),
            lifecycle_stage: z.string().optional(),
          })
          .passthrough(),
      )
      .optional(),
    next_page_token: z.string().optional(),
  })
  .passthrough();

/** A run of runs/search. */
export const RunJson = z
  .object({
    info: z
      .object({
        run_id: z.string().optional(),
        run_uuid: z.string().optional(),
        run_name: z.string().optional(),
        experiment_id: z.union([z.string(), z.number()]).transform(String),
        user_id: z.string().optional(),
        status: z.string().optional(),
        start_time: int64.optional(),
        end_time: int64.optional(),
        artifact_uri: z.string().optional(),
        lifecycle_stage: z.string().optional(),
      })
      .passthrough(),
    data: z
      .object({
        metrics: z.array(MetricJson).optional(),
        params: z.array(KeyValue).optional(),
        tags: z.array(KeyValue).optional(),
      })
      .passthrough()
      .optional(),
    inputs: z
      .object({
        dataset_inputs: z
          .array(
            z.object({
              tags: z.array(KeyValue).optional(),
              dataset: z
                .object({
                  name: z.string(),
                  digest: z.string().optional(),
                  source_type: z.string().optional(),
                  source: z.string().optional(),
                  schema: z.string().optional(),
                })
                .passthrough(),
            }),
          )
          .optional(),
      })
      .passthrough()
      .optional(),
  })
  .passthrough();

/** A page of runs/search. */
export const RunsPage = z
  .object({ runs: z.array(z.unknown()).optional(), next_page_token: z.string().optional() })
  .passthrough();
/** A page of metrics/get-history. */
export const HistoryPage = z
  .object({ metrics: z.array(MetricJson).optional(), next_page_token: z.string().optional() })
  .passthrough();

/** A GET query value as text: MLflow's GET endpoints take strings and numbers; undefined (and anything else) is left out. */
export function queryValue(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return null;
}

/** JSON as Python writes it may hold bare NaN and Infinity; make them strings before parsing. */
export function parseLenientJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return JSON.parse(text.replace(/([:[,]\s*)(-?Infinity|NaN)(?=\s*[,\]}])/g, '$1"$2"'));
  }
}
