// What an MLflow run recorded, in one shape for every store kind, and how its raw values read: metric values, status and source-type numbers, metric histories, requirements, credentials in text.
import type {
  DeclaredDataset,
  DvcEntry,
  EnvSpec,
  Metric,
  Package,
  SnapshotSource,
  TreeState,
} from '../snapshot/snapshot';

/** One logged metric value. */
export interface MlflowMetricPoint {
  step: number;
  value: number;
  timestamp: number | null;
}

/**
 * A metric's history as three columns of one length, in the order the store holds it (timestamps NaN
 * where none was recorded, else finite): how a reader hands over a long history without an object per point.
 */
export interface MlflowMetricColumns {
  steps: Float64Array;
  values: Float64Array;
  timestamps: Float64Array;
}

/** A model the run logged: its MLmodel facts and the environment files beside it. */
export interface MlflowLoggedModel {
  /** Where it lies among the run's artifacts (or `models/<id>` for an MLflow 3 logged model). */
  artifactPath: string;
  modelId: string | null;
  flavors: Record<string, Record<string, string>>;
  mlflowVersion: string | null;
  pythonVersion: string | null;
  /** The signature as JSON text. */
  signature: string | null;
  /** The saved input example (text, possibly cut short). */
  inputExample: string | null;
  /** MLmodel, requirements.txt, python_env.yaml, conda.yaml as found. */
  files: EnvSpec[];
}

/** One MLflow run as read from any store. */
export interface MlflowRunRecord {
  runId: string;
  experimentId: string;
  experimentName: string | null;
  runName: string | null;
  /** MLflow's status name: FINISHED, FAILED, KILLED, RUNNING, SCHEDULED. */
  status: string | null;
  startTime: number | null;
  endTime: number | null;
  lifecycleStage: string | null;
  userId: string | null;
  artifactUri: string | null;
  /** The legacy run columns (MLflow 1.x kept these outside tags). */
  sourceType: string | null;
  sourceName: string | null;
  entryPointName: string | null;
  sourceVersion: string | null;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, MlflowMetricPoint[]>;
  /**
   * Metrics given as columns instead of points (a reader may give any metric either way, never one both
   * ways): the import digests, maps and stores them exactly as the same points in `metrics`.
   */
  metricColumns?: Record<string, MlflowMetricColumns>;
  datasets: DeclaredDataset[];
  models: MlflowLoggedModel[];
  artifacts: TreeState[];
  dvc: DvcEntry[];
  warnings: string[];
}

/** Where the snapshot's record came from and what it is called in reproscope. */
export interface MlflowSnapshotTarget {
  id: string;
  createdAt: string;
  sourceType: SnapshotSource['type'];
  location: string;
  /**
   * Where the histories of metrics given as columns go (sorted, without duplicates), their metrics' history
   * left null; without it, those histories are written into the snapshot as points.
   */
  histories?: Map<string, MlflowMetricColumns>;
}

/** MLflow stores infinities as the largest double (SQLAlchemy cannot store inf). */
const MLFLOW_MAX = 1.7976931348623157e308;

/** Reads an MLflow metric value: numbers, Python's and protobuf's spellings of NaN and infinities, and ±1.797e308 as ±Infinity. */
export function parseMlflowValue(raw: unknown, isNan = false): number | null {
  if (isNan) return Number.NaN;
  let v: number;
  if (typeof raw === 'number') v = raw;
  else if (typeof raw === 'string') {
    const t = raw.trim().toLowerCase();
    if (t === 'nan' || t === '-nan') return Number.NaN;
    if (t === 'inf' || t === 'infinity' || t === '+inf' || t === '+infinity') return Number.POSITIVE_INFINITY;
    if (t === '-inf' || t === '-infinity') return Number.NEGATIVE_INFINITY;
    if (t === '' || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) return null;
    v = Number(t);
  } else return null;
  if (v >= MLFLOW_MAX) return Number.POSITIVE_INFINITY;
  if (v <= -MLFLOW_MAX) return Number.NEGATIVE_INFINITY;
  return v;
}

/** MLflow's file store writes run status as an enum number. */
const STATUS_BY_NUMBER: Record<number, string> = {
  1: 'RUNNING',
  2: 'SCHEDULED',
  3: 'FINISHED',
  4: 'FAILED',
  5: 'KILLED',
};
/** MLflow 1.x file stores write source type as an enum number. */
const SOURCE_TYPE_BY_NUMBER: Record<number, string> = {
  1: 'NOTEBOOK',
  2: 'JOB',
  3: 'PROJECT',
  4: 'LOCAL',
  1000: 'UNKNOWN',
};

