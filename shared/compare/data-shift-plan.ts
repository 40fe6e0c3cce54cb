// Which files of two runs' data inputs and outputs differ and how to read them: manifests merged with renames (same content, new path) recognised, and each file's kind told by its name.
import type { Snapshot, TreeState } from '../snapshot/snapshot';
import type { FileShift } from './data-shift-model';
import { pairByName } from './data-shift-pairing';

/** Files analysed per comparison; the rest are listed without analysis. */
export const MAX_ANALYSED_FILES = 40;
/** Files listed per comparison (changed, renamed, added, removed); the rest are counted in `omitted`. */
export const MAX_LISTED_FILES = 300;

/** How a file is read, by its name. */
export type ReadAs =
  'csv' | 'tsv' | 'parquet' | 'jsonl' | 'npy' | 'npz' | 'pickle' | 'torch' | 'png' | 'json' | 'text' | null;

/** One file of the plan: the listed entry, and for a changed file the two absolute paths to read. */
export interface PlannedFile {
  entry: FileShift;
  readAs: ReadAs;
  absA: string | null;
  absB: string | null;
}

const BY_EXTENSION: Record<string, ReadAs> = {
  csv: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  parquet: 'parquet',
  pq: 'parquet',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  npy: 'npy',
  npz: 'npz',
  pkl: 'pickle',
  pickle: 'pickle',
  joblib: 'pickle',
  pt: 'torch',
  pth: 'torch',
  png: 'png',
  json: 'json',
  txt: 'text',
  md: 'text',
  log: 'text',
  yaml: 'text',
  yml: 'text',
  toml: 'text',
  ini: 'text',
  cfg: 'text',
  py: 'text',
  html: 'text',
  xml: 'text',
  svg: 'text',
  tex: 'text',
};

/** How a file is read, told by its extension (null: by its content). */
export function readAsOf(path: string): ReadAs {
  const base = path.split(/[\\/]/).pop() ?? path;
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return null;
  return BY_EXTENSION[base.slice(dot + 1).toLowerCase()] ?? null;
}

/** The kind a reading gives. */
export function kindOf(readAs: ReadAs): FileShift['kind'] {
  switch (readAs) {
    case 'csv':
    case 'tsv':
    case 'parquet':
    case 'jsonl':
      return 'table';
    case 'npy':
    case 'npz':
      return 'array';
    case 'pickle':
    case 'torch':
      return 'model';
    case 'png':
      return 'image';
    case 'json':
      return 'json';
    case 'text':
      return 'text';
    default:
      return null;
  }
}

function join(root: string, rel: string): string {
  if (rel === '') return root;
  const sep = root.includes('\\') && !root.includes('/') ? '\\' : '/';
  return root.endsWith(sep) ? root + rel : root + sep + rel;
}

interface Side {
  path: string;
  size: number;
  sha256: string | null;
  abs: string;
}

function filesOf(t: TreeState): Side[] {
  if (t.kind === 'missing') return [];
  if (t.kind === 'file') {
    const f = t.files[0];
    return [{ path: '', size: f?.size ?? t.totalBytes, sha256: f?.sha256 ?? t.rootHash, abs: t.absPath }];
  }
  return t.files
    .filter((f) => f.linkTarget === undefined)
    .map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, abs: join(t.absPath, f.path) }));
}

function entry(
  where: { area: FileShift['area']; root: string },
  change: FileShift['change'],
  x: Side | null,
  y: Side | null,
): PlannedFile {
  const { area, root } = where;
  const path = (y ?? x)!.path;
  const readAs = readAsOf(path || root);
  return {
    entry: {
      area,
      root,
      path,
      change,
      from: change === 'renamed' ? x!.path : null,
      sizeA: x?.size ?? null,
      sizeB: y?.size ?? null,
      sha256A: x?.sha256 ?? null,
      sha256B: y?.sha256 ?? null,
      kind: kindOf(readAs),
      status: change === 'changed' ? 'unavailable' : 'ok',
      note:
        change === 'renamed'
          ? `the same content as ${x!.path || root} in run A`
          : change === 'added'
            ? 'only in run B'
            : change === 'removed'
              ? 'only in run A'
              : null,
      stored: false,
      detail: null,
    },
    readAs,
    absA: change === 'changed' ? x!.abs : null,
    absB: change === 'changed' ? y!.abs : null,
  };
}

