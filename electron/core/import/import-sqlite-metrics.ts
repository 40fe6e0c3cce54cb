/** Reading an mlflow.db's metric histories: one aggregated row per run through MLflow's run_uuid index, or one scan for stores without it. */
import type Database from 'better-sqlite3';
import { emptyRecord } from '../../../shared/records';
import { parseMlflowValue, type MlflowMetricPoint } from '../../../shared/mlflow/mlflow-snapshot';

/** A metric value the store holds in a form MLflow never writes. */
export class MalformedMetric extends Error {}

/** How this store's metrics table spells a point's step and NaN flag (older versions lack one or both). */
export interface MetricColumns {
  stepExpr: string;
  nanExpr: string;
}

/** The step and NaN expressions for a metrics table with these columns. */
export function metricColumns(cols: Set<string>): MetricColumns {
  return { stepExpr: cols.has('step') ? 'step' : '0', nanExpr: cols.has('is_nan') ? 'is_nan' : '0' };
}

/**
 * The per-run query: with MLflow's run_uuid index, SQLite packs each run's values into JSON arrays (one
 * row per run, in the index's order) far faster than row-by-row reads; is_nan rows carry the text 'NaN'.
 */
export function perRunMetricsSql({ stepExpr, nanExpr }: MetricColumns): string {
  return `SELECT json_group_array(key), json_group_array(${stepExpr}),
    json_group_array(CASE WHEN ${nanExpr} THEN 'NaN' ELSE value END), json_group_array(timestamp)
    FROM metrics WHERE run_uuid = ?`;
}

// Values are checked by hand rather than with a zod schema: a store holds millions of them.
// The caller parses the value (parseMlflowValue): a null there is a malformed value, thrown here with the key.
function point(key: string, step: unknown, v: number | null, timestamp: unknown): MlflowMetricPoint {
  const s = typeof step === 'number' ? step : typeof step === 'bigint' ? Number(step) : Number.NaN;
  const t =
    timestamp === null || timestamp === undefined
      ? null
      : typeof timestamp === 'number'
        ? timestamp
        : Number(timestamp);
  if (v === null || !Number.isFinite(s) || (t !== null && !Number.isFinite(t)))
    throw new MalformedMetric(`metric ${key} holds a value that is not a number`);
  return { step: s, value: v, timestamp: t };
}

/** A run's metrics from its row of the per-run query; throws MalformedMetric for what MLflow never writes. */
export function runMetricsOf(runId: string, row: unknown): Record<string, MlflowMetricPoint[]> {
  const [keysJson, stepsJson, valuesJson, tsJson] = Array.isArray(row) ? (row as unknown[]) : [];
  if (
    typeof keysJson !== 'string' ||
    typeof stepsJson !== 'string' ||
    typeof valuesJson !== 'string' ||
    typeof tsJson !== 'string'
  )
    throw new MalformedMetric(`a metric row of run ${runId} is malformed`);
  const keys = JSON.parse(keysJson) as unknown[];
  const steps = JSON.parse(stepsJson) as unknown[];
  const values = JSON.parse(valuesJson) as unknown[];
  const stamps = JSON.parse(tsJson) as unknown[];
  const out = emptyRecord<MlflowMetricPoint[]>();
  let lastKey: unknown;
  let points: MlflowMetricPoint[] = [];
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (key !== lastKey) {
      if (typeof key !== 'string') throw new MalformedMetric(`a metric row of run ${runId} is malformed`);
      lastKey = key;
      points = Object.hasOwn(out, key) ? out[key]! : (out[key] = []);
    }
    points.push(point(key as string, steps[i], parseMlflowValue(values[i], false), stamps[i]));
  }
  return out;
}

/**
 * Without MLflow's run_uuid index (old stores) a per-run query scans the whole table: it is read once
 * instead, grouped by run (such stores predate the index, and are small).
 */
