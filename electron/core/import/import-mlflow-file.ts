/** The file-store reader (`mlruns/`): lists experiments and runs, passes over runs whose stamp is as stored, reads the others. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ImportSkip } from '../../../shared/api/api-import';
import { ReproError } from '../../../shared/errors';
import {
  mlflowSourceTypeName,
  mlflowStatusName,
  type MlflowMetricColumns,
} from '../../../shared/mlflow/mlflow-snapshot';
import type { DeclaredDataset } from '../../../shared/snapshot/snapshot';
import {
  deletedExperimentSkip,
  experimentMatches,
  type LocalModelDir,
  type MlflowExperimentInfo,
  type MlflowReadItem,
  type MlflowReadOptions,
  type MlflowStoreReader,
} from './import-mlflow-types';
import { isInside } from './store-files';
import {
  ExperimentMetaSchema,
  InputMetaSchema,
  listDirs,
  listStoreDirs,
  OutputMetaSchema,
  readKeyFiles,
  readMeta,
  RunMetaSchema,
} from './import-file-meta';
import { parseMetricColumns } from './import-file-metrics';
import { listLoggedModels, readDatasets, type ExperimentScope } from './import-file-experiment';
import { runStamp, type Listings } from './import-file-stamp';

export { parseMetaYaml } from './import-file-meta';
export { parseMetricLines } from './import-file-metrics';

/**
 * Reads an MLflow file store (`mlruns/`) of MLflow 1.x, 2.x and 3.x: experiments (and `.trash`),
 * runs with params, tags, metrics (lines of 2, 3 or more fields), dataset inputs, MLflow 3 logged
 * models (`models/`, `outputs/`). Every file is parsed from unknown; nothing outside the store is read.
 */

const TRASH = '.trash';
/** Folders of an experiment that are not runs. */
const RESERVED_EXPERIMENT_FOLDERS = new Set(['tags', 'datasets', 'traces', 'models']);
/** Folders of the store root that are not experiments (the model registry keeps `models/` there). */
const RESERVED_ROOT_FOLDERS = new Set([TRASH, 'models', '.mlflow']);

/** Finds the store root: the folder given, or its `mlruns/` child when given a project folder. */
export function resolveFileStoreRoot(dir: string): string {
  const looksLikeStore = (d: string): boolean =>
    fs.existsSync(path.join(d, TRASH)) ||
    listDirs(d).some((name) => !RESERVED_ROOT_FOLDERS.has(name) && fs.existsSync(path.join(d, name, 'meta.yaml')));
  if (looksLikeStore(dir)) return dir;
  const child = path.join(dir, 'mlruns');
  if (fs.existsSync(child) && looksLikeStore(child)) return child;
  throw new ReproError(
    'IMPORT_FAILED',
    `${dir} is not an MLflow file store: no experiment folder with a meta.yaml in it`,
    'Point at the mlruns folder MLflow wrote (it holds one folder per experiment, each with a meta.yaml), an mlflow.db, or a tracking server URL.',
  );
}

