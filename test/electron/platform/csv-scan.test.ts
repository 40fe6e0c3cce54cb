// The byte scanner of the summary pass reads every CSV the way csv-parse does (quotes, doubled quotes, CRLF, blank lines, any chunking).
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CsvScanner, decodeBytes, parseNumberBytes } from '../../../electron/platform/csv-scan';

function scan(text: string, chunk: number): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  const s = new CsvScanner(',', {
    field(_col, buf, start, end) {
      row.push(decodeBytes(buf, start, end));
    },
    quoted(_col, text) {
      row.push(text);
    },
    endRecord() {
      rows.push(row);
      row = [];
    },
  });
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i += chunk) s.push(bytes.subarray(i, i + chunk));
  s.end();
  return rows;
}

const cellArb = fc.oneof(
  fc.stringMatching(/^[a-z0-9 .-]{0,6}$/),
  fc
    .string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r\n', 'é', ' '), maxLength: 6 })
    .map((s) => `"${s.replace(/"/g, '""')}"`),
);

/** Scans with every column numeric: a plain field comes back as the scanner's number when it read one, else as its text. */
function scanNumbers(text: string, chunk: number): (string | number)[][] {
  const rows: (string | number)[][] = [];
  let row: (string | number)[] = [];
  const s: CsvScanner = new CsvScanner(
    ',',
    {
      number(_col, buf, start, end) {
        const v = s.value[0]!;
        row.push(Number.isNaN(v) ? decodeBytes(buf, start, end) : v);
      },
      field() {
        throw new Error('every column is numeric');
      },
      quoted(_col, text) {
        row.push(text);
      },
      endRecord() {
        rows.push(row);
        row = [];
      },
    },
    { numeric: Array.from({ length: 8 }, () => true) },
  );
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i += chunk) s.push(bytes.subarray(i, i + chunk));
  s.end();
  return rows;
}

const numberCellArb = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => v.toFixed(3)),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.integer().map(String),
  fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(String),
  fc.constantFrom('', 'NA', '-', '.', '5.', '.5', '+3', '1.2.3', '1e5', 'abc', '-0', '007', '"4.5"'),
);

describe('CsvScanner', () => {
  it('agrees with csv-parse on generated CSV, whatever the chunk size', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(cellArb, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom('\n', '\r\n'),
        fc.integer({ min: 1, max: 17 }),
        (rows, eol, chunk) => {
          const text = rows.map((r) => r.join(',')).join(eol) + eol;
          const expected: string[][] = parse(text, { relax_column_count: true, skip_empty_lines: true });
          // a record of one empty field ("" alone on a line) is a blank row to csv-parse's skip_empty_lines
          const blank = (r: string[]): boolean => r.length === 1 && r[0] === '';
          expect(scan(text, chunk).filter((r) => !blank(r))).toEqual(expected.filter((r) => !blank(r)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads numbers while scanning exactly as Number() does, and hands on what is not a plain decimal', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(numberCellArb, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom('\n', '\r\n'),
        fc.integer({ min: 1, max: 40 }),
        (rows, eol, chunk) => {
          const text = rows.map((r) => r.join(',')).join(eol) + eol;
          const expected = rows
            .filter((r) => !(r.length === 1 && r[0] === ''))
            .map((r) => r.map((cell) => (cell.startsWith('"') ? cell.slice(1, -1) : cell)));
          const got = scanNumbers(text, chunk);
          expect(got.length).toBe(expected.length);
          got.forEach((r, i) =>
            r.forEach((cell, j) => {
              const want = expected[i]![j]!;
              // a number read by the scanner is Number(text) exactly; text handed on is the field's bytes
              if (typeof cell === 'number') expect(cell).toBe(Number(want));
              else expect(cell).toBe(want);
            }),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('parses plain decimals from bytes exactly as Number() does', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
        for (const text of [String(v), v.toFixed(3), v.toPrecision(6), v.toPrecision(17), v.toPrecision(19)]) {
          const b = Buffer.from(text);
          expect(parseNumberBytes(b, 0, b.length)).toBe(Number(text));
        }
      }),
    );
    // exact halfway points between two doubles, written in 16 to 19 digits (round half to even decides), and the
    // decimals either side of them
    fc.assert(
      fc.property(fc.integer({ min: 44, max: 52 }), fc.integer({ min: 0, max: 2 ** 30 }), (e, k) => {
        const ulp = 2 ** (e - 52);
        const tie = (2 ** e + k * ulp + ulp / 2).toFixed(53 - e);
        const last = tie.charCodeAt(tie.length - 1);
        for (const text of [tie, `-${tie}`, tie.slice(0, -1) + String.fromCharCode(last - 1, 57)]) {
          const b = Buffer.from(text);
          expect(parseNumberBytes(b, 0, b.length)).toBe(Number(text));
        }
      }),
      { numRuns: 2000 },
    );
    const b = Buffer.from(' 6.   ');
    expect(parseNumberBytes(b, 0, b.length)).toBe(6);
    expect(Number.isNaN(parseNumberBytes(Buffer.from('abc'), 0, 3))).toBe(true);
  });
});
