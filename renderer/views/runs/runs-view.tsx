// The Runs view: the table of recorded runs with search, kind and verdict filters, columns and sorting.
import { rowSortingFeature, tableFeatures, useTable, type ColumnDef, type SortingState } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { parseRunColumn, runColumnName, runColumnSortKey } from '../../../shared/runs/run-columns';
import { looksLikeFilter } from '../../../shared/runs/search-filter';
import { call } from '../../api';
import { ErrorBox } from '../../components/common';
import { go } from '../../router';
import { FirstRun } from '../examples/first-run';
import { ColumnPicker, useRememberedColumns } from './column-picker';
import { RunActions } from './run-actions';
import { BUILTIN, COMMAND, ROW_HEIGHT, RunRow, type RowActions } from './run-row';
import { useRunPages, type DisplayRow } from './use-run-pages';

type Kind = 'capture' | 'rerun' | 'import';
const MAX_COMPARE = 20;
/** Rows drawn beyond each edge of the table's visible part. */
const OVERSCAN = 10;

/** Debounces a value so typing does not send a query per keystroke. */
function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

const features = tableFeatures({ rowSortingFeature });

/**
 * Every snapshot as a results table: chosen metric, parameter and tag columns, sort by any column,
 * MLflow's search syntax, reruns grouped under their audit. Pages are fetched as they scroll into
 * view and only the visible rows are in the DOM, so 100,000 runs scroll as smoothly as 10.
 */
