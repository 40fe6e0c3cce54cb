/**
 * Migration 11: the fingerprint of each source run an import skipped because it was deleted in MLflow (a file
 * store's meta.yaml by its stat), by the source key the run would have; the next import passes over such a run
 * without listing its folder or reading its meta.yaml again.
 */
export const migration011 = `
CREATE TABLE import_skips (
  source_key TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL
) WITHOUT ROWID;
`;
