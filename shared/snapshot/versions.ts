/**
 * PEP 440-ish version parsing and ordering, enough to say whether a package went up or down and by
 * how big a step. Versions that do not parse (git hashes, vendor strings) compare as "other".
 */

/** A parsed version: epoch, release numbers and the pre/post/dev/local parts. */
export interface ParsedVersion {
  epoch: number;
  release: number[];
  /** Pre-release rank (a=0, b=1, rc=2) and number. */
  pre: [number, number] | null;
  post: number | null;
  dev: number | null;
  local: string | null;
}

/** How big a version step is: the first release segment that differs, or other. */
export type VersionStep = 'major' | 'minor' | 'patch' | 'other';

const VERSION_RE =
  /^\s*v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d+)?)?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d+)?)?(?:[-_.]?(dev)[-_.]?(\d+)?)?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$/i;
const PRE_RANK: Record<string, number> = { a: 0, alpha: 0, b: 1, beta: 1, c: 2, rc: 2, pre: 2, preview: 2 };

/** Parses a PEP 440 version (normalising spellings such as `1.0-beta2` or `v2`); null when it is not one. */
export function parseVersion(text: string): ParsedVersion | null {
  const m = VERSION_RE.exec(text);
  if (!m) return null;
  const [, epoch, release, preKind, preNum, postImplicit, postKind, postNum, devKind, devNum, local] = m;
  return {
    epoch: epoch ? Number(epoch) : 0,
    release: release!.split('.').map(Number),
    pre: preKind ? [PRE_RANK[preKind.toLowerCase()] ?? 2, preNum ? Number(preNum) : 0] : null,
    post: postImplicit !== undefined ? Number(postImplicit) : postKind ? Number(postNum ?? 0) : null,
    dev: devKind ? Number(devNum ?? 0) : null,
    local: local ? local.toLowerCase() : null,
  };
}

function cmp(x: number, y: number): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Orders two parsed versions as PEP 440 does: -1, 0 or 1. */
export function compareParsedVersions(a: ParsedVersion, b: ParsedVersion): number {
  if (a.epoch !== b.epoch) return cmp(a.epoch, b.epoch);
  const n = Math.max(a.release.length, b.release.length);
  for (let i = 0; i < n; i++) {
    const c = cmp(a.release[i] ?? 0, b.release[i] ?? 0);
    if (c !== 0) return c;
  }
  // A dev release of a final version sorts before its pre-releases; a final sorts after them.
  const preKey = (v: ParsedVersion): [number, number] =>
    v.pre ?? (v.post === null && v.dev !== null ? [-1, 0] : [Infinity, 0]);
  const [pa, pb] = [preKey(a), preKey(b)];
  if (pa[0] !== pb[0]) return cmp(pa[0], pb[0]);
  if (pa[1] !== pb[1]) return cmp(pa[1], pb[1]);
  const post = cmp(a.post ?? -1, b.post ?? -1);
  if (post !== 0) return post;
  const dev = cmp(a.dev ?? Infinity, b.dev ?? Infinity);
  if (dev !== 0) return dev;
  if (a.local === b.local) return 0;
  if (a.local === null) return -1;
  if (b.local === null) return 1;
  return a.local < b.local ? -1 : 1;
}

/** The step between two versions: the first release segment that differs (an epoch change is major). */
export function versionStep(a: ParsedVersion, b: ParsedVersion): VersionStep {
  if (a.epoch !== b.epoch) return 'major';
  const n = Math.max(a.release.length, b.release.length);
  for (let i = 0; i < n; i++) {
    if ((a.release[i] ?? 0) !== (b.release[i] ?? 0))
      return i === 0 ? 'major' : i === 1 ? 'minor' : i === 2 ? 'patch' : 'other';
  }
  return 'other';
}

/** Compares two version strings: the direction (null when either does not parse) and the step. */
export function diffVersions(a: string, b: string): { direction: 'up' | 'down' | 'same' | null; step: VersionStep } {
  if (a === b) return { direction: 'same', step: 'other' };
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa || !pb) return { direction: null, step: 'other' };
  const c = compareParsedVersions(pa, pb);
  return { direction: c < 0 ? 'up' : c > 0 ? 'down' : 'same', step: versionStep(pa, pb) };
}

/** A package name in PEP 503's normal form (lower case, runs of `-_.` as one dash). */
export function normalizePackageName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}
