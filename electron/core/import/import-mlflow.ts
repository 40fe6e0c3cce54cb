import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync, gzip } from 'node:zlib';
import YAML from 'yaml';
import { z } from 'zod';
import type { ImportSkip, ImportSummary } from '../../../shared/api/api-import';
import { ReproError } from '../../../shared/errors';
import { newId } from '../../../shared/ids';
import {
  flavorFacts,
  modelsFromLogModelHistory,
  snapshotFromMlflowRun,
  type MlflowLoggedModel,
  type MlflowRunRecord,
} from '../../../shared/mlflow/mlflow-snapshot';
import { redactRecord, stripUrlCredentials } from '../../../shared/snapshot/secrets';
import { encodeSnapshot } from '../../../shared/snapshot/snapshot-codec';
import {
  SNAPSHOT_SCHEMA_VERSION,
  type DvcEntry,
  type EnvSpec,
  type Snapshot,
  type TreeState,
} from '../../../shared/snapshot/snapshot';
import { parseDvcLock, readDvcLock } from '../../platform/dvc-lock';
import { hashTree } from '../../platform/hash-tree';
import { withNormalisedHashes } from '../../platform/mlflow-normalised';
import type { CoreContext } from '../core-context';
import { openFileStore } from './import-mlflow-file';
import { readStoreFile } from './store-files';
import { openRestStore } from './import-mlflow-rest';
import { encodeHistoryAsync, sameHistory, splitHistories } from '../../db/metric-history-codec';
import type { EncodedRun } from '../../db/runs-repository';
import { isSqliteFile, openSqliteStore } from './import-mlflow-sqlite';
import type { MlflowReadOptions, MlflowStoreReader, RawMlflowRun } from './import-mlflow-types';

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

const gzipAsync = promisify(gzip);
/** Runs being compressed on libuv's thread pool and not yet back, at most. */
const MAX_ENCODES_IN_FLIGHT = 512;
const DEFAULT_TIMEOUT_MS = 30_000;
/**
 * Imports compress thousands of snapshots at once: level 1 is about twice as fast as the default 6
 * and its output only a few percent larger (metric histories are long runs of similar JSON).
 */
const IMPORT_GZIP_LEVEL = 1;
/** Text kept of an input example; larger ones are cut (the hash still covers the whole file). */
const MAX_EXAMPLE_TEXT = 64 * 1024;
/** Environment files larger than this keep their hash but not their text. */
const MAX_SPEC_TEXT = 2 * 1024 * 1024;

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

const MlmodelSchema = z
  .object({
    artifact_path: z.string().optional(),
    model_uuid: z.string().optional(),
    model_id: z.string().nullable().optional(),
    mlflow_version: z.string().optional(),
    flavors: z.record(z.string(), z.unknown()).optional(),
    signature: z.unknown().optional(),
    saved_input_example_info: z.object({ artifact_path: z.string().optional() }).passthrough().optional(),
  })
  .passthrough();

const ENV_FILES: Record<string, string> = {
  MLmodel: 'mlmodel',
  'requirements.txt': 'requirements',
  'python_env.yaml': 'python_env',
  'conda.yaml': 'conda',
};

function readSpec(dir: string, name: string, displayDir: string): EnvSpec | null {
  try {
    // A link could point anywhere on this machine: only regular files inside the store are read.
    if (!fs.lstatSync(path.join(dir, name)).isFile()) return null;
    const bytes = fs.readFileSync(path.join(dir, name));
    return {
      path: `${displayDir}/${name}`,
      kind: ENV_FILES[name]!,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      content: bytes.length <= MAX_SPEC_TEXT ? bytes.toString('utf8') : '',
      provenance: 'declared',
    };
  } catch {
    return null;
  }
}

