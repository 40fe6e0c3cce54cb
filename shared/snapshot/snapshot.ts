// The snapshot model (one run in six categories plus its outcome) and the run-list row; the categories are in snapshot-inputs and snapshot-environment, the format version and an empty snapshot in snapshot-base, all re-exported here.
import { z } from 'zod';
import { nameRecordSchema } from '../records-schema';
import { SNAPSHOT_SCHEMA_VERSION } from './snapshot-base';
import { CodeStateSchema, DataStateSchema, TreeStateSchema } from './snapshot-inputs';
import {
  HardwareStateSchema,
  ProcessStateSchema,
  RandomnessStateSchema,
  SoftwareStateSchema,
} from './snapshot-environment';
export * from './snapshot-inputs';
export * from './snapshot-environment';
export * from './snapshot-base';

/**
 * The snapshot model: the record of one run, in DESIGN.md's six categories plus its outcome.
 * Every snapshot carries `schemaVersion`; a stored snapshot is parsed with `SnapshotSchema`
 * before use, so a newer or damaged record is refused instead of half-read.
 */

/** Any number including NaN and ±Infinity (zod's z.number() refuses them, but metrics can be non-finite). */
export const AnyNumberSchema = z.custom<number>((v) => typeof v === 'number', { message: 'expected a number' });

export const MetricPointSchema = z.object({
  step: z.number(),
  value: AnyNumberSchema,
  timestamp: z.number().nullable(),
});

export const MetricSchema = z.object({
  /** The last value (NaN and ±Infinity are kept as such in memory; JSON carries them as strings). */
  value: AnyNumberSchema,
  history: z.array(MetricPointSchema).nullable(),
  source: z.string(),
});
/** One metric: its last value, its history where known, and where it was read. */
export type Metric = z.infer<typeof MetricSchema>;

export const BlobRefSchema = z.object({
  /** SHA-256 of the stored (possibly truncated) bytes; the key in the store's blob table. */
  blob: z.string(),
  bytes: z.number().int().nonnegative(),
  storedBytes: z.number().int().nonnegative(),
  truncated: z.boolean(),
  cap: z.number().int().nonnegative(),
});
/** A reference to a log kept in the store's blob table. */
export type BlobRef = z.infer<typeof BlobRefSchema>;

export const OutcomeSchema = z.object({
  status: z.enum(['finished', 'failed', 'interrupted', 'running', 'unknown']),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  metrics: nameRecordSchema(MetricSchema),
  artifacts: z.array(TreeStateSchema),
  logs: z.object({ stdout: BlobRefSchema.nullable(), stderr: BlobRefSchema.nullable() }),
  error: z.string().nullable(),
});
/** What the run produced. */
export type Outcome = z.infer<typeof OutcomeSchema>;

export const SnapshotSourceSchema = z.object({
  type: z.enum(['mlflow-file', 'mlflow-sqlite', 'mlflow-server']),
  /** The store as the user named it (credentials removed). */
  location: z.string(),
  experimentId: z.string(),
  experimentName: z.string().nullable(),
  runId: z.string(),
  lifecycleStage: z.string().nullable(),
});
/** Where an imported snapshot came from. */
export type SnapshotSource = z.infer<typeof SnapshotSourceSchema>;

export const MlflowRunLinkSchema = z.object({
  /** The tracking store the command logged to, as reproscope read it (credentials removed). */
  trackingUri: z.string(),
  storeType: SnapshotSourceSchema.shape.type,
  experimentId: z.string(),
  /** The MLflow run this snapshot is (the first top-level run the command created). */
  runId: z.string(),
  runName: z.string().nullable(),
  /** MLflow's status of the run: FINISHED, FAILED, KILLED, RUNNING. */
  status: z.string().nullable(),
  /** Other runs the command created (nested runs, sweeps); their metrics carry `<run name>/` before the name. */
  otherRunIds: z.array(z.string()),
});
/** The MLflow run a captured command logged to. */
export type MlflowRunLink = z.infer<typeof MlflowRunLinkSchema>;

export const SnapshotSchema = z.object({
  schemaVersion: z.literal(SNAPSHOT_SCHEMA_VERSION),
  id: z.string(),
  name: z.string().nullable(),
  kind: z.enum(['capture', 'rerun', 'import']),
  createdAt: z.string(),
  project: z.object({ root: z.string().nullable(), name: z.string().nullable() }),
  auditId: z.string().nullable(),
  source: SnapshotSourceSchema.nullable(),
  /** For a capture: the MLflow run the command logged to (absent in snapshots from before, or when it logged none). */
  mlflowRun: MlflowRunLinkSchema.nullable().optional(),
  code: CodeStateSchema,
  data: DataStateSchema,
  software: SoftwareStateSchema,
  hardware: HardwareStateSchema,
  randomness: RandomnessStateSchema,
  process: ProcessStateSchema,
  outcome: OutcomeSchema,
  tags: nameRecordSchema(z.string()),
  /** Things that could not be captured, each a sentence. */
  warnings: z.array(z.string()),
});
/** The record of one run. */
export type Snapshot = z.infer<typeof SnapshotSchema>;

/** The summary row of a snapshot used by lists (Runs view, `reproscope runs`). */
export const RunSummarySchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  kind: SnapshotSchema.shape.kind,
  project: z.string().nullable(),
  createdAt: z.string(),
  status: OutcomeSchema.shape.status,
  exitCode: z.number().int().nullable(),
  commit: z.string().nullable(),
  command: z.string(),
  auditId: z.string().nullable(),
  metrics: nameRecordSchema(AnyNumberSchema),
  /** The run's parameters (process.parameters). */
  params: nameRecordSchema(z.string()).optional(),
  /** The run's tags (long values cut to 500 characters). */
  tags: nameRecordSchema(z.string()).optional(),
  /** In a list with reruns grouped: the number of this audit's reruns that matched, this row standing for them. */
  groupSize: z.number().int().optional(),
});
/** One row of the run list. */
export type RunSummary = z.infer<typeof RunSummarySchema>;
