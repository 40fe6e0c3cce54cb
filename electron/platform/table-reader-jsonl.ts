// Reads JSON Lines for the data-shift analysis: one object per line, its top-level keys the columns, streamed line by line.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import readline from 'node:readline';
import { ReproError } from '../../shared/errors';
import {
  ColumnProfiler,
  hashNumber,
  hashString,
  mixHash,
  type ColumnType,
} from '../../shared/compare/data-shift-columns';
import { MAX_KEYED_ROWS, type TableProfile } from '../../shared/compare/data-shift-table';
import type { TablePass, TablePassOptions } from './table-reader-csv';

const MISSING_HASH = 0x5bd1e995;

function unreadable(file: string, why: string): ReproError {
  return new ReproError('FILE_UNREADABLE', `${file} is not a readable JSON Lines file: ${why}`);
}

function typeOf(v: unknown): ColumnType {
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  return 'other';
}

/** A JSON value as a table cell's text. */
function cellText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

async function* objects(file: string, hasher: ReturnType<typeof createHash> | null, onBytes?: (n: number) => void) {
  const stream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  let bytes = 0;
  stream.on('data', (chunk) => {
    hasher?.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
    onBytes?.(bytes);
  });
  const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of lines) {
      n++;
      if (line.trim() === '') continue;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch (e) {
        throw unreadable(file, `line ${n} is not JSON (${(e as Error).message})`);
      }
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw unreadable(file, `line ${n} is not an object`);
      yield v as Record<string, unknown>;
    }
  } finally {
    stream.destroy();
  }
}

/** One pass: a column appears with the first line that has its key; its type is that of its first present value. */
export async function profileJsonl(file: string, opts: TablePassOptions): Promise<TablePass> {
  const columns: string[] = [];
  const index = new Map<string, number>();
  const profilers: ColumnProfiler[] = [];
  const compareIndex = new Map<string, number>();
  opts.compareColumns.forEach((c, k) => compareIndex.set(c, k));
  let rowHashes = new Uint32Array(1 << 12);
  let keyed: Map<string, number> | null = opts.key === null ? null : new Map();
  let keyNote: string | null = null;
  const hasher = opts.sha256 ? createHash('sha256') : null;
  let row = 0;
  for await (const obj of objects(file, hasher, opts.onBytes)) {
    let rowHash = 0;
    for (const [name, v] of Object.entries(obj)) {
      let c = index.get(name);
      if (c === undefined) {
        if (v === null) continue;
        c = columns.length;
        index.set(name, c);
        columns.push(name);
        const p = new ColumnProfiler(typeOf(v), c + 1);
        for (let r = 0; r < row; r++) p.addMissing();
        profilers.push(p);
      }
      const p = profilers[c]!;
      let h: number;
      if (v === null) {
        p.addMissing();
        h = MISSING_HASH;
      } else if (p.numeric && typeof v === 'number') {
        p.addNumber(v);
        h = hashNumber(v);
      } else {
        const s = cellText(v)!;
        if (p.numeric) p.addNonNumeric(s);
        else p.addText(s);
        h = hashString(s);
      }
      p.hash = (p.hash + mixHash(h, row)) >>> 0;
      const k = compareIndex.get(name);
      if (k !== undefined) rowHash = (rowHash + mixHash(h, k)) >>> 0;
    }
    // keys a line lacks are missing values of that line
    for (let c = 0; c < columns.length; c++) if (!(columns[c]! in obj)) profilers[c]!.addMissing();
    if (keyed) {
      keyed.set(cellText(obj[opts.key!]) ?? '', rowHash);
      if (keyed.size > MAX_KEYED_ROWS) {
        keyed = null;
        keyNote = `more than ${MAX_KEYED_ROWS.toLocaleString('en')} rows: too many to match by key here`;
      }
    } else {
      if (row >= rowHashes.length) {
        const grown = new Uint32Array(rowHashes.length * 2);
        grown.set(rowHashes);
        rowHashes = grown;
      }
      rowHashes[row] = rowHash;
    }
    row++;
  }
  if (opts.key !== null && !columns.includes(opts.key)) {
    keyed = null;
    keyNote = `there is no column named ${JSON.stringify(opts.key)}`;
  }
  const profile: TableProfile = {
    format: 'jsonl',
    columns,
    profilers,
    rows: row,
    rowHashes: opts.key === null ? rowHashes.subarray(0, row) : null,
    keyed,
    keyNote,
  };
  return { profile, sha256: hasher ? hasher.digest('hex') : null };
}

/** Reads the top-level keys of the first lines (the columns a row diff can compare). */
export async function jsonlColumns(file: string): Promise<string[]> {
  const seen = new Set<string>();
  let n = 0;
  for await (const obj of objects(file, null)) {
    for (const k of Object.keys(obj)) seen.add(k);
    if (++n >= 1000) break;
  }
  return [...seen];
}

/** Fetches the rows a diff shows, by 0-based position or key value. */
export async function fetchJsonlRows(
  file: string,
  wanted: { keys: readonly string[]; keyColumn: string | null },
  columns: readonly string[],
): Promise<Map<string, (string | null)[]>> {
  const out = new Map<string, (string | null)[]>();
  if (wanted.keys.length === 0) return out;
  const want = new Set(wanted.keys);
  let pos = 0;
  for await (const obj of objects(file, null)) {
    const k = wanted.keyColumn === null ? String(pos) : (cellText(obj[wanted.keyColumn]) ?? '');
    if (want.has(k))
      out.set(
        k,
        columns.map((c) => cellText(obj[c])),
      );
    if (out.size === want.size) break;
    pos++;
  }
  return out;
}
