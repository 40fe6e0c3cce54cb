// Histories given as columns (no object per point) are stored as the very bytes the points would be, and map to the same snapshot and digest.
import { describe, expect, it } from 'vitest';
import { recordDigest, splitRunHistories } from '../../../electron/core/import/import-encode';
import {
  encodeHistory,
  encodeHistoryAsync,
  encodeHistoryColumns,
  encodeHistoryColumnsAsync,
  historyColumns,
  sameHistory,
  sameHistoryColumns,
  type MetricPoint,
} from '../../../electron/db/metric-history-codec';
import {
  snapshotFromMlflowRun,
  summariseMetric,
  summariseMetricColumns,
  type MlflowMetricColumns,
  type MlflowRunRecord,
} from '../../../shared/mlflow/mlflow-snapshot';

const ODD = [Number.NaN, Infinity, -Infinity, 1.7976931348623157e308, 5e-324, -0, 0.1 + 0.2, 2 ** 53, 0];

/** A deterministic pseudo-random sequence (no Math.random: a failure must repeat). */
function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

/** Histories of every shape the codec distinguishes: whole and fractional steps, null timestamps, odd values, long enough to deflate. */
function histories(): MetricPoint[][] {
  const r = lcg(7);
  const out: MetricPoint[][] = [[]];
  out.push(ODD.map((v, i) => ({ step: i, value: v, timestamp: 1_717_300_000_000 + i })));
  out.push(ODD.map((v, i) => ({ step: -i * 3, value: v, timestamp: i % 2 ? null : i })));
  out.push([
    { step: 0.5, value: 1, timestamp: 2 ** 52 },
    { step: -0, value: -0, timestamp: -5 },
  ]);
  out.push(Array.from({ length: 8000 }, (_, i) => ({ step: i, value: r(), timestamp: 1_717_300_000_000 + i * 37 })));
  out.push(Array.from({ length: 3000 }, (_, i) => ({ step: i * 1.5, value: r() * 1e300, timestamp: null })));
  return out;
}

/** Points in a shuffled order with duplicates, null and 0 timestamps, NaN, 0 and -0 values: what summariseMetric sorts out. */
function messy(seed: number): MetricPoint[] {
  const r = lcg(seed);
  const pts: MetricPoint[] = [];
  for (let i = 0; i < 200; i++) {
    const p = {
      step: Math.floor(r() * 20),
      value: ODD[Math.floor(r() * ODD.length)]!,
      timestamp: r() < 0.3 ? null : Math.floor(r() * 4),
    };
    pts.push(p);
    if (r() < 0.2) pts.push({ ...p });
  }
  return pts;
}

const columnsOf = (points: MetricPoint[]): MlflowMetricColumns => historyColumns(points);

describe('histories given as columns', () => {
  it('encode to the same bytes as the same points, whatever the shape, synchronously and on the thread pool', async () => {
    for (const points of histories()) {
      const { steps, values, timestamps } = historyColumns(points);
      const bytes = encodeHistory(points);
      expect(encodeHistoryColumns(steps, values, timestamps).equals(bytes)).toBe(true);
      const [a, b] = await Promise.all([
        encodeHistoryAsync(points, 1),
        encodeHistoryColumnsAsync({ steps, values, timestamps }, 1),
      ]);
      expect(b.equals(a)).toBe(true);
      expect(sameHistoryColumns(bytes, { steps, values, timestamps })).toBe(true);
      expect(sameHistory(a, points)).toBe(true);
      if (points.length > 0) {
        const changed = values.slice();
        changed[changed.length - 1] = 42.5;
        expect(sameHistoryColumns(bytes, { steps, values: changed, timestamps })).toBe(false);
      }
    }
    const long = histories()[4]!;
    expect(encodeHistory(long)[1]! & 4).toBe(4); // the long one was deflated, so that path was compared too
  });

  it('refuses columns of different lengths instead of writing a history that cannot be read back', () => {
    expect(() => encodeHistoryColumns(new Float64Array(2), new Float64Array(1), new Float64Array(2))).toThrow(
      /lengths/,
    );
  });

  it('are summarised as summariseMetric summarises the points: the same order, duplicates, last value', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const points = messy(seed);
      const want = summariseMetric(points, 'mlflow')!;
      const got = summariseMetricColumns(columnsOf(points), 'mlflow')!;
      expect(got.duplicates).toBe(want.duplicates);
      expect(Object.is(got.metric.value, want.metric.value)).toBe(true);
      expect(got.metric.history).toBeNull();
      expect(
        encodeHistoryColumns(got.columns.steps, got.columns.values, got.columns.timestamps).equals(
          encodeHistory(want.metric.history!),
        ),
      ).toBe(true);
    }
    expect(summariseMetricColumns(columnsOf([]), 'mlflow')).toBeNull();
  });

  it('give the same snapshot, stored histories and import digest as the same record with points', () => {
    const metrics = { loss: messy(3), acc: histories()[1]!, constructor: histories()[2]! };
    const record: MlflowRunRecord = {
      runId: 'r1',
      experimentId: '1',
      experimentName: 'e',
      runName: 'run',
      status: 'FINISHED',
      startTime: 1,
      endTime: 2,
      lifecycleStage: 'active',
      userId: 'u',
      artifactUri: null,
      sourceType: 'LOCAL',
      sourceName: null,
      entryPointName: null,
      sourceVersion: null,
      params: { lr: '0.1' },
      tags: { t: 'v' },
      metrics,
      datasets: [],
      models: [],
      artifacts: [],
      dvc: [],
      warnings: [],
    };
    const asColumns: MlflowRunRecord = {
      ...record,
      metrics: {},
      metricColumns: Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, columnsOf(v)])),
    };
    // Points and columns of one store, half and half, digest the same too.
    const mixed: MlflowRunRecord = {
      ...record,
      metrics: { loss: metrics.loss },
      metricColumns: { acc: columnsOf(metrics.acc), constructor: columnsOf(metrics.constructor) },
    };
    const target = {
      id: 'x',
      createdAt: '2024-01-01T00:00:00.000Z',
      sourceType: 'mlflow-file' as const,
      location: '/s',
    };
    const viaPoints = splitRunHistories(snapshotFromMlflowRun(record, target), new Map());
    for (const rec of [asColumns, mixed]) {
      expect(recordDigest(rec, 'salt')).toBe(recordDigest(record, 'salt'));
      const given = new Map<string, MlflowMetricColumns>();
      const split = splitRunHistories(snapshotFromMlflowRun(rec, { ...target, histories: given }), given);
      expect(JSON.stringify(split.skeleton)).toBe(JSON.stringify(viaPoints.skeleton));
      expect(split.histories.map((h) => h.name)).toEqual(viaPoints.histories.map((h) => h.name));
      split.histories.forEach((h, i) => {
        const p = viaPoints.histories[i]!.columns;
        expect(
          encodeHistoryColumns(h.columns.steps, h.columns.values, h.columns.timestamps).equals(
            encodeHistoryColumns(p.steps, p.values, p.timestamps),
          ),
        ).toBe(true);
      });
      // Without a place for the columns, the snapshot carries them as points (what capture shows).
      expect(snapshotFromMlflowRun(rec, target)).toEqual(snapshotFromMlflowRun(record, target));
    }
    expect(recordDigest({ ...record, params: { lr: '0.2' } }, 'salt')).not.toBe(recordDigest(record, 'salt'));
  });
});
