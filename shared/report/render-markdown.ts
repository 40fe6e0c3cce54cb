// The Markdown report: GitHub-flavoured tables and prose, every run string escaped.
import { describePackageChange } from '../compare/compare';
import type {
  CompareRow,
  DataInputComparison,
  FileChange,
  SectionComparison,
  SummaryItem,
} from '../compare/compare-model';
import type { SeedFinding } from '../snapshot/snapshot';
import { formatBytes, formatMetricValue } from '../snapshot/snapshot-text';
import { formatGroupCount, formatPercent, formatReportNumber } from './build-report';
import { escapeMarkdownCell as cell, escapeMarkdownText as text, markdownFence } from './escape';
import type { AuditReport, CompareReport, ReportDocument } from './report-model';
import { dataShiftMarkdown } from './report-data-shift';
import { verdictBasisLines } from './verdict-basis';
import { compareSetMd } from './render-markdown-compare-set';
import { reportCharts } from './charts';
import { SECTION_TITLES as TITLES } from '../compare/section-titles';

/**
 * The Markdown report: GitHub-flavoured, tables that render on a code host; charts are left out
 * (the HTML report has them). Run strings are escaped for cells and prose, and patches sit in
 * fences longer than any backtick run inside them.
 */

const MAX_TABLE_ROWS = 500;
const STATUS: Record<CompareRow['status'], string> = {
  same: 'same',
  changed: '**changed**',
  'only-a': '**only in A**',
  'only-b': '**only in B**',
};

function table(header: readonly string[], rows: readonly string[][]): string {
  if (rows.length === 0) return '_None._\n';
  const shown = rows.slice(0, MAX_TABLE_ROWS);
  const lines = [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...shown.map((r) => `| ${r.join(' | ')} |`),
  ];
  if (rows.length > shown.length) lines.push('', `_${rows.length - shown.length} more rows are in the JSON report._`);
  return `${lines.join('\n')}\n`;
}

function facts(rows: readonly CompareRow[]): string {
  return table(
    ['fact', 'A', 'B', 'status'],
    rows.map((r) => [cell(r.label), cell(r.a), cell(r.b), STATUS[r.status]]),
  );
}

function files(list: readonly FileChange[]): string {
  return table(
    ['file', 'change', 'size A', 'size B'],
    list.map((f) => [cell(f.path), f.change, formatBytes(f.sizeA), formatBytes(f.sizeB)]),
  );
}

function dataInput(d: DataInputComparison): string {
  const head = `#### Input ${text(d.path)} (${d.status})\n\nA: ${d.filesA ?? '—'} files, ${formatBytes(d.bytesA)}, root \`${d.rootA?.slice(0, 16) ?? '—'}\` · B: ${d.filesB ?? '—'} files, ${formatBytes(d.bytesB)}, root \`${d.rootB?.slice(0, 16) ?? '—'}\`\n`;
  if (d.status !== 'changed') return head;
  return `${head}\n${d.changed} changed, ${d.added} added, ${d.removed} removed${d.truncated ? ` (the first ${d.files.length} are listed)` : ''}.\n\n${files(d.files)}`;
}

function findings(list: readonly SeedFinding[]): string {
  return table(
    ['where', 'kind', 'rule', 'finding', 'code', 'fix'],
    list.map((f) => [
      cell(`${f.file}:${f.line}${f.column ? `:${f.column}` : ''}`),
      f.kind,
      cell(f.rule),
      cell(f.message),
      f.code ? cell(f.code.trim()) : '',
      f.fix && f.kind !== 'seed' ? cell(f.fix) : '',
    ]),
  );
}

function ranked(items: readonly SummaryItem[]): string {
  if (items.length === 0) return '_No differences in code, data, software, hardware, randomness or process._\n';
  return `${items.map((i, n) => `${n + 1}. **${text(i.title)}** (${TITLES[i.section] ?? i.section})\n${i.details.map((d) => `   - ${text(d)}`).join('\n')}${i.count > i.details.length ? `\n   - and ${i.count - i.details.length} more` : ''}`).join('\n')}\n`;
}

