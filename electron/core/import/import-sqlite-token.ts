/** An mlflow.db's whole-database token: what proves, without reading a row, that not one row changed since an earlier import. */
import type Database from 'better-sqlite3';
import fs from 'node:fs';

/**
 * Why a token that is the same as at an earlier import means every row is the same (and so the facts
 * read then, run rows, params, tags, datasets, models and metrics, still hold):
 *
 * - Rollback-journal mode (MLflow's: its SQLAlchemy store never sets journal_mode) with no `-wal` file:
 *   SQLite increments the file change counter (header offset 24) "whenever the database file is unlocked
 *   after having been modified" (sqlite.org/fileformat.html, 1.3.8), on every committed write of any
 *   connection, the sqlite3 shell's included. The header is read here under a shared lock (a read
 *   transaction), so no writer is half-way through and no hot journal is pending. The token also holds the
 *   file's identity and stat (device, inode, size, mtime, ctime, to the nanosecond), so a file replaced
 *   or rewritten by something other than SQLite changes it too.
 * - WAL mode (header bytes 18/19 = 2), or a `-wal` file beside it: the change counter is not bumped on
 *   every commit (checked: an UPDATE in WAL mode, then a checkpoint into the main file, left it alone),
 *   and a reader does not lock writers out. What the database holds is then the main file plus the
 *   WAL's committed frames, and every commit or checkpoint write()s one of the two files, which moves
 *   its ctime (which no user call can set back) or its size. That proves a change only once the last
 *   change lies further back than the file system's timestamp granularity: a write in the same clock tick
 *   as the one before could leave the times as they were. So in WAL mode a token is given only when both
 *   files last changed at least SETTLE_MS ago; otherwise none (every run is checked by its own facts). An
 *   empty `-wal` holds no frame: every reader of a WAL-mode db creates one (this import's too), so it
 *   counts as none; a commit that goes to it grows it, and a checkpoint that empties it writes the main file.
 *
 * The token is read before anything else of the import (experiments, runs, metrics): a write that
 * lands while the import reads makes the next import's token differ, never the reverse.
 */

/** How long ago a WAL-mode database and its `-wal` file must have last changed for their stat to prove nothing moved since. */
export const SETTLE_MS = 2000;

/** The database's token (see above), or null where its stat and header cannot prove that nothing changed. */
export function readDbToken(db: Database.Database, file: string, now = Date.now()): string | null {
  let fd: number | null = null;
  let began = false;
  try {
    // A read transaction holds SQLite's shared lock while the header is read: no writer can be mid-commit.
    db.exec('BEGIN');
    began = true;
    db.prepare('SELECT count(*) FROM sqlite_master').pluck().get();
    fd = fs.openSync(file, 'r');
    const header = Buffer.alloc(100);
    if (fs.readSync(fd, header, 0, 100, 0) !== 100) return null;
    if (header.toString('latin1', 0, 16) !== 'SQLite format 3\0') return null;
    const main = fs.fstatSync(fd, { bigint: true });
    // An empty -wal holds no frame (a reader of a WAL-mode db, this one too, creates one and leaves it there).
    let wal = fs.statSync(`${file}-wal`, { bigint: true, throwIfNoEntry: false });
    if (wal?.size === 0n) wal = undefined;
    const walMode = header[18] === 2 || header[19] === 2 || wal !== undefined;
    const ident = (st: fs.BigIntStats): string => `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
    if (!walMode) return `r:${ident(main)}:${header.toString('base64')}`;
    // A file system that keeps no times (0) proves nothing by them.
    const settled = (st: fs.BigIntStats): boolean =>
      st.ctimeNs > 0n &&
      st.mtimeNs > 0n &&
      Number(st.ctimeNs / 1_000_000n) <= now - SETTLE_MS &&
      Number(st.mtimeNs / 1_000_000n) <= now - SETTLE_MS;
    if (!settled(main) || (wal !== undefined && !settled(wal))) return null;
    return `w:${ident(main)}:${header.toString('base64')}:${wal === undefined ? '-' : ident(wal)}`;
  } catch {
    return null; // no token: every run is checked by its own facts
  } finally {
    if (fd !== null) fs.closeSync(fd);
    if (began) db.exec('COMMIT');
  }
}
