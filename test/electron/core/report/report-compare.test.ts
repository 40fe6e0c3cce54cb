// Comparison reports in every format: the versioned JSON, HTML read in Chromium, PDF, and every run string escaped.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportedReport, ReportFormat } from '../../../../shared/api/api-compare';
import { REPORT_SCHEMA_VERSION, ReportJsonSchema } from '../../../../shared/report/report-model';
import { reportJsonSchemaText } from '../../../../shared/report/report-json-schema';
import { captureRun } from '../../../../electron/core/capture/capture';
import type { CoreContext } from '../../../../electron/core/core-context';
import { createHandlers, type Handlers } from '../../../../electron/core/handlers';
import { openCore } from '../../../../electron/core/core-context';
import { hostileSnapshot } from '../../../helpers/audit-fixture';
import { openReport, pdfText, screenshot } from '../../../helpers/report-browser';
import { git, gitRepo, REPO_ROOT, SYSTEM_PYTHON, tempDir, writeFiles } from '../../../helpers/temp';
import { containing } from '../../../helpers/typed';

const TRAIN = `import json, random, sys
seed = int(sys.argv[sys.argv.index("--seed") + 1])
random.seed(seed)
rows = open("data/train.csv").read().split()
json.dump({"accuracy": 0.9 - 0.01 * len(rows) / 10, "loss": 0.25 + 0.001 * seed}, open("metrics.json", "w"))
`;

/** Every run string a report prints; the pipe and backticks test Markdown tables as well. */
const EVIL = '<img src=x onerror=alert(1)>|`x`';

