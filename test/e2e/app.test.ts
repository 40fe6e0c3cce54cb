// The app in Chromium over `reproscope serve`: runs, a run's categories, compare, an audit from the form, its report, cancel and resume, the example.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../../shared/api/api';
import { git, runCli, SYSTEM_PYTHON, writeFiles } from '../helpers/temp';
import { launchChromium, RESULTS_DIR, startServe, type Served } from './harness';

// The app end to end, in Debian's Chromium against `reproscope serve` over a fresh store: runs
// captured from the CLI, found in Runs, opened, compared; an audit started from the Audit view and
// watched to its verdict; an HTML report exported and opened. One browser for the whole file.

const TRAIN = `
import argparse, json, random, time
p = argparse.ArgumentParser()
p.add_argument("--seed", type=int, default=0)
p.add_argument("--delay", type=float, default=0)
a = p.parse_args()
time.sleep(a.delay)
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
      delay: {type: float, default: 0}
    command: "${SYSTEM_PYTHON} train.py --seed {seed} --delay {delay}"
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
  // made here rather than with the helpers, whose folders are removed after each test: this one lives for the whole file
  repo = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'reproscope-e2e-project-'));
  writeFiles(repo, { 'train.py': TRAIN, MLproject: MLPROJECT, '.gitignore': 'metrics.json\n' });
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'initial');
  for (const [name, seed] of [
    ['first', '1'],
    ['second', '2'],
  ] as const) {
    if (name === 'second') writeFiles(repo, { 'train.py': `${TRAIN}\n# tuned\n` });
    const r = await runCli(
      ['capture', '--name', name, '--metrics', 'metrics.json', '--', SYSTEM_PYTHON, 'train.py', '--seed', seed],
      { cwd: repo, env: { REPROSCOPE_HOME: home } },
    );
    expect(r.code, r.stderr).toBe(0);
    ids.push(/recorded run ([0-9a-f]{8})/.exec(r.stderr)![1]!);
  }
  served = await startServe(home);
  browser = await launchChromium();
  page = await browser.context.newPage();
  await page.goto(served.url); // the token cookie, so any test can run alone (vitest -t)
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await served?.stop();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(repo, { recursive: true, force: true });
});

describe('the app in a browser (reproscope serve)', () => {
  it('shows the captured runs in Runs, newest first, and finds one by search', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(served.url);
    expect(new URL(page.url()).search).toBe(''); // the token moved from the address bar into a cookie
    await page.waitForSelector('.run-row:not(.placeholder)');
    expect(await page.textContent('[data-testid="runs-count"]')).toBe('2 rows');
    const names = await page.$$eval('.run-row', (rows) => rows.map((r) => r.children[5]?.textContent));
    expect(names).toEqual(['second', 'first']);
    await shot('runs');
    await page.fill('input[aria-label="Search runs"]', 'first');
    await page.waitForFunction(() => document.querySelector('[data-testid="runs-count"]')?.textContent === '1 row');
    await page.fill('input[aria-label="Search runs"]', '');
    await page.waitForFunction(() => document.querySelector('[data-testid="runs-count"]')?.textContent === '2 rows');
    expect(errors).toEqual([]);
  });

  it('opens a run by category, with its patch as a diff and its outcome', async () => {
    await page.click(`.run-row a:has-text("${ids[1]}")`);
    await page.waitForSelector('[data-testid="run-view"]');
    expect(await page.textContent('h1')).toBe('second');
    expect(await page.$$eval('.tabs [role="tab"]', (t) => t.map((x) => x.textContent?.replace(/\d+$/, '')))).toEqual([
      'Code',
      'Data',
      'Software',
      'Hardware',
      'Randomness',
      'Process',
      'Outcome',
      'Logs',
    ]);
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

  it('compares the two runs side by side with the differences highlighted', async () => {
    await page.goto(`${served.origin}/#/runs`);
    await page.waitForSelector('.run-row:not(.placeholder)');
    for (const id of ids) await page.check(`input[aria-label="mark ${id} for compare"]`);
    await page.click('button:has-text("Compare 2")');
    await page.waitForSelector('[data-testid="compare-ready"]');
    expect(await page.isChecked('[data-testid="only-differences"]')).toBe(true);
    expect(await page.textContent('[data-testid="compare-headline"]')).not.toBe('');
    // every row shown is a difference, highlighted
    const statuses = await page.$$eval('.compare-rows tr[data-status]', (rows) =>
      rows.map((r) => r.getAttribute('data-status')),
    );
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((st) => st !== 'same')).toBe(true);
    expect(await page.$$eval('tr.diff-changed', (r) => r.length)).toBeGreaterThan(0);
    const changed = await page.$eval('tr.diff-changed td.val', (td) => getComputedStyle(td).backgroundColor);
    expect(changed).not.toBe('rgba(0, 0, 0, 0)');
    expect(await page.textContent('[data-testid="section-process"]')).toMatch(/seed/i);
    await shot('compare');
    await page.uncheck('[data-testid="only-differences"]');
    expect(await page.$$eval('.compare-rows tr[data-status="same"]', (r) => r.length)).toBeGreaterThan(0);
    await page.selectOption('select[aria-label="Diff layout"]', 'split');
    await shot('compare-all-split');
  });

  it('reads a script given as the project as its folder with that entry point', async () => {
    await page.goto(`${served.origin}/#/audit`);
    await page.fill('#audit-path', path.join(repo, 'train.py'));
    await page.click('button:has-text("Read project")');
    await page.waitForSelector('#audit-entry');
    expect(await page.inputValue('#audit-entry')).toBe('train.py');
    // the dry run prepares it (its note on the original's command shows it did) and renders the script as MLflow runs it
    await page.fill('#audit-against', ids[0]!);
    await page.waitForSelector('[data-testid="audit-preflight"]');
    const notes = await page.textContent('[data-testid="audit-preflight"]');
    expect(notes).toMatch(/the original was captured running `.*train\.py --seed 1`/);
    expect(notes).not.toMatch(/would not start/);
    expect((await page.textContent('[data-testid="audit-command"]'))?.trim()).toBe('python train.py');
  });

  it('starts an audit of a project from the Audit view and watches it finish', async () => {
    await page.goto(`${served.origin}/#/audit`);
    await page.fill('#audit-path', repo);
    await page.click('button:has-text("Read project")');
    await page.waitForSelector('#param-seed');
    expect(await page.inputValue('#param-seed')).toBe('1');
    await page.waitForFunction(() =>
      /train\.py --seed 1/.test(document.querySelector('[data-testid="audit-command"]')?.textContent ?? ''),
    );
    await page.fill('#audit-repeats', '2');
    // judged against the first capture: the form says, before anything runs, that its command line was another
    await page.fill('#audit-against', ids[0]!);
    await page.waitForSelector('[data-testid="audit-preflight"]');
    expect(await page.textContent('[data-testid="audit-preflight"]')).toMatch(
      /the original was captured running `.*train\.py --seed 1`/,
    );
    await shot('audit-form');
    await page.click('button:has-text("Run the audit")');
    await page.waitForSelector('[data-testid="audit-detail"]');
    await page.waitForSelector('[data-testid="reruns"] tr td');
    await shot('audit-running');
    await page.waitForSelector('[data-testid="verdict"]', { timeout: 120_000 });
    const verdict = await page.textContent('[data-testid="verdict"]');
    expect(verdict).toMatch(/reproduced|consistent|not reproduced|failed/);
    await shot('audit');
  }, 150_000);

  it('exports the audit as an HTML report and opens it', async () => {
    await page.click('[data-testid="audit-report"]');
    await page.waitForSelector('[data-testid="report-preview"]');
    await page.waitForFunction(
      () => (document.querySelector<HTMLIFrameElement>('[data-testid="report-preview"]')?.srcdoc ?? '').length > 100,
    );
    await shot('report');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-html"]')]);
    const file = path.join(shots, 'audit-report.html');
    await download.saveAs(file);
    const html = fs.readFileSync(file, 'utf8');
    expect(html).toMatch(/<html/i);
    const opened = await browser.context.newPage();
    await opened.goto(`file://${file}`);
    expect(await opened.textContent('body')).toMatch(/reproduc|verdict/i);
    await opened.screenshot({ path: path.join(shots, 'report-opened.png') });
    await opened.close();
  });
});

