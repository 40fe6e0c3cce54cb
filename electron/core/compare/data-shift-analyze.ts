// Analyses one changed file pair by its kind (table, array, model, text, JSON, image), reading each version once and checking it is the version the run recorded.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { PNG } from 'pngjs';
import { compareArrays, DEFAULT_TOLERANCE } from '../../../shared/compare/data-shift-arrays';
import type { ArrayShift, StoredFileShift } from '../../../shared/compare/data-shift-model';
import type { ReadAs } from '../../../shared/compare/data-shift-plan';
import {
  assembleRowDiff,
  compareTableProfiles,
  planRowDiff,
  sharedColumns,
} from '../../../shared/compare/data-shift-table';
import { diffImages, diffJsonValues, diffTextFiles } from '../../../shared/compare/data-shift-text';
import { ReproError } from '../../../shared/errors';
import { probeModels } from '../../platform/model-probe';
import { readNpy, readNpz } from '../../platform/npy-reader';
import { fetchCsvRows, profileCsv, sniffCsv, type TablePass } from '../../platform/table-reader-csv';
import { fetchJsonlRows, jsonlColumns, profileJsonl } from '../../platform/table-reader-jsonl';
import { fetchParquetRows, openParquet, profileParquet } from '../../platform/table-reader-parquet';

/** Text and JSON files larger than this are not diffed (their hashes already say they differ). */
const MAX_TEXT_BYTES = 8 * 1024 * 1024;
/** Images up to this size are kept in the store as data: URIs, so the app and reports show them later. */
const MAX_EMBEDDED_IMAGE = 1024 * 1024;

/** One side of a pair: where the file is and what the run recorded about it. */
export interface PairSide {
  abs: string;
  sha256: string | null;
  size: number | null;
  /** The hash is already known to match (the hash cache said so); the read need not hash. */
  verified: boolean;
}

/** What the analysis needs besides the two files. */
export interface AnalyzeOptions {
  readAs: ReadAs;
  key: string | null;
  /** Whether pickles may be loaded (run outputs of captured or rerun runs, or the user asked). */
  unpickle: { allowed: boolean; why: string };
  python: string | null;
  projectRoot: string | null;
  onBytes: (side: 'a' | 'b', done: number) => void;
}

/** The version on disk is not the recorded one: reported as unavailable, never analysed. */
export class VersionMismatch extends Error {}

function checkHash(side: PairSide, sha: string | null, label: string): void {
  if (side.verified || side.sha256 === null || sha === null) return;
  if (sha !== side.sha256)
    throw new VersionMismatch(`${label}'s file at ${side.abs} has changed since that run (its content hash differs)`);
}

function readVerified(side: PairSide, label: string): Buffer {
  const bytes = fs.readFileSync(side.abs);
  if (!side.verified && side.sha256) checkHash(side, createHash('sha256').update(bytes).digest('hex'), label);
  return bytes;
}

function unreadable(e: unknown): StoredFileShift {
  if (e instanceof VersionMismatch) throw e;
  const message = e instanceof ReproError || e instanceof Error ? e.message : String(e);
  return { kind: null, status: 'unreadable', note: message, detail: null };
}

