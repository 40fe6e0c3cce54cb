// Metric-history charts in the app, in Debian's Chromium under the app's CSP (no eval: vega-interpreter):
// a run's histories, two runs overlaid in Compare with the divergence step marked; the marks are
// read back from the SVG. Light and dark screenshots.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../electron/db/open-store';
import { RunsRepository } from '../../electron/db/runs-repository';
import { emptySnapshot } from '../../shared/snapshot/snapshot';
import { openApp, type AppSession } from '../helpers/e2e-app';
import type { Served } from './harness';

let served: Served;
let app: AppSession;
let page: Page;
let home: string;
let errors: string[];
const A = 'c0ffee0000000000000000a1';
const B = 'c0ffee0000000000000000b2';
const LONG = 'c0ffee0000000000000000c3';
const MILLION = 1_000_000;
/** The largest answer of the API the page has had, in bytes. */
let largestResponse = 0;

const shot = (name: string): Promise<void> => app.shot(name);

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'reproscope-e2e-charts-'));
  const store = openStore(home);
  const runs = new RunsRepository(store.db);
  for (const [id, name, drift] of [
    [A, 'baseline', 0],
    [B, 'tuned', 1],
  ] as const) {
    const s = emptySnapshot(id, 'capture', `2026-03-0${drift + 1}T00:00:00Z`);
    s.name = name;
    s.outcome.status = 'finished';
    // 30 steps of loss, the same until step 12, then the tuned run's falls faster
    const loss = Array.from({ length: 30 }, (_, step) => ({
      step,
      value: 1 / (1 + step) - (drift && step >= 12 ? 0.01 * (step - 11) : 0),
      timestamp: Date.UTC(2026, 2, 1) + step * 1000,
    }));
    const acc = Array.from({ length: 30 }, (_, step) => ({ step, value: 0.5 + step / 100, timestamp: null }));
    s.outcome.metrics = {
      loss: { value: loss[29]!.value, history: loss, source: 'mlflow' },
      accuracy: { value: acc[29]!.value, history: acc, source: 'mlflow' },
      f1: { value: 0.7, history: null, source: 'mlflow' },
    };
    runs.save(s);
  }
  // a million-point history with one spike, as a long training run logs it
  const long = emptySnapshot(LONG, 'capture', '2026-03-05T00:00:00Z');
  long.name = 'long';
  const history = Array.from({ length: MILLION }, (_, step) => ({
    step,
    value: step === 612_345 ? 3 : 1 / (1 + step / 1000),
    timestamp: null,
  }));
  long.outcome.metrics = { loss: { value: history.at(-1)!.value, history, source: 'mlflow' } };
  runs.save(long);
  store.close();
  app = await openApp(home, { fullPage: true });
  ({ served, page, errors } = app);
  page.on('response', (r) => {
    if (!r.url().includes('/api/')) return;
    void r
      .body()
      .then((b) => (largestResponse = Math.max(largestResponse, b.length)))
      .catch(() => undefined);
  });
}, 120_000);

afterAll(async () => {
  await app?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

const marks = (p: Page, chart: string, mark: string): Promise<number> =>
  p.$$eval(`[aria-label="${chart}"] svg g.mark-${mark}.role-mark > *`, (els) => els.length);

describe('metric-history charts', () => {
  it("draws a run's histories, one chart per metric with a history, a point per step", async () => {
    await page.goto(`${served.origin}/#/run/${A}`);
    await page.click('.tabs button:has-text("Outcome")');
    await page.waitForSelector('[aria-label="history of loss"] svg');
    await page.waitForSelector('[aria-label="history of accuracy"] svg');
    expect(await page.$$eval('[data-testid="history-charts"] figure', (f) => f.length)).toBe(2); // f1 has no history
    expect(await marks(page, 'history of loss', 'line')).toBe(1);
    expect(await marks(page, 'history of loss', 'symbol')).toBe(30);
    // the axes print significant digits, never 16 of them
    const labels = await page.$$eval('[aria-label="history of loss"] svg .role-axis-label text', (t) =>
      t.map((x) => x.textContent ?? ''),
    );
    expect(labels.length).toBeGreaterThan(3);
    expect(labels.every((l) => l.replace(/[^0-9]/g, '').length <= 6)).toBe(true);
    await shot('run-history');
    expect(errors).toEqual([]);
  });

  it('overlays two runs in Compare and marks the step where they diverge', async () => {
    await page.goto(`${served.origin}/#/compare/${A}/${B}`);
    await page.waitForSelector('[aria-label="history of loss"] svg');
    expect(await marks(page, 'history of loss', 'line')).toBe(2);
    expect(await marks(page, 'history of loss', 'symbol')).toBe(60);
    expect(await marks(page, 'history of loss', 'rule')).toBe(1);
    expect(await page.textContent('[data-testid="divergence-loss"]')).toBe('diverges at step 12');
    expect(await marks(page, 'history of accuracy', 'rule')).toBe(0);
    expect(await page.textContent('[data-testid="divergence-accuracy"]')).toBe('the same at every step both have');
    await page.locator('[data-testid="history-charts"]').scrollIntoViewIfNeeded();
    await shot('compare-history');
    await page.selectOption('select[aria-label="History axis"]', 'time');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[aria-label="history of loss"] svg text')].some(
        (t) => t.textContent === 'seconds',
      ),
    );
    expect(errors).toEqual([]);
  });

  it('draws a million-point history from a few thousand points, its spike kept, the run never sent whole', async () => {
    largestResponse = 0;
    await page.goto(`${served.origin}/#/run/${LONG}`);
    await page.click('.tabs button:has-text("Outcome")');
    await page.waitForSelector('[aria-label="history of loss"] svg');
    expect(await page.textContent('[data-testid="thinned-loss"]')).toMatch(/^1,000,000 points, drawn as 2,000/);
    // the metric table still says how long the history is
    expect(await page.locator('table.grid tr:has(td:text-is("loss")) td').nth(2).textContent()).toBe('1000000');
    // the spike reaches the top of the y axis: its value is among the axis labels' range
    const labels = await page.$$eval('[aria-label="history of loss"] svg .role-axis-label text', (t) =>
      t.map((x) => Number((x.textContent ?? '').replace(/,/g, ''))),
    );
    expect(Math.max(...labels.filter(Number.isFinite))).toBeGreaterThanOrEqual(2.5);
    await expect.poll(() => largestResponse).toBeGreaterThan(0);
    expect(largestResponse).toBeLessThan(1_000_000);
    expect(errors).toEqual([]);
  });
});
