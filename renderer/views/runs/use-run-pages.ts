/** The run table's rows: pages fetched as they scroll into view, and audits' reruns opened under their group row. */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiInput } from '../../../shared/api/api';
import type { ErrorInfo } from '../../../shared/errors';
import type { RunSummary } from '../../../shared/snapshot/snapshot';
import { call } from '../../api';

const PAGE = 200;
/**
 * Rows beyond each end of the drawn range whose pages are fetched too (a page's worth: the next page is asked for
 * while the drawn rows are still a page away from it). Why: a page fetched only once its first row was drawn came
 * a few frames after a fast scroll reached it (a served page takes 10-100 ms), its rows meanwhile shown as
 * placeholders, then all drawn again in one frame with the rows scrolling in: in the bench's scroll through
 * 100,000 runs that frame was a long task (50-70 ms) once every page or two, on a loaded 2-core machine.
 */
const FETCH_AHEAD = PAGE;

/** What selects the rows (everything of listRuns but the page). */
export type RunsQuery = Omit<ApiInput<'listRuns'>, 'limit' | 'offset'>;

/** One displayed row: a run, a group of reruns standing for its audit, a rerun inside an open group, or not loaded yet. */
export type DisplayRow =
  | { type: 'run'; run: RunSummary; key: string }
  | { type: 'group'; run: RunSummary; key: string; open: boolean }
  | { type: 'child'; run: RunSummary; key: string; last: boolean }
  | { type: 'loading'; key: string };

interface OpenGroup {
  auditId: string;
  /** The group row's index among the top-level rows. */
  top: number;
  children: RunSummary[] | null;
}

/** Pages of `listRuns` for a query, with groups that open; `rowAt(i)` maps a display index to its row. */
export function useRunPages(query: RunsQuery): {
  count: number | null;
  error: ErrorInfo | null;
  rowAt: (index: number) => DisplayRow;
  ensure: (first: number, last: number) => void;
  toggleGroup: (index: number) => void;
  version: number;
  reload: () => void;
} {
  const queryKey = JSON.stringify(query);
  const pages = useRef(new Map<number, RunSummary[]>());
  const inflight = useRef(new Set<number>());
  const generation = useRef(0);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [open, setOpen] = useState<OpenGroup[]>([]);
  const [version, setVersion] = useState(0);
  const [reloads, setReloads] = useState(0);

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
          setTotal(0);
          return;
        }
        setError(null);
        pages.current.set(page, r.value.runs);
        setTotal(r.value.total);
        setVersion((v) => v + 1);
      });
    },
    [queryKey],
  );

  useEffect(() => {
    generation.current++;
    pages.current = new Map();
    inflight.current = new Set();
    setOpen([]);
    fetchPage(0);
  }, [fetchPage, reloads]);

  const sortedOpen = [...open].sort((a, b) => a.top - b.top);
  const childCount = (g: OpenGroup): number => g.children?.length ?? 1;
  const count = total === null ? null : total + sortedOpen.reduce((n, g) => n + childCount(g), 0);

  const topAt = (t: number): RunSummary | undefined => pages.current.get(Math.floor(t / PAGE))?.[t % PAGE];

  /** Display index → (top-level index, child index or -1). */
  const locate = (index: number): { top: number; child: number; group?: OpenGroup } => {
    let offset = 0;
    for (const g of sortedOpen) {
      if (index <= g.top + offset) return { top: index - offset, child: -1 };
      if (index <= g.top + offset + childCount(g)) return { top: g.top, child: index - offset - g.top - 1, group: g };
      offset += childCount(g);
    }
    return { top: index - offset, child: -1 };
  };

  const rowAt = (index: number): DisplayRow => {
    const { top, child, group } = locate(index);
    if (group && child >= 0) {
      const run = group.children?.[child];
      return run
        ? { type: 'child', run, key: `c:${run.id}`, last: child === (group.children?.length ?? 0) - 1 }
        : { type: 'loading', key: `cl:${group.auditId}` };
    }
    const run = topAt(top);
    if (!run) return { type: 'loading', key: `l:${index}` };
    if (run.groupSize !== undefined && run.auditId)
      return { type: 'group', run, key: `g:${run.auditId}`, open: open.some((g) => g.auditId === run.auditId) };
    return { type: 'run', run, key: run.id };
  };

  const ensure = (first: number, last: number): void => {
    const a = Math.max(0, locate(first).top - FETCH_AHEAD);
    const b = Math.min(Math.max(0, (total ?? 0) - 1), locate(last).top + FETCH_AHEAD);
    for (let p = Math.floor(a / PAGE); p <= Math.floor(b / PAGE); p++) fetchPage(p);
  };

  const toggleGroup = (index: number): void => {
    const row = rowAt(index);
    if (row.type !== 'group') return;
    const auditId = row.run.auditId!;
    if (row.open) {
      setOpen((o) => o.filter((g) => g.auditId !== auditId));
      return;
    }
    const { top } = locate(index);
    setOpen((o) => [...o, { auditId, top, children: null }]);
    const { groupReruns: _g, auditIds: _a, ...rest } = query;
    void call('listRuns', { ...rest, auditId, kind: 'rerun', limit: 10_000 }).then((r) => {
      setOpen((o) => o.map((g) => (g.auditId === auditId ? { ...g, children: r.ok ? r.value.runs : [] } : g)));
    });
  };

  return { count, error, rowAt, ensure, toggleGroup, version, reload: () => setReloads((n) => n + 1) };
}