/** The status name for a number or a name. */
export function mlflowStatusName(raw: unknown): string | null {
  if (typeof raw === 'number') return STATUS_BY_NUMBER[raw] ?? null;
  if (typeof raw === 'string' && raw.trim() !== '')
    return /^\d+$/.test(raw) ? (STATUS_BY_NUMBER[Number(raw)] ?? null) : raw.trim().toUpperCase();
  return null;
}

/** The source type name for a number or a name. */
export function mlflowSourceTypeName(raw: unknown): string | null {
  if (typeof raw === 'number') return SOURCE_TYPE_BY_NUMBER[raw] ?? null;
  if (typeof raw === 'string' && raw.trim() !== '')
    return /^\d+$/.test(raw) ? (SOURCE_TYPE_BY_NUMBER[Number(raw)] ?? null) : raw.trim();
  return null;
}

/** Removes `user:password@` from every URL inside a text (dataset sources are JSON with URIs in them). */
export function stripCredentialsInText(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s"'\\]*@/gi, '$1');
}

/** A metric's history in step order without exact duplicate lines, and its last value by MLflow's rule (highest step, then timestamp, then value). */
export function summariseMetric(
  points: readonly MlflowMetricPoint[],
  source: string,
): { metric: Metric; duplicates: number } | null {
  if (points.length === 0) return null;
  const sorted = [...points].sort(
    (a, b) => a.step - b.step || (a.timestamp ?? 0) - (b.timestamp ?? 0) || cmpValue(a.value, b.value),
  );
  const history: MlflowMetricPoint[] = [];
  let duplicates = 0;
  for (const p of sorted) {
    const prev = history[history.length - 1];
    if (prev && prev.step === p.step && prev.timestamp === p.timestamp && Object.is(prev.value, p.value)) {
      duplicates++;
      continue;
    }
    history.push({ step: p.step, value: p.value, timestamp: p.timestamp });
  }
  return { metric: { value: history[history.length - 1]!.value, history, source }, duplicates };
}

/**
 * summariseMetric of a history given as columns: the metric (its history left null) and the history in
 * step order without exact duplicates, as columns (the same ones when they were in order already).
 */
export function summariseMetricColumns(
  c: MlflowMetricColumns,
  source: string,
): { metric: Metric; columns: MlflowMetricColumns; duplicates: number } | null {
  const { steps, values, timestamps } = c;
  const n = steps.length;
  if (n === 0) return null;
  const ts = (i: number): number => (Number.isNaN(timestamps[i]!) ? 0 : timestamps[i]!);
  const cmp = (a: number, b: number): number =>
    steps[a]! - steps[b]! || ts(a) - ts(b) || cmpValue(values[a]!, values[b]!);
  let inOrder = true;
  for (let i = 1; i < n && inOrder; i++) if (cmp(i - 1, i) > 0) inOrder = false;
  // The same stable order as summariseMetric's sort (the index breaks ties as a stable sort would).
  const order = inOrder ? null : Array.from({ length: n }, (_, i) => i).sort((a, b) => cmp(a, b) || a - b);
  const at = (k: number): number => (order === null ? k : order[k]!);
  const same = (a: number, b: number): boolean =>
    steps[a] === steps[b] &&
    (timestamps[a] === timestamps[b] || (Number.isNaN(timestamps[a]!) && Number.isNaN(timestamps[b]!))) &&
    Object.is(values[a], values[b]);
  let duplicates = 0;
  for (let k = 1; k < n; k++) if (same(at(k - 1), at(k))) duplicates++;
  let columns = c;
  if (order !== null || duplicates > 0) {
    const kept = n - duplicates;
    columns = { steps: new Float64Array(kept), values: new Float64Array(kept), timestamps: new Float64Array(kept) };
    let j = 0;
    for (let k = 0; k < n; k++) {
      const i = at(k);
      if (k > 0 && same(at(k - 1), i)) continue;
      columns.steps[j] = steps[i]!;
      columns.values[j] = values[i]!;
      columns.timestamps[j] = timestamps[i]!;
      j++;
    }
  }
  const last = columns.values[columns.values.length - 1]!;
  return { metric: { value: last, history: null, source }, columns, duplicates };
}

/** Orders values with NaN lowest, as the last value should be a number where one exists. */
function cmpValue(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
  if (Number.isNaN(b)) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Packages pinned in a requirements.txt (`name==version`); other lines are kept only in the file itself. */
export function requirementsPackages(text: string): Package[] {
  const out: Package[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*===?\s*([^\s;,]+)/.exec(line);
    if (m) out.push({ name: m[1]!.toLowerCase().replace(/_/g, '-'), version: m[3]!, installer: null, editable: false });
  }
  return out;
}
