/** Migration 1: runs with their snapshots, metric summaries, log blobs and the file-hash cache. */
export const migration001 = `
CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  name TEXT,
  kind TEXT NOT NULL CHECK (kind IN ('capture', 'rerun', 'import')),
  project TEXT,
  created_at TEXT NOT NULL,
  status TEXT NOT NULL,
  exit_code INTEGER,
  commit_sha TEXT,
  command TEXT NOT NULL,
  audit_id TEXT,
  source_key TEXT UNIQUE,
  snapshot_version INTEGER NOT NULL,
  snapshot BLOB NOT NULL
) STRICT;
CREATE INDEX runs_by_created ON runs (created_at DESC, id);
CREATE INDEX runs_by_audit ON runs (audit_id);

CREATE TABLE run_metrics (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  value REAL,
  PRIMARY KEY (run_id, name)
) STRICT, WITHOUT ROWID;

CREATE TABLE blobs (
  sha256 TEXT PRIMARY KEY,
  encoding TEXT NOT NULL,
  size INTEGER NOT NULL,
  data BLOB NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE hash_cache (
  dev TEXT NOT NULL,
  ino TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime_ns TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  PRIMARY KEY (dev, ino)
) STRICT, WITHOUT ROWID;
`;