describe('comparison reports', () => {
  let ctx: CoreContext;
  let handlers: Handlers;
  let a: string;
  let b: string;
  const reports = new Map<ReportFormat, ExportedReport>();

  beforeAll(async () => {
    // The core outlives a single test here: four formats are exported from one store.
    ctx = openCore(tempDir('reproscope-store-'));
    handlers = createHandlers(ctx);
    const repo = gitRepo({ 'train.py': TRAIN, 'requirements.txt': 'numpy==1.24.2\n', '.gitignore': 'metrics.json\n' });
    writeFiles(repo, { 'data/train.csv': '1\n2\n3\n' });
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'data');
    const run = async (name: string) =>
      (
        await captureRun(
          {
            argv: [SYSTEM_PYTHON, 'train.py', '--seed', name === 'baseline' ? '1' : '2'],
            cwd: repo,
            name,
            data: ['data'],
            metrics: ['metrics.json'],
          },
          { runs: ctx.runs, hashCache: ctx.hashCache },
        )
      ).snapshot.id;
    a = await run('baseline');
    writeFiles(repo, { 'data/train.csv': '1\n2\n3\n4\n5\n', 'requirements.txt': 'numpy==1.26.4\n' });
    git(repo, 'commit', '-q', '-am', 'more data, newer numpy');
    b = await run('candidate');
    for (const format of ['html', 'md', 'json', 'pdf'] as const) {
      const res = await handlers.exportReport({ kind: 'compare', ids: [a.slice(0, 8), b], format });
      if (!res.ok) throw new Error(`${format}: ${res.error.message}`);
      reports.set(format, res.value);
    }
  }, 120_000);

  afterAll(() => ctx.close());

  it('writes a versioned JSON report that validates against its schema, and the committed JSON Schema is the generated one', () => {
    const r = reports.get('json')!;
    expect(r).toMatchObject({
      mimeType: 'application/json',
      fileName: `reproscope-compare-${a.slice(0, 8)}-${b.slice(0, 8)}.json`,
      base64: null,
    });
    const parsed = ReportJsonSchema.safeParse(JSON.parse(r.text!));
    if (!parsed.success) throw new Error(JSON.stringify(parsed.error.issues.slice(0, 3)));
    expect(parsed.data).toMatchObject({
      schema: 'reproscope-report',
      schemaVersion: REPORT_SCHEMA_VERSION,
      kind: 'compare',
    });
    if (parsed.data.kind !== 'compare') throw new Error('kind');
    expect(parsed.data.comparison.summary.ranked[0]!.kind).toBe('data-content');
    expect(parsed.data.comparison.code.history).toBeNull(); // a report is a function of the store alone
    expect(fs.readFileSync(path.join(REPO_ROOT, 'docs', 'report.schema.json'), 'utf8')).toBe(reportJsonSchemaText());
  });

  it('renders HTML a reader can read in Chromium: headline, ranked causes, tables, a chart, no request to anywhere', async () => {
    const html = reports.get('html')!.text!;
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/)/i);
    for (const scheme of ['light', 'dark'] as const) {
      const opened = await openReport(html, scheme);
      try {
        const { page } = opened;
        const text = await page.locator('main').innerText();
        expect(text).toMatch(/accuracy 0\.\d+ → 0\.\d+/);
        expect(text).toContain('What most likely explains the difference');
        expect(await page.locator('ol.ranked > li').first().innerText()).toMatch(
          /^The data the run read has different content/,
        );
        expect(await page.locator('table').count()).toBeGreaterThan(5);
        expect(await page.locator('figure.chart svg .role-mark').count()).toBeGreaterThan(0);
        expect(await page.getByText('numpy==1.26.4').count()).toBeGreaterThan(0); // the spec diff
        const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        expect(bg).toBe(scheme === 'dark' ? 'rgb(21, 24, 28)' : 'rgb(255, 255, 255)');
        expect(opened.requests).toEqual([]);
        await screenshot(page, `report-compare-${scheme}.png`);
      } finally {
        await opened.close();
      }
    }
  }, 60_000);

  it('prints a PDF whose text holds the comparison headline', () => {
    const r = reports.get('pdf')!;
    expect(r).toMatchObject({ mimeType: 'application/pdf', text: null });
    const pdf = Buffer.from(r.base64!, 'base64');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(pdf);
    expect(text).toMatch(/accuracy 0\.\d+ → 0\.\d+/);
    expect(text).toContain('The data the run read has different content');
  });

  it('writes GitHub-flavoured Markdown tables', () => {
    const md = reports.get('md')!.text!;
    expect(md).toMatch(/^# Comparison of run baseline/);
    expect(md).toMatch(/^\| metric \| A \| B \| B − A \| relative \|$/m);
    expect(md).toMatch(/^\| --- \| --- \| --- \| --- \| --- \|$/m);
    expect(md).toMatch(/```diff\n=+\n--- a\/requirements\.txt/);
  });

  it('fails clearly without a Chromium to print with', async () => {
    const res = await handlers.exportReport({
      kind: 'compare',
      ids: [a, b],
      format: 'pdf',
      chromium: '/nonexistent/chromium',
    });
    expect(res).toMatchObject({
      ok: false,
      error: { code: 'REPORT_FAILED', message: containing('/nonexistent/chromium') },
    });
    const bad = await handlers.exportReport({ kind: 'compare', ids: [a, b], format: 'pdf', chromium: '/bin/sh' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const one = await handlers.exportReport({ kind: 'compare', ids: [a], format: 'md' });
    expect(one).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});

describe('escaping in every format', () => {
  it('shows a run named like HTML as text in HTML, Markdown, JSON and PDF', async () => {
    const ctx = openCore(tempDir('reproscope-store-'));
    try {
      const x = hostileSnapshot('a'.repeat(32), EVIL);
      const y = hostileSnapshot('b'.repeat(32), EVIL);
      ctx.runs.save(x);
      ctx.runs.save(y);
      const h = createHandlers(ctx);
      const get = async (format: ReportFormat) => {
        const res = await h.exportReport({ kind: 'compare', ids: [x.id, y.id], format });
        if (!res.ok) throw new Error(res.error.message);
        return res.value;
      };

      const html = (await get('html')).text!;
      expect(html).not.toContain('<img');
      const opened = await openReport(html);
      try {
        expect(await opened.page.locator('img, [onerror]').count()).toBe(0);
        expect(await opened.page.locator('main').innerText()).toContain(EVIL);
        expect(opened.requests).toEqual([]);
      } finally {
        await opened.close();
      }

      const md = (await get('md')).text!;
      // Patches sit in code fences, which show their text as is; outside them nothing may form HTML.
      const prose = md.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '');
      expect(prose).not.toBe(md);
      expect(prose).not.toMatch(/<img/);
      // Every table row keeps its column count: the pipe in the name is escaped.
      for (const block of md.split(/\n\n/).filter((b) => b.startsWith('| '))) {
        const lines = block.split('\n').filter((l) => l.startsWith('|'));
        const cols = (l: string) => l.replace(/\\\|/g, '').split('|').length;
        for (const l of lines) expect(cols(l)).toBe(cols(lines[0]!));
      }
      expect(md).toContain('&lt;img src=x onerror=alert(1)&gt;\\|\\`x\\`');

      const json = ReportJsonSchema.safeParse(JSON.parse((await get('json')).text!));
      expect(json.success).toBe(true);
      expect(json.data?.kind === 'compare' && json.data.comparison.a.name).toBe(EVIL);

      const pdf = pdfText(Buffer.from((await get('pdf')).base64!, 'base64'));
      expect(pdf).toContain('<img src=x onerror=alert(1)>');
    } finally {
      ctx.close();
    }
  }, 60_000);
});
