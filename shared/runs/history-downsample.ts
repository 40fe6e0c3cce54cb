/** Metric histories of any length made drawable: thinned to a few thousand points that keep the line's shape, and the divergence of two found on every point. */
import type { Metric } from '../snapshot/snapshot';
import type { Divergence } from './history-charts';

type MetricPoint = NonNullable<Metric['history']>[number];

/** A history as columns, in the order it was stored (a timestamp is NaN where none was recorded). */
export interface HistoryArrays {
  steps: ArrayLike<number>;
  values: ArrayLike<number>;
  timestamps: ArrayLike<number>;
}

const pointAt = (h: HistoryArrays, i: number): MetricPoint => {
  const t = h.timestamps[i]!;
  return { step: h.steps[i]!, value: h.values[i]!, timestamp: Number.isNaN(t) ? null : t };
};

/**
 * At most `maxPoints` points of a history that draw the same line at chart resolution: the points are cut into
 * `maxPoints / 4` runs of neighbours, and each run keeps its first, last, lowest and highest point (the M4 rule of
 * Jugel et al., 2014), so spikes, drops and the envelope survive, not only an average. A history of at most
 * `maxPoints` points is given whole.
 */
export function downsampleHistory(h: HistoryArrays, maxPoints: number): MetricPoint[] {
  const n = h.values.length;
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => pointAt(h, i));
  const buckets = Math.max(1, Math.floor(maxPoints / 4));
  const out: MetricPoint[] = [];
  for (let b = 0; b < buckets; b++) {
    const lo = Math.floor((b * n) / buckets);
    const hi = Math.floor(((b + 1) * n) / buckets);
    let min = -1;
    let max = -1;
    for (let i = lo; i < hi; i++) {
      const v = h.values[i]!;
      if (!Number.isFinite(v)) continue;
      if (min < 0 || v < h.values[min]!) min = i;
      if (max < 0 || v > h.values[max]!) max = i;
    }
    const keep = [lo, hi - 1];
    if (min >= 0) keep.push(min, max);
    keep.sort((x, y) => x - y);
    for (let k = 0; k < keep.length; k++) if (k === 0 || keep[k] !== keep[k - 1]) out.push(pointAt(h, keep[k]!));
  }
  return out;
}

/**
 * The first step at which `b` differs from `a` by more than `abs + rel·|a|` (NaN against a number counts as a
 * difference; NaN against NaN does not), read on every point of both, however long; null when they agree on
 * every step both have. Read on the stored columns, without a point object per point.
 */
export function divergenceOfColumns(
  a: HistoryArrays,
  b: HistoryArrays,
  tolerance: { abs?: number; rel?: number } = {},
): Divergence | null {
  const abs = tolerance.abs ?? 0;
  const rel = tolerance.rel ?? 1e-9;
  const byStep = new Map<number, number>();
  for (let i = 0; i < b.steps.length; i++) byStep.set(b.steps[i]!, b.values[i]!);
  // a's points in step order: stored histories usually are; otherwise an index sorted by step (stable)
  let order: ArrayLike<number> | null = null;
  for (let i = 1; i < a.steps.length; i++)
    if (a.steps[i]! < a.steps[i - 1]!) {
      order = Uint32Array.from({ length: a.steps.length }, (_, k) => k).sort(
        (x, y) => a.steps[x]! - a.steps[y]! || x - y,
      );
      break;
    }
  for (let k = 0; k < a.steps.length; k++) {
    const i = order ? order[k]! : k;
    const q = byStep.get(a.steps[i]!);
    if (q === undefined) continue;
    const p = a.values[i]!;
    const same = Number.isNaN(p) && Number.isNaN(q);
    if (!same && !(Math.abs(p - q) <= abs + rel * Math.abs(p))) return { step: a.steps[i]!, a: p, b: q };
  }
  return null;
}
