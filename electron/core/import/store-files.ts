// Reading files of a store that someone else wrote: no link is followed out of it, and only regular files are read.
import fs from 'node:fs';
import path from 'node:path';

/** Whether `p` (after resolving links) lies inside `root`. */
export function isInside(root: string, p: string): boolean {
  let real: string;
  try {
    real = fs.realpathSync.native(p);
  } catch {
    return false;
  }
  const rel = path.relative(root, real);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

// O_NONBLOCK so that a FIFO planted where a file should be cannot block the import on open().
const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;

/** The result of reading one file of a store: its text, or why it was not read (missing, a link out, not a file…). */
export type StoreFileRead = { ok: true; text: string } | { ok: false; code: string; reason: string };
/** readStoreFile's bytes instead of text. */
export type StoreBytesRead = { ok: true; bytes: Buffer } | { ok: false; code: string; reason: string };

/**
 * Reads a file of the store as UTF-8 without following a link out of `root` and without reading
 * anything but a regular file (a FIFO or a device would hang or never end). A link that stays inside
 * the store is read. Costs what a plain read costs when the file is not a link.
 */
export function readStoreFile(root: string, file: string): StoreFileRead {
  const read = readStoreBytes(root, file);
  return read.ok ? { ok: true, text: read.bytes.toString('utf8') } : read;
}

/** readStoreFile, the bytes as they are. */
export function readStoreBytes(root: string, file: string): StoreBytesRead {
  let fd: number;
  try {
    fd = fs.openSync(file, OPEN_FLAGS);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    if (code !== 'ELOOP')
      return { ok: false, code, reason: code === 'ENOENT' ? 'is missing' : `cannot be read (${code})` };
    if (!isInside(root, file)) return { ok: false, code: 'LINK_OUT', reason: 'links outside the MLflow store' };
    try {
      fd = fs.openSync(fs.realpathSync.native(file), OPEN_FLAGS);
    } catch (e2) {
      const code2 = (e2 as NodeJS.ErrnoException).code ?? 'EIO';
      return { ok: false, code: code2, reason: `cannot be read (${code2})` };
    }
  }
  try {
    const stats = fs.fstatSync(fd);
    if (!stats.isFile()) return { ok: false, code: 'NOT_FILE', reason: 'is not a regular file' };
    return { ok: true, bytes: readOpen(fd, stats.size) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    return { ok: false, code, reason: `cannot be read (${code})` };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A regular file read by readStatedFile: its bytes (in a buffer the next readStatedFile reuses: take what is needed
 * of them first), and its fstat (taken after it was opened, before it was read).
 */
export interface StatedRead {
  bytes: Buffer;
  stats: fs.Stats;
}

/**
 * The buffer readStatedFile reads into. Why one: a buffer per file (most are 1 to 4 KB) is an 8 KB pool slab every
 * other file, memory outside V8's heap that made its collector run three times as often in a 10k-run import.
 */
let scratch: Buffer = Buffer.allocUnsafe(64 * 1024);

/**
 * Reads a regular file by one open (never through a link, never blocking on a FIFO), fstat and read: the
 * fstat gives what an lstat of the path would (size, times, inode) of the very file read, so a stamp takes it
 * instead of a stat of its own. Null when the file cannot be opened or is not a regular file; the careful
 * read (readStoreBytes) then says why.
 */
export function readStatedFile(file: string): StatedRead | null {
  let fd: number;
  try {
    fd = fs.openSync(file, OPEN_FLAGS);
  } catch {
    return null;
  }
  try {
    const stats = fs.fstatSync(fd);
    if (!stats.isFile()) return null;
    if (scratch.length <= stats.size) scratch = Buffer.allocUnsafe(Math.max(stats.size + 1, scratch.length * 2));
    const bytes = readOpen(fd, stats.size, scratch);
    if (bytes.buffer !== scratch.buffer) scratch = Buffer.from(bytes.buffer); // it grew while read: keep the larger one
    return { bytes, stats };
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads an open regular file to its end, `size` (its fstat's) being what it is expected to hold: one read asks
 * for a byte more, and a read that gives exactly `size` bytes of the `size + 1` asked is the end (as read(2) gives
 * a regular file); a file that grew is read on until a read gives nothing.
 */
function readOpen(fd: number, size: number, into?: Buffer): Buffer {
  let buffer = into ?? Buffer.allocUnsafe(size + 1);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      const grown = Buffer.allocUnsafe(buffer.length * 2);
      buffer.copy(grown, 0, 0, length);
      buffer = grown;
    }
    const got = fs.readSync(fd, buffer, length, buffer.length - length, null);
    if (got === 0) break;
    length += got;
    if (length === size && length < buffer.length) break;
  }
  return buffer.subarray(0, length);
}

/** What a folder entry of the store is, with links resolved only when they stay inside the store. */
export type StoreEntryKind = 'dir' | 'file' | 'link-out' | 'other';

/** Classifies a directory entry; a link is followed only if its target lies inside `root`. */
export function storeEntryKind(root: string, abs: string, entry: fs.Dirent | fs.Stats): StoreEntryKind {
  if (entry.isDirectory()) return 'dir';
  if (entry.isFile()) return 'file';
  if (!entry.isSymbolicLink()) return 'other';
  if (!isInside(root, abs)) return 'link-out';
  try {
    const st = fs.statSync(abs);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
  } catch {
    return 'other';
  }
}

/** Classifies a path of the store by lstat (for folders not listed by the caller); null when it does not exist. */
export function storePathKind(root: string, abs: string): StoreEntryKind | null {
  try {
    return storeEntryKind(root, abs, fs.lstatSync(abs));
  } catch {
    return null;
  }
}
