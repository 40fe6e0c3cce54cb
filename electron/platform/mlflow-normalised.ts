// Adds to a hashed tree the hash of MLflow's own files (MLmodel, meta.yaml) without their per-run fields.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isVolatileMlflowFile, normalizeMlflowText } from '../../shared/audit/outputs';
import type { TreeState } from '../../shared/snapshot/snapshot';

/** MLflow's own files are small; a bigger file of that name is not one of them and is compared as bytes. */
const MAX_NORMALISED_BYTES = 1024 * 1024;

/**
 * Every `MLmodel` and `meta.yaml` of the tree gets `normalizedSha256` beside its raw `sha256`, so a captured or
 * imported run's logged model can be compared with a rerun's although MLflow wrote a new run_id, model_uuid and
 * time into it. Files that cannot be read keep their raw hash only (then they are not compared, never guessed).
 */
export function withNormalisedHashes(tree: TreeState): TreeState {
  if (tree.kind === 'missing') return tree;
  const files = tree.files.map((f) => {
    const rel = tree.kind === 'file' ? tree.path : `${tree.path}/${f.path}`;
    if (f.sha256 === null || f.size > MAX_NORMALISED_BYTES || !isVolatileMlflowFile(rel)) return f;
    const abs = tree.kind === 'file' ? tree.absPath : path.join(tree.absPath, f.path);
    let text: string;
    try {
      text = fs.readFileSync(abs, 'utf8');
    } catch {
      return f;
    }
    const norm = normalizeMlflowText(rel, text);
    return norm === null ? f : { ...f, normalizedSha256: createHash('sha256').update(norm).digest('hex') };
  });
  return { ...tree, files };
}