/** Reads a logged model's folder: MLmodel (flavors, signature, input example) and the environment files beside it. */
function readModelDir(
  dir: string,
  artifactPath: string,
  modelId: string | null,
  warnings: string[],
): MlflowLoggedModel | null {
  const mlmodel = readSpec(dir, 'MLmodel', artifactPath);
  if (!mlmodel) return null;
  let meta: z.infer<typeof MlmodelSchema> = {};
  try {
    const parsed = MlmodelSchema.safeParse(YAML.parse(mlmodel.content));
    if (parsed.success) meta = parsed.data;
    else warnings.push(`software: ${artifactPath}/MLmodel is not in MLflow's format; only its hash was kept`);
  } catch {
    warnings.push(`software: ${artifactPath}/MLmodel is not valid YAML; only its hash was kept`);
  }
  const flavors = flavorFacts(meta.flavors);
  let inputExample: string | null = null;
  const examplePath = meta.saved_input_example_info?.artifact_path;
  if (examplePath && !examplePath.includes('..') && !path.isAbsolute(examplePath)) {
    const abs = path.join(dir, examplePath);
    // A missing example (or one that links out, or is not a file) leaves the rest of the model readable.
    const read = readStoreFile(dir, abs);
    if (read.ok) inputExample = read.text.slice(0, MAX_EXAMPLE_TEXT);
  }
  const files = [
    mlmodel,
    ...['requirements.txt', 'python_env.yaml', 'conda.yaml']
      .map((n) => readSpec(dir, n, artifactPath))
      .filter((f): f is EnvSpec => f !== null),
  ];
  return {
    artifactPath,
    modelId: meta.model_id ?? meta.model_uuid ?? modelId,
    flavors,
    mlflowVersion: meta.mlflow_version ?? null,
    pythonVersion: flavors.python_function?.python_version ?? null,
    signature: meta.signature === undefined || meta.signature === null ? null : JSON.stringify(meta.signature),
    inputExample,
    files,
  };
}

/** Fills in what lies on disk: artifacts (hashed), logged models, a dvc.lock among the artifacts. */
async function completeRun(raw: RawMlflowRun, ctx: CoreContext, projectDvc: DvcEntry[] | null): Promise<void> {
  const rec = raw.record;
  const artifacts: TreeState[] = [];
  const models: MlflowLoggedModel[] = [];
  if (raw.artifactDir) {
    // MLmodel's run_id/model_uuid/time change per run: keep also its hash without them, so audits can compare it
    const tree = withNormalisedHashes(
      await hashTree(raw.artifactDir, { cache: ctx.hashCache, displayPath: 'artifacts' }),
    );
    artifacts.push(tree);
    const modelDirs = tree.files
      .filter((f) => f.path === 'MLmodel' || f.path.endsWith('/MLmodel'))
      .map((f) => path.posix.dirname(f.path))
      // MLflow 2.x keeps a copy of each model's metadata in <model>/metadata/; the model itself is enough.
      .filter((d, _i, all) => !(d.endsWith('/metadata') && all.includes(path.posix.dirname(d))))
      .sort();
    for (const rel of modelDirs) {
      const m = readModelDir(
        path.join(raw.artifactDir, ...rel.split('/')),
        rel === '.' ? 'artifacts' : `artifacts/${rel}`,
        null,
        rec.warnings,
      );
      if (m) models.push(m);
    }
    const lock = tree.files.find((f) => f.path === 'dvc.lock' || /^[^/]+\/dvc\.lock$/.test(f.path));
    // The tree lists links too: a dvc.lock that links out of the store is not read.
    const lockRead =
      lock && !projectDvc ? readStoreFile(raw.artifactDir, path.join(raw.artifactDir, ...lock.path.split('/'))) : null;
    if (lockRead && !lockRead.ok) rec.warnings.push(`import: artifacts/${lock!.path} ${lockRead.reason}; not read`);
    if (lockRead?.ok) {
      const parsed = parseDvcLock(lockRead.text, `artifacts/${lock!.path}`);
      rec.dvc = parsed.entries.map((e) => ({
        ...e,
        note: "recorded in the run's artifacts; not checked against a disk",
      }));
      rec.warnings.push(...parsed.warnings);
    }
  } else if (rec.artifactUri) {
    artifacts.push({
      path: 'artifacts',
      absPath: stripUrlCredentials(rec.artifactUri),
      kind: 'missing',
      rootHash: null,
      fileCount: 0,
      totalBytes: 0,
      files: [],
    });
    rec.warnings.push(
      `outcome: the artifacts at ${stripUrlCredentials(rec.artifactUri)} are not inside the imported store; they were recorded by location only`,
    );
  }
  for (const md of raw.modelDirs) {
    const m = readModelDir(md.dir, md.artifactPath, md.modelId, rec.warnings);
    if (m) models.push(m);
  }
  if (models.length === 0 && rec.tags['mlflow.log-model.history'])
    models.push(...modelsFromLogModelHistory(rec.tags['mlflow.log-model.history']));
  rec.models = models;
  rec.artifacts = artifacts;
  if (projectDvc) rec.dvc = projectDvc.map((e) => ({ ...e }));
}

