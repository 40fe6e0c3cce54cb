// The data shift through the operations a user calls: compareRuns with --key, and every report format, rebuilt from the store after the files are gone.
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { createHandlers } from '../../../../electron/core/handlers';
import { ReportJsonSchema } from '../../../../shared/report/report-model';
import { shiftColumn, snapshotOver, wineRows, writeCsv } from '../../../helpers/data-shift-fixtures';
import { tempCore } from '../../../helpers/store';
import { tempDir } from '../../../helpers/temp';

describe('data shift in compare and reports', () => {
  it('shows the shifted column and the images in every report format, also once the files are gone', async () => {
    const ctx = tempCore();
    const h = createHandlers(ctx);
    const { header, rows } = wineRows();
    const dirs = { a: { data: tempDir(), out: tempDir() }, b: { data: tempDir(), out: tempDir() } };
    writeCsv(path.join(dirs.a.data, 'wine.csv'), header, rows.slice(0, 400));
    writeCsv(
      path.join(dirs.b.data, 'wine.csv'),
      header,
      shiftColumn(rows.slice(0, 400), header.indexOf('sulphates'), 0.2),
    );
    for (const [side, dots] of [
      ['a', 0],
      ['b', 5],
    ] as const) {
      const p = new PNG({ width: 8, height: 8 });
      p.data.fill(200);
      for (let i = 0; i < dots; i++) p.data[i * 4 + 1] = 0;
      fs.writeFileSync(path.join(dirs[side].out, 'plot.png'), PNG.sync.write(p));
    }
    const a = await snapshotOver(dirs.a);
    const b = await snapshotOver(dirs.b);
    ctx.runs.save(a);
    ctx.runs.save(b);

    const compared = await h.compareRuns({ a: a.id, b: b.id });
    if (!compared.ok) throw new Error(compared.error.message);
    const csv = compared.value.dataShift!.files.find((f) => f.path === 'wine.csv')!;
    expect(csv.detail?.kind === 'table' && csv.detail.columns[0]!.name).toBe('sulphates');

    fs.rmSync(dirs.a.data, { recursive: true });
    fs.rmSync(dirs.a.out, { recursive: true });
    const md = await h.exportReport({ kind: 'compare', ids: [a.id, b.id], format: 'md' });
    if (!md.ok) throw new Error(md.error.message);
    expect(md.value.text).toMatch(/### How the data changed/);
    expect(md.value.text).toMatch(/sulphates +number +0\.\d+ +0\.\d+ .*KS D/);
    expect(md.value.text).toMatch(/### How the outputs changed[\s\S]*5 of 64 pixels differ/);
    const html = await h.exportReport({ kind: 'compare', ids: [a.id, b.id], format: 'html' });
    if (!html.ok) throw new Error(html.error.message);
    expect(html.value.text).toMatch(
      /data-testid="data-shift-images"><figure><img alt="run A" src="data:image\/png;base64,/,
    );
    const json = await h.exportReport({ kind: 'compare', ids: [a.id, b.id], format: 'json' });
    if (!json.ok) throw new Error(json.error.message);
    const parsed = ReportJsonSchema.safeParse(JSON.parse(json.value.text!));
    expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues[0])).toBe(true);
    const doc = parsed.data?.kind === 'compare' ? parsed.data : null;
    expect(doc?.comparison.dataShift?.files.find((f) => f.path === 'wine.csv')?.stored).toBe(true);
  });
});
