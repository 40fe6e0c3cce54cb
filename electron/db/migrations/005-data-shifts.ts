/**
 * Migration 5: the data-shift analyses of file pairs, keyed by the two versions' content hashes and
 * the options that change the result (the row key), so any comparison of the same two versions (a
 * report rebuilt later, another rerun of an audit) reads it without the files. One row per pair,
 * written whole in one statement; `result` is the gzipped JSON of the analysis.
 */
export const migration005 = `
CREATE TABLE data_shifts (
  sha_a TEXT NOT NULL,
  sha_b TEXT NOT NULL,
  options TEXT NOT NULL,
  analysis_version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  result BLOB NOT NULL,
  PRIMARY KEY (sha_a, sha_b, options)
) STRICT;
`;
