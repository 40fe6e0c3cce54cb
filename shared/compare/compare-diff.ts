// The detailed differences of two snapshots: texts diffed, data manifests and packages lined up, seed findings and metrics.
import { createTwoFilesPatch } from 'diff';
import { ownValue } from '../records';
import type {
  DataInputComparison,
  FileChange,
  MetricComparison,
  PackageChange,
  RowStatus,
  TextDiff,
} from './compare-model';
import { findingKey } from './compare-facts';
import type { FileEntry, SeedFinding, Snapshot, TreeState } from '../snapshot/snapshot';
import { formatBytes } from '../snapshot/snapshot-text';
import { diffVersions, normalizePackageName } from '../snapshot/versions';

/** Texts larger than this are not diffed line by line (their hashes already say they differ). */
const MAX_DIFF_TEXT = 256 * 1024;
/** The diff gives up beyond this many edits rather than spend seconds on unrelated texts. */
const MAX_EDIT_LENGTH = 4000;
/** File changes listed per data input; the counts stay complete. */
export const MAX_FILE_CHANGES = 2000;

/** Two texts as a unified diff (or why not). */
export function diffText(path: string, a: string | null, b: string | null): TextDiff {
  const labelA = 'run A';
  const labelB = 'run B';
  if (a === null || b === null) return { path, status: a === null ? 'only-b' : 'only-a', patch: null, note: null };
  if (a === b) return { path, status: 'same', patch: null, note: null };
  if (a.length > MAX_DIFF_TEXT || b.length > MAX_DIFF_TEXT) {
    return { path, status: 'changed', patch: null, note: `not diffed: larger than ${formatBytes(MAX_DIFF_TEXT)}` };
  }
  const patch = createTwoFilesPatch(`a/${path}`, `b/${path}`, a, b, labelA, labelB, {
    context: 3,
    maxEditLength: MAX_EDIT_LENGTH,
  });
  return patch === undefined
    ? { path, status: 'changed', patch: null, note: `not diffed: more than ${MAX_EDIT_LENGTH} edits apart` }
    : { path, status: 'changed', patch, note: null };
}

/** A git patch cut into its files, by each file's `diff --git` line; null when the text is not a git patch. */
function patchFiles(patch: string): Map<string, string> | null {
  const parts = patch.split(/^(?=diff --git )/m).filter((p) => p.startsWith('diff --git '));
  if (parts.length === 0) return null;
  const out = new Map<string, string>();
  for (const p of parts) {
    const head = p.split('\n', 1)[0]!;
    out.set(head, (out.get(head) ?? '') + p);
  }
  return out;
}

/**
 * Two uncommitted patches diffed file by file: the files whose part of the patch is the same are
 * skipped, and each other file is diffed alone, so two long patches that differ in a few lines
 * cost milliseconds, not the seconds one diff over both whole texts takes. Not git patches: diffText.
 */
export function diffPatches(path: string, a: string | null, b: string | null): TextDiff {
  if (a === null || b === null || a === b) return diffText(path, a, b);
  const fa = patchFiles(a);
  const fb = patchFiles(b);
  if (!fa || !fb || a.length > MAX_DIFF_TEXT || b.length > MAX_DIFF_TEXT) return diffText(path, a, b);
  const keys = [...fb.keys(), ...[...fa.keys()].filter((k) => !fb.has(k))];
  const out: string[] = [];
  for (const key of keys) {
    const x = fa.get(key) ?? '';
    const y = fb.get(key) ?? '';
    if (x === y) continue;
    const file = /^diff --git a\/(.*?) b\//.exec(key)?.[1] ?? key;
    const part = createTwoFilesPatch(`a/${path} ${file}`, `b/${path} ${file}`, x, y, 'run A', 'run B', {
      context: 3,
      maxEditLength: MAX_EDIT_LENGTH,
    });
    if (part === undefined)
      return { path, status: 'changed', patch: null, note: `not diffed: more than ${MAX_EDIT_LENGTH} edits apart` };
    out.push(part);
  }
  return { path, status: 'changed', patch: out.join(''), note: null };
}

function isSorted(files: readonly FileEntry[]): boolean {
  for (let i = 1; i < files.length; i++) if (!(files[i - 1]!.path < files[i]!.path)) return false;
  return true;
}

function sameFile(x: FileEntry, y: FileEntry): boolean {
  return x.sha256 === y.sha256 && x.size === y.size && x.linkTarget === y.linkTarget;
}

