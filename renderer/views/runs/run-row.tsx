// One row of the Runs table, memoized: a scroll re-renders only the rows whose run, place or state changed.
import { memo, type ReactNode } from 'react';
import { parseRunColumn, runColumnName, runColumnText, type RunColumn } from '../../../shared/runs/run-columns';
import type { RunSummary } from '../../../shared/snapshot/snapshot';
import { Badge, formatTime } from '../../components/common';
import type { DisplayRow } from './use-run-pages';

/** A row's height in pixels (the virtualizer's estimate and the stylesheet's `.run-row` height). */
export const ROW_HEIGHT = 26;

/** The built-in columns: what each shows, and its width in the grid template. */
export const BUILTIN: { col: RunColumn; width: string; cell: (r: RunSummary, row: DisplayRow) => ReactNode }[] = [
  {
    col: parseRunColumn('id'),
    width: '84px',
    cell: (r, row) => (
      <span className="mono">
        {row.type === 'child' ? <span className="faint">{row.last ? '└ ' : '├ '}</span> : null}
        <a href={`#/run/${r.id}`}>{r.id.slice(0, 8)}</a>
      </span>
    ),
  },
  { col: parseRunColumn('created'), width: '146px', cell: (r) => formatTime(r.createdAt) },
  { col: parseRunColumn('kind'), width: '62px', cell: (r) => r.kind },
  {
    col: parseRunColumn('status'),
    width: '96px',
    // a rerun's own status, never its audit's verdict (the group row carries that)
    cell: (r) => <Badge value={r.status} title={r.exitCode !== null ? `exit ${r.exitCode}` : undefined} />,
  },
  { col: parseRunColumn('name'), width: 'minmax(120px, 1fr)', cell: (r) => r.name },
  { col: parseRunColumn('project'), width: 'minmax(90px, 0.7fr)', cell: (r) => r.project },
];
export const COMMAND = { col: parseRunColumn('command'), width: 'minmax(140px, 1.5fr)' };

/** What a row does when used; one object for the whole table, so that rows need not re-render when it is rebuilt. */
export interface RowActions {
  setCursor(index: number): void;
  open(row: DisplayRow, index: number): void;
  toggleGroup(index: number): void;
  toggleMark(id: string): void;
}

export interface RunRowProps {
  row: DisplayRow;
  index: number;
  /** The row's offset from the top of the list, in pixels. */
  start: number;
  /** The grid's columns (the head's too). */
  template: string;
  keyColumns: readonly RunColumn[];
  isCursor: boolean;
  isMarked: boolean;
  /** The audit's verdict, for a group row. */
  verdict: string | undefined;
  actions: { readonly current: RowActions };
}

/** The row's cells: a group row's audit line, a loading row's ellipsis, or a run's columns. */
function cells({ row, index, keyColumns, isMarked, verdict, actions }: RunRowProps): ReactNode[] {
  if (row.type === 'loading')
    return [
      <span key="l" style={{ gridColumn: '2 / -1' }}>
        …
      </span>,
    ];
  const r = row.run;
  const out: ReactNode[] = [
    <span key="mark">
      {row.type === 'group' ? (
        <button
          className="link disclosure"
          aria-expanded={row.open}
          aria-label={`${row.open ? 'close' : 'open'} the reruns of audit ${r.auditId?.slice(0, 8)}`}
          onClick={(e) => {
            e.stopPropagation();
            actions.current.toggleGroup(index);
          }}
        >
          {row.open ? '▾' : '▸'}
        </button>
      ) : (
        <input
          type="checkbox"
          aria-label={`mark ${r.id.slice(0, 8)} for compare`}
          checked={isMarked}
          onChange={() => actions.current.toggleMark(r.id)}
          onClick={(e) => e.stopPropagation()}
        />
      )}
    </span>,
  ];
  if (row.type === 'group') {
    out.push(
      <span key="group" className="group-cell" style={{ gridColumn: '2 / -1' }} data-testid="rerun-group">
        <a href={`#/audit/${r.auditId}`} className="mono">
          audit {r.auditId?.slice(0, 8)}
        </a>{' '}
        {verdict ? <Badge value={verdict} title="the audit's verdict" /> : null}{' '}
        <span className="muted">
          {r.groupSize} {r.groupSize === 1 ? 'rerun' : 'reruns'}
          {r.project ? ` of ${r.project}` : ''} · {formatTime(r.createdAt)}
        </span>
      </span>,
    );
    return out;
  }
  for (const b of BUILTIN) out.push(<span key={b.col.kind === 'builtin' ? b.col.name : ''}>{b.cell(r, row)}</span>);
  for (const c of keyColumns) {
    const t = runColumnText(r, c);
    out.push(
      <span key={runColumnName(c)} className={c.kind === 'key' && c.key.type === 'metric' ? 'num' : ''} title={t}>
        {t}
      </span>,
    );
  }
  out.push(
    <span key="cmd" className="mono" title={r.command}>
      {r.command}
    </span>,
  );
  return out;
}

function RunRowView(props: RunRowProps): ReactNode {
  const { row, index, start, template, isCursor, actions } = props;
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      data-index={index}
      data-kind={row.type}
      className={`run-row${isCursor ? ' cursor' : ''}${row.type === 'loading' ? ' placeholder' : ''}${row.type === 'group' ? ' group' : ''}${row.type === 'child' ? ' child' : ''}`}
      style={{ gridTemplateColumns: template, transform: `translateY(${start}px)` }}
      onClick={() => actions.current.setCursor(index)}
      onDoubleClick={() => actions.current.open(row, index)}
    >
      {cells(props)}
    </div>
  );
}

/** Two rows show the same thing: the same run (or placeholder) in the same state, at the same place. */
function sameRow(a: DisplayRow, b: DisplayRow): boolean {
  if (a.type !== b.type || a.key !== b.key) return false;
  if (a.type === 'loading' || b.type === 'loading') return true;
  if (a.run !== b.run) return false;
  if (a.type === 'group') return b.type === 'group' && a.open === b.open;
  if (a.type === 'child') return b.type === 'child' && a.last === b.last;
  return true;
}

/**
 * A row of the table. `rowAt` builds a new row object on every render, so rows are compared by what they show
 * (their run object is the one of its page, unchanged until the page is fetched again).
 */
export const RunRow = memo(
  RunRowView,
  (a, b) =>
    sameRow(a.row, b.row) &&
    a.index === b.index &&
    a.start === b.start &&
    a.template === b.template &&
    a.keyColumns === b.keyColumns &&
    a.isCursor === b.isCursor &&
    a.isMarked === b.isMarked &&
    a.verdict === b.verdict &&
    a.actions === b.actions,
);
