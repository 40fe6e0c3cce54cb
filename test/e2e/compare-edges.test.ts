// Compare's edge cases as a reviewer meets them, in the CLI's text and in the app (Debian's Chromium over `reproscope serve`): a metric only one run has, a run without metrics, empty values, artifacts only one run has.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../electron/db/open-store';
import { RunsRepository } from '../../electron/db/runs-repository';
import { emptySnapshot, type Snapshot } from '../../shared/snapshot/snapshot';
import { openApp, type AppSession } from '../helpers/e2e-app';
import { runCli } from '../helpers/temp';

const A = 'a1'.repeat(16);
const B = 'b2'.repeat(16);
const NONE = 'c3'.repeat(16);
const ODD = 'd4'.repeat(16);

function run(id: string, minute: number): Snapshot {
  const s = emptySnapshot(id, 'capture', `2026-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`);
  s.outcome.status = 'finished';
  s.outcome.exitCode = 0;
  s.process.parameters = { lr: '0.1' };
  return s;
}

/** A and B: the same accuracy; loss and an artifact only A has; a parameter and CUDA_VISIBLE_DEVICES set to "" in A. */
function seed(home: string): void {
  const a = run(A, 0);
  a.outcome.metrics = {
    accuracy: { value: 0.9, history: null, source: 'metrics.json' },
    loss: { value: 0.3, history: null, source: 'metrics.json' },
  };
  a.process.parameters = { lr: '0.1', note: '' };
  a.process.env = { CUDA_VISIBLE_DEVICES: '' };
  a.outcome.artifacts = [
    {
      path: 'model.pkl',
      absPath: '/tmp/model.pkl',
      kind: 'file',
      rootHash: 'f'.repeat(64),
      fileCount: 1,
      totalBytes: 10,
      files: [],
    },
  ];
  const b = run(B, 1);
  b.outcome.metrics = { accuracy: { value: 0.9, history: null, source: 'metrics.json' } };
  b.process.env = { CUDA_VISIBLE_DEVICES: '0' };
  const none = run(NONE, 2);
  // accuracy NaN (a diverged training), loss lower than A's
  const odd = run(ODD, 3);
  odd.outcome.metrics = {
    accuracy: { value: NaN, history: null, source: 'metrics.json' },
    loss: { value: 0.25, history: null, source: 'metrics.json' },
    epochs: { value: 3, history: null, source: 'metrics.json' },
    f1: { value: 0.5, history: null, source: 'metrics.json' },
  };
  const store = openStore(home);
  try {
    const runs = new RunsRepository(store.db);
    for (const s of [a, b, none, odd]) runs.save(s);
  } finally {
    store.close();
  }
}

let home: string;
let app: AppSession;
let page: Page;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'reproscope-e2e-edges-'));
  seed(home);
  app = await openApp(home);
  page = app.page;
}, 120_000);

