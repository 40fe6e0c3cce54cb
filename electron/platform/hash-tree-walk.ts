// The listing side of hashTree: a folder walked without following links, and which files need a stat while listed.
import fs from 'node:fs';
import path from 'node:path';
import { ReproError } from '../../shared/errors';
import { fileIdentityOf, type FileIdentity } from '../db/hash-cache-repository';

/** A file the listing found. */
export interface Found {
  rel: string;
  abs: string;
  /**
   * What the listing's stat said (absent where no cache or progress needs it before the read: the worker's read then
   * gives the size). Kept instead of the stat itself, which is large and would live until the tree is done.
   */
  seen?: Seen;
  linkTarget?: string;
}

/** A regular file's identity (for the cache) and size, as its stat gave them. */
export interface Seen {
  id: FileIdentity;
  size: number;
}

/** What the listing keeps of a regular file's stat. */
export function seenOf(stat: fs.BigIntStats): Seen {
  const id = fileIdentityOf(stat);
  return { id, size: id.size };
}

/** A symlink's target, or an error naming the link. */
export function readLink(abs: string): string {
  try {
    return fs.readlinkSync(abs);
  } catch (e) {
    throw unreadable(abs, e);
  }
}

/** The error of a file or folder that could not be read, naming it. */
export function unreadable(abs: string, e: unknown): ReproError {
  return new ReproError(
    'FILE_UNREADABLE',
    `cannot read ${abs}: ${(e as Error).message}`,
    'Fix its permissions, or leave it out of the --data / --outputs paths.',
  );
}

/**
 * Lists a folder's files depth-first without following symlinks (so links cannot loop), one at a time, so the
 * first files are being hashed on the workers while the rest of the folder is still being listed. The entry's type
 * comes from the listing; a regular file is stat'ed here only when `withStat` says so for its folder (a cache lookup
 * needs its identity).
 */
export function* walk(
  root: string,
  skip: ((rel: string, entry: fs.Dirent, abs: string) => boolean) | undefined,
  withStat: boolean | ((absDir: string) => boolean),
): Generator<Found> {
  const stack: string[] = [''];
  while (stack.length > 0) {
    const relDir = stack.pop()!;
    const absDir = path.join(root, relDir);
    const statHere = typeof withStat === 'boolean' ? withStat : withStat(absDir);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(absDir, { withFileTypes: true });
    } catch (e) {
      throw unreadable(absDir, e);
    }
    for (const entry of entries) {
      const rel = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
      // absDir is already normal (root is resolved, names hold no separator): path.join would normalise it again
      const abs = absDir.endsWith(path.sep) ? absDir + entry.name : absDir + path.sep + entry.name;
      if (skip?.(rel, entry, abs)) continue;
      if (entry.isDirectory()) {
        stack.push(rel);
        continue;
      }
      if (!entry.isFile() && !entry.isSymbolicLink()) continue; // sockets, fifos, devices hold no data
      if (entry.isSymbolicLink()) {
        yield { rel, abs, linkTarget: readLink(abs) };
        continue;
      }
      if (!statHere) {
        yield { rel, abs };
        continue;
      }
      let stat: fs.BigIntStats;
      try {
        stat = fs.lstatSync(abs, { bigint: true });
      } catch (e) {
        throw unreadable(abs, e);
      }
      yield { rel, abs, seen: seenOf(stat) };
    }
  }
}

/** Whether the cache holds no hash for any file on this device, so no file of it needs a stat before it is read. */
export function coldDevice(cache: { holdsDevice?(dev: string): boolean } | undefined, dev: bigint): boolean {
  return cache?.holdsDevice !== undefined && !cache.holdsDevice(String(dev));
}

/**
 * For a folder on a cold device: its files are stat'ed while listed only where it is on another device (a mount
 * inside the tree) that the cache holds hashes for, so unchanged files there are still not read.
 */
export function statInFolderIfWarm(
  cache: { holdsDevice?(dev: string): boolean },
  rootDev: bigint,
): (absDir: string) => boolean {
  const warm = new Map<bigint, boolean>([[rootDev, false]]);
  return (absDir) => {
    let dev: bigint;
    try {
      dev = fs.lstatSync(absDir, { bigint: true }).dev;
    } catch (e) {
      throw unreadable(absDir, e);
    }
    let holds = warm.get(dev);
    if (holds === undefined) warm.set(dev, (holds = !coldDevice(cache, dev)));
    return holds;
  };
}

/** The lstat of a file the listing found regular, or the same error a worker gives if it is no longer one. */
export function regularStat(abs: string): fs.BigIntStats {
  const stat = fs.lstatSync(abs, { bigint: true });
  if (!stat.isFile()) throw Object.assign(new Error('it is no longer a regular file'), { code: 'ENOTREG' });
  return stat;
}
