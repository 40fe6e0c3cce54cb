// The HTML body of an N-run comparison report: runs as rows, then metrics and differing facts a column per run, in print-sized column groups.
import type { RunSetComparison } from '../compare/compare-many-model';
import { formatPercent, formatReportNumber, runLabel } from './build-report';
import { reportCharts } from './charts';
import { escapeHtml as e } from './escape';
import type { CompareSetReport } from './report-model';
import { figure, patchHtml, SECTION_TITLES, table } from './render-html-parts';

/** Runs per table: a label column and this many runs fit A4's width without breaking words. */
export const RUNS_PER_TABLE = 5;

/** The column groups of runs: the baseline leads every group, so each table compares against it. */
export function runGroups(n: number, per = RUNS_PER_TABLE): number[][] {
  const others = Array.from({ length: n - 1 }, (_, i) => i + 1);
  const groups: number[][] = [];
  for (let i = 0; i < others.length; i += per - 1) groups.push([0, ...others.slice(i, i + per - 1)]);
  return groups.length ? groups : [[0]];
}

/** A full hash is cut to 12 characters in a column (the JSON report keeps it whole). */
export function shortValue(v: string | null): string {
  if (v === null) return '—';
  return /^[0-9a-f]{40,64}$/.test(v) ? v.slice(0, 12) : v;
}

const col = (i: number): string => (i === 0 ? '#1 (baseline)' : `#${i + 1}`);

function metricTables(c: RunSetComparison): string {
  const metrics = c.metrics.filter((m) => m.differs);
  if (!metrics.length)
    return `<p class="muted">${c.metrics.length ? 'Every metric is the same in every run.' : 'No metrics were recorded.'}</p>`;
  return runGroups(c.runs.length)
    .map((group) =>
      table(
        ['metric', ...group.map(col)],
        metrics.map((m) => [
          e(m.name),
          ...group.map((i) => {
            const v = m.values[i] ?? null;
            const rel = m.rel[i] ?? null;
            return `${formatReportNumber(v)}${i > 0 && rel !== null && rel !== 0 ? `<br><span class="note">${formatPercent(rel)}</span>` : ''}`;
          }),
        ]),
        { numeric: group.map((_, k) => k + 1) },
      ),
    )
    .join('\n');
}

function sectionTables(c: RunSetComparison): string {
  const out: string[] = [];
  for (const s of c.sections) {
    const rows = s.rows.filter((r) => r.differs);
    out.push(
      `<h2 id="${s.section}">${SECTION_TITLES[s.section]} <span class="badge">${s.differences} of ${s.rows.length} facts differ</span></h2>`,
    );
    if (!rows.length) {
      out.push('<p class="muted">The same in every run.</p>');
      continue;
    }
    for (const group of runGroups(c.runs.length))
      out.push(
        table(
          ['fact', ...group.map(col)],
          rows.map((r) => [e(r.label), ...group.map((i) => `<code>${e(r.values[i] ?? '—')}</code>`)]),
          {
            cellClass: (row, j) => {
              const i = group[j - 1];
              if (i === undefined) return '';
              const r = rows[row]!;
              return r.differsFromBaseline[i] ? (r.values[i] === null ? 'mono c-removed' : 'mono c-changed') : 'mono';
            },
          },
        ),
      );
  }
  return out.join('\n');
}

/** The body of an N-run comparison report. */
export function compareSetBody(doc: CompareSetReport, svgs: Readonly<Record<string, string>>): string {
  const c = doc.comparison;
  const out: string[] = [`<p class="headline" data-testid="headline">${e(c.headline)}</p>`];
  out.push('<h2 id="runs">Runs</h2><p class="note">Run 1 is the baseline every other run is compared with.</p>');
  out.push(
    table(
      ['#', 'run', 'kind', 'created', 'commit', 'status'],
      c.runs.map((r, i) => [
        i === 0 ? '1 base' : String(i + 1),
        `${e(runLabel(r))}<br><code>${e(r.command)}</code>`,
        e(r.kind),
        e(r.createdAt.replace('T', ' ').slice(0, 16)),
        `<code>${e(r.commit?.slice(0, 8) ?? '—')}</code>`,
        e(r.status),
      ]),
    ),
  );
  out.push(
    `<h2 id="outcome">Metrics <span class="badge">${c.metrics.filter((m) => m.differs).length} of ${c.metrics.length} differ</span></h2>`,
  );
  out.push('<p class="note">Each run\'s last value; below it, the change from the baseline.</p>');
  out.push(metricTables(c));
  for (const chart of reportCharts(doc)) out.push(figure(svgs, chart.id, chart.caption));
  out.push(
    '<h2 id="explanations">Against the baseline: what most likely explains each run</h2><p class="note">Ranked by the rule in docs/compare.md.</p>',
  );
  out.push(
    table(
      ['#', 'run', 'most likely explanations, strongest first'],
      c.pairs.map((p, k) => [
        String(k + 2),
        e(runLabel(c.runs[k + 1]!)),
        p.ranked.length
          ? p.ranked
              .slice(0, 3)
              .map(
                (item, n) =>
                  `${n + 1}. ${e(item.title)}${item.details[0] ? ` <span class="note">(${e(item.details[0])})</span>` : ''}`,
              )
              .join('<br>')
          : '<span class="muted">no differences in code, data, software, hardware, randomness or process</span>',
      ]),
    ),
  );
  out.push(sectionTables(c));
  const patches = c.uncommitted.map((p, i) => ({ p, i })).filter((x) => x.p);
  if (patches.length) {
    out.push('<h2 id="patches">Uncommitted patches</h2>');
    for (const { p, i } of patches)
      out.push(`<details open><summary>#${i + 1} ${e(runLabel(c.runs[i]!))}</summary>${patchHtml(p!)}</details>`);
  }
  return out.join('\n');
}
