/**
 * Migration 10: per import source, the whole-store token of the last import that checked every run of it
 * (an mlflow.db's SQLite header and file stat, salted): while a source's token is the same, none of its
 * rows changed, so a re-import checks only each run's files. No row means no token (every run is checked).
 */
export const migration010 = `
CREATE TABLE import_sources (source TEXT PRIMARY KEY, store_token TEXT NOT NULL) WITHOUT ROWID;
`;
