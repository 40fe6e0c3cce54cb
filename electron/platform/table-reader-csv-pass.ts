// The sink of the CSV summary pass: numbers gathered per column a batch of rows at a time and folded into the profiles in tight loops; text cells handled at once.
import {
  ColumnProfiler,
  hashNumber,
  hashString,
  isMissingText,
  mixHash,
} from '../../shared/compare/data-shift-columns';
import { MAX_KEYED_ROWS } from '../../shared/compare/data-shift-table';
import { decodeBytes, parseNumberBytes, type CsvSink } from './csv-scan';

/** Rows per batch: the numbers of one column of a batch (32 KiB) stay in the CPU's cache. */
const BATCH = 4096;
/** Text cells up to this many bytes are interned by their bytes (categories: the same few values on every row). */
const INTERN_BYTES = 6;
/** Distinct short texts kept per column; past that, a new one is made each time it occurs, as a long one is. */
const INTERN_MAX = 1024;

/** The hash of a missing cell. */
export const MISSING_HASH = 0x5bd1e995;

/** A short text cell made once: its string, its hash, and whether it means "no value". */
interface Interned {
  s: string;
  hash: number;
  missing: boolean;
}

/** What the pass needs to know about the table. */
export interface CsvPassColumns {
  profilers: ColumnProfiler[];
  /** Per column, its place among the compared columns (the row hash), or -1. */
  compareIndex: Int32Array;
  /** The key column's index, or -1. */
  keyCol: number;
  /** Whether rows are matched by key (a key column was named and found). */
  keyed: boolean;
}

/**
 * Adds one column's numbers of a batch to the row hashes (when the column is compared) and returns
 * its column hash moved on by them. A function of its own, all in locals: V8 optimises the loop
 * on the spot, and code after a loop inside a closure that had not run yet deoptimised every call.
 */
function hashBatch(
  vals: Float64Array,
  n: number,
  at: { base: number; compareAt: number; rowHash: Uint32Array; colHash: number },
): number {
  const { base, compareAt, rowHash } = at;
  let ch = at.colHash;
  for (let i = 0; i < n; i++) {
    const v = vals[i]!;
    if (v !== v) continue;
    const h = hashNumber(v);
    ch = (ch + mixHash(h, base + i)) >>> 0;
    if (compareAt >= 0) rowHash[i] = rowHash[i]! + mixHash(h, compareAt);
  }
  return ch;
}

/**
 * Why batches: a number handed from the scanner straight into a profile touched the profile's
 * fields (boxed doubles) and three hashes per cell; gathered per column, the running sums live in
 * registers and the row hashes are summed column by column.
 */
export class CsvProfileSink implements CsvSink {
  /** The data row being read (the header is row -1). */
  row = -1;
  /** Rows without the header's number of fields. */
  widthErrors = 0;
  /** Rows whose key value an earlier row already had. */
  duplicates = 0;
  keyed: Map<string, number> | null;
  keyNote: string | null = null;
  /** Row hashes by position (when not keyed). */
  rowHashes = new Uint32Array(1 << 16);
  /** Per column, an order-free hash of its values by row (copied to the profilers at the end). */
  readonly colHash: Uint32Array;
  /** The scanner's number slot (CsvScanner.value). */
  scanned: Float64Array = new Float64Array(1);

  private readonly ncol: number;
  private readonly cols: CsvPassColumns;
  private readonly batch: Float64Array[];
  /** The scanner writes plain numbers straight into the batch (CsvSink.numbersInto), but for the key column's. */
  readonly numbersInto: (Float64Array | null)[];
  private readonly batchRow = new Uint32Array(BATCH);
  private readonly batchKeys: string[] = [];
  private n = 0;
  private base = 0;
  /** The batch row a record's numbers go to (CsvSink.numberSlot). */
  get numberSlot(): number {
    return this.n;
  }
  private keyValue = '';
  /** Per column, its short text cells by their bytes (see `field`). */
  private readonly interned: Map<number, Interned>[];

  constructor(cols: CsvPassColumns) {
    this.cols = cols;
    this.ncol = cols.profilers.length;
    this.colHash = new Uint32Array(this.ncol);
    this.batch = cols.profilers.map((p) => (p.numeric ? new Float64Array(BATCH) : new Float64Array(0)));
    this.keyed = cols.keyed ? new Map() : null;
    this.interned = cols.profilers.map(() => new Map<number, Interned>());
    this.numbersInto = cols.profilers.map((p, c) => (p.numeric && c !== cols.keyCol ? this.batch[c]! : null));
  }

  private addHash(col: number, h: number): void {
    this.colHash[col] = this.colHash[col]! + mixHash(h, this.row);
    const k = this.cols.compareIndex[col]!;
    if (k >= 0) this.batchRow[this.n] = this.batchRow[this.n]! + mixHash(h, k);
  }

