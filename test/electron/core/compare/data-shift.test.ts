// The data shift of two runs on real files: MLflow's wine CSV shifted, appended and renamed; Parquet from hyparquet-writer; numpy arrays and scikit-learn pickles from Debian's Python; bad input reported, never a crash.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { computeDataShift } from '../../../../electron/core/compare';
import type { FileShift, TableShift } from '../../../../shared/compare/data-shift-model';
import { shiftColumn, snapshotOver, wineRows, writeCsv, WINE_CSV } from '../../../helpers/data-shift-fixtures';
import { tempCore } from '../../../helpers/store';
import { SYSTEM_PYTHON, tempDir, writeFiles } from '../../../helpers/temp';

const analyze = { key: null, unpickle: false, mode: 'analyze' as const };

function only(files: readonly FileShift[], p: string): FileShift {
  const f = files.find((x) => x.path === p);
  if (!f) throw new Error(`no ${p} in ${files.map((x) => x.path).join(', ')}`);
  return f;
}

function table(f: FileShift): TableShift {
  expect(f.status, f.note ?? '').toBe('ok');
  if (f.detail?.kind !== 'table') throw new Error(`not a table: ${f.detail?.kind}`);
  return f.detail;
}

async function twoRuns(
  files: { a: Record<string, string | Buffer>; b: Record<string, string | Buffer> },
  where: 'data' | 'out' = 'data',
) {
  const da = tempDir();
  const db = tempDir();
  writeFiles(da, files.a);
  writeFiles(db, files.b);
  const a = await snapshotOver({ [where]: da });
  const b = await snapshotOver({ [where]: db });
  return { a, b, da, db };
}

