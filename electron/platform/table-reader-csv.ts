// Reads CSV/TSV for the data-shift analysis: csv-parse sniffs the header and types and fetches the rows a diff shows; the one full pass streams through the byte scanner.
import { parse as parseSync } from 'csv-parse/sync';
import { parse } from 'csv-parse';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { ReproError } from '../../shared/errors';
import { ColumnProfiler, isMissingText, type ColumnType } from '../../shared/compare/data-shift-columns';
import type { TableProfile } from '../../shared/compare/data-shift-table';
import { CsvScanner } from './csv-scan';
import { CsvProfileSink } from './table-reader-csv-pass';

/** What the first rows say about a delimited file. */
export interface CsvHeader {
  delimiter: string;
  columns: string[];
  types: ColumnType[];
}

/** How a table pass runs. */
export interface TablePassOptions {
  /** The columns the row hashes cover (both versions' common columns). */
  compareColumns: readonly string[];
  /** A key column for a keyed row diff, or null for row position. */
  key: string | null;
  /** Whether to hash the bytes read (SHA-256), to check the file is the recorded version. */
  sha256: boolean;
  /** Called with bytes read so far. */
  onBytes?: (done: number) => void;
}

/** The result of one pass. */
export interface TablePass {
  profile: TableProfile;
  sha256: string | null;
}

const SNIFF_BYTES = 256 * 1024;

function unreadable(file: string, why: string): ReproError {
  return new ReproError('FILE_UNREADABLE', `${file} is not a readable CSV file: ${why}`);
}