  /**
   * A present cell that is not a number (numeric column) or any cell of a text column, taken at once; an interned
   * cell (`field`) brings whether it is missing and its hash, made when it was first met.
   */
  private text(col: number, s: string, numericCol: boolean, interned?: Interned): void {
    const p = this.cols.profilers[col]!;
    if (numericCol) this.batch[col]![this.n] = NaN;
    if (interned ? interned.missing : isMissingText(s)) {
      p.addMissing();
      this.addHash(col, MISSING_HASH);
      return;
    }
    if (numericCol) p.addNonNumeric(s);
    else p.addText(s);
    this.addHash(col, interned ? interned.hash : hashString(s));
  }

  number(col: number, buf: Uint8Array, start: number, end: number): void {
    if (this.row < 0 || col >= this.ncol) return;
    if (col === this.cols.keyCol) this.keyValue = decodeBytes(buf, start, end);
    let v = this.scanned[0]!;
    if (v !== v) v = parseNumberBytes(buf, start, end);
    if (v !== v) this.text(col, decodeBytes(buf, start, end), true);
    else this.batch[col]![this.n] = v;
  }

  field(col: number, buf: Uint8Array, start: number, end: number): void {
    if (this.row < 0 || col >= this.ncol) return;
    if (end - start <= INTERN_BYTES && col !== this.cols.keyCol) {
      // the bytes as one number, its leading digit (base 256) the length: distinct bytes, distinct keys (< 2^51)
      let key = end - start;
      for (let i = start; i < end; i++) key = key * 256 + buf[i]!;
      const cache = this.interned[col]!;
      let t = cache.get(key);
      if (t === undefined) {
        const s = decodeBytes(buf, start, end);
        t = { s, hash: hashString(s), missing: isMissingText(s) };
        if (cache.size < INTERN_MAX) cache.set(key, t);
      }
      this.text(col, t.s, false, t);
      return;
    }
    const s = decodeBytes(buf, start, end);
    if (col === this.cols.keyCol) this.keyValue = s;
    this.text(col, s, false);
  }

  quoted(col: number, s: string): void {
    if (this.row < 0 || col >= this.ncol) return;
    if (col === this.cols.keyCol) this.keyValue = s;
    if (this.cols.profilers[col]!.numeric) {
      // a quoted field of a numeric column
      const v = Number(s.trim() || 'x');
      if (v !== v) this.text(col, s, true);
      else this.batch[col]![this.n] = v;
      return;
    }
    this.text(col, s, false);
  }

  endRecord(fields: number): void {
    if (this.row >= 0) {
      // short rows: the missing cells are missing values
      for (let c = fields; c < this.ncol; c++) {
        if (this.cols.profilers[c]!.numeric) this.batch[c]![this.n] = NaN;
        this.cols.profilers[c]!.addMissing();
        this.addHash(c, MISSING_HASH);
      }
      if (fields !== this.ncol) this.widthErrors++;
      if (this.keyed) this.batchKeys[this.n] = this.keyValue;
      if (++this.n === BATCH) this.flush();
    }
    this.row++;
    this.keyValue = '';
  }

  /** Folds the batch into the profiles, the column hashes and the row hashes (or key map). */
  flush(): void {
    const n = this.n;
    if (n === 0) return;
    const base = this.base;
    const rowHash = this.batchRow;
    const profilers = this.cols.profilers;
    for (let c = 0; c < profilers.length; c++) {
      const p = profilers[c]!;
      if (!p.numeric) continue;
      const vals = this.batch[c]!;
      p.addNumbers(vals, n);
      this.colHash[c] = hashBatch(vals, n, {
        base,
        compareAt: this.cols.compareIndex[c]!,
        rowHash,
        colHash: this.colHash[c]!,
      });
    }
    if (this.keyed) {
      for (let i = 0; i < n; i++) {
        const key = this.batchKeys[i]!;
        if (this.keyed.has(key)) this.duplicates++;
        this.keyed.set(key, rowHash[i]!);
      }
      if (this.keyed.size > MAX_KEYED_ROWS) {
        this.keyed = null;
        this.keyNote = `more than ${MAX_KEYED_ROWS.toLocaleString('en')} rows: too many to match by key here`;
      }
    } else if (this.cols.keyCol < 0) {
      if (base + n > this.rowHashes.length) {
        const grown = new Uint32Array(Math.max(this.rowHashes.length * 2, base + n));
        grown.set(this.rowHashes);
        this.rowHashes = grown;
      }
      this.rowHashes.set(rowHash.subarray(0, n), base);
    }
    rowHash.fill(0);
    this.base += n;
    this.n = 0;
  }
}
