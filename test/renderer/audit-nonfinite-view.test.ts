// The app's audit view on an audit with NaN metrics: each rerun count names the NaN left out, as the text and reports do.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { decideVerdict, summarizeMetrics } from '../../shared/audit/verdict';
import { MetricSections } from '../../renderer/views/audit/audit-results';
import { AuditSummary } from '../../renderer/views/audit/audit-summary';
import { syntheticAudit } from '../helpers/audit-fixture';

describe('the audit view with NaN metrics', () => {
  it('shows n with the NaN values left out beside it, in the deciding numbers and the metric tables', () => {
    const audit = syntheticAudit({ reruns: 10, referenceRunId: null });
    audit.groups[0]!.reruns[1]!.metrics.accuracy = NaN;
    const reference = { metrics: { accuracy: 0.9123, loss: 0.3 }, artifactsHash: null };
    audit.metrics = summarizeMetrics(audit.groups, reference, audit.plan.tolerances);
    const v = decideVerdict(audit.groups, audit.metrics, reference);
    audit.verdict = v.verdict;
    audit.explanation = v.explanation;
    audit.judgement = v.judgement;
    const summary = renderToStaticMarkup(createElement(AuditSummary, { audit }));
    expect(summary).toContain('it is NaN in 1 and a number from');
    expect(summary).toMatch(/<td class="num">4 \(\+1 NaN\)<\/td>/);
    const sections = renderToStaticMarkup(createElement(MetricSections, { audit }));
    expect(sections).toMatch(/<td>baseline<\/td><td>4 \(\+1 NaN\)<\/td>/);
    expect(sections).toMatch(/<td>seeds<\/td><td>5<\/td>/);
  });
});
