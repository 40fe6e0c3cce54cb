/** What an imported run's files say: artifacts hashed, logged models (MLmodel and environment files), a dvc.lock. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { flavorFacts, modelsFromLogModelHistory, type MlflowLoggedModel } from '../../../shared/mlflow/mlflow-snapshot';
import { stripUrlCredentials } from '../../../shared/snapshot/secrets';
import type { DvcEntry, EnvSpec, TreeState } from '../../../shared/snapshot/snapshot';
import type { HashCacheRepository } from '../../db/hash-cache-repository';
import { parseDvcLock } from '../../platform/dvc-lock-parse';
import { hashTree, manifestRootHash } from '../../platform/hash-tree';
import { withNormalisedHashes } from '../../platform/mlflow-normalised';
import { readStoreFile } from './store-files';
import type { RawMlflowRun } from './import-mlflow-types';

/** Text kept of an input example; larger ones are cut (the hash still covers the whole file). */
const MAX_EXAMPLE_TEXT = 64 * 1024;
/** Environment files larger than this keep their hash but not their text. */
const MAX_SPEC_TEXT = 2 * 1024 * 1024;

const MlmodelSchema = z
  .object({
    artifact_path: z.string().optional(),
    model_uuid: z.string().optional(),
    model_id: z.string().nullable().optional(),
    mlflow_version: z.string().optional(),
    flavors: z.record(z.string(), z.unknown()).optional(),
    signature: z.unknown().optional(),
    saved_input_example_info: z.object({ artifact_path: z.string().optional() }).passthrough().optional(),
  })
  .passthrough();

const ENV_FILES: Record<string, string> = {
  MLmodel: 'mlmodel',
  'requirements.txt': 'requirements',
  'python_env.yaml': 'python_env',
  'conda.yaml': 'conda',
};

function readSpec(dir: string, name: string, displayDir: string): EnvSpec | null {
  try {
    // A link could point anywhere on this machine: only regular files inside the store are read.
    if (!fs.lstatSync(path.join(dir, name)).isFile()) return null;
    const bytes = fs.readFileSync(path.join(dir, name));
    return {
      path: `${displayDir}/${name}`,
      kind: ENV_FILES[name]!,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      content: bytes.length <= MAX_SPEC_TEXT ? bytes.toString('utf8') : '',
      provenance: 'declared',
    };
  } catch {
    return null;
  }
}

/** Reads a logged model's folder: MLmodel (flavors, signature, input example) and the environment files beside it. */
function readModelDir(
  dir: string,
  artifactPath: string,
  modelId: string | null,
  warnings: string[],
): MlflowLoggedModel | null {
  const mlmodel = readSpec(dir, 'MLmodel', artifactPath);
  if (!mlmodel) return null;
  let meta: z.infer<typeof MlmodelSchema> = {};
  try {
    const parsed = MlmodelSchema.safeParse(YAML.parse(mlmodel.content));
    if (parsed.success) meta = parsed.data;
    else warnings.push(`software: ${artifactPath}/MLmodel is not in MLflow's format; only its hash was kept`);
  } catch {
    warnings.push(`software: ${artifactPath}/MLmodel is not valid YAML; only its hash was kept`);
  }
  const flavors = flavorFacts(meta.flavors);
  let inputExample: string | null = null;
  const examplePath = meta.saved_input_example_info?.artifact_path;
  if (examplePath && !examplePath.includes('..') && !path.isAbsolute(examplePath)) {
    const abs = path.join(dir, examplePath);
    // A missing example (or one that links out, or is not a file) leaves the rest of the model readable.
    const read = readStoreFile(dir, abs);
    if (read.ok) inputExample = read.text.slice(0, MAX_EXAMPLE_TEXT);
  }
  const files = [
    mlmodel,
    ...['requirements.txt', 'python_env.yaml', 'conda.yaml']
      .map((n) => readSpec(dir, n, artifactPath))
      .filter((f): f is EnvSpec => f !== null),
  ];
  return {
    artifactPath,
    modelId: meta.model_id ?? meta.model_uuid ?? modelId,
    flavors,
    mlflowVersion: meta.mlflow_version ?? null,
    pythonVersion: flavors.python_function?.python_version ?? null,
    signature: meta.signature === undefined || meta.signature === null ? null : JSON.stringify(meta.signature),
    inputExample,
    files,
  };
}

