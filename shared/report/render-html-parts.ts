// The building blocks of the HTML report: tables, fact rows, patches, file lists, ranked summaries, figures; all run strings escaped.
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
import { formatBytes } from '../snapshot/snapshot-text';
import { escapeHtml as e } from './escape';
import { dataShiftHtml } from './report-data-shift';
import { SECTION_TITLES } from '../compare/section-titles';

/** Each section's heading (re-exported for the HTML renderers). */
export { SECTION_TITLES };

/** Rows listed per table before the rest is summarised (the JSON report holds everything). */
export const MAX_TABLE_ROWS = 500;

/** A table of already-escaped cells, capped at MAX_TABLE_ROWS rows. */
export function table(
  header: readonly string[],
  rows: readonly string[][],
  opts: {
    rowClass?: (i: number) => string;
    numeric?: readonly number[];
    caption?: string;
    /** Classes of one cell (row i, column j), e.g. to mark a value that differs from the baseline. */
    cellClass?: (i: number, j: number) => string;
  } = {},
): string {
  if (rows.length === 0) return '<p class="muted">None.</p>';
  const shown = rows.slice(0, MAX_TABLE_ROWS);
  const numeric = new Set(opts.numeric ?? []);
  const body = shown
    .map(
      (cells, i) =>
        `<tr${opts.rowClass ? ` class="${opts.rowClass(i)}"` : ''}>${cells
          .map((c, j) => {
            const cls = [numeric.has(j) ? 'num' : '', opts.cellClass?.(i, j) ?? ''].filter(Boolean).join(' ');
            return `<td${cls ? ` class="${cls}"` : ''}>${c}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('\n');
  const more =
    rows.length > shown.length
      ? `<p class="note">${rows.length - shown.length} more rows are in the JSON report.</p>`
      : '';
  const head = header.some(Boolean) ? `<thead><tr>${header.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead>` : '';
  return `<table>${opts.caption ? `<caption class="note">${e(opts.caption)}</caption>` : ''}${head}<tbody>\n${body}\n</tbody></table>${more}`;
}

/** A row status in words. */
export const STATUS_TEXT: Record<CompareRow['status'], string> = {
  same: 'same',
  changed: 'changed',
  'only-a': 'only in A',
  'only-b': 'only in B',
};

/** Fact rows of a two-run comparison as a table. */
export function factRows(rows: readonly CompareRow[]): string {
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

/** A unified diff as a coloured block. */
export function patchHtml(patch: string): string {
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

/** Two texts diffed, or why they were not. */
export function textDiffHtml(d: TextDiff, title: string): string {
  const head = `<h3>${e(title)} <span class="badge">${STATUS_TEXT[d.status]}</span></h3>`;
  if (d.patch) return `${head}${patchHtml(d.patch)}`;
  return d.note ? `${head}<p class="note">${e(d.note)}</p>` : head;
}

/** Files changed, added and removed, with sizes. */
export function fileChangesHtml(files: readonly FileChange[]): string {
  return table(
    ['file', 'change', 'size A', 'size B'],
    files.map((f) => [`<code>${e(f.path)}</code>`, e(f.change), formatBytes(f.sizeA), formatBytes(f.sizeB)]),
    { rowClass: (i) => `s-${files[i]!.change}`, numeric: [2, 3] },
  );
}

/** One data input compared. */
export function dataInputHtml(d: DataInputComparison): string {
  const head = `<h3>Input <code>${e(d.path)}</code> <span class="badge">${STATUS_TEXT[d.status]}</span></h3>`;
  const facts = `<p class="note">A: ${d.filesA ?? '—'} files, ${formatBytes(d.bytesA)}, root <code>${e(d.rootA?.slice(0, 16) ?? '—')}</code> · B: ${d.filesB ?? '—'} files, ${formatBytes(d.bytesB)}, root <code>${e(d.rootB?.slice(0, 16) ?? '—')}</code></p>`;
  if (d.status !== 'changed') return head + facts;
  return `${head}${facts}<p>${d.changed} changed, ${d.added} added, ${d.removed} removed${d.truncated ? ` (the first ${d.files.length} are listed)` : ''}.</p>${fileChangesHtml(d.files)}`;
}

/** Seed-scan findings as a table. */
export function findingsHtml(findings: readonly SeedFinding[], label?: string): string {
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

/** A ranked summary as a numbered list. */
export function rankedHtml(items: readonly SummaryItem[]): string {
  if (items.length === 0)
    return '<p class="muted">No differences in code, data, software, hardware, randomness or process.</p>';
  return `<ol class="ranked">${items.map((i) => `<li><strong>${e(i.title)}</strong> <span class="badge">${e(SECTION_TITLES[i.section] ?? i.section)}</span><ul>${i.details.map((d) => `<li>${e(d)}</li>`).join('')}${i.count > i.details.length ? `<li>and ${i.count - i.details.length} more</li>` : ''}</ul></li>`).join('')}</ol>`;
}

/** A section's details beyond its fact rows. */
export function sectionExtras(c: Comparison, section: SectionComparison['section']): string {
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

/** A chart rendered to SVG, with its caption. */
export function figure(svgs: Readonly<Record<string, string>>, id: string, caption: string): string {
  const svg = svgs[id];
  if (!svg) return '';
  return `<figure class="chart" data-chart="${e(id)}">${svg}<figcaption>${e(caption)}</figcaption></figure>`;
}
