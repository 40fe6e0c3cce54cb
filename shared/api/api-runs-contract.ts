// The contract of the run operations (list, columns, edit, delete, CSV, one run, its log, the store), in a module of its
// own: listing or showing runs parses its input without building every feature's schemas (issue 13).
import { z } from 'zod';
import {
  DeleteRunsInput,
  DeleteRunsOutput,
  EditRunInput,
  EditRunOutput,
  ExportRunsCsvInput,
  ExportRunsCsvOutput,
  ListRunColumnsInput,
  ListRunColumnsOutput,
  RunSelection,
} from './api-runs';
import { AnyNumberSchema, MetricPointSchema, RunSummarySchema, SnapshotSchema } from '../snapshot/snapshot';

export const ListRunsInput = RunSelection.extend({
  limit: z.number().int().min(1).max(100_000).optional(),
  offset: z.number().int().min(0).optional(),
});
export const ListRunsOutput = z.object({ runs: z.array(RunSummarySchema), total: z.number().int() });

export const GetRunInput = z.object({
  id: z.string().min(1).max(64),
  /** false: each stored metric history is left out (null), for a view that draws them through getRunHistories. */
  histories: z.boolean().optional(),
});
export const GetRunOutput = SnapshotSchema;

export const GetRunHistoriesInput = z.object({
  ids: z.array(z.string().min(1).max(64)).min(1).max(20),
  /** Points per history at most (default 2000): longer ones are thinned, their shape kept. */
  maxPoints: z.number().int().min(16).max(100_000).optional(),
});
export const GetRunHistoriesOutput = z.object({
  runs: z.array(
    z.object({
      id: z.string(),
      /** Every metric with a history of two points or more, by name. */
      metrics: z.array(
        z.object({
          name: z.string(),
          /** How many points the history has (the one given may be thinned). */
          points: z.number().int(),
          history: z.array(MetricPointSchema),
        }),
      ),
    }),
  ),
  /** For two runs: per metric both have a history of, the first step where they differ, read on every point. */
  divergences: z.array(
    z.object({
      metric: z.string(),
      divergence: z.object({ step: z.number(), a: AnyNumberSchema, b: AnyNumberSchema }).nullable(),
    }),
  ),
});

export const GetRunLogInput = z.object({ id: z.string().min(1).max(64), stream: z.enum(['stdout', 'stderr']) });
export const GetRunLogOutput = z.object({ text: z.string(), bytes: z.number().int(), truncated: z.boolean() });

export const StoreInfoInput = z.object({});
export const StoreInfoOutput = z.object({
  dir: z.string(),
  dbPath: z.string(),
  runs: z.number().int(),
  version: z.string(),
});

/** One operation of the contract. */
export interface Operation<I extends z.ZodType, O extends z.ZodType> {
  input: I;
  output: O;
  summary: string;
}

/** One operation of the contract, from its schemas and summary. */
export const op = <I extends z.ZodType, O extends z.ZodType>(
  input: I,
  output: O,
  summary: string,
): Operation<I, O> => ({
  input,
  output,
  summary,
});

/** The run operations of the contract, by name (the first operations of `api`). */
export const runsApi = {
  listRuns: op(
    ListRunsInput,
    ListRunsOutput,
    "List snapshots, newest first or sorted by any column, filtered by text, kind, audit or MLflow's search syntax.",
  ),
  listRunColumns: op(
    ListRunColumnsInput,
    ListRunColumnsOutput,
    'Every metric, parameter and tag name in the store: the columns the run table can show.',
  ),
  editRun: op(EditRunInput, EditRunOutput, 'Rename a run, set or remove its tags, or write its note.'),
  deleteRuns: op(DeleteRunsInput, DeleteRunsOutput, 'Delete runs with the logs no other run uses.'),
  exportRunsCsv: op(ExportRunsCsvInput, ExportRunsCsvOutput, 'The run table, filtered and sorted, as CSV.'),
  getRun: op(GetRunInput, GetRunOutput, 'One snapshot by id or unique id prefix.'),
  getRunHistories: op(
    GetRunHistoriesInput,
    GetRunHistoriesOutput,
    "Runs' metric histories for drawing: thinned to a few thousand points each, and where two runs diverge.",
  ),
  getRunLog: op(GetRunLogInput, GetRunLogOutput, "A run's captured stdout or stderr."),
  storeInfo: op(StoreInfoInput, StoreInfoOutput, 'Where the store is and how many runs it holds.'),
} as const;
