/** The data check before the reruns: each input hashed where the reruns will read it, compared with what the original recorded. */
import fs from 'node:fs';
import path from 'node:path';
import type { DataCheck } from '../../../shared/audit/audit';
import { ReproError } from '../../../shared/errors';
import type { Snapshot, TreeState } from '../../../shared/snapshot/snapshot';
import { HashPool } from '../../platform/hash-pool';
import { statInputPath } from '../../platform/hash-tree';
import { hashPaths } from '../capture';
import type { CoreContext } from '../core-context';

/** One data input: where the user named it, and where a rerun reads it. */
export interface DataInput {
  /** As the original would have recorded it (absolute, in the user's folder). */
  abs: string;
  /** What a rerun reads: the same file in the rerun's copy of the project, or `abs` for a path passed as an absolute parameter. */
  seenAt: string;
  /** Only known from the original's record (not named by the user): a missing file is a changed input, not an error. */
  recorded?: boolean;
}

/**
 * Where a rerun reads a data path: a `path` parameter is passed absolute (as `mlflow run` does), so
 * the rerun reads the checkout's file; a `--data` path inside the project is read relative to the
 * rerun's copy, which holds the audited commit with the original's patch (not the checkout's edits).
 */
export function dataInputsAsSeen(options: {
  pathParameters: readonly string[];
  dataPaths: readonly string[];
  /** Inputs the original recorded reading, inside the project. */
  recordedPaths?: readonly string[];
  projectDir: string | null;
  /** A workspace built like every rerun's, or null when reruns copy the folder as it is. */
  inspectDir: string | null;
}): DataInput[] {
  const { projectDir, inspectDir } = options;
  const mapped = (abs: string): string => {
    if (!projectDir || !inspectDir) return abs;
    const rel = path.relative(projectDir, abs);
    return rel.startsWith('..') || path.isAbsolute(rel) ? abs : path.join(inspectDir, rel);
  };
  const params = options.pathParameters.map((abs) => ({ abs, seenAt: abs }));
  const named = new Set(params.map((p) => p.abs));
  const given = options.dataPaths.filter((abs) => !named.has(abs)).map((abs) => ({ abs, seenAt: mapped(abs) }));
  for (const g of given) named.add(g.abs);
  const recorded = (options.recordedPaths ?? [])
    .filter((abs) => !named.has(abs))
    .map((abs) => ({ abs, seenAt: mapped(abs), recorded: true }));
  return [...params, ...given, ...recorded];
}

/** Hashes each input where the reruns see it and compares it with the original's recorded input of the same path. */
export async function checkData(options: {
  inputs: readonly DataInput[];
  cwd: string;
  reference: Snapshot | null;
  ctx: CoreContext;
  task: string;
}): Promise<{ checks: DataCheck[]; trees: TreeState[] }> {
  const { inputs, cwd, reference, ctx, task } = options;
  const checks: DataCheck[] = [];
  const trees: TreeState[] = [];
  if (inputs.length === 0) return { checks, trees };
  const pool = new HashPool();
  try {
    for (const { abs, seenAt, recorded } of inputs) {
      if (!fs.existsSync(seenAt) && recorded) {
        const original = reference?.data.inputs.find((i) => i.absPath === abs);
        checks.push({
          path: path.relative(cwd, abs) || abs,
          originalHash: original?.rootHash ?? null,
          currentHash: null,
          same: false,
        });
        continue;
      }
      if (!fs.existsSync(seenAt) && !isLink(seenAt))
        throw new ReproError(
          'DATA_PATH_MISSING',
          `data path ${abs} does not exist${seenAt !== abs ? ' in the audited commit' : ''}`,
          'Check --data.',
        );
      statInputPath(seenAt, abs, 'data'); // a FIFO, a device or a link loop is refused, not hashed for ever
      const shown = path.relative(cwd, abs) || abs;
      const [tree] = await hashPaths([seenAt], cwd, {
        cache: ctx.hashCache,
        pool,
        onProgress: ctx.events.publish,
        task,
      });
      trees.push({ ...tree!, path: shown, absPath: abs });
      const original = reference?.data.inputs.find(
        (i) => i.absPath === abs || path.resolve(reference.process.cwd ?? '', i.path) === abs || i.path === shown,
      );
      checks.push({
        path: shown,
        originalHash: original?.rootHash ?? null,
        currentHash: tree!.rootHash,
        same: original ? original.rootHash === tree!.rootHash : null,
      });
    }
  } finally {
    await pool.close();
  }
  return { checks, trees };
}

/** Whether a path is a symbolic link (a dangling one or a loop gets its own message from statInputPath). */
function isLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
