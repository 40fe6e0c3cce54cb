// The Runs table over more runs than one page, in Debian's Chromium against `reproscope serve`: the next page is
// asked for while the rows drawn are still a page away from it, so a fast scroll finds its rows loaded; and only
// that far ahead (a long list is not fetched whole), nor anything else per page.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type AppSession } from '../helpers/e2e-app';
import { seedStore } from './seed-store';

let app: AppSession;
let home: string;
const RUNS = 1200; // six pages of 200
const PAGE = 200;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'reproscope-e2e-paging-'));
  seedStore(home, RUNS);
  app = await openApp(home);
}, 120_000);

afterAll(async () => {
  await app?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('the Runs table over many pages', () => {
  it('asks for the next page a page ahead of the rows drawn, and no further', async () => {
    const { page, served } = app;
    const offsets: number[] = [];
    let storeInfos = 0;
    page.on('request', (r) => {
      if (r.url().endsWith('/api/storeInfo')) storeInfos++;
      if (r.url().endsWith('/api/listRuns'))
        offsets.push((JSON.parse(r.postData() ?? '{}') as { offset: number }).offset);
    });
    await page.goto(`${served.origin}/?paging=1#/runs`);
    await page.waitForSelector('.run-row[data-kind="run"]');
    await page.waitForTimeout(200);
    const infosAtStart = storeInfos;
    const rowHeight = await page.$eval('.run-row', (r) => (r as HTMLElement).offsetHeight);
    // Scrolled so that the last rows drawn (overscan included) are about row 150 of page 0, 50 rows before page 1:
    // page 1 is already asked for; page 2, whose rows are more than a page below the last drawn, is not.
    await page.$eval(
      '[data-testid="runs-table"]',
      (el, top) => {
        el.scrollTop = top;
      },
      130 * rowHeight - (await page.$eval('[data-testid="runs-table"]', (el) => el.clientHeight)),
    );
    await page.waitForFunction(() => document.querySelector('.run-row[data-index="125"][data-kind="run"]') !== null);
    await page.waitForTimeout(300);
    expect(offsets).toContain(PAGE);
    expect(offsets).not.toContain(2 * PAGE);
    // Page 1 arrived while its rows were off screen: they show as runs, none as a placeholder, when scrolled to.
    await page.$eval(
      '[data-testid="runs-table"]',
      (el, top) => {
        el.scrollTop = top;
      },
      (PAGE + 5) * rowHeight,
    );
    await page.waitForFunction(() => document.querySelector('.run-row[data-index="210"]') !== null);
    const placeholders = await page.$$eval('.run-row.placeholder', (rows) => rows.length);
    expect(placeholders).toBe(0);
    expect(offsets).toContain(2 * PAGE); // now asked for, a page ahead again
    expect(offsets).not.toContain(4 * PAGE);
    // the store's own total is not asked again for each page that arrives (page 2's answer given time to come)
    await page.waitForTimeout(300);
    expect(storeInfos).toBe(infosAtStart);
  });
});
