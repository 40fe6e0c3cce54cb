// An MLflow run record mapped into a snapshot (snapshotFromMlflowRun), every fact marked declared; the record's shape and value readers are in mlflow-records, logged models in mlflow-models, re-exported here.
import { emptyRecord, hasName, ownValue } from '../records';
import { REDACTED, isSecretName, looksLikeSecret, stripUrlCredentials } from '../snapshot/secrets';
import { findParameterSeeds } from '../snapshot/seeds';
import { emptySnapshot, type EnvSpec, type Metric, type Package, type Snapshot } from '../snapshot/snapshot';
import {
  requirementsPackages,
  type MlflowRunRecord,
  type MlflowSnapshotTarget,
  stripCredentialsInText,
  summariseMetric,
  summariseMetricColumns,
  type MlflowMetricColumns,
  type MlflowMetricPoint,
} from './mlflow-records';
export * from './mlflow-records';
export * from './mlflow-models';

/**
 * What an MLflow run recorded, in one shape whatever store it came from (file store, SQLite,
 * tracking server), and its mapping into a snapshot. Every fact here is declared by MLflow, not
 * observed by reproscope, and the snapshot says so.
 */

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

/** The names of a run's metrics, given as points or as columns, sorted. */
export function metricNames(run: Pick<MlflowRunRecord, 'metrics' | 'metricColumns'>): string[] {
  const names = Object.keys(run.metrics);
  if (run.metricColumns)
    for (const n of Object.keys(run.metricColumns)) if (!Object.hasOwn(run.metrics, n)) names.push(n);
  return names.sort();
}

/** A history given as columns, as points. */
function historyPoints({ steps, values, timestamps }: MlflowMetricColumns): MlflowMetricPoint[] {
  const out = new Array<MlflowMetricPoint>(steps.length);
  for (let i = 0; i < steps.length; i++) {
    const t = timestamps[i]!;
    out[i] = { step: steps[i]!, value: values[i]!, timestamp: Number.isNaN(t) ? null : t };
  }
  return out;
}

const iso = (ms: number | null): string | null =>
  ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString();

/** Builds the snapshot of an MLflow run: facts in their categories, all marked as declared. */
export function snapshotFromMlflowRun(run: MlflowRunRecord, target: MlflowSnapshotTarget): Snapshot {
  const s = emptySnapshot(target.id, 'import', target.createdAt);
  const tags = run.tags;
  const warnings = [...run.warnings];
  s.name = ownValue(tags, 'mlflow.runName') ?? run.runName ?? null;
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
    const url = ownValue(tags, key);
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

  const parameters = emptyRecord<string>();
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

  const metrics = emptyRecord<Metric>();
  let duplicates = 0;
  const columns = run.metricColumns ?? {};
  for (const name of metricNames(run)) {
    const given = Object.hasOwn(columns, name) ? columns[name] : undefined;
    if (given !== undefined) {
      const summary = summariseMetricColumns(given, 'mlflow');
      if (!summary) continue;
      if (target.histories) target.histories.set(name, summary.columns);
      else summary.metric.history = historyPoints(summary.columns);
      metrics[name] = summary.metric;
      duplicates += summary.duplicates;
      continue;
    }
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

  const keptTags = emptyRecord<string>();
  for (const key of Object.keys(tags).sort()) {
    if (MAPPED_TAGS.has(key)) continue;
    const value = tags[key]!;
    if (isSecretName(key) || looksLikeSecret(value)) {
      keptTags[key] = REDACTED;
      warnings.push(`tags: the value of tag ${key} looked like a secret and was not imported`);
    } else keptTags[key] = stripUrlCredentials(value);
  }
  if (!hasName(keptTags, 'mlflow.source.type') && run.sourceType) keptTags['mlflow.source.type'] = run.sourceType;
  if (!hasName(keptTags, 'mlflow.source.name') && run.sourceName)
    keptTags['mlflow.source.name'] = stripUrlCredentials(run.sourceName);
  s.tags = keptTags;
  s.warnings = warnings;
  return s;
}
