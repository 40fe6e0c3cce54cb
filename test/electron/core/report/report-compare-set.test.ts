// N-run compare through every face and format: the CLI's table and JSON, and HTML, Markdown, JSON and PDF reports of 20 runs.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCore } from '../../../../electron/core/core-context';
import { createHandlers } from '../../../../electron/core/handlers';
import { RunSetComparisonSchema } from '../../../../shared/compare/compare-many-model';
import { ReportJsonSchema } from '../../../../shared/report/report-model';
import { nonFiniteReviver } from '../../../../shared/snapshot/nonfinite-json';
import { cellsNarrowerThanAWord } from '../../../helpers/report-browser';
import { seedSweep } from '../../../helpers/run-set';
import { REPO_ROOT, runCli, tempDir } from '../../../helpers/temp';

let home: string;
let ids: string[];

async function exportSet(format: 'html' | 'md' | 'json' | 'pdf') {
  const ctx = openCore(home);
  try {
    const r = await createHandlers(ctx).exportReport({ kind: 'compare', ids, format });
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  } finally {
    ctx.close();
  }
}

beforeAll(() => {
  // one store for the whole file (tempDir's folders go after each test)
  home = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'reproscope-set-'));
  ids = seedSweep(home, 20);
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('comparing 3 to 20 runs', () => {
  it('prints a column per run in the terminal, the baseline first, and the whole set as JSON', async () => {
    const text = await runCli(['--store', home, 'compare', ...ids.slice(0, 3)], {
      env: { COLUMNS: '200' },
    });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^#1 \(baseline\) 5e700000 "sweep lr=0\.1 seed=0"/m);
    expect(text.stdout).toMatch(/^3 runs against the baseline: accuracy ranges/m);
    expect(text.stdout).toMatch(/^parameter lr +0\.1 +0\.05 +0\.01$/m);
    expect(text.stdout).toMatch(/^ {2}#2 5e700000: /m);

    const json = await runCli(['--store', home, 'compare', ...ids, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const set = RunSetComparisonSchema.parse(JSON.parse(json.stdout, nonFiniteReviver));
    expect(set.runs).toHaveLength(20);
    expect(set.pairs).toHaveLength(19);
    const numpy = set.sections.find((s) => s.section === 'software')!.rows.find((r) => r.key === 'package:numpy')!;
    expect(numpy.differsFromBaseline.filter(Boolean)).toHaveLength(5); // runs 15–19 have numpy 2
    expect(set.metrics.find((m) => m.name === 'epochs')!.differs).toBe(false);

    const tooMany = await runCli(['--store', home, 'compare', ...ids, ids[0]!]);
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toMatch(/compare takes 2 to 20 runs, got 21/);
    const twice = await runCli(['--store', home, 'compare', ids[0]!, ids[1]!, ids[0]!]);
    expect(twice.stderr).toMatch(/named twice/);
  }, 60_000);

  it('writes HTML, Markdown and JSON reports of 20 runs: tables of five runs, each run ranked against the baseline', async () => {
    const json = await exportSet('json');
    const doc = ReportJsonSchema.parse(JSON.parse(json.text!));
    expect(doc.kind).toBe('compare-set');
    expect(json.fileName).toMatch(/^reproscope-compare-5e700000-and-19-more\.json$/);

    const md = (await exportSet('md')).text!;
    expect(md).toMatch(/^# Comparison of 20 runs against sweep lr=0\.1 seed=0/);
    expect(md).toMatch(/^\| metric \| #1 \(baseline\) \| #2 \|.*\| #20 \|$/m);
    expect(md).toMatch(/### #11 sweep lr=0\.01 seed=10[\s\S]*The code is at a different commit/);
    expect(md).toMatch(/### Uncommitted patch of #4 [\s\S]*\+EPOCHS = 13/);

    const html = (await exportSet('html')).text!;
    // 19 other runs in tables led by the baseline, four others each: 5 tables per section
    const metricTables =
      html
        .split('<h2 id="outcome">')[1]!
        .split('<h2')[0]!
        .match(/<table>/g) ?? [];
    expect(metricTables).toHaveLength(5);
    expect(html).toMatch(/<figure class="chart" data-chart="set-metric-0"><svg/);
    expect(html).toContain('class="mono c-changed"');
    expect(await cellsNarrowerThanAWord(html)).toEqual([]);
  }, 120_000);

  it('prints a PDF of 20 runs whose pages read back as images', async () => {
    const exported = await exportSet('pdf');
    const pdf = path.join(tempDir(), 'set.pdf');
    fs.writeFileSync(pdf, Buffer.from(exported.base64!, 'base64'));
    const pages = Number(/^Pages:\s+(\d+)/m.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))![1]);
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    expect(text).toMatch(/20 runs against the baseline/);
    expect(text).toMatch(/#20/);
    const shots = path.join(REPO_ROOT, 'test-results', 'pdf');
    fs.mkdirSync(shots, { recursive: true });
    for (const f of fs.readdirSync(shots)) if (f.startsWith('compare-20-runs')) fs.rmSync(path.join(shots, f));
    execFileSync('pdftoppm', ['-r', '50', '-png', pdf, path.join(shots, 'compare-20-runs')]);
    expect(fs.readdirSync(shots).filter((f) => f.startsWith('compare-20-runs')).length).toBe(pages);
    // a column group per five runs keeps 20 runs to a handful of pages, not one per fact
    expect(pages).toBeGreaterThan(1);
    expect(pages).toBeLessThanOrEqual(8);
  }, 120_000);
});