afterAll(async () => {
  await app?.close();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

async function compareText(...args: string[]): Promise<string> {
  const r = await runCli(['--store', home, 'compare', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** A comparison report written by the CLI, read back. */
async function compareReport(format: 'html' | 'md', ...ids: string[]): Promise<string> {
  const out = path.join(home, `report-${ids.map((id) => id.slice(0, 2)).join('-')}.${format}`);
  const r = await runCli(['--store', home, 'report', '--compare', ...ids, '--format', format, '-o', out]);
  expect(r.code, r.stderr).toBe(0);
  return out;
}

/** The app's Compare view of two runs: each section's heading and its text. */
async function appCompare(a: string, b: string): Promise<Record<string, string>> {
  await page.goto(`${app.served.origin}/#/compare/${a}/${b}`);
  // a new hash re-renders the view in place: wait for this pair, not the one the last test left on the page
  await page.waitForSelector(
    `[data-testid="compare-ready"]:has(a[href="#/run/${a}"]):has(a[href="#/run/${b}"]) [data-testid="section-outcome"]`,
  );
  const out: Record<string, string> = {};
  for (const s of await page.$$('[data-testid^="section-"]')) {
    const id = (await s.getAttribute('data-testid'))!.replace('section-', '');
    out[id] = (await s.innerText()).replace(/\s+/g, ' ');
  }
  return out;
}

describe('compare, where one run lacks what the other has', () => {
  it('counts a metric and an artifact only one run has as differences of the outcome, in the CLI and the app', async () => {
    const text = await compareText(A, B);
    expect(text).not.toMatch(/^Outcome \(no differences\)/m);
    // loss (only in A) and the artifact model.pkl (only in A); accuracy is the same
    expect(text).toMatch(/^Outcome \(2 differences\)$/m);
    expect(text).toMatch(/^ {2}- {2}loss +0\.3 +— /m);
    expect(text).toMatch(/^ {2}- {2}artifact model\.pkl +1 file, 10 B, root f{12} +—$/m);
    expect(text).not.toMatch(/^ {2}. {2}accuracy/m);
    // only what differs: no section that has nothing to show (Software was always listed, with its package count)
    expect(text).not.toMatch(/^(Code|Data|Software|Hardware|Randomness) \(/m);
    expect(await compareText(A, B, '--all')).toMatch(
      /^Software \(no differences\)\n(.*\n)* {2}packages: 0 differ, 0 same$/m,
    );

    const sections = await appCompare(A, B);
    expect(sections.outcome).toMatch(/^Outcome 2 differences/);
    // loss: 0.3 in A, none in B, so no difference and no relative change: each a dash
    expect(sections.outcome).toContain('loss 0.3 — — —');
    expect(sections.outcome).not.toMatch(/^Outcome same/);
    expect(app.errors).toEqual([]);
  });

  it('says a run without metrics differs in every metric of the other', async () => {
    // B's only outcome fact beyond status and exit code is its accuracy: the heading said "no differences" above it
    const text = await compareText(NONE, B);
    expect(text).toMatch(/^Outcome \(1 difference\)$/m);
    expect(text).toMatch(/^ {2}\+ {2}accuracy +— +0\.9 /m);
    expect(text).toMatch(/^accuracy only in B;/m);
    // more than two: the rest "differ" (they did not change: B alone has them)
    expect(await compareText(NONE, ODD)).toMatch(/^accuracy only in B, epochs only in B and 2 more metrics differ;/m);
    const sections = await appCompare(NONE, B);
    expect(sections.outcome).toMatch(/^Outcome 1 difference /);
    expect(sections.outcome).toContain('accuracy');
    expect(app.errors).toEqual([]);
  });

  it('lists a parameter or environment variable set to "" as set, not as absent', async () => {
    const text = await compareText(A, B);
    expect(text).toMatch(/^Process \(2 differences\)$/m);
    expect(text).toMatch(/^ {2}- {2}parameter note +"" +—$/m);
    // CUDA_VISIBLE_DEVICES= hides every GPU: A did not lack the variable, it set it empty
    expect(text).toMatch(/^ {2}~ {2}env CUDA_VISIBLE_DEVICES +"" +0$/m);
    expect(text).toContain('env CUDA_VISIBLE_DEVICES: "" → 0');
    const sections = await appCompare(A, B);
    expect(sections.process).toMatch(/^Process 2 differences/);
    expect(sections.process).toMatch(/env CUDA_VISIBLE_DEVICES ""/);
    expect(app.errors).toEqual([]);
  });

  it('charts no relative change when none is non-zero, and names the changed metrics it cannot chart', async () => {
    // A against B: accuracy is the same, loss only in A: a chart would hold one zero bar and nothing that changed
    await page.goto(`file://${await compareReport('html', A, B)}`);
    expect(await page.locator('figure.chart').count()).toBe(0);
    expect(fs.readFileSync(await compareReport('md', A, B), 'utf8')).not.toContain('chart of metric changes');
    // A against ODD: loss 0.3 → 0.25 is charted; accuracy 0.9 → NaN has no relative change, and the caption says so
    await page.goto(`file://${await compareReport('html', A, ODD)}`);
    expect(await page.locator('figure.chart svg .role-mark').count()).toBeGreaterThan(0);
    expect(await page.locator('figure.chart figcaption').innerText()).toMatch(
      /Changed but not charted, having no relative change \(.*\): accuracy, epochs, f1\.$/,
    );
    expect(fs.readFileSync(await compareReport('md', A, ODD), 'utf8')).toContain('chart of metric changes');
  });

  it('heads a comparison of three runs with the runs that lack a metric or have it NaN, not with a range of the others', async () => {
    // the baseline has no metrics: "accuracy ranges 0.9 to 0.9" said nothing of it
    expect(await compareText(NONE, A, B)).toMatch(/^3 runs against the baseline: accuracy missing from 1 of 3 runs, /m);
    expect(await compareText(A, B, ODD)).toMatch(
      /^3 runs against the baseline: accuracy NaN in 1 of 3 runs, epochs missing from 2 of 3 runs and 2 more metrics differ;/m,
    );
  });
});