/** Opens a file store for reading: lists its experiments now (so a store that cannot be read fails before anything is written). */
export function openFileStore(dirArg: string, options: MlflowReadOptions): MlflowStoreReader {
  let root: string;
  try {
    root = fs.realpathSync(dirArg);
  } catch (e) {
    throw new ReproError(
      'IMPORT_FAILED',
      `cannot read the MLflow store ${dirArg}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (e as Error).message}`,
      'Check the path: reproscope import takes an mlruns folder, an mlflow.db file or a tracking server URL.',
    );
  }
  root = resolveFileStoreRoot(root);
  const skips: ImportSkip[] = [];
  const experiments: (MlflowExperimentInfo & { dir: string })[] = [];
  const candidates = [
    ...listDirs(root)
      .filter((n) => !RESERVED_ROOT_FOLDERS.has(n))
      .map((n) => ({ dir: path.join(root, n), name: n, trashed: false })),
    ...listDirs(path.join(root, TRASH)).map((n) => ({ dir: path.join(root, TRASH, n), name: n, trashed: true })),
  ];
  for (const c of candidates) {
    if (!isInside(root, c.dir)) {
      skips.push({
        experimentId: c.name,
        runId: null,
        reason: `experiment folder ${c.name} links outside the store; not followed`,
      });
      continue;
    }
    const meta = readMeta(root, path.join(c.dir, 'meta.yaml'), ExperimentMetaSchema);
    if (!meta.ok) {
      skips.push({ experimentId: c.name, runId: null, reason: `experiment ${c.name}: ${meta.reason}` });
      continue;
    }
    if (meta.value.experiment_id !== c.name) {
      skips.push({
        experimentId: c.name,
        runId: null,
        reason: `experiment folder ${c.name} holds the meta.yaml of experiment ${meta.value.experiment_id}`,
      });
      continue;
    }
    const exp = {
      id: c.name,
      name: meta.value.name,
      lifecycleStage: c.trashed ? 'deleted' : (meta.value.lifecycle_stage ?? 'active'),
      dir: c.dir,
    };
    if (!experimentMatches(exp, options.experiment)) continue;
    const deleted = deletedExperimentSkip(exp, options);
    if (deleted) {
      skips.push(deleted);
      continue;
    }
    experiments.push(exp);
  }
  if (
    options.experiment !== undefined &&
    experiments.length === 0 &&
    !skips.some((s) => s.experimentId === options.experiment)
  ) {
    throw new ReproError(
      'NOT_FOUND',
      `the MLflow store ${root} has no experiment named or numbered "${options.experiment}"`,
      `Its experiments: ${candidates.map((c) => c.name).join(', ') || 'none'}. Drop --experiment to import them all.`,
    );
  }
  const runDirs = experiments.map((exp) => ({
    exp,
    runs: listDirs(exp.dir).filter((n) => !RESERVED_EXPERIMENT_FOLDERS.has(n)),
  }));
  return {
    type: 'mlflow-file',
    location: root,
    boundary: root,
    experiments,
    expectedRuns: runDirs.reduce((n, e) => n + e.runs.length, 0),
    close: () => undefined,
    // eslint-disable-next-line @typescript-eslint/require-await -- the reader interface is async for the REST reader; this one reads local files synchronously
    runs: async function* runs(): AsyncIterable<MlflowReadItem> {
      for (const skip of skips) yield { kind: 'skip', skip };
      for (const { exp, runs: names } of runDirs) {
        const expNotes: string[] = [];
        const datasets = readDatasets(root, exp.dir, expNotes);
        const models = listLoggedModels(root, exp.dir, expNotes);
        for (const reason of expNotes) yield { kind: 'skip', skip: { experimentId: exp.id, runId: null, reason } };
        const scope: ExperimentScope = { exp, datasets, models };
        for (const name of names) yield readRun(root, scope, name, options);
      }
    },
  };
}

