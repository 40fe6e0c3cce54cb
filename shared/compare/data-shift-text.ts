// Text outputs as a unified diff (the diff package), JSON outputs by path, and PNG images by pixel: the pure half of output diffs.
import { createTwoFilesPatch } from 'diff';
import type { ImageShift, JsonShift, TextShift } from './data-shift-model';

/** A patch is cut beyond this many characters (its line counts stay complete). */
export const MAX_PATCH_CHARS = 64 * 1024;
/** JSON changes listed; the total stays complete. */
export const MAX_JSON_CHANGES = 200;
/** The diff gives up beyond this many edits rather than spend seconds on unrelated texts. */
const MAX_EDIT_LENGTH = 5000;

/** Two texts as a unified diff, with the counts of added and removed lines. */
export function diffTextFiles(path: string, a: string, b: string): TextShift {
  const patch = createTwoFilesPatch(`a/${path}`, `b/${path}`, a, b, 'run A', 'run B', {
    context: 3,
    maxEditLength: MAX_EDIT_LENGTH,
  });
  if (patch === undefined) return { kind: 'text', patch: null, added: 0, removed: 0, truncated: true };
  let added = 0;
  let removed = 0;
  for (const line of patch.split('\n')) {
    if (line.startsWith('+') && !line.startsWith('+++')) added++;
    else if (line.startsWith('-') && !line.startsWith('---')) removed++;
  }
  const truncated = patch.length > MAX_PATCH_CHARS;
  return { kind: 'text', patch: truncated ? patch.slice(0, MAX_PATCH_CHARS) : patch, added, removed, truncated };
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s.length > 200 ? `${s.slice(0, 199)}…` : s;
}

function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** Two JSON values compared by path ($.a.b[2]): what changed, was added (only-b) or removed (only-a). */
export function diffJsonValues(a: unknown, b: unknown): JsonShift {
  const changes: JsonShift['changes'] = [];
  let total = 0;
  const record = (path: string, status: 'changed' | 'only-a' | 'only-b', x: unknown, y: unknown): void => {
    total++;
    if (changes.length < MAX_JSON_CHANGES)
      changes.push({ path, status, a: status === 'only-b' ? null : show(x), b: status === 'only-a' ? null : show(y) });
  };
  const walk = (path: string, x: unknown, y: unknown): void => {
    if (Object.is(x, y)) return;
    const ox = x !== null && typeof x === 'object';
    const oy = y !== null && typeof y === 'object';
    if (ox && oy && Array.isArray(x) === Array.isArray(y)) {
      if (Array.isArray(x) && Array.isArray(y)) {
        const n = Math.max(x.length, y.length);
        for (let i = 0; i < n; i++) {
          if (i >= x.length) record(child(path, i), 'only-b', undefined, y[i]);
          else if (i >= y.length) record(child(path, i), 'only-a', x[i], undefined);
          else walk(child(path, i), x[i], y[i]);
        }
        return;
      }
      const rx = x as Record<string, unknown>;
      const ry = y as Record<string, unknown>;
      // own keys only: `constructor` or `__proto__` is a key of the file, not of every object
      for (const k of Object.keys(rx)) {
        if (!Object.hasOwn(ry, k)) record(child(path, k), 'only-a', rx[k], undefined);
        else walk(child(path, k), rx[k], ry[k]);
      }
      for (const k of Object.keys(ry)) if (!Object.hasOwn(rx, k)) record(child(path, k), 'only-b', undefined, ry[k]);
      return;
    }
    record(path, 'changed', x, y);
  };
  walk('$', a, b);
  return { kind: 'json', changes, total, truncated: total > changes.length };
}

/** One decoded image: width, height and RGBA bytes. */
export interface DecodedImage {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/** Counts the pixels whose RGBA differ, over the area both images cover. */
export function diffImages(a: DecodedImage, b: DecodedImage, dataA: string | null, dataB: string | null): ImageShift {
  const w = Math.min(a.width, b.width);
  const h = Math.min(a.height, b.height);
  let differing = 0;
  let maxChannel = 0;
  for (let y = 0; y < h; y++) {
    let pa = y * a.width * 4;
    let pb = y * b.width * 4;
    for (let x = 0; x < w; x++, pa += 4, pb += 4) {
      let d = 0;
      for (let c = 0; c < 4; c++) {
        const e = Math.abs(a.rgba[pa + c]! - b.rgba[pb + c]!);
        if (e > d) d = e;
      }
      if (d > 0) {
        differing++;
        if (d > maxChannel) maxChannel = d;
      }
    }
  }
  // pixels outside the common area differ by definition
  const outside = a.width * a.height + b.width * b.height - 2 * w * h;
  return {
    kind: 'image',
    widthA: a.width,
    heightA: a.height,
    widthB: b.width,
    heightB: b.height,
    differingPixels: differing + Math.max(0, Math.max(a.width * a.height, b.width * b.height) - w * h),
    pixels: Math.max(a.width * a.height, b.width * b.height),
    maxChannelDiff: outside > 0 ? 255 : maxChannel,
    dataA,
    dataB,
  };
}
