/**
 * Migration 6: metric histories leave the snapshot JSON for a table of their own, one compact blob per
 * run and metric (electron/db/metric-history-codec.ts); every stored snapshot is rewritten without them.
 */
import type Database from 'better-sqlite3';
import { gunzipSync, gzipSync } from 'node:zlib';
import { nonFiniteReplacer, nonFiniteReviver } from '../../../shared/snapshot/nonfinite-json';
import { encodeHistory, type MetricPoint } from '../metric-history-codec';

const SCHEMA = `
CREATE TABLE metric_histories (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  points INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (run_id, name)
) STRICT;
`;

/** A history as the JSON holds it, if every point has the shape the snapshot model gives it. */
function asPoints(raw: unknown): MetricPoint[] | null {
  if (!Array.isArray(raw)) return null;
  for (const p of raw as unknown[]) {
    const q = p as { step?: unknown; value?: unknown; timestamp?: unknown } | null;
    if (q === null || typeof q !== 'object' || Object.keys(q).length !== 3) return null;
    if (typeof q.step !== 'number' || !Number.isFinite(q.step) || typeof q.value !== 'number') return null;
    if (q.timestamp !== null && (typeof q.timestamp !== 'number' || !Number.isFinite(q.timestamp))) return null;
  }
  return raw as MetricPoint[];
}

/** Creates the table and moves every history of every stored snapshot into it. */
export function migration006(db: Database.Database): void {
  db.exec(SCHEMA);
  const one = db.prepare('SELECT snapshot FROM runs WHERE id = ?').pluck();
  const rewrite = db.prepare('UPDATE runs SET snapshot = ? WHERE id = ?');
  const insert = db.prepare('INSERT INTO metric_histories (run_id, name, points, data) VALUES (?, ?, ?, ?)');
  // ids first: better-sqlite3 cannot write while a statement iterates
  for (const id of db.prepare('SELECT id FROM runs').pluck().all() as string[]) {
    let s: { outcome?: { metrics?: Record<string, { history?: unknown }> } };
    try {
      s = JSON.parse(gunzipSync(one.get(id) as Buffer).toString('utf8'), nonFiniteReviver) as typeof s;
    } catch {
      continue; // an unreadable snapshot stays as it is; reading it reports the damage as before
    }
    let moved = 0;
    for (const [name, m] of Object.entries(s.outcome?.metrics ?? {})) {
      const points = asPoints(m?.history);
      if (!points) continue; // null, or not a history this model knows: left in the JSON
      insert.run(id, name, points.length, encodeHistory(points));
      m.history = null;
      moved++;
    }
    if (moved > 0) rewrite.run(gzipSync(JSON.stringify(s, nonFiniteReplacer), { level: 6 }), id);
  }
}
