// The Runs view as a results table, in Debian's Chromium against `reproscope serve`: chosen metric
// and parameter columns (remembered), sort by a column, MLflow's search syntax, reruns grouped under
// their audit and opened, a rerun's own status, CSV export; screenshots in light and dark.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../electron/db/open-store';
import { RunsRepository } from '../../electron/db/runs-repository';
import { openApp, type AppSession } from '../helpers/e2e-app';
import type { Served } from './harness';
import { seedStore, syntheticSnapshot } from './seed-store';

let served: Served;
let app: AppSession;
let page: Page;
let home: string;

const shot = (name: string): Promise<void> => app.shot(name);

const cellTexts = (p: Page, col: number): Promise<string[]> =>
  p.$$eval(
    '.run-row[data-kind="run"], .run-row[data-kind="child"]',
    (rows, c) => rows.map((r) => r.children[c]?.textContent ?? ''),
    col,
  );

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'reproscope-e2e-runs-'));
  seedStore(home, 60);
  // an audit's five reruns, one failed: grouped under the audit, each with its own status
  const store = openStore(home);
  const runs = new RunsRepository(store.db);
  for (let k = 0; k < 5; k++) {
    const s = syntheticSnapshot(1000 + k, new Date(Date.UTC(2025, 5, 1, 0, k)));
    s.kind = 'rerun';
    s.auditId = 'a0d17a0d17a0d17a0d17a0d1';
    s.name = `rerun ${k}`;
    s.outcome = { ...s.outcome, status: k === 2 ? 'failed' : 'finished', exitCode: k === 2 ? 1 : 0 };
    runs.save(s);
  }
  store.close();
  app = await openApp(home);
  ({ served, page } = app);
}, 120_000);

