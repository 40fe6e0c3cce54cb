// An audit whose metrics are NaN in some or all reruns: the terminal text, Markdown, HTML and JSON say the same verdict and name the NaN.
import { describe, expect, it } from 'vitest';
import { formatAuditText } from '../../../shared/audit/audit-text';
import { decideVerdict, findSources, summarizeMetrics } from '../../../shared/audit/verdict';
import { buildAuditReport } from '../../../shared/report/build-report';
import { reportCharts } from '../../../shared/report/charts';
import { escapeHtml } from '../../../shared/report/escape';
import { renderReportHtml } from '../../../shared/report/render-html';
import { renderReportJson } from '../../../shared/report/render-json';
import { renderReportMarkdown } from '../../../shared/report/render-markdown';
import { ReportJsonSchema } from '../../../shared/report/report-model';
import { nonFiniteReviver } from '../../../shared/snapshot/nonfinite-json';
import { syntheticAudit } from '../../helpers/audit-fixture';

/** A finished audit of 5 baseline reruns judged for real: accuracy NaN in the second rerun, loss NaN in every run. */
function auditWithNaN() {
  const audit = syntheticAudit({ reruns: 10, referenceRunId: null });
  for (const g of audit.groups) for (const r of g.reruns) r.metrics.loss = NaN;
  audit.groups[0]!.reruns[1]!.metrics.accuracy = NaN;
  const reference = { metrics: { accuracy: 0.9123, loss: NaN }, artifactsHash: null };
  audit.metrics = summarizeMetrics(audit.groups, reference, audit.plan.tolerances);
  const v = decideVerdict(audit.groups, audit.metrics, reference);
  audit.verdict = v.verdict;
  audit.explanation = v.explanation;
  audit.judgement = v.judgement;
  audit.sources = findSources({
    groups: audit.groups,
    metrics: audit.metrics,
    dataChecks: [],
    differences: [],
    findings: [],
  });
  return audit;
}

describe('an audit report with NaN metrics', () => {
  const audit = auditWithNaN();
  const doc = buildAuditReport({ audit, reference: null, reruns: new Map(), version: 't' });
  const text = formatAuditText(audit);
  const md = renderReportMarkdown(doc);
  const html = renderReportHtml(doc, Object.fromEntries(reportCharts(doc).map((c) => [c.id, '<svg></svg>'])));
  const json = renderReportJson(doc);

  it('every format gives the same verdict and names the NaN, with how many reruns it rests on', () => {
    expect(audit.verdict).toBe('not-reproduced');
    const sentence =
      "The original's accuracy is 0.9123, but it is NaN in 1 and a number from 0.910448 to 0.913288 in 4 of the 5 baseline reruns: a NaN or infinite value matches no tolerance or interval. Not compared: loss is NaN in the original and in all 5 baseline reruns.";
    expect(audit.explanation).toBe(sentence);
    expect(text).toContain(`verdict: not-reproduced\n  ${sentence}`);
    expect(md).toContain(sentence);
    expect(html).toContain(escapeHtml(sentence));
    for (const t of [md, html]) expect(t).toContain('Judged on: accuracy. Reported, not judged: loss.');
    expect(text).toContain('judged: accuracy   reported only: loss');
  });

  it('n counts the numbers the figures rest on and names the NaN left out, in every format', () => {
    expect(text).toMatch(/ {4}baseline {14} n=4 \(\+1 NaN, left out\) mean=0\.911956 sd=0\.00118237/);
    expect(text).toMatch(/ {4}baseline {14} n=0 \(\+5 NaN, left out\) mean=— sd=—/);
    expect(md).toMatch(/\| baseline \| 4 \(\+1 NaN\) \| 0\.911956 ± 0\.00118237 \|/);
    expect(md).toMatch(/\| baseline \| 0 \(\+5 NaN\) \| — \|/);
    expect(html).toContain('4 (+1 NaN)');
    expect(html).toContain('no largest |rerun − reference|: a baseline rerun or the reference is NaN');
    expect(html).toContain('Not drawn, being no number: baseline 1 NaN.');
    for (const t of [text, md, html]) {
      expect(t).not.toMatch(/NaN %|differs by NaN|difference NaN|could detect a difference of 0 /);
      expect(t).not.toMatch(/undefined/);
    }
  });

  it('the JSON is valid JSON with NaN as {"$nonfinite": "NaN"}, and no difference is computed from a NaN reference', () => {
    const parsed = ReportJsonSchema.safeParse(JSON.parse(json));
    expect(parsed.success).toBe(true);
    expect(json).toContain('"reference": {\n        "$nonfinite": "NaN"\n      }');
    const back = JSON.parse(json, nonFiniteReviver) as typeof doc;
    expect(back.verdict.verdict).toBe('not-reproduced');
    expect(back.verdict.sentence).toContain(audit.explanation!);
    const loss = back.metrics.find((m) => m.name === 'loss')!;
    expect(loss).toMatchObject({ judged: false, maxAbsDiff: 0 });
    expect(Number.isNaN(loss.reference)).toBe(true);
    expect(loss.groups.map((g) => g.difference)).toEqual([null, null]);
    // an infinite reference leaves no "mean − reference" either (it was -Infinity)
    const infinite = structuredClone(audit);
    infinite.metrics.accuracy!.reference = Infinity;
    const again = buildAuditReport({ audit: infinite, reference: null, reruns: new Map(), version: 't' });
    expect(again.metrics.find((m) => m.name === 'accuracy')!.groups.map((g) => g.difference)).toEqual([null, null]);
    expect(renderReportMarkdown(again)).not.toMatch(/-Infinity/);
    const acc = back.metrics.find((m) => m.name === 'accuracy')!.groups[0]!;
    expect(acc.n).toBe(4);
    expect(acc.values.filter(Number.isNaN)).toHaveLength(1);
  });
});
