// hashTree: the manifest of a file or folder (sorted paths, sizes, SHA-256, root hash), with the hash cache and progress.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ReproError } from '../../shared/errors';
import type { FileEntry, TreeState } from '../../shared/snapshot/snapshot';
import { fileIdentityOf, type FileIdentity } from '../db/hash-cache-repository';
import { HashPool, sha256FileSync } from './hash-pool';

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

/** Files below this size go to the workers in batches: one round trip per file would cost more than its hash. */
const SMALL_FILE = 256 * 1024;
/** A batch of small files: enough to amortise a message, small enough to keep every worker busy to the end. */
const BATCH_FILES = 64;
const BATCH_BYTES = 2 * 1024 * 1024;
/** Fewer small files than this are hashed on the calling thread (starting a worker would cost more). */
const FEW_FILES = 32;

/** The root hash of a manifest: SHA-256 over its sorted lines `hash size path`, links as `link:target`. */
export function manifestRootHash(files: readonly FileEntry[]): string {
  const hash = createHash('sha256');
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const f of sorted) hash.update(`${f.sha256 ?? `link:${f.linkTarget ?? ''}`} ${f.size} ${f.path}\n`);
  return hash.digest('hex');
}

interface Found {
  rel: string;
  abs: string;
  stat: fs.BigIntStats;
  linkTarget?: string;
}

function identityOf(stat: fs.BigIntStats): FileIdentity {
  return fileIdentityOf(stat);
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
 * first files are being hashed on the workers while the rest of the folder is still being listed.
 */
function* walk(root: string, skip?: HashTreeOptions['skip']): Generator<Found> {
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
      const abs = path.join(absDir, entry.name);
      if (skip?.(rel, entry, abs)) continue;
      if (entry.isDirectory()) {
        stack.push(rel);
        continue;
      }
      if (!entry.isFile() && !entry.isSymbolicLink()) continue; // sockets, fifos, devices hold no data
      let stat: fs.BigIntStats;
      try {
        stat = fs.lstatSync(abs, { bigint: true });
      } catch (e) {
        throw unreadable(abs, e);
      }
      if (entry.isSymbolicLink()) yield { rel, abs, stat, linkTarget: fs.readlinkSync(abs) };
      else yield { rel, abs, stat };
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
  const found: Iterable<Found> = isDir ? walk(abs, options.skip) : [{ rel: path.basename(abs), abs, stat: top }];
  const { files, totalBytes } = await hashFound(found, options);
  const rootHash = isDir ? manifestRootHash(files) : files[0]!.sha256;
  return {
    path: display,
    absPath: abs,
    kind: isDir ? 'dir' : 'file',
    rootHash,
    fileCount: files.length,
    totalBytes,
    files: files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
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
    return stat.isSymbolicLink() ? { rel, abs, stat, linkTarget: fs.readlinkSync(abs) } : { rel, abs, stat };
  });
  return (await hashFound(found, options)).files;
}

/** Hashes files as they are found: big ones one per message, small ones in batches, a few small ones on this thread. */
async function hashFound(
  found: Iterable<Found>,
  options: Omit<HashTreeOptions, 'displayPath' | 'skip'>,
): Promise<{ files: FileEntry[]; totalBytes: number }> {
  const files: FileEntry[] = [];
  let totalBytes = 0;
  let bytesToHash = 0;
  let bytesDone = 0;
  const learned: { id: FileIdentity; sha256: string }[] = [];
  // results arrive as messages, so only once the (synchronous) listing is done and bytesToHash is final
  const record = (index: number, item: Found, sha: string): void => {
    files[index]!.sha256 = sha;
    learned.push({ id: identityOf(item.stat), sha256: sha });
    bytesDone += Number(item.stat.size);
    options.onProgress?.(bytesDone, bytesToHash, item.rel);
  };
  let ownPool: HashPool | null = null;
  const pool = (): HashPool => options.pool ?? (ownPool ??= new HashPool());
  const jobs: Promise<void>[] = [];
  let small: { index: number; item: Found }[] = [];
  let smallBytes = 0;
  let batching = false;
  const flush = (): void => {
    const batch = small;
    small = [];
    smallBytes = 0;
    jobs.push(
      pool()
        .hashBatch(batch.map((t) => t.item.abs))
        .then((results) =>
          results.forEach((r, i) => {
            const { index, item } = batch[i]!;
            if ('error' in r) throw unreadable(item.abs, Object.assign(new Error(r.error), { code: r.code }));
            record(index, item, r.sha256);
          }),
        ),
    );
  };
  try {
    try {
      for (const item of found) {
        const index = files.length;
        if (item.linkTarget !== undefined) {
          files.push({ path: item.rel, size: 0, sha256: null, linkTarget: item.linkTarget });
          continue;
        }
        const size = Number(item.stat.size);
        totalBytes += size;
        const cached = options.cache?.lookup(identityOf(item.stat)) ?? null;
        files.push({ path: item.rel, size, sha256: cached });
        if (cached !== null) continue;
        bytesToHash += size;
        if (size >= SMALL_FILE) {
          jobs.push(
            pool()
              .hash(item.abs)
              .then(
                (sha) => record(index, item, sha),
                (e) => {
                  throw unreadable(item.abs, e);
                },
              ),
          );
          continue;
        }
        small.push({ index, item });
        smallBytes += size;
        // a few small files are hashed here at the end; past FEW_FILES they go to the workers in batches
        if (small.length >= FEW_FILES) batching = true;
        if (batching && (small.length >= BATCH_FILES || smallBytes >= BATCH_BYTES)) flush();
      }
    } catch (e) {
      // a folder that cannot be listed: wait for what was sent, so no result is left unhandled, then fail
      await Promise.allSettled(jobs);
      throw e;
    }
    if (batching && small.length > 0) flush();
    else if (!batching) {
      const buffer = Buffer.allocUnsafe(SMALL_FILE);
      for (const { index, item } of small) {
        try {
          record(index, item, sha256FileSync(item.abs, buffer));
        } catch (e) {
          await Promise.allSettled(jobs);
          throw unreadable(item.abs, e);
        }
      }
    }
    const settled = await Promise.allSettled(jobs);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    await (ownPool as HashPool | null)?.close();
  }
  options.cache?.remember(learned);
  return { files, totalBytes };
}
