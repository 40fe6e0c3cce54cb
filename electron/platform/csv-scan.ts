// A byte-level RFC 4180 scanner for delimited text: hands out each field as a byte range, so column summaries of a gigabyte CSV need no string per value.
import { longDecimalBytes, POW10 } from '../../shared/decimal-bytes';

/**
 * Why not csv-parse for the summary pass: it builds a string for every field and an array for
 * every record, which measures at about 25 MB/s here, and a 1 GB file would take 40 s. This scanner
 * is checked against csv-parse on generated input (test/platform/csv-scan.test.ts), and csv-parse
 * still reads the header and the rows shown in a diff (electron/platform/table-reader-csv.ts).
 */

/** Receives the fields of each record as byte ranges of the current buffer (valid only during the call). */
export interface CsvSink {
  /** One plain (unquoted) field: bytes [start, end) of buf. */
  field(col: number, buf: Uint8Array, start: number, end: number): void;
  /** One quoted field, unescaped. */
  quoted(col: number, text: string): void;
  /**
   * A plain (unquoted) field of a column the scanner was told is numeric (CsvScanOptions.numeric):
   * the scanner's `value[0]` holds the number read from its bytes while they were scanned, or NaN
   * when they are not a plain decimal, so the sink reads bytes [start, end) itself (parseNumberBytes).
   * (A typed array, not an argument: a double passed to a call that is not inlined is boxed, one
   * allocation per field.) Required when `numeric` is given.
   */
  number?(col: number, buf: Uint8Array, start: number, end: number): void;
  /** The end of a record of `fields` fields. */
  endRecord(fields: number): void;
  /**
   * Where the plain numbers of some numeric columns go without a call to `number`: a plain decimal of column c
   * read by the fast loop is written to `numbersInto[c][numberSlot]` (numberSlot read at each record's start); a
   * field that is not one still goes to `number`. A column without an array here always goes to `number`.
   */
  readonly numbersInto?: readonly (Float64Array | null)[];
  readonly numberSlot?: number;
}

/** How the scanner treats columns. */
export interface CsvScanOptions {
  /** Per column, whether its plain fields are read as numbers during the scan (handed to `sink.number`). */
  numeric?: readonly boolean[];
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

const decoder = new TextDecoder('utf-8');

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}

/**
 * Scans delimited text pushed in chunks; a record cut by a chunk boundary is carried to the next chunk.
 * Lines without a quote character go through a fast loop that hands each field to the sink as it is
 * found (reading numbers in the same pass over the bytes); a stretch with quotes goes through the
 * general scanner, which keeps a record's fields until the record is complete.
 */
export class CsvScanner {
  private readonly delimiter: number;
  private readonly sink: CsvSink;
  private readonly numeric: Uint8Array;
  private carry: Uint8Array | null = null;
  /** Records seen so far (a blank line is not a record). */
  records = 0;
  /** The number of the plain numeric field being handed to `sink.number` (NaN: read it yourself). */
  readonly value = new Float64Array(1);
  /** Set when a quoted field was still open at the end of input. */
  unterminatedQuote = false;

  constructor(delimiter: string, sink: CsvSink, options: CsvScanOptions = {}) {
    this.delimiter = delimiter.charCodeAt(0);
    this.sink = sink;
    this.numeric = Uint8Array.from(options.numeric ?? [], (n) => (n ? 1 : 0));
    if (this.numeric.includes(1) && !sink.number) throw new Error('CsvScanner: numeric columns need sink.number');
  }

  /** Scans the complete records of a chunk (and of what was carried); keeps the incomplete tail. */
  push(chunk: Uint8Array): void {
    let buf = chunk;
    let from = 0;
    if (this.carry) {
      // finish the carried record with the chunk's first line only, so the chunk itself is not copied
      const lf = chunk.indexOf(LF);
      const head = concat(this.carry, lf >= 0 ? chunk.subarray(0, lf + 1) : chunk);
      this.carry = null;
      const consumed = this.scan(head, false);
      if (lf < 0) {
        if (consumed < head.length) this.carry = head.slice(consumed);
        return;
      }
      if (consumed < head.length) buf = concat(head.subarray(consumed), chunk.subarray(lf + 1));
      else from = lf + 1;
    }
    // the plain stretch: whole lines before the first quote character
    const lastLf = buf.lastIndexOf(LF);
    let plainEnd = lastLf + 1;
    const quote = buf.indexOf(QUOTE, from);
    if (quote >= 0 && quote < plainEnd) plainEnd = quote > from ? buf.lastIndexOf(LF, quote) + 1 : 0;
    if (plainEnd > from) {
      this.scanPlain(buf, from, plainEnd);
      from = plainEnd;
    }
    if (from >= buf.length) return;
    const rest = from > 0 ? buf.subarray(from) : buf;
    const consumed = this.scan(rest, false);
    if (consumed < rest.length) this.carry = rest.slice(consumed);
  }

