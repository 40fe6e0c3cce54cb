/** A rerun's outputs: stale copies removed before it runs, then its MLflow artifacts and --outputs hashed file by file (hash cache reused), MLflow's per-run fields normalised. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { OutputFile } from '../../../shared/audit/audit';
import { isVolatileMlflowFile, normalizeMlflowText, treesToOutputFiles } from '../../../shared/audit/outputs';
import type { TreeState } from '../../../shared/snapshot/snapshot';
import type { HashPool } from '../../platform/hash-pool';
import { hashTree, type HashCache } from '../../platform/hash-tree';

/** MLflow's own files are small; a bigger file of that name is not one of them and is compared as bytes. */
const MAX_NORMALISED_BYTES = 1024 * 1024;

/**
 * Removes the files a rerun is expected to write (metrics files, `--outputs`) from its fresh copy of
 * the project before it runs: a git-ignored `metrics.json` copied in from the checkout would otherwise
 * be read as this rerun's result, even when the rerun failed.
 */
export function clearExpectedOutputs(cwd: string, relPaths: readonly string[]): void {
  for (const rel of new Set(relPaths)) {
    const abs = path.resolve(cwd, rel);
    const inside = path.relative(cwd, abs);
    if (!inside || inside.startsWith('..') || path.isAbsolute(inside)) continue;
    fs.rmSync(abs, { recursive: true, force: true });
  }
}

/** Hashes the MLflow run's artifacts folder and the `--outputs` paths; returns the trees (for the snapshot) and the files (for the comparison). */
export async function hashRerunOutputs(options: {
  artifactsDir: string;
  cwd: string;
  outputs: readonly string[];
  cache: HashCache;
  pool: HashPool;
}): Promise<{ artifacts: TreeState | null; trees: TreeState[]; files: OutputFile[] }> {
  const { cache, pool } = options;
  const artifacts =
    fs.existsSync(options.artifactsDir) && fs.readdirSync(options.artifactsDir).length > 0
      ? await hashTree(options.artifactsDir, { cache, pool, displayPath: 'artifacts' })
      : null;
  const trees: TreeState[] = artifacts ? [artifacts] : [];
  for (const rel of options.outputs) {
    const abs = path.resolve(options.cwd, rel);
    if (fs.existsSync(abs)) trees.push(await hashTree(abs, { cache, pool, displayPath: rel }));
  }
  const files = treesToOutputFiles(trees).map((f) => normalised(f, trees));
  return { artifacts, trees, files };
}

/** Where an output file lies on disk, from the tree it was listed in. */
function absOf(f: OutputFile, trees: readonly TreeState[]): string | null {
  for (const t of trees) {
    if (t.kind === 'file' && f.path === t.path) return t.absPath;
    if (t.kind === 'dir' && f.path.startsWith(`${t.path}/`))
      return path.join(t.absPath, f.path.slice(t.path.length + 1));
  }
  return null;
}

function normalised(f: OutputFile, trees: readonly TreeState[]): OutputFile {
  if (!isVolatileMlflowFile(f.path) || f.size > MAX_NORMALISED_BYTES) return f;
  const abs = absOf(f, trees);
  if (!abs) return f;
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch {
    return f;
  }
  const norm = normalizeMlflowText(f.path, text);
  if (norm === null) return f;
  return { ...f, sha256: createHash('sha256').update(norm).digest('hex'), normalised: true };
}
