// The HTML body of an audit report: the verdict first, then the deciding numbers, sources, groups and appendices.
import { formatGroupCount, formatReportNumber } from './build-report';
import { reportCharts } from './charts';
import { escapeHtml as e } from './escape';
import type { AuditReport, AuditReportMetric, ChecklistItem } from './report-model';
import { verdictBasisLines } from './verdict-basis';
import { dataInputHtml, factRows, figure, findingsHtml, SECTION_TITLES, table } from './render-html-parts';

const MARK_TEXT: Record<ChecklistItem['mark'], string> = {
  yes: '✓ yes',
  partial: '◐ partly',
  no: '✗ no',
  unknown: '? unknown',
};

function interval(v: readonly [number, number] | null): string {
  return v ? `[${formatReportNumber(v[0])}, ${formatReportNumber(v[1])}]` : '—';
}

function metricHtml(
  m: AuditReportMetric,
  svgs: Readonly<Record<string, string>>,
  chartId: string | null,
  caption: string,
): string {
  const tol = m.tolerance
    ? `tolerance ±${formatReportNumber(m.tolerance.value)}${m.tolerance.kind === 'rel' ? ' %' : ''}`
    : 'no tolerance set';
  const facts = [
    `reference ${formatReportNumber(m.reference)}`,
    tol,
    m.withinTolerance === null
      ? null
      : m.withinTolerance
        ? 'every baseline rerun within tolerance'
        : 'some baseline reruns outside tolerance',
    m.referenceInPi95 === null
      ? null
      : m.referenceInPi95
        ? 'reference inside the baseline 95 % prediction interval'
        : 'reference outside the baseline 95 % prediction interval',
    m.maxAbsDiff === null
      ? null
      : Number.isNaN(m.maxAbsDiff)
        ? 'no largest |rerun − reference|: a baseline rerun or the reference is NaN'
        : `largest |rerun − reference| ${formatReportNumber(m.maxAbsDiff)}`,
  ]
    .filter(Boolean)
    .join(' · ');
  const rows = m.groups.map((g) => [
    `<strong>${e(g.group)}</strong><br><span class="note">${e(g.description)}</span>`,
    `${e(formatGroupCount(g))}${g.failed ? ` <span class="note">(+${g.failed} failed)</span>` : ''}`,
    g.mean === null ? '—' : `${formatReportNumber(g.mean)} ± ${formatReportNumber(g.sd)}`,
    interval(g.ci95),
    interval(g.pi95),
    g.min === null ? '—' : `${formatReportNumber(g.min)} – ${formatReportNumber(g.max)}`,
    formatReportNumber(g.difference),
    g.allBitwiseEqual && g.values.length > 0 ? 'yes' : 'no',
  ]);
  return `<h3>${e(m.name)}</h3><p class="note">${e(facts)}</p>${table(['group', 'n', 'mean ± sd', '95 % CI of mean', '95 % prediction', 'min – max', 'mean − reference', 'all equal'], rows, { numeric: [1, 2, 3, 4, 5, 6] })}${chartId ? figure(svgs, chartId, caption) : ''}`;
}

