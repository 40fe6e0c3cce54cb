/* eslint-disable max-lines -- split pending: owner issue-13 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ImportSkip } from '../../../shared/api/api-import';
import { ReproError } from '../../../shared/errors';
import {
  mlflowSourceTypeName,
  mlflowStatusName,
  parseMlflowValue,
  stripCredentialsInText,
  type MlflowMetricPoint,
} from '../../../shared/mlflow/mlflow-snapshot';
import type { DeclaredDataset } from '../../../shared/snapshot/snapshot';
import { isInside } from './store-files';
import { SqlitePrefetch } from './import-sqlite-prefetch';
import {
  experimentMatches,
  type LocalModelDir,
  type MlflowExperimentInfo,
  type MlflowReadItem,
  type MlflowReadOptions,
  type MlflowStoreReader,
} from './import-mlflow-types';

/**
 * Reads an MLflow SQLite tracking store (`mlflow.db`) of any MLflow version, opened read-only:
 * columns are read by name (newer versions add some, older ones lack `step` or `is_nan`), NaN
 * comes from `is_nan`, infinities from ±1.797e308. Artifacts are looked for only in the folders
 * MLflow puts beside the database by default (`mlruns/`, `mlartifacts/`).
 */

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

const RunRowSchema = z
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

const KeyValueRowSchema = z.object({
  key: z.string(),
  value: z
    .union([z.string(), z.number()])
    .nullable()
    .transform((v) => (v === null ? '' : String(v))),
  run_uuid: z.string(),
});

const DatasetRowSchema = z.object({
  run_uuid: z.string(),
  name: z.string(),
  digest: text,
  dataset_source_type: text,
  dataset_source: text,
  dataset_schema: text,
  context: text,
});

const LoggedModelRowSchema = z.object({ model_id: z.string(), experiment_id: idText, name: text, source_run_id: text });

/** The columns each table of this database has, by table. */
function columnsOf(db: Database.Database): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
  for (const t of tables) {
    if (typeof t !== 'string') continue;
    const cols = db.prepare(`PRAGMA table_info("${t.replace(/"/g, '""')}")`).all() as { name: unknown }[];
    out.set(t, new Set(cols.map((c) => String(c.name))));
  }
  return out;
}

function failed(file: string, e: unknown): ReproError {
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

/** Opens an mlflow.db read-only and checks that it is MLflow's; the runs are read as the import iterates. */
export function openSqliteStore(fileArg: string, options: MlflowReadOptions): MlflowStoreReader {
  let file: string;
  try {
    file = fs.realpathSync(fileArg);
  } catch {
    throw new ReproError(
      'IMPORT_FAILED',
      `the MLflow database ${fileArg} does not exist`,
      'Check the path (sqlite:///relative/path or sqlite:////absolute/path).',
    );
  }
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('query_only = ON');
  } catch (e) {
    throw failed(file, e);
  }
  try {
    return readerOver(db, file, options);
  } catch (e) {
    db.close();
    throw e instanceof ReproError ? e : failed(file, e);
  }
}

