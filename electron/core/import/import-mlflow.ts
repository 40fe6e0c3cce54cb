import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ImportSkip, ImportSummary } from '../../../shared/api/api-import';
import { ReproError } from '../../../shared/errors';
import { newId } from '../../../shared/ids';
import { snapshotFromMlflowRun } from '../../../shared/mlflow/mlflow-snapshot';
import { redactRecord, stripUrlCredentials } from '../../../shared/snapshot/secrets';
import { SNAPSHOT_SCHEMA_VERSION, type DvcEntry } from '../../../shared/snapshot/snapshot';
import { readDvcLock } from '../../platform/dvc-lock';
import type { CoreContext } from '../core-context';
import { completeRun } from './import-artifacts';
import { openFileStore } from './import-mlflow-file';
import { openRestStore } from './import-mlflow-rest';
import { isSqliteFile, openSqliteStore } from './import-mlflow-sqlite';
import { storedSourceToken, type MlflowReadOptions, type MlflowStoreReader } from './import-mlflow-types';
import { ImportWriter } from './import-writer';
import { holdHeapLow, LEAN_HEAP_FROM_RUNS } from './lean-heap';
import {
  encodeFast,
  encodeRun,
  IMPORT_DIGEST_VERSION,
  recordDigest,
  sameAsStored,
  splitRunHistories,
  type HistoryColumns,
} from './import-encode';

/**
 * The MLflow import: opens a store of any kind, turns each run into a snapshot, and writes every
 * new or changed one in a single transaction, so an import either lands whole or not at all.
 * A run is keyed by store and MLflow run id: importing again changes nothing unless MLflow did.
 */

/** What an import is asked to do (the operation's parsed input). */
export interface ImportMlflowRequest {
  location: string;
  experiment?: string;
  includeDeleted?: boolean;
  project?: string;
  timeoutMs?: number;
}