function diffTrees(area: FileShift['area'], root: string, x: TreeState | null, y: TreeState | null): PlannedFile[] {
  const fa = x ? filesOf(x) : [];
  const fb = y ? filesOf(y) : [];
  const byPath = new Map(fa.map((f) => [f.path, f]));
  const changed: PlannedFile[] = [];
  const added: Side[] = [];
  const seen = new Set<string>();
  for (const f of fb) {
    const g = byPath.get(f.path);
    if (!g) added.push(f);
    else {
      seen.add(f.path);
      if (g.sha256 !== f.sha256 || g.size !== f.size) changed.push(entry({ area, root }, 'changed', g, f));
    }
  }
  const removed = fa.filter((f) => !seen.has(f.path));
  // a removed and an added file with the same content hash: one file renamed
  const removedByHash = new Map<string, Side[]>();
  for (const f of removed) {
    if (!f.sha256) continue;
    const list = removedByHash.get(f.sha256);
    if (list) list.push(f);
    else removedByHash.set(f.sha256, [f]);
  }
  const renamed: PlannedFile[] = [];
  const renamedFrom = new Set<Side>();
  const newInB: Side[] = [];
  for (const f of added) {
    const from = f.sha256 ? removedByHash.get(f.sha256)?.shift() : undefined;
    if (from) {
      renamedFrom.add(from);
      renamed.push(entry({ area, root }, 'renamed', from, f));
    } else newInB.push(f);
  }
  const goneFromA = removed.filter((f) => !renamedFrom.has(f));
  // what is left of both sides: a file renamed and changed (train_v1.csv → train_v2.csv) is paired by its name
  const candidate = (f: Side): { path: string; readAs: string | null } => ({ path: f.path, readAs: readAsOf(f.path) });
  const pairs = pairByName(goneFromA.map(candidate), newInB.map(candidate));
  const paired = new Set<Side>();
  for (const [i, j] of pairs) {
    const x = goneFromA[i]!;
    const y = newInB[j]!;
    paired.add(x).add(y);
    const p = entry({ area, root }, 'changed', x, y);
    p.entry.from = x.path;
    changed.push(p);
  }
  const onlyB = newInB.filter((f) => !paired.has(f)).map((f) => entry({ area, root }, 'added', null, f));
  const onlyA = goneFromA.filter((f) => !paired.has(f)).map((f) => entry({ area, root }, 'removed', f, null));
  return [...changed, ...renamed, ...onlyB, ...onlyA];
}

/** Two whole inputs (or outputs) under different paths, taken for one renamed and changed: their files compared. */
function pairedTrees(area: FileShift['area'], x: TreeState, y: TreeState): PlannedFile[] {
  const out = diffTrees(area, y.path, x, y);
  for (const p of out)
    if (p.entry.change === 'changed') p.entry.from = p.entry.path ? join(x.path, p.entry.path) : x.path;
  return out;
}

function pairTrees(area: FileShift['area'], xs: readonly TreeState[], ys: readonly TreeState[]): PlannedFile[] {
  const out: PlannedFile[] = [];
  const byPath = new Map(xs.map((t) => [t.path, t]));
  const unmatchedB: TreeState[] = [];
  const matched = new Set<string>();
  for (const y of ys) {
    const x = byPath.get(y.path);
    if (!x) {
      unmatchedB.push(y);
      continue;
    }
    matched.add(x.path);
    if (x.kind === y.kind && x.rootHash === y.rootHash) continue;
    out.push(...diffTrees(area, y.path, x, y));
  }
  // a whole input under a new path with the same root hash is a rename of that input
  const unmatchedA = xs.filter((x) => !matched.has(x.path));
  const leftB: TreeState[] = [];
  for (const y of unmatchedB) {
    const i = unmatchedA.findIndex((x) => x.rootHash !== null && x.rootHash === y.rootHash && x.kind === y.kind);
    if (i >= 0) {
      const x = unmatchedA.splice(i, 1)[0]!;
      const p = entry(
        { area, root: y.path },
        'renamed',
        { path: x.path, size: x.totalBytes, sha256: x.rootHash, abs: x.absPath },
        {
          path: y.path,
          size: y.totalBytes,
          sha256: y.rootHash,
          abs: y.absPath,
        },
      );
      p.entry.note = `the same content as ${x.path} in run A`;
      out.push(p);
    } else leftB.push(y);
  }
  // the rest: an input renamed and changed (--data train_v1.csv, then --data train_v2.csv) is paired by its name
  const readAsOfTree = (t: TreeState): string | null =>
    t.kind === 'file' ? readAsOf(t.path) : t.kind === 'dir' ? 'dir' : null;
  const pairs = pairByName(
    unmatchedA.map((t) => ({ path: t.path, readAs: readAsOfTree(t) })),
    leftB.map((t) => ({ path: t.path, readAs: readAsOfTree(t) })),
  );
  const paired = new Set<TreeState>();
  for (const [i, j] of pairs) {
    paired.add(unmatchedA[i]!).add(leftB[j]!);
    out.push(...pairedTrees(area, unmatchedA[i]!, leftB[j]!));
  }
  for (const y of leftB) if (!paired.has(y)) out.push(...diffTrees(area, y.path, null, y));
  for (const x of unmatchedA) if (!paired.has(x)) out.push(...diffTrees(area, x.path, x, null));
  return out;
}

/** The files that differ between two runs' data inputs and outputs, changed ones first. */
export function planDataShift(a: Snapshot, b: Snapshot): { files: PlannedFile[]; omitted: number } {
  const all = [
    ...pairTrees('input', a.data.inputs, b.data.inputs),
    ...pairTrees('output', a.outcome.artifacts, b.outcome.artifacts),
  ];
  const rank = (p: PlannedFile): number => (p.entry.change === 'changed' ? 0 : p.entry.change === 'renamed' ? 1 : 2);
  all.sort((p, q) => rank(p) - rank(q));
  let analysed = 0;
  for (const p of all) {
    if (p.entry.change !== 'changed') continue;
    if (++analysed > MAX_ANALYSED_FILES) {
      p.absA = null;
      p.absB = null;
      p.entry.status = 'skipped';
      p.entry.note = `not analysed: only the first ${MAX_ANALYSED_FILES} changed files of a comparison are`;
    }
  }
  return { files: all.slice(0, MAX_LISTED_FILES), omitted: Math.max(0, all.length - MAX_LISTED_FILES) };
}
