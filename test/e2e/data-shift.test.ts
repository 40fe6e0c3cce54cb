// The data-shift panel of the Compare view in Debian's Chromium against `reproscope serve`: two runs whose data input (MLflow's wine CSV, one column shifted) and PNG output differ; the ranked columns, the aligned row diff and both images are read back from the page. Light and dark screenshots.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../electron/db/open-store';
import { RunsRepository } from '../../electron/db/runs-repository';
import { shiftColumn, snapshotOver, wineRows, writeCsv, WINE_CSV } from '../helpers/data-shift-fixtures';
import { openApp, type AppSession } from '../helpers/e2e-app';
import type { Served } from './harness';

let served: Served;
let app: AppSession;
let page: Page;
let home: string;
let work: string;
let errors: string[];
const ids: string[] = [];

function plot(file: string, marked: number): void {
  const png = new PNG({ width: 40, height: 30 });
  for (let i = 0; i < png.data.length; i += 4) {
    const px = i / 4;
    const on = px % 40 < marked;
    png.data.set(on ? [200, 40, 40, 255] : [240, 240, 240, 255], i);
  }
  fs.writeFileSync(file, PNG.sync.write(png));
}

const shot = (name: string): Promise<void> => app.shot(name);

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'reproscope-e2e-shift-'));
  // the runs' folders live for the whole file: the server reads both versions when Compare asks
  work = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'reproscope-e2e-shift-data-'));
  const { header, rows } = wineRows();
  const store = openStore(home);
  const runs = new RunsRepository(store.db);
  for (const [name, by] of [
    ['baseline', 0],
    ['shifted', 1.5],
  ] as const) {
    const data = path.join(work, name, 'data');
    const out = path.join(work, name, 'out');
    fs.mkdirSync(data, { recursive: true });
    fs.mkdirSync(out, { recursive: true });
    if (by === 0) fs.copyFileSync(WINE_CSV, path.join(data, 'wine.csv'));
    else writeCsv(path.join(data, 'wine.csv'), header, shiftColumn(rows, header.indexOf('alcohol'), by));
    plot(path.join(out, 'plot.png'), by === 0 ? 10 : 14);
    const s = await snapshotOver({ data, out });
    s.name = name;
    s.outcome.status = 'finished';
    runs.save(s);
    ids.push(s.id);
  }
  store.close();
  app = await openApp(home);
  ({ served, page, errors } = app);
}, 120_000);

afterAll(async () => {
  await app?.close();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
});

describe('data shift in the Compare view', () => {
  it('shows the shifted column first, the first differing rows aligned, and both plots with their pixel difference', async () => {
    await page.goto(`${served.origin}/#/compare/${ids[0]}/${ids[1]}`);
    await page.waitForSelector('[data-testid="data-shift"]', { timeout: 60_000 });
    const panel = page.locator('[data-testid="data-shift"]');
    expect(await panel.locator('h2').textContent()).toContain('2 differ');
    const summaries = await panel.locator('summary').allTextContents();
    expect(summaries.some((s) => /wine\.csv.*4898 → 4898 rows, 1 of 12 columns differ/.test(s))).toBe(true);
    // the column table: alcohol ranked first, its mean moved by 1.5
    const firstRow = await panel.locator('[data-testid="data-shift-columns"] tbody tr').first().textContent();
    expect(firstRow).toMatch(/^alcohol/);
    // the row diff: the first row's alcohol 8.8 in A and 10.3 in B, side by side
    const rowsText = await panel.locator('[data-testid="data-shift-rows"]').first().textContent();
    expect(rowsText).toContain('8.8');
    expect(rowsText).toContain('10.3');
    // both images drawn from the stored data: URIs, with the count of differing pixels
    const images = panel.locator('[data-testid="data-shift-images"] img');
    expect(await images.count()).toBe(2);
    const natural = await images.evaluateAll((imgs) => (imgs as HTMLImageElement[]).map((i) => i.naturalWidth));
    expect(natural).toEqual([40, 40]);
    expect(summaries.some((s) => /plot\.png.*120 of 1200 pixels differ/.test(s))).toBe(true);
    // the app scrolls inside its main pane: one shot at the panel's top, one at the plots
    await panel.locator('h2').scrollIntoViewIfNeeded();
    await shot('compare-data-shift');
    await panel.locator('[data-testid="data-shift-images"]').scrollIntoViewIfNeeded();
    await shot('compare-data-shift-images');
    expect(errors).toEqual([]);
  }, 120_000);
});
