/** The Run view: one snapshot by category, a tab each, with [ and ] to move between tabs. */
import { useEffect, useState, type ReactNode } from 'react';
import type { Snapshot } from '../../../shared/snapshot/snapshot';
import { Badge, ErrorBox, Loading, formatTime } from '../../components/common';
import { type DiffLayout } from '../../components/diff-view';
import { go } from '../../router';
import { useOp } from '../../use-op';
import { CodePanel, DataPanel } from './run-code-data';
import { HardwarePanel, SoftwarePanel } from './run-machine';
import { LogPanel, OutcomePanel, ProcessPanel, RandomnessPanel } from './run-process-outcome';

/** The tabs of a run, in DESIGN.md's category order plus outcome and logs. */
export const RUN_TABS = ['Code', 'Data', 'Software', 'Hardware', 'Randomness', 'Process', 'Outcome', 'Logs'] as const;
type Tab = (typeof RUN_TABS)[number];

/** One category of a snapshot, as the Run view shows it. */
export function CategoryPanel({
  snapshot: s,
  tab,
  layout,
}: {
  snapshot: Snapshot;
  tab: Tab;
  layout: DiffLayout;
}): ReactNode {
  switch (tab) {
    case 'Code':
      return <CodePanel snapshot={s} layout={layout} />;
    case 'Data':
      return <DataPanel snapshot={s} />;
    case 'Software':
      return <SoftwarePanel snapshot={s} />;
    case 'Hardware':
      return <HardwarePanel snapshot={s} />;
    case 'Randomness':
      return <RandomnessPanel snapshot={s} />;
    case 'Process':
      return <ProcessPanel snapshot={s} />;
    case 'Outcome':
      return <OutcomePanel snapshot={s} />;
    case 'Logs':
      return (
        <>
          <LogPanel id={s.id} stream="stdout" />
          <LogPanel id={s.id} stream="stderr" />
        </>
      );
  }
}

/** One snapshot by category. */
export function RunView({ id }: { id: string }): ReactNode {
  // histories are drawn from getRunHistories, thinned: a million-point history never comes to the app whole
  const run = useOp('getRun', { id, histories: false }, id);
  const [tab, setTab] = useState<Tab>('Code');
  const [layout, setLayout] = useState<DiffLayout>('unified');
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (document.activeElement?.tagName === 'INPUT') return;
      const i = RUN_TABS.indexOf(tab);
      if (e.key === ']') setTab(RUN_TABS[(i + 1) % RUN_TABS.length]!);
      if (e.key === '[') setTab(RUN_TABS[(i + RUN_TABS.length - 1) % RUN_TABS.length]!);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [tab]);
  if (run.error)
    return (
      <div className="view">
        <ErrorBox error={run.error} title={`Could not open run ${id}`} />
      </div>
    );
  const s = run.data;
  if (!s)
    return (
      <div className="view">
        <Loading what="the run" />
      </div>
    );
  const counts: Partial<Record<Tab, number>> = {
    Data: s.data.inputs.length,
    Software: s.software.packages.length,
    Randomness: s.randomness.scan.findings.length,
    Outcome: Object.keys(s.outcome.metrics).length,
  };
  return (
    <div className="view" data-testid="run-view">
      <div className="toolbar">
        <h1 style={{ margin: 0 }}>{s.name ?? `Run ${s.id.slice(0, 8)}`}</h1>
        <Badge value={s.outcome.status} />
        <span className="badge">{s.kind}</span>
        <span className="mono faint">{s.id}</span>
        <span className="grow" />
        <button onClick={() => go({ view: 'compare', a: s.id, b: null })} title="compare this run with another">
          Compare with…
        </button>
      </div>
      <div className="muted">
        {formatTime(s.createdAt)}
        {s.project.name ? ` · project ${s.project.name}` : ''}
        {s.project.root ? ` (${s.project.root})` : ''}
        {s.auditId ? (
          <>
            {' '}
            · audit <a href={`#/audit/${s.auditId}`}>{s.auditId.slice(0, 8)}</a>
          </>
        ) : null}
        {s.source ? ` · imported from ${s.source.type} ${s.source.location} run ${s.source.runId}` : ''}
      </div>
      {s.warnings.length ? (
        <div className="error-box" style={{ borderColor: 'var(--warn)', background: 'var(--chg-bg)' }}>
          {s.warnings.map((w, i) => (
            <div key={i}>⚠ {w}</div>
          ))}
        </div>
      ) : null}
      <div className="tabs" role="tablist">
        {RUN_TABS.map((t) => (
          <button
            key={t}
            role="tab"
            aria-selected={t === tab}
            className={t === tab ? 'active' : ''}
            onClick={() => setTab(t)}
          >
            {t}
            {counts[t] ? <span className="count">{counts[t]}</span> : null}
          </button>
        ))}
        <span className="grow" style={{ flex: 1 }} />
        {tab === 'Code' && s.code.patch ? (
          <select aria-label="Diff layout" value={layout} onChange={(e) => setLayout(e.target.value as DiffLayout)}>
            <option value="unified">unified</option>
            <option value="split">split</option>
          </select>
        ) : null}
      </div>
      <div role="tabpanel">
        <CategoryPanel snapshot={s} tab={tab} layout={layout} />
      </div>
    </div>
  );
}
