// hashTree: the manifest of a file or folder (sorted paths, sizes, SHA-256, root hash), with the hash cache and progress.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ReproError } from '../../shared/errors';
import type { FileEntry, TreeState } from '../../shared/snapshot/snapshot';
import { fileIdentityOf, type FileIdentity } from '../db/hash-cache-repository';
import { HashPool, sha256FileSync, type HashJob } from './hash-pool';
import {
  coldDevice,
  readLink,
  regularStat,
  seenOf,
  statInFolderIfWarm,
  unreadable,
  walk,
  type Found,
} from './hash-tree-walk';

/** Where hashTree may find and remember hashes of unchanged files. */
export interface HashCache {
  lookup(id: FileIdentity): string | null;
  remember(entries: readonly { id: FileIdentity; sha256: string }[]): void;
  /**
   * Whether any file on this device may have a remembered hash. Where none can, the files are not looked up one by
   * one (a first capture's cache misses every file). Absent: every file is looked up.
   */
  holdsDevice?(dev: string): boolean;
}

/**
 * Progress of a tree hash: in bytes, or in files where the sizes are only learned as the files are read (a first
 * hash of a folder, whose files are not stat'ed while listed). Called at most about every 1/256 of the work and at
 * its end, not once a file (a folder of 10,000 files would send 10,000 events to every face).
 */
export type HashProgress = (done: number, total: number, file: string, unit: 'bytes' | 'files') => void;

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
/**
 * Hashes learned are written to the cache this many at a time as they come in (one transaction each): few enough
 * that what is left after the last file, a serial tail, takes about a millisecond.
 */
const REMEMBER_BATCH = 512;
/** Progress is reported about this many times per tree (and at its end). */
const PROGRESS_STEPS = 256;
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
  const statsWorkers = isDir && coldDevice(options.cache, top.dev);
  const withStat = statsWorkers
    ? statInFolderIfWarm(options.cache!, top.dev)
    : options.cache !== undefined || options.onProgress !== undefined;
  const found: Iterable<Found> = isDir
    ? walk(abs, options.skip, withStat)
    : [{ rel: path.basename(abs), abs, seen: seenOf(top) }];
  const { files, totalBytes } = await hashFound(found, options, statsWorkers);
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

/** A file found and its index in the manifest. */
interface Listed {
  index: number;
  item: Found;
}

/**
 * Hashes files as they are found. Past a few files they go to one job that every worker shares (each takes the next
 * file when free), so the main thread only lists and keeps the books; a few files are hashed here, big ones aside.
 */