export function RunsView({
  verdicts,
  auditVerdicts,
}: {
  verdicts: readonly string[];
  auditVerdicts: ReadonlyMap<string, string>;
}): ReactNode {
  const [text, setText] = useState('');
  const [kind, setKind] = useState<Kind | ''>('');
  const [verdict, setVerdict] = useState('');
  const [grouped, setGrouped] = useState(true);
  const [sorting, setSorting] = useState<SortingState>([]);
  const [picker, setPicker] = useState(false);
  const [columns, setColumns] = useRememberedColumns();
  const typed = useDebounced(text.trim(), 200);
  const auditIds = useMemo(
    () => (verdict ? [...auditVerdicts].filter(([, v]) => v === verdict).map(([id]) => id) : undefined),
    [verdict, auditVerdicts],
  );
  const isFilter = looksLikeFilter(typed);
  const query = useMemo(
    () => ({
      search: typed && !isFilter ? typed : undefined,
      filter: typed && isFilter ? typed : undefined,
      kind: kind || undefined,
      auditIds,
      groupReruns: grouped && kind !== 'rerun' ? true : undefined,
      sort: sorting[0] ? `${sorting[0].id} ${sorting[0].desc ? 'DESC' : 'ASC'}` : undefined,
    }),
    [typed, isFilter, kind, auditIds, grouped, sorting],
  );
  const rows = useRunPages(query);
  const [storeTotal, setStoreTotal] = useState<number | null>(null);
  // Asked again when the list's size changes (an import, a delete, another query), not for every page that arrives:
  // a scroll through 100,000 runs asked once per 200 rows.
  useEffect(() => {
    void call('storeInfo', {}).then((r) => r.ok && setStoreTotal(r.value.runs));
  }, [rows.count]);
  const [cursor, setCursor] = useState(0);
  const [marked, setMarked] = useState<string[]>([]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);

  const keyColumns = useMemo(
    () =>
      columns.flatMap((c) => {
        try {
          return [parseRunColumn(c)];
        } catch {
          return [];
        }
      }),
    [columns],
  );
  const defs = useMemo<ColumnDef<typeof features, DisplayRow>[]>(
    () =>
      [...BUILTIN.map((b) => b.col), ...keyColumns, COMMAND.col].map((col) => ({
        id: runColumnSortKey(col),
        header: col.kind === 'builtin' ? col.name : runColumnName(col).replace(/^(metrics|params|tags)\./, ''),
        accessorFn: () => null,
        meta: { col },
      })),
    [keyColumns],
  );
  const table = useTable({
    features,
    columns: defs,
    data: [] as DisplayRow[],
    state: { sorting },
    onSortingChange: setSorting,
    manualSorting: true,
    enableSortingRemoval: true,
  });
  const template = [
    '28px',
    ...BUILTIN.map((b) => b.width),
    ...keyColumns.map(() => 'minmax(84px, 0.6fr)'),
    COMMAND.width,
  ].join(' ');

  const count = rows.count ?? 0;
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: OVERSCAN,
    // New rows are drawn in a task of their own after the scroll event, not inside it: a jump's screenful of new
    // rows then does not make one long task of input, layout and paint. A scroll of up to the overscan (a wheel's
    // notch) shows no gap, its rows being drawn already; a faster one shows its farthest rows a frame late.
    useFlushSync: false,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  useEffect(() => rows.ensure(first, last), [first, last, rows]);
  useEffect(() => setCursor(0), [query]);

  const toggleMark = (id: string): void =>
    setMarked((m) => (m.includes(id) ? m.filter((x) => x !== id) : [...m, id].slice(-MAX_COMPARE)));
  // One object for every row, its functions those of the latest render: rows need not re-render for new closures.
  const actions = useRef<RowActions>({ setCursor, open: () => undefined, toggleGroup: () => undefined, toggleMark });
  actions.current = {
    setCursor,
    open: (row, index) => {
      if (row.type === 'group') rows.toggleGroup(index);
      else if (row.type !== 'loading') go({ view: 'run', id: row.run.id });
    },
    toggleGroup: (index) => rows.toggleGroup(index),
    toggleMark,
  };
  const compare = (): void => {
    if (marked.length >= 2) go({ view: 'compare', a: marked[0]!, b: marked[1]!, rest: marked.slice(2) });
  };

  const onKey = (e: React.KeyboardEvent): void => {
    const tag = (e.target as HTMLElement).tagName;
    if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA') return;
    const move = (to: number): void => {
      const c = Math.max(0, Math.min(count - 1, to));
      setCursor(c);
      virtualizer.scrollToIndex(c);
      e.preventDefault();
    };
    const row = rows.rowAt(cursor);
    const run = row.type === 'loading' ? undefined : row.run;
    if (e.key === 'j' || e.key === 'ArrowDown') move(cursor + 1);
    else if (e.key === 'k' || e.key === 'ArrowUp') move(cursor - 1);
    else if (e.key === 'PageDown') move(cursor + 20);
    else if (e.key === 'PageUp') move(cursor - 20);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(count - 1);
    else if ((e.key === 'ArrowRight' || e.key === 'ArrowLeft') && row.type === 'group') rows.toggleGroup(cursor);
    else if (e.key === 'Enter' && run) go({ view: 'run', id: run.id });
    else if ((e.key === 'x' || e.key === ' ') && run) {
      toggleMark(run.id);
      e.preventDefault();
    } else if (e.key === 'c') compare();
  };

  useEffect(() => {
    const onSlash = (e: KeyboardEvent): void => {
      if (e.key === '/' && document.activeElement?.tagName !== 'INPUT') {
        e.preventDefault();
        searchRef.current?.focus();
      }
    };
    window.addEventListener('keydown', onSlash);
    return () => window.removeEventListener('keydown', onSlash);
  }, []);

  if (storeTotal === 0 && !rows.error && !typed) return <FirstRun />;
  void rows.version; // re-render marker: pages live in a ref and are announced through `version`

  return (
    <div className="view fill" onKeyDown={onKey}>
      <div className="toolbar">
        <h1 style={{ margin: 0 }}>Runs</h1>
        <span className="muted" data-testid="runs-count">
          {rows.count === null ? '' : `${rows.count.toLocaleString()} ${rows.count === 1 ? 'row' : 'rows'}`}
        </span>
        <span className="grow" />
        <input
          ref={searchRef}
          type="search"
          placeholder="Search, or filter: metrics.accuracy > 0.9 and params.C = '1'  ( / )"
          aria-label="Search runs"
          title="Words search name, project, command and id; MLflow search syntax filters (metrics.x < 1 and params.y = 'z' and tags.t LIKE '%v%')"
          className={isFilter ? 'filter-mode' : ''}
          style={{ width: 420 }}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape' || e.key === 'Enter') {
              (e.target as HTMLInputElement).blur();
              scrollRef.current?.focus();
            }
          }}
        />
        <select aria-label="Kind" value={kind} onChange={(e) => setKind(e.target.value as Kind | '')}>
          <option value="">all kinds</option>
          <option value="capture">capture</option>
          <option value="rerun">rerun</option>
          <option value="import">import</option>
        </select>
        <select
          aria-label="Verdict"
          style={{ width: 170 }}
          value={verdict}
          onChange={(e) => setVerdict(e.target.value)}
          title="the verdict of the audit a rerun belongs to"
        >
          <option value="">any verdict</option>
          {verdicts.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
        <label className="muted" title="one row per audit for its reruns">
          <input type="checkbox" checked={grouped} onChange={(e) => setGrouped(e.target.checked)} /> group reruns
        </label>
        <button onClick={() => setPicker((p) => !p)} aria-expanded={picker}>
          Columns
        </button>
        <button disabled={marked.length < 2} onClick={compare} title="mark runs with x, then press c">
          Compare {marked.length}
        </button>
        <RunActions
          marked={marked}
          query={query}
          columns={[...BUILTIN.map((b) => b.col), ...keyColumns, COMMAND.col]}
          onDeleted={() => {
            setMarked([]);
            rows.reload();
          }}
        />
      </div>
      {picker ? <ColumnPicker chosen={columns} onChange={setColumns} onClose={() => setPicker(false)} /> : null}
      {rows.error ? (
        <ErrorBox error={rows.error} title={query.filter ? 'This filter does not read' : 'Could not list runs'} />
      ) : null}
      <div
        className="runs-table"
        ref={scrollRef}
        tabIndex={0}
        aria-label="Runs"
        role="grid"
        aria-rowcount={count + 1}
        data-testid="runs-table"
      >
        <div className="runs-head" role="row" aria-rowindex={1} style={{ gridTemplateColumns: template }}>
          <span />
          {table.getHeaderGroups()[0]!.headers.map((h) => {
            const dir = h.column.getIsSorted();
            return (
              <span
                key={h.id}
                role="columnheader"
                aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : 'none'}
              >
                <button
                  className="link sort"
                  title={`sort by ${h.id}`}
                  data-sort-key={h.id}
                  onClick={() =>
                    setSorting(
                      dir === false ? [{ id: h.id, desc: false }] : dir === 'asc' ? [{ id: h.id, desc: true }] : [],
                    )
                  }
                >
                  {String(h.column.columnDef.header)}
                  {dir === 'asc' ? ' ▲' : dir === 'desc' ? ' ▼' : ''}
                </button>
              </span>
            );
          })}
        </div>
        <div className="runs-body" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const row = rows.rowAt(item.index);
            const run = row.type === 'loading' ? undefined : row.run;
            return (
              <RunRow
                key={row.key}
                row={row}
                index={item.index}
                start={item.start}
                template={template}
                keyColumns={keyColumns}
                isCursor={item.index === cursor}
                isMarked={run !== undefined && marked.includes(run.id)}
                verdict={row.type === 'group' && run?.auditId ? auditVerdicts.get(run.auditId) : undefined}
                actions={actions}
              />
            );
          })}
        </div>
        {rows.count === 0 && !rows.error ? (
          <div className="empty">
            No run matches{storeTotal ? ` (${storeTotal.toLocaleString()} runs in the store)` : ''}.
          </div>
        ) : null}
      </div>
      <div className="faint" style={{ padding: '4px 0' }}>
        <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>Enter</kbd> open · <kbd>→</kbd> open a group · <kbd>x</kbd> mark ·{' '}
        <kbd>c</kbd> compare marked · <kbd>/</kbd> search or filter · <kbd>?</kbd> all keys
      </div>
    </div>
  );
}
