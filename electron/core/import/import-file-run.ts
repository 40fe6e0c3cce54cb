/** Reading one run folder of a file store: its stamp, meta.yaml, params, tags, metrics (as columns), inputs and outputs; on the main thread or in the read-ahead worker. */
import fs from 'node:fs';
import path from 'node:path';
import {
  mlflowSourceTypeName,
  mlflowStatusName,
  type MlflowMetricColumns,
} from '../../../shared/mlflow/mlflow-records';
import { emptyRecord } from '../../../shared/records';
import type { DeclaredDataset } from '../../../shared/snapshot/snapshot';
import type { LocalModelDir, MlflowReadItem, MlflowReadOptions } from './import-mlflow-types';
import { isInside, type StatedRead } from './store-files';
import {
  InputMetaSchema,
  listStoreDirs,
  OutputMetaSchema,
  readKeyColumns,
  type PreRead,
  readKeyFiles,
  readMeta,
  RunMetaSchema,
} from './import-file-meta';
import { parseMetricBytes } from './import-file-metrics';
import type { ExperimentScope } from './import-file-experiment';
import type { Listings } from './import-file-stamp';
import {
  fingerprintScope,
  matchesStored,
  recheckRun,
  recheckSkip,
  skipFingerprint,
  stampRun,
} from './import-file-fingerprint';

/** What the stamp walk reads of a run folder as it stamps it: what readRun reads next (its params are not stamped file by file). */
const STAMP_READS = { files: new Set(['meta.yaml']), folders: new Set(['metrics', 'tags']) };

/** What reading a run needs of the import's options (all a worker thread is given). */
export type RunReadOptions = Pick<
  MlflowReadOptions,
  'includeDeleted' | 'fingerprintSalt' | 'storedFingerprint' | 'storedSkipFingerprint'
>;

const DELETED_SKIP = 'deleted in MLflow (lifecycle_stage: deleted); use --include-deleted to import it';

