/** The file-store reader (`mlruns/`): lists experiments and runs, passes over runs whose stamp is as stored, reads the others. */
import fs from 'node:fs';
import path from 'node:path';
import type { ImportSkip } from '../../../shared/api/api-import';
import { ReproError } from '../../../shared/errors';
import {
  deletedExperimentSkip,
  experimentMatches,
  type MlflowExperimentInfo,
  type MlflowReadItem,
  type MlflowReadOptions,
  type MlflowStoreReader,
} from './import-mlflow-types';
import { isInside } from './store-files';
import { ExperimentMetaSchema, listDirs, readMeta } from './import-file-meta';
import { listLoggedModels, readDatasets, type ExperimentScope } from './import-file-experiment';
import { FileReadAhead, storedFingerprints, storedSkipFingerprints } from './import-file-read-ahead';
import { readRun } from './import-file-run';
import { FileRecheck, recheckJobs } from './import-file-recheck';

export { parseMetaYaml } from './import-file-meta';
export { parseMetricLines } from './import-file-metrics';

/**
 * Reads an MLflow file store (`mlruns/`) of MLflow 1.x, 2.x and 3.x: experiments (and `.trash`),
 * runs with params, tags, metrics (lines of 2, 3 or more fields), dataset inputs, MLflow 3 logged
 * models (`models/`, `outputs/`). Every file is parsed from unknown; nothing outside the store is read.
 */

const TRASH = '.trash';
/** Stores of at least this many runs are read ahead on a worker thread (its start costs about what reading 100 runs does). */
const READ_AHEAD_FROM = 500;
/** Runs at most this thread reads while the read-ahead worker starts (~150 ms: about what this thread spends reading and writing 250 runs, and reading here is dearer than on the worker, so half that). */
const HEAD_RUNS = 128;
/**
 * The share of a mostly unchanged store's runs this thread re-checks while the re-check worker starts and does
 * the rest. Half: the worker's start (~25 ms) is about what this thread spends on every run's item besides.
 */
const HERE_SHARE = 0.5;

/** The plan's runs from the `skip`-th on (what a worker is given when this thread takes the first ones). */
function planFrom<T extends { names: string[] }>(plan: T[], skip: number): T[] {
  const out: T[] = [];
  let left = skip;
  for (const entry of plan) {
    if (left >= entry.names.length) left -= entry.names.length;
    else {
      out.push({ ...entry, names: entry.names.slice(left) });
      left = 0;
    }
  }
  return out;
}
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
  const expectedRuns = runDirs.reduce((n, e) => n + e.runs.length, 0);
  let ahead: FileReadAhead | null = null;
  let recheck: FileRecheck | null = null;
  return {
    type: 'mlflow-file',
    location: root,
    boundary: root,
    experiments,
    expectedRuns,
    close: () => {
      ahead?.close();
      recheck?.close();
    },
    runs: async function* runs(): AsyncIterable<MlflowReadItem> {
      for (const skip of skips) yield { kind: 'skip', skip };
      // What each experiment declares for its runs, read first: a worker reading ahead needs it from the start.
      const plan = runDirs.map(({ exp, runs: names }) => {
        const notes: string[] = [];
        const scope: ExperimentScope = {
          exp,
          datasets: readDatasets(root, exp.dir, notes),
          models: listLoggedModels(root, exp.dir, notes),
        };
        return { scope, names, notes };
      });
      // Many runs to read whole: the worker reads them all, ahead. A re-import of mostly fingerprinted runs (a few
      // stats each): this thread and a worker re-check about half of them each, this one the first part.
      const stored = storedFingerprints(plan, options);
      // Runs skipped last time as deleted in MLflow: one stat each tells whether they still are (not a read).
      const storedSkips = storedSkipFingerprints(plan, options);
      const from = options.workersFrom ?? READ_AHEAD_FROM;
      let here =
        expectedRuns - stored.size - storedSkips.size >= from
          ? 0
          : expectedRuns >= from
            ? Math.ceil(expectedRuns * HERE_SHARE)
            : null;
      // The split: a small worker re-checks the rest by stats (import-file-recheck.ts); runs it finds changed are read here.
      // Reading ahead, this thread reads the first runs itself while the worker starts (which it does in about the
      // time this thread reads and writes HEAD_RUNS), so neither thread waits at the start.
      if (here === 0) {
        here = Math.min(HEAD_RUNS, Math.floor(expectedRuns / 8));
        ahead = FileReadAhead.start(root, planFrom(plan, here), { options, stored, storedSkips });
      } else if (here !== null) recheck = FileRecheck.start(recheckJobs(planFrom(plan, here), stored, options));
      // This thread's reads look fingerprints up in the map just built (not in the store's packed entries again).
      const runOptions =
        stored.size > 0 || storedSkips.size > 0
          ? {
              ...options,
              storedFingerprint: (n: string) => stored.get(n),
              storedSkipFingerprint: (n: string) => storedSkips.get(n),
            }
          : options;
      let index = 0;
      try {
        for (const { scope, names, notes } of plan) {
          for (const reason of notes) yield { kind: 'skip', skip: { experimentId: scope.exp.id, runId: null, reason } };
          for (const name of names) {
            const at = index++;
            if (recheck && at >= here!) {
              try {
                if (recheck.verdict(at - here!) ?? (await recheck.unchanged(at - here!))) {
                  yield { kind: 'unchanged', runId: name, experimentId: scope.exp.id };
                  continue;
                }
              } catch {
                // The worker failed (it could not start, or stopped): this run and the rest are checked here.
                recheck.close();
                recheck = null;
              }
            } else if (ahead && at >= here!) {
              try {
                yield await ahead.next();
                continue;
              } catch {
                // The worker failed (it could not start, or stopped): this run and the rest are read here.
                ahead.close();
                ahead = null;
              }
            }
            yield readRun(root, scope, name, runOptions);
          }
        }
      } finally {
        ahead?.close();
        ahead = null;
        recheck?.close();
        recheck = null;
      }
    },
  };
}
