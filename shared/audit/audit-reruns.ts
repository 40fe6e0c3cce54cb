// One audit's reruns: their output files, states, batch jobs, metric values, and the groups they run in.
import { z } from 'zod';
import { nameRecordSchema } from '../records-schema';
import { AnyNumberSchema } from '../snapshot/snapshot';
import { GroupNameSchema } from './audit-plan';

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
  env: nameRecordSchema(z.string()),
  /** The seed parameter's value for this rerun, or null when the project has no seed parameter. */
  seed: z.string().nullable(),
  /** Parameters this rerun changed from the audit's (the seed, for `seeds` and `vary:seed`). */
  parameters: nameRecordSchema(z.string()),
  exitCode: z.number().int().nullable(),
  error: z.string().nullable(),
  durationMs: z.number().nullable(),
  /** Last value of each metric (NaN and ±Infinity allowed). */
  metrics: nameRecordSchema(AnyNumberSchema),
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
