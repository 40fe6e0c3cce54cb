import { z } from 'zod';
import { REDACTED, isSecretName, looksLikeSecret, stripUrlCredentials } from '../snapshot/secrets';
import { findParameterSeeds } from '../snapshot/seeds';
import {
  emptySnapshot,
  type DeclaredDataset,
  type DvcEntry,
  type EnvSpec,
  type Metric,
  type Package,
  type Snapshot,
  type SnapshotSource,
  type TreeState,
} from '../snapshot/snapshot';

/**
 * What an MLflow run recorded, in one shape whatever store it came from (file store, SQLite,
 * tracking server), and its mapping into a snapshot. Every fact here is declared by MLflow, not
 * observed by reproscope, and the snapshot says so.
 */

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

function outcomeStatus(status: string | null): Snapshot['outcome']['status'] {
  switch (status) {
    case 'FINISHED':
      return 'finished';
    case 'FAILED':
      return 'failed';
    case 'KILLED':
      return 'interrupted';
    case 'RUNNING':
    case 'SCHEDULED':
      return 'running';
    default:
      return 'unknown';
  }
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

/** Tags whose facts move into a category; the rest stay tags. */
const MAPPED_TAGS = new Set([
  'mlflow.runName',
  'mlflow.user',
  'mlflow.source.git.commit',
  'mlflow.source.git.branch',
  'mlflow.source.git.repoURL',
  'mlflow.gitRepoURL',
  'mlflow.project.entryPoint',
  'mlflow.log-model.history',
]);

const iso = (ms: number | null): string | null =>
  ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString();

/** Builds the snapshot of an MLflow run: facts in their categories, all marked as declared. */
export function snapshotFromMlflowRun(run: MlflowRunRecord, target: MlflowSnapshotTarget): Snapshot {
  const s = emptySnapshot(target.id, 'import', target.createdAt);
  const tags = run.tags;
  const warnings = [...run.warnings];
  s.name = tags['mlflow.runName'] ?? run.runName ?? null;
  s.project = { root: null, name: run.experimentName };
  s.source = {
    type: target.sourceType,
    location: target.location,
    experimentId: run.experimentId,
    experimentName: run.experimentName,
    runId: run.runId,
    lifecycleStage: run.lifecycleStage,
  };

  const commit = tags['mlflow.source.git.commit'] ?? (run.sourceVersion || null);
  const remotes: { name: string; url: string }[] = [];
  for (const key of ['mlflow.source.git.repoURL', 'mlflow.gitRepoURL']) {
    const url = tags[key];
    if (url && !remotes.some((r) => r.url === stripUrlCredentials(url)))
      remotes.push({ name: remotes.length === 0 ? 'origin' : key, url: stripUrlCredentials(url) });
  }
  const sourceName = tags['mlflow.source.name'] ?? (run.sourceName || null);
  const sourceType = tags['mlflow.source.type'] ?? run.sourceType;
  s.code = {
    ...s.code,
    vcs: commit ? 'git' : 'unknown',
    provenance: 'declared',
    commit,
    branch: tags['mlflow.source.git.branch'] ?? null,
    remotes,
    note:
      sourceName || sourceType
        ? `declared by MLflow: source ${sourceType ?? 'unknown'}${sourceName ? ` ${stripUrlCredentials(sourceName)}` : ''}`
        : 'declared by MLflow',
  };

  s.data.declared = run.datasets.map((d) => ({
    ...d,
    source: d.source === null ? null : stripCredentialsInText(d.source),
  }));
  s.data.dvc = run.dvc;

  const envSpecs: EnvSpec[] = [];
  const packages = new Map<string, Package>();
  let pythonVersion: string | null = null;
  for (const model of run.models) {
    pythonVersion ??= model.pythonVersion;
    for (const file of model.files) {
      envSpecs.push(file);
      if (file.kind === 'requirements')
        for (const p of requirementsPackages(file.content)) if (!packages.has(p.name)) packages.set(p.name, p);
    }
    for (const [flavor, facts] of Object.entries(model.flavors)) {
      const versions = Object.fromEntries(Object.entries(facts).filter(([k]) => /version$/.test(k)));
      if (Object.keys(versions).length > 0)
        s.software.numerics[`${flavor} (logged model ${model.artifactPath})`] = versions;
    }
  }
  s.software = {
    ...s.software,
    python: { ...s.software.python, version: pythonVersion },
    packages: [...packages.values()].sort((a, b) => a.name.localeCompare(b.name)),
    packagesProvenance: 'declared',
    envSpecs,
  };
  s.hardware = { ...s.hardware, provenance: 'declared' };

  const parameters: Record<string, string> = {};
  for (const [name, value] of Object.entries(run.params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (isSecretName(name) || looksLikeSecret(value)) {
      parameters[name] = REDACTED;
      warnings.push(`process: the value of parameter ${name} looked like a secret and was not imported`);
    } else parameters[name] = value;
  }
  s.randomness = { ...s.randomness, seeds: findParameterSeeds(parameters).filter((seed) => seed.value !== REDACTED) };

  const started = run.startTime;
  const ended = run.endTime;
  s.process = {
    ...s.process,
    entryPoint: tags['mlflow.project.entryPoint'] ?? (run.entryPointName || null),
    parameters,
    user: tags['mlflow.user'] ?? run.userId,
    startedAt: iso(started),
    endedAt: iso(ended),
    durationMs: started !== null && ended !== null && ended >= started ? ended - started : null,
  };

  const metrics: Record<string, Metric> = {};
  let duplicates = 0;
  for (const name of Object.keys(run.metrics).sort()) {
    const summary = summariseMetric(run.metrics[name]!, 'mlflow');
    if (!summary) continue;
    metrics[name] = summary.metric;
    duplicates += summary.duplicates;
  }
  if (duplicates > 0)
    warnings.push(
      `outcome: ${duplicates} duplicated metric value${duplicates === 1 ? ' was' : 's were'} recorded once`,
    );
  s.outcome = { ...s.outcome, status: outcomeStatus(run.status), metrics, artifacts: run.artifacts };

  const keptTags: Record<string, string> = {};
  for (const key of Object.keys(tags).sort()) {
    if (MAPPED_TAGS.has(key)) continue;
    const value = tags[key]!;
    if (isSecretName(key) || looksLikeSecret(value)) {
      keptTags[key] = REDACTED;
      warnings.push(`tags: the value of tag ${key} looked like a secret and was not imported`);
    } else keptTags[key] = stripUrlCredentials(value);
  }
  if (!('mlflow.source.type' in keptTags) && run.sourceType) keptTags['mlflow.source.type'] = run.sourceType;
  if (!('mlflow.source.name' in keptTags) && run.sourceName)
    keptTags['mlflow.source.name'] = stripUrlCredentials(run.sourceName);
  s.tags = keptTags;
  s.warnings = warnings;
  return s;
}

const LoggedModelHistorySchema = z.array(
  z
    .object({
      artifact_path: z.string().optional(),
      model_uuid: z.string().optional(),
      model_id: z.string().optional(),
      mlflow_version: z.string().optional(),
      flavors: z.record(z.string(), z.unknown()).optional(),
      signature: z.unknown().optional(),
    })
    .passthrough(),
);

/** Only the scalar facts of a flavor (versions, loader modules), as text. */
export function flavorFacts(flavors: unknown): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  if (flavors === null || typeof flavors !== 'object') return out;
  for (const [name, facts] of Object.entries(flavors as Record<string, unknown>)) {
    const flat: Record<string, string> = {};
    if (facts !== null && typeof facts === 'object') {
      for (const [k, v] of Object.entries(facts as Record<string, unknown>)) {
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') flat[k] = String(v);
      }
    }
    out[name] = flat;
  }
  return out;
}

/** The models named by the `mlflow.log-model.history` tag (where the files themselves cannot be read); the newest per artifact path. */
export function modelsFromLogModelHistory(text: string): MlflowLoggedModel[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return [];
  }
  const parsed = LoggedModelHistorySchema.safeParse(raw);
  if (!parsed.success) return [];
  const byPath = new Map<string, MlflowLoggedModel>();
  for (const m of parsed.data) {
    const flavors = flavorFacts(m.flavors);
    const artifactPath = m.artifact_path ?? m.model_id ?? m.model_uuid ?? 'model';
    byPath.set(artifactPath, {
      artifactPath,
      modelId: m.model_id ?? m.model_uuid ?? null,
      flavors,
      mlflowVersion: m.mlflow_version ?? null,
      pythonVersion: flavors.python_function?.python_version ?? null,
      signature: m.signature === undefined || m.signature === null ? null : JSON.stringify(m.signature),
      inputExample: null,
      files: [],
    });
  }
  return [...byPath.values()];
}
