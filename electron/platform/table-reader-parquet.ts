// Reads Parquet for the data-shift analysis with hyparquet: the schema from the footer, each column chunk streamed into its profile, and the few rows a diff shows read by row range.
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema, type AsyncBuffer } from 'hyparquet';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
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

/** Files up to this size are read into memory once (hashed and parsed from the same bytes); larger ones are read by range. */
const IN_MEMORY = 256 * 1024 * 1024;
const MISSING_HASH = 0x5bd1e995;

/** What the footer says: the top-level columns and their types. */
export interface ParquetHeader {
  columns: string[];
  types: ColumnType[];
  rows: number;
  file: AsyncBuffer;
  sha256: string | null;
}

function unreadable(file: string, why: string): ReproError {
  return new ReproError('FILE_UNREADABLE', `${file} is not a readable Parquet file: ${why}`);
}

function bufferOf(bytes: Buffer): AsyncBuffer {
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return { byteLength: ab.byteLength, slice: (start, end) => ab.slice(start, end) };
}

function typeOf(el: { type?: string; converted_type?: string; logical_type?: { type: string } }): ColumnType {
  const logical = el.logical_type?.type;
  if (logical === 'STRING' || el.converted_type === 'UTF8' || logical === 'ENUM' || logical === 'UUID') return 'string';
  if (logical === 'DATE' || logical === 'TIMESTAMP' || logical === 'TIME') return 'string';
  switch (el.type) {
    case 'BOOLEAN':
      return 'boolean';
    case 'INT32':
    case 'INT64':
      return el.converted_type === 'DECIMAL' || logical === 'DECIMAL' ? 'number' : 'integer';
    case 'FLOAT':
    case 'DOUBLE':
      return 'number';
    case 'BYTE_ARRAY':
    case 'FIXED_LEN_BYTE_ARRAY':
      return 'string';
    default:
      return 'other';
  }
}

/** Opens a Parquet file: reads its footer (a truncated or foreign file fails here), hashing small files from the same bytes. */
export async function openParquet(file: string, hash: boolean): Promise<ParquetHeader> {
  let buffer: AsyncBuffer;
  let sha256: string | null = null;
  try {
    const size = fs.statSync(file).size;
    if (size <= IN_MEMORY) {
      const bytes = fs.readFileSync(file);
      if (hash) sha256 = createHash('sha256').update(bytes).digest('hex');
      buffer = bufferOf(bytes);
    } else buffer = await asyncBufferFromFile(file);
  } catch (e) {
    throw unreadable(file, (e as Error).message);
  }
  try {
    const metadata = await parquetMetadataAsync(buffer);
    const tree = parquetSchema(metadata);
    const columns = tree.children.map((c) => c.element.name);
    const types = tree.children.map((c) => (c.children.length > 0 ? 'other' : typeOf(c.element as never)));
    return { columns, types, rows: Number(metadata.num_rows), file: buffer, sha256 };
  } catch (e) {
    throw unreadable(file, (e as Error).message);
  }
}

function cellNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return NaN;
}

/** A cell as the text a diff shows. */
export function cellText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x));
}

