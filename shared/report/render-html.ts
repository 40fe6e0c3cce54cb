import type {
  CompareRow,
  Comparison,
  DataInputComparison,
  FileChange,
  SectionComparison,
  SummaryItem,
  TextDiff,
} from '../compare/compare-model';
import { describePackageChange } from '../compare/compare';
import type { SeedFinding } from '../snapshot/snapshot';
import { formatBytes, formatMetricValue } from '../snapshot/snapshot-text';
import { formatPercent, formatReportNumber } from './build-report';
import { reportCharts } from './charts';
import { escapeHtml as e } from './escape';
import { dataShiftHtml } from './report-data-shift';
import type { AuditReport, AuditReportMetric, ChecklistItem, CompareReport, ReportDocument } from './report-model';
import { verdictBasisLines } from './verdict-basis';

/**
 * The HTML report: one self-contained file (inline CSS, charts as inline SVG, a CSP that forbids
 * every request and every script), readable on screen and on paper, light and dark. Every string
 * that came from a run goes through `escapeHtml`; the only markup not built here is vega's SVG.
 */

/** Rows listed per table before the rest is summarised (the JSON report holds everything). */
const MAX_TABLE_ROWS = 500;

const SECTION_TITLES: Record<string, string> = {
  code: 'Code',
  data: 'Data',
  software: 'Software',
  hardware: 'Hardware',
  randomness: 'Randomness',
  process: 'Process',
  outcome: 'Outcome',
};

const CSS = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1b1f24; --muted: #5b6470; --line: #d6dbe1; --soft: #f3f5f7;
  --changed: #fff4d6; --added: #e3f6e5; --removed: #fde4e4; --accent: #1f5fbf;
  --ok: #1a7f37; --warn: #9a6700; --bad: #c9302c; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #15181c; --fg: #e4e8ed; --muted: #9aa4b1; --line: #343b44; --soft: #1e2329;
    --changed: #3a3217; --added: #17331e; --removed: #3d1b1b; --accent: #7aa7ff; --ok: #56d364; --warn: #e3b341; --bad: #ff7b72; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 32px 24px 64px; }