  /** Scans what is left as the last record. */
  end(): void {
    if (this.carry) {
      const buf = this.carry;
      this.carry = null;
      this.scan(buf, true);
    }
  }

  /**
   * Scans whole lines [from, to) that hold no quote character (buf[to - 1] is a line feed, so every
   * loop below stops at it without a bounds check), handing each field out at once.
   */
  private scanPlain(buf: Uint8Array, from: number, to: number): void {
    const delim = this.delimiter;
    const sink = this.sink;
    const numeric = this.numeric;
    const nnum = numeric.length;
    const value = this.value;
    const into = sink.numbersInto ?? [];
    let pos = from;
    while (pos < to) {
      let c = buf[pos]!;
      if (c === LF) {
        pos++;
        continue;
      }
      if (c === CR) {
        pos += buf[pos + 1] === LF ? 2 : 1;
        continue;
      }
      let col = 0;
      const slot = sink.numberSlot ?? 0;
      for (;;) {
        let p = pos;
        c = buf[p]!;
        if (col < nnum && numeric[col] === 1) {
          // a number read while looking for the field's end: [-+]digits[.digits], as parseNumberBytes
          let neg = false;
          if (c === 0x2d || c === 0x2b) {
            neg = c === 0x2d;
            c = buf[++p]!;
          }
          // integer part, then fraction: exact while the mantissa stays below 2^53 (checked after)
          let mant = 0;
          let d = c - 0x30;
          const digitsAt = p;
          while (d >>> 0 < 10) {
            mant = mant * 10 + d;
            d = buf[++p]! - 0x30;
          }
          let frac = 0;
          let dot = 0;
          if (d === 0x2e - 0x30) {
            dot = 1;
            const fracAt = ++p;
            d = buf[p]! - 0x30;
            while (d >>> 0 < 10) {
              mant = mant * 10 + d;
              d = buf[++p]! - 0x30;
            }
            frac = p - fracAt;
          }
          const any = p - digitsAt - dot > 0;
          c = d + 0x30;
          let v = NaN;
          if (c === delim || c === LF || c === CR) {
            if (any && mant < 9007199254740992 && frac <= 22) {
              v = frac === 0 ? mant : mant / POW10[frac]!;
              if (neg) v = -v;
            }
          } else {
            while (c !== delim && c !== LF && c !== CR) c = buf[++p]!;
          }
          const column = v === v ? into[col] : undefined;
          if (column) column[slot] = v;
          else {
            value[0] = v;
            sink.number!(col, buf, pos, p);
          }
        } else {
          while (c !== delim && c !== LF && c !== CR) c = buf[++p]!;
          sink.field(col, buf, pos, p);
        }
        if (c === delim) {
          col++;
          pos = p + 1;
          continue;
        }
        pos = c === CR && buf[p + 1] === LF ? p + 2 : p + 1;
        this.records++;
        sink.endRecord(col + 1);
        break;
      }
    }
  }

