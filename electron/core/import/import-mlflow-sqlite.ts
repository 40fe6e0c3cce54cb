/** The mlflow.db reader: opens the database read-only, plans each chunk of runs from its cheap facts, then reads the metrics of those that moved. */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import type { ImportSkip } from '../../../shared/api/api-import';
import { ReproError } from '../../../shared/errors';
import { emptyRecord } from '../../../shared/records';
import {
  mlflowSourceTypeName,
  mlflowStatusName,
  type MlflowMetricColumns,
  type MlflowMetricPoint,
} from '../../../shared/mlflow/mlflow-snapshot';
import type { DeclaredDataset } from '../../../shared/snapshot/snapshot';
import { isInside } from './store-files';
import { artifactStamp } from './import-file-stamp';
import { SqlitePrefetch, type PrefetchedMetrics } from './import-sqlite-prefetch';
import { metricColumnsOf, runColumns } from './import-sqlite-columns';
import type {
  LocalModelDir,
  MlflowExperimentInfo,
  MlflowReadItem,
  MlflowReadOptions,
  MlflowStoreReader,
} from './import-mlflow-types';
import {
  checkMlflowTables,
  columnsOf,
  failed,
  readExperiments,
  runIndexOf,
  RunRowSchema,
  type RunRow,
} from './import-sqlite-schema';
import { datasetsByRun, keyValues, modelsByRun, RunChunks, runFingerprint, type RunFacts } from './import-sqlite-facts';
import {
  MalformedMetric,
  metricColumns,
  MetricMoves,
  metricWatermark,
  parseWatermark,
  perRunMetricsSql,
  readAllMetrics,
  runMetricsOf,
  type MetricWatermark,
} from './import-sqlite-metrics';

export { isSqliteFile } from './import-sqlite-schema';

/**
 * Reads an MLflow SQLite tracking store (`mlflow.db`) of any MLflow version, opened read-only:
 * columns are read by name (newer versions add some, older ones lack `step` or `is_nan`), NaN
 * comes from `is_nan`, infinities from ±1.797e308. Artifacts are looked for only in the folders
 * MLflow puts beside the database by default (`mlruns/`, `mlartifacts/`).
 */

/** Stores with at least this many runs have their metrics fetched ahead on a worker thread. */
const PREFETCH_FROM = 500;

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

/** A run row settled before its metrics are read: left out, unchanged since the last import, or to be read. */
type Planned =
  | { kind: 'skip'; skip: ImportSkip }
  | { kind: 'unchanged'; runId: string; experimentId: string }
  | {
      kind: 'run';
      r: RunRow;
      facts: RunFacts;
      exp: MlflowExperimentInfo;
      lifecycleStage: string;
      artifactDir: string | null;
      /** The artifacts folder was listed whole and holds nothing: no hashing to do. */
      artifactsEmpty: boolean;
      modelDirs: LocalModelDir[];
      fingerprint: string | null;
    }
  | null;

