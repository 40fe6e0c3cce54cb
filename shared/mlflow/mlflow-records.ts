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
