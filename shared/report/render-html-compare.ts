// The HTML body of a two-run comparison report.
import type { Comparison } from '../compare/compare-model';
import { formatMetricValue } from '../snapshot/snapshot-text';
import { formatPercent, formatReportNumber } from './build-report';
import { reportCharts } from './charts';
import { escapeHtml as e } from './escape';
import { dataShiftHtml } from './report-data-shift';
import type { CompareReport } from './report-model';
import { factRows, figure, rankedHtml, SECTION_TITLES, sectionExtras, table } from './render-html-parts';

/** The body of a two-run comparison report: headline, runs, ranked causes, outcome, each section, the appendix. */
export function compareBody(doc: CompareReport, svgs: Readonly<Record<string, string>>): string {
  const c = doc.comparison;
  const out: string[] = [];
  out.push(`<p class="headline" data-testid="headline">${e(c.summary.headline)}</p>`);
  // One row per fact, one column per run: long ids and commands get the width they need.
  const field = (label: string, f: (r: Comparison['a']) => string): string[] => [label, f(c.a), f(c.b)];
  out.push(
    table(
      ['', 'run A (reference)', 'run B'],
      [
        field('id', (r) => `<code>${e(r.id)}</code>`),
        field('name', (r) => e(r.name ?? '—')),
        field('kind', (r) => e(r.kind)),
        field('created', (r) => e(r.createdAt)),
        field('project', (r) => e(r.project ?? '—')),
        field('commit', (r) => `<code>${e(r.commit?.slice(0, 12) ?? '—')}</code>`),
        field('command', (r) => `<code>${e(r.command)}</code>`),
        field('status', (r) => e(r.status)),
      ],
    ),
  );
  out.push('<h2 id="summary">What most likely explains the difference</h2>');
  out.push(
    '<p class="note">Ranked by the rule in docs/compare.md: data and code before parameters and seeds, before software versions (major before minor before patch), before hardware, before bookkeeping.</p>',
  );
  out.push(rankedHtml(c.summary.ranked));

  const metrics = c.outcome.metrics;
  out.push('<h2 id="outcome">Outcome</h2>');
  out.push(
    table(
      ['metric', 'A', 'B', 'B − A', 'relative'],
      metrics.map((m) => [
        e(m.name),
        m.a === null ? '—' : formatMetricValue(m.a),
        m.b === null ? '—' : formatMetricValue(m.b),
        formatReportNumber(m.abs),
        formatPercent(m.rel),
      ]),
      { rowClass: (i) => `s-${metrics[i]!.status}`, numeric: [1, 2, 3, 4] },
    ),
  );
  for (const chart of reportCharts(doc)) out.push(figure(svgs, chart.id, chart.caption));
  const outcomeRows =
    c.sections
      .find((s) => s.section === 'outcome')
      ?.rows.filter((r) => r.status !== 'same' && !r.key.startsWith('metric:')) ?? [];
  if (outcomeRows.length) out.push(`<h3>Status and artifacts</h3>${factRows(outcomeRows)}`);
  out.push(dataShiftHtml(c.dataShift, 'output'));

  for (const s of c.sections) {
    if (s.section === 'outcome') continue;
    out.push(
      `<h2 id="${s.section}">${SECTION_TITLES[s.section]} <span class="badge">${s.differences} difference${s.differences === 1 ? '' : 's'}</span></h2>`,
    );
    const rows = s.rows.filter(
      (r) =>
        r.status !== 'same' &&
        !(s.section === 'software' && r.key.startsWith('package:')) &&
        !(s.section === 'data' && r.key.startsWith('input:')),
    );
    if (rows.length) out.push(factRows(rows));
    else if (s.differences === 0) out.push('<p class="muted">No differences.</p>');
    out.push(sectionExtras(c, s.section));
  }

  out.push(
    '<h2 id="appendix">Appendix: every fact</h2><p class="note">Everything recorded for both runs, differences marked.</p>',
  );
  for (const s of c.sections)
    out.push(
      `<details open><summary>${SECTION_TITLES[s.section]} (${s.rows.length} facts)</summary><h3>${SECTION_TITLES[s.section]}</h3>${factRows(s.rows)}</details>`,
    );
  return out.join('\n');
}