/** One pass over every column chunk: profiles, row hashes by position (or a key map). */
export async function profileParquet(path: string, header: ParquetHeader, opts: TablePassOptions): Promise<TablePass> {
  const { columns, types, rows } = header;
  const profilers = types.map((t, i) => new ColumnProfiler(t, i + 1));
  const compareIndex = new Map<string, number>();
  opts.compareColumns.forEach((c, k) => compareIndex.set(c, k));
  const rowHashes = new Uint32Array(rows);
  const keyCol = opts.key === null ? -1 : columns.indexOf(opts.key);
  let keyNote: string | null =
    opts.key !== null && keyCol < 0 ? `there is no column named ${JSON.stringify(opts.key)}` : null;
  const keyValues: (string | null)[] | null = keyCol >= 0 && rows <= MAX_KEYED_ROWS ? new Array(rows) : null;
  if (keyCol >= 0 && !keyValues)
    keyNote = `more than ${MAX_KEYED_ROWS.toLocaleString('en')} rows: too many to match by key here`;
  let done = 0;
  try {
    await parquetRead({
      file: header.file,
      onChunk: ({ columnName, columnData, rowStart, rowEnd }) => {
        const c = columns.indexOf(columnName);
        if (c < 0) return;
        const p = profilers[c]!;
        const k = compareIndex.get(columnName) ?? -1;
        const numeric = p.numeric;
        for (let r = rowStart; r < rowEnd; r++) {
          const v = (columnData as ArrayLike<unknown>)[r - rowStart];
          let h: number;
          if (v === null || v === undefined) {
            p.addMissing();
            h = MISSING_HASH;
          } else if (numeric) {
            const x = cellNumber(v);
            p.addNumber(x);
            h = Number.isNaN(x) ? MISSING_HASH : hashNumber(x);
          } else {
            const s = cellText(v)!;
            p.addText(s);
            h = hashString(s);
          }
          p.hash = (p.hash + mixHash(h, r)) >>> 0;
          if (k >= 0) rowHashes[r] = (rowHashes[r]! + mixHash(h, k)) >>> 0;
          if (c === keyCol && keyValues) keyValues[r] = cellText(v);
        }
        done += rowEnd - rowStart;
        opts.onBytes?.(done);
      },
    });
  } catch (e) {
    throw unreadable(path, (e as Error).message);
  }
  let keyed: Map<string, number> | null = null;
  if (keyValues) {
    keyed = new Map();
    let duplicates = 0;
    for (let r = 0; r < rows; r++) {
      const key = keyValues[r] ?? '';
      if (keyed.has(key)) duplicates++;
      keyed.set(key, rowHashes[r]!);
    }
    if (duplicates > 0) keyNote = `${duplicates} rows repeat a key value; the last of each was compared`;
  }
  let sha256 = header.sha256;
  if (opts.sha256 && sha256 === null) {
    // a file too large to hold was parsed by range; its hash is one more streaming read
    const h = createHash('sha256');
    for await (const chunk of fs.createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>)
      h.update(chunk);
    sha256 = h.digest('hex');
  }
  const profile: TableProfile = {
    format: 'parquet',
    columns,
    profilers,
    rows,
    rowHashes: opts.key === null ? rowHashes : null,
    keyed,
    keyNote,
  };
  return { profile, sha256 };
}

/** Reads the rows a diff shows, by 0-based position or by key value (a key search reads the key column, then the rows). */
export async function fetchParquetRows(
  header: ParquetHeader,
  wanted: { keys: readonly string[]; keyColumn: string | null },
  columns: readonly string[],
): Promise<Map<string, (string | null)[]>> {
  const out = new Map<string, (string | null)[]>();
  if (wanted.keys.length === 0) return out;
  let positions: { key: string; row: number }[];
  if (wanted.keyColumn === null) positions = wanted.keys.map((k) => ({ key: k, row: Number(k) }));
  else {
    const want = new Set(wanted.keys);
    positions = [];
    const keyColumn = wanted.keyColumn;
    await parquetRead({
      file: header.file,
      columns: [keyColumn],
      onChunk: ({ columnData, rowStart, rowEnd }) => {
        for (let r = rowStart; r < rowEnd; r++) {
          const k = cellText((columnData as ArrayLike<unknown>)[r - rowStart]) ?? '';
          if (want.has(k)) positions.push({ key: k, row: r });
        }
      },
    });
  }
  // nearby rows are read in one range (a range read decodes its whole row group, so one read per row would repeat it)
  positions.sort((x, y) => x.row - y.row);
  for (let i = 0; i < positions.length;) {
    let j = i;
    while (j + 1 < positions.length && positions[j + 1]!.row - positions[j]!.row <= 1000) j++;
    const start = positions[i]!.row;
    const end = positions[j]!.row + 1;
    let records: Record<string, unknown>[] = [];
    await parquetRead({
      file: header.file,
      rowStart: start,
      rowEnd: end,
      rowFormat: 'object',
      onComplete: (rows) => {
        records = rows as Record<string, unknown>[];
      },
    });
    for (let k = i; k <= j; k++) {
      const record = records[positions[k]!.row - start];
      if (record)
        out.set(
          positions[k]!.key,
          columns.map((c) => (c in record ? cellText(record[c]) : null)),
        );
    }
    i = j + 1;
  }
  return out;
}