function readHead(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const n = fs.readSync(fd, buf, 0, SNIFF_BYTES, 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** Guesses the type of a column from its first values. */
export function inferType(values: readonly string[]): ColumnType {
  let numbers = 0;
  let integers = 0;
  let bools = 0;
  let present = 0;
  for (const v of values) {
    if (isMissingText(v)) continue;
    present++;
    const t = v.trim();
    if (/^(true|false)$/i.test(t)) bools++;
    const n = Number(t);
    if (t !== '' && !Number.isNaN(n)) {
      numbers++;
      if (Number.isInteger(n) && !/[.eE]/.test(t)) integers++;
    }
  }
  if (present === 0) return 'string';
  if (numbers === present) return integers === present ? 'integer' : 'number';
  if (bools === present) return 'boolean';
  return 'string';
}

/**
 * Reads the header and first rows with csv-parse: the delimiter (by extension, else the one that
 * splits every sniffed line the same way), the column names and types. A file that is not text, or
 * whose rows do not have the header's number of fields, is refused as not CSV.
 */
export function sniffCsv(file: string, tsv: boolean): CsvHeader {
  const head = readHead(file);
  if (head.length === 0) throw unreadable(file, 'it is empty');
  if (head.includes(0)) throw unreadable(file, 'it holds binary data (NUL bytes), not text');
  let text = head.toString('utf8');
  if (text.includes('\uFFFD')) throw unreadable(file, 'it is not UTF-8 text');
  if (head.length === SNIFF_BYTES) {
    // the head was cut: keep whole lines only (a quoted line break can still be cut; relax_column_count covers it)
    const cut = text.lastIndexOf('\n');
    if (cut > 0) text = text.slice(0, cut + 1);
  }
  const candidates = tsv ? ['\t'] : [',', ';', '\t', '|'];
  let best: { delimiter: string; rows: string[][] } | null = null;
  let lastError = '';
  for (const delimiter of candidates) {
    try {
      const rows: string[][] = parseSync(text, { delimiter, to_line: 1001, skip_empty_lines: true, bom: true });
      if (rows.length === 0) continue;
      const width = rows[0]!.length;
      if (width < 2 && delimiter !== candidates[candidates.length - 1]) continue;
      if (!best || width > best.rows[0]!.length) best = { delimiter, rows };
    } catch (e) {
      lastError = (e as Error).message;
    }
  }
  if (!best) {
    // one column and no delimiter at all is still a CSV
    try {
      const rows: string[][] = parseSync(text, { to_line: 1001, skip_empty_lines: true, bom: true });
      if (rows.length > 0 && rows.every((r) => r.length === 1)) best = { delimiter: tsv ? '\t' : ',', rows };
    } catch (e) {
      lastError = (e as Error).message;
    }
  }
  if (!best) throw unreadable(file, lastError || 'no delimiter splits its rows consistently');
  const [header, ...rows] = best.rows;
  const columns = header!.map((c, i) => c.trim() || `column ${i + 1}`);
  if (new Set(columns).size !== columns.length) throw unreadable(file, 'its header repeats a column name');
  const types = columns.map((_, i) => inferType(rows.map((r) => r[i] ?? '')));
  return { delimiter: best.delimiter, columns, types };
}

/** One streaming pass: per-column profiles, row hashes (or key map), optional SHA-256, progress by bytes. */
export async function profileCsv(file: string, header: CsvHeader, opts: TablePassOptions): Promise<TablePass> {
  const ncol = header.columns.length;
  const profilers = header.types.map((t, i) => new ColumnProfiler(t, i + 1));
  const compareIndex = new Int32Array(ncol).fill(-1);
  opts.compareColumns.forEach((c, k) => {
    const i = header.columns.indexOf(c);
    if (i >= 0) compareIndex[i] = k;
  });
  const keyCol = opts.key === null ? -1 : header.columns.indexOf(opts.key);
  const sink = new CsvProfileSink({ profilers, compareIndex, keyCol, keyed: opts.key !== null && keyCol >= 0 });
  const hasher = opts.sha256 ? createHash('sha256') : null;
  const scanner = new CsvScanner(header.delimiter, sink, { numeric: profilers.map((p) => p.numeric) });
  sink.scanned = scanner.value;

  let done = 0;
  let lastReport = 0;
  const stream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hasher?.update(chunk);
    if (done === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) scanner.push(chunk.subarray(3));
    else scanner.push(chunk);
    done += chunk.length;
    if (opts.onBytes && done - lastReport >= 16 << 20) {
      lastReport = done;
      opts.onBytes(done);
    }
  }
  scanner.end();
  sink.flush();
  opts.onBytes?.(done);
  profilers.forEach((p, i) => (p.hash = sink.colHash[i]!));
  const rows = Math.max(0, sink.row);
  if (scanner.unterminatedQuote) throw unreadable(file, 'a quoted field is never closed');
  if (rows > 0 && sink.widthErrors > rows / 10)
    throw unreadable(file, `${sink.widthErrors} of ${rows} rows do not have the header's ${ncol} fields`);
  const keyNote =
    opts.key !== null && keyCol < 0
      ? `there is no column named ${JSON.stringify(opts.key)}`
      : sink.keyed && sink.duplicates > 0
        ? `${sink.duplicates} rows repeat a key value; the last of each was compared`
        : sink.keyNote;
  return {
    profile: {
      format: header.delimiter === '\t' ? 'tsv' : 'csv',
      columns: header.columns,
      profilers,
      rows,
      rowHashes: keyCol < 0 && opts.key === null ? sink.rowHashes.subarray(0, rows) : null,
      keyed: sink.keyed,
      keyNote,
    },
    sha256: hasher ? hasher.digest('hex') : null,
  };
}

/**
 * Fetches the rows a diff shows, by 0-based position or by key value, as cells of `columns`; stops
 * reading as soon as every wanted row was seen (csv-parse, so quoting is the library's).
 */
export async function fetchCsvRows(
  file: string,
  header: CsvHeader,
  wanted: { keys: readonly string[]; keyColumn: string | null },
  columns: readonly string[],
): Promise<Map<string, (string | null)[]>> {
  const out = new Map<string, (string | null)[]>();
  if (wanted.keys.length === 0) return out;
  const want = new Set(wanted.keys);
  const keyIdx = wanted.keyColumn === null ? -1 : header.columns.indexOf(wanted.keyColumn);
  const idx = columns.map((c) => header.columns.indexOf(c));
  const maxPos = keyIdx < 0 ? Math.max(...wanted.keys.map(Number)) : Infinity;
  const stream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  const parser = stream.pipe(
    parse({ delimiter: header.delimiter, relax_column_count: true, skip_empty_lines: true, bom: true }),
  );
  let pos = -1;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (pos >= 0) {
        const k = keyIdx < 0 ? String(pos) : (record[keyIdx] ?? '');
        if (want.has(k))
          out.set(
            k,
            idx.map((i) => (i < 0 ? null : (record[i] ?? null))),
          );
        if (out.size === want.size || pos >= maxPos) break;
      }
      pos++;
    }
  } finally {
    stream.destroy();
  }
  return out;
}
