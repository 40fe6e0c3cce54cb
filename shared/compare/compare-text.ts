// A comparison as terminal text, by category: what differs, or everything with `all`.
import { describePackageChange } from './compare';
import {
  shownDifferences,
  type CompareRow,
  type Comparison,
  type FileChange,
  type SectionComparison,
} from './compare-model';
import { formatBytes, formatTable } from '../snapshot/snapshot-text';
import { formatSignificant } from '../numbers';
import { SECTION_TITLES as TITLES } from './section-titles';

/**
 * The comparison as terminal text, grouped by category in DESIGN.md's order: only what differs
 * by default, everything with `all` (differences marked with a sign in the first column).
 */

const SIGN: Record<CompareRow['status'], string> = { same: ' ', changed: '~', 'only-a': '-', 'only-b': '+' };
/** Lists in the terminal stop here; --json has everything. */
const MAX_LIST = 40;

function clip(text: string | null, width = 60): string {
  if (text === null) return '—';
  const one = text.replace(/\s*\n\s*/g, ' ⏎ ');
  return one.length > width ? `${one.slice(0, width - 1)}…` : one;
}

/** How wide a value may be in the fact table: 60 characters in a pipe; on a terminal, half of what the label leaves. */
function valueWidth(rows: readonly CompareRow[], width: number | null): number {
  if (!width) return 60;
  const label = Math.min(40, Math.max(4, ...rows.map((r) => r.label.length)));
  return Math.max(12, Math.floor((width - 2 - 1 - 2 - label - 2 - 2) / 2));
}

function rowsTable(rows: readonly CompareRow[], width: number | null, indent = '  '): string[] {
  const shown = rows.slice(0, MAX_LIST * 5);
  const w = valueWidth(shown, width);
  const lines = formatTable(
    ['', 'FACT', 'A', 'B'],
    shown.map((r) => [SIGN[r.status], clip(r.label, 40), clip(r.a, w), clip(r.b, w)]),
  )
    .split('\n')
    .map((l) => `${indent}${l}`);
  if (rows.length > shown.length) lines.push(`${indent}… ${rows.length - shown.length} more (--json lists all)`);
  return lines;
}

function fileLines(files: readonly FileChange[], indent: string): string[] {
  const sign = { changed: '~', added: '+', removed: '-' } as const;
  const out = files
    .slice(0, MAX_LIST)
    .map(
      (f) =>
        `${indent}${sign[f.change]} ${f.path}  ${f.change === 'changed' ? `${formatBytes(f.sizeA)} → ${formatBytes(f.sizeB)}` : formatBytes(f.sizeA ?? f.sizeB)}`,
    );
  if (files.length > MAX_LIST) out.push(`${indent}… ${files.length - MAX_LIST} more`);
  return out;
}