/** How an import spreads its work (tests lower the threshold to run the workers on small stores). */
export interface ImportTuning {
  /** Stores expected to hold at least this many runs are read with worker threads where the reader can. */
  workersFrom?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Opens the store a location names: an http(s) URL, sqlite:///path, file:///path, an mlflow.db or an mlruns folder. */
export async function openMlflowStore(
  location: string,
  options: MlflowReadOptions,
  cwd = process.cwd(),
): Promise<MlflowStoreReader> {
  if (/^https?:\/\//i.test(location)) return openRestStore(location, options);
  let local: string;
  if (/^sqlite:\/\//i.test(location)) {
    // SQLAlchemy's form: sqlite:///relative/path, sqlite:////absolute/path.
    const rest = location.replace(/^sqlite:\/\/\//i, '');
    if (rest === location || rest === '' || rest === ':memory:') {
      throw new ReproError(
        'INVALID_INPUT',
        `"${location}" does not name an SQLite file`,
        'Write sqlite:///relative/mlflow.db or sqlite:////absolute/mlflow.db.',
      );
    }
    return openSqliteStore(path.resolve(cwd, rest.split('?')[0]!), options);
  }
  if (/^file:/i.test(location)) local = fileURLToPath(location);
  else if (/^[a-z][a-z0-9+.-]+:\/\//i.test(location) || /^databricks/i.test(location)) {
    throw new ReproError(
      'IMPORT_FAILED',
      `reproscope cannot read the MLflow store ${stripUrlCredentials(location)} directly`,
      'Import from the tracking server in front of it (http://host:port), or from an mlruns folder or mlflow.db copied to this machine.',
    );
  } else local = path.resolve(cwd, location);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(local);
  } catch {
    throw new ReproError(
      'IMPORT_FAILED',
      `the MLflow store ${local} does not exist`,
      'Check the path: reproscope import takes an mlruns folder, an mlflow.db file or a tracking server URL.',
    );
  }
  if (stat.isDirectory()) return openFileStore(local, options);
  if (isSqliteFile(local)) return openSqliteStore(local, options);
  throw new ReproError(
    'IMPORT_FAILED',
    `${local} is neither an MLflow file store (a folder) nor an SQLite database`,
    'Point at the mlruns folder or the mlflow.db MLflow wrote; a database that was cut short cannot be read.',
  );
}

/** Imports an MLflow store into the core's store; the summary lists what was added, updated, left alone and skipped. */
export async function importMlflow(
  ctx: CoreContext,
  request: ImportMlflowRequest,
  tuning: ImportTuning = {},
): Promise<ImportSummary> {
  const started = Date.now();
  const task = `import-${newId().slice(0, 8)}`;
  const publish = ctx.events.publish;
  publish({ task, phase: 'start', label: `opening ${stripUrlCredentials(request.location)}`, unit: 'runs' });
  const options: MlflowReadOptions = {
    experiment: request.experiment,
    includeDeleted: request.includeDeleted ?? false,
    timeoutMs: request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    workersFrom: tuning.workersFrom,
  };
  const warnings: string[] = [];
  let projectDvc: DvcEntry[] | null = null;
  if (request.project) {
    const project = path.resolve(request.project);
    const dvc = await readDvcLock(project, { checkDisk: true });
    if (!dvc) warnings.push(`data: ${project} has no dvc.lock; no DVC hashes were recorded`);
    else {
      projectDvc = dvc.entries;
      warnings.push(...dvc.warnings);
    }
  }

  const reader = await openMlflowStore(request.location, options);
  let releaseHeap: (() => void) | null = null;
  let writer: ImportWriter | null = null;
  try {
    const prefix = `${reader.type}:${reader.location}#`;
    const skipped: ImportSkip[] = [];
    const runs: ImportSummary['runs'] = [];
    const perExperiment = new Map<string, number>();
    // The one transaction of this import opens now and takes each run as it is encoded.
    writer = ImportWriter.open(ctx.store.dir);
    // Read what is stored only now, under the import's write lock: a concurrent import of the same source has
    // committed by then, so its runs are found here instead of being inserted twice (a raw UNIQUE error).
    const existing = ctx.runs.importedUnder(prefix);
    // a re-import of a large store holds every stored run for its whole length (a first import holds little)
    if (existing.size >= LEAN_HEAP_FROM_RUNS) releaseHeap = holdHeapLow();
    let written = 0;
    const digestSalt = `${IMPORT_DIGEST_VERSION}\0${SNAPSHOT_SCHEMA_VERSION}\0${ctx.version}\0${reader.type}\0${reader.location}\0`;
    const seen = new Set<string>();
    let runsSeen = 0;
    let sinceYield = 0;
    const label = `importing ${reader.location}`;
    /** Every 100 runs: progress, and a turn of the event loop for whatever else this process serves (no promise the 99 other times). */
    const tick = (): Promise<void> | undefined => (++sinceYield < 100 ? undefined : yieldNow());
    const yieldNow = async (): Promise<void> => {
      sinceYield = 0;
      publish({
        task,
        phase: 'progress',
        label,
        done: runsSeen,
        total: reader.expectedRuns ?? undefined,
        unit: 'runs',
      });
      // A turn of the event loop, so that finished compressions are handed back and written.
      await new Promise((resolve) => setImmediate(resolve));
    };
    // A reader that can tell an unchanged run from what MLflow rewrites with it skips reading its history.
    // Not with --project: the project's DVC entries are checked on disk every time.
    options.fingerprintSalt = digestSalt;
    if (existing.size > 0 && !projectDvc) {
      options.storedFingerprint = (runId) => existing.under(runId)?.importFingerprint;
      options.storedStoreToken = writer.sources.token(prefix);
    }
    // Runs skipped last time as deleted in MLflow, with what that was decided from (a reader re-checks it cheaply).
    const skipsStored = writer.skips.under(prefix);
    if (skipsStored.size > 0) options.storedSkipFingerprint = (runId) => skipsStored.get(runId);
    for await (const item of reader.runs()) {
      if (item.kind === 'skip') {
        skipped.push(item.skip);
        if (item.skip.runId !== null) runsSeen++;
        if (
          item.fingerprint !== undefined &&
          item.skip.runId !== null &&
          skipsStored.get(item.skip.runId) !== item.fingerprint
        )
          writer.skips.remember(`${prefix}${item.skip.runId}`, item.fingerprint);
        continue;
      }
      runsSeen++;
      // Imported now (restored in MLflow, or --include-deleted): its skip is no longer what the store says of it.
      if (skipsStored.size > 0) {
        const id = item.kind === 'unchanged' ? item.runId : item.run.record.runId;
        if (skipsStored.delete(id)) writer.skips.forget(`${prefix}${id}`);
      }
      if (item.kind === 'unchanged') {
        // `seen` is keyed by run id: every key of one import has the same prefix.
        if (!seen.has(item.runId)) {
          seen.add(item.runId);
          perExperiment.set(item.experimentId, (perExperiment.get(item.experimentId) ?? 0) + 1);
          const before = existing.under(item.runId)!;
          runs.push({ mlflowRunId: item.runId, id: before.id, change: 'unchanged' });
          // The reader matched an older fingerprint and gave a better one (a file store's re-check plan).
          if (item.fingerprint !== undefined && before.importDigest !== null)
            writer.rememberDigest(before.id, before.importDigest, item.fingerprint);
        }
        const turn = tick();
        if (turn) await turn;
        continue;
      }
      const raw = item.run;
      const rec = raw.record;
      const sourceKey = `${prefix}${rec.runId}`;
      if (seen.has(rec.runId)) {
        skipped.push({
          experimentId: rec.experimentId,
          runId: rec.runId,
          reason: 'the same run id appears twice in the store; the first was imported',
        });
        continue;
      }
      seen.add(rec.runId);
      await completeRun(raw, writer.hashCache, projectDvc);
      const before = existing.get(sourceKey);
      const digest = recordDigest(rec, digestSalt);
      perExperiment.set(rec.experimentId, (perExperiment.get(rec.experimentId) ?? 0) + 1);
      const fingerprint = raw.fingerprint ?? null;
      if (before && before.importDigest === digest) {
        // The same record as last time builds the same snapshot: nothing to rebuild, encode or compare.
        runs.push({ mlflowRunId: rec.runId, id: before.id, change: 'unchanged' });
        if (fingerprint !== before.importFingerprint) writer.rememberDigest(before.id, digest, fingerprint);
        await tick();
        continue;
      }
      // Histories the reader gave as columns stay columns (no object per point) until they are encoded.
      const given = new Map<string, HistoryColumns>();
      const snapshot = snapshotFromMlflowRun(rec, {
        id: before?.id ?? newId(),
        createdAt:
          before?.createdAt ??
          (rec.startTime !== null ? new Date(rec.startTime).toISOString() : new Date().toISOString()),
        sourceType: reader.type,
        location: reader.location,
        histories: given,
      });
      redactRecord(snapshot);
      const { skeleton, histories } = splitRunHistories(snapshot, given);
      const json = encodeFast(skeleton);
      if (before && sameAsStored(ctx, before, json, histories)) {
        // Stored by an import that kept no digest (or from a record spelled differently): remember this one.
        runs.push({ mlflowRunId: rec.runId, id: snapshot.id, change: 'unchanged' });
        writer.rememberDigest(snapshot.id, digest, fingerprint);
      } else {
        runs.push({ mlflowRunId: rec.runId, id: snapshot.id, change: before ? 'updated' : 'added' });
        written++;
        await writer.add({
          skeleton,
          encoded: encodeRun(json, histories),
          sourceKey,
          digest,
          fingerprint,
          fresh: before === undefined,
        });
      }
      await tick();
    }
    publish({
      task,
      phase: 'progress',
      label: `writing ${written} runs`,
      done: runsSeen,
      total: reader.expectedRuns ?? runsSeen,
      unit: 'runs',
    });
    // Every run of the source was checked against the store as its token found it: the next import may go by it.
    if (reader.storeToken !== undefined && request.experiment === undefined) {
      const token = reader.storeToken && storedSourceToken(digestSalt, options.includeDeleted, reader.storeToken);
      writer.sources.remember(prefix, token);
    }
    await writer.commit();
    const summary: ImportSummary = {
      source: { type: reader.type, location: reader.location },
      experiments: reader.experiments.map((e) => ({
        id: e.id,
        name: e.name,
        lifecycleStage: e.lifecycleStage,
        runs: perExperiment.get(e.id) ?? 0,
      })),
      runsSeen,
      added: runs.filter((r) => r.change === 'added').length,
      updated: runs.filter((r) => r.change === 'updated').length,
      unchanged: runs.filter((r) => r.change === 'unchanged').length,
      skipped,
      runs,
      warnings,
      durationMs: Date.now() - started,
    };
    publish({
      task,
      phase: 'end',
      label: `imported ${summary.added} new, ${summary.updated} updated, ${summary.unchanged} unchanged, ${skipped.length} skipped`,
      detail: { added: summary.added, updated: summary.updated, unchanged: summary.unchanged, skipped: skipped.length },
    });
    return summary;
  } catch (e) {
    publish({ task, phase: 'end', label: 'import failed', message: (e as Error).message });
    throw e;
  } finally {
    writer?.rollback();
    reader.close();
    releaseHeap?.();
  }
}
