// Thinning a history for a chart keeps what the eye reads (first, last, every stretch's extremes, a lone spike), and
// the divergence of two histories is found on every point, in or out of step order, NaN read as MLflow logs it.
import { describe, expect, it } from 'vitest';
import { divergenceOfColumns, downsampleHistory } from '../../../shared/runs/history-downsample';

/** A noisy falling loss of `n` points with one spike, as columns. */
function loss(n: number, spikeAt: number): { steps: Float64Array; values: Float64Array; timestamps: Float64Array } {
  const steps = new Float64Array(n);
  const values = new Float64Array(n);
  const timestamps = new Float64Array(n);
  let seed = 7;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    steps[i] = i;
    values[i] = 1 / (1 + i / 1000) + (seed / 2 ** 31) * 0.01;
    timestamps[i] = i % 3 === 0 ? NaN : 1_700_000_000_000 + i;
  }
  values[spikeAt] = 50;
  return { steps, values, timestamps };
}

describe('downsampleHistory', () => {
  it('gives a million points as at most 2,000 that keep the first, the last, the spike and each stretch’s range', () => {
    const n = 1_000_000;
    const h = loss(n, 654_321);
    const out = downsampleHistory(h, 2000);
    expect(out.length).toBeLessThanOrEqual(2000);
    expect(out.length).toBeGreaterThan(1000);
    expect(out[0]).toEqual({ step: 0, value: h.values[0], timestamp: null });
    expect(out.at(-1)).toEqual({ step: n - 1, value: h.values[n - 1], timestamp: null }); // 999,999: every third has none
    const timed = out.find((p) => p.step % 3 !== 0)!;
    expect(timed.timestamp).toBe(1_700_000_000_000 + timed.step);
    expect(out.find((p) => p.value === 50)?.step).toBe(654_321);
    // in step order, and every 2,000-point stretch's lowest and highest value is there
    for (let i = 1; i < out.length; i++) expect(out[i]!.step).toBeGreaterThan(out[i - 1]!.step);
    const kept = new Set(out.map((p) => p.step));
    for (let b = 0; b < 500; b++) {
      const lo = (b * n) / 500;
      let min = lo;
      let max = lo;
      for (let i = lo; i < lo + n / 500; i++) {
        if (h.values[i]! < h.values[min]!) min = i;
        if (h.values[i]! > h.values[max]!) max = i;
      }
      expect(kept.has(min) && kept.has(max)).toBe(true);
    }
  });

  it('gives a short history whole, and skips NaN when it looks for a stretch’s extremes', () => {
    const short = { steps: [0, 1, 2], values: [3, NaN, 1], timestamps: [NaN, 5, 6] };
    expect(downsampleHistory(short, 16)).toEqual([
      { step: 0, value: 3, timestamp: null },
      { step: 1, value: NaN, timestamp: 5 },
      { step: 2, value: 1, timestamp: 6 },
    ]);
    const values = Array.from({ length: 64 }, (_, i) => (i % 2 ? NaN : i));
    const out = downsampleHistory({ steps: values.map((_, i) => i), values, timestamps: values.map(() => NaN) }, 16);
    expect(out.length).toBeLessThanOrEqual(16);
    expect(out.filter((p) => !Number.isNaN(p.value)).length).toBeGreaterThan(4);
  });
});

describe('divergenceOfColumns', () => {
  const cols = (points: [number, number][]) => ({
    steps: points.map((p) => p[0]),
    values: points.map((p) => p[1]),
    timestamps: points.map(() => NaN),
  });

  it('finds the first step both have where they differ, in step order whatever the stored order', () => {
    const a = cols([
      [3, 0.3],
      [1, 0.1],
      [2, 0.2],
      [4, 0.4],
    ]);
    const b = cols([
      [1, 0.1],
      [2, 0.2],
      [3, 0.31],
      [4, 0.5],
    ]);
    expect(divergenceOfColumns(a, b)).toEqual({ step: 3, a: 0.3, b: 0.31 });
    expect(divergenceOfColumns(a, b, { abs: 0.02 })).toEqual({ step: 4, a: 0.4, b: 0.5 });
  });

  it('reads NaN against NaN as the same, NaN against a number as a difference, and other steps as absent', () => {
    expect(
      divergenceOfColumns(
        cols([
          [0, NaN],
          [1, 2],
        ]),
        cols([
          [0, NaN],
          [1, 2],
          [9, 5],
        ]),
      ),
    ).toBeNull();
    expect(
      divergenceOfColumns(
        cols([
          [0, 1],
          [1, NaN],
        ]),
        cols([
          [0, 1],
          [1, 2],
        ]),
      ),
    ).toEqual({ step: 1, a: NaN, b: 2 });
  });

  it('finds a divergence at the millionth point', () => {
    const n = 1_000_000;
    const a = loss(n, 10);
    const b = { ...a, values: a.values.slice() };
    b.values[n - 1] = b.values[n - 1]! + 1e-6;
    expect(divergenceOfColumns(a, b)?.step).toBe(n - 1);
    expect(divergenceOfColumns(a, a)).toBeNull();
  });
});