async function analyzeTable(a: PairSide, b: PairSide, o: AnalyzeOptions): Promise<StoredFileShift> {
  const kind = 'table' as const;
  try {
    let passA: TablePass;
    let passB: TablePass;
    let fetchA: (keys: string[], cols: string[]) => Promise<Map<string, (string | null)[]>>;
    let fetchB: typeof fetchA;
    let columns: string[];
    if (o.readAs === 'csv' || o.readAs === 'tsv') {
      const ha = sniffCsv(a.abs, o.readAs === 'tsv');
      const hb = sniffCsv(b.abs, o.readAs === 'tsv');
      columns = sharedColumns(ha.columns, hb.columns);
      const pass = { compareColumns: columns, key: o.key };
      passA = await profileCsv(a.abs, ha, { ...pass, sha256: !a.verified, onBytes: (n) => o.onBytes('a', n) });
      checkHash(a, passA.sha256, 'run A');
      passB = await profileCsv(b.abs, hb, { ...pass, sha256: !b.verified, onBytes: (n) => o.onBytes('b', n) });
      checkHash(b, passB.sha256, 'run B');
      fetchA = (keys, cols) => fetchCsvRows(a.abs, ha, { keys, keyColumn: o.key }, cols);
      fetchB = (keys, cols) => fetchCsvRows(b.abs, hb, { keys, keyColumn: o.key }, cols);
    } else if (o.readAs === 'parquet') {
      const ha = await openParquet(a.abs, !a.verified);
      const hb = await openParquet(b.abs, !b.verified);
      columns = sharedColumns(ha.columns, hb.columns);
      const pass = { compareColumns: columns, key: o.key };
      passA = await profileParquet(a.abs, ha, { ...pass, sha256: !a.verified });
      checkHash(a, passA.sha256, 'run A');
      passB = await profileParquet(b.abs, hb, { ...pass, sha256: !b.verified });
      checkHash(b, passB.sha256, 'run B');
      fetchA = (keys, cols) => fetchParquetRows(ha, { keys, keyColumn: o.key }, cols);
      fetchB = (keys, cols) => fetchParquetRows(hb, { keys, keyColumn: o.key }, cols);
    } else {
      columns = sharedColumns(await jsonlColumns(a.abs), await jsonlColumns(b.abs));
      const pass = { compareColumns: columns, key: o.key };
      passA = await profileJsonl(a.abs, { ...pass, sha256: !a.verified, onBytes: (n) => o.onBytes('a', n) });
      checkHash(a, passA.sha256, 'run A');
      passB = await profileJsonl(b.abs, { ...pass, sha256: !b.verified, onBytes: (n) => o.onBytes('b', n) });
      checkHash(b, passB.sha256, 'run B');
      fetchA = (keys, cols) => fetchJsonlRows(a.abs, { keys, keyColumn: o.key }, cols);
      fetchB = (keys, cols) => fetchJsonlRows(b.abs, { keys, keyColumn: o.key }, cols);
    }
    const table = compareTableProfiles(passA.profile, passB.profile);
    const plan = planRowDiff(passA.profile, passB.profile, o.key);
    const [rowsA, rowsB] = await Promise.all([fetchA(plan.fetch.a, columns), fetchB(plan.fetch.b, columns)]);
    table.rows = assembleRowDiff(plan, columns, rowsA, rowsB);
    return { kind, status: 'ok', note: null, detail: table };
  } catch (e) {
    return { ...unreadable(e), kind };
  }
}

function analyzeArrays(a: PairSide, b: PairSide, o: AnalyzeOptions): StoredFileShift {
  const kind = 'array' as const;
  try {
    checkHash(a, sha256File(a), 'run A');
    checkHash(b, sha256File(b), 'run B');
    const arrays: ArrayShift[] = [];
    if (o.readAs === 'npy') arrays.push(compareArrays('(array)', readNpy(a.abs), readNpy(b.abs)));
    else {
      const ma = readNpz(a.abs);
      const mb = readNpz(b.abs);
      const names = [...new Set([...ma.keys(), ...mb.keys()])];
      for (const n of names) arrays.push(compareArrays(n, ma.get(n) ?? null, mb.get(n) ?? null));
    }
    return {
      kind,
      status: 'ok',
      note: null,
      detail: { kind, format: o.readAs === 'npy' ? 'npy' : 'npz', tolerance: { ...DEFAULT_TOLERANCE }, arrays },
    };
  } catch (e) {
    return { ...unreadable(e), kind };
  }
}

