// The CSV summary pass (byte scanner, numbers read while scanning, batched per column) gives exactly the summaries csv-parse's records fed one by one would.
import { parse } from 'csv-parse/sync';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ColumnProfiler,
  hashNumber,
  hashString,
  isMissingText,
  mixHash,
} from '../../../shared/compare/data-shift-columns';
import { MISSING_HASH } from '../../../electron/platform/table-reader-csv-pass';
import { profileCsv, sniffCsv } from '../../../electron/platform/table-reader-csv';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csv-pass-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * A few MB (several read chunks): plain lines, quoted ones, missing values, text in a number column, short rows, CRLF;
 * a text column of short values (missing spellings, multi-byte letters, more distinct values than are interned).
 */
function writeTable(file: string): void {
  let x = 7;
  const rnd = (): number => (x = (x * 1103515245 + 12345) >>> 0) / 4294967296;
  const lines = ['id,price,qty,ratio,label,tag'];
  const tags = ['NA', 'é', 'naïve', '', 'null', 'ok', '日本', 'N/A'];
  for (let i = 0; i < 80_000; i++) {
    const r = rnd();
    const price = r < 0.02 ? '' : r < 0.03 ? 'NA' : r < 0.035 ? 'n/a' : r < 0.04 ? '"12.5"' : (rnd() * 1000).toFixed(2);
    const qty = r > 0.995 && i > 5000 ? 'lots' : String(Math.floor(rnd() * 50) - 10);
    const ratio = r > 0.99 ? '1e-3' : (rnd() - 0.5).toPrecision(7);
    const label = r > 0.97 ? `"say ""${i % 5}"", then,\nmore"` : `cat${i % 9}`;
    const tag = i % 3 === 0 ? `t${i % 5000}` : tags[i % tags.length]!;
    const line = r > 0.999 ? `${i},${price}` : `${i},${price},${qty},${ratio},${label},${tag}`;
    lines.push(line);
  }
  fs.writeFileSync(file, lines.join(x % 2 ? '\r\n' : '\n') + '\n');
}

describe('profileCsv', () => {
  it('summarises every column exactly as csv-parse records fed value by value', async () => {
    const file = path.join(dir, 'table.csv');
    writeTable(file);
    expect(fs.statSync(file).size).toBeGreaterThan(2 * 1024 * 1024);
    const header = sniffCsv(file, false);
    expect(header.types).toEqual(['integer', 'number', 'integer', 'number', 'string', 'string']);
    const got = await profileCsv(file, header, { compareColumns: header.columns, key: null, sha256: false });

    const records: string[][] = parse(fs.readFileSync(file), { relax_column_count: true, skip_empty_lines: true });
    const want = header.types.map((t, i) => new ColumnProfiler(t, i + 1));
    for (const rec of records.slice(1)) {
      want.forEach((p, c) => {
        const cell = rec[c];
        if (cell === undefined || isMissingText(cell)) p.addMissing();
        else if (!p.numeric) p.addText(cell);
        else if (Number.isNaN(Number(cell.trim() || 'x'))) p.addNonNumeric(cell);
        else p.addNumber(Number(cell));
      });
    }
    expect(got.profile.rows).toBe(records.length - 1);
    got.profile.profilers.forEach((p, c) => {
      expect(p.summary(), header.columns[c]).toEqual(want[c]!.summary());
      expect(Array.from(p.samples())).toEqual(Array.from(want[c]!.samples()));
    });
    expect(got.profile.rowHashes?.length).toBe(records.length - 1);

    // each cell's hash: "no value", a number's value, or the text; folded by row into the row hashes and by column
    const cellHash = (p: ColumnProfiler, cell: string | undefined): number => {
      if (cell === undefined || isMissingText(cell)) return MISSING_HASH;
      const v = Number(cell.trim() || 'x');
      return p.numeric && !Number.isNaN(v) ? hashNumber(v) : hashString(cell);
    };
    const rowHashes = new Uint32Array(records.length - 1);
    const colHashes = new Uint32Array(want.length);
    records.slice(1).forEach((rec, r) =>
      want.forEach((p, c) => {
        const h = cellHash(p, rec[c]);
        rowHashes[r] = rowHashes[r]! + mixHash(h, c);
        colHashes[c] = colHashes[c]! + mixHash(h, r);
      }),
    );
    expect(Array.from(got.profile.rowHashes ?? [])).toEqual(Array.from(rowHashes));
    expect(got.profile.profilers.map((p) => p.hash)).toEqual(Array.from(colHashes));
  });
});
