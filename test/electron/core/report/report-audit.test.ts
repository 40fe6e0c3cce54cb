// Audit reports: what was audited, the verdict, per-group statistics and environment, validated against the JSON schema.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Audit } from '../../../../shared/audit/audit';
import { buildAuditReport } from '../../../../shared/report/build-report';
import { ReportJsonSchema, type AuditReport } from '../../../../shared/report/report-model';
import type { Snapshot } from '../../../../shared/snapshot/snapshot';
import { captureRun } from '../../../../electron/core/capture/capture';
import { openCore, type CoreContext } from '../../../../electron/core/core-context';
import { createHandlers } from '../../../../electron/core/handlers';
import { auditsOf } from '../../../../electron/core/audit/audit-store';
import { buildReportDocument, renderReport } from '../../../../electron/core/report/report-operations';
import { rerunSnapshotOf, syntheticAudit } from '../../../helpers/audit-fixture';
import { openReport, pdfText, screenshot } from '../../../helpers/report-browser';
import { gitRepo, SYSTEM_PYTHON, tempDir, writeFiles } from '../../../helpers/temp';

const TRAIN = `import json, random, sys
random.seed(int(sys.argv[2]))
json.dump({"accuracy": 0.9123, "loss": 0.3}, open("metrics.json", "w"))
`;

const runId = (group: string, i: number): string => `${group === 'baseline' ? 'b' : 'c'}${String(i).padStart(31, '0')}`;