async function hashFound(
  found: Iterable<Found>,
  options: Omit<HashTreeOptions, 'displayPath' | 'skip'>,
  statsWorkers = false,
): Promise<{ files: FileEntry[]; totalBytes: number }> {
  const files: FileEntry[] = [];
  let totalBytes = 0;
  let bytesToHash = 0;
  let bytesDone = 0;
  let filesToHash = 0;
  let filesDone = 0;
  let nextReport = 0;
  const learned: { id: FileIdentity; sha256: string }[] = [];
  const failures: { index: number; error: ReproError }[] = [];
  // results arrive as messages, so only once the (synchronous) listing is done and bytesToHash is final
  const record = ({ index, item }: Listed, sha: string, hashedSize: number, stat?: FileIdentity): void => {
    const entry = files[index]!;
    entry.sha256 = sha;
    // without a stat, the size is what was read and hashed; with one, the size the listing saw (as before)
    const size = item.seen ? item.seen.size : hashedSize;
    if (!item.seen) {
      entry.size = size;
      totalBytes += size;
    }
    // a worker's stat of the file it read is remembered only if the file did not grow or shrink while read
    const id = item.seen ? item.seen.id : stat !== undefined && stat.size === hashedSize ? stat : null;
    if (id !== null && options.cache) {
      learned.push({ id, sha256: sha });
      // remembered while the workers still hash, so the cache's writes are not a serial tail after the last file
      if (learned.length >= REMEMBER_BATCH) options.cache.remember(learned.splice(0));
    }
    bytesDone += size;
    filesDone++;
    if (options.onProgress) {
      const done = statsWorkers ? filesDone : bytesDone;
      const total = statsWorkers ? filesToHash : bytesToHash;
      if (done < nextReport && done < total) return;
      nextReport = done + total / PROGRESS_STEPS;
      options.onProgress(done, total, item.rel, statsWorkers ? 'files' : 'bytes');
    }
  };
  const fail = (index: number, item: Found, e: unknown): void => {
    failures.push({ index, error: unreadable(item.abs, e) });
  };
  let ownPool: HashPool | null = null;
  const pool = (): HashPool => options.pool ?? (ownPool ??= new HashPool());
  const singles: Promise<void>[] = [];
  const single = (index: number, item: Found, size: number, stat?: FileIdentity): void => {
    singles.push(
      pool()
        .hash(item.abs)
        .then(
          (sha) => record({ index, item }, sha, size, stat),
          (e) => fail(index, item, e),
        ),
    );
  };
  // the job's index of a file → its index in files, and what was found
  const sent: Listed[] = [];
  let job: HashJob | null = null;
  const toJob = (index: number, item: Found): void => {
    job ??= pool().job({
      withStat: statsWorkers,
      hashed: (i, sha, size, stat) => record(sent[i]!, sha, size, stat),
      failed: (i, e) => fail(sent[i]!.index, sent[i]!.item, e),
    });
    sent.push({ index, item });
    job.add(item.abs);
  };
  let few: Listed[] | null = [];
  const lookup = cacheLookup(options.cache);
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
        const cached = item.seen && lookup ? lookup(item.seen.id) : null;
        files.push({ path: item.rel, size, sha256: cached });
        if (cached !== null) continue;
        bytesToHash += size;
        filesToHash++;
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
    if (few !== null) hashFew(few, { record, fail, single, withStat: statsWorkers });
    await Promise.all(singles);
    await (job as HashJob | null)?.end();
    if (failures.length > 0) throw failures.reduce((a, b) => (b.index < a.index ? b : a)).error;
  } finally {
    await (ownPool as HashPool | null)?.close();
  }
  options.cache?.remember(learned);
  return { files, totalBytes };
}

/**
 * The cache's lookup, asked only for files on a device the cache holds any hash for; asked once per device per tree
 * (rows added meanwhile are this tree's own files, which it does not look up again).
 */
function cacheLookup(cache: HashCache | undefined): ((id: FileIdentity) => string | null) | null {
  if (!cache) return null;
  if (!cache.holdsDevice) return (id) => cache.lookup(id);
  const held = new Map<string, boolean>();
  return (id) => {
    let holds = held.get(id.dev);
    if (holds === undefined) held.set(id.dev, (holds = cache.holdsDevice!(id.dev)));
    return holds ? cache.lookup(id) : null;
  };
}

/** A few files: small ones hashed here (a job would cost more), big ones each on a worker. */
function hashFew(
  few: readonly Listed[],
  on: {
    record: (listed: Listed, sha: string, size: number, stat?: FileIdentity) => void;
    fail: (index: number, item: Found, e: unknown) => void;
    single: (index: number, item: Found, size: number, stat?: FileIdentity) => void;
    /** The listing did not stat the files, and the cache wants their identity: stat them here. */
    withStat: boolean;
  },
): void {
  const buffer = Buffer.allocUnsafe(SMALL_FILE);
  for (const listed of few) {
    const { index, item } = listed;
    try {
      const stat = on.withStat && !item.seen ? fileIdentityOf(regularStat(item.abs)) : undefined;
      // without the listing's stat, a few stats are cheap and say which files are big
      const size = item.seen ? item.seen.size : stat ? stat.size : fs.statSync(item.abs).size;
      if (size >= SMALL_FILE) {
        on.single(index, item, size, stat);
        continue;
      }
      const sha = sha256FileSync(item.abs, buffer);
      on.record(listed, sha, size, stat);
    } catch (e) {
      on.fail(index, item, e);
    }
  }
}