/** The body of an audit report. */
export function auditBody(doc: AuditReport, svgs: Readonly<Record<string, string>>): string {
  const a = doc.audited;
  const out: string[] = [];
  out.push(
    `<div class="verdict v-${e(doc.verdict.verdict ?? 'none')}" data-testid="verdict"><strong>Verdict: ${e(doc.verdict.verdict ?? 'none yet')}</strong>${e(doc.verdict.sentence)}</div>`,
  );
  const basis = verdictBasisLines(doc.verdict);
  if (basis.length)
    out.push(`<ul class="note" data-testid="verdict-basis">${basis.map((l) => `<li>${e(l)}</li>`).join('')}</ul>`);

  out.push('<h2 id="audited">What was audited</h2>');
  const params = Object.entries(a.parameters)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  out.push(
    table(
      ['', ''],
      [
        ['project', `${e(a.project.name)} <span class="note">(${e(a.project.kind)} ${e(a.project.location)})</span>`],
        ['entry point', `<code>${e(a.entryPoint)}</code>`],
        ['commit', `<code>${e(a.commit ?? '— (not under git)')}</code>`],
        ['parameters', params ? `<code>${e(params)}</code>` : '—'],
        ['command', `<code>${e(a.command)}</code>`],
        ['environment', e(a.envManager)],
        [
          'reference',
          `${a.reference.runId ? `<code>${e(a.reference.runId)}</code>` : '—'}${a.reference.name ? ` ${e(a.reference.name)}` : ''} <span class="note">(${e(a.reference.kind)})</span>`,
        ],
        [
          'plan',
          e(
            `${a.plan.reruns} reruns, ${a.plan.repeats} per group${a.plan.vary.length ? `, varying ${a.plan.vary.join(', ')}` : ''}${a.plan.tolerances.length ? `; tolerances ${a.plan.tolerances.map((t) => `${t.metric} ±${t.value}${t.kind === 'rel' ? ' %' : ''}`).join(', ')}` : ''}`,
          ),
        ],
        ['dates', e(`created ${a.createdAt}${a.finishedAt ? `, finished ${a.finishedAt}` : ''} (${a.status})`)],
        ['audit id', `<code>${e(a.auditId)}</code>`],
        ['reproscope', e(doc.generator.version)],
      ],
    ),
  );

  out.push('<h2 id="metrics">Metrics: the reference against each group of reruns</h2>');
  const charts = new Map(reportCharts(doc).map((c) => [c.id, c]));
  if (doc.metrics.length === 0) out.push('<p class="muted">No metric was recorded.</p>');
  doc.metrics.forEach((m, i) => {
    const chart = charts.get(`metric-${i}`);
    out.push(metricHtml(m, svgs, chart ? chart.id : null, chart?.caption ?? ''));
  });

  out.push('<h2 id="sources">Sources of variance</h2>');
  out.push(
    table(
      ['rank', 'factor', 'how found', 'effect', 'effect sizes', 'evidence'],
      doc.sources.map((s) => [
        String(s.rank),
        `<code>${e(s.factor)}</code><br><span class="note">${e(s.category)}</span>`,
        e(s.kind),
        e(s.effect),
        s.effects
          .map((x) =>
            e(
              `${x.metric}: ${formatReportNumber(x.absolute)}${x.relativeToSeedSpread !== null ? ` (${formatReportNumber(x.relativeToSeedSpread, 3)}× seed spread)` : ''}`,
            ),
          )
          .join('<br>') || '—',
        s.evidence.length ? `<ul>${s.evidence.map((x) => `<li>${e(x)}</li>`).join('')}</ul>` : '—',
      ]),
      { numeric: [0] },
    ),
  );

  out.push('<h2 id="environment">Environment: the reference against the reruns</h2>');
  if (doc.environment.differences.length === 0) out.push('<p class="muted">No rerun snapshot to compare with.</p>');
  for (const d of doc.environment.differences) {
    const n = d.differences.reduce((k, s) => k + s.rows.length, 0);
    out.push(
      `<h3>Group ${e(d.group)} <span class="note">(rerun <code>${e(d.runId.slice(0, 8))}</code>): ${n} difference${n === 1 ? '' : 's'}</span></h3>`,
    );
    for (const s of d.differences)
      out.push(`<p class="note">${SECTION_TITLES[s.section] ?? e(s.section)}</p>${factRows(s.rows)}`);
  }

  out.push('<h2 id="seeds">Seed-scan findings</h2>');
  out.push(findingsHtml(doc.seedFindings));

  out.push('<h2 id="data">Data</h2>');
  out.push(
    table(
      ['input', 'original', 'before the reruns', 'same'],
      doc.data.checks.map((d) => [
        `<code>${e(d.path)}</code>`,
        `<code>${e(d.originalHash?.slice(0, 16) ?? '—')}</code>`,
        `<code>${e(d.currentHash?.slice(0, 16) ?? '—')}</code>`,
        d.same === null ? '?' : d.same ? 'yes' : 'no',
      ]),
    ),
  );
  out.push(...doc.data.inputs.map(dataInputHtml));

  out.push(
    '<h2 id="checklist">Reproducibility checklist</h2><p class="note">Each item is marked from the captured evidence only.</p>',
  );
  out.push(
    table(
      ['', 'item', 'evidence'],
      doc.checklist.map((c) => [
        `<span class="mark mark-${c.mark}">${MARK_TEXT[c.mark]}</span>`,
        e(c.label),
        e(c.evidence),
      ]),
    ),
  );

  if (doc.warnings.length)
    out.push(`<h2 id="warnings">Warnings</h2><ul>${doc.warnings.map((w) => `<li>${e(w)}</li>`).join('')}</ul>`);

  if (doc.environment.appendix) {
    out.push('<h2 id="appendix">Appendix: every fact of the reference and the first baseline rerun</h2>');
    out.push(
      '<p class="note print-only">The printed copy lists the facts that differ; the HTML report has every fact.</p>',
    );
    for (const s of doc.environment.appendix) {
      const same = s.rows.filter((r) => r.status === 'same').length;
      out.push(
        `<details open class="appendix"><summary>${SECTION_TITLES[s.section]} (${s.rows.length} facts)</summary><h3>${SECTION_TITLES[s.section]}</h3>${factRows(s.rows)}${same ? `<p class="note print-only">${same} identical ${same === 1 ? 'fact' : 'facts'} left out.</p>` : ''}</details>`,
      );
    }
  }
  return out.join('\n');
}