  // The fields of the record being read by the general scanner: emitted only when it is complete,
  // so a record cut by the end of a chunk is read again whole from the next one and never counted twice.
  private kept = 0;
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);
  private texts: (string | null)[] = [];

  private keep(start: number, end: number, text: string | null): void {
    const k = this.kept++;
    if (k >= this.starts.length) {
      const s = new Int32Array(k * 2);
      s.set(this.starts);
      this.starts = s;
      const e = new Int32Array(k * 2);
      e.set(this.ends);
      this.ends = e;
    }
    this.starts[k] = start;
    this.ends[k] = end;
    this.texts[k] = text;
  }

  private emit(buf: Uint8Array, fields: number): void {
    const sink = this.sink;
    const starts = this.starts;
    const ends = this.ends;
    const texts = this.texts;
    const numeric = this.numeric;
    for (let k = 0; k < this.kept; k++) {
      const text = texts[k]!;
      if (text === null && numeric[k] === 1) {
        this.value[0] = NaN;
        sink.number!(k, buf, starts[k]!, ends[k]!);
      } else if (text === null) sink.field(k, buf, starts[k]!, ends[k]!);
      else sink.quoted(k, text);
    }
    this.kept = 0;
    sink.endRecord(fields);
  }

  /** Scans records from the start of buf; returns the offset after the last complete record. */
  private scan(buf: Uint8Array, final: boolean): number {
    const delim = this.delimiter;
    this.kept = 0;
    const n = buf.length;
    let pos = 0;
    let recordStart = 0;
    let col = 0;
    for (;;) {
      // at the start of a field
      if (col === 0) this.kept = 0;
      if (pos >= n) {
        if (!final) return recordStart;
        if (col > 0) {
          // the last record ended with a delimiter: one more empty field
          this.keep(pos, pos, null);
          this.emit(buf, col + 1);
          this.records++;
        }
        return n;
      }
      let c = buf[pos]!;
      if (c === QUOTE) {
        // a quoted field: find the closing quote, unescaping doubled quotes
        let p = pos + 1;
        let parts: string[] | null = null;
        let segStart = p;
        let closed = -1;
        while (p < n) {
          c = buf[p]!;
          if (c === QUOTE) {
            if (p + 1 < n && buf[p + 1] === QUOTE) {
              (parts ??= []).push(decoder.decode(buf.subarray(segStart, p + 1)));
              p += 2;
              segStart = p;
              continue;
            }
            if (p + 1 >= n && !final) break; // cannot tell "" from " at the chunk's end
            closed = p;
            break;
          }
          p++;
        }
        if (closed < 0) {
          if (!final) return recordStart;
          this.unterminatedQuote = true;
          closed = n;
        }
        const last = decoder.decode(buf.subarray(segStart, closed));
        const text = parts ? parts.join('') + last : last;
        // anything between the closing quote and the delimiter is kept, as csv-parse's relax_quotes would not; rare
        p = Math.min(n, closed + 1);
        while (p < n && buf[p] !== delim && buf[p] !== LF && buf[p] !== CR) p++;
        if (p >= n && !final) return recordStart;
        this.keep(pos, p, text);
        pos = p;
      } else if (col === 0 && (c === LF || c === CR)) {
        // a blank line is not a record
        if (c === CR) {
          if (pos + 1 >= n && !final) return recordStart;
          pos += pos + 1 < n && buf[pos + 1] === LF ? 2 : 1;
        } else pos++;
        recordStart = pos;
        continue;
      } else {
        let p = pos;
        while (p < n) {
          c = buf[p]!;
          if (c === delim || c === LF || c === CR) break;
          p++;
        }
        if (p >= n && !final) return recordStart;
        this.keep(pos, p, null);
        pos = p;
      }
      // after a field: a delimiter, a line break or the end
      if (pos >= n) {
        this.emit(buf, col + 1);
        this.records++;
        return n;
      }
      c = buf[pos]!;
      if (c === delim) {
        col++;
        pos++;
        if (pos >= n && !final) return recordStart;
        continue;
      }
      // CR, LF or CRLF ends the record
      if (c === CR) {
        if (pos + 1 >= n && !final) return recordStart;
        pos += pos + 1 < n && buf[pos + 1] === LF ? 2 : 1;
      } else pos++;
      this.emit(buf, col + 1);
      this.records++;
      col = 0;
      recordStart = pos;
    }
  }
}

/**
 * Parses a plain decimal number from bytes without making a string: [-+]digits[.digits], up to 19
 * significant digits, exactly as Number() would (up to 15, an exact integer divided by an exact power
 * of ten is correctly rounded; 16 to 19 with a fraction, shared/decimal-bytes.ts). Anything else
 * (exponents, longer mantissas, inf, nan) goes to Number() on the text; returns NaN for what is not
 * a number.
 */
export function parseNumberBytes(buf: Uint8Array, start: number, end: number): number {
  let p = start;
  while (p < end && (buf[p] === 0x20 || buf[p] === 0x09)) p++;
  let e = end;
  while (e > p && (buf[e - 1] === 0x20 || buf[e - 1] === 0x09)) e--;
  if (p >= e) return NaN;
  const p0 = p;
  let neg = false;
  const c0 = buf[p]!;
  if (c0 === 0x2d || c0 === 0x2b) {
    neg = c0 === 0x2d;
    p++;
  }
  let mant = 0;
  let digits = 0;
  let frac = 0;
  let seenDot = false;
  let any = false;
  for (; p < e; p++) {
    const c = buf[p]!;
    if (c >= 0x30 && c <= 0x39) {
      any = true;
      if (mant !== 0 || c !== 0x30) digits++;
      mant = mant * 10 + (c - 0x30);
      if (seenDot) frac++;
    } else if (c === 0x2e && !seenDot) seenDot = true;
    else break;
  }
  if (p === e && any && frac <= 22) {
    // up to 15 digits: exact over an exact power of ten; 16 to 19 after a point (a float's repr): two doubles
    const v =
      digits <= 15 ? (frac === 0 ? mant : mant / POW10[frac]!) : frac > 0 ? longDecimalBytes(buf, p0, e, frac) : NaN;
    if (v === v) return neg ? -v : v;
  }
  return slowNumber(buf, start, end);
}

const NUMBERISH = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;
const SPECIAL = /^\s*[-+]?(inf|infinity)\s*$/i;

function slowNumber(buf: Uint8Array, start: number, end: number): number {
  const s = decoder.decode(buf.subarray(start, end));
  if (NUMBERISH.test(s)) return Number(s);
  if (SPECIAL.test(s)) return s.trim().startsWith('-') ? -Infinity : Infinity;
  return NaN;
}

/** Decodes bytes [start, end) as UTF-8 (short ASCII fields, the usual categories, without TextDecoder's per-call cost). */
export function decodeBytes(buf: Uint8Array, start: number, end: number): string {
  if (end - start <= 16) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      if (c >= 0x80) return decoder.decode(buf.subarray(start, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decoder.decode(buf.subarray(start, end));
}
