// MLflow logged models as a snapshot sees them: the mlflow.log-model.history tag and each model's flavors.
import { z } from 'zod';
import { emptyRecord } from '../records';
import type { MlflowLoggedModel } from './mlflow-records';

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
  const out = emptyRecord<Record<string, string>>();
  if (flavors === null || typeof flavors !== 'object') return out;
  for (const [name, facts] of Object.entries(flavors as Record<string, unknown>)) {
    const flat = emptyRecord<string>();
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