/** The same text as encodeSnapshot of a snapshot without histories, faster when no metric is NaN or infinite. */
function encodeFast(skeleton: Snapshot): string {
  for (const m of Object.values(skeleton.outcome.metrics))
    if (!Number.isFinite(m.value) || m.history !== null) return encodeSnapshot(skeleton);
  return JSON.stringify(skeleton);
}

/** The stored form of a run, compressed on libuv's thread pool (the JSON without histories, each history as a blob). */
async function encodeRun(skeleton: Snapshot, json: string, histories: ReturnType<typeof splitHistories>['histories']) {
  const [gzippedJson, ...blobs] = await Promise.all([
    gzipAsync(json, { level: IMPORT_GZIP_LEVEL }),
    ...histories.map((h) => encodeHistoryAsync(h.points, IMPORT_GZIP_LEVEL)),
  ]);
  return {
    gzippedJson: gzippedJson!,
    histories: histories.map((h, i) => ({ name: h.name, points: h.points.length, data: blobs[i]! })),
  };
}

/**
 * Bump when the same MLflow record would become a different snapshot (a change to the readers'
 * records, to snapshotFromMlflowRun or to the snapshot model), so that re-imports rebuild every run
 * instead of trusting the digests stored with them. A new app version rebuilds them anyway.
 */
const IMPORT_DIGEST_VERSION = 2; // 2: snapshots go through the secret filter's rule set

function sortedEntries(rec: Record<string, string>): [string, string][] {
  return Object.entries(rec).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * A digest of everything a run's snapshot is built from (the completed record, artifacts, models and
 * DVC entries included); metric histories are hashed as numbers rather than re-encoded as text.
 */
function recordDigest(rec: MlflowRunRecord, salt: string): string {
  const hash = createHash('sha256').update(salt);
  const names = Object.keys(rec.metrics).sort();
  hash.update(
    JSON.stringify({
      ...rec,
      params: sortedEntries(rec.params),
      tags: sortedEntries(rec.tags),
      metrics: names.map((n) => [n, rec.metrics[n]!.length]),
    }),
  );
  let total = 0;
  for (const n of names) total += rec.metrics[n]!.length;
  const numbers = new Float64Array(total * 3);
  let i = 0;
  for (const n of names) {
    for (const p of rec.metrics[n]!) {
      numbers[i++] = p.step;
      numbers[i++] = p.value;
      numbers[i++] = p.timestamp ?? Number.NaN; // never NaN otherwise: readers keep only finite timestamps
    }
  }
  return hash.update(new Uint8Array(numbers.buffer)).digest('base64url');
}

/** What the transaction writes for one run; the histories are already compressed, so only list columns stay in memory. */
interface PendingWrite {
  skeleton: Snapshot;
  gz: Promise<Pick<EncodedRun, 'gzippedJson' | 'histories'>>;
  sourceKey: string;
  digest: string;
}