/** The file-level difference of two manifests: changed, added and removed files with sizes (lists capped, counts complete). */
export function diffManifests(
  a: readonly FileEntry[],
  b: readonly FileEntry[],
  cap = MAX_FILE_CHANGES,
): { files: FileChange[]; changed: number; added: number; removed: number; truncated: boolean } {
  const changed: FileChange[] = [];
  const added: FileChange[] = [];
  const removed: FileChange[] = [];
  let nChanged = 0;
  let nAdded = 0;
  let nRemoved = 0;
  const onChanged = (x: FileEntry, y: FileEntry): void => {
    nChanged++;
    if (changed.length < cap) changed.push({ path: y.path, change: 'changed', sizeA: x.size, sizeB: y.size });
  };
  const onAdded = (y: FileEntry): void => {
    nAdded++;
    if (added.length < cap) added.push({ path: y.path, change: 'added', sizeA: null, sizeB: y.size });
  };
  const onRemoved = (x: FileEntry): void => {
    nRemoved++;
    if (removed.length < cap) removed.push({ path: x.path, change: 'removed', sizeA: x.size, sizeB: null });
  };
  if (isSorted(a) && isSorted(b)) {
    // Manifests are written sorted by path: one merge walk, no hashing of 100,000 keys.
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      const x = a[i]!;
      const y = b[j]!;
      if (x.path === y.path) {
        if (!sameFile(x, y)) onChanged(x, y);
        i++;
        j++;
      } else if (x.path < y.path) {
        onRemoved(x);
        i++;
      } else {
        onAdded(y);
        j++;
      }
    }
    for (; i < a.length; i++) onRemoved(a[i]!);
    for (; j < b.length; j++) onAdded(b[j]!);
  } else {
    const byPath = new Map<string, FileEntry>();
    for (const e of a) byPath.set(e.path, e);
    const inB = new Set<string>();
    for (const y of b) {
      inB.add(y.path);
      const x = byPath.get(y.path);
      if (x === undefined) onAdded(y);
      else if (!sameFile(x, y)) onChanged(x, y);
    }
    for (const x of a) if (!inB.has(x.path)) onRemoved(x);
  }
  const files = [...changed, ...added, ...removed];
  return {
    files: files.slice(0, cap),
    changed: nChanged,
    added: nAdded,
    removed: nRemoved,
    truncated: nChanged + nAdded + nRemoved > Math.min(files.length, cap),
  };
}

/** The data inputs of two snapshots lined up by path, changed ones with their file-level difference. */
export function compareData(a: Snapshot, b: Snapshot): DataInputComparison[] {
  const byPath = new Map(a.data.inputs.map((t) => [t.path, t]));
  const out: DataInputComparison[] = [];
  const one = (path: string, x: TreeState | undefined, y: TreeState | undefined): DataInputComparison => {
    const status: RowStatus = !x
      ? 'only-b'
      : !y
        ? 'only-a'
        : x.kind === y.kind && x.rootHash === y.rootHash
          ? 'same'
          : 'changed';
    const base = {
      path,
      status,
      rootA: x?.rootHash ?? null,
      rootB: y?.rootHash ?? null,
      filesA: x?.fileCount ?? null,
      filesB: y?.fileCount ?? null,
      bytesA: x?.totalBytes ?? null,
      bytesB: y?.totalBytes ?? null,
    };
    if (status !== 'changed' || !x || !y)
      return { ...base, changed: 0, added: 0, removed: 0, files: [], truncated: false };
    return { ...base, ...diffManifests(x.files, y.files) };
  };
  for (const y of b.data.inputs) out.push(one(y.path, byPath.get(y.path), y));
  const inB = new Set(b.data.inputs.map((t) => t.path));
  for (const x of a.data.inputs) if (!inB.has(x.path)) out.push(one(x.path, x, undefined));
  return out;
}

/** The packages that differ (by normalized name) and how many are the same. */
export function comparePackages(a: Snapshot, b: Snapshot): { packages: PackageChange[]; same: number } {
  const byName = new Map<string, { name: string; version: string }>();
  for (const p of a.software.packages) byName.set(normalizePackageName(p.name), p);
  const out: PackageChange[] = [];
  const seen = new Set<string>();
  let same = 0;
  for (const p of b.software.packages) {
    const key = normalizePackageName(p.name);
    const x = byName.get(key);
    if (!x) {
      out.push({ name: p.name, a: null, b: p.version, change: 'added', step: null });
      continue;
    }
    seen.add(key);
    if (x.version === p.version) {
      same++;
      continue;
    }
    const d = diffVersions(x.version, p.version);
    const change = d.direction === 'up' ? 'upgraded' : d.direction === 'down' ? 'downgraded' : 'changed';
    out.push({ name: p.name, a: x.version, b: p.version, change, step: d.step });
  }
  for (const [key, x] of byName)
    if (!seen.has(key)) out.push({ name: x.name, a: x.version, b: null, change: 'removed', step: null });
  out.sort((p, q) => (p.name < q.name ? -1 : p.name > q.name ? 1 : 0));
  return { packages: out, same };
}

/** Seed-scan findings B gains and loses against A, as multisets so moved lines do not count. */
export function compareFindings(a: Snapshot, b: Snapshot): { gained: SeedFinding[]; lost: SeedFinding[] } {
  // Multisets by key, so one more call of the same rule in the same file counts as gained.
  const left = new Map<string, SeedFinding[]>();
  for (const x of a.randomness.scan.findings) {
    const k = findingKey(x);
    const list = left.get(k);
    if (list) list.push(x);
    else left.set(k, [x]);
  }
  const gained: SeedFinding[] = [];
  for (const y of b.randomness.scan.findings) {
    const list = left.get(findingKey(y));
    if (list && list.length > 0) list.shift();
    else gained.push(y);
  }
  const lost = [...left.values()].flat();
  return { gained, lost };
}

/** Each metric's last value in A and B with the difference. */
export function compareMetrics(a: Snapshot, b: Snapshot): MetricComparison[] {
  const names = [...new Set([...Object.keys(a.outcome.metrics), ...Object.keys(b.outcome.metrics)])].sort();
  return names.map((name) => {
    const x = ownValue(a.outcome.metrics, name)?.value;
    const y = ownValue(b.outcome.metrics, name)?.value;
    if (x === undefined || y === undefined)
      return { name, status: x === undefined ? 'only-b' : 'only-a', a: x ?? null, b: y ?? null, abs: null, rel: null };
    const same = Object.is(x, y) || x === y;
    const abs = same ? 0 : y - x;
    const rel = x === 0 || !Number.isFinite(x) ? null : abs / Math.abs(x);
    return { name, status: same ? 'same' : 'changed', a: x, b: y, abs, rel };
  });
}