describe('audit reports', () => {
  let ctx: CoreContext;
  let reference: Snapshot;
  let audit: Audit;
  let doc: AuditReport;

  beforeAll(async () => {
    ctx = openCore(tempDir('reproscope-store-'));
    const repo = gitRepo({
      'train.py': TRAIN,
      'requirements.txt': 'numpy==1.24.2\nscikit-learn>=1.0\n',
      '.gitignore': 'metrics.json\n',
    });
    writeFiles(repo, { 'data/train.csv': '1,2\n' });
    reference = (
      await captureRun(
        {
          argv: [SYSTEM_PYTHON, 'train.py', '--seed', '1'],
          cwd: repo,
          name: 'original',
          data: ['data'],
          metrics: ['metrics.json'],
        },
        { runs: ctx.runs, hashCache: ctx.hashCache },
      )
    ).snapshot;
    audit = syntheticAudit({ reruns: 10, referenceRunId: reference.id, runId });
    // The reruns' snapshots: the same machine and code, each group with its own PYTHONHASHSEED.
    for (const g of audit.groups)
      for (const r of g.reruns)
        ctx.runs.save(rerunSnapshotOf(reference, r.runId!, audit.id, g.name === 'baseline' ? null : String(r.index)));
    const reruns = new Map<string, Snapshot>();
    for (const g of audit.groups) reruns.set(g.reruns[0]!.runId!, ctx.runs.get(g.reruns[0]!.runId!));
    doc = buildAuditReport({ audit, reference, reruns, version: '1.2.3-test' });
  }, 120_000);

  afterAll(() => ctx.close());

  it('holds what was audited, a quotable verdict, per-group statistics, environment differences and the checklist', () => {
    expect(doc.verdict).toEqual({
      judgement: null,
      outputs: null,
      verdict: 'reproduced-within-tolerance',
      sentence:
        'Project iris-classifier (entry point main, commit ffffffffffff) reproduced within tolerance (10 of 10 reruns finished). Every baseline rerun of accuracy is within ±0.01 of the reference 0.9123.',
    });
    expect(doc.audited).toMatchObject({
      entryPoint: 'main',
      commit: 'f'.repeat(40),
      parameters: { seed: '1', max_iter: '200' },
      reference: { runId: reference.id, name: 'original' },
    });
    const acc = doc.metrics.find((m) => m.name === 'accuracy')!;
    expect(acc.groups.map((g) => [g.group, g.n, g.values.length])).toEqual([
      ['baseline', 5, 5],
      ['seeds', 5, 5],
    ]);
    expect(acc.groups[0]!.difference).toBeCloseTo(acc.groups[0]!.mean! - 0.9123, 12);
    // The seeds group differs from the reference in PYTHONHASHSEED; where the audit put its copy is no difference.
    const seeds = doc.environment.differences.find((d) => d.group === 'seeds')!;
    const keys = seeds.differences.flatMap((s) => s.rows.map((r) => r.key));
    expect(keys).toEqual(expect.arrayContaining(['pythonhashseed', 'env:PYTHONHASHSEED']));
    expect(keys).not.toContain('cwd');
    expect(doc.environment.appendix?.map((s) => s.section)).toEqual([
      'code',
      'data',
      'software',
      'hardware',
      'randomness',
      'process',
      'outcome',
    ]);
    const marks = Object.fromEntries(doc.checklist.map((c) => [c.id, c.mark]));
    expect(marks).toEqual({
      'code-pinned': 'yes',
      'no-uncommitted-changes': 'no',
      'dependencies-pinned': 'partial',
      'seeds-set': 'yes',
      'data-hashed': 'yes',
      'hardware-recorded': 'yes',
      'determinism-switches': 'no',
      'repeated-runs': 'yes',
    });
    expect(doc.checklist.find((c) => c.id === 'dependencies-pinned')!.evidence).toMatch(
      /^1 of 2 requirements in requirements\.txt name one version/,
    );
    expect(doc.seedFindings.some((f) => f.rule === 'random-seed' && f.file === 'train.py' && f.line === 2)).toBe(true);
  });

  it('validates against the JSON report schema', async () => {
    const { text } = await renderReport(doc, 'json');
    const parsed = ReportJsonSchema.safeParse(JSON.parse(text!));
    if (!parsed.success) throw new Error(JSON.stringify(parsed.error.issues.slice(0, 3)));
    expect(parsed.data.kind).toBe('audit');
  });

  it('renders HTML a reader can read in Chromium: verdict, statistics tables, one chart per metric with the reference and the tolerance band', async () => {
    const t0 = performance.now();
    const { text: html } = await renderReport(doc, 'html');
    expect(performance.now() - t0).toBeLessThan(5000);
    for (const scheme of ['light', 'dark'] as const) {
      const opened = await openReport(html!, scheme);
      try {
        const { page } = opened;
        expect(await page.getByTestId('verdict').innerText()).toContain(
          'reproduced within tolerance (10 of 10 reruns finished)',
        );
        const text = await page.locator('main').innerText();
        for (const heading of [
          'What was audited',
          'Metrics: the reference against each group of reruns',
          'Sources of variance',
          'Environment: the reference against the reruns',
          'Seed-scan findings',
          'Reproducibility checklist',
        ]) {
          expect(text).toContain(heading);
        }
        expect(await page.locator('table:has(th:text("mean ± sd")) tbody tr').count()).toBe(4); // 2 metrics × 2 groups
        const charts = page.locator('figure.chart');
        expect(await charts.count()).toBe(2);
        // points per group, each group's 95 % prediction interval and the reference as rules, the tolerance as a band
        expect(await charts.first().locator('.mark-symbol.role-mark path').count()).toBe(10);
        expect(await charts.first().locator('.mark-rule.role-mark line').count()).toBe(3); // 2 intervals + the reference
        expect(await charts.first().locator('figcaption').textContent()).toMatch(/95 % prediction interval/);
        expect(await charts.first().locator('.mark-rect.role-mark path').count()).toBe(1);
        expect(await page.locator('.mark.mark-yes').count()).toBeGreaterThan(3);
        expect(opened.requests).toEqual([]);
        await screenshot(page, `report-audit-${scheme}.png`);
      } finally {
        await opened.close();
      }
    }
  }, 60_000);

  it('prints a PDF whose text holds the verdict', async () => {
    const { pdf } = await renderReport(doc, 'pdf');
    const text = pdfText(pdf!).replace(/\s+/g, ' ');
    expect(text).toContain('reproduced within tolerance (10 of 10 reruns finished)');
    expect(text).toContain('Reproducibility checklist');
  }, 60_000);

  it('writes Markdown with the verdict quoted and the statistics as tables', async () => {
    const { text: md } = await renderReport(doc, 'md');
    expect(md).toMatch(/^> \*\*Verdict: reproduced-within-tolerance\.\*\* Project iris-classifier/m);
    expect(md).toMatch(
      /^\| group \| n \| mean ± sd \| 95 % CI of mean \| 95 % prediction \| min – max \| mean − reference \|$/m,
    );
    expect(md).toMatch(/^\| ✅ yes \| Code version pinned \|/m);
  });

  it('exports a stored audit through the operation, rebuilt from the store alone', async () => {
    auditsOf(ctx).save(audit);
    const h = createHandlers(ctx);
    const md = await h.exportReport({ kind: 'audit', ids: [audit.id.slice(0, 8)], format: 'md' });
    if (!md.ok) throw new Error(md.error.message);
    expect(md.value).toMatchObject({
      fileName: `reproscope-audit-${audit.id.slice(0, 8)}.md`,
      mimeType: 'text/markdown; charset=utf-8',
    });
    expect(md.value.text).toContain('reproduced within tolerance (10 of 10 reruns finished)');
    const json = await h.exportReport({ kind: 'audit', ids: [audit.id], format: 'json' });
    if (!json.ok) throw new Error(json.error.message);
    // The same document the test built from the same records, apart from the build's version.
    expect({ ...JSON.parse(json.value.text!), generator: null }).toEqual({
      ...JSON.parse((await renderReport(doc, 'json')).text!),
      generator: null,
    });
  });

  it('names a missing audit as not found', async () => {
    const res = await createHandlers(ctx).exportReport({ kind: 'audit', ids: ['0123456789abcdef'], format: 'html' });
    expect(res).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(() => buildReportDocument(ctx, 'audit', ['0123456789abcdef'])).toThrow(/0123456789abcdef|no audits/);
  });
});