/** What hashTree gives for an empty artifacts folder (the reader's listing found nothing in it). */
export function emptyTree(dir: string): TreeState {
  return {
    path: 'artifacts',
    absPath: path.resolve(dir),
    kind: 'dir',
    rootHash: manifestRootHash([]),
    fileCount: 0,
    totalBytes: 0,
    files: [],
  };
}

/** Fills in what lies on disk: artifacts (hashed), logged models, a dvc.lock among the artifacts. */
export async function completeRun(
  raw: RawMlflowRun,
  hashCache: HashCacheRepository,
  projectDvc: DvcEntry[] | null,
): Promise<void> {
  const rec = raw.record;
  const artifacts: TreeState[] = [];
  const models: MlflowLoggedModel[] = [];
  if (raw.artifactDir) {
    // MLmodel's run_id/model_uuid/time change per run: keep also its hash without them, so audits can compare it
    const tree = raw.artifactsEmpty
      ? emptyTree(raw.artifactDir)
      : withNormalisedHashes(await hashTree(raw.artifactDir, { cache: hashCache, displayPath: 'artifacts' }));
    artifacts.push(tree);
    const modelDirs = tree.files
      .filter((f) => f.path === 'MLmodel' || f.path.endsWith('/MLmodel'))
      .map((f) => path.posix.dirname(f.path))
      // MLflow 2.x keeps a copy of each model's metadata in <model>/metadata/; the model itself is enough.
      .filter((d, _i, all) => !(d.endsWith('/metadata') && all.includes(path.posix.dirname(d))))
      .sort();
    for (const rel of modelDirs) {
      const m = readModelDir(
        path.join(raw.artifactDir, ...rel.split('/')),
        rel === '.' ? 'artifacts' : `artifacts/${rel}`,
        null,
        rec.warnings,
      );
      if (m) models.push(m);
    }
    const lock = tree.files.find((f) => f.path === 'dvc.lock' || /^[^/]+\/dvc\.lock$/.test(f.path));
    // The tree lists links too: a dvc.lock that links out of the store is not read.
    const lockRead =
      lock && !projectDvc ? readStoreFile(raw.artifactDir, path.join(raw.artifactDir, ...lock.path.split('/'))) : null;
    if (lockRead && !lockRead.ok) rec.warnings.push(`import: artifacts/${lock!.path} ${lockRead.reason}; not read`);
    if (lockRead?.ok) {
      const parsed = parseDvcLock(lockRead.text, `artifacts/${lock!.path}`);
      rec.dvc = parsed.entries.map((e) => ({
        ...e,
        note: "recorded in the run's artifacts; not checked against a disk",
      }));
      rec.warnings.push(...parsed.warnings);
    }
  } else if (rec.artifactUri) {
    artifacts.push({
      path: 'artifacts',
      absPath: stripUrlCredentials(rec.artifactUri),
      kind: 'missing',
      rootHash: null,
      fileCount: 0,
      totalBytes: 0,
      files: [],
    });
    rec.warnings.push(
      `outcome: the artifacts at ${stripUrlCredentials(rec.artifactUri)} are not inside the imported store; they were recorded by location only`,
    );
  }
  for (const md of raw.modelDirs) {
    const m = readModelDir(md.dir, md.artifactPath, md.modelId, rec.warnings);
    if (m) models.push(m);
  }
  if (models.length === 0 && rec.tags['mlflow.log-model.history'])
    models.push(...modelsFromLogModelHistory(rec.tags['mlflow.log-model.history']));
  rec.models = models;
  rec.artifacts = artifacts;
  if (projectDvc) rec.dvc = projectDvc.map((e) => ({ ...e }));
}
