/** A file-store run's stamp: what MLflow changes on disk when it changes a run (names, sizes, times), read without reading a file. */
import fs from 'node:fs';
import path from 'node:path';

/**
 * What MLflow does to a run folder when the run changes, and so what the stamp covers:
 * - meta.yaml is rewritten (status, end time, name, lifecycle): its size, mtime, ctime and inode;
 * - a metric point is appended to metrics/<key>, a tag file is rewritten in place: each file's size and times;
 * - a param is a new file, never rewritten (MLflow refuses to change a param): params/ by its own mtime
 *   (a new entry changes it) where it has no sub-folders (nlink 2), else by names;
 * - an input or output is a new folder with a meta.yaml written once: inputs/ and outputs/ by names;
 * - artifacts may be overwritten: every file's size and times;
 * - anything else in the folder by name.
 * A link, or anything that is neither a file nor a folder, gives no stamp: the full read says what it is.
 * A file written in the last second may still be being written: no stamp either (read again next time).
 */

const SETTLE_MS = 1000;

/** Sub-folders of a run folder stamped by names only. */
const BY_NAME = new Set(['params', 'inputs', 'outputs']);

/** Folder listings a stamp made, by path: the read that follows takes them instead of listing each folder again. */
export type Listings = Map<string, fs.Dirent[]>;

/** The stamp of a run folder, or null (read it whole); the folders it listed are put in `listings`. */
export function runStamp(runDir: string, listings?: Listings, now = Date.now()): string | null {
  return folderStamp(runDir, { byName: BY_NAME, now, listings });
}

/** The stamp of a folder of artifacts (every file by size and times), or null. */
export function artifactStamp(dir: string, now = Date.now()): string | null {
  return folderStamp(dir, { byName: new Set(), now });
}

function folderStamp(
  runDir: string,
  { byName, now, listings }: { byName: ReadonlySet<string>; now: number; listings?: Listings },
): string | null {
  const parts: string[] = [];
  const settled = now - SETTLE_MS;
  const visit = (dir: string, rel: string, withStats: boolean): boolean => {
    let listed: fs.Dirent[];
    try {
      listed = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return false;
    }
    listings?.set(dir, listed);
    const entries = [...listed].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const name = rel + e.name;
      if (e.isDirectory()) {
        if (rel === '' && e.name === 'params' && byName.has('params')) {
          const st = fs.lstatSync(path.join(dir, e.name), { throwIfNoEntry: false });
          if (st?.isDirectory() && st.nlink === 2 && st.mtimeMs <= settled) {
            parts.push(`params/ ${st.mtimeMs} ${st.ctimeMs} ${st.ino}`);
            continue;
          }
        }
        parts.push(`${name}/`);
        if (!visit(path.join(dir, e.name), `${name}/`, withStats && !(rel === '' && byName.has(e.name)))) return false;
      } else if (!e.isFile()) return false;
      else if (!withStats) parts.push(name);
      else {
        const st = fs.lstatSync(path.join(dir, e.name), { throwIfNoEntry: false });
        if (!st?.isFile() || st.mtimeMs > settled) return false;
        parts.push(`${name} ${st.size} ${st.mtimeMs} ${st.ctimeMs} ${st.ino}`);
      }
    }
    return true;
  };
  return visit(runDir, '', true) ? parts.join('\n') : null;
}
