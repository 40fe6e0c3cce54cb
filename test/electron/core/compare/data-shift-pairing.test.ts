// A data file renamed and changed between two runs (train_v1.csv → train_v2.csv) is analysed as one changed file, inside a data folder and as a whole input.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeDataShift } from '../../../../electron/core/compare';
import { hashTree } from '../../../../electron/platform/hash-tree';
import type { FileShift } from '../../../../shared/compare/data-shift-model';
import { fileSummary } from '../../../../shared/compare/data-shift-format';
import { shiftColumn, snapshotOver, wineRows, writeCsv, WINE_CSV } from '../../../helpers/data-shift-fixtures';
import { tempCore } from '../../../helpers/store';
import { tempDir } from '../../../helpers/temp';

const analyze = { key: null, unpickle: false, mode: 'analyze' as const };

function topColumn(f: FileShift | undefined): string {
  expect(f?.status, f?.note ?? 'no such file').toBe('ok');
  if (f?.detail?.kind !== 'table') throw new Error('not a table');
  return f.detail.columns[0]!.name;
}

describe('renamed and changed files', () => {
  it('pairs train_v1.csv with train_v2.csv in a data folder and analyses them, leaving unrelated files added and removed', async () => {
    const ctx = tempCore();
    const { header, rows } = wineRows();
    const da = tempDir();
    const db = tempDir();
    fs.copyFileSync(WINE_CSV, path.join(da, 'train_v1.csv'));
    fs.writeFileSync(path.join(da, 'test.csv'), 'x,y\n1,2\n');
    writeCsv(path.join(db, 'train_v2.csv'), header, shiftColumn(rows, header.indexOf('alcohol'), 1.5));
    fs.writeFileSync(path.join(db, 'labels.csv'), 'x,y\n3,4\n');
    const a = await snapshotOver({ data: da });
    const b = await snapshotOver({ data: db });
    const shift = await computeDataShift(ctx, a, b, analyze);
    const pair = shift.files.find((f) => f.path === 'train_v2.csv');
    expect(pair).toMatchObject({ change: 'changed', from: 'train_v1.csv' });
    expect(topColumn(pair)).toBe('alcohol');
    expect(fileSummary(pair!)).toMatch(
      /^renamed from train_v1\.csv and changed; .*csv, 4898 → 4898 rows, 1 of 12 columns differ/,
    );
    // test.csv and labels.csv are not named alike: one removed, one added, not a pair
    expect(shift.files.find((f) => f.path === 'test.csv')).toMatchObject({ change: 'removed' });
    expect(shift.files.find((f) => f.path === 'labels.csv')).toMatchObject({ change: 'added' });
  });

  it('pairs a whole data input given under a new name (--data train_v1.csv, then --data train_v2.csv)', async () => {
    const ctx = tempCore();
    const { header, rows } = wineRows();
    const dir = tempDir();
    const v1 = path.join(dir, 'train_v1.csv');
    const v2 = path.join(dir, 'train_v2.csv');
    fs.copyFileSync(WINE_CSV, v1);
    writeCsv(v2, header, [...rows, ...rows.slice(0, 100)]);
    const a = await snapshotOver({});
    const b = await snapshotOver({});
    a.data.inputs = [{ ...(await hashTree(v1)), path: 'train_v1.csv' }];
    b.data.inputs = [{ ...(await hashTree(v2)), path: 'train_v2.csv' }];
    const shift = await computeDataShift(ctx, a, b, analyze);
    expect(shift.files).toHaveLength(1);
    const f = shift.files[0]!;
    expect(f).toMatchObject({ root: 'train_v2.csv', path: '', change: 'changed', from: 'train_v1.csv', status: 'ok' });
    if (f.detail?.kind !== 'table') throw new Error('not a table');
    expect([f.detail.rowsA, f.detail.rowsB]).toEqual([4898, 4998]);
  });
});