describe('data shift of tables', () => {
  it('ranks the shifted column first, counts appended rows and shows the first differing rows aligned', async () => {
    const ctx = tempCore();
    const { header, rows } = wineRows();
    const alcohol = header.indexOf('alcohol');
    const da = tempDir();
    const db = tempDir();
    fs.copyFileSync(WINE_CSV, path.join(da, 'wine.csv'));
    writeCsv(path.join(db, 'wine.csv'), header, [...shiftColumn(rows, alcohol, 1.5), ...rows.slice(0, 50)]);
    const a = await snapshotOver({ data: da });
    const b = await snapshotOver({ data: db });
    const shift = await computeDataShift(ctx, a, b, analyze);
    const t = table(only(shift.files, 'wine.csv'));
    expect(t.format).toBe('csv');
    expect([t.rowsA, t.rowsB]).toEqual([4898, 4948]);
    const top = t.columns[0]!;
    expect(top.name).toBe('alcohol');
    expect(top.test?.kind).toBe('ks');
    expect(top.test!.statistic!).toBeGreaterThan(0.4);
    expect(top.test!.pValue!).toBeLessThan(1e-6);
    expect(top.b!.mean! - top.a!.mean!).toBeCloseTo(1.5 + 0.05 * 0 /* appended rows are unshifted */, 0);
    expect(top.a!.min).toBe(8);
    // the other columns gained 50 copied rows and barely moved
    for (const c of t.columns.slice(1)) expect(c.movement).toBeLessThan(0.02);
    expect(t.rows!.keyedBy).toBe('position');
    expect(t.rows!.differing).toBe(4948);
    const first = t.rows!.rows[0]!;
    expect(first).toMatchObject({ key: '1', status: 'changed' });
    expect(first.changed).toEqual([alcohol]);
    expect([first.a![alcohol], first.b![alcohol]]).toEqual(['8.8', '10.3']);
  });

  it('recognises a renamed column by its values and compares rows on the columns both versions have', async () => {
    const ctx = tempCore();
    const { header, rows } = wineRows();
    const { a, b } = await twoRuns({
      a: { 'wine.csv': fs.readFileSync(WINE_CSV) },
      b: { 'wine.csv': '' },
    });
    writeCsv(
      path.join(b.data.inputs[0]!.absPath, 'wine.csv'),
      header.map((h) => (h === 'pH' ? 'ph' : h)),
      rows,
    );
    const b2 = await snapshotOver({ data: b.data.inputs[0]!.absPath });
    const t = table(only((await computeDataShift(ctx, a, b2, analyze)).files, 'wine.csv'));
    expect(t.schema).toEqual({ added: [], removed: [], retyped: [], renamed: [{ from: 'pH', to: 'ph' }] });
    expect(t.columns[0]).toMatchObject({ name: 'pH', nameB: 'ph', status: 'renamed' });
    expect(t.columns.slice(1).every((c) => c.status === 'same')).toBe(true);
    expect(t.rows!.differing).toBe(0);
    expect(t.rows!.columns).toHaveLength(11);
  });

  it('matches rows by a key column when asked (--key id), where positions would all differ', async () => {
    const ctx = tempCore();
    const { header, rows } = wineRows();
    const withId = rows.slice(0, 500).map((r, i) => [String(i), ...r]);
    const changed = withId.map((r) => [...r]);
    changed[123]![1] = '99';
    const shuffled = [...changed.slice(250), ...changed.slice(0, 250)];
    const da = tempDir();
    const db = tempDir();
    writeCsv(path.join(da, 'wine.csv'), ['id', ...header], withId);
    writeCsv(path.join(db, 'wine.csv'), ['id', ...header], shuffled);
    const a = await snapshotOver({ data: da });
    const b = await snapshotOver({ data: db });
    const byPosition = table(only((await computeDataShift(ctx, a, b, analyze)).files, 'wine.csv'));
    expect(byPosition.rows!.differing).toBeGreaterThan(400);
    const byKey = table(only((await computeDataShift(ctx, a, b, { ...analyze, key: 'id' })).files, 'wine.csv'));
    expect(byKey.rows).toMatchObject({ keyedBy: 'id', differing: 1 });
    expect(byKey.rows!.rows[0]).toMatchObject({ key: '123', status: 'changed', changed: [1] });
    expect(byKey.rows!.rows[0]!.b![1]).toBe('99');
  });

  it('compares Parquet files written by hyparquet-writer, and reports a truncated one as unreadable', async () => {
    const ctx = tempCore();
    const { header, rows } = wineRows();
    const parquet = (shift: number): Buffer =>
      Buffer.from(
        parquetWriteBuffer({
          columnData: header.map((name, i) => ({
            name,
            data: rows.map((r) =>
              name === 'quality' ? Math.round(Number(r[i])) : Number(r[i]) + (name === 'density' ? shift : 0),
            ),
            type: name === 'quality' ? ('INT32' as const) : ('DOUBLE' as const),
          })),
        }),
      );
    const pa = parquet(0);
    const pb = parquet(0.01);
    const { a, b } = await twoRuns({
      a: { 'wine.parquet': pa, 'cut.parquet': pa },
      b: { 'wine.parquet': pb, 'cut.parquet': pb.subarray(0, pb.length - 100) },
    });
    const shift = await computeDataShift(ctx, a, b, analyze);
    const t = table(only(shift.files, 'wine.parquet'));
    expect(t.format).toBe('parquet');
    expect(t.columns[0]).toMatchObject({ name: 'density', status: 'changed' });
    expect(t.columns[0]!.a!.type).toBe('number');
    expect(t.columns.find((c) => c.name === 'quality')!.a!.type).toBe('integer');
    expect(t.rows!.differing).toBe(4898);
    expect(t.rows!.rows[0]!.changed).toEqual([header.indexOf('density')]);
    expect(t.rows!.rows).toHaveLength(20);
    const cut = only(shift.files, 'cut.parquet');
    expect(cut.status).toBe('unreadable');
    expect(cut.note).toMatch(/not a readable Parquet file/);
  });

  it('reports a file that claims to be CSV and is not', async () => {
    const ctx = tempCore();
    const png = PNG.sync.write(Object.assign(new PNG({ width: 2, height: 2 }), { data: Buffer.alloc(16, 7) }));
    const { a, b } = await twoRuns({
      a: { 'fake.csv': png, 'ragged.csv': 'a,b\n1,2\n' },
      b: { 'fake.csv': Buffer.concat([png, Buffer.from([1])]), 'ragged.csv': '{"a": 1, "b": [1, 2, 3]}\n{"a": 2}\n' },
    });
    const shift = await computeDataShift(ctx, a, b, analyze);
    expect(only(shift.files, 'fake.csv')).toMatchObject({ status: 'unreadable', kind: 'table' });
    expect(only(shift.files, 'fake.csv').note).toMatch(/not a readable CSV file: it holds binary data/);
    expect(only(shift.files, 'ragged.csv').status).toBe('unreadable');
  });
});