function extras(c: Comparison, section: SectionComparison['section'], all: boolean): string[] {
  const out: string[] = [];
  if (section === 'code') {
    const h = c.code.history;
    if (h?.status === 'ok') {
      out.push(`  commits between them (${h.note ?? 'repository'}):`);
      for (const k of h.commits.slice(0, MAX_LIST))
        out.push(
          `    ${k.side === 'a-only' ? '<' : '>'} ${k.hash.slice(0, 10)} ${clip(k.subject, 70)}  (${k.author}, ${k.date.slice(0, 10)})`,
        );
      if (h.commits.length > MAX_LIST) out.push(`    … ${h.commits.length - MAX_LIST} more`);
      if (h.patch)
        out.push(`  git diff A B: ${h.patch.split('\n').length} lines${h.truncated ? ' (cut)' : ''} (--json has it)`);
    } else if (h?.status === 'unavailable') out.push(`  commit history: unavailable (${h.note})`);
    if (c.code.patch && c.code.patch.status !== 'same') {
      out.push(
        `  uncommitted patches: ${c.code.patch.status === 'changed' ? 'differ' : c.code.patch.status === 'only-a' ? 'only A has one' : 'only B has one'}${c.code.patch.note ? ` (${c.code.patch.note})` : ''}`,
      );
      if (c.code.patch.patch)
        out.push(
          ...c.code.patch.patch
            .split('\n')
            .slice(2, 2 + MAX_LIST)
            .map((l) => `    ${l}`),
        );
    }
  } else if (section === 'data') {
    for (const d of c.data.inputs) {
      if (d.status === 'same' && !all) continue;
      out.push(
        `  ${SIGN[d.status]} input ${d.path}: ${d.filesA ?? '—'} → ${d.filesB ?? '—'} files, ${formatBytes(d.bytesA)} → ${formatBytes(d.bytesB)}${d.status === 'changed' ? `; ${d.changed} changed, ${d.added} added, ${d.removed} removed` : ''}`,
      );
      out.push(...fileLines(d.files, '      '));
    }
  } else if (section === 'software') {
    const py = c.software.python;
    if (py.a !== py.b) out.push(`  Python ${py.a ?? '—'} → ${py.b ?? '—'}${py.step ? ` (${py.step})` : ''}`);
    // without --all a section is shown for what differs: the count alone put "Software (no differences)" in every comparison
    if (all || c.software.packages.length)
      out.push(`  packages: ${c.software.packages.length} differ, ${c.software.packagesSame} same`);
    const pk = c.software.packages.slice(0, MAX_LIST * 2);
    if (pk.length)
      out.push(
        ...formatTable(
          ['', 'PACKAGE', 'A', 'B', 'CHANGE'],
          pk.map((p) => [
            p.change === 'added' ? '+' : p.change === 'removed' ? '-' : '~',
            p.name,
            p.a ?? '—',
            p.b ?? '—',
            describePackageChange(p),
          ]),
        )
          .split('\n')
          .map((l) => `    ${l}`),
      );
    if (c.software.packages.length > pk.length) out.push(`    … ${c.software.packages.length - pk.length} more`);
    for (const d of c.software.envSpecs) {
      if (d.status === 'same') continue;
      out.push(`  spec ${d.path}: ${d.status}${d.note ? ` (${d.note})` : ''}`);
      if (d.patch)
        out.push(
          ...d.patch
            .split('\n')
            .slice(2, 2 + MAX_LIST)
            .map((l) => `    ${l}`),
        );
    }
  } else if (section === 'hardware') {
    if (c.hardware.flagsOnlyA.length) out.push(`  numerics flags only in A: ${c.hardware.flagsOnlyA.join(' ')}`);
    if (c.hardware.flagsOnlyB.length) out.push(`  numerics flags only in B: ${c.hardware.flagsOnlyB.join(' ')}`);
  } else if (section === 'randomness') {
    for (const f of c.randomness.findingsLost) out.push(`  - ${f.file}:${f.line}  ${f.rule}  ${f.message} (only in A)`);
    for (const f of c.randomness.findingsGained)
      out.push(`  + ${f.file}:${f.line}  ${f.rule}  ${f.message} (only in B)`);
  } else if (section === 'outcome') {
    const ms = c.outcome.metrics.filter((m) => all || m.status !== 'same');
    if (ms.length) {
      out.push(
        ...formatTable(
          ['', 'METRIC', 'A', 'B', 'B − A', 'RELATIVE'],
          ms.map((m) => [
            SIGN[m.status],
            m.name,
            m.a === null ? '—' : formatSignificant(m.a),
            m.b === null ? '—' : formatSignificant(m.b),
            m.abs === null ? '—' : formatSignificant(m.abs),
            m.rel === null || !Number.isFinite(m.rel)
              ? '—'
              : `${m.rel >= 0 ? '+' : ''}${(m.rel * 100).toPrecision(3)} %`,
          ]),
        )
          .split('\n')
          .map((l) => `  ${l}`),
      );
    }
  }
  return out;
}

/** A comparison as readable terminal text. */
export function formatComparisonText(
  c: Comparison,
  options: {
    all?: boolean;
    /** The terminal's width; null or absent: a pipe (values cut at 60). */ width?: number | null;
    /** Text that follows the sections (the data shift), before the closing hint, so the hint stays the last line. */
    after?: string;
  } = {},
): string {
  const all = options.all ?? false;
  const width = options.width ?? null;
  const who = (label: string, r: Comparison['a']): string =>
    `${label} ${r.id.slice(0, 8)}${r.name ? ` "${r.name}"` : ''}  ${r.kind}, ${r.createdAt.replace('T', ' ').slice(0, 19)}, ${r.status}`;
  const out: string[] = [who('A', c.a), who('B', c.b), '', c.summary.headline];
  if (c.summary.ranked.length) {
    out.push('', 'Most likely explanations, strongest first');
    c.summary.ranked.slice(0, 8).forEach((item, i) => {
      out.push(`  ${i + 1}. ${item.title}  [${item.section}]`);
      for (const d of item.details.slice(0, 5)) out.push(`       ${d}`);
      if (item.count > 5) out.push(`       … ${item.count - 5} more`);
    });
  }
  // The outcome first: it is what the reader wants explained.
  const order = [...c.sections].sort((x, y) => Number(y.section === 'outcome') - Number(x.section === 'outcome'));
  for (const s of order) {
    const rows = s.rows.filter(
      (r) =>
        (all || r.status !== 'same') &&
        !r.key.startsWith('package:') &&
        !r.key.startsWith('input:') &&
        !r.key.startsWith('metric:') &&
        !r.key.startsWith('finding:') &&
        r.key !== 'patch',
    );
    const more = extras(c, s.section, all);
    const n = shownDifferences(c, s);
    if (!all && n === 0 && more.length === 0) continue;
    out.push('', `${TITLES[s.section]}${n ? ` (${n} difference${n === 1 ? '' : 's'})` : ' (no differences)'}`);
    if (rows.length) out.push(...rowsTable(rows, width));
    out.push(...more);
  }
  if (options.after) out.push('', options.after);
  if (!all) out.push('', 'Only differences are shown; --all shows every fact, --json everything as JSON.');
  return out.join('\n');
}
