/**
 * Migration 3: a digest of the MLflow record an imported run was built from, so a re-import can tell
 * an unchanged run without rebuilding and re-encoding its snapshot; NULL (captures, older imports) means unknown.
 */
export const migration003 = `
ALTER TABLE runs ADD COLUMN import_digest TEXT;
`;
