/**
 * Migration 7: one owner per audit. A process that runs an audit holds its lease (pid, host, a random
 * token) and renews the heartbeat; `--resume` refuses a live lease and takes over a stale one.
 */
export const migration007 = `
CREATE TABLE audit_leases (
  audit_id TEXT PRIMARY KEY,
  owner_pid INTEGER NOT NULL,
  owner_host TEXT NOT NULL,
  owner_token TEXT NOT NULL,
  acquired_at INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
`;
