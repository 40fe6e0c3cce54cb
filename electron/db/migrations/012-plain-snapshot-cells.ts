/**
 * Migration 12: no table changes. From this version on, `runs.snapshot` holds either gzip (as before) or, for
 * a short snapshot an import wrote, its JSON as plain UTF-8 text (snapshotCellText reads both): gzip's set-up
 * per call cost a 10k-run import 0.9 s of its 6.2 s on the main thread, for ~1.3 KB saved per run. The version
 * goes up so that an older reproscope refuses such a store ("newer than this reproscope understands")
 * instead of failing to gunzip its runs one by one.
 */
export const migration012 = `SELECT 1;`;