function readRun(
  root: string,
  { exp, datasets, models }: ExperimentScope,
  name: string,
  options: MlflowReadOptions,
): MlflowReadItem {
  const runDir = path.join(exp.dir, name);
  const skip = (reason: string): MlflowReadItem => ({
    kind: 'skip',
    skip: { experimentId: exp.id, runId: name, reason },
  });
  // A run whose folder is stamped as it was at the last import is passed over unread. Not in an
  // experiment with logged models: their folders lie outside the run's.
  const listings: Listings = new Map();
  const fingerprint = models.size === 0 ? runFingerprint(runDir, { exp, datasets }, { options, listings }) : null;
  if (fingerprint !== null && options.storedFingerprint?.(name) === fingerprint)
    return { kind: 'unchanged', runId: name, experimentId: exp.id };
  // `name` came from listDirs, which lists real folders only (never links), inside an experiment folder
  // already checked to lie in the store: the run folder lies in the store too, so no realpath is needed.
  // One listing of the run folder saves a failed lookup for each folder MLflow did not write (inputs, outputs…),
  // and says which entries are real files and folders, so they are read without an lstat or fstat each.
  let entries: Map<string, fs.Dirent> | null;
  try {
    entries = new Map(
      (listings.get(runDir) ?? fs.readdirSync(runDir, { withFileTypes: true })).map((e) => [e.name, e]),
    );
  } catch {
    entries = null;
  }
  const meta = readMeta(root, path.join(runDir, 'meta.yaml'), RunMetaSchema, entries?.get('meta.yaml'));
  if (!meta.ok) return skip(meta.reason);
  const m = meta.value;
  const runId = m.run_id ?? m.run_uuid;
  if (!runId) return skip('meta.yaml names no run_id');
  if (runId !== name) return skip(`meta.yaml names run ${runId} but the folder is ${name}`);
  if (m.experiment_id !== exp.id)
    return skip(`meta.yaml names experiment ${m.experiment_id} but the run lies in experiment ${exp.id}`);
  const lifecycleStage = exp.lifecycleStage === 'deleted' ? 'deleted' : (m.lifecycle_stage ?? 'active');
  if (lifecycleStage === 'deleted' && !options.includeDeleted)
    return skip('deleted in MLflow (lifecycle_stage: deleted); use --include-deleted to import it');

  const has = (sub: string): boolean => entries === null || entries.has(sub);
  const none = new Map<string, string>();

  let params: Map<string, string>;
  let tags: Map<string, string>;
  // Histories as columns: no object per point on the way to the store.
  const metricColumns: Record<string, MlflowMetricColumns> = {};
  // What was left out because it links out of the store or is not a file: kept as warnings on the run.
  const notes: string[] = [];
  try {
    params = has('params')
      ? readKeyFiles(root, runDir, 'params', { notes, listings, entry: entries?.get('params') })
      : none;
    tags = has('tags') ? readKeyFiles(root, runDir, 'tags', { notes, listings, entry: entries?.get('tags') }) : none;
    if (has('metrics'))
      for (const [metric, text] of readKeyFiles(root, runDir, 'metrics', {
        notes,
        listings,
        entry: entries?.get('metrics'),
      }))
        metricColumns[metric] = parseMetricColumns(metric, text);
  } catch (e) {
    return skip((e as Error).message);
  }

  const runDatasets: DeclaredDataset[] = [];
  const inputIds = has('inputs') ? listStoreDirs(root, path.join(runDir, 'inputs'), notes, 'inputs') : [];
  for (const inputId of inputIds) {
    const input = readMeta(root, path.join(runDir, 'inputs', inputId, 'meta.yaml'), InputMetaSchema);
    if (!input.ok) continue;
    if (input.value.source_type !== undefined && !['DATASET', 0, '0'].includes(input.value.source_type)) continue;
    const dataset = datasets.get(input.value.source_id);
    if (!dataset) continue;
    runDatasets.push({ ...dataset, context: input.value.tags?.['mlflow.data.context'] ?? null });
  }

  const modelDirs: LocalModelDir[] = [];
  const outputIds = (has('outputs') ? listStoreDirs(root, path.join(runDir, 'outputs'), notes, 'outputs') : []).map(
    (id) => {
      const out = readMeta(root, path.join(runDir, 'outputs', id, 'meta.yaml'), OutputMetaSchema);
      return out.ok ? (out.value.destination_id ?? id) : id;
    },
  );
  for (const model of models.values()) {
    if (
      model.sourceRunId !== runId &&
      !outputIds.includes(model.modelId) &&
      !outputIds.includes(path.basename(model.dir))
    )
      continue;
    const dir = path.join(model.dir, 'artifacts');
    if (fs.existsSync(dir) && isInside(root, dir))
      modelDirs.push({ artifactPath: `models/${model.name ?? model.modelId}`, modelId: model.modelId, dir });
  }

  const artifactsDir = path.join(runDir, 'artifacts');
  const warnings: string[] = notes.map((n) => `import: ${n}`);
  let artifactDir: string | null = null;
  const artifactsEntry = entries?.get('artifacts');
  // A real folder inside the run folder lies in the store; a link (or an unlisted folder) is resolved first.
  if (artifactsEntry?.isDirectory()) artifactDir = artifactsDir;
  else if ((entries === null || artifactsEntry !== undefined) && fs.existsSync(artifactsDir)) {
    if (isInside(root, artifactsDir)) artifactDir = artifactsDir;
    else warnings.push('outcome: the artifacts folder links outside the MLflow store; it was not followed');
  }
  const status = mlflowStatusName(m.status ?? 'RUNNING');
  return {
    kind: 'run',
    run: {
      record: {
        runId,
        experimentId: exp.id,
        experimentName: exp.name,
        runName: m.run_name || m.name || null,
        status,
        startTime: m.start_time ?? null,
        endTime: m.end_time ?? null,
        lifecycleStage,
        userId: m.user_id || null,
        artifactUri: m.artifact_uri ?? null,
        sourceType: mlflowSourceTypeName(m.source_type),
        sourceName: m.source_name || null,
        entryPointName: m.entry_point_name || null,
        sourceVersion: m.source_version || null,
        params: Object.fromEntries(params),
        tags: Object.fromEntries(tags),
        metrics: {},
        metricColumns,
        datasets: runDatasets,
        models: [],
        artifacts: [],
        dvc: [],
        warnings,
      },
      artifactDir,
      modelDirs,
      fingerprint,
    },
  };
}

/** A run's fingerprint: its folder's stamp with what its experiment declares for it, salted; null without a stamp. */
function runFingerprint(
  runDir: string,
  { exp, datasets }: Pick<ExperimentScope, 'exp' | 'datasets'>,
  { options, listings }: { options: MlflowReadOptions; listings: Listings },
): string | null {
  if (options.fingerprintSalt === undefined) return null;
  const stamp = runStamp(runDir, listings);
  if (stamp === null) return null;
  return createHash('sha256')
    .update(options.fingerprintSalt)
    .update(JSON.stringify([exp.id, exp.name, exp.lifecycleStage, options.includeDeleted, [...datasets]]))
    .update(stamp)
    .digest('base64url');
}
