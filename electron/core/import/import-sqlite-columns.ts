/** An mlflow.db run's metric row as float64 columns, no object per point: one self-contained function, run on the prefetch worker (its source is sent there) and on this thread alike. */
import type { MlflowMetricColumns } from '../../../shared/mlflow/mlflow-snapshot';

/** One run's metrics in a buffer of its own: names in the order first met, points per name, then their columns. */
export interface ColumnRun {
  names: string[];
  counts: number[];
  data: Float64Array;
}

/** A run holding something that is not plainly a number: its row as the query gave it, for runMetricsOf to read or reject. */
export interface RawRun {
  row: unknown;
}

/**
 * Reads a run's row of perRunMetricsSql (four JSON arrays: keys, steps, values or 'NaN', timestamps)
 * into one buffer. Name k holds counts[k] points: its steps, then its values, then its timestamps (NaN
 * for none), in the store's order, names one after the other. What MLflow writes takes this way; a
 * run with anything else (a text value or timestamp, a key that is not text, an array cut short) is
 * handed back as its row, so the careful reader says what is wrong with it, as before. A buffer per
 * run, so a batch's texts need not all be held at once, and a stored run frees its own.
 *
 * Why self-contained (nothing from outside the function, no imports, not even a constant): the prefetch
 * worker runs its source text, so the values a worker reads are read by exactly this code.
 */
export function metricColumnsOf(row: unknown): ColumnRun | RawRun {
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
  interface Keys {
    names: string[];
    counts: number[];
    slot: Int32Array;
  }
  // Each point's key as its name's number: a new name when a key differs from the one before.
  const keysOf = (n: number): Keys & { add: (key: string) => number } => {
    const index = new Map<string, number>();
    const names: string[] = [];
    const counts: number[] = [];
    const add = (key: string): number => {
      let k = index.get(key);
      if (k === undefined) {
        k = names.length;
        index.set(key, k);
        names.push(key);
        counts.push(0);
      }
      return k;
    };
    return { names, counts, slot: new Int32Array(n), add };
  };
  // The keys' JSON array as SQLite writes it (["a","b",…]), read in place: a key is made only where it
  // differs from the one before (one per metric, not one per point). Null where the text is not plainly
  // that (an escape, a key that is not text, other spacing): JSON.parse then reads it.
  const scanKeys = (text: string, n: number): Keys | null => {
    const out = keysOf(n);
    if (n === 0) return text === '[]' ? out : null;
    if (text.indexOf('\\') >= 0 || text.charCodeAt(0) !== 91 || text.charCodeAt(1) !== 34) return null;
    let at = 2;
    let last = '';
    let k = -1;
    for (let i = 0; i < n; i++) {
      const end = text.indexOf('"', at);
      if (end < 0) return null;
      if (k < 0 || end - at !== last.length || !text.startsWith(last, at)) {
        last = text.slice(at, end);
        k = out.add(last);
      }
      out.slot[i] = k;
      out.counts[k]!++;
      if (i < n - 1) {
        if (text.charCodeAt(end + 1) !== 44 || text.charCodeAt(end + 2) !== 34) return null;
        at = end + 3;
      } else if (end + 2 !== text.length || text.charCodeAt(end + 1) !== 93) return null;
    }
    return out;
  };
  const parseKeys = (text: string, n: number): Keys | null => {
    const keys: unknown = JSON.parse(text);
    if (!Array.isArray(keys) || keys.length !== n) return null;
    const out = keysOf(n);
    let last: unknown = undefined;
    let k = -1;
    for (let i = 0; i < n; i++) {
      const key: unknown = keys[i];
      if (key !== last) {
        if (typeof key !== 'string') return null;
        last = key;
        k = out.add(key);
      }
      out.slot[i] = k;
      out.counts[k]!++;
    }
    return out;
  };
  const parse = (row: unknown): Parsed | null => {
    if (!Array.isArray(row) || row.length !== 4) return null;
    const texts: unknown[] = row;
    if (!texts.every((t): t is string => typeof t === 'string')) return null;
    try {
      const [steps, values, stamps]: unknown[] = texts.slice(1).map((t): unknown => JSON.parse(t));
      if (!Array.isArray(steps) || !Array.isArray(values) || !Array.isArray(stamps)) return null;
      const n = steps.length;
      if (values.length !== n || stamps.length !== n) return null;
      const keys = scanKeys(texts[0]!, n) ?? parseKeys(texts[0]!, n);
      return keys && { names: keys.names, counts: keys.counts, slot: keys.slot, steps, values, stamps };
    } catch {
      return null;
    }
  };
  // Writes the run's columns; false (the run goes the careful way) at the first value not plainly a number.
  const fill = (p: Parsed, out: Float64Array): boolean => {
    const next = new Int32Array(p.names.length);
    let start = 0;
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
  const p = parse(row);
  if (p === null) return { row };
  const data = new Float64Array(p.slot.length * 3);
  return fill(p, data) ? { names: p.names, counts: p.counts, data } : { row };
}

/** A run's metrics by name, as views into its buffer (nothing is copied). */
export function runColumns({ names, counts, data }: ColumnRun): Record<string, MlflowMetricColumns> {
  const out: [string, MlflowMetricColumns][] = [];
  let at = 0;
  for (let k = 0; k < names.length; k++) {
    const n = counts[k]!;
    out.push([
      names[k]!,
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