/** Reads the run folder `name` of an experiment: the run, a skip with its reason, or "unchanged" when its stamp is as stored. */
export function readRun(
  root: string,
  { exp, datasets, models }: ExperimentScope,
  name: string,
  options: RunReadOptions,
): MlflowReadItem {
  const runDir = path.join(exp.dir, name);
  const skip = (reason: string): MlflowReadItem => ({
    kind: 'skip',
    skip: { experimentId: exp.id, runId: name, reason },
  });
  // A run whose folder is stamped as it was at the last import is passed over unread. Not in an
  // experiment with logged models: their folders lie outside the run's.
  // A stored plan is re-checked first (stats only); else the folders are listed (what the read then takes), and a
  // stored fingerprint without a plan (or of an older kind) that still matches is handed on to be replaced.
  const listings: Listings = new Map();
  const scope =
    models.size === 0 && options.fingerprintSalt !== undefined
      ? fingerprintScope(
          { fingerprintSalt: options.fingerprintSalt, includeDeleted: options.includeDeleted },
          { exp, datasets },
        )
      : null;
  // A run skipped last time as deleted in MLflow, whose meta.yaml is as it was then, is skipped again unread.
  const storedSkip = scope !== null ? options.storedSkipFingerprint?.(name) : undefined;
  if (scope !== null && storedSkip !== undefined && recheckSkip(runDir, storedSkip, scope))
    return { kind: 'skip', skip: { experimentId: exp.id, runId: name, reason: DELETED_SKIP }, fingerprint: storedSkip };
  const stored = (scope !== null ? options.storedFingerprint?.(name) : undefined) ?? undefined;
  if (scope !== null && stored !== undefined && recheckRun(runDir, stored, scope))
    return { kind: 'unchanged', runId: name, experimentId: exp.id };
  // A run with no fingerprint stored (a first import) is read as it is stamped: each file it reads is stamped by
  // the fstat of that read. One with a fingerprint stored may be unchanged: it is stamped by lstats, then read.
  const preread = new Map<string, PreRead>();
  const metricsDir = runDir + path.sep + 'metrics' + path.sep;
  // What the walk reads is taken at once (its bytes are reused): a metric file parsed, any other decoded.
  const take = (file: string, { bytes, stats }: StatedRead): void => {
    let value: PreRead['value'];
    if (!file.startsWith(metricsDir)) value = bytes.toString('utf8');
    else
      try {
        value = parseMetricBytes(file.slice(metricsDir.length).split(path.sep).join('/'), bytes);
      } catch (e) {
        value = e as Error;
      }
    preread.set(file, { stats, value });
  };
  const fingerprint =
    scope !== null
      ? stampRun(runDir, scope, {
          listings,
          reads: stored === undefined ? { ...STAMP_READS, take } : undefined,
        })
      : null;
  const match =
    scope !== null && fingerprint !== null && stored !== undefined
      ? matchesStored(runDir, { stored, fresh: fingerprint }, scope)
      : 'no';
  if (match === 'same') return { kind: 'unchanged', runId: name, experimentId: exp.id };
  if (match === 'older') return { kind: 'unchanged', runId: name, experimentId: exp.id, fingerprint: fingerprint! };
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
  const metaFile = runDir + path.sep + 'meta.yaml'; // as the stamp walk names it (path.join, without its cost)
  const metaRead = preread.get(metaFile);
  // meta.yaml's stat before it is read (the walk's fstat, or an lstat now): a deleted run's skip is stamped by it.
  const metaStat = metaRead?.stats ?? (scope !== null ? fs.lstatSync(metaFile, { throwIfNoEntry: false }) : undefined);
  const meta = readMeta(
    root,
    metaFile,
    RunMetaSchema,
    metaRead !== undefined ? { text: metaRead.value as string } : entries?.get('meta.yaml'),
  );
  if (!meta.ok) return skip(meta.reason);
  const m = meta.value;
  const runId = m.run_id ?? m.run_uuid;
  if (!runId) return skip('meta.yaml names no run_id');
  if (runId !== name) return skip(`meta.yaml names run ${runId} but the folder is ${name}`);
  if (m.experiment_id !== exp.id)
    return skip(`meta.yaml names experiment ${m.experiment_id} but the run lies in experiment ${exp.id}`);
  const lifecycleStage = exp.lifecycleStage === 'deleted' ? 'deleted' : (m.lifecycle_stage ?? 'active');
  if (lifecycleStage === 'deleted' && !options.includeDeleted) {
    const skipped = scope !== null && metaStat !== undefined ? skipFingerprint(metaStat, scope) : null;
    const item = { kind: 'skip' as const, skip: { experimentId: exp.id, runId: name, reason: DELETED_SKIP } };
    return skipped === null ? item : { ...item, fingerprint: skipped };
  }

  const has = (sub: string): boolean => entries === null || entries.has(sub);
  const none = new Map<string, string>();

  let params: Map<string, string>;
  let tags: Map<string, string>;
  // Histories as columns: no object per point on the way to the store.
  const metricColumns = emptyRecord<MlflowMetricColumns>();
  // What was left out because it links out of the store or is not a file: kept as warnings on the run.
  const notes: string[] = [];
  try {
    params = has('params')
      ? readKeyFiles(root, runDir, 'params', { notes, listings, entry: entries?.get('params'), preread })
      : none;
    tags = has('tags')
      ? readKeyFiles(root, runDir, 'tags', { notes, listings, entry: entries?.get('tags'), preread })
      : none;
    if (has('metrics'))
      for (const [metric, columns] of readKeyColumns(root, runDir, 'metrics', {
        notes,
        listings,
        entry: entries?.get('metrics'),
        preread,
      }))
        metricColumns[metric] = columns;
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
      // The stamp walk listed a real artifacts folder with nothing in it: nothing to hash (what the fingerprint says).
      ...(artifactDir !== null && artifactsEntry?.isDirectory() && listings.get(artifactsDir)?.length === 0
        ? { artifactsEmpty: true }
        : {}),
      modelDirs,
      fingerprint,
    },
  };
}
