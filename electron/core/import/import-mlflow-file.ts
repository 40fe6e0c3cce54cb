/* eslint-disable max-lines -- split pending: owner issue-13 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
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
import {
  experimentMatches,
  type LocalModelDir,
  type MlflowExperimentInfo,
  type MlflowReadItem,
  type MlflowReadOptions,
  type MlflowStoreReader,
} from './import-mlflow-types';
import { isInside, readStoreFile, storeEntryKind, storePathKind } from './store-files';

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

const idText = z.union([z.string(), z.number().int()]).transform(String);
const millis = z
  .union([z.number(), z.string().regex(/^\d+$/).transform(Number)])
  .nullable()
  .optional();

const ExperimentMetaSchema = z
  .object({
    experiment_id: idText,
    name: z.string(),
    artifact_location: z.string().nullable().optional(),
    lifecycle_stage: z.string().nullable().optional(),
  })
  .passthrough();

const RunMetaSchema = z
  .object({
    run_uuid: z.string().optional(),
    run_id: z.string().optional(),
    experiment_id: idText,
    status: z.union([z.number().int(), z.string()]).nullable().optional(),
    start_time: millis,
    end_time: millis,
    lifecycle_stage: z.string().nullable().optional(),
    user_id: z.string().nullable().optional(),
    artifact_uri: z.string().nullable().optional(),
    run_name: z.string().nullable().optional(),
    name: z.string().nullable().optional(),
    source_type: z.union([z.number().int(), z.string()]).nullable().optional(),
    source_name: z.string().nullable().optional(),
    entry_point_name: z.string().nullable().optional(),
    source_version: z.string().nullable().optional(),
  })
  .passthrough();

const DatasetMetaSchema = z
  .object({
    name: z.string(),
    digest: z.string().nullable().optional(),
    source_type: z.string().nullable().optional(),
    source: z.string().nullable().optional(),
    schema: z.string().nullable().optional(),
  })
  .passthrough();

const InputMetaSchema = z
  .object({
    source_type: z.union([z.string(), z.number()]).optional(),
    source_id: z.string(),
    tags: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String))
      .nullable()
      .optional(),
  })
  .passthrough();

const OutputMetaSchema = z
  .object({
    destination_id: z.string().optional(),
    destination_type: z.union([z.string(), z.number()]).optional(),
  })
  .passthrough();

const LoggedModelMetaSchema = z
  .object({
    model_id: z.string().optional(),
    name: z.string().nullable().optional(),
    source_run_id: z.string().nullable().optional(),
  })
  .passthrough();

/** A meta.yaml scalar in MLflow's flat `key: value` form, or undefined when the line needs a full YAML parser. */
function flatScalar(text: string): unknown {
  if (text === '' || text === 'null' || text === '~') return null;
  if (text === '[]') return [];
  if (text === '{}') return {};
  if (text === 'true') return true;
  if (text === 'false') return false;
  // A leading zero means an id, not a number (PyYAML quotes such ids, but hand-made files may not).
  if (/^-?\d+$/.test(text)) return /^-?0\d/.test(text) ? text : Number(text);
  if (/^-?\d+\.\d*(e[+-]?\d+)?$/i.test(text)) return Number(text);
  if (text.startsWith("'")) return /^'([^']|'')*'$/.test(text) ? text.slice(1, -1).replace(/''/g, "'") : undefined;
  if (/^[&*!|>%@`"{[#?:,\]}-]/.test(text) || text.includes(': ') || text.includes(' #') || /\s$/.test(text))
    return undefined;
  return text;
}

/** Parses a meta.yaml: MLflow writes flat mappings, read here without a YAML parser; anything else goes through one. */
export function parseMetaYaml(text: string): unknown {
  const out: Record<string, unknown> = {};
  for (const line of text.split('\n')) {
    if (line === '' || line === '\r') continue;
    const m = /^([A-Za-z_][\w]*): ?(.*?)\r?$/.exec(line);
    const value = m ? flatScalar(m[2]!) : undefined;
    if (!m || value === undefined) return YAML.parse(text);
    out[m[1]!] = value;
  }
  return out;
}

function readMeta<T extends z.ZodType>(
  root: string,
  file: string,
  schema: T,
): { ok: true; value: z.output<T> } | { ok: false; reason: string } {
  const read = readStoreFile(root, file);
  if (!read.ok)
    return { ok: false, reason: `meta.yaml ${read.reason}${read.code === 'LINK_OUT' ? '; not followed' : ''}` };
  const text = read.text;
  let raw: unknown;
  try {
    raw = parseMetaYaml(text);
  } catch (e) {
    return { ok: false, reason: `meta.yaml is not valid YAML (${(e as Error).message.split('\n')[0]})` };
  }
  if (raw === null || raw === undefined) return { ok: false, reason: 'meta.yaml is empty' };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      reason: `meta.yaml is not in MLflow's format (${issue ? `${issue.path.join('.') || 'root'}: ${issue.message}` : 'invalid'})`,
    };
  }
  return { ok: true, value: parsed.data };
}

