/**
 * Migration 9: a fingerprint of what MLflow itself changes when a run changes (its row, params, tags,
 * latest metrics, the number of metric rows), so a re-import can pass over an unchanged run without
 * reading its metric history; NULL (captures, older imports, stores without such facts) means unknown.
 */
export const migration009 = `
ALTER TABLE runs ADD COLUMN import_fingerprint TEXT;
`;
