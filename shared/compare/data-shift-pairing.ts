// Pairs a file that went away with one that appeared under a similar name (train_v1.csv → train_v2.csv) when their contents differ, so the pair is analysed as one file that changed.

/** A file that is only in one version, as the pairing sees it. */
export interface PairCandidate {
  /** The path it is compared by (its name decides). */
  path: string;
  /** How it is read (csv, parquet, …); only files read the same way are paired. */
  readAs: string | null;
}

/** The least name similarity (0–1) at which two files are taken for one. */
export const MIN_NAME_SIMILARITY = 0.6;
/** Beyond this many candidate pairs the names are not compared (a tree with thousands of files moved). */
const MAX_PAIRS_CONSIDERED = 250_000;

/** Words that mark a version rather than what a file is. */
const VERSION_WORDS = new Set([
  'v',
  'ver',
  'version',
  'rev',
  'old',
  'new',
  'final',
  'latest',
  'copy',
  'orig',
  'original',
  'backup',
  'bak',
  'draft',
  'updated',
  'fixed',
  'clean',
  'cleaned',
  'tmp',
]);

function split(path: string): { dir: string; stem: string; ext: string } {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const base = path.slice(slash + 1).toLowerCase();
  const dot = base.lastIndexOf('.');
  return {
    dir: path.slice(0, Math.max(0, slash)),
    stem: dot > 0 ? base.slice(0, dot) : base,
    ext: dot > 0 ? base.slice(dot + 1) : '',
  };
}

/** The name without what marks a version: digits, dates, v2, _old, -final, separators. */
export function nameCore(stem: string): string {
  return stem
    .split(/[^a-z0-9]+|(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])/)
    .filter((w) => w !== '' && !/^[0-9]+$/.test(w) && !VERSION_WORDS.has(w))
    .join(' ');
}

function bigrams(s: string): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i + 1 < s.length; i++) {
    const g = s.slice(i, i + 2);
    m.set(g, (m.get(g) ?? 0) + 1);
  }
  return m;
}

/** Dice's coefficient over character bigrams. */
function dice(x: string, y: string): number {
  if (x === y) return 1;
  if (x.length < 2 || y.length < 2) return 0;
  const bx = bigrams(x);
  const by = bigrams(y);
  let common = 0;
  for (const [g, n] of bx) common += Math.min(n, by.get(g) ?? 0);
  return (2 * common) / (x.length - 1 + (y.length - 1));
}

/**
 * How alike two file names are, 0–1: 1 when they differ only in what marks a version (train_v1 and
 * train_v2, data-2023-01 and data-2024-06, model_old and model), else the bigram similarity of the
 * names; a different folder lowers it.
 */
export function nameSimilarity(a: string, b: string): number {
  const x = split(a);
  const y = split(b);
  const cx = nameCore(x.stem);
  const cy = nameCore(y.stem);
  const score = cx !== '' && cx === cy ? 1 : dice(x.stem, y.stem);
  return x.dir === y.dir ? score : score * 0.8;
}

/**
 * Pairs files only in A with files only in B that are read the same way and are named alike, the most
 * alike first, each file at most once. Returns index pairs into the two lists.
 */
export function pairByName(onlyA: readonly PairCandidate[], onlyB: readonly PairCandidate[]): [number, number][] {
  if (onlyA.length === 0 || onlyB.length === 0 || onlyA.length * onlyB.length > MAX_PAIRS_CONSIDERED) return [];
  const scored: { i: number; j: number; score: number }[] = [];
  onlyA.forEach((a, i) => {
    if (a.readAs === null) return;
    onlyB.forEach((b, j) => {
      if (b.readAs !== a.readAs) return;
      const score = nameSimilarity(a.path, b.path);
      if (score >= MIN_NAME_SIMILARITY) scored.push({ i, j, score });
    });
  });
  scored.sort((p, q) => q.score - p.score || p.i - q.i || p.j - q.j);
  const usedA = new Set<number>();
  const usedB = new Set<number>();
  const pairs: [number, number][] = [];
  for (const { i, j } of scored) {
    if (usedA.has(i) || usedB.has(j)) continue;
    usedA.add(i);
    usedB.add(j);
    pairs.push([i, j]);
  }
  return pairs;
}
