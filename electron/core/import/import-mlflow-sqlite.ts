/** The mlflow.db reader: opens the database read-only, plans each chunk of runs from its cheap facts, then reads the metrics of those that moved. */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { ReproError } from '../../../shared/errors';
import { emptyRecord } from '../../../shared/records';
import {
  mlflowSourceTypeName,
  mlflowStatusName,
  type MlflowMetricColumns,
  type MlflowMetricPoint,
} from '../../../shared/mlflow/mlflow-snapshot';
import type { DeclaredDataset } from '../../../shared/snapshot/snapshot';
import { SqlitePrefetch, type PrefetchedMetrics } from './import-sqlite-prefetch';
import { metricColumnsOf, runColumns } from './import-sqlite-columns';
import type { MlflowReadItem, MlflowReadOptions, MlflowStoreReader } from './import-mlflow-types';
import { checkMlflowTables, columnsOf, failed, readExperiments, runIndexOf } from './import-sqlite-schema';
import { datasetsByRun, keyValues, modelsByRun, RunChunks } from './import-sqlite-facts';
import {
  MalformedMetric,
  metricColumns,
  MetricMoves,
  metricWatermark,
  perRunMetricsSql,
  readAllMetrics,
  runMetricsOf,
  type MetricWatermark,
} from './import-sqlite-metrics';
import { RunPlanner, type Planned, type RunHead } from './import-sqlite-plan';
import { readDbToken } from './import-sqlite-token';
import { RunFolders } from './import-sqlite-folders';

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
    // Before anything else is read: a write while the import reads then makes the next token differ.
    const token = readDbToken(db, file);
    return readerOver(db, file, options, token);
  } catch (e) {
    db.close();
    throw e instanceof ReproError ? e : failed(file, e);
  }
}

function readerOver(
  db: Database.Database,
  file: string,
  options: MlflowReadOptions,
  token: string | null,
): MlflowStoreReader {
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
  const folders = new RunFolders(boundary, artifactRoots);

  return {
    type: 'mlflow-sqlite',
    location: file,
    boundary,
    experiments,
    expectedRuns,
    storeToken: token,
    close: () => {
      prefetch?.close();
      db.close();
    },
    runs: async function* runs(): AsyncIterable<MlflowReadItem> {
      for (const skip of skips) yield { kind: 'skip', skip };
      let chunks: RunChunks;
      let datasets: Map<string, DeclaredDataset[]> | null = null;
      let models: ReturnType<typeof modelsByRun>;
      let allMetrics: ReturnType<typeof readAllMetrics> | null = null;
      let watermark: MetricWatermark | null = null;
      let moves: MetricMoves | null = null;
      try {
        chunks = new RunChunks(db, expectedRuns);
        models = modelsByRun(db, columns);
        if (!indexed) allMetrics = readAllMetrics(db, metricCols);
        else if (options.fingerprintSalt !== undefined) watermark = metricWatermark(db);
        if (watermark && options.storedFingerprint) moves = new MetricMoves(db, watermark);
      } catch (e) {
        throw failed(file, e);
      }
      // Read when a run first needs them: a re-import that finds nothing changed by the token needs none.
      const datasetsNow = (): Map<string, DeclaredDataset[]> => (datasets ??= datasetsByRun(db, columns));
      const planner = new RunPlanner({
        wanted,
        options,
        folders,
        models,
        datasets: datasetsNow,
        watermark,
        moves,
        token,
      });

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
      /**
       * The next chunk, planned, its runs' keys handed to the worker so it reads ahead; null after the last.
       * A run the database's token passes over needs no params or tags: only the others' are read.
       */
      const nextChunk = (): Planned[] | null => {
        let planned: (Planned | RunHead)[];
        try {
          const rows = chunks.next();
          if (!rows) {
            prefetch?.end();
            return null;
          }
          planned = rows.map((raw) => planner.head(raw));
          const heads: RunHead[] = [];
          for (let i = 0; i < planned.length; i++) {
            const p = planned[i]!;
            if (p?.kind !== 'head') continue;
            if (planner.sameByToken(p)) planned[i] = { kind: 'unchanged', runId: p.r.run_uuid, experimentId: p.exp.id };
            else heads.push(p);
          }
          // the next chunk's folders are listed by the kernel while this one's runs are written (when runs are stamped)
          if (heads.length > 0) folders.warm(chunks.peekIds());
          const facts = chunks.factsOf(heads.map((h) => h.raw));
          const finished = new Map(heads.map((h, i) => [h, planner.finish(h, facts[i]!)]));
          planned = planned.map((p) => (p?.kind === 'head' ? finished.get(p)! : p));
        } catch (e) {
          throw failed(file, e);
        }
        const out = planned as Planned[];
        fetch(out.flatMap((p) => (p?.kind === 'run' ? [p.r.run_uuid] : [])));
        return out;
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
          yield { kind: 'run', run: runOf(planned, metrics, datasetsNow().get(planned.r.run_uuid) ?? []) };
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
