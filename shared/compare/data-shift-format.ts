// The data shift as plain text for the terminal and Markdown: one line per file, and for tables a compact column table ranked by movement.
import type { ColumnShift, DataShift, FileShift } from './data-shift-model';
import { formatBytes } from '../snapshot/snapshot-text';

/** Columns of a table listed in the compact form. */
export const COLUMNS_SHOWN = 6;

/** A number short enough for a table cell. */
export function shortNumber(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/** A p-value as people read it. */
export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined) return '—';
  return p < 1e-4 ? 'p < 0.0001' : `p = ${p.toPrecision(2)}`;
}

/** The file's name as listed: root/path. */
export function fileLabel(f: FileShift): string {
  return f.path ? `${f.root}/${f.path}` : f.root;
}

/** The test of a column in a few words ("KS D 0.62, p < 0.0001"). */
export function describeTest(c: ColumnShift): string {
  if (c.status === 'renamed') return `renamed to ${c.nameB}`;
  if (c.status === 'only-a') return 'only in A';
  if (c.status === 'only-b') return 'only in B';
  if (c.status === 'retyped') return `type ${c.a?.type} → ${c.b?.type}`;
  const t = c.test;
  if (!t) return c.status === 'same' ? 'same values' : '—';
  const name = t.kind === 'ks' ? 'KS D' : 'χ²';
  const psi = t.psi !== null ? `, PSI ${shortNumber(t.psi)}` : '';
  return `${name} ${shortNumber(t.statistic)}, ${formatP(t.pValue)}${psi}${t.sampled ? ' (sampled)' : ''}`;
}

/** Where a column sits, for people: mean for numbers, the top category for text. */
export function centre(s: ColumnShift['a']): string {
  if (!s) return '—';
  if (s.mean !== null) return shortNumber(s.mean);
  const top = s.top[0];
  return top ? `${top.value} (${top.count})` : '—';
}

function pad(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
}

const MARK: Record<FileShift['change'], string> = { changed: '~', added: '+', removed: '-', renamed: '→' };

/** One line saying what was found in a file (for lists and the terminal). */
export function fileSummary(f: FileShift): string {
  if (f.change === 'renamed') return `renamed from ${f.from || '(input)'}`;
  if (f.change === 'added') return `${formatBytes(f.sizeB ?? 0)}, only in B`;
  if (f.change === 'removed') return `${formatBytes(f.sizeA ?? 0)}, only in A`;
  // a changed file paired with a similarly named one of A says so first
  const paired = f.from !== null ? `renamed from ${f.from || '(input)'} and changed; ` : '';
  return paired + changedSummary(f);
}

function changedSummary(f: FileShift): string {
  const sizes = `${formatBytes(f.sizeA ?? 0)} → ${formatBytes(f.sizeB ?? 0)}`;
  if (f.status !== 'ok' || !f.detail) return `${sizes}; ${f.status}${f.note ? `: ${f.note}` : ''}`;
  const d = f.detail;
  switch (d.kind) {
    case 'table': {
      const moved = d.columns.filter((c) => c.status !== 'same').length;
      const s = d.schema;
      const schema = [
        s.added.length ? `${s.added.length} added` : '',
        s.removed.length ? `${s.removed.length} removed` : '',
        s.renamed.length ? `${s.renamed.length} renamed` : '',
        s.retyped.length ? `${s.retyped.length} retyped` : '',
      ].filter(Boolean);
      return `${d.format}, ${d.rowsA} → ${d.rowsB} rows, ${moved} of ${d.columns.length} columns differ${schema.length ? ` (columns ${schema.join(', ')})` : ''}`;
    }
    case 'array':
    case 'model': {
      const list = d.kind === 'array' ? d.arrays : d.params;
      const changed = list.filter((x) => x.status !== 'same');
      const worst = changed.reduce<(typeof list)[number] | null>(
        (w, x) => ((x.maxAbsDiff ?? -1) > (w?.maxAbsDiff ?? -1) ? x : w),
        null,
      );
      const what = d.kind === 'model' ? `${d.typeB ?? d.typeA ?? 'model'}: ` : '';
      return `${what}${changed.length} of ${list.length} ${d.kind === 'array' ? 'arrays' : 'parameters'} differ${worst ? `; largest |Δ| ${shortNumber(worst.maxAbsDiff)} in ${worst.name}${worst.beyondTolerance !== null ? ` (${worst.beyondTolerance} of ${worst.elements} beyond tolerance)` : ''}` : ''}`;
    }
    case 'text':
      return `${sizes}; +${d.added} −${d.removed} lines`;
    case 'json':
      return `${d.total} JSON value${d.total === 1 ? '' : 's'} differ${d.total === 1 ? 's' : ''}`;
    case 'image':
      return `${d.widthA}×${d.heightA} → ${d.widthB}×${d.heightB}, ${d.differingPixels} of ${d.pixels} pixels differ`;
  }
}

/** The compact column table of a table file: the most moved columns first. */
export function columnTable(cols: readonly ColumnShift[], limit = COLUMNS_SHOWN): string[] {
  const rows = [['column', 'type', 'A', 'B', 'missing', 'test', 'moved']];
  for (const c of cols.slice(0, limit))
    rows.push([
      c.name,
      c.a?.type === c.b?.type || !c.a || !c.b ? (c.a ?? c.b)!.type : `${c.a.type}→${c.b.type}`,
      centre(c.a),
      centre(c.b),
      `${c.a?.missing ?? '—'} → ${c.b?.missing ?? '—'}`,
      describeTest(c),
      shortNumber(c.movement),
    ]);
  return pad(rows);
}

/** The data shift for the terminal: a line per file, a column table for tables, the first differing rows. */
export function formatDataShiftText(shift: DataShift): string {
  if (shift.files.length === 0) return '';
  const out: string[] = [
    `Data and output files (${shift.files.length}${shift.omitted ? ` of ${shift.files.length + shift.omitted}` : ''})`,
  ];
  for (const f of shift.files) {
    out.push(`  ${MARK[f.change]} ${fileLabel(f)}  ${fileSummary(f)}${f.stored ? '  [stored]' : ''}`);
    if (f.detail?.kind === 'table') {
      out.push(...columnTable(f.detail.columns).map((l) => `      ${l}`));
      if (f.detail.columns.length > COLUMNS_SHOWN)
        out.push(`      … ${f.detail.columns.length - COLUMNS_SHOWN} more columns`);
      const r = f.detail.rows;
      if (r) {
        out.push(
          `      rows by ${r.keyedBy}: ${r.differing === null ? 'not compared' : `${r.differing} differ`}${r.note ? ` (${r.note})` : ''}`,
        );
        for (const row of r.rows.slice(0, 3)) {
          const cells =
            row.status === 'changed'
              ? row.changed.map((i) => `${r.columns[i]} ${row.a?.[i] ?? '∅'} → ${row.b?.[i] ?? '∅'}`).join(', ')
              : row.status === 'only-a'
                ? 'only in A'
                : 'only in B';
          out.push(`        ${r.keyedBy === 'position' ? 'row ' : `${r.keyedBy} `}${row.key}: ${cells}`);
        }
      }
    }
  }
  return out.join('\n');
}
