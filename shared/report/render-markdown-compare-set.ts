// The Markdown body of an N-run comparison report: runs, metrics and differing facts a column per run, each run ranked against the baseline.
import type { SummaryItem } from '../compare/compare-model';
import { formatPercent, formatReportNumber, runLabel } from './build-report';
import { escapeMarkdownCell as cell, escapeMarkdownText as text, markdownFence } from './escape';
import type { CompareSetReport } from './report-model';
import { shortValue } from './render-html-compare-set';
import { SECTION_TITLES as TITLES } from '../compare/section-titles';

const MAX_TABLE_ROWS = 500;

function table(header: readonly string[], rows: readonly string[][]): string {
  const shown = rows.slice(0, MAX_TABLE_ROWS);
  const lines = [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...shown.map((r) => `| ${r.join(' | ')} |`),
  ];
  if (rows.length > shown.length) lines.push('', `_${rows.length - shown.length} more rows are in the JSON report._`);
  return `${lines.join('\n')}\n`;
}

function ranked(items: readonly SummaryItem[]): string {
  if (items.length === 0) return '_No differences in code, data, software, hardware, randomness or process._\n';
  return `${items.map((i, n) => `${n + 1}. **${text(i.title)}** (${TITLES[i.section] ?? i.section})\n${i.details.map((d) => `   - ${text(d)}`).join('\n')}`).join('\n')}\n`;
}

/** The body of an N-run comparison report in Markdown; a value that differs from the baseline is in bold. */
export function compareSetMd(doc: CompareSetReport): string {
  const c = doc.comparison;
  const head = c.runs.map((_, i) => (i === 0 ? '#1 (baseline)' : `#${i + 1}`));
  const out: string[] = [`> ${text(c.headline)}\n`, '## Runs\n'];
  out.push(
    table(
      ['#', 'run', 'kind', 'created', 'commit', 'status', 'command'],
      c.runs.map((r, i) => [
        String(i + 1),
        cell(runLabel(r)),
        cell(r.kind),
        cell(r.createdAt),
        cell(r.commit?.slice(0, 12) ?? '—'),
        cell(r.status),
        cell(r.command),
      ]),
    ),
  );
  const metrics = c.metrics.filter((m) => m.differs);
  out.push(
    `## Metrics\n\n_${metrics.length} of ${c.metrics.length} differ; the change from the baseline in brackets._\n`,
  );
  if (metrics.length)
    out.push(
      table(
        ['metric', ...head],
        metrics.map((m) => [
          cell(m.name),
          ...m.values.map((v, i) => {
            const rel = m.rel[i] ?? null;
            const s = `${formatReportNumber(v)}${i > 0 && rel !== null && rel !== 0 ? ` (${formatPercent(rel)})` : ''}`;
            return i > 0 && v !== m.values[0] ? `**${s}**` : s;
          }),
        ]),
      ),
    );
  out.push('## Against the baseline\n');
  c.pairs.forEach((p, k) => {
    out.push(
      `### #${k + 2} ${text(runLabel(c.runs[k + 1]!))}\n\n${text(p.headline)}\n\n${ranked(p.ranked.slice(0, 5))}`,
    );
  });
  for (const s of c.sections) {
    const rows = s.rows.filter((r) => r.differs);
    out.push(`## ${TITLES[s.section]} (${s.differences} of ${s.rows.length} facts differ)\n`);
    if (!rows.length) {
      out.push('_The same in every run._\n');
      continue;
    }
    out.push(
      table(
        ['fact', ...head],
        rows.map((r) => [
          cell(r.label),
          ...r.values.map((v, i) => (r.differsFromBaseline[i] ? `**${cell(shortValue(v))}**` : cell(shortValue(v)))),
        ]),
      ),
    );
  }
  c.uncommitted.forEach((p, i) => {
    if (p)
      out.push(`### Uncommitted patch of #${i + 1} ${text(runLabel(c.runs[i]!))}\n\n${markdownFence(p, 'diff')}\n`);
  });
  return out.join('\n');
}