function readerOver(db: Database.Database, file: string, options: MlflowReadOptions): MlflowStoreReader {
  const columns = columnsOf(db);
  checkMlflowTables(columns, file);
  const boundary = path.dirname(file);
  const { experiments, skips } = readExperiments(db, file, options);
  const wanted = new Map(experiments.map((e) => [e.id, e]));
  const expectedRuns = Number(db.prepare('SELECT count(*) FROM runs').pluck().get());
  const metricCols = metricColumns(columns.get('metrics')!);
  const indexed = runIndexOf(db, 'metrics') !== null;
  const perRunSql = perRunMetricsSql(metricCols);
  const perRun = db.prepare(perRunSql).raw();
  let prefetch: SqlitePrefetch | null = null;

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
      let chunks: RunChunks;
      let datasets: Map<string, DeclaredDataset[]>;
      let models: ReturnType<typeof modelsByRun>;
      let allMetrics: ReturnType<typeof readAllMetrics> | null = null;
      let watermark: MetricWatermark | null = null;
      let moves: MetricMoves | null = null;
      try {
        chunks = new RunChunks(db, expectedRuns);
        datasets = datasetsByRun(db, columns);
        models = modelsByRun(db, columns);
        if (!indexed) allMetrics = readAllMetrics(db, metricCols);
        else if (options.fingerprintSalt !== undefined) watermark = metricWatermark(db);
        if (watermark && options.storedFingerprint) moves = new MetricMoves(db, watermark);
      } catch (e) {
        throw failed(file, e);
      }

      /** Whether the run's stored fingerprint says nothing moved: the same facts, and no metric row added since. */
      const unchanged = (runId: string, fingerprint: string): boolean => {
        const stored = options.storedFingerprint?.(runId);
        if (!stored || !moves) return false;
        const dot = fingerprint.indexOf('.');
        if (stored.slice(0, dot + 1) !== fingerprint.slice(0, dot + 1)) return false;
        const then = parseWatermark(stored.slice(dot + 1));
        return then !== null && moves.unchanged(runId, then);
      };

      const plan = (facts: RunFacts): Planned => {
        const parsed = RunRowSchema.safeParse(facts.raw);
        const rawId = facts.raw.run_uuid;
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
        for (const m of models.get(r.run_uuid) ?? []) {
          const dir = localDir(m.experimentId, 'models', m.modelId, 'artifacts');
          if (dir) modelDirs.push({ artifactPath: `models/${m.name ?? m.modelId}`, modelId: m.modelId, dir });
        }
        // Files to hash (artifacts, models) are stamped too: they may change while the rows stay.
        let artifactsEmpty = false;
        const files = [artifactDir, ...modelDirs.map((m) => m.dir)].map((d, i) => {
          if (d === null) return 'none';
          const stamp = artifactStamp(d);
          // an empty stamp is a folder listed whole with no entry in it (the stamp is null where it could not be)
          if (i === 0 && stamp === '') artifactsEmpty = true;
          return stamp === null ? null : `${d}\n${stamp}`;
        });
        const fingerprint =
          watermark && !files.includes(null) && options.fingerprintSalt !== undefined
            ? runFingerprint(
                options.fingerprintSalt,
                {
                  ...facts,
                  datasets: datasets.get(r.run_uuid) ?? null,
                  models: models.get(r.run_uuid) ?? null,
                  files: files as string[],
                },
                watermark,
              )
            : null;
        if (fingerprint !== null && unchanged(r.run_uuid, fingerprint))
          return { kind: 'unchanged', runId: r.run_uuid, experimentId: exp.id };
        return { kind: 'run', r, facts, exp, lifecycleStage, artifactDir, artifactsEmpty, modelDirs, fingerprint };
      };

      let fetchAhead = allMetrics === null && expectedRuns >= (options.workersFrom ?? PREFETCH_FROM);
      /** Hands keys to the worker, started with the first (a re-import that finds nothing moved starts none). */
      const fetch = (keys: string[]): void => {
        if (!fetchAhead || keys.length === 0) return;
        try {
          prefetch ??= new SqlitePrefetch(file, perRunSql, { metricColumns: true });
          prefetch.add(keys);
        } catch {
          fetchAhead = false; // no worker: this thread reads them
        }
      };
      /** The next chunk, planned, its runs' keys handed to the worker so it reads ahead; null after the last. */
      const nextChunk = (): Planned[] | null => {
        let facts: RunFacts[] | null;
        try {
          facts = chunks.next();
        } catch (e) {
          throw failed(file, e);
        }
        if (!facts) {
          prefetch?.end();
          return null;
        }
        const planned = facts.map(plan);
        fetch(planned.flatMap((p) => (p?.kind === 'run' ? [p.r.run_uuid] : [])));
        return planned;
      };
      const metricsOf = async (runId: string): Promise<RunMetrics> => {
        if (allMetrics) {
          const grouped = allMetrics.get(runId);
          allMetrics.delete(runId);
          if (grouped instanceof MalformedMetric) throw grouped;
          return { points: grouped ?? emptyRecord(), columns: null };
        }
        let got: PrefetchedMetrics | null = null;
        if (fetchAhead && prefetch) {
          try {
            got = (await prefetch.next()) as PrefetchedMetrics;
          } catch {
            // The worker failed (it could not load the driver, say): read here from now on, so
            // that a real problem with the database is reported by this connection.
            fetchAhead = false;
          }
        }
        got ??= metricColumnsOf(perRun.get(runId));
        if ('row' in got) return { points: runMetricsOf(runId, got.row), columns: null };
        return { points: emptyRecord(), columns: runColumns(got) };
      };

      // One chunk is planned ahead of the one being read, so the worker always has keys to fetch.
      let chunk = nextChunk();
      while (chunk !== null) {
        const following = nextChunk();
        for (const planned of chunk) {
          if (planned === null) continue;
          if (planned.kind === 'skip' || planned.kind === 'unchanged') {
            yield planned;
            continue;
          }
          let metrics: RunMetrics;
          try {
            metrics = await metricsOf(planned.r.run_uuid);
          } catch (e) {
            if (e instanceof MalformedMetric) {
              yield {
                kind: 'skip',
                skip: { experimentId: planned.exp.id, runId: planned.r.run_uuid, reason: e.message },
              };
              continue;
            }
            throw failed(file, e);
          }
          yield { kind: 'run', run: runOf(planned, metrics, datasets.get(planned.r.run_uuid) ?? []) };
        }
        chunk = following;
      }
    },
  };
}

/** A run's metrics: as points (read the careful way), or as columns (what MLflow writes, no object per point). */
interface RunMetrics {
  points: Record<string, MlflowMetricPoint[]>;
  columns: Record<string, MlflowMetricColumns> | null;
}

/** The reader's run from a planned row and its metrics. */
function runOf(
  planned: Extract<Planned, { kind: 'run' }>,
  { points, columns }: RunMetrics,
  datasets: DeclaredDataset[],
): Extract<MlflowReadItem, { kind: 'run' }>['run'] {
  const { r, facts, exp, lifecycleStage, artifactDir, artifactsEmpty, modelDirs, fingerprint } = planned;
  return {
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
      params: keyValues(facts.params),
      tags: keyValues(facts.tags),
      metrics: points,
      // What MLflow writes goes as columns, no object per point (a metric is given one way only).
      ...(columns ? { metricColumns: columns } : {}),
      datasets,
      models: [],
      artifacts: [],
      dvc: [],
      warnings: [],
    },
    artifactDir,
    ...(artifactsEmpty ? { artifactsEmpty: true } : {}),
    modelDirs,
    fingerprint,
  };
}
