/**
 * Migration 4: parameters and tags as rows (so the run list can filter and sort by them in SQL, as
 * MLflow's search does), the blobs each run uses (so deleting a run can free the logs it alone used),
 * and metric values indexed by name (sorting 100,000 runs by a metric); filled from the stored snapshots.
 */
import type Database from 'better-sqlite3';
import { gunzipSync } from 'node:zlib';

const SCHEMA = `
CREATE TABLE run_params (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX run_params_by_key ON run_params (key, value);

CREATE TABLE run_tags (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX run_tags_by_key ON run_tags (key, value);

CREATE TABLE run_blobs (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  sha256 TEXT NOT NULL,
  PRIMARY KEY (run_id, sha256)
) STRICT, WITHOUT ROWID;
CREATE INDEX run_blobs_by_sha ON run_blobs (sha256);

CREATE INDEX run_metrics_by_name ON run_metrics (name, value);
`;

/** The parts of a stored snapshot this migration reads (the JSON as written, not parsed by the current schema). */
interface StoredSnapshot {
  process?: { parameters?: Record<string, unknown> };
  tags?: Record<string, unknown>;
  outcome?: { logs?: { stdout?: { blob?: unknown } | null; stderr?: { blob?: unknown } | null } };
}

/** Creates the tables and fills them from every stored snapshot. */
export function migration004(db: Database.Database): void {
  db.exec(SCHEMA);
  const param = db.prepare('INSERT OR REPLACE INTO run_params (run_id, key, value) VALUES (?, ?, ?)');
  const tag = db.prepare('INSERT OR REPLACE INTO run_tags (run_id, key, value) VALUES (?, ?, ?)');
  const blob = db.prepare('INSERT OR IGNORE INTO run_blobs (run_id, sha256) VALUES (?, ?)');
  const one = db.prepare('SELECT snapshot FROM runs WHERE id = ?').pluck();
  // ids first: better-sqlite3 cannot write while a statement iterates
  for (const id of db.prepare('SELECT id FROM runs').pluck().all() as string[]) {
    const row = { id, snapshot: one.get(id) as Buffer };
    let s: StoredSnapshot;
    try {
      s = JSON.parse(gunzipSync(row.snapshot).toString('utf8')) as StoredSnapshot;
    } catch {
      continue; // an unreadable snapshot stays listed; it just has no parameter or tag rows
    }
    for (const [k, v] of Object.entries(s.process?.parameters ?? {}))
      if (typeof v === 'string') param.run(row.id, k, v);
    for (const [k, v] of Object.entries(s.tags ?? {})) if (typeof v === 'string') tag.run(row.id, k, v);
    for (const ref of [s.outcome?.logs?.stdout, s.outcome?.logs?.stderr])
      if (typeof ref?.blob === 'string') blob.run(row.id, ref.blob);
  }
}
