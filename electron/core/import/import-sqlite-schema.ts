/** What an mlflow.db holds, read from unknown: its tables and columns, row schemas, its experiments (the plan of an import). */
import type Database from 'better-sqlite3';
import fs from 'node:fs';
import { z } from 'zod';
import type { ImportSkip } from '../../../shared/api/api-import';
import { ReproError } from '../../../shared/errors';
import {
  deletedExperimentSkip,
  experimentMatches,
  type MlflowExperimentInfo,
  type MlflowReadOptions,
} from './import-mlflow-types';

const text = z.string().nullable().optional();
const idText = z.union([z.string(), z.number().int()]).transform(String);
const millis = z
  .union([z.number(), z.bigint().transform(Number)])
  .nullable()
  .optional();

const ExperimentRowSchema = z
  .object({
    experiment_id: idText,
    name: z.string(),
    lifecycle_stage: text,
  })
  .passthrough();

/** A row of `runs`, any MLflow version (newer columns pass through). */
export const RunRowSchema = z
  .object({
    run_uuid: z.string().min(1),
    experiment_id: idText,
    name: text,
    source_type: text,
    source_name: text,
    entry_point_name: text,
    user_id: text,
    status: text,
    start_time: millis,
    end_time: millis,
    source_version: text,
    lifecycle_stage: text,
    artifact_uri: text,
  })
  .passthrough();

/** A parsed row of `runs`. */
export type RunRow = z.output<typeof RunRowSchema>;

/** A dataset input of a run (`inputs` joined with `datasets`). */
export const DatasetRowSchema = z.object({
  run_uuid: z.string(),
  name: z.string(),
  digest: text,
  dataset_source_type: text,
  dataset_source: text,
  dataset_schema: text,
  context: text,
});

/** A row of MLflow 3's `logged_models`. */
export const LoggedModelRowSchema = z.object({
  model_id: z.string(),
  experiment_id: idText,
  name: text,
  source_run_id: text,
});

/** The columns each table of this database has, by table. */
export function columnsOf(db: Database.Database): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
  for (const t of tables) {
    if (typeof t !== 'string') continue;
    const cols = db.prepare(`PRAGMA table_info("${t.replace(/"/g, '""')}")`).all() as { name: unknown }[];
    out.set(t, new Set(cols.map((c) => String(c.name))));
  }
  return out;
}

/** The quoted name of an index of `table` on `run_uuid` alone (MLflow creates them), or null. */
export function runIndexOf(db: Database.Database, table: string): string | null {
  const indexes = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?")
    .all(table) as { name: string; sql: unknown }[];
  const found = indexes.find((n) => typeof n.sql === 'string' && /\(\s*"?run_uuid"?\s*\)/i.test(n.sql));
  return found ? `"${found.name.replace(/"/g, '""')}"` : null;
}

/** The error for a database that cannot be read, by SQLite's code. */
export function failed(file: string, e: unknown): ReproError {
  const code = (e as { code?: string }).code ?? '';
  const what =
    code === 'SQLITE_NOTADB'
      ? 'is not an SQLite database'
      : code === 'SQLITE_CORRUPT'
        ? 'is damaged'
        : `cannot be read (${(e as Error).message})`;
  return new ReproError(
    'IMPORT_FAILED',
    `the MLflow database ${file} ${what}; nothing was imported`,
    code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB'
      ? 'Check that the file is an mlflow.db MLflow wrote completely (copy it again if a copy was cut short).'
      : 'Check that the file exists and is readable.',
    { cause: e },
  );
}

/** Whether a file starts with SQLite's magic header. */
export function isSqliteFile(file: string): boolean {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const head = Buffer.alloc(16);
      fs.readSync(fd, head, 0, 16, 0);
      return head.toString('latin1') === 'SQLite format 3\u0000';
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** Throws unless the database has MLflow's tables. */
export function checkMlflowTables(columns: Map<string, Set<string>>, file: string): void {
  if (
    !columns.has('experiments') ||
    !columns.has('runs') ||
    !columns.has('metrics') ||
    !columns.has('params') ||
    !columns.has('tags')
  ) {
    throw new ReproError(
      'IMPORT_FAILED',
      `${file} is an SQLite database but not an MLflow tracking store (no experiments, runs, params, tags and metrics tables)`,
      'Point at the database MLflow was started with (--backend-store-uri sqlite:///mlflow.db).',
    );
  }
}

/** The experiments to import (by --experiment and lifecycle), and a skip for each one left out or malformed. */
export function readExperiments(
  db: Database.Database,
  file: string,
  options: MlflowReadOptions,
): { experiments: MlflowExperimentInfo[]; skips: ImportSkip[] } {
  const skips: ImportSkip[] = [];
  const experiments: MlflowExperimentInfo[] = [];
  const allExperiments: MlflowExperimentInfo[] = [];
  for (const raw of db.prepare('SELECT * FROM experiments ORDER BY experiment_id').all()) {
    const row = ExperimentRowSchema.safeParse(raw);
    if (!row.success) {
      skips.push({
        experimentId: null,
        runId: null,
        reason: `an experiment row is malformed (${row.error.issues[0]?.message ?? 'invalid'})`,
      });
      continue;
    }
    const exp: MlflowExperimentInfo = {
      id: row.data.experiment_id,
      name: row.data.name,
      lifecycleStage: row.data.lifecycle_stage ?? 'active',
      dir: null,
    };
    allExperiments.push(exp);
    if (!experimentMatches(exp, options.experiment)) continue;
    const deleted = deletedExperimentSkip(exp, options);
    if (deleted) {
      skips.push(deleted);
      continue;
    }
    experiments.push(exp);
  }
  if (options.experiment !== undefined && !allExperiments.some((e) => experimentMatches(e, options.experiment))) {
    throw new ReproError(
      'NOT_FOUND',
      `the MLflow database ${file} has no experiment named or numbered "${options.experiment}"`,
      `Its experiments: ${allExperiments.map((e) => e.name ?? e.id).join(', ') || 'none'}. Drop --experiment to import them all.`,
    );
  }
  return { experiments, skips };
}