function listDirs(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/**
 * Reads every file below a run's folder `sub` (params, tags, metrics) as name → text (names may contain
 * `/`, as MLflow allows in keys). MLflow never writes links: a link out of the store, a folder link (which
 * could loop) and anything that is not a regular file are left out, each named in `notes`.
 */
function readKeyFiles(root: string, runDir: string, sub: string, notes: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (abs: string, prefix: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(abs, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    for (const e of entries) {
      const name = prefix + e.name;
      const file = path.join(abs, e.name);
      if (e.isDirectory()) {
        visit(file, `${name}/`);
        continue;
      }
      const kind = e.isFile() ? 'file' : storeEntryKind(root, file, e);
      if (kind === 'file') {
        const read = readStoreFile(root, file);
        if (read.ok) out.set(name, read.text);
        else notes.push(`${sub}/${name} ${read.reason}; not read`);
      } else if (kind === 'link-out') notes.push(`${sub}/${name} links outside the MLflow store; not followed`);
      else if (kind === 'dir') notes.push(`${sub}/${name} is a folder link; not followed`);
      else notes.push(`${sub}/${name} is not a regular file; not read`);
    }
  };
  const top = path.join(runDir, sub);
  const kind = storePathKind(root, top);
  if (kind === 'link-out') notes.push(`${sub} links outside the MLflow store; not followed`);
  else if (kind === 'dir') visit(top, '');
  else if (kind !== null) notes.push(`${sub} is not a folder; not read`);
  return out;
}

/** The sub-folders of a store folder, or none (with a note) when the folder itself links out of the store. */
function listStoreDirs(root: string, dir: string, notes: string[], label: string): string[] {
  const kind = storePathKind(root, dir);
  if (kind === 'link-out') {
    notes.push(`${label} links outside the MLflow store; not followed`);
    return [];
  }
  return kind === 'dir' ? listDirs(dir) : [];
}

/** Parses one metric file: lines `timestamp value [step [more…]]`; throws a sentence naming the bad line. */
export function parseMetricLines(name: string, text: string): MlflowMetricPoint[] {
  const points: MlflowMetricPoint[] = [];
  const n = text.length;
  let lineNo = 0;
  let at = 0;
  while (at < n) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = n;
    lineNo++;
    // MLflow's own lines are `<digits> <value> <digits>`: read those in place; anything else goes the careful way.
    const p = fastMetricLine(text, at, end);
    if (p !== null) points.push(p);
    else {
      const slow = parseMetricLine(name, text.slice(at, end), lineNo);
      if (slow !== null) points.push(slow);
    }
    at = end + 1;
  }
  return points;
}

const MLFLOW_MAX = 1.7976931348623157e308;

/** Reads `ts value step` or `ts value` made of plain digits (at most 15, so exact) around a value, or null to let parseMetricLine decide. */
function fastMetricLine(text: string, start: number, end: number): MlflowMetricPoint | null {
  let i = start;
  let ts = 0;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    ts = ts * 10 + (c - 48);
    i++;
  }
  if (i === start || i - start > 15 || i >= end || text.charCodeAt(i) !== 32) return null;
  const valueStart = ++i;
  while (i < end && text.charCodeAt(i) !== 32) i++;
  if (i === valueStart) return null;
  const valueEnd = i;
  let step = 0;
  if (i < end) {
    let neg = false;
    if (text.charCodeAt(++i) === 45) {
      neg = true;
      i++;
    }
    const digitsStart = i;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) return null;
      step = step * 10 + (c - 48);
      i++;
    }
    if (i === digitsStart || i - digitsStart > 15) return null;
    if (neg) step = -step; // "-0" reads as -0, as Number() reads it
  } else {
    // Two fields: the value ends the line, so it must not end in what trim() would remove.
    const last = text.charCodeAt(valueEnd - 1);
    if (!((last >= 48 && last <= 57) || (last >= 65 && last <= 90) || (last >= 97 && last <= 122) || last === 46))
      return null;
  }
  const value = Number(text.slice(valueStart, valueEnd));
  if (!Number.isFinite(value) || Math.abs(value) >= MLFLOW_MAX) return null;
  return { step, value, timestamp: ts };
}

