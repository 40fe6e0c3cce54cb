/** Migration 2: audits, each one row holding the whole audit record (plan, groups, statistics, verdict) as gzipped JSON. */
export const migration002 = `
CREATE TABLE audits (
  id TEXT PRIMARY KEY,
  project TEXT NOT NULL,
  entry_point TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  status TEXT NOT NULL,
  verdict TEXT,
  reruns INTEGER NOT NULL,
  reruns_done INTEGER NOT NULL,
  audit_version INTEGER NOT NULL,
  audit BLOB NOT NULL
) STRICT;
CREATE INDEX audits_by_created ON audits (created_at DESC, id);
`;