describe('a long audit', () => {
  it('can be cancelled while it runs and resumed to its verdict', async () => {
    await page.goto(`${served.origin}/#/audit`);
    await page.fill('#audit-path', repo);
    await page.click('button:has-text("Read project")');
    await page.waitForSelector('#param-delay');
    await page.fill('#param-delay', '1.5');
    await page.fill('#audit-repeats', '2');
    await page.waitForFunction(() =>
      /--delay 1\.5/.test(document.querySelector('[data-testid="audit-command"]')?.textContent ?? ''),
    );
    await page.click('button:has-text("Run the audit")');
    await page.waitForSelector('[data-testid="audit-detail"][data-status="running"]');
    // live progress per rerun: its state and its elapsed time, ticking
    await page.waitForSelector('[data-testid="reruns"] .badge.running');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="reruns"] tr')].some(
        (tr) => tr.querySelector('.badge.running') && /\d\.\d\d s/.test(tr.children[3]?.textContent ?? ''),
      ),
    );
    await shot('audit-live');
    await page.click('button:has-text("Cancel")');
    await page.waitForSelector('[data-testid="audit-detail"][data-status="interrupted"]', { timeout: 30_000 });
    await shot('audit-interrupted');
    await page.click('button:has-text("Resume")');
    await page.waitForSelector('[data-testid="verdict"]', { timeout: 120_000 });
    expect(await page.getAttribute('[data-testid="audit-detail"]', 'data-status')).toBe('finished');
  }, 150_000);
});

describe("a newcomer's first minute (empty store)", () => {
  it('offers the bundled example and audits it in one click, ending in a verdict', async () => {
    const emptyHome = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'reproscope-e2e-empty-'));
    const fresh = await startServe(emptyHome);
    try {
      await page.goto(fresh.url);
      await page.waitForSelector('[data-testid="first-run"]');
      await page.waitForSelector('[data-testid="try-example"]:not([disabled])');
      await shot('first-run');
      await page.click('[data-testid="try-example"]');
      await page.waitForSelector('[data-testid="verdict"]', { timeout: 120_000 });
      await page.waitForSelector('[data-testid="sources"], [data-testid="verdict"]');
      await shot('first-run-verdict');
      expect(has('exportReport')).toBe(true);
    } finally {
      await fresh.stop();
      fs.rmSync(emptyHome, { recursive: true, force: true });
    }
  }, 150_000);
});