function sectionMd(doc: CompareReport, s: SectionComparison): string {
  const c = doc.comparison;
  const out: string[] = [`## ${TITLES[s.section]} (${s.differences} difference${s.differences === 1 ? '' : 's'})`, ''];
  const rows = s.rows.filter(
    (r) =>
      r.status !== 'same' &&
      !(s.section === 'software' && r.key.startsWith('package:')) &&
      !(s.section === 'data' && r.key.startsWith('input:')),
  );
  if (rows.length) out.push(facts(rows));
  else if (s.differences === 0) out.push('_No differences._\n');
  if (s.section === 'code') {
    if (c.code.patch?.patch)
      out.push('### Uncommitted patches, A → B', '', markdownFence(c.code.patch.patch, 'diff'), '');
    else if (c.code.patch?.note) out.push(`Uncommitted patches differ: ${text(c.code.patch.note)}\n`);
  } else if (s.section === 'data') {
    out.push(...c.data.inputs.filter((d) => d.status !== 'same').map(dataInput));
    out.push(dataShiftMarkdown(c.dataShift, 'input'));
  } else if (s.section === 'software') {
    const py = c.software.python;
    if (py.a !== py.b)
      out.push(`Python ${text(py.a ?? '—')} → ${text(py.b ?? '—')}${py.step ? ` (${py.step} step)` : ''}\n`);
    out.push(`### Packages\n\n${c.software.packages.length} differ, ${c.software.packagesSame} are the same.\n`);
    if (c.software.packages.length)
      out.push(
        table(
          ['package', 'A', 'B', 'change'],
          c.software.packages.map((p) => [cell(p.name), cell(p.a), cell(p.b), describePackageChange(p)]),
        ),
      );
    for (const d of c.software.envSpecs.filter((x) => x.status !== 'same')) {
      out.push(`### Environment spec ${text(d.path)} (${d.status})\n`);
      if (d.patch) out.push(markdownFence(d.patch, 'diff'), '');
      else if (d.note) out.push(`${text(d.note)}\n`);
    }
  } else if (s.section === 'hardware') {
    if (c.hardware.flagsOnlyA.length || c.hardware.flagsOnlyB.length)
      out.push(
        `Numerics instruction sets only in A: ${text(c.hardware.flagsOnlyA.join(' ') || '—')}; only in B: ${text(c.hardware.flagsOnlyB.join(' ') || '—')}\n`,
      );
  } else if (s.section === 'randomness') {
    if (c.randomness.findingsLost.length)
      out.push('### Seed-scan findings only in A', '', findings(c.randomness.findingsLost));
    if (c.randomness.findingsGained.length)
      out.push('### Seed-scan findings only in B', '', findings(c.randomness.findingsGained));
  }
  return out.join('\n');
}

function compareMd(doc: CompareReport): string {
  const c = doc.comparison;
  const field = (label: string, f: (r: typeof c.a) => string | null): string[] => [label, cell(f(c.a)), cell(f(c.b))];
  const out: string[] = [
    `> ${text(c.summary.headline)}`,
    '',
    table(
      ['', 'run A (reference)', 'run B'],
      [
        field('id', (r) => r.id),
        field('name', (r) => r.name),
        field('kind', (r) => r.kind),
        field('created', (r) => r.createdAt),
        field('project', (r) => r.project),
        field('commit', (r) => r.commit?.slice(0, 12) ?? null),
        field('command', (r) => r.command),
        field('status', (r) => r.status),
      ],
    ),
    '## What most likely explains the difference',
    '',
    '_Ranked by the rule in docs/compare.md: data and code before parameters and seeds, before software versions (major before minor before patch), before hardware, before bookkeeping._',
    '',
    ranked(c.summary.ranked),
    '## Outcome',
    '',
    table(
      ['metric', 'A', 'B', 'B − A', 'relative'],
      c.outcome.metrics.map((m) => [
        cell(m.name),
        m.a === null ? '—' : formatMetricValue(m.a),
        m.b === null ? '—' : formatMetricValue(m.b),
        formatReportNumber(m.abs),
        formatPercent(m.rel),
      ]),
    ),
    ...(reportCharts(doc).length ? ['_The chart of metric changes is in the HTML report._', ''] : []),
  ];
  const outcomeRows =
    c.sections
      .find((s) => s.section === 'outcome')
      ?.rows.filter((r) => r.status !== 'same' && !r.key.startsWith('metric:')) ?? [];
  if (outcomeRows.length) out.push('### Status and artifacts', '', facts(outcomeRows));
  out.push(dataShiftMarkdown(c.dataShift, 'output'));
  for (const s of c.sections) if (s.section !== 'outcome') out.push(sectionMd(doc, s));
  out.push('## Appendix: every fact', '');
  for (const s of c.sections)
    out.push(
      `<details><summary>${TITLES[s.section]} (${s.rows.length} facts)</summary>\n\n${facts(s.rows)}\n</details>\n`,
    );
  return out.join('\n');
}

const MARK: Record<string, string> = { yes: '✅ yes', partial: '🟡 partly', no: '❌ no', unknown: '❔ unknown' };

function interval(v: readonly [number, number] | null): string {
  return v ? `[${formatReportNumber(v[0])}, ${formatReportNumber(v[1])}]` : '—';
}

