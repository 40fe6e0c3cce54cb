// Reads dvc.lock's recorded hashes and checks the files and folders on disk against them as DVC would.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DvcEntry } from '../../shared/snapshot/snapshot';
import type { DvcReadResult } from './dvc-lock-parse';

/** What reading a dvc.lock gave (its own module holds the parser). */
export type { DvcReadResult } from './dvc-lock-parse';

/**
 * DVC's record of a pipeline's data: the hashes in `dvc.lock`, and whether the files on disk still
 * match them. DVC hashes a file as the MD5 of its bytes (DVC 2 first turned CRLF into LF in text
 * files; DVC 3 marks its entries `hash: md5` and does not), and a folder as the MD5 of a JSON
 * listing of its files' MD5s and relative paths, suffixed `.dir`.
 */

/** Options of readDvcLock. */
export interface DvcReadOptions {
  /** Compare each entry with the file or folder on disk (relative to the lock's folder). */
  checkDisk: boolean;
  /** Where the listed paths may lie: a path resolving outside it is not read. Defaults to the lock's folder. */
  boundary?: string;
}

/** Reads `<dir>/dvc.lock` if there is one (null when the project does not use DVC), checking the disk when asked. */
export async function readDvcLock(dir: string, options: DvcReadOptions): Promise<DvcReadResult | null> {
  const lockPath = path.join(dir, 'dvc.lock');
  let text: string;
  try {
    text = await fs.promises.readFile(lockPath, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    return { entries: [], warnings: [`data: cannot read ${lockPath}: ${(e as Error).message}`] };
  }
  // YAML and the lock's schema load only when a project has a dvc.lock (issue 13: a capture's start).
  const { parseDvcLock, DVC2_MD5 } = await import('./dvc-lock-parse');
  const result = parseDvcLock(text, lockPath);
  if (!options.checkDisk) return result;
  const boundary = realOrSelf(options.boundary ?? dir);
  for (const entry of result.entries)
    Object.assign(entry, await checkEntry({ dir, boundary, entry, dos2unix: DVC2_MD5.has(entry) }));
  return result;
}

function realOrSelf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

function inside(boundary: string, p: string): boolean {
  const rel = path.relative(boundary, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

async function checkEntry({
  dir,
  boundary,
  entry,
  dos2unix,
}: {
  dir: string;
  boundary: string;
  entry: DvcEntry;
  /** DVC 1/2 hashed text files with CRLF turned into LF. */
  dos2unix: boolean;
}): Promise<Pick<DvcEntry, 'matchesDisk' | 'note'>> {
  if (entry.hashKind !== 'md5')
    return { matchesDisk: null, note: `${entry.hashKind} hashes (remote data) are not checked` };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry.path)) return { matchesDisk: null, note: 'a remote path; not checked' };
  const abs = path.resolve(dir, entry.path);
  let real: string;
  try {
    real = await fs.promises.realpath(abs);
  } catch {
    return { matchesDisk: false, note: 'missing on disk' };
  }
  if (!inside(boundary, real)) return { matchesDisk: null, note: 'lies outside the project; not read' };
  try {
    const stat = await fs.promises.stat(real);
    if (entry.hash.endsWith('.dir')) {
      if (!stat.isDirectory()) return { matchesDisk: false, note: 'DVC recorded a folder; a file is on disk' };
      const actual = await dvcDirMd5(real, dos2unix);
      return actual === entry.hash
        ? { matchesDisk: true, note: null }
        : { matchesDisk: false, note: `folder hash on disk is ${actual}` };
    }
    if (!stat.isFile()) return { matchesDisk: false, note: 'DVC recorded a file; a folder is on disk' };
    if (entry.size !== null && stat.size !== entry.size)
      return { matchesDisk: false, note: `size on disk is ${stat.size} bytes, DVC recorded ${entry.size}` };
    const actual = await dvcFileMd5(real, dos2unix);
    return actual === entry.hash
      ? { matchesDisk: true, note: null }
      : { matchesDisk: false, note: `md5 on disk is ${actual}` };
  } catch (e) {
    return { matchesDisk: null, note: `could not be read: ${(e as Error).message}` };
  }
}

/** DVC's MD5 of a file: of its bytes, or (DVC 2) of a text file's bytes with CRLF turned into LF. */
export async function dvcFileMd5(file: string, dos2unix: boolean): Promise<string> {
  const hash = createHash('md5');
  const handle = await fs.promises.open(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(1024 * 1024);
    let first = true;
    let text = false;
    let pendingCr = false;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      let chunk = buffer.subarray(0, bytesRead);
      // DVC 2 decided "text" from the first 8000 bytes: no NUL byte means text.
      if (first) {
        text = dos2unix && !chunk.subarray(0, 8000).includes(0);
        first = false;
      }
      if (!text) {
        hash.update(chunk);
        continue;
      }
      if (pendingCr) chunk = Buffer.concat([Buffer.from('\r'), chunk]);
      pendingCr = chunk[chunk.length - 1] === 0x0d;
      const body = pendingCr ? chunk.subarray(0, chunk.length - 1) : chunk;
      hash.update(Buffer.from(body.toString('latin1').replace(/\r\n/g, '\n'), 'latin1'));
    }
    if (pendingCr) hash.update('\r');
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

/** Python's json.dumps escaping (ensure_ascii): non-ASCII as \uXXXX. */
function pyJsonString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** DVC's folder hash: MD5 of `json.dumps(sorted [{"md5": …, "relpath": …}], sort_keys=True)` plus `.dir`. */
export async function dvcDirMd5(dir: string, dos2unix: boolean): Promise<string> {
  const files: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const e of await fs.promises.readdir(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (!(rel === '' && e.name === '.dvc')) await walk(r);
      } else if (e.isFile()) files.push(r);
    }
  };
  await walk('');
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const parts: string[] = [];
  for (const rel of files)
    parts.push(
      `{"md5": ${pyJsonString(await dvcFileMd5(path.join(dir, rel), dos2unix))}, "relpath": ${pyJsonString(rel)}}`,
    );
  return `${createHash('md5')
    .update(`[${parts.join(', ')}]`)
    .digest('hex')}.dir`;
}
