// The import operation's schemas: an MLflow store in, what was added, updated and skipped out.
import { z } from 'zod';
import { SnapshotSourceSchema } from '../snapshot/snapshot';

/**
 * The import operations' schemas: bring what MLflow recorded (a file store, an mlflow.db, a
 * tracking server) into the store as snapshots of kind `import`.
 */

export const ImportMlflowInput = z.object({
  /** An `mlruns` folder, an `mlflow.db` file, `sqlite:///path`, `file:///path` or `http(s)://host:port`. */
  location: z.string().trim().min(1).max(4096),
  /** Only this experiment (by name or id). */
  experiment: z.string().trim().min(1).max(500).optional(),
  /** Also import runs and experiments MLflow marked deleted (they are skipped by default). */
  includeDeleted: z.boolean().optional(),
  /** A local project folder whose dvc.lock is recorded in every imported run and checked against the disk. */
  project: z.string().trim().min(1).max(4096).optional(),
  /** How long to wait for each request to a tracking server, in milliseconds. */
  timeoutMs: z.number().int().min(100).max(600_000).optional(),
});

export const ImportSkipSchema = z.object({
  experimentId: z.string().nullable(),
  runId: z.string().nullable(),
  reason: z.string(),
});
/** A run (or experiment) an import left out, with the reason. */
export type ImportSkip = z.infer<typeof ImportSkipSchema>;

export const ImportedRunSchema = z.object({
  mlflowRunId: z.string(),
  id: z.string(),
  change: z.enum(['added', 'updated', 'unchanged']),
});

export const ImportMlflowOutput = z.object({
  source: z.object({ type: SnapshotSourceSchema.shape.type, location: z.string() }),
  experiments: z.array(
    z.object({
      id: z.string(),
      name: z.string().nullable(),
      lifecycleStage: z.string().nullable(),
      runs: z.number().int(),
    }),
  ),
  /** Runs read from the store (imported or skipped). */
  runsSeen: z.number().int(),
  added: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  skipped: z.array(ImportSkipSchema),
  runs: z.array(ImportedRunSchema),
  warnings: z.array(z.string()),
  durationMs: z.number(),
});
/** The summary of one import. */
export type ImportSummary = z.infer<typeof ImportMlflowOutput>;
