// A byte-level RFC 4180 scanner for delimited text: hands out each field as a byte range, so column summaries of a gigabyte CSV need no string per value.

/**
 * Why not csv-parse for the summary pass: it builds a string for every field and an array for
 * every record, which measures at about 25 MB/s here, and a 1 GB file would take 40 s. This scanner
 * is checked against csv-parse on generated input (test/platform/csv-scan.test.ts), and csv-parse
 * still reads the header and the rows shown in a diff (electron/platform/table-reader-csv.ts).
 */

/** Receives the fields of each record as byte ranges of the current buffer (valid only during the call). */
export interface CsvSink {
  /**
   * One field: bytes [start, end) of buf. `text` is the field unescaped when it was quoted (the
   * bytes then still include the quotes); null for a plain field.
   */
  field(col: number, buf: Uint8Array, start: number, end: number, text: string | null): void;
  /** The end of a record of `fields` fields. */
  endRecord(fields: number): void;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

const decoder = new TextDecoder('utf-8');

/** Scans delimited text pushed in chunks; a record cut by a chunk boundary is carried to the next chunk. */
export class CsvScanner {
  private readonly delimiter: number;
  private readonly sink: CsvSink;
  private carry: Uint8Array | null = null;
  /** Records seen so far (a blank line is not a record). */
  records = 0;
  /** Set when a quoted field was still open at the end of input. */
  unterminatedQuote = false;

  constructor(delimiter: string, sink: CsvSink) {
    this.delimiter = delimiter.charCodeAt(0);
    this.sink = sink;
  }

  /** Scans the complete records of a chunk (and of what was carried); keeps the incomplete tail. */
  push(chunk: Uint8Array): void {
    let buf = chunk;
    if (this.carry) {
      const joined = new Uint8Array(this.carry.length + chunk.length);
      joined.set(this.carry, 0);
      joined.set(chunk, this.carry.length);
      buf = joined;
      this.carry = null;
    }
    const consumed = this.scan(buf, false);
    if (consumed < buf.length) this.carry = buf.slice(consumed);
  }

  /** Scans what is left as the last record. */
  end(): void {
    if (this.carry) {
      const buf = this.carry;
      this.carry = null;
      this.scan(buf, true);
    }
  }

  // The fields of the record being read: emitted only when it is complete, so a record cut by the
  // end of a chunk is read again whole from the next one and never counted twice.
  private kept = 0;
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);
  private texts: (string | null)[] = [];

  private keep(col: number, start: number, end: number, text: string | null): void {
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
    void col;
  }

  private emit(buf: Uint8Array, fields: number): void {
    const sink = this.sink;
    const starts = this.starts;
    const ends = this.ends;
    const texts = this.texts;
    for (let k = 0; k < this.kept; k++) sink.field(k, buf, starts[k]!, ends[k]!, texts[k]!);
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
          this.keep(col, pos, pos, null);
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
        this.keep(col, pos, p, text);
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
        this.keep(col, pos, p, null);
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
 * Parses a plain decimal number from bytes without making a string: [-+]digits[.digits], up to 15
 * significant digits, exactly as Number() would (an exact integer divided by an exact power of ten
 * is correctly rounded). Anything else (exponents, long mantissas, inf, nan) goes to Number() on the
 * text; returns NaN for what is not a number.
 */
export function parseNumberBytes(buf: Uint8Array, start: number, end: number): number {
  let p = start;
  while (p < end && (buf[p] === 0x20 || buf[p] === 0x09)) p++;
  let e = end;
  while (e > p && (buf[e - 1] === 0x20 || buf[e - 1] === 0x09)) e--;
  if (p >= e) return NaN;
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
  if (p === e && any && digits <= 15 && frac <= 22) {
    const v = frac === 0 ? mant : mant / POW10[frac]!;
    return neg ? -v : v;
  }
  return slowNumber(buf, start, end);
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

const NUMBERISH = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;
const SPECIAL = /^\s*[-+]?(inf|infinity)\s*$/i;

function slowNumber(buf: Uint8Array, start: number, end: number): number {
  const s = decoder.decode(buf.subarray(start, end));
  if (NUMBERISH.test(s)) return Number(s);
  if (SPECIAL.test(s)) return s.trim().startsWith('-') ? -Infinity : Infinity;
  return NaN;
}

/** Decodes bytes [start, end) as UTF-8. */
export function decodeBytes(buf: Uint8Array, start: number, end: number): string {
  return decoder.decode(buf.subarray(start, end));
}
