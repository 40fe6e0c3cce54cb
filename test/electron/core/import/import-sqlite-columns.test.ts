// An mlflow.db run's metric row read as columns gives exactly the points the careful reader gives, or goes that way itself.
import fc from 'fast-check';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  METRIC_COLUMNS_SOURCE,
  metricColumnsOf,
  runColumns,
} from '../../../../electron/core/import/import-sqlite-columns';
import { MalformedMetric, runMetricsOf } from '../../../../electron/core/import/import-sqlite-metrics';
import type { MlflowMetricColumns, MlflowMetricPoint } from '../../../../shared/mlflow/mlflow-snapshot';

const MAX = 1.7976931348623157e308;

/** The per-run query's row for these points (JSON as SQLite writes it; values may be any JSON value). */
function rowOf(points: { key: unknown; step: unknown; value: unknown; timestamp: unknown }[]): string[] {
  return [
    JSON.stringify(points.map((p) => p.key)),
    JSON.stringify(points.map((p) => p.step)),
    JSON.stringify(points.map((p) => p.value)),
    JSON.stringify(points.map((p) => p.timestamp)),
  ];
}

/** Columns as points, with every number kept bit for bit (NaN, -0). */
function asPoints(columns: Record<string, MlflowMetricColumns>): Record<string, MlflowMetricPoint[]> {
  const out: Record<string, MlflowMetricPoint[]> = {};
  for (const [name, c] of Object.entries(columns))
    out[name] = Array.from(c.steps, (step, i) => {
      const t = c.timestamps[i]!;
      return { step, value: c.values[i]!, timestamp: Number.isNaN(t) ? null : t };
    });
  return out;
}

/** What the reader makes of a row: the columns' points, or the careful reader's answer for a row handed back. */
function readThroughColumns(row: unknown): Record<string, MlflowMetricPoint[]> | MalformedMetric | Error {
  const run = metricColumnsOf(row);
  if ('row' in run) return careful(run.row);
  return asPoints(runColumns(run));
}

function careful(row: unknown): Record<string, MlflowMetricPoint[]> | MalformedMetric | Error {
  try {
    return runMetricsOf('r', row);
  } catch (e) {
    return e as Error;
  }
}

describe('metric rows as columns', () => {
  it('reads what MLflow writes into columns: keys interleaved, NaN, ±max double as ±Infinity, duplicate and huge steps', () => {
    const row = rowOf([
      { key: 'loss', step: 0, value: 0.5, timestamp: 1717300990000 },
      { key: 'acc', step: 0, value: MAX, timestamp: 1717300990000 },
      { key: 'loss', step: 1, value: 'NaN', timestamp: 1717300990001 },
      { key: 'acc', step: 1, value: -MAX, timestamp: 1717300990001 },
      { key: 'loss', step: 1, value: 0.25, timestamp: 1717300990001 },
      { key: 'loss', step: 2 ** 53, value: 5e-324, timestamp: null },
    ]);
    const [first, empty] = [row, rowOf([])].map(metricColumnsOf);
    if (!first || 'row' in first || !empty || 'row' in empty) throw new Error('not read as columns');
    expect(runColumns(empty)).toEqual({});
    const columns = runColumns(first);
    expect(first.data).toHaveLength(18);
    expect(Object.keys(columns)).toEqual(['loss', 'acc']);
    expect([...columns.loss!.steps]).toEqual([0, 1, 1, 2 ** 53]);
    expect([...columns.loss!.values]).toEqual([0.5, Number.NaN, 0.25, 5e-324]);
    expect([...columns.loss!.timestamps]).toEqual([1717300990000, 1717300990001, 1717300990001, Number.NaN]);
    expect([...columns.acc!.values]).toEqual([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    expect(asPoints(columns)).toEqual(runMetricsOf('r', row));
  });

  it('hands back a row holding anything else, so the careful reader reads or rejects it', () => {
    const odd = [
      rowOf([{ key: 'm', step: 0, value: 'inf', timestamp: 1 }]),
      rowOf([{ key: 'm', step: 0, value: 'not a number', timestamp: 1 }]),
      rowOf([{ key: 'm', step: '3', value: 1, timestamp: 1 }]),
      rowOf([{ key: 'm', step: 0, value: 1, timestamp: '12' }]),
      rowOf([{ key: 7, step: 0, value: 1, timestamp: 1 }]),
      ['["m"]', '[0]', '[1]', '[]'],
      ['["m"]', '[0]', '[9e999]', '[1]'].slice(0, 3),
      ['not json', '[]', '[]', '[]'],
      null,
    ];
    expect(odd.map(metricColumnsOf)).toEqual(odd.map((row) => ({ row })));
    expect(readThroughColumns(odd[0])).toEqual({ m: [{ step: 0, value: Number.POSITIVE_INFINITY, timestamp: 1 }] });
    expect(readThroughColumns(odd[1])).toBeInstanceOf(MalformedMetric);
  });

  it('reads SQLite spelling of an infinite value as the careful reader does', () => {
    const row = ['["m","m"]', '[0,1]', '[9.0e+999,-9.0e+999]', '[1,2]'];
    expect(readThroughColumns(row)).toEqual(careful(row));
    expect(metricColumnsOf(row)).toHaveProperty('names');
  });

  it('never reads a row differently from the careful reader (any keys, steps, values, timestamps)', () => {
    const number = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(MAX, -MAX, 0, 5e-324, 2 ** 53 + 2, -(2 ** 62)),
      fc.integer(),
    );
    const point = fc.record({
      key: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom('loss', 'acc', 'los', 'a.b/c', 'ü', '') },
        fc.constantFrom(3, null, 'a"b', 'a\\b', '","', '\t', '["x"]', 'x\u2028'),
      ),
      step: fc.oneof({ weight: 8, arbitrary: number }, fc.constantFrom('1', null)),
      value: fc.oneof({ weight: 8, arbitrary: number }, fc.constantFrom('NaN', 'nan', 'inf', '-Infinity', 'x', '')),
      timestamp: fc.oneof({ weight: 8, arbitrary: number }, fc.constantFrom(null, '5')),
    });
    fc.assert(
      fc.property(fc.array(point, { maxLength: 30 }), (points) => {
        const row = rowOf(points);
        expect(readThroughColumns(row)).toEqual(careful(row));
      }),
      { numRuns: 500, seed: 13 },
    );
  });

  it('sends the worker a source that defines the same function', () => {
    const defined = vm.runInThisContext(
      `(() => { ${METRIC_COLUMNS_SOURCE} return metricColumnsOf; })()`,
    ) as typeof metricColumnsOf;
    const row = rowOf([
      { key: 'loss', step: 0, value: 'NaN', timestamp: 1 },
      { key: 'acc', step: 3, value: MAX, timestamp: null },
    ]);
    expect([row, null].map(defined)).toEqual([row, null].map(metricColumnsOf));
  });
});