h1 { font-size: 26px; margin: 4px 0 8px; line-height: 1.25; overflow-wrap: break-word; }
h2 { font-size: 20px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 22px 0 8px; overflow-wrap: break-word; }
.kicker { letter-spacing: .02em; font-size: 12px; color: var(--muted); margin: 0; }
.meta, .muted, figcaption, .note { color: var(--muted); font-size: 13px; }
.headline, .verdict { font-size: 17px; padding: 12px 16px; border-radius: 6px; background: var(--soft); border-left: 5px solid var(--accent); margin: 16px 0; }
.verdict.v-reproduced-exact, .verdict.v-reproduced-within-tolerance { border-left-color: var(--ok); }
.verdict.v-statistically-consistent, .verdict.v-inconclusive { border-left-color: var(--warn); }
.verdict.v-not-reproduced, .verdict.v-failed { border-left-color: var(--bad); }
.verdict strong { display: block; font-size: 13px; color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 13px; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); overflow-wrap: break-word; word-break: normal; hyphens: manual; }
td.mono, td code { overflow-wrap: anywhere; }
th { background: var(--soft); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code, pre, td.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
pre { background: var(--soft); padding: 10px 12px; border-radius: 6px; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
pre .add { color: var(--ok); } pre .del { color: var(--bad); } pre .hunk { color: var(--muted); }
tr.s-changed td { background: var(--changed); } tr.s-only-a td, tr.s-removed td { background: var(--removed); } tr.s-only-b td, tr.s-added td { background: var(--added); }
.badge { display: inline-block; padding: 0 6px; border-radius: 10px; font-size: 11.5px; border: 1px solid var(--line); white-space: nowrap; }
.mark { font-weight: 700; white-space: nowrap; } .mark-yes { color: var(--ok); } .mark-partial { color: var(--warn); } .mark-no { color: var(--bad); } .mark-unknown { color: var(--muted); }
ol.ranked li { margin: 6px 0; } ol.ranked ul { margin: 2px 0; padding-left: 18px; color: var(--muted); font-size: 13px; }
figure { margin: 12px 0 20px; } figure svg { max-width: 100%; height: auto; }
.chart svg text { fill: var(--fg) !important; }
.chart svg .role-axis-domain path, .chart svg .role-axis-tick path, .chart svg .role-axis-domain line, .chart svg .role-axis-tick line { stroke: var(--muted) !important; }
.chart svg .role-axis-grid path, .chart svg .role-axis-grid line { stroke: var(--line) !important; }
details { margin: 8px 0; } summary { cursor: pointer; color: var(--accent); }
footer { margin-top: 48px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
@media print {
  :root { --bg: #fff; --fg: #000; --muted: #444; --line: #bbb; --soft: #f2f2f2; --changed: #fff4d6; --added: #e3f6e5; --removed: #fde4e4; }
  @page { margin: 14mm 12mm; }
  body { font-size: 9.5pt; line-height: 1.35; } main { max-width: none; padding: 0; }
  h1 { font-size: 17pt; } h2 { font-size: 13pt; margin: 16px 0 6px; } h3 { font-size: 11pt; margin: 12px 0 4px; }
  table { font-size: 8.5pt; margin: 4px 0 10px; } th, td { padding: 2px 5px; }
  td.num { white-space: normal; } /* a range wraps after its comma, a number never inside */
  code, pre, td.mono { font-size: 8pt; } figure { margin: 6px 0 10px; } figure svg { max-height: 62mm; width: auto; }
  .headline, .verdict { padding: 6px 10px; margin: 8px 0; font-size: 11pt; }
  h2 { break-after: avoid; } h3 { break-after: avoid; } tr, figure, .verdict, .headline { break-inside: avoid; }
  pre { white-space: pre-wrap; } details > summary { display: none; } details { display: block; }
  a { color: inherit; text-decoration: none; }
  /* appendices in print: only what differs (the HTML keeps every fact) */
  .appendix tr.s-same { display: none; } .appendix h3 { margin-top: 8px; }
}
.print-only { display: none; }
@media print { .print-only { display: block; } }
`;

function table(
  header: readonly string[],
  rows: readonly string[][],
  opts: { rowClass?: (i: number) => string; numeric?: readonly number[]; caption?: string } = {},
): string {
  if (rows.length === 0) return '<p class="muted">None.</p>';
  const shown = rows.slice(0, MAX_TABLE_ROWS);
  const numeric = new Set(opts.numeric ?? []);
  const body = shown
    .map(
      (cells, i) =>
        `<tr${opts.rowClass ? ` class="${opts.rowClass(i)}"` : ''}>${cells.map((c, j) => `<td${numeric.has(j) ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`,
    )
    .join('\n');
  const more =
    rows.length > shown.length
      ? `<p class="note">${rows.length - shown.length} more rows are in the JSON report.</p>`
      : '';
  const head = header.some(Boolean) ? `<thead><tr>${header.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead>` : '';
  return `<table>${opts.caption ? `<caption class="note">${e(opts.caption)}</caption>` : ''}${head}<tbody>\n${body}\n</tbody></table>${more}`;
}

const STATUS_TEXT: Record<CompareRow['status'], string> = {
  same: 'same',
  changed: 'changed',
  'only-a': 'only in A',
  'only-b': 'only in B',
};

function factRows(rows: readonly CompareRow[]): string {
  return table(
    ['fact', 'A', 'B', ''],
    rows.map((r) => [
      e(r.label),
      `<code>${e(r.a ?? '—')}</code>`,
      `<code>${e(r.b ?? '—')}</code>`,
      `<span class="badge">${STATUS_TEXT[r.status]}</span>`,
    ]),
    { rowClass: (i) => `s-${rows[i]!.status}` },
  );
}

function patchHtml(patch: string): string {
  const lines = patch.split('\n').map((l) => {
    const cls = l.startsWith('@@')
      ? 'hunk'
      : l.startsWith('+') && !l.startsWith('+++')
        ? 'add'
        : l.startsWith('-') && !l.startsWith('---')
          ? 'del'
          : '';
    return cls ? `<span class="${cls}">${e(l)}</span>` : e(l);
  });
  return `<pre>${lines.join('\n')}</pre>`;
}

function textDiffHtml(d: TextDiff, title: string): string {
  const head = `<h3>${e(title)} <span class="badge">${STATUS_TEXT[d.status]}</span></h3>`;
  if (d.patch) return `${head}${patchHtml(d.patch)}`;
  return d.note ? `${head}<p class="note">${e(d.note)}</p>` : head;
}

function fileChangesHtml(files: readonly FileChange[]): string {
  return table(
    ['file', 'change', 'size A', 'size B'],
    files.map((f) => [`<code>${e(f.path)}</code>`, e(f.change), formatBytes(f.sizeA), formatBytes(f.sizeB)]),
    { rowClass: (i) => `s-${files[i]!.change}`, numeric: [2, 3] },
  );
}

function dataInputHtml(d: DataInputComparison): string {
  const head = `<h3>Input <code>${e(d.path)}</code> <span class="badge">${STATUS_TEXT[d.status]}</span></h3>`;
  const facts = `<p class="note">A: ${d.filesA ?? '—'} files, ${formatBytes(d.bytesA)}, root <code>${e(d.rootA?.slice(0, 16) ?? '—')}</code> · B: ${d.filesB ?? '—'} files, ${formatBytes(d.bytesB)}, root <code>${e(d.rootB?.slice(0, 16) ?? '—')}</code></p>`;
  if (d.status !== 'changed') return head + facts;
  return `${head}${facts}<p>${d.changed} changed, ${d.added} added, ${d.removed} removed${d.truncated ? ` (the first ${d.files.length} are listed)` : ''}.</p>${fileChangesHtml(d.files)}`;
}

function findingsHtml(findings: readonly SeedFinding[], label?: string): string {
  return table(
    ['where', 'kind', 'rule', 'finding'],
    findings.map((f) => [
      `<code>${e(f.file)}:${f.line}${f.column ? `:${f.column}` : ''}</code>`,
      e(label ?? f.kind),
      `<code>${e(f.rule)}</code>`,
      `${e(f.message)}${f.code ? `<pre class="finding-code"><code>${e(f.code.trim())}</code></pre>` : ''}${f.fix && f.kind !== 'seed' ? `<div class="note">fix: ${e(f.fix)}</div>` : ''}`,
    ]),
  );
}

function rankedHtml(items: readonly SummaryItem[]): string {
  if (items.length === 0)
    return '<p class="muted">No differences in code, data, software, hardware, randomness or process.</p>';
  return `<ol class="ranked">${items.map((i) => `<li><strong>${e(i.title)}</strong> <span class="badge">${e(SECTION_TITLES[i.section] ?? i.section)}</span><ul>${i.details.map((d) => `<li>${e(d)}</li>`).join('')}${i.count > i.details.length ? `<li>and ${i.count - i.details.length} more</li>` : ''}</ul></li>`).join('')}</ol>`;
}

function sectionExtras(c: Comparison, section: SectionComparison['section']): string {
  const out: string[] = [];
  if (section === 'code') {
    if (c.code.patch && c.code.patch.status !== 'same')
      out.push(textDiffHtml(c.code.patch, 'Uncommitted patches, A → B'));
  } else if (section === 'data') {
    out.push(...c.data.inputs.filter((d) => d.status !== 'same').map(dataInputHtml));
    out.push(dataShiftHtml(c.dataShift, 'input'));
  } else if (section === 'software') {
    const py = c.software.python;
    if (py.a !== py.b)
      out.push(`<p>Python ${e(py.a ?? '—')} → ${e(py.b ?? '—')}${py.step ? ` (${e(py.step)} step)` : ''}</p>`);
    const pk = c.software.packages;
    out.push(`<h3>Packages</h3><p class="note">${pk.length} differ, ${c.software.packagesSame} are the same.</p>`);
    if (pk.length) {
      out.push(
        table(
          ['package', 'A', 'B', 'change'],
          pk.map((p) => [
            e(p.name),
            `<code>${e(p.a ?? '—')}</code>`,
            `<code>${e(p.b ?? '—')}</code>`,
            e(describePackageChange(p)),
          ]),
          {
            rowClass: (i) =>
              pk[i]!.change === 'added' ? 's-added' : pk[i]!.change === 'removed' ? 's-removed' : 's-changed',
          },
        ),
      );
    }
    for (const d of c.software.envSpecs.filter((x) => x.status !== 'same'))
      out.push(textDiffHtml(d, `Environment spec ${d.path}`));
  } else if (section === 'hardware') {
    if (c.hardware.flagsOnlyA.length || c.hardware.flagsOnlyB.length) {
      out.push(
        `<p>Numerics instruction sets only in A: <code>${e(c.hardware.flagsOnlyA.join(' ') || '—')}</code>; only in B: <code>${e(c.hardware.flagsOnlyB.join(' ') || '—')}</code></p>`,
      );
    }
  } else if (section === 'randomness') {
    if (c.randomness.findingsLost.length)
      out.push(`<h3>Seed-scan findings only in A</h3>${findingsHtml(c.randomness.findingsLost)}`);
    if (c.randomness.findingsGained.length)
      out.push(`<h3>Seed-scan findings only in B</h3>${findingsHtml(c.randomness.findingsGained)}`);
  }
  return out.join('\n');
}

function figure(svgs: Readonly<Record<string, string>>, id: string, caption: string): string {
  const svg = svgs[id];
  if (!svg) return '';
  return `<figure class="chart" data-chart="${e(id)}">${svg}<figcaption>${e(caption)}</figcaption></figure>`;
}

function compareBody(doc: CompareReport, svgs: Readonly<Record<string, string>>): string {
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
    m.maxAbsDiff === null ? null : `largest |rerun − reference| ${formatReportNumber(m.maxAbsDiff)}`,
  ]
    .filter(Boolean)
    .join(' · ');
  const rows = m.groups.map((g) => [
    `<strong>${e(g.group)}</strong><br><span class="note">${e(g.description)}</span>`,
    `${g.n}${g.failed ? ` <span class="note">(+${g.failed} failed)</span>` : ''}`,
    g.mean === null ? '—' : `${formatReportNumber(g.mean)} ± ${formatReportNumber(g.sd)}`,
    interval(g.ci95),
    interval(g.pi95),
    g.min === null ? '—' : `${formatReportNumber(g.min)} – ${formatReportNumber(g.max)}`,
    formatReportNumber(g.difference),
    g.allBitwiseEqual && g.n > 0 ? 'yes' : 'no',
  ]);
  return `<h3>${e(m.name)}</h3><p class="note">${e(facts)}</p>${table(['group', 'n', 'mean ± sd', '95 % CI of mean', '95 % prediction', 'min – max', 'mean − reference', 'all equal'], rows, { numeric: [1, 2, 3, 4, 5, 6] })}${chartId ? figure(svgs, chartId, caption) : ''}`;
}

function auditBody(doc: AuditReport, svgs: Readonly<Record<string, string>>): string {
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

/** Renders a report document to one self-contained HTML file; `svgs` are its charts rendered to SVG, by chart id. */
export function renderReportHtml(doc: ReportDocument, svgs: Readonly<Record<string, string>> = {}): string {
  const body = doc.kind === 'audit' ? auditBody(doc, svgs) : compareBody(doc, svgs);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="reproscope ${e(doc.generator.version)}">
<title>${e(doc.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header><p class="kicker">reproscope ${doc.kind === 'audit' ? 'audit' : 'comparison'} report</p><h1>${e(doc.title)}</h1>
<p class="meta">Built by reproscope ${e(doc.generator.version)} from the records in its store; report format ${doc.schemaVersion}.</p></header>
${body}
<footer>Every value in this report was recorded by reproscope when the runs happened; the report can be rebuilt from the store at any time.</footer>
</main>
</body>
</html>
`;
}
