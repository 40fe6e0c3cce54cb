// The app shell: navigation on the left, the current route's view on the right, global keys, audits' verdicts for the Runs view.
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { call } from './api';
import { go, routeHash, useRoute, type Route } from './router';
import { useOp } from './use-op';
import { AuditView } from './views/audit/audit-view';
import { CompareView } from './views/compare/compare-view';
import { ImportView } from './views/import/import-view';
import { ReportView } from './views/report/report-view';
import { RunView } from './views/runs/run-view';
import { RunsView } from './views/runs/runs-view';

const NAV: { label: string; key: string; route: Route }[] = [
  { label: 'Runs', key: '1', route: { view: 'runs' } },
  { label: 'Compare', key: '2', route: { view: 'compare', a: null, b: null } },
  { label: 'Audit', key: '3', route: { view: 'audit', id: null } },
  { label: 'Report', key: '4', route: { view: 'report', kind: null, a: null, b: null } },
  { label: 'Import', key: '5', route: { view: 'import' } },
];

const KEYS: [string, string][] = [
  ['1 … 5', 'Runs, Compare, Audit, Report, Import'],
  ['/', 'search runs'],
  ['j / k, ↓ / ↑', 'move in a list'],
  ['Enter', 'open'],
  ['x', 'mark a run for compare'],
  ['c', 'compare the marked runs (2 to 20, the first marked is the baseline)'],
  ['d / s', 'compare: only differences / split diffs'],
  ['[ / ]', 'previous / next tab'],
  ['?', 'this help'],
  ['Esc', 'close'],
];

/** Audits' verdicts by audit id, for the Runs view's verdict column and filter (empty until audits exist). */
function useAuditVerdicts(view: Route['view']): Map<string, string> {
  const [map, setMap] = useState(new Map<string, string>());
  useEffect(() => {
    if (view !== 'runs') return; // read again whenever Runs is shown: audits finish while the user is elsewhere
    void call('listAudits', {}).then((r) => {
      if (r.ok) setMap(new Map(r.value.audits.flatMap((a) => (a.verdict ? [[a.id, a.verdict] as const] : []))));
    });
  }, [view]);
  return map;
}

/** The app: navigation on the left, one view on the right, global keys. */
export function App(): ReactNode {
  const route = useRoute();
  const [help, setHelp] = useState(false);
  // re-read on each move: runs captured elsewhere (the CLI, an audit) show in the count
  const info = useOp('storeInfo', {}, `${route.view}:${'id' in route ? (route.id ?? '') : ''}`);
  const verdicts = useAuditVerdicts(route.view);
  const verdictNames = useMemo(
    () => ['reproduced-exact', 'reproduced-within-tolerance', 'statistically-consistent', 'not-reproduced', 'failed'],
    [],
  );
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const t = e.target as HTMLElement;
      if (
        t.tagName === 'INPUT' ||
        t.tagName === 'TEXTAREA' ||
        t.tagName === 'SELECT' ||
        e.ctrlKey ||
        e.metaKey ||
        e.altKey
      )
        return;
      const nav = NAV.find((n) => n.key === e.key);
      if (nav) {
        go(nav.route);
        e.preventDefault();
      }
      if (e.key === '?') setHelp((h) => !h);
      if (e.key === 'Escape') setHelp(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  const active = route.view === 'run' ? 'runs' : route.view;
  return (
    <div className="app">
      <nav className="nav" aria-label="Views">
        <div className="brand">reproscope</div>
        {NAV.map((n) => (
          <a key={n.label} href={routeHash(n.route)} className={active === n.route.view ? 'active' : ''}>
            {n.label}
            <kbd>{n.key}</kbd>
          </a>
        ))}
        <div className="foot" title={info.data?.dbPath}>
          {info.data ? (
            <>
              {info.data.runs.toLocaleString()} runs
              <br />
              {info.data.dir}
              <br />v{info.data.version}
            </>
          ) : null}
          <div>
            <a
              href="#"
              onClick={(e) => {
                e.preventDefault();
                setHelp(true);
              }}
            >
              keys (?)
            </a>
          </div>
        </div>
      </nav>
      <main className="main">
        {route.view === 'runs' ? <RunsView verdicts={verdictNames} auditVerdicts={verdicts} /> : null}
        {route.view === 'run' ? <RunView key={route.id} id={route.id} /> : null}
        {route.view === 'compare' ? <CompareView a={route.a} b={route.b} rest={route.rest ?? []} /> : null}
        {route.view === 'audit' ? <AuditView id={route.id} /> : null}
        {route.view === 'report' ? (
          <ReportView kind={route.kind} a={route.a} b={route.b} rest={route.rest ?? []} />
        ) : null}
        {route.view === 'import' ? <ImportView /> : null}
      </main>
      {help ? (
        <div className="help" role="dialog" aria-label="Keyboard shortcuts">
          <b>Keys</b>
          <table>
            <tbody>
              {KEYS.map(([k, v]) => (
                <tr key={k}>
                  <td>
                    <kbd>{k}</kbd>
                  </td>
                  <td>{v}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}