function readerOver(db: Database.Database, file: string, options: MlflowReadOptions): MlflowStoreReader {
  const columns = columnsOf(db);
  const runCols = columns.get('runs');
  const metricCols = columns.get('metrics');
  if (!columns.has('experiments') || !runCols || !metricCols || !columns.has('params') || !columns.has('tags')) {
    throw new ReproError(
      'IMPORT_FAILED',
      `${file} is an SQLite database but not an MLflow tracking store (no experiments, runs, params, tags and metrics tables)`,
      'Point at the database MLflow was started with (--backend-store-uri sqlite:///mlflow.db).',
    );
  }
  const boundary = path.dirname(file);
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
    if (exp.lifecycleStage === 'deleted' && !options.includeDeleted) {
      skips.push({
        experimentId: exp.id,
        runId: null,
        reason: `experiment ${exp.name} was deleted in MLflow; use --include-deleted to import its runs`,
      });
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
  const wanted = new Map(experiments.map((e) => [e.id, e]));
  const runRows = db.prepare('SELECT * FROM runs').all();
  const expectedRuns = runRows.length;

  // Params and tags are small: one pass each, grouped by run.
  const byRun = (table: string): Map<string, Record<string, string>> => {
    const out = new Map<string, Record<string, string>>();
    for (const raw of db.prepare(`SELECT key, value, run_uuid FROM ${table}`).all()) {
      const row = KeyValueRowSchema.safeParse(raw);
      if (!row.success) continue;
      let rec = out.get(row.data.run_uuid);
      if (!rec) out.set(row.data.run_uuid, (rec = {}));
      rec[row.data.key] = row.data.value;
    }
    return out;
  };

  const hasStep = metricCols.has('step');
  const hasIsNan = metricCols.has('is_nan');
  const stepExpr = hasStep ? 'step' : '0';
  const nanExpr = hasIsNan ? 'is_nan' : '0';
  const indexed = db
    .prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'metrics'")
    .pluck()
    .all()
    .some((sql) => typeof sql === 'string' && /\(\s*"?run_uuid"?\s*\)/i.test(sql));
  // With MLflow's run_uuid index, SQLite packs each run's values into JSON arrays (one row per run,
  // in the index's order) far faster than row-by-row reads; is_nan rows carry the text 'NaN' as their value.
  const perRunSql = `SELECT json_group_array(key), json_group_array(${stepExpr}),
    json_group_array(CASE WHEN ${nanExpr} THEN 'NaN' ELSE value END), json_group_array(timestamp)
    FROM metrics WHERE run_uuid = ?`;
  const perRun = db.prepare(perRunSql).raw();
  let prefetch: SqlitePrefetch | null = null;

  const datasetsByRun = new Map<string, DeclaredDataset[]>();
  if (columns.has('datasets') && columns.has('inputs')) {
    const context = columns.has('input_tags')
      ? "(SELECT t.value FROM input_tags t WHERE t.input_uuid = i.input_uuid AND t.name = 'mlflow.data.context')"
      : 'NULL';
    const rows = db
      .prepare(
        `SELECT i.destination_id AS run_uuid, d.name, d.digest, d.dataset_source_type, d.dataset_source, d.dataset_schema, ${context} AS context
      FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id WHERE i.source_type = 'DATASET' AND i.destination_type = 'RUN'`,
      )
      .all();
    for (const raw of rows) {
      const row = DatasetRowSchema.safeParse(raw);
      if (!row.success) continue;
      const d = row.data;
      const list = datasetsByRun.get(d.run_uuid) ?? [];
      list.push({
        name: d.name,
        digest: d.digest ?? null,
        source: d.dataset_source ? stripCredentialsInText(d.dataset_source) : null,
        sourceType: d.dataset_source_type ?? null,
        schema: d.dataset_schema ?? null,
        context: d.context ?? null,
      });
      datasetsByRun.set(d.run_uuid, list);
    }
  }
  const modelsByRun = new Map<string, { modelId: string; experimentId: string; name: string | null }[]>();
  if (columns.get('logged_models')?.has('source_run_id')) {
    for (const raw of db.prepare('SELECT model_id, experiment_id, name, source_run_id FROM logged_models').all()) {
      const row = LoggedModelRowSchema.safeParse(raw);
      if (!row.success || !row.data.source_run_id) continue;
      const list = modelsByRun.get(row.data.source_run_id) ?? [];
      list.push({ modelId: row.data.model_id, experimentId: row.data.experiment_id, name: row.data.name ?? null });
      modelsByRun.set(row.data.source_run_id, list);
    }
  }

  const artifactRoots = ['mlruns', 'mlartifacts'].map((d) => path.join(boundary, d)).filter((d) => fs.existsSync(d));
  const localDir = (...parts: string[]): string | null => {
    for (const root of artifactRoots) {
      const dir = path.join(root, ...parts);
      if (fs.existsSync(dir) && isInside(boundary, dir)) return dir;
    }
    return null;
  };

  return {
    type: 'mlflow-sqlite',
    location: file,
    boundary,
    experiments,
    expectedRuns,
    close: () => {
      prefetch?.close();
      db.close();
    },
    runs: async function* runs(): AsyncIterable<MlflowReadItem> {
      for (const skip of skips) yield { kind: 'skip', skip };
      let params: Map<string, Record<string, string>>;
      let tags: Map<string, Record<string, string>>;
      let allMetrics: Map<string, Record<string, MlflowMetricPoint[]> | MalformedMetric> | null = null;
      let cheap: CheapFacts | null = null;
      try {
        params = byRun('params');
        tags = byRun('tags');
        cheap = cheapFacts();
        if (!indexed) allMetrics = readAllMetrics();
      } catch (e) {
        throw failed(file, e);
      }
      /** The fingerprint of a run from what MLflow rewrites when it changes; null where files would need hashing too. */
      const fingerprintOf = (raw: unknown, runId: string, metricRows: number, local: boolean): string | null => {
        if (!cheap || local || options.fingerprintSalt === undefined) return null;
        return createHash('sha256')
          .update(options.fingerprintSalt)
          .update(
            JSON.stringify([
              raw,
              params.get(runId) ?? null,
              tags.get(runId) ?? null,
              cheap.latest.get(runId) ?? null,
              metricRows,
              datasetsByRun.get(runId) ?? null,
              modelsByRun.get(runId) ?? null,
            ]),
          )
          .digest('base64url');
      };
      // Which rows become runs is settled first, so that a worker can fetch their metrics ahead.
      type Planned =
        | { kind: 'skip'; skip: ImportSkip }
        | { kind: 'unchanged'; runId: string; experimentId: string }
        | {
            kind: 'run';
            r: z.output<typeof RunRowSchema>;
            raw: unknown;
            exp: MlflowExperimentInfo;
            lifecycleStage: string;
            artifactDir: string | null;
            modelDirs: LocalModelDir[];
          }
        | null;
      const plan: Planned[] = runRows.map((raw): Planned => {
        const parsed = RunRowSchema.safeParse(raw);
        const rawId = (raw as { run_uuid?: unknown }).run_uuid;
        if (!parsed.success) {
          return {
            kind: 'skip',
            skip: {
              experimentId: null,
              runId: typeof rawId === 'string' ? rawId : null,
              reason: `the run row is malformed (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? 'invalid'})`,
            },
          };
        }
        const r = parsed.data;
        const exp = wanted.get(r.experiment_id);
        if (!exp) return null;
        const lifecycleStage = exp.lifecycleStage === 'deleted' ? 'deleted' : (r.lifecycle_stage ?? 'active');
        if (lifecycleStage === 'deleted' && !options.includeDeleted) {
          return {
            kind: 'skip',
            skip: {
              experimentId: exp.id,
              runId: r.run_uuid,
              reason: 'deleted in MLflow (lifecycle_stage deleted); use --include-deleted to import it',
            },
          };
        }
        const artifactDir = localDir(exp.id, r.run_uuid, 'artifacts');
        const modelDirs: LocalModelDir[] = [];
        for (const m of modelsByRun.get(r.run_uuid) ?? []) {
          const dir = localDir(m.experimentId, 'models', m.modelId, 'artifacts');
          if (dir) modelDirs.push({ artifactPath: `models/${m.name ?? m.modelId}`, modelId: m.modelId, dir });
        }
        const counted = cheap?.metricRows?.get(r.run_uuid) ?? 0;
        const local = artifactDir !== null || modelDirs.length > 0;
        const fp = cheap?.metricRows ? fingerprintOf(raw, r.run_uuid, counted, local) : null;
        if (fp !== null && options.isUnchanged?.(r.run_uuid, fp))
          return { kind: 'unchanged', runId: r.run_uuid, experimentId: exp.id };
        return { kind: 'run', r, raw, exp, lifecycleStage, artifactDir, modelDirs };
      });
      const metricKeys = plan.flatMap((p) => (p?.kind === 'run' ? [p.r.run_uuid] : []));
      let fetchAhead =
        allMetrics === null && metricKeys.length > 0 && metricKeys.length >= (options.workersFrom ?? PREFETCH_FROM);
      if (fetchAhead) {
        try {
          prefetch = new SqlitePrefetch(file, perRunSql, metricKeys);
        } catch {
          fetchAhead = false; // no worker: this thread reads them
        }
      }
      for (const planned of plan) {
        if (planned === null) continue;
        if (planned.kind === 'skip' || planned.kind === 'unchanged') {
          yield planned;
          continue;
        }
        const { r, exp, lifecycleStage, artifactDir, modelDirs } = planned;
        let metrics: Record<string, MlflowMetricPoint[]>;
        try {
          if (allMetrics) {
            const grouped = allMetrics.get(r.run_uuid);
            allMetrics.delete(r.run_uuid);
            if (grouped instanceof MalformedMetric) throw grouped;
            metrics = grouped ?? {};
          } else {
            let row: unknown;
            if (fetchAhead) {
              try {
                row = await prefetch!.next();
              } catch {
                // The worker failed (it could not load the driver, say): read here from now on, so
                // that a real problem with the database is reported by this connection.
                fetchAhead = false;
                row = perRun.get(r.run_uuid);
              }
            } else row = perRun.get(r.run_uuid);
            metrics = runMetricsOf(r.run_uuid, row);
          }
        } catch (e) {
          if (e instanceof MalformedMetric) {
            yield { kind: 'skip', skip: { experimentId: exp.id, runId: r.run_uuid, reason: e.message } };
            continue;
          }
          throw failed(file, e);
        }
        let metricRows = 0;
        for (const points of Object.values(metrics)) metricRows += points.length;
        yield {
          kind: 'run',
          run: {
            record: {
              runId: r.run_uuid,
              experimentId: exp.id,
              experimentName: exp.name,
              runName: r.name || null,
              status: mlflowStatusName(r.status ?? null),
              startTime: r.start_time ?? null,
              endTime: r.end_time ?? null,
              lifecycleStage,
              userId: r.user_id || null,
              artifactUri: r.artifact_uri ?? null,
              sourceType: r.source_name ? mlflowSourceTypeName(r.source_type ?? null) : null,
              sourceName: r.source_name || null,
              entryPointName: r.entry_point_name || null,
              sourceVersion: r.source_version || null,
              params: params.get(r.run_uuid) ?? {},
              tags: tags.get(r.run_uuid) ?? {},
              metrics,
              datasets: datasetsByRun.get(r.run_uuid) ?? [],
              models: [],
              artifacts: [],
              dvc: [],
              warnings: [],
            },
            artifactDir,
            modelDirs,
            fingerprint: fingerprintOf(
              planned.raw,
              r.run_uuid,
              metricRows,
              artifactDir !== null || modelDirs.length > 0,
            ),
          },
        };
      }
    },
  };

  /**
   * latest_metrics by run (MLflow rewrites a row there with every newer point), and, on a re-import,
   * the number of metric rows of each run (read from the run_uuid index alone, not the rows).
   */
  function cheapFacts(): CheapFacts | null {
    if (!columns.has('latest_metrics') || !indexed || options.fingerprintSalt === undefined) return null;
    const latest = new Map<string, unknown[]>();
    for (const row of db.prepare('SELECT * FROM latest_metrics ORDER BY run_uuid, key').raw().iterate() as Iterable<
      unknown[]
    >) {
      const runId = String(row[latestRunColumn()]);
      let list = latest.get(runId);
      if (!list) latest.set(runId, (list = []));
      list.push(row);
    }
    let metricRows: Map<string, number> | null = null;
    if (options.isUnchanged) {
      metricRows = new Map();
      for (const [runId, n] of db
        .prepare('SELECT run_uuid, count(*) FROM metrics INDEXED BY ' + runIndexName() + ' GROUP BY run_uuid')
        .raw()
        .iterate() as Iterable<[unknown, number]>)
        metricRows.set(String(runId), n);
    }
    return { latest, metricRows };
  }

  function latestRunColumn(): number {
    return [...columns.get('latest_metrics')!].indexOf('run_uuid');
  }

  function runIndexName(): string {
    const names = db
      .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'metrics'")
      .all() as { name: string; sql: unknown }[];
    const found = names.find((n) => typeof n.sql === 'string' && /\(\s*"?run_uuid"?\s*\)/i.test(n.sql));
    return `"${found!.name.replace(/"/g, '""')}"`;
  }

  function runMetricsOf(runId: string, row: unknown): Record<string, MlflowMetricPoint[]> {
    const [keysJson, stepsJson, valuesJson, tsJson] = Array.isArray(row) ? (row as unknown[]) : [];
    if (
      typeof keysJson !== 'string' ||
      typeof stepsJson !== 'string' ||
      typeof valuesJson !== 'string' ||
      typeof tsJson !== 'string'
    )
      throw new MalformedMetric(`a metric row of run ${runId} is malformed`);
    const keys = JSON.parse(keysJson) as unknown[];
    const steps = JSON.parse(stepsJson) as unknown[];
    const values = JSON.parse(valuesJson) as unknown[];
    const stamps = JSON.parse(tsJson) as unknown[];
    const out: Record<string, MlflowMetricPoint[]> = {};
    let lastKey: unknown;
    let points: MlflowMetricPoint[] = [];
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      if (key !== lastKey) {
        if (typeof key !== 'string') throw new MalformedMetric(`a metric row of run ${runId} is malformed`);
        lastKey = key;
        points = Object.hasOwn(out, key) ? out[key]! : (out[key] = []);
      }
      points.push(point(key as string, steps[i], parseMlflowValue(values[i], false), stamps[i]));
    }
    return out;
  }

  // Without MLflow's run_uuid index (old stores) a per-run query scans the whole table; read it once instead, grouped by run.
  function readAllMetrics(): Map<string, Record<string, MlflowMetricPoint[]> | MalformedMetric> {
    const out = new Map<string, Record<string, MlflowMetricPoint[]> | MalformedMetric>();
    const scan = db.prepare(`SELECT run_uuid, key, ${stepExpr}, value, timestamp, ${nanExpr} FROM metrics`).raw();
    for (const row of scan.iterate() as Iterable<unknown[]>) {
      const runId = String(row[0]);
      const rec = out.get(runId) ?? {};
      if (rec instanceof MalformedMetric) continue;
      out.set(runId, rec);
      const key = String(row[1]);
      try {
        (rec[key] ??= []).push(point(key, row[2], parseMlflowValue(row[3], Boolean(row[5])), row[4]));
      } catch (e) {
        out.set(runId, e as MalformedMetric);
      }
    }
    return out;
  }
}

/** Stores with at least this many runs have their metrics fetched ahead on a worker thread. */
const PREFETCH_FROM = 500;

/** What a fingerprint is made of beyond the run, params and tags rows already read. */
interface CheapFacts {
  latest: Map<string, unknown[]>;
  /** Metric rows per run; null on a first import (the rows read give the number). */
  metricRows: Map<string, number> | null;
}

/** A metric value the store holds in a form MLflow never writes. */
class MalformedMetric extends Error {}

// Values are checked by hand rather than with a zod schema: a store holds millions of them.
// The caller parses the value (parseMlflowValue): a null there is a malformed value, thrown here with the key.
function point(key: string, step: unknown, v: number | null, timestamp: unknown): MlflowMetricPoint {
  const s = typeof step === 'number' ? step : typeof step === 'bigint' ? Number(step) : Number.NaN;
  const t =
    timestamp === null || timestamp === undefined
      ? null
      : typeof timestamp === 'number'
        ? timestamp
        : Number(timestamp);
  if (v === null || !Number.isFinite(s) || (t !== null && !Number.isFinite(t)))
    throw new MalformedMetric(`metric ${key} holds a value that is not a number`);
  return { step: s, value: v, timestamp: t };
}
