/** An N-run comparison as terminal text: a legend of the runs, then a column per run for metrics and facts, fitted to the width. */
import type { RunSetComparison, RunSetRow } from '../../../shared/compare/compare-many-model';
import { formatRelative, formatSignificant } from '../../../shared/numbers';
import { formatFittedTable } from '../terminal';
import type { colorsFor } from '../terminal';
import { SECTION_TITLES as TITLES } from '../../../shared/compare/section-titles';

/** Package rows are many and long: past this many, the rest are counted, not listed. */
const MAX_ROWS_PER_SECTION = 40;

/** Options of the N-run text. */
export interface RunSetTextOptions {
  /** Every fact, not only those that differ. */
  all?: boolean;
  /** The terminal's width, or null for a pipe (no cutting). */
  width: number | null;
  colors: ReturnType<typeof colorsFor>;
}

/** An N-run comparison as text: who is who, the headline, metrics and differing facts per section, each run's likeliest causes. */
export function formatRunSetText(c: RunSetComparison, options: RunSetTextOptions): string {
  const { width, colors } = options;
  const header = ['', ...c.runs.map((_, i) => (i === 0 ? '#1 base' : `#${i + 1}`))];
  const mark = (text: string, differs: boolean): string => (differs ? colors.yellow(text) : text);
  const out: string[] = [];
  c.runs.forEach((r, i) =>
    out.push(
      `#${i + 1}${i === 0 ? ' (baseline)' : ''} ${r.id.slice(0, 8)}${r.name ? ` "${r.name}"` : ''}  ${r.kind}, ${r.createdAt.replace('T', ' ').slice(0, 19)}, ${r.status}`,
    ),
  );
  out.push('', c.headline);
  const metrics = c.metrics.filter((m) => options.all || m.differs);
  if (metrics.length) {
    out.push('', `Metrics (${c.metrics.filter((m) => m.differs).length} of ${c.metrics.length} differ)`);
    const rows = metrics.map((m) => [
      m.name,
      ...m.values.map((v, i) => {
        const text = v === null ? '—' : formatSignificant(v);
        const rel = m.rel[i];
        return mark(
          rel !== null && rel !== undefined && rel !== 0 ? `${text} (${formatRelative(rel)})` : text,
          i > 0 && v !== m.values[0],
        );
      }),
    ]);
    out.push(formatFittedTable(header, rows, { width, headerStyle: colors.bold }));
  }
  for (const s of c.sections) {
    const shown: RunSetRow[] = s.rows.filter((r) => options.all || r.differs);
    if (!shown.length) continue;
    out.push('', `${TITLES[s.section] ?? s.section} (${s.differences} of ${s.rows.length} facts differ)`);
    const rows = shown
      .slice(0, MAX_ROWS_PER_SECTION)
      .map((r) => [r.label, ...r.values.map((v, i) => mark(v ?? '—', r.differsFromBaseline[i] ?? false))]);
    out.push(formatFittedTable(header, rows, { width, headerStyle: colors.bold }));
    if (shown.length > MAX_ROWS_PER_SECTION)
      out.push(`… ${shown.length - MAX_ROWS_PER_SECTION} more (--json has them)`);
  }
  if (c.pairs.length) {
    out.push('', 'Against the baseline, most likely explanations first');
    c.pairs.forEach((p, i) => {
      out.push(`  #${i + 2} ${p.runId.slice(0, 8)}: ${p.headline}`);
      for (const item of p.ranked.slice(0, 3)) out.push(`       ${item.title}  [${item.section}]`);
    });
  }
  if (!options.all) out.push('', 'Only differences are shown; --all shows every fact, --json everything as JSON.');
  return out.join('\n');
}
