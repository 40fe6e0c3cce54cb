// The audit record (one campaign: plan, reruns, statistics, verdict, sources) and its parser; its parts are in audit-plan, audit-reruns and audit-findings, re-exported here.
import { z } from 'zod';
import { nameRecordSchema } from '../records-schema';
import { ReproError } from '../errors';
import { AuditPlanSchema, AuditStatusSchema, EnvManagerSchema, VerdictSchema } from './audit-plan';
import { AuditGroupSchema } from './audit-reruns';
import {
  AuditSourceSchema,
  DataCheckSchema,
  JudgementSchema,
  MetricSummarySchema,
  OutputComparisonSchema,
} from './audit-findings';
export * from './audit-plan';
export * from './audit-reruns';
export * from './audit-findings';

/**
 * The audit model: a campaign of reruns of one MLproject entry point, in groups, judged against an
 * original run. What the store keeps is the truth reports are built from, so everything a report
 * needs (plan, reruns with their metric values, statistics, verdict, sources) is in this record;
 * reruns' full snapshots are in the runs table under the same `auditId`.
 * docs/audit.md documents every field and the rules behind `verdict` and `sources`.
 */

/** The audit format version written by this build. */
export const AUDIT_SCHEMA_VERSION = 1;
// Fields added after format 1 shipped are optional, so records written before them still parse (absent = unknown).

export const AuditSchema = z.object({
  schemaVersion: z.literal(AUDIT_SCHEMA_VERSION),
  id: z.string(),
  project: z.object({
    /** The folder or git URL as the user gave it (a local path made absolute; credentials removed from URLs). */
    location: z.string(),
    kind: z.enum(['folder', 'git', 'git-url']),
    name: z.string(),
  }),
  entryPoint: z.string(),
  /** The commit rerun (null for a folder outside git). */
  commit: z.string().nullable(),
  /** The parameters the reruns start from, as MLflow would log them (defaults filled in). */
  parameters: nameRecordSchema(z.string()),
  envManager: EnvManagerSchema,
  /** The rendered baseline command as `mlflow run` would run it (for the confirmation and the report). */
  command: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
  status: AuditStatusSchema,
  /** The run judged against: `--against`, else the first finished baseline rerun. */
  referenceRunId: z.string().nullable(),
  referenceKind: z.enum(['original', 'first-baseline']),
  plan: AuditPlanSchema,
  groups: z.array(AuditGroupSchema),
  /** Per metric, by metric name. */
  metrics: nameRecordSchema(MetricSummarySchema),
  /** null while running or interrupted. */
  verdict: VerdictSchema.nullable(),
  /** The verdict in one sentence. */
  explanation: z.string().nullable(),
  /** What the verdict rests on (null while running, and in records written before it existed). */
  judgement: JudgementSchema.nullable().optional(),
  /** The output files compared, null when no output was compared. */
  outputs: OutputComparisonSchema.nullable().optional(),
  sources: z.array(AuditSourceSchema),
  dataChecks: z.array(DataCheckSchema),
  /** How reruns get their code: the repository root and subfolder, the uncommitted patch applied (a blob in the store), the folder relative paths were given from. */
  workspace: z.object({
    kind: z.enum(['git', 'folder']),
    repoRoot: z.string().nullable(),
    subdir: z.string().nullable(),
    patchBlob: z.string().nullable(),
    cwd: z.string(),
  }),
  /** The rendered command's parameters as MLflow logs them (shlex-quoted; path values as given). */
  loggedParameters: nameRecordSchema(z.string()),
  /** Things that went wrong or could not be checked, each a sentence. */
  warnings: z.array(z.string()),
  /** Why the audit failed as a whole (environment missing, strict data), null otherwise. */
  error: z.string().nullable(),
});
/** One audit. */
export type Audit = z.infer<typeof AuditSchema>;

/** One row of the audit list. */
export const AuditSummarySchema = z.object({
  id: z.string(),
  project: z.string(),
  entryPoint: z.string(),
  createdAt: z.string(),
  status: AuditStatusSchema,
  verdict: VerdictSchema.nullable(),
  reruns: z.number().int(),
  rerunsDone: z.number().int(),
});
/** One row of the audit list. */
export type AuditSummary = z.infer<typeof AuditSummarySchema>;

/** Validates an unknown value as an audit (a stored record, an imported file); a newer or damaged record is an error naming it. */
export function parseAudit(raw: unknown, label = 'audit'): Audit {
  const version = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > AUDIT_SCHEMA_VERSION) {
    throw new ReproError(
      'STORE_TOO_NEW',
      `${label} was written in audit format ${version}, newer than this reproscope understands`,
      'Upgrade reproscope to read it.',
    );
  }
  const parsed = AuditSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ReproError(
      'STORE_CORRUPT',
      `${label} does not match the audit format${issue ? ` at ${issue.path.join('.')}: ${issue.message}` : ''}`,
      'The record is damaged or was not written by reproscope.',
    );
  }
  return parsed.data;
}