afterAll(async () => {
  await app?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('the Runs table', () => {
  it('shows the most common metrics as columns at first, and remembers the columns the user picks', async () => {
    await page.goto(`${served.origin}/#/runs`);
    await page.waitForSelector('.run-row[data-kind="run"]');
    await page.waitForSelector('[data-sort-key="metrics.accuracy"]'); // the column names come after the first rows
    const heads = await page.$$eval('.runs-head [role="columnheader"]', (h) => h.map((x) => x.textContent));
    expect(heads).toEqual(['id', 'created', 'kind', 'status', 'name', 'project', 'accuracy', 'loss', 'command']);
    await page.click('button:has-text("Columns")');
    await page.check('.column-picker label:has-text("lr") input');
    await page.uncheck('.column-picker label:has-text("loss") input');
    await page.click('.column-picker button:has-text("Done")');
    await page.reload();
    await page.waitForSelector('.run-row[data-kind="run"]');
    expect(await page.$$eval('.runs-head [role="columnheader"]', (h) => h.map((x) => x.textContent))).toEqual([
      'id',
      'created',
      'kind',
      'status',
      'name',
      'project',
      'accuracy',
      'lr',
      'command',
    ]);
  });

  it('sorts by a metric column, descending on the second click', async () => {
    await page.click('[data-sort-key="metrics.accuracy"]');
    await page.waitForFunction(() =>
      document.querySelector('[data-sort-key="metrics.accuracy"]')?.textContent?.endsWith('▲'),
    );
    await page.waitForTimeout(300);
    const asc = (await cellTexts(page, 7)).map(Number);
    expect(asc.length).toBeGreaterThan(5);
    expect([...asc].sort((a, b) => a - b)).toEqual(asc);
    await page.click('[data-sort-key="metrics.accuracy"]');
    await page.waitForFunction(() =>
      document.querySelector('[data-sort-key="metrics.accuracy"]')?.textContent?.endsWith('▼'),
    );
    await page.waitForTimeout(300);
    const desc = (await cellTexts(page, 7)).map(Number);
    expect([...desc].sort((a, b) => b - a)).toEqual(desc);
    expect(desc[0]).toBe(0.949);
    await shot('runs-table-sorted');
  });

  it("filters in MLflow's syntax and explains a filter it cannot read", async () => {
    await page.fill('input[aria-label="Search runs"]', "metrics.accuracy > 0.9475 and params.seed LIKE '4_'");
    await page.waitForFunction(() => document.querySelector('[data-testid="runs-count"]')?.textContent === '2 rows');
    await page.waitForFunction(() => document.querySelectorAll('.run-row[data-kind="run"]').length === 2);
    expect((await cellTexts(page, 5)).sort()).toEqual(['run 48', 'run 49'].sort());
    await shot('runs-table-filtered');
    await page.fill('input[aria-label="Search runs"]', 'val_accuracy > 0.9');
    await page.waitForSelector('[role="alert"]');
    expect(await page.textContent('[role="alert"]')).toContain('metrics.val_accuracy');
    await page.fill('input[aria-label="Search runs"]', '');
  });

  it("groups an audit's reruns under one row that opens, each rerun with its own status", async () => {
    await page.goto(`${served.origin}/?grouped=1#/runs`);
    await page.waitForSelector('[data-testid="rerun-group"]');
    expect(await page.textContent('[data-testid="rerun-group"]')).toContain('5 reruns');
    await page.click('button[aria-label^="open the reruns of audit a0d17a0d"]');
    await page.waitForFunction(() => document.querySelectorAll('.run-row[data-kind="child"]').length === 5);
    const statuses = await page.$$eval('.run-row[data-kind="child"] .badge', (b) => b.map((x) => x.textContent));
    expect(statuses.sort()).toEqual(['failed', 'finished', 'finished', 'finished', 'finished']);
    await shot('runs-table-group-open');
  });

  it('exports the table as CSV with the columns shown', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button:has-text("Export CSV")')]);
    const text = fs.readFileSync(await download.path(), 'utf8');
    const lines = text.trim().split('\r\n');
    expect(lines[0]).toBe('id,created,kind,status,name,project,metrics.accuracy,params.lr,command');
    expect(lines).toHaveLength(1 + 60 + 5);
  });

  it('draws every visible row in the frame a wheel-sized scroll lands in, and a jump to the end soon after', async () => {
    await page.goto(`${served.origin}/?scrolling=1#/runs`);
    await page.waitForSelector('.run-row[data-kind="run"]');
    const seen = await page.evaluate(async () => {
      const el = document.querySelector<HTMLElement>('[data-testid="runs-table"]')!;
      const frame = (): Promise<void> => new Promise((r) => requestAnimationFrame(() => r()));
      const head = document.querySelector<HTMLElement>('.runs-head')!.offsetHeight;
      const row = document.querySelector<HTMLElement>('.run-row')!.offsetHeight;
      // the rows the visible part shows that are not in the DOM in this frame
      const missing = (): number[] => {
        const have = new Set([...el.querySelectorAll<HTMLElement>('.run-row')].map((r) => Number(r.dataset.index)));
        const rows = Number(el.getAttribute('aria-rowcount')) - 1; // less the head
        const last = Math.min(Math.floor((el.scrollTop + el.clientHeight - head - 1) / row), rows - 1);
        const out: number[] = [];
        for (let k = Math.floor(el.scrollTop / row); k <= last; k++) if (!have.has(k)) out.push(k);
        return out;
      };
      const gaps: number[][] = [];
      while (el.scrollTop + el.clientHeight < el.scrollHeight) {
        el.scrollTop += 100;
        await frame();
        const m = missing();
        if (m.length) gaps.push(m);
      }
      el.scrollTop = 0;
      await frame();
      el.scrollTop = el.scrollHeight;
      let frames = 0;
      while (missing().length && frames < 10) {
        await frame();
        frames++;
      }
      return {
        gaps,
        framesToEnd: frames,
        lastShown: document.querySelector('.run-row:last-child')?.getAttribute('data-index'),
      };
    });
    expect(seen.gaps).toEqual([]);
    expect(seen.framesToEnd).toBeLessThanOrEqual(3);
  });
});
