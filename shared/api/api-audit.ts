// The audit operations' schemas: start or plan an audit, follow, list, cancel and resume, read a project.
import { z } from 'zod';
import { emptyRecord } from '../records';
import { nameRecordSchema } from '../records-schema';
import { AuditSchema, AuditSummarySchema, EnvManagerSchema, ToleranceSchema, VaryFactorSchema } from '../audit/audit';
import { MlprojectEntryPointSchema, PROJECT_ENV_KINDS } from '../mlflow/mlproject-model';

/**
 * The audit operations' schemas: start an audit of an MLproject (or plan it without running),
 * follow it, list, cancel and resume audits, and read a project's entry points for a form.
 */

const pathText = z.string().trim().min(1).max(4096);

export const StartAuditInput = z.object({
  /** A project folder, a .py or .sh script (run as its entry point, see scriptAsEntryPoint), or a git URL. */
  project: pathText,
  entryPoint: z.string().trim().min(1).max(500).optional(),
  parameters: nameRecordSchema(z.string().max(100_000), z.string().min(1).max(500)).default(emptyRecord),
  /** The commit to rerun (`--version`); default: the original's, else the checkout's HEAD. */
  version: z.string().trim().min(1).max(200).optional(),
  /** The original run to judge against (id or unique prefix). */
  against: z.string().trim().min(1).max(64).optional(),
  repeats: z.number().int().min(1).max(1000).default(3),
  /** `--repeats auto`: start with `repeats` baseline reruns and add more until the verdict is settled or `maxReruns` ran. */
  repeatsAuto: z.boolean().default(false),
  /** The most baseline reruns `--repeats auto` may run. */
  maxReruns: z.number().int().min(1).max(1000).default(20),
  /** Output paths hashed after each rerun besides the MLflow artifacts (`--outputs`), relative to the project. */
  outputs: z.array(pathText).default([]),
  /** Globs of output files the comparison leaves out (`--ignore-output`). */
  ignoreOutputs: z.array(z.string().trim().min(1).max(1000)).default([]),
  /** The metrics the verdict is judged on (`--metric`); the others are reported. */
  judgedMetrics: z.array(z.string().trim().min(1).max(500)).default([]),
  vary: z.array(VaryFactorSchema).default([]),
  python: pathText.optional(),
  envManager: EnvManagerSchema.default('local'),
  metrics: z.array(pathText).default([]),
  /** Metrics from what each rerun printed or logged: `stdout`, `stderr`, `tensorboard:DIR`. */
  metricsFrom: z.array(z.string().trim().min(1).max(4096)).max(20).default([]),
  /** Regular expressions with named groups read over each rerun's output. */
  metricPatterns: z.array(z.string().min(1).max(1000)).max(20).default([]),
  data: z.array(pathText).default([]),
  tolerances: z.array(ToleranceSchema).default([]),
  jobs: z.number().int().min(1).max(64).default(1),
  timeoutS: z
    .number()
    .positive()
    .max(7 * 24 * 3600)
    .optional(),
  seedParam: z.string().trim().min(1).max(500).optional(),
  strictData: z.boolean().default(false),
  pipOptions: z.array(z.string().max(4096)).default([]),
  /** The folder relative paths (-P path values, --data, --metrics) are given from; default the project folder. */
  cwd: pathText.optional(),
  /** Prepare and return the audit without saving or running it (the CLI shows its command for confirmation). */
  dryRun: z.boolean().default(false),
  /** Resolve only when the audit ends (the CLI); otherwise it runs on in the background and getAudit follows it. */
  wait: z.boolean().default(false),
  /** Where reruns run: this machine (`local`) or jobs of a Slurm cluster (`slurm`). */
  runner: z.enum(['local', 'slurm']).default('local'),
  /** The Slurm partition (`--slurm-partition`); default: the cluster's default partition. */
  slurmPartition: z.string().trim().min(1).max(200).optional(),
  /** Extra sbatch options (`--slurm-option`), e.g. `--gres=gpu:1`, `--time=02:00:00`. */
  slurmOptions: z.array(z.string().trim().min(2).max(4096)).max(100).default([]),
  /** The folder the audit's work folders go in (`--work-dir`); for Slurm, on a filesystem every node reads. Default: the store's audit-work/. */
  workDir: pathText.optional(),
});
export const StartAuditOutput = AuditSchema;

export const GetAuditInput = z.object({ id: z.string().min(1).max(64) });
export const GetAuditOutput = AuditSchema;

export const ListAuditsInput = z.object({
  limit: z.number().int().min(1).max(100_000).optional(),
  offset: z.number().int().min(0).optional(),
});
export const ListAuditsOutput = z.object({ audits: z.array(AuditSummarySchema) });

export const CancelAuditInput = z.object({ id: z.string().min(1).max(64) });
export const CancelAuditOutput = z.object({ id: z.string(), cancelled: z.boolean() });

export const ResumeAuditInput = z.object({
  id: z.string().min(1).max(64),
  wait: z.boolean().default(false),
});
export const ResumeAuditOutput = AuditSchema;

export const ReadProjectInput = z.object({
  /** A project folder, or a .py or .sh script (read as its folder with that entry point). */
  project: pathText,
  version: z.string().trim().min(1).max(200).optional(),
});
export const ReadProjectOutput = z.object({
  name: z.string().nullable(),
  /** The folder (or the cached clone's worktree) that was read. */
  dir: z.string(),
  fileName: z.string().nullable(),
  entryPoints: z.array(MlprojectEntryPointSchema),
  /** When a .py or .sh file was given: its entry point in `dir` (listed first unless the MLproject declares it). */
  script: z.string().nullable(),
  env: z.object({ kind: z.enum(PROJECT_ENV_KINDS), file: z.string().nullable(), detected: z.boolean() }),
  /** Parameters that look like seeds, per entry point. */
  seedParameters: z.record(z.string(), z.array(z.string())),
  commit: z.string().nullable(),
});
/** A project as the audit form shows it. */
export type ProjectInfo = z.infer<typeof ReadProjectOutput>;
