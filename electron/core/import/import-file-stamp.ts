/** A folder's string stamp (names, sizes, times): an mlflow.db run's artifacts, and file-store fingerprints stored before v2 (import-file-fingerprint.ts). */
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
 *
 * The walk also records each listed folder's mtime, ctime and inode (taken before it is listed) and the names
 * it found (the plan): what fingerprints stored before v2 hashed. New file-store fingerprints hash the same facts
 * as numbers (import-file-fingerprint.ts); this string form stays to match the older ones once, and for the
 * artifacts an mlflow.db import stamps.
 */

const SETTLE_MS = 1000;

/** Sub-folders of a run folder stamped by names only. */
const BY_NAME = new Set(['params', 'inputs', 'outputs']);

/** Folder listings a stamp made, by path: the read that follows takes them instead of listing each folder again. */
export type Listings = Map<string, fs.Dirent[]>;

/** A run folder's stamp, with what lets a later re-check walk it without listing a folder. */
export interface RunStamp {
  /** Names, sizes and times, as hashed into the fingerprint. */
  stamp: string;
  /** The listed folders' mtime, ctime and inode in walk order; null when one changed in the last second. */
  folders: string | null;
  /** The names found in each listed folder, in walk order, parted by '/': what runRecheck walks. */
  plan: string;
}

/** An entry of a folder: a folder, a file, or anything else (which gives no stamp). */
interface Entry {
  name: string;
  kind: 'd' | 'f' | 'o';
}

/** Lists a folder for the walk (and records its stat), or null when it cannot be listed or is not a folder now. */
type Lister = (dir: string) => Entry[] | null;

/** The stamp of a run folder, or null (read it whole); the folders it listed are put in `listings`. */
export function runStamp(runDir: string, listings?: Listings, now = Date.now()): RunStamp | null {
  const settled = now - SETTLE_MS;
  const folders: string[] = [];
  const plan: string[] = [];
  let racy = false;
  const list: Lister = (dir) => {
    // The stat first: an entry added while (or after) the folder is listed moves its mtime past this one.
    const st = fs.lstatSync(dir, { throwIfNoEntry: false });
    if (!st?.isDirectory()) return null;
    let listed: fs.Dirent[];
    try {
      listed = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return null;
    }
    listings?.set(dir, listed);
    if (st.mtimeMs > settled) racy = true;
    folders.push(`${st.mtimeMs} ${st.ctimeMs} ${st.ino}`);
    const entries = listed
      .map((e): Entry => ({ name: e.name, kind: e.isDirectory() ? 'd' : e.isFile() ? 'f' : 'o' }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // Names never hold '/', so '/' parts them; each is marked by its kind, and '>' opens a folder.
    plan.push('>');
    for (const e of entries) plan.push(e.kind + e.name);
    return entries;
  };
  const stamp = walk(runDir, { byName: BY_NAME, settled, list });
  return stamp === null ? null : { stamp, folders: racy ? null : folders.join('\n'), plan: plan.join('/') };
}

/** The stamp of a folder of artifacts (every file by size and times), or null. */
export function artifactStamp(dir: string, now = Date.now()): string | null {
  const list: Lister = (d) => {
    let listed: fs.Dirent[];
    try {
      listed = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return null;
    }
    return listed
      .map((e): Entry => ({ name: e.name, kind: e.isDirectory() ? 'd' : e.isFile() ? 'f' : 'o' }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  };
  return walk(dir, { byName: new Set(), settled: now - SETTLE_MS, list });
}

/** Walks a folder in name order, its entries given by `list`: the stamp, or null. */
function walk(
  runDir: string,
  { byName, settled, list }: { byName: ReadonlySet<string>; settled: number; list: Lister },
): string | null {
  const parts: string[] = [];
  const visit = (dir: string, rel: string, withStats: boolean): boolean => {
    const entries = list(dir);
    // Names hold no separator and `dir` is already normal: plain concatenation is path.join here, without its cost.
    const prefix = dir + path.sep;
    if (entries === null) return false;
    for (const e of entries) {
      const name = rel + e.name;
      if (e.kind === 'd') {
        if (rel === '' && e.name === 'params' && byName.has('params')) {
          const st = fs.lstatSync(prefix + e.name, { throwIfNoEntry: false });
          if (st?.isDirectory() && st.nlink === 2 && st.mtimeMs <= settled) {
            parts.push(`params/ ${st.mtimeMs} ${st.ctimeMs} ${st.ino}`);
            continue;
          }
        }
        parts.push(`${name}/`);
        if (!visit(prefix + e.name, `${name}/`, withStats && !(rel === '' && byName.has(e.name)))) return false;
      } else if (e.kind !== 'f') return false;
      else if (!withStats) parts.push(name);
      else {
        const st = fs.lstatSync(prefix + e.name, { throwIfNoEntry: false });
        if (!st?.isFile() || st.mtimeMs > settled) return false;
        parts.push(`${name} ${st.size} ${st.mtimeMs} ${st.ctimeMs} ${st.ino}`);
      }
    }
    return true;
  };
  return visit(runDir, '', true) ? parts.join('\n') : null;
}