/** One metric line read field by field (any spacing, Python's spellings of NaN and infinities); null for a blank line. */
function parseMetricLine(name: string, raw: string, lineNo: number): MlflowMetricPoint | null {
  const line = raw.trim();
  if (line === '') return null;
  const parts = line.split(' ');
  if (parts.length < 2)
    throw new Error(`metric ${name} line ${lineNo} has ${parts.length} field; MLflow writes "timestamp value [step]"`);
  const ts = Number(parts[0]);
  const rawValue = parts[1]!;
  let value = rawValue === '' ? Number.NaN : Number(rawValue);
  if (Number.isNaN(value) || !Number.isFinite(value) || Math.abs(value) >= MLFLOW_MAX) {
    const parsed = parseMlflowValue(rawValue);
    if (parsed === null) throw new Error(`metric ${name} line ${lineNo}: "${rawValue.slice(0, 40)}" is not a number`);
    value = parsed;
  }
  const step = parts.length >= 3 ? Number(parts[2]) : 0;
  if (!Number.isInteger(ts) || !Number.isInteger(step))
    throw new Error(`metric ${name} line ${lineNo}: timestamp and step must be whole numbers`);
  return { step, value, timestamp: ts };
}

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

interface ExperimentModel {
  dir: string;
  modelId: string;
  name: string | null;
  sourceRunId: string | null;
}

/** MLflow 3 logged models of an experiment (`<exp>/models/<id>/`). */
function listLoggedModels(root: string, expDir: string, notes: string[]): Map<string, ExperimentModel> {
  const out = new Map<string, ExperimentModel>();
  const modelsDir = path.join(expDir, 'models');
  for (const id of listStoreDirs(root, modelsDir, notes, 'the models folder')) {
    const dir = path.join(modelsDir, id);
    const meta = readMeta(root, path.join(dir, 'meta.yaml'), LoggedModelMetaSchema);
    out.set(id, {
      dir,
      modelId: meta.ok ? (meta.value.model_id ?? id) : id,
      name: meta.ok ? (meta.value.name ?? null) : null,
      sourceRunId: meta.ok ? (meta.value.source_run_id ?? null) : null,
    });
  }
  return out;
}

/** The experiment's datasets by id (`<exp>/datasets/<id>/meta.yaml`). */
function readDatasets(root: string, expDir: string, notes: string[]): Map<string, Omit<DeclaredDataset, 'context'>> {
  const out = new Map<string, Omit<DeclaredDataset, 'context'>>();
  const dir = path.join(expDir, 'datasets');
  for (const id of listStoreDirs(root, dir, notes, 'the datasets folder')) {
    const meta = readMeta(root, path.join(dir, id, 'meta.yaml'), DatasetMetaSchema);
    if (!meta.ok) continue;
    const d = meta.value;
    out.set(id, {
      name: d.name,
      digest: d.digest ?? null,
      source: d.source ? stripCredentialsInText(d.source) : null,
      sourceType: d.source_type ?? null,
      schema: d.schema ?? null,
    });
  }
  return out;
}

/** One experiment folder with what it declares for its runs: its datasets and logged models, read once. */
interface ExperimentScope {
  exp: MlflowExperimentInfo & { dir: string };
  datasets: Map<string, Omit<DeclaredDataset, 'context'>>;
  models: Map<string, ExperimentModel>;
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
  // `name` came from listDirs, which lists real folders only (never links), inside an experiment folder
  // already checked to lie in the store: the run folder lies in the store too, so no realpath is needed.
  const meta = readMeta(root, path.join(runDir, 'meta.yaml'), RunMetaSchema);
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

  // One listing of the run folder saves a failed lookup for each folder MLflow did not write (inputs, outputs…).
  let entries: Map<string, fs.Dirent> | null;
  try {
    entries = new Map(fs.readdirSync(runDir, { withFileTypes: true }).map((e) => [e.name, e]));
  } catch {
    entries = null;
  }
  const has = (sub: string): boolean => entries === null || entries.has(sub);
  const none = new Map<string, string>();

  let params: Map<string, string>;
  let tags: Map<string, string>;
  const metrics: Record<string, MlflowMetricPoint[]> = {};
  // What was left out because it links out of the store or is not a file: kept as warnings on the run.
  const notes: string[] = [];
  try {
    params = has('params') ? readKeyFiles(root, runDir, 'params', notes) : none;
    tags = has('tags') ? readKeyFiles(root, runDir, 'tags', notes) : none;
    if (has('metrics'))
      for (const [metric, text] of readKeyFiles(root, runDir, 'metrics', notes))
        metrics[metric] = parseMetricLines(metric, text);
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
        metrics,
        datasets: runDatasets,
        models: [],
        artifacts: [],
        dvc: [],
        warnings,
      },
      artifactDir,
      modelDirs,
    },
  };
}