/** The SHA-256 of a side's file, or null when it need not be checked (already verified, or nothing recorded). */
export function sha256File(side: PairSide): string | null {
  if (side.verified || !side.sha256) return null;
  const h = createHash('sha256');
  const fd = fs.openSync(side.abs, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

async function analyzeModel(a: PairSide, b: PairSide, o: AnalyzeOptions): Promise<StoredFileShift> {
  const kind = 'model' as const;
  if (!o.unpickle.allowed) return { kind, status: 'skipped', note: o.unpickle.why, detail: null };
  if (!o.python)
    return { kind, status: 'skipped', note: 'neither run recorded a Python interpreter to load it with', detail: null };
  checkHash(a, sha256File(a), 'run A');
  checkHash(b, sha256File(b), 'run B');
  const r = await probeModels({
    python: o.python,
    a: a.abs,
    b: b.abs,
    format: o.readAs === 'torch' ? 'torch' : 'pickle',
    tolerance: { ...DEFAULT_TOLERANCE },
    projectRoot: o.projectRoot,
  });
  if (!r.ok) return { kind, status: 'unreadable', note: r.reason, detail: null };
  return { kind, status: 'ok', note: `loaded with ${o.python}`, detail: r.shift };
}

function isText(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 8192);
  return !head.includes(0) && !head.toString('utf8').includes('\uFFFD');
}

function analyzeSmall(a: PairSide, b: PairSide, o: AnalyzeOptions, path: string): StoredFileShift {
  const sizeA = fs.statSync(a.abs).size;
  const sizeB = fs.statSync(b.abs).size;
  if (o.readAs === 'png') {
    const kind = 'image' as const;
    try {
      const ba = readVerified(a, 'run A');
      const bb = readVerified(b, 'run B');
      const pa = PNG.sync.read(ba);
      const pb = PNG.sync.read(bb);
      const uri = (x: Buffer): string | null =>
        x.length <= MAX_EMBEDDED_IMAGE ? `data:image/png;base64,${x.toString('base64')}` : null;
      return {
        kind,
        status: 'ok',
        note: null,
        detail: diffImages(
          { width: pa.width, height: pa.height, rgba: pa.data },
          { width: pb.width, height: pb.height, rgba: pb.data },
          uri(ba),
          uri(bb),
        ),
      };
    } catch (e) {
      return { ...unreadable(e), kind, note: `not a readable PNG image: ${(e as Error).message}` };
    }
  }
  if (sizeA > MAX_TEXT_BYTES || sizeB > MAX_TEXT_BYTES)
    return {
      kind: o.readAs === 'json' ? 'json' : o.readAs === 'text' ? 'text' : 'binary',
      status: 'skipped',
      note: `larger than ${MAX_TEXT_BYTES / 2 ** 20} MiB: only its content hash is compared`,
      detail: null,
    };
  const ba = readVerified(a, 'run A');
  const bb = readVerified(b, 'run B');
  if (!isText(ba) || !isText(bb)) {
    if (o.readAs === 'json' || o.readAs === 'text')
      return {
        kind: kindFor(o.readAs),
        status: 'unreadable',
        note: 'named like text but holds binary data',
        detail: null,
      };
    return {
      kind: 'binary',
      status: 'skipped',
      note: 'a binary file: only its content hash is compared',
      detail: null,
    };
  }
  const ta = ba.toString('utf8');
  const tb = bb.toString('utf8');
  if (o.readAs === 'json') {
    let ja: unknown;
    let jb: unknown;
    try {
      ja = JSON.parse(ta);
      jb = JSON.parse(tb);
    } catch (e) {
      return {
        kind: 'json',
        status: 'unreadable',
        note: `not valid JSON (${(e as Error).message}); shown as text`,
        detail: diffTextFiles(path, ta, tb),
      };
    }
    return { kind: 'json', status: 'ok', note: null, detail: diffJsonValues(ja, jb) };
  }
  return { kind: 'text', status: 'ok', note: null, detail: diffTextFiles(path, ta, tb) };
}

function kindFor(readAs: ReadAs): 'json' | 'text' {
  return readAs === 'json' ? 'json' : 'text';
}

/** Analyses one changed pair; throws VersionMismatch when a file on disk is not the version its run recorded. */
export async function analyzeFilePair(
  a: PairSide,
  b: PairSide,
  path: string,
  o: AnalyzeOptions,
): Promise<StoredFileShift> {
  switch (o.readAs) {
    case 'csv':
    case 'tsv':
    case 'parquet':
    case 'jsonl':
      return analyzeTable(a, b, o);
    case 'npy':
    case 'npz':
      return analyzeArrays(a, b, o);
    case 'pickle':
    case 'torch':
      return analyzeModel(a, b, o);
    default:
      return analyzeSmall(a, b, o, path);
  }
}
