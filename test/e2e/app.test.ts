import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../../shared/api';
import { gitRepo, runCli, SYSTEM_PYTHON, tempDir, writeFiles } from '../helpers/temp';
import { launchChromium, RESULTS_DIR, startServe, type Served } from './harness';

// The app end to end, in Debian's Chromium against `reproscope serve` over a fresh store: runs
// captured from the CLI, found in Runs, opened, compared; an audit started from the Audit view and
// watched to its verdict; an HTML report exported and opened. One browser for the whole file.

const TRAIN = `
import argparse, json, random
p = argparse.ArgumentParser()
p.add_argument("--seed", type=int, default=0)
a = p.parse_args()
random.seed(a.seed)
acc = 0.8 + random.random() / 10
json.dump({"accuracy": acc}, open("metrics.json", "w"))
print("accuracy", acc)
`;
const MLPROJECT = `name: e2e-demo
entry_points:
  main:
    parameters:
      seed: {type: int, default: 1}
    command: "${SYSTEM_PYTHON} train.py --seed {seed}"
`;

const shots = path.join(RESULTS_DIR, 'e2e');
let served: Served;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let home: string;
let repo: string;
const ids: string[] = [];
const has = (op: string): boolean => Object.prototype.hasOwnProperty.call(api, op);

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: false });
}

beforeAll(async () => {
  fs.mkdirSync(shots, { recursive: true });
  home = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'reproscope-e2e-store-'));
  repo = gitRepo({ 'train.py': TRAIN, MLproject: MLPROJECT, '.gitignore': 'metrics.json\n' });
  for (const [name, seed] of [['first', '1'], ['second', '2']] as const) {
    if (name === 'second') writeFiles(repo, { 'train.py': `${TRAIN}\n# tuned\n` });
    const r = await runCli(['capture', '--name', name, '--metrics', 'metrics.json', '--', SYSTEM_PYTHON, 'train.py', '--seed', seed], { cwd: repo, env: { REPROSCOPE_HOME: home } });
    expect(r.code, r.stderr).toBe(0);
    ids.push(/recorded run ([0-9a-f]{8})/.exec(r.stderr)![1]!);
  }
  served = await startServe(home);
  browser = await launchChromium();
  page = await browser.context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await served?.stop();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('the app in a browser (reproscope serve)', () => {
  it('shows the captured runs in Runs, newest first, and finds one by search', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(served.url);
    expect(new URL(page.url()).search).toBe(''); // the token moved from the address bar into a cookie
    await page.waitForSelector('.run-row:not(.placeholder)');
    expect(await page.textContent('[data-testid="runs-count"]')).toBe('2 runs');
    const names = await page.$$eval('.run-row', (rows) => rows.map((r) => r.children[5]?.textContent));
    expect(names).toEqual(['second', 'first']);
    await shot('runs');
    await page.fill('input[aria-label="Search runs"]', 'first');
    await page.waitForFunction(() => document.querySelector('[data-testid="runs-count"]')?.textContent === '1 run');
    await page.fill('input[aria-label="Search runs"]', '');
    await page.waitForFunction(() => document.querySelector('[data-testid="runs-count"]')?.textContent === '2 runs');
    expect(errors).toEqual([]);
  });

  it('opens a run by category, with its patch as a diff and its outcome', async () => {
    await page.click(`.run-row a:has-text("${ids[1]}")`);
    await page.waitForSelector('[data-testid="run-view"]');
    expect(await page.textContent('h1')).toBe('second');
    expect(await page.$$eval('.tabs [role="tab"]', (t) => t.map((x) => x.textContent?.replace(/\d+$/, '')))).toEqual(
      ['Code', 'Data', 'Software', 'Hardware', 'Randomness', 'Process', 'Outcome', 'Logs']);
    await page.waitForSelector('.diff .line.add');
    expect(await page.textContent('.diff')).toContain('# tuned');
    await shot('run-code');
    await page.click('.tabs button:has-text("Outcome")');
    expect(await page.textContent('[role="tabpanel"]')).toContain('accuracy');
    await page.click('.tabs button:has-text("Logs")');
    await page.waitForSelector('[data-testid="log-stdout"]');
    expect(await page.textContent('[data-testid="log-stdout"]')).toMatch(/accuracy 0\.\d+/);
    await page.keyboard.press('[');
    await page.click('.tabs button:has-text("Randomness")');
    await shot('run-randomness');
  });
});
