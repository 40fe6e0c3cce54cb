/** The two-run Compare view's tables: a section's fact rows, and a list of changed files. */
import type { ReactNode } from 'react';
import type { CompareRow, Comparison } from '../../../shared/compare/compare-model';
import { formatBytes } from '../../../shared/snapshot/snapshot-text';
import { formatSignificant } from '../../../shared/numbers';

/** The row class that colours a fact (or metric) by how A and B differ. */
export const rowClass = (s: CompareRow['status']): string =>
  s === 'changed' ? 'diff-changed' : s === 'only-a' ? 'diff-removed' : s === 'only-b' ? 'diff-added' : '';
/** A number in significant digits, a dash for none (as the fact rows show a value a run lacks; an empty cell read as unread). */
export const num = (v: number | null): string => (v === null ? '—' : formatSignificant(v));

/** A section's facts, A beside B, coloured by status. */
export function Rows({ rows }: { rows: readonly CompareRow[] }): ReactNode {
  if (rows.length === 0) return <p className="muted">No differences.</p>;
  return (
    <table className="grid compare-rows">
      <thead>
        <tr>
          <th style={{ width: '22%' }}>fact</th>
          <th>A</th>
          <th>B</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key} className={rowClass(r.status)} data-status={r.status}>
            <td className="key" title={r.key}>
              {r.label}
            </td>
            <td className="val a mono">{r.a ?? <span className="faint">—</span>}</td>
            <td className="val b mono">{r.b ?? <span className="faint">—</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Files added, removed or changed between A and B, with both sizes. */
export function FileChanges({ files }: { files: Comparison['code']['untracked'] }): ReactNode {
  return (
    <table className="grid">
      <thead>
        <tr>
          <th>file</th>
          <th>change</th>
          <th>size A</th>
          <th>size B</th>
        </tr>
      </thead>
      <tbody>
        {files.map((f) => (
          <tr
            key={f.path}
            className={f.change === 'added' ? 'diff-added' : f.change === 'removed' ? 'diff-removed' : 'diff-changed'}
          >
            <td className="mono">{f.path}</td>
            <td>{f.change}</td>
            <td className="a">{f.sizeA === null ? '' : formatBytes(f.sizeA)}</td>
            <td className="b">{f.sizeB === null ? '' : formatBytes(f.sizeB)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