/** Whether a run stored before holds exactly this JSON (without histories) and these histories. */
function sameAsStored(
  ctx: CoreContext,
  before: { id: string; gzippedJson: () => Buffer },
  json: string,
  histories: ReturnType<typeof splitHistories>['histories'],
): boolean {
  if (gunzipSync(before.gzippedJson()).toString('utf8') !== json) return false;
  const stored = new Map(ctx.runs.encodedHistories(before.id).map((h) => [h.name, h]));
  if (stored.size !== histories.length) return false;
  return histories.every((h) => {
    const s = stored.get(h.name);
    return s !== undefined && s.points === h.points.length && sameHistory(s.data, h.points);
  });
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
  let inFlight = 0;
  try {
    const prefix = `${reader.type}:${reader.location}#`;
    const existing = ctx.runs.importedUnder(prefix);
    const skipped: ImportSkip[] = [];
    const runs: ImportSummary['runs'] = [];
    const perExperiment = new Map<string, number>();
    const pending: PendingWrite[] = [];
    const digestsToRemember: { id: string; digest: string }[] = [];
    const digestSalt = `${IMPORT_DIGEST_VERSION}\0${SNAPSHOT_SCHEMA_VERSION}\0${ctx.version}\0${reader.type}\0${reader.location}\0`;
    const seen = new Set<string>();
    let runsSeen = 0;
    let sinceYield = 0;
    const label = `importing ${reader.location}`;
    /** Every 100 runs: progress, and a turn of the event loop for whatever else this process serves. */
    const tick = async (): Promise<void> => {
      if (++sinceYield < 100) return;
      sinceYield = 0;
      publish({
        task,
        phase: 'progress',
        label,
        done: runsSeen,
        total: reader.expectedRuns ?? undefined,
        unit: 'runs',
      });
      // Lets finished compressions hand back their buffers so memory stays bounded.
      await new Promise((resolve) => setImmediate(resolve));
      // Reading can outrun the compression: wait for it rather than queue every history.
      if (inFlight > MAX_ENCODES_IN_FLIGHT)
        await pending[pending.length - MAX_ENCODES_IN_FLIGHT / 2]!.gz.catch(() => undefined);
    };
    for await (const item of reader.runs()) {
      if (item.kind === 'skip') {
        skipped.push(item.skip);
        if (item.skip.runId !== null) runsSeen++;
        continue;
      }
      runsSeen++;
      const raw = item.run;
      const rec = raw.record;
      const sourceKey = `${prefix}${rec.runId}`;
      if (seen.has(sourceKey)) {
        skipped.push({
          experimentId: rec.experimentId,
          runId: rec.runId,
          reason: 'the same run id appears twice in the store; the first was imported',
        });
        continue;
      }
      seen.add(sourceKey);
      await completeRun(raw, ctx, projectDvc);
      const before = existing.get(sourceKey);
      const digest = recordDigest(rec, digestSalt);
      perExperiment.set(rec.experimentId, (perExperiment.get(rec.experimentId) ?? 0) + 1);
      if (before && before.importDigest === digest) {
        // The same record as last time builds the same snapshot: nothing to rebuild, encode or compare.
        runs.push({ mlflowRunId: rec.runId, id: before.id, change: 'unchanged' });
        await tick();
        continue;
      }
      const snapshot = snapshotFromMlflowRun(rec, {
        id: before?.id ?? newId(),
        createdAt:
          before?.createdAt ??
          (rec.startTime !== null ? new Date(rec.startTime).toISOString() : new Date().toISOString()),
        sourceType: reader.type,
        location: reader.location,
      });
      redactRecord(snapshot);
      const { skeleton, histories } = splitHistories(snapshot);
      const json = encodeFast(skeleton);
      if (before && sameAsStored(ctx, before, json, histories)) {
        // Stored by an import that kept no digest (or from a record spelled differently): remember this one.
        runs.push({ mlflowRunId: rec.runId, id: snapshot.id, change: 'unchanged' });
        digestsToRemember.push({ id: snapshot.id, digest });
      } else {
        runs.push({ mlflowRunId: rec.runId, id: snapshot.id, change: before ? 'updated' : 'added' });
        inFlight++;
        const gz = encodeRun(skeleton, json, histories).finally(() => inFlight--);
        gz.catch(() => undefined);
        pending.push({ skeleton, gz, sourceKey, digest });
      }
      await tick();
    }
    publish({
      task,
      phase: 'progress',
      label: `writing ${pending.length} runs`,
      done: runsSeen,
      total: reader.expectedRuns ?? runsSeen,
      unit: 'runs',
    });
    const encoded = await Promise.all(pending.map((p) => p.gz));
    ctx.store.db.transaction(() => {
      pending.forEach((p, i) =>
        ctx.runs.saveEncodedInTransaction({
          snapshot: p.skeleton,
          ...encoded[i]!,
          sourceKey: p.sourceKey,
          importDigest: p.digest,
        }),
      );
      for (const r of digestsToRemember) ctx.runs.rememberImportDigest(r.id, r.digest);
    })();
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
    reader.close();
  }
}
