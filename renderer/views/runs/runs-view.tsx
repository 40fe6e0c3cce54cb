import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ErrorInfo } from '../../../shared/errors';
import type { RunSummary } from '../../../shared/snapshot/snapshot';
import { call } from '../../api';
import { Badge, ErrorBox, formatTime } from '../../components/common';
import { go } from '../../router';
import { FirstRun } from '../examples/first-run';

const PAGE = 200;
const ROW_HEIGHT = 26;
type Kind = 'capture' | 'rerun' | 'import';

/** The filters of the run list. */
interface Filters {
  search: string;
  kind: Kind | '';
  verdict: string;
}

/** Debounces a value so typing does not send a query per keystroke. */
function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/**
 * Every snapshot, newest first: pages of the list are fetched as they scroll into view, and only
 * the visible rows are in the DOM, so 100,000 runs scroll as smoothly as 10.
 */
export function RunsView({
  verdicts,
  auditVerdicts,
}: {
  verdicts: readonly string[];
  auditVerdicts: ReadonlyMap<string, string>;
}): ReactNode {
  const [filters, setFilters] = useState<Filters>({ search: '', kind: '', verdict: '' });
  const search = useDebounced(filters.search, 150);
  // the verdict belongs to an audit: filter to the runs of the audits that reached it
  const auditIds = useMemo(
    () => (filters.verdict ? [...auditVerdicts].filter(([, v]) => v === filters.verdict).map(([id]) => id) : undefined),
    [filters.verdict, auditVerdicts],
  );
  const query = useMemo(
    () => ({ search: search.trim() || undefined, kind: filters.kind || undefined, auditIds }),
    [search, filters.kind, auditIds],
  );
  const queryKey = JSON.stringify(query);
  const [total, setTotal] = useState<number | null>(null);
  const [storeTotal, setStoreTotal] = useState<number | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const pages = useRef(new Map<number, RunSummary[]>());
  const inflight = useRef(new Set<number>());
  const [version, setVersion] = useState(0);
  const [cursor, setCursor] = useState(0);
  const [marked, setMarked] = useState<string[]>([]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const generation = useRef(0);

  const fetchPage = useCallback(
    (page: number) => {
      if (pages.current.has(page) || inflight.current.has(page)) return;
      inflight.current.add(page);
      const gen = generation.current;
      void call('listRuns', { ...query, limit: PAGE, offset: page * PAGE }).then((r) => {
        if (gen !== generation.current) return;
        inflight.current.delete(page);
        if (!r.ok) {
          setError(r.error);
          return;
        }
        pages.current.set(page, r.value.runs);
        setTotal(r.value.total);
        if (!query.search && !query.kind && !query.auditIds) setStoreTotal(r.value.total);
        setVersion((v) => v + 1);
      });
    },
    [query],
  );

  useEffect(() => {
    generation.current++;
    pages.current = new Map();
    inflight.current = new Set();
    setError(null);
    setCursor(0);
    fetchPage(0);
  }, [queryKey, fetchPage]);

  const count = total ?? 0;
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  useEffect(() => {
    for (let p = Math.floor(first / PAGE); p <= Math.floor(last / PAGE); p++) fetchPage(p);
  }, [first, last, fetchPage]);

  const rowAt = (i: number): RunSummary | undefined => pages.current.get(Math.floor(i / PAGE))?.[i % PAGE];
  const toggleMark = (id: string): void =>
    setMarked((m) => (m.includes(id) ? m.filter((x) => x !== id) : [...m.slice(-1), id]));

  const onKey = (e: React.KeyboardEvent): void => {
    if ((e.target as HTMLElement).tagName === 'INPUT' || (e.target as HTMLElement).tagName === 'SELECT') return;
    const move = (to: number): void => {
      const c = Math.max(0, Math.min(count - 1, to));
      setCursor(c);
      virtualizer.scrollToIndex(c);
      e.preventDefault();
    };
    const row = rowAt(cursor);
    if (e.key === 'j' || e.key === 'ArrowDown') move(cursor + 1);
    else if (e.key === 'k' || e.key === 'ArrowUp') move(cursor - 1);
    else if (e.key === 'PageDown') move(cursor + 20);
    else if (e.key === 'PageUp') move(cursor - 20);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(count - 1);
    else if (e.key === 'Enter' && row) go({ view: 'run', id: row.id });
    else if ((e.key === 'x' || e.key === ' ') && row) {
      toggleMark(row.id);
      e.preventDefault();
    } else if (e.key === 'c' && marked.length === 2) go({ view: 'compare', a: marked[0]!, b: marked[1]! });
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

  if (storeTotal === 0 && !error) return <FirstRun />;

  void version; // re-render marker: pages are kept in a ref and announced through `version`
  return (
    <div className="view fill" onKeyDown={onKey}>
      <div className="toolbar">
        <h1 style={{ margin: 0 }}>Runs</h1>
        <span className="muted" data-testid="runs-count">
          {total === null ? '' : `${total.toLocaleString()} ${total === 1 ? 'run' : 'runs'}`}
        </span>
        <span className="grow" />
        <input
          ref={searchRef}
          type="search"
          placeholder="Search name, project, command, id  ( / )"
          aria-label="Search runs"
          style={{ width: 320 }}
          value={filters.search}
          onChange={(e) => setFilters({ ...filters, search: e.target.value })}
          onKeyDown={(e) => {
            if (e.key === 'Escape' || e.key === 'Enter') {
              (e.target as HTMLInputElement).blur();
              scrollRef.current?.focus();
            }
          }}
        />
        <select
          aria-label="Kind"
          value={filters.kind}
          onChange={(e) => setFilters({ ...filters, kind: e.target.value as Kind | '' })}
        >
          <option value="">all kinds</option>
          <option value="capture">capture</option>
          <option value="rerun">rerun</option>
          <option value="import">import</option>
        </select>
        <select
          aria-label="Verdict"
          style={{ width: 190 }}
          value={filters.verdict}
          onChange={(e) => setFilters({ ...filters, verdict: e.target.value })}
          title="the verdict of the audit a rerun belongs to"
        >
          <option value="">any verdict</option>
          {verdicts.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
        <button
          disabled={marked.length !== 2}
          onClick={() => go({ view: 'compare', a: marked[0]!, b: marked[1]! })}
          title="mark two runs with x, then press c"
        >
          Compare {marked.length}/2
        </button>
      </div>
      {error ? <ErrorBox error={error} title="Could not list runs" /> : null}
      <div
        className="runs-table"
        ref={scrollRef}
        tabIndex={0}
        aria-label="Runs"
        role="grid"
        aria-rowcount={count}
        data-testid="runs-table"
      >
        <div className="runs-head" role="row">
          <span />
          <span>id</span>
          <span>created</span>
          <span>kind</span>
          <span>status</span>
          <span>name</span>
          <span>project</span>
          <span>command</span>
        </div>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const r = rowAt(item.index);
            const verdict = r?.auditId ? auditVerdicts.get(r.auditId) : undefined;
            return (
              <div
                key={item.key}
                role="row"
                data-index={item.index}
                className={`run-row${item.index === cursor ? ' cursor' : ''}${r ? '' : ' placeholder'}`}
                style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${item.start}px)` }}
                onClick={() => setCursor(item.index)}
                onDoubleClick={() => r && go({ view: 'run', id: r.id })}
              >
                {r ? (
                  <>
                    <span>
                      <input
                        type="checkbox"
                        aria-label={`mark ${r.id.slice(0, 8)} for compare`}
                        checked={marked.includes(r.id)}
                        onChange={() => toggleMark(r.id)}
                        onClick={(e) => e.stopPropagation()}
                      />
                    </span>
                    <span className="mono">
                      <a href={`#/run/${r.id}`}>{r.id.slice(0, 8)}</a>
                    </span>
                    <span>{formatTime(r.createdAt)}</span>
                    <span>{r.kind}</span>
                    <span>
                      {verdict ? (
                        <Badge value={verdict} />
                      ) : (
                        <Badge value={r.status} title={r.exitCode !== null ? `exit ${r.exitCode}` : undefined} />
                      )}
                    </span>
                    <span title={r.name ?? ''}>{r.name}</span>
                    <span title={r.project ?? ''}>{r.project}</span>
                    <span className="mono" title={r.command}>
                      {r.command}
                    </span>
                  </>
                ) : (
                  <span style={{ gridColumn: '2 / -1' }}>…</span>
                )}
              </div>
            );
          })}
        </div>
        {total === 0 ? <div className="empty">No run matches these filters.</div> : null}
      </div>
      <div className="faint" style={{ padding: '4px 0' }}>
        <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>Enter</kbd> open · <kbd>x</kbd> mark · <kbd>c</kbd> compare two marked ·{' '}
        <kbd>/</kbd> search · <kbd>?</kbd> all keys
      </div>
    </div>
  );
}
