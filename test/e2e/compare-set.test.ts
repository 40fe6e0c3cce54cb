// A 20-run compare in the app, in Debian's Chromium over `reproscope serve`: a column per run, differences
// highlighted, 20 histories overlaid, the baseline detailed against a picked run. Light and dark screenshots.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSweep } from '../helpers/run-set';
import { openApp, type AppSession } from '../helpers/e2e-app';
import type { Served } from './harness';

let served: Served;
let app: AppSession;
let page: Page;
let home: string;
let ids: string[];
let errors: string[];

const shot = (name: string): Promise<void> => app.shot(name);

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'reproscope-e2e-set-'));
  ids = seedSweep(home, 20);
  app = await openApp(home, { fullPage: true });
  ({ served, page, errors } = app);
}, 120_000);

afterAll(async () => {
  await app?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('Compare with 20 runs', () => {
  it('shows a column per run, the first as the baseline, and highlights what differs from it', async () => {
    await page.goto(`${served.origin}/#/compare/${ids.join('/')}`);
    await page.waitForSelector('[data-testid="compare-set-ready"]');
    expect(await page.textContent('h1')).toBe('Compare 20 runs');
    expect(await page.textContent('[data-testid="compare-headline"]')).toMatch(/^20 runs against the baseline/);
    // metrics: one column per run after the metric name; epochs is the same everywhere, so hidden
    expect(await page.$$eval('[data-testid="set-metrics"] thead th', (t) => t.length)).toBe(21);
    expect(
      await page.$$eval('[data-testid="set-metrics"] tbody tr', (t) => t.map((r) => r.children[0]!.textContent)),
    ).toEqual(['accuracy', 'loss']);
    const numpy = page.locator(
      '[data-testid="set-section-software"] tr[data-key="package:numpy"] td[data-differs="yes"]',
    );
    expect(await numpy.count()).toBe(5);
    expect(await numpy.first().textContent()).toBe('2.0.1');
    const commit = page.locator('[data-testid="set-section-code"] tr[data-key="commit"] td');
    expect(await commit.nth(1).textContent()).toBe('aaaaaaaaaaaa'); // a full hash reads as 12 characters
    expect(
      await page.locator('[data-testid="set-section-code"] tr[data-key="commit"] td[data-differs="yes"]').count(),
    ).toBe(10);
    // every fact when "only differences" is off
    const factRows = (): Promise<number> => page.locator('[data-testid="set-section-software"] tbody tr').count();
    const before = await factRows();
    await page.click('[data-testid="compare-set-ready"] > .toolbar [data-testid="only-differences"]');
    expect(await factRows()).toBeGreaterThan(before);
    await page.click('[data-testid="compare-set-ready"] > .toolbar [data-testid="only-differences"]');
    await page.waitForSelector('[aria-label="history of loss"] svg');
    // 20 histories overlaid: a line per run
    expect(await page.$$eval('[aria-label="history of loss"] svg g.mark-line.role-mark > *', (l) => l.length)).toBe(20);
    await shot('compare-20-runs');
    expect(errors).toEqual([]);
  });

  it('details the baseline against the run picked, with the other run’s uncommitted patch', async () => {
    const detail = page.locator('[data-testid="pair-detail"]');
    await detail.locator('[data-testid="compare-ready"]').waitFor();
    await page.selectOption('select[aria-label="Run to detail against the baseline"]', {
      label: '#4 sweep lr=0.005 seed=3',
    });
    await page.waitForFunction(() =>
      /Uncommitted patch of B/.test(document.querySelector('[data-testid="pair-detail"]')?.textContent ?? ''),
    );
    expect(await detail.locator('[data-testid="compare-headline"]').textContent()).toMatch(/uncommitted changes/);
    await detail.scrollIntoViewIfNeeded();
    await shot('compare-20-runs-detail');
    expect(errors).toEqual([]);
  });

  it('exports the 20-run comparison as a report from the app', async () => {
    await page.goto(`${served.origin}/#/compare/${ids.join('/')}`);
    await page.waitForSelector('[data-testid="compare-set-ready"]');
    await page.click('[data-testid="compare-set-ready"] > .toolbar button:has-text("Report…")');
    await page.waitForSelector('[data-testid="report-view"]');
    expect(await page.textContent('[data-testid="report-view"] h1')).toBe('Comparison report of 20 runs');
    const frame = page.frameLocator('[data-testid="report-view"] iframe');
    await expect.poll(() => frame.locator('h1').textContent(), { timeout: 30_000 }).toMatch(/Comparison of 20 runs/);
    expect(errors).toEqual([]);
  });
});