export function readAllMetrics(
  db: Database.Database,
  { stepExpr, nanExpr }: MetricColumns,
): Map<string, Record<string, MlflowMetricPoint[]> | MalformedMetric> {
  const out = new Map<string, Record<string, MlflowMetricPoint[]> | MalformedMetric>();
  const scan = db.prepare(`SELECT run_uuid, key, ${stepExpr}, value, timestamp, ${nanExpr} FROM metrics`).raw();
  for (const row of scan.iterate() as Iterable<unknown[]>) {
    const runId = String(row[0]);
    const rec = out.get(runId) ?? emptyRecord<MlflowMetricPoint[]>();
    if (rec instanceof MalformedMetric) continue;
    out.set(runId, rec);
    const key = String(row[1]);
    try {
      (rec[key] ??= []).push(point(key, row[2], parseMlflowValue(row[3], Boolean(row[5])), row[4]));
    } catch (e) {
      out.set(runId, e as MalformedMetric);
    }
  }
  return out;
}

/**
 * Where the metrics table stood: its last rowid and the run that row belongs to. MLflow only ever
 * inserts metric rows (each gets a rowid above every other) and deletes them only with their whole
 * run (`mlflow gc`): a run none of whose rows lie above the last rowid of an earlier import has the
 * same history as then, as long as the row at that rowid is still the same run's (after a deleted top
 * row its rowid could be taken again). No count is kept: counting walks a whole index (most of a
 * re-import's time), and MLflow never removes a row from a run that is still there.
 */
export interface MetricWatermark {
  maxRowid: number;
  runAtMax: string;
}

/** The metrics table's watermark, or null where its rows have no rowid to go by. */
export function metricWatermark(db: Database.Database): MetricWatermark | null {
  try {
    const maxRowid = db.prepare('SELECT max(rowid) FROM metrics').pluck().get();
    if (maxRowid === null) return { maxRowid: 0, runAtMax: '' };
    if (typeof maxRowid !== 'number') return null;
    const runAtMax = db.prepare('SELECT run_uuid FROM metrics WHERE rowid = ?').pluck().get(maxRowid);
    return { maxRowid, runAtMax: String(runAtMax) };
  } catch {
    return null; // a WITHOUT ROWID table, say: no fingerprints, every run is read
  }
}

/** Which runs have metric rows added since an earlier watermark; answers "unknown" (false) where the old top row is gone. */
export class MetricMoves {
  private readonly since = new Map<string, Set<string> | null>();
  private readonly atRowid: Database.Statement;
  private readonly after: Database.Statement;

  constructor(
    db: Database.Database,
    private readonly now: MetricWatermark,
  ) {
    this.atRowid = db.prepare('SELECT run_uuid FROM metrics WHERE rowid = ?').pluck();
    // NOT INDEXED: a range of the table itself, proportional to the rows added (the run_uuid index would scan all)
    this.after = db.prepare('SELECT run_uuid FROM metrics NOT INDEXED WHERE rowid > ?').pluck();
  }

  /** Whether the run's metric rows are those it had when the table stood at `then`. */
  unchanged(runId: string, then: MetricWatermark): boolean {
    if (then.maxRowid === this.now.maxRowid && then.runAtMax === this.now.runAtMax) return true;
    const moved = this.movedSince(then);
    return moved !== null && !moved.has(runId);
  }

  private movedSince(then: MetricWatermark): Set<string> | null {
    const key = `${then.maxRowid}~${then.runAtMax}`;
    if (this.since.has(key)) return this.since.get(key)!;
    let moved: Set<string> | null = null;
    const atThen: unknown = then.maxRowid === 0 ? '' : this.atRowid.get(then.maxRowid);
    if (atThen === then.runAtMax) {
      moved = new Set();
      for (const runId of this.after.iterate(then.maxRowid) as Iterable<unknown>) moved.add(String(runId));
    }
    this.since.set(key, moved);
    return moved;
  }
}

/** The watermark as a fingerprint's suffix. */
export function watermarkText(w: MetricWatermark): string {
  return `${w.maxRowid}~${w.runAtMax}`;
}

/** A watermark from its text, or null when the text is not one. */
export function parseWatermark(text: string): MetricWatermark | null {
  const m = /^(\d+)~(.*)$/s.exec(text);
  return m ? { maxRowid: Number(m[1]), runAtMax: m[2]! } : null;
}
