// hashTree: the manifest of a file or folder (sorted paths, sizes, SHA-256, root hash), with the hash cache and progress.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ReproError } from '../../shared/errors';
import type { FileEntry, TreeState } from '../../shared/snapshot/snapshot';
import { fileIdentityOf, type FileIdentity } from '../db/hash-cache-repository';
import { HashPool, sha256FileSync, type HashJob } from './hash-pool';

/** Where hashTree may find and remember hashes of unchanged files. */
export interface HashCache {
  lookup(id: FileIdentity): string | null;
  remember(entries: readonly { id: FileIdentity; sha256: string }[]): void;
}

/** Progress of a tree hash, in bytes. */
export type HashProgress = (done: number, total: number, file: string) => void;

/** Options of hashTree. */
export interface HashTreeOptions {
  cache?: HashCache;
  pool?: HashPool;
  onProgress?: HashProgress;
  /** Shown instead of the absolute path in the manifest (as the user typed it). */
  displayPath?: string;
  /** Leaves out entries of a folder: return true to skip a file or a whole sub-folder. */
  skip?: (rel: string, entry: fs.Dirent, abs: string) => boolean;
  /** What the path is to the user, for its error messages: a `--data` path (the default) or an `--outputs` path. */
  role?: PathRole;
}

/** What a hashed path is to the user: data the run reads, or an output it writes. */
export type PathRole = 'data' | 'output';

/** Files from this size up are hashed on a worker even when there are only a few of them. */
const SMALL_FILE = 256 * 1024;
/** Hashes learned are written to the cache this many at a time as they come in (one transaction each). */
const REMEMBER_BATCH = 2048;
/** Fewer files than this are hashed on the calling thread, big ones aside (starting a job would cost more). */
const FEW_FILES = 32;

/** The root hash of a manifest: SHA-256 over its sorted lines `hash size path`, links as `link:target`. */
export function manifestRootHash(files: readonly FileEntry[]): string {
  return sortedRootHash([...files].sort(byPath));
}

const byPath = (a: FileEntry, b: FileEntry): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** manifestRootHash of files already sorted by path; lines go in by the thousand (a call per line cost more). */
function sortedRootHash(sorted: readonly FileEntry[]): string {
  const hash = createHash('sha256');
  let lines = '';
  for (let i = 0; i < sorted.length; i++) {
    const f = sorted[i]!;
    lines += `${f.sha256 ?? `link:${f.linkTarget ?? ''}`} ${f.size} ${f.path}\n`;
    if (i % 1024 === 1023) {
      hash.update(lines);
      lines = '';
    }
  }
  return hash.update(lines).digest('hex');
}

