// Reads dvc.lock's recorded hashes and checks the files and folders on disk against them as DVC would.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import type { DvcEntry } from '../../shared/snapshot/snapshot';

/**
 * DVC's record of a pipeline's data: the hashes in `dvc.lock`, and whether the files on disk still
 * match them. DVC hashes a file as the MD5 of its bytes (DVC 2 first turned CRLF into LF in text
 * files; DVC 3 marks its entries `hash: md5` and does not), and a folder as the MD5 of a JSON
 * listing of its files' MD5s and relative paths, suffixed `.dir`.
 */

// The lock is read with YAML's failsafe schema (every scalar a string): a hash of digits only must not turn into a number.
const count = z.string().regex(/^\d+$/).transform(Number);

const DvcOutSchema = z
  .object({
    path: z.string(),
    md5: z.string().optional(),
    etag: z.string().optional(),
    checksum: z.string().optional(),
    hash: z.string().optional(),
    size: count.optional(),
    nfiles: count.optional(),
  })
  .passthrough();

const DvcStageSchema = z
  .object({
    cmd: z.union([z.string(), z.array(z.string())]).optional(),
    deps: z.array(DvcOutSchema).optional(),
    outs: z.array(DvcOutSchema).optional(),
  })
  .passthrough();

const DvcLockSchema = z
  .object({
    schema: z.string().optional(),
    stages: z.record(z.string(), DvcStageSchema).optional(),
  })
  .passthrough();

/** Entries written by DVC 1/2, whose text files were hashed with CRLF turned into LF. */
const DVC2_MD5 = new WeakSet<DvcEntry>();

/** What reading a dvc.lock gave: its entries, and sentences about what could not be read. */
export interface DvcReadResult {
  entries: DvcEntry[];
  warnings: string[];
}

/** Options of readDvcLock. */
export interface DvcReadOptions {
  /** Compare each entry with the file or folder on disk (relative to the lock's folder). */
  checkDisk: boolean;
  /** Where the listed paths may lie: a path resolving outside it is not read. Defaults to the lock's folder. */
  boundary?: string;
}

/** Reads `dvc.lock` text (from disk or from an imported store) into entries, without checking the disk. */
export function parseDvcLock(text: string, label: string): DvcReadResult {
  let raw: unknown;
  try {
    raw = YAML.parse(text, { schema: 'failsafe' });
  } catch (e) {
    return { entries: [], warnings: [`data: ${label} is not valid YAML (${(e as Error).message.split('\n')[0]})`] };
  }
  const parsed = DvcLockSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      entries: [],
      warnings: [
        `data: ${label} is not a dvc.lock DVC understands (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'})`,
      ],
    };
  }
  // DVC 1 wrote stages at the top level, without the `stages` key.
  const stages = parsed.data.stages ?? legacyStages(raw);
  const entries: DvcEntry[] = [];
  for (const [stage, body] of Object.entries(stages)) {
    for (const [role, list] of [
      ['dep', body.deps ?? []],
      ['out', body.outs ?? []],
    ] as const) {
      for (const item of list) {
        const hashKind =
          item.md5 !== undefined
            ? 'md5'
            : item.etag !== undefined
              ? 'etag'
              : item.checksum !== undefined
                ? 'checksum'
                : null;
        const hash = item.md5 ?? item.etag ?? item.checksum ?? null;
        if (hash === null || hashKind === null) continue;
        const entry: DvcEntry = {
          stage,
          role,
          path: item.path,
          hash,
          hashKind,
          size: item.size ?? null,
          matchesDisk: null,
          note: null,
        };
        // DVC 3 writes `hash: md5` on entries hashed without DVC 2's CRLF normalisation.
        if (hashKind === 'md5' && item.hash === undefined) DVC2_MD5.add(entry);
        entries.push(entry);
      }
    }
  }
  return { entries, warnings: [] };
}

function legacyStages(raw: unknown): Record<string, z.infer<typeof DvcStageSchema>> {
  if (raw === null || typeof raw !== 'object') return {};
  const out: Record<string, z.infer<typeof DvcStageSchema>> = {};
  for (const [name, body] of Object.entries(raw as Record<string, unknown>)) {
    const stage = DvcStageSchema.safeParse(body);
    if (stage.success && (stage.data.deps || stage.data.outs)) out[name] = stage.data;
  }
  return out;
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
  const result = parseDvcLock(text, lockPath);
  if (!options.checkDisk) return result;
  const boundary = realOrSelf(options.boundary ?? dir);
  for (const entry of result.entries) Object.assign(entry, await checkEntry(dir, boundary, entry));
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

async function checkEntry(
  dir: string,
  boundary: string,
  entry: DvcEntry,
): Promise<Pick<DvcEntry, 'matchesDisk' | 'note'>> {
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
      const actual = await dvcDirMd5(real, DVC2_MD5.has(entry));
      return actual === entry.hash
        ? { matchesDisk: true, note: null }
        : { matchesDisk: false, note: `folder hash on disk is ${actual}` };
    }
    if (!stat.isFile()) return { matchesDisk: false, note: 'DVC recorded a file; a folder is on disk' };
    if (entry.size !== null && stat.size !== entry.size)
      return { matchesDisk: false, note: `size on disk is ${stat.size} bytes, DVC recorded ${entry.size}` };
    const actual = await dvcFileMd5(real, DVC2_MD5.has(entry));
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
