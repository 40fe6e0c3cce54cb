/** What an experiment folder of a file store declares for its runs: datasets and MLflow 3 logged models, read once. */
import path from 'node:path';
import { stripCredentialsInText } from '../../../shared/mlflow/mlflow-snapshot';
import type { DeclaredDataset } from '../../../shared/snapshot/snapshot';
import type { MlflowExperimentInfo } from './import-mlflow-types';
import { DatasetMetaSchema, listStoreDirs, LoggedModelMetaSchema, readMeta } from './import-file-meta';

/** A logged model an experiment folder holds. */
export interface ExperimentModel {
  dir: string;
  modelId: string;
  name: string | null;
  sourceRunId: string | null;
}

/** MLflow 3 logged models of an experiment (`<exp>/models/<id>/`). */
export function listLoggedModels(root: string, expDir: string, notes: string[]): Map<string, ExperimentModel> {
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
export function readDatasets(
  root: string,
  expDir: string,
  notes: string[],
): Map<string, Omit<DeclaredDataset, 'context'>> {
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
export interface ExperimentScope {
  exp: MlflowExperimentInfo & { dir: string };
  datasets: Map<string, Omit<DeclaredDataset, 'context'>>;
  models: Map<string, ExperimentModel>;
}
