/** A rerun's outputs: stale copies removed before it runs, then its MLflow artifacts and --outputs hashed file by file (hash cache reused), MLflow's per-run fields normalised. */
import fs from 'node:fs';
import path from 'node:path';
import type { OutputFile } from '../../../shared/audit/audit';
import { treesToOutputFiles } from '../../../shared/audit/outputs';
import type { TreeState } from '../../../shared/snapshot/snapshot';
import type { HashPool } from '../../platform/hash-pool';
import { hashTree, type HashCache } from '../../platform/hash-tree';
import { withNormalisedHashes } from '../../platform/mlflow-normalised';

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
      ? withNormalisedHashes(await hashTree(options.artifactsDir, { cache, pool, displayPath: 'artifacts' }))
      : null;
  const trees: TreeState[] = artifacts ? [artifacts] : [];
  for (const rel of options.outputs) {
    const abs = path.resolve(options.cwd, rel);
    if (fs.existsSync(abs)) trees.push(withNormalisedHashes(await hashTree(abs, { cache, pool, displayPath: rel })));
  }
  const files = treesToOutputFiles(trees);
  return { artifacts, trees, files };
}