describe('data shift of files, arrays and models', () => {
  it('lists a renamed file as a rename, and added and removed files with sizes', async () => {
    const ctx = tempCore();
    const { a, b } = await twoRuns({
      a: { 'train.csv': 'x\n1\n', 'old.txt': 'gone\n' },
      b: { 'renamed/train.csv': 'x\n1\n', 'new.txt': 'fresh\n' },
    });
    const shift = await computeDataShift(ctx, a, b, analyze);
    expect(shift.files.map((f) => [f.change, f.path, f.from])).toEqual([
      ['renamed', 'renamed/train.csv', 'train.csv'],
      ['added', 'new.txt', null],
      ['removed', 'old.txt', null],
    ]);
    expect(only(shift.files, 'new.txt').sizeB).toBe(6);
  });

  it('compares .npy and .npz arrays from numpy: shape, dtype, largest differences, elements beyond tolerance', async () => {
    const ctx = tempCore();
    const da = tempDir();
    const db = tempDir();
    execFileSync(SYSTEM_PYTHON, [
      '-c',
      `import numpy as np, sys
rng = np.random.default_rng(0)
x = rng.normal(size=(100, 3))
y = x.copy(); y[5, 1] += 1e-3; y[7, 2] += 2.0
np.save(sys.argv[1] + '/w.npy', x); np.save(sys.argv[2] + '/w.npy', y)
np.savez(sys.argv[1] + '/all.npz', w=x, ids=np.arange(10))
np.savez_compressed(sys.argv[2] + '/all.npz', w=y.astype(np.float32), ids=np.arange(11))`,
      da,
      db,
    ]);
    const a = await snapshotOver({ out: da });
    const b = await snapshotOver({ out: db });
    const shift = await computeDataShift(ctx, a, b, analyze);
    const npy = only(shift.files, 'w.npy');
    expect(npy.status).toBe('ok');
    if (npy.detail?.kind !== 'array') throw new Error('not arrays');
    expect(npy.detail.arrays[0]).toMatchObject({
      status: 'changed',
      dtypeA: '<f8',
      shapeA: [100, 3],
      beyondTolerance: 2,
      elements: 300,
    });
    expect(npy.detail.arrays[0]!.maxAbsDiff).toBeCloseTo(2, 6);
    const npz = only(shift.files, 'all.npz');
    if (npz.detail?.kind !== 'array') throw new Error(npz.note ?? 'not arrays');
    const w = npz.detail.arrays.find((x) => x.name === 'w')!;
    expect(w).toMatchObject({ dtypeA: '<f8', dtypeB: '<f4', status: 'changed' });
    expect(npz.detail.arrays.find((x) => x.name === 'ids')).toMatchObject({
      status: 'incomparable',
      shapeA: [10],
      shapeB: [11],
    });
  });

  it('compares two scikit-learn models trained with different seeds, and reports a pickle that fails to load', async () => {
    const ctx = tempCore();
    const da = tempDir();
    const db = tempDir();
    // one interpreter start trains both (scikit-learn takes seconds to import here)
    execFileSync(
      SYSTEM_PYTHON,
      [
        '-W',
        'ignore',
        '-c',
        `import sys, pickle, pandas as pd
from sklearn.linear_model import ElasticNet
d = pd.read_csv(sys.argv[1])
for out, seed in ((sys.argv[2], 1), (sys.argv[3], 2)):
    m = ElasticNet(alpha=0.05, l1_ratio=0.5, selection="random", random_state=seed, max_iter=50, tol=1e-12)
    m.fit(d.drop(columns=["quality"]), d["quality"])
    pickle.dump(m, open(out + "/model.pkl", "wb"))`,
        WINE_CSV,
        da,
        db,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    fs.writeFileSync(path.join(da, 'broken.pkl'), 'not a pickle');
    fs.writeFileSync(path.join(db, 'broken.pkl'), 'still not a pickle');
    const a = await snapshotOver({ out: da });
    const b = await snapshotOver({ out: db });
    const shift = await computeDataShift(ctx, a, b, analyze);
    const model = only(shift.files, 'model.pkl');
    expect(model.status, model.note ?? '').toBe('ok');
    if (model.detail?.kind !== 'model') throw new Error('not a model');
    expect(model.detail.typeA).toBe('sklearn.linear_model._coordinate_descent.ElasticNet');
    const coef = model.detail.params.find((p) => p.name === 'coef_')!;
    expect(coef).toMatchObject({ status: 'changed', shapeA: [11], shapeB: [11] });
    expect(coef.maxAbsDiff!).toBeGreaterThan(0);
    const broken = only(shift.files, 'broken.pkl');
    expect(broken.status).toBe('unreadable');
    expect(broken.note).toMatch(/run A's model does not load: \w+Error/);

    // outputs of imported runs are not unpickled without the user asking (--unpickle)
    const ea = tempDir();
    const eb = tempDir();
    fs.copyFileSync(path.join(da, 'model.pkl'), path.join(ea, 'other.pkl'));
    fs.writeFileSync(path.join(eb, 'other.pkl'), 'imported bytes');
    const ia = await snapshotOver({ out: ea }, 'import');
    const ib = await snapshotOver({ out: eb }, 'import');
    const refused = only((await computeDataShift(ctx, ia, ib, analyze)).files, 'other.pkl');
    expect(refused).toMatchObject({ status: 'skipped', kind: 'model' });
    expect(refused.note).toMatch(/not unpickled: it comes from an imported store/);
  });

  it('diffs text and JSON outputs and counts differing PNG pixels, keeping both images', async () => {
    const ctx = tempCore();
    const img = (dot: number): Buffer => {
      const p = new PNG({ width: 4, height: 3 });
      p.data.fill(255);
      for (let i = 0; i < dot; i++) p.data[i * 4] = 0;
      return PNG.sync.write(p);
    };
    const { a, b } = await twoRuns(
      {
        a: { 'log.txt': 'epoch 1\nloss 0.5\n', 'm.json': '{"rmse": 0.7, "items": [1, 2]}', 'plot.png': img(0) },
        b: {
          'log.txt': 'epoch 1\nloss 0.4\n',
          'm.json': '{"rmse": 0.8, "items": [1, 2, 3], "r2": 0.1}',
          'plot.png': img(3),
        },
      },
      'out',
    );
    const shift = await computeDataShift(ctx, a, b, analyze);
    const text = only(shift.files, 'log.txt').detail;
    expect(text?.kind === 'text' && text.patch).toMatch(/-loss 0\.5\n\+loss 0\.4/);
    const json = only(shift.files, 'm.json').detail;
    expect(json?.kind === 'json' && json.changes.map((c) => `${c.status} ${c.path}`)).toEqual([
      'changed $.rmse',
      'only-b $.items[2]',
      'only-b $.r2',
    ]);
    const png = only(shift.files, 'plot.png').detail;
    if (png?.kind !== 'image') throw new Error('not an image');
    expect(png).toMatchObject({ widthA: 4, heightA: 3, differingPixels: 3, pixels: 12 });
    expect(png.dataA).toMatch(/^data:image\/png;base64,/);
  });

  it('keeps the analysis in the store, so it is there after the files are gone; a changed file is unavailable, not analysed', async () => {
    const ctx = tempCore();
    const { header, rows } = wineRows();
    const da = tempDir();
    const db = tempDir();
    writeCsv(path.join(da, 'wine.csv'), header, rows.slice(0, 300));
    writeCsv(path.join(db, 'wine.csv'), header, shiftColumn(rows.slice(0, 300), 0, 1));
    const a = await snapshotOver({ data: da });
    const b = await snapshotOver({ data: db });
    const first = only((await computeDataShift(ctx, a, b, analyze)).files, 'wine.csv');
    expect(first.stored).toBe(false);
    fs.rmSync(da, { recursive: true });
    const later = only((await computeDataShift(ctx, a, b, { ...analyze, mode: 'stored' })).files, 'wine.csv');
    expect(later.stored).toBe(true);
    expect(later.detail).toEqual(first.detail);

    // B's file rewritten after its run: not the recorded version, so nothing is analysed or stored
    const other = await snapshotOver({ data: db });
    fs.appendFileSync(path.join(db, 'wine.csv'), rows[0]!.join(',') + '\n');
    const d = tempDir();
    writeCsv(path.join(d, 'wine.csv'), header, rows.slice(0, 10));
    const e = await snapshotOver({ data: d });
    const stale = only((await computeDataShift(ctx, e, other, analyze)).files, 'wine.csv');
    expect(stale.status).toBe('unavailable');
    expect(stale.note).toMatch(/run B's version: .* has changed since that run/);
  });
});
