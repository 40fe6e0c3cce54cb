/** An mlflow.db run's metric row as float64 columns, no object per point: one self-contained function, run on the prefetch worker (its source is sent there) and on this thread alike. */
import type { MlflowMetricColumns } from '../../../shared/mlflow/mlflow-snapshot';

/** One run's metrics inside a batch's buffer: names in the order first met, points per name, and where the first name's columns start. */
export interface ColumnRun {
  names: string[];
  counts: number[];
  at: number;
}

/** A run holding something that is not plainly a number: its row as the query gave it, for runMetricsOf to read or reject. */
export interface RawRun {
  row: unknown;
}

/** Runs of a batch as columns, and the buffer their columns lie in. */
export interface ColumnBatch {
  runs: (ColumnRun | RawRun)[];
  data: Float64Array;
}

/**
 * Reads rows of perRunMetricsSql (four JSON arrays: keys, steps, values or 'NaN', timestamps) into one
 * buffer. Name k of a run holds counts[k] points: its steps, then its values, then its timestamps
 * (NaN for none), in the store's order, names one after the other from `at`. What MLflow writes takes
 * this way; a run with anything else (a text value or timestamp, a key that is not text, an array cut
 * short) is handed back as its row, so the careful reader says what is wrong with it, as before.
 *
 * Why self-contained (nothing from outside the function, no imports, not even a constant): the prefetch
 * worker runs its source text, so the values a worker reads are read by exactly this code.
 */
export function metricColumnsOf(rows: readonly unknown[]): ColumnBatch {
  // MLflow stores ±Infinity as ±max double (SQLAlchemy cannot store inf): parseMlflowValue's rule.
  const max = 1.7976931348623157e308;
  interface Parsed {
    names: string[];
    counts: number[];
    slot: Int32Array;
    steps: unknown[];
    values: unknown[];
    stamps: unknown[];
  }
  const parse = (row: unknown): Parsed | null => {
    if (!Array.isArray(row) || row.length !== 4) return null;
    const texts: unknown[] = row;
    if (!texts.every((t): t is string => typeof t === 'string')) return null;
    let arrays: unknown[];
    try {
      arrays = texts.map((t): unknown => JSON.parse(t));
    } catch {
      return null;
    }
    if (!arrays.every((a) => Array.isArray(a))) return null;
    const [keys, steps, values, stamps] = arrays as unknown[][];
    if (!arrays.every((a) => (a as unknown[]).length === keys!.length)) return null;
    const index = new Map<string, number>();
    const names: string[] = [];
    const counts: number[] = [];
    const slot = new Int32Array(keys!.length);
    let last: unknown = undefined;
    let k = -1;
    for (let i = 0; i < keys!.length; i++) {
      const key = keys![i];
      if (key !== last) {
        if (typeof key !== 'string') return null;
        last = key;
        const seen = index.get(key);
        if (seen === undefined) {
          k = names.length;
          index.set(key, k);
          names.push(key);
          counts.push(0);
        } else k = seen;
      }
      slot[i] = k;
      counts[k]!++;
    }
    return { names, counts, slot, steps: steps!, values: values!, stamps: stamps! };
  };
  // Writes a run from `at`; false (the run goes the careful way) at the first value not plainly a number.
  const fill = (p: Parsed, out: Float64Array, at: number): boolean => {
    const next = new Int32Array(p.names.length);
    let start = at;
    for (let k = 0; k < p.names.length; k++) {
      next[k] = start;
      start += 3 * p.counts[k]!;
    }
    for (let i = 0; i < p.slot.length; i++) {
      const k = p.slot[i]!;
      const n = p.counts[k]!;
      const w = next[k]!++;
      const step = p.steps[i];
      if (typeof step !== 'number' || !Number.isFinite(step)) return false;
      let value = p.values[i];
      if (typeof value === 'number') {
        if (value >= max) value = Number.POSITIVE_INFINITY;
        else if (value <= -max) value = Number.NEGATIVE_INFINITY;
      } else if (value === 'NaN') value = Number.NaN;
      else return false;
      const stamp = p.stamps[i];
      if (stamp !== null && (typeof stamp !== 'number' || !Number.isFinite(stamp))) return false;
      out[w] = step;
      out[w + n] = value as number;
      out[w + 2 * n] = stamp === null ? Number.NaN : stamp;
    }
    return true;
  };
  const parsed = rows.map(parse);
  let total = 0;
  for (const p of parsed) if (p) total += p.slot.length;
  const data = new Float64Array(total * 3);
  const runs: (ColumnRun | RawRun)[] = [];
  let at = 0;
  for (let r = 0; r < rows.length; r++) {
    const p = parsed[r];
    if (p && fill(p, data, at)) runs.push({ names: p.names, counts: p.counts, at });
    else runs.push({ row: rows[r] });
    if (p) at += 3 * p.slot.length;
  }
  return { runs, data };
}

/** A run's metrics by name, as views into the batch's buffer (nothing is copied). */
export function runColumns(run: ColumnRun, data: Float64Array): Record<string, MlflowMetricColumns> {
  const out: [string, MlflowMetricColumns][] = [];
  let at = run.at;
  for (let k = 0; k < run.names.length; k++) {
    const n = run.counts[k]!;
    out.push([
      run.names[k]!,
      {
        steps: data.subarray(at, at + n),
        values: data.subarray(at + n, at + 2 * n),
        timestamps: data.subarray(at + 2 * n, at + 3 * n),
      },
    ]);
    at += 3 * n;
  }
  // fromEntries defines each name as its own property, whatever it is called.
  return Object.fromEntries(out);
}

/** The source text of metricColumnsOf, as the prefetch worker runs it (named `metricColumnsOf` there). */
export const METRIC_COLUMNS_SOURCE = `const metricColumnsOf = (${metricColumnsOf.toString()});`;