interface Found {
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
interface Seen {
  id: FileIdentity;
  size: number;
}

function seenOf(stat: fs.BigIntStats): Seen {
  const id = fileIdentityOf(stat);
  return { id, size: id.size };
}

function readLink(abs: string): string {
  try {
    return fs.readlinkSync(abs);
  } catch (e) {
    throw unreadable(abs, e);
  }
}

function unreadable(abs: string, e: unknown): ReproError {
  return new ReproError(
    'FILE_UNREADABLE',
    `cannot read ${abs}: ${(e as Error).message}`,
    'Fix its permissions, or leave it out of the --data / --outputs paths.',
  );
}

/**
 * Lists a folder's files depth-first without following symlinks (so links cannot loop), one at a time, so the
 * first files are being hashed on the workers while the rest of the folder is still being listed. The entry's type
 * comes from the listing; a regular file is stat'ed here only when `withStat` (a cache lookup needs its identity).
 */
function* walk(root: string, skip: HashTreeOptions['skip'], withStat: boolean): Generator<Found> {
  const stack: string[] = [''];
  while (stack.length > 0) {
    const relDir = stack.pop()!;
    const absDir = path.join(root, relDir);
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
      if (!withStat) {
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

/**
 * The stat of a path given as --data or --outputs, or a clear error: missing, a dangling link, a link loop, or
 * not a regular file or folder (a FIFO or a device such as /dev/zero would block or never end when hashed).
 */
export function statInputPath(abs: string, display: string, role: PathRole = 'data'): fs.BigIntStats {
  const what = `${role} path ${display}`;
  const hint =
    role === 'data'
      ? 'Check the path; --data takes a file or folder the run reads.'
      : 'Check the path; --outputs takes a file or folder the run writes.';
  let top: fs.BigIntStats;
  try {
    top = fs.statSync(abs, { bigint: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP')
      throw new ReproError('DATA_PATH_MISSING', `${what} is a loop of symbolic links (${abs})`, hint);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      let link: string | null = null;
      try {
        if (fs.lstatSync(abs).isSymbolicLink()) link = fs.readlinkSync(abs);
      } catch {
        // the path itself is not there: plain "does not exist"
      }
      throw new ReproError(
        'DATA_PATH_MISSING',
        link !== null
          ? `${what} is a symbolic link to ${link}, which does not exist (${abs})`
          : `${what} does not exist (${abs})`,
        hint,
      );
    }
    throw unreadable(abs, e);
  }
  if (!top.isFile() && !top.isDirectory()) {
    const kind = top.isFIFO()
      ? 'a named pipe (FIFO)'
      : top.isCharacterDevice() || top.isBlockDevice()
        ? 'a device'
        : top.isSocket()
          ? 'a socket'
          : 'not a regular file';
    throw new ReproError(
      'INVALID_INPUT',
      `${what} is ${kind}, not a regular file or folder (${abs}); it cannot be hashed`,
      'Give a regular file or a folder.',
    );
  }
  return top;
}

/**
 * Hashes a file or folder into a manifest (relative path, size, SHA-256) and a root hash.
 * Big files go to worker threads; files whose (device, inode, size, mtime) are in the cache are not read.
 */
export async function hashTree(inputPath: string, options: HashTreeOptions = {}): Promise<TreeState> {
  const abs = path.resolve(inputPath);
  const display = options.displayPath ?? inputPath;
  const top = statInputPath(abs, display, options.role);
  const isDir = top.isDirectory();
  const withStat = options.cache !== undefined || options.onProgress !== undefined;
  const found: Iterable<Found> = isDir
    ? walk(abs, options.skip, withStat)
    : [{ rel: path.basename(abs), abs, seen: seenOf(top) }];
  const { files, totalBytes } = await hashFound(found, options);
  files.sort(byPath);
  const rootHash = isDir ? sortedRootHash(files) : files[0]!.sha256;
  return {
    path: display,
    absPath: abs,
    kind: isDir ? 'dir' : 'file',
    rootHash,
    fileCount: files.length,
    totalBytes,
    files,
  };
}

/** Hashes named files of a folder (e.g. git's untracked files) with the same cache and pool; symlinks are recorded as links. */
export async function hashFiles(
  root: string,
  relPaths: readonly string[],
  options: Omit<HashTreeOptions, 'displayPath' | 'skip'> = {},
): Promise<FileEntry[]> {
  const found: Found[] = relPaths.map((rel) => {
    const abs = path.join(root, rel);
    let stat: fs.BigIntStats;
    try {
      stat = fs.lstatSync(abs, { bigint: true });
    } catch (e) {
      throw unreadable(abs, e);
    }
    return stat.isSymbolicLink() ? { rel, abs, linkTarget: readLink(abs) } : { rel, abs, seen: seenOf(stat) };
  });
  return (await hashFound(found, options)).files;
}

/**
 * Hashes files as they are found. Past a few files they go to one job that every worker shares (each takes the next
 * file when free), so the main thread only lists and keeps the books; a few files are hashed here, big ones aside.
 */
async function hashFound(
  found: Iterable<Found>,
  options: Omit<HashTreeOptions, 'displayPath' | 'skip'>,
): Promise<{ files: FileEntry[]; totalBytes: number }> {
  const files: FileEntry[] = [];
  let totalBytes = 0;
  let bytesToHash = 0;
  let bytesDone = 0;
  const learned: { id: FileIdentity; sha256: string }[] = [];
  const failures: { index: number; error: ReproError }[] = [];
  // results arrive as messages, so only once the (synchronous) listing is done and bytesToHash is final
  const record = (index: number, item: Found, sha: string, hashedSize: number): void => {
    const entry = files[index]!;
    entry.sha256 = sha;
    // without a stat, the size is what was read and hashed; with one, the size the listing saw (as before)
    const size = item.seen ? item.seen.size : hashedSize;
    if (!item.seen) {
      entry.size = size;
      totalBytes += size;
    } else {
      learned.push({ id: item.seen.id, sha256: sha });
      // remembered while the workers still hash, so the cache's writes are not a serial tail after the last file
      if (learned.length >= REMEMBER_BATCH) options.cache?.remember(learned.splice(0));
    }
    bytesDone += size;
    options.onProgress?.(bytesDone, bytesToHash, item.rel);
  };
  const fail = (index: number, item: Found, e: unknown): void => {
    failures.push({ index, error: unreadable(item.abs, e) });
  };
  let ownPool: HashPool | null = null;
  const pool = (): HashPool => options.pool ?? (ownPool ??= new HashPool());
  const singles: Promise<void>[] = [];
  const single = (index: number, item: Found, size: number): void => {
    singles.push(
      pool()
        .hash(item.abs)
        .then(
          (sha) => record(index, item, sha, size),
          (e) => fail(index, item, e),
        ),
    );
  };
  // the job's index of a file → its index in files, and what was found
  const sent: { index: number; item: Found }[] = [];
  let job: HashJob | null = null;
  const toJob = (index: number, item: Found): void => {
    job ??= pool().job({
      hashed: (i, sha, size) => record(sent[i]!.index, sent[i]!.item, sha, size),
      failed: (i, e) => fail(sent[i]!.index, sent[i]!.item, e),
    });
    sent.push({ index, item });
    job.add(item.abs);
  };
  let few: { index: number; item: Found }[] | null = [];
  try {
    try {
      for (const item of found) {
        const index = files.length;
        if (item.linkTarget !== undefined) {
          files.push({ path: item.rel, size: 0, sha256: null, linkTarget: item.linkTarget });
          continue;
        }
        const size = item.seen ? item.seen.size : 0;
        totalBytes += size;
        const cached = item.seen ? (options.cache?.lookup(item.seen.id) ?? null) : null;
        files.push({ path: item.rel, size, sha256: cached });
        if (cached !== null) continue;
        bytesToHash += size;
        if (few === null) toJob(index, item);
        else if (few.push({ index, item }) >= FEW_FILES) {
          for (const f of few) toJob(f.index, f.item);
          few = null;
        }
      }
    } catch (e) {
      // a folder that cannot be listed: wait for what was sent, so no result is left unhandled, then fail
      await (job as HashJob | null)?.end().catch(() => undefined);
      throw e;
    }
    if (few !== null) hashFew(few, { record, fail, single });
    await Promise.all(singles);
    await (job as HashJob | null)?.end();
    if (failures.length > 0) throw failures.reduce((a, b) => (b.index < a.index ? b : a)).error;
  } finally {
    await (ownPool as HashPool | null)?.close();
  }
  options.cache?.remember(learned);
  return { files, totalBytes };
}

/** A few files: small ones hashed here (a job would cost more), big ones each on a worker. */
function hashFew(
  few: readonly { index: number; item: Found }[],
  on: {
    record: (index: number, item: Found, sha: string, size: number) => void;
    fail: (index: number, item: Found, e: unknown) => void;
    single: (index: number, item: Found, size: number) => void;
  },
): void {
  const buffer = Buffer.allocUnsafe(SMALL_FILE);
  for (const { index, item } of few) {
    try {
      // without the listing's stat, a few stats are cheap and say which files are big
      const size = item.seen ? item.seen.size : fs.statSync(item.abs).size;
      if (size >= SMALL_FILE) {
        on.single(index, item, size);
        continue;
      }
      const sha = sha256FileSync(item.abs, buffer);
      on.record(index, item, sha, size);
    } catch (e) {
      on.fail(index, item, e);
    }
  }
}