function auditMd(doc: AuditReport): string {
  const a = doc.audited;
  const out: string[] = [
    `> **Verdict: ${doc.verdict.verdict ?? 'none yet'}.** ${text(doc.verdict.sentence)}`,
    '',
    ...verdictBasisLines(doc.verdict).map((l) => `- ${text(l)}`),
    '',
    '## What was audited',
    '',
    table(
      ['', 'audited'],
      [
        ['project', cell(`${a.project.name} (${a.project.kind} ${a.project.location})`)],
        ['entry point', cell(a.entryPoint)],
        ['commit', cell(a.commit ?? '— (not under git)')],
        [
          'parameters',
          cell(
            Object.entries(a.parameters)
              .map(([k, v]) => `${k}=${v}`)
              .join(', '),
          ),
        ],
        ['command', cell(a.command)],
        ['environment', cell(a.envManager)],
        [
          'reference',
          cell(`${a.reference.runId ?? '—'}${a.reference.name ? ` ${a.reference.name}` : ''} (${a.reference.kind})`),
        ],
        [
          'plan',
          cell(
            `${a.plan.reruns} reruns, ${a.plan.repeats} per group${a.plan.vary.length ? `, varying ${a.plan.vary.join(', ')}` : ''}`,
          ),
        ],
        ['dates', cell(`created ${a.createdAt}${a.finishedAt ? `, finished ${a.finishedAt}` : ''} (${a.status})`)],
        ['audit id', cell(a.auditId)],
        ['reproscope', cell(doc.generator.version)],
      ],
    ),
    '## Metrics: the reference against each group of reruns',
    '',
    '_Charts are in the HTML report._',
    '',
  ];
  for (const m of doc.metrics) {
    out.push(
      `### ${text(m.name)}`,
      '',
      `Reference ${formatReportNumber(m.reference)} · ${m.tolerance ? `tolerance ±${formatReportNumber(m.tolerance.value)}${m.tolerance.kind === 'rel' ? ' %' : ''}` : 'no tolerance set'}${m.withinTolerance === null ? '' : m.withinTolerance ? ' · every baseline rerun within tolerance' : ' · some baseline reruns outside tolerance'}`,
      '',
    );
    out.push(
      table(
        ['group', 'n', 'mean ± sd', '95 % CI of mean', '95 % prediction', 'min – max', 'mean − reference'],
        m.groups.map((g) => [
          cell(g.group),
          formatGroupCount(g),
          g.mean === null ? '—' : `${formatReportNumber(g.mean)} ± ${formatReportNumber(g.sd)}`,
          interval(g.ci95),
          interval(g.pi95),
          g.min === null ? '—' : `${formatReportNumber(g.min)} – ${formatReportNumber(g.max)}`,
          formatReportNumber(g.difference),
        ]),
      ),
    );
  }
  out.push(
    '## Sources of variance',
    '',
    table(
      ['rank', 'factor', 'how found', 'effect', 'evidence'],
      doc.sources.map((s) => [
        String(s.rank),
        cell(`${s.factor} (${s.category})`),
        s.kind,
        cell(s.effect),
        cell(s.evidence.join('\n')),
      ]),
    ),
  );
  out.push('## Environment: the reference against the reruns', '');
  for (const d of doc.environment.differences) {
    out.push(`### Group ${text(d.group)} (rerun ${text(d.runId.slice(0, 8))})`, '');
    const rows = d.differences.flatMap((s) => s.rows);
    out.push(rows.length ? facts(rows) : '_No differences._\n');
  }
  out.push('## Seed-scan findings', '', findings(doc.seedFindings));
  out.push(
    '## Data',
    '',
    table(
      ['input', 'original', 'before the reruns', 'same'],
      doc.data.checks.map((d) => [
        cell(d.path),
        cell(d.originalHash?.slice(0, 16)),
        cell(d.currentHash?.slice(0, 16)),
        d.same === null ? '?' : d.same ? 'yes' : 'no',
      ]),
    ),
  );
  out.push(...doc.data.inputs.map(dataInput));
  out.push(
    '## Reproducibility checklist',
    '',
    '_Each item is marked from the captured evidence only._',
    '',
    table(
      ['', 'item', 'evidence'],
      doc.checklist.map((c) => [MARK[c.mark]!, cell(c.label), cell(c.evidence)]),
    ),
  );
  if (doc.warnings.length) out.push('## Warnings', '', ...doc.warnings.map((w) => `- ${text(w)}`), '');
  if (doc.environment.appendix) {
    out.push('## Appendix: every fact of the reference and the first baseline rerun', '');
    for (const s of doc.environment.appendix)
      out.push(
        `<details><summary>${TITLES[s.section]} (${s.rows.length} facts)</summary>\n\n${facts(s.rows)}\n</details>\n`,
      );
  }
  return out.join('\n');
}

/** Renders a report document as GitHub-flavoured Markdown. */
export function renderReportMarkdown(doc: ReportDocument): string {
  const body = doc.kind === 'audit' ? auditMd(doc) : doc.kind === 'compare-set' ? compareSetMd(doc) : compareMd(doc);
  return `# ${text(doc.title)}\n\n_reproscope ${text(doc.generator.version)} ${doc.kind === 'audit' ? 'audit' : 'comparison'} report, format ${doc.schemaVersion}; built from the records in its store._\n\n${body}\n`;
}
