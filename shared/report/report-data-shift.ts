// The data-shift section of comparison reports, in HTML and Markdown: changed data inputs under Data, changed outputs under Outcome, each file with its tables, arrays, diffs or images.
import type { ArrayShift, DataShift, FileShift } from '../compare/data-shift-model';
import { columnTable, describeTest, centre, fileLabel, fileSummary, shortNumber } from '../compare/data-shift-format';
import { escapeHtml as e, escapeMarkdownCell as cell, escapeMarkdownText as text, markdownFence } from './escape';

/** Columns and rows listed per table in a report (the JSON report holds every one). */
const REPORT_COLUMNS = 30;

function filesOf(shift: DataShift | null | undefined, area: FileShift['area']): FileShift[] {
  return shift ? shift.files.filter((f) => f.area === area) : [];
}

function rowClass(status: string): string {
  return status === 'only-a' || status === 'removed'
    ? 's-only-a'
    : status === 'only-b' || status === 'added'
      ? 's-only-b'
      : status === 'same'
        ? ''
        : 's-changed';
}

function htmlTable(head: readonly string[], rows: readonly string[][], classes: readonly string[] = []): string {
  return `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r, i) => `<tr class="${classes[i] ?? ''}">${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function arraysHtml(list: readonly ArrayShift[]): string {
  return htmlTable(
    ['name', 'dtype A → B', 'shape A → B', 'max |Δ|', 'max rel Δ', 'beyond tolerance'],
    list.map((x) => [
      `<code>${e(x.name)}</code>`,
      e(`${x.dtypeA ?? '—'} → ${x.dtypeB ?? '—'}`),
      e(`(${x.shapeA?.join(', ') ?? '—'}) → (${x.shapeB?.join(', ') ?? '—'})`),
      e(shortNumber(x.maxAbsDiff)),
      e(shortNumber(x.maxRelDiff)),
      e(x.beyondTolerance === null ? (x.note ?? '—') : `${x.beyondTolerance} of ${x.elements}`),
    ]),
    list.map((x) => rowClass(x.status)),
  );
}

function patchHtml(patch: string): string {
  const lines = patch.split('\n').map((l) => {
    const cls = l.startsWith('@@') ? 'hunk' : l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : '';
    return cls ? `<span class="${cls}">${e(l)}</span>` : e(l);
  });
  return `<pre>${lines.join('\n')}</pre>`;
}

function fileHtml(f: FileShift): string {
  const out = [
    `<h3 data-testid="data-shift-file">${e(fileLabel(f))} <span class="badge">${e(f.change)}</span>${f.kind ? ` <span class="badge">${e(f.kind)}</span>` : ''}</h3>`,
    `<p class="note">${e(fileSummary(f))}${f.stored ? ' (analysed earlier, read from the store)' : ''}</p>`,
  ];
  const d = f.detail;
  if (!d) return out.join('\n');
  if (d.kind === 'table') {
    const s = d.schema;
    const schema = [
      ...s.added.map((c) => `added ${c.name} (${c.type})`),
      ...s.removed.map((c) => `removed ${c.name} (${c.type})`),
      ...s.renamed.map((c) => `renamed ${c.from} → ${c.to}`),
      ...s.retyped.map((c) => `${c.name}: ${c.a} → ${c.b}`),
    ];
    if (schema.length) out.push(`<p>Schema: ${schema.map((x) => e(x)).join('; ')}</p>`);
    const cols = d.columns.slice(0, REPORT_COLUMNS);
    out.push(
      htmlTable(
        ['column', 'type', 'A', 'B', 'min A → B', 'max A → B', 'missing', 'test', 'moved'],
        cols.map((c) => [
          e(c.name),
          e(c.a?.type === c.b?.type ? (c.a?.type ?? c.b?.type ?? '') : `${c.a?.type ?? '—'} → ${c.b?.type ?? '—'}`),
          e(centre(c.a)),
          e(centre(c.b)),
          e(`${shortNumber(c.a?.min)} → ${shortNumber(c.b?.min)}`),
          e(`${shortNumber(c.a?.max)} → ${shortNumber(c.b?.max)}`),
          e(`${c.a?.missing ?? '—'} → ${c.b?.missing ?? '—'}`),
          e(describeTest(c)),
          e(shortNumber(c.movement)),
        ]),
        cols.map((c) => rowClass(c.status)),
      ),
    );
    const r = d.rows;
    if (r) {
      out.push(
        `<p class="note">Rows by ${e(r.keyedBy)}: ${r.differing === null ? 'not compared' : `${r.differing} differ`}${r.note ? ` (${e(r.note)})` : ''}; compared on the ${r.columns.length} columns both versions have.</p>`,
      );
      if (r.rows.length) {
        const body: string[][] = [];
        const classes: string[] = [];
        for (const row of r.rows) {
          for (const [side, cells] of [
            ['A', row.a],
            ['B', row.b],
          ] as const) {
            if (!cells) continue;
            body.push([
              e(`${row.key} ${side}`),
              ...r.columns.map((_, i) =>
                row.changed.includes(i) ? `<strong>${e(cells[i] ?? '∅')}</strong>` : e(cells[i] ?? '∅'),
              ),
            ]);
            classes.push(rowClass(row.status === 'changed' ? (side === 'A' ? 'only-a' : 'only-b') : row.status));
          }
        }
        out.push(
          htmlTable([e(r.keyedBy === 'position' ? 'row' : r.keyedBy), ...r.columns.map((c) => e(c))], body, classes),
        );
      }
    }
  } else if (d.kind === 'array') out.push(arraysHtml(d.arrays));
  else if (d.kind === 'model') out.push(`<p>${e(d.typeA ?? '—')} → ${e(d.typeB ?? '—')}</p>`, arraysHtml(d.params));
  else if (d.kind === 'text') {
    if (d.patch) out.push(patchHtml(d.patch));
    if (d.truncated) out.push('<p class="note">The diff was cut.</p>');
  } else if (d.kind === 'json') {
    out.push(
      htmlTable(
        ['path', 'A', 'B'],
        d.changes.map((c) => [
          `<code>${e(c.path)}</code>`,
          `<code>${e(c.a ?? '—')}</code>`,
          `<code>${e(c.b ?? '—')}</code>`,
        ]),
        d.changes.map((c) => rowClass(c.status)),
      ),
    );
  } else if (d.kind === 'image') {
    const img = (uri: string | null, label: string): string =>
      uri && /^data:image\/png;base64,[A-Za-z0-9+/=]+$/.test(uri)
        ? `<figure><img alt="${e(label)}" src="${uri}" style="max-width:100%;image-rendering:pixelated"><figcaption>${e(label)}</figcaption></figure>`
        : `<p class="muted">${e(label)}: not kept (too large)</p>`;
    out.push(
      `<div style="display:grid;grid-template-columns:1fr 1fr;gap:12px" data-testid="data-shift-images">${img(d.dataA, 'run A')}${img(d.dataB, 'run B')}</div>`,
    );
  }
  return out.join('\n');
}

/** The HTML of the changed files of one area ('' when none). */
export function dataShiftHtml(shift: DataShift | null | undefined, area: FileShift['area']): string {
  const files = filesOf(shift, area);
  if (!files.length) return '';
  return [
    `<h3>${area === 'input' ? 'How the data changed' : 'How the outputs changed'}</h3>`,
    ...files.map(fileHtml),
  ].join('\n');
}

function mdTable(head: readonly string[], rows: readonly string[][]): string {
  return (
    [
      `| ${head.join(' | ')} |`,
      `| ${head.map(() => '---').join(' | ')} |`,
      ...rows.map((r) => `| ${r.join(' | ')} |`),
    ].join('\n') + '\n'
  );
}

function fileMd(f: FileShift): string {
  const out = [`#### ${text(fileLabel(f))} (${f.change}${f.kind ? `, ${f.kind}` : ''})`, '', text(fileSummary(f)), ''];
  const d = f.detail;
  if (!d) return out.join('\n');
  if (d.kind === 'table') {
    out.push(markdownFence(columnTable(d.columns, REPORT_COLUMNS).join('\n')), '');
    const r = d.rows;
    if (r && r.rows.length)
      out.push(
        mdTable(
          [r.keyedBy === 'position' ? 'row' : cell(r.keyedBy), 'side', ...r.columns.map((c) => cell(c))],
          r.rows.flatMap((row) =>
            (
              [
                ['A', row.a],
                ['B', row.b],
              ] as const
            )
              .filter(([, cells]) => cells)
              .map(([side, cells]) => [
                cell(row.key),
                side,
                ...r.columns.map((_, i) =>
                  row.changed.includes(i) ? `**${cell(cells![i] ?? '∅')}**` : cell(cells![i] ?? '∅'),
                ),
              ]),
          ),
        ),
      );
  } else if (d.kind === 'array' || d.kind === 'model') {
    const list = d.kind === 'array' ? d.arrays : d.params;
    out.push(
      mdTable(
        ['name', 'dtype', 'shape', 'max abs Δ', 'beyond tolerance'],
        list.map((x) => [
          cell(x.name),
          cell(`${x.dtypeA ?? '—'} → ${x.dtypeB ?? '—'}`),
          cell(`(${x.shapeA?.join(', ') ?? '—'}) → (${x.shapeB?.join(', ') ?? '—'})`),
          shortNumber(x.maxAbsDiff),
          x.beyondTolerance === null ? cell(x.note ?? '—') : `${x.beyondTolerance} of ${x.elements}`,
        ]),
      ),
    );
  } else if (d.kind === 'text' && d.patch) out.push(markdownFence(d.patch, 'diff'), '');
  else if (d.kind === 'json')
    out.push(
      mdTable(
        ['path', 'A', 'B'],
        d.changes.map((c) => [cell(c.path), cell(c.a ?? '—'), cell(c.b ?? '—')]),
      ),
    );
  else if (d.kind === 'image') out.push('_Both images are shown side by side in the HTML report._', '');
  return out.join('\n');
}

/** The Markdown of the changed files of one area ('' when none). */
export function dataShiftMarkdown(shift: DataShift | null | undefined, area: FileShift['area']): string {
  const files = filesOf(shift, area);
  if (!files.length) return '';
  return [
    `### ${area === 'input' ? 'How the data changed' : 'How the outputs changed'}`,
    '',
    ...files.map(fileMd),
  ].join('\n');
}
