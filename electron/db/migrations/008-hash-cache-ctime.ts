/**
 * Migration 8: the hash cache also keys on the inode's change time (as git's index does), so a file rewritten
 * in place with its size and mtime put back is read again. Rows from before have no ctime and are re-hashed once.
 */
export const migration008 = `
ALTER TABLE hash_cache ADD COLUMN ctime_ns TEXT NOT NULL DEFAULT '';
`;
