/** The Compare view: two runs side by side by category (facts, extras, histories, data shift), or 3 to 20 runs. */
import { useMemo, useState, type ReactNode } from 'react';
import { call } from '../../api';
import { ErrorBox, Loading, formatTime } from '../../components/common';
import { type DiffLayout } from '../../components/diff-view';
import { RunPicker } from '../../components/run-picker';
import { go } from '../../router';
import { useAsync } from '../../use-async';
import { DataShiftPanel } from './data-shift-panel';
import type { Snapshot } from '../../../shared/snapshot/snapshot';
import type { ErrorInfo, Result } from '../../../shared/errors';
import { HistoryCharts } from '../runs/history-charts';
import { CompareSetView } from './compare-set-view';
import { SECTION_TITLES } from '../../../shared/compare/section-titles';
import { shownDifferences } from '../../../shared/compare/compare-model';
import { OnlyDifferences, usePlainKeys } from './compare-common';
import { Rows } from './compare-tables';
import { SectionExtras } from './section-extras';

/** A section's count beside its title: "same", "1 difference", "3 differences". */
function differencesLabel(n: number): string {
  return n === 0 ? 'same' : `${n} difference${n === 1 ? '' : 's'}`;
}

/** Both runs' metric histories overlaid, A as the baseline the divergence step is measured from. */
function CompareHistories({ a, b }: { a: string; b: string }): ReactNode {
  // the names only: the histories come thinned from getRunHistories
  const runs = useAsync(
    (): Promise<Result<[Snapshot, Snapshot]>> =>
      Promise.all([call('getRun', { id: a, histories: false }), call('getRun', { id: b, histories: false })]).then(
        ([x, y]) =>
          x.ok && y.ok
            ? { ok: true, value: [x.value, y.value] }
            : { ok: false, error: x.ok ? (y as { error: ErrorInfo }).error : x.error },
      ),
    [a, b],
  );
  if (!runs.data) return null;
  const [sa, sb] = runs.data;
  return (
    <HistoryCharts
      runs={[
        { id: sa.id, label: `A ${sa.name ?? sa.id.slice(0, 8)}` },
        { id: sb.id, label: `B ${sb.name ?? sb.id.slice(0, 8)}` },
      ]}
    />
  );
}

/** The Compare view: two runs in detail, or 3 to 20 runs a column each (`rest` holds runs 3 on). */
export function CompareView({ a, b, rest = [] }: { a: string | null; b: string | null; rest?: string[] }): ReactNode {
  if (a && b && rest.length)
    return <CompareSetView ids={[a, b, ...rest]} pairDetail={(x, y) => <PairCompare a={x} b={y} embedded />} />;
  return <PairCompare a={a} b={b} />;
}

/** Two runs side by side by category; `embedded` under an N-run compare (no run picker, histories shown above). */
function PairCompare({
  a,
  b,
  embedded = false,
}: {
  a: string | null;
  b: string | null;
  embedded?: boolean;
}): ReactNode {
  const [onlyDiffs, setOnlyDiffs] = useState(true);
  const [layout, setLayout] = useState<DiffLayout>('unified');
  usePlainKeys(
    (key) => {
      if (key === 'd' && !embedded) setOnlyDiffs((v) => !v);
      if (key === 's') setLayout((l) => (l === 'split' ? 'unified' : 'split'));
    },
    [embedded],
  );
  const result = useAsync(() => (a && b ? call('compareRuns', { a, b }) : null), [a, b]);
  const c = result.data;
  const sections = useMemo(
    () =>
      c?.sections.map((s) => ({ ...s, shown: onlyDiffs ? s.rows.filter((r) => r.status !== 'same') : s.rows })) ?? [],
    [c, onlyDiffs],
  );
  if (!a || !b) {
    return (
      <div className="view">
        <h1>Compare two runs</h1>
        <p className="muted">
          Pick run A and run B (or mark two runs in Runs with <kbd>x</kbd> and press <kbd>c</kbd>).
        </p>
        <div className="split2">
          <RunPicker label="A" value={a} onPick={(id) => go({ view: 'compare', a: id, b })} />
          <RunPicker label="B" value={b} onPick={(id) => go({ view: 'compare', a: a ?? id, b: a ? id : null })} />
        </div>
      </div>
    );
  }
  if (result.error)
    return (
      <div className="view">
        <ErrorBox error={result.error} title="Could not compare" />
        <a href="#/compare">Pick other runs</a>
      </div>
    );
  if (!c)
    return (
      <div className="view">
        <Loading what="the comparison" />
      </div>
    );
  return (
    <div className={embedded ? '' : 'view'} data-testid="compare-ready">
      <div className="toolbar">
        {embedded ? null : <h1 style={{ margin: 0 }}>Compare</h1>}
        <span className="grow" />
        <OnlyDifferences value={onlyDiffs} onChange={setOnlyDiffs} />
        <select aria-label="Diff layout" value={layout} onChange={(e) => setLayout(e.target.value as DiffLayout)}>
          <option value="unified">unified</option>
          <option value="split">split</option>
        </select>
        {embedded ? null : (
          <>
            <button onClick={() => go({ view: 'compare', a: b, b: a })} title="swap A and B">
              Swap
            </button>
            <button onClick={() => go({ view: 'report', kind: 'compare', a, b })}>Report…</button>
          </>
        )}
      </div>
      <div className="split2">
        {[c.a, c.b].map((r, i) => (
          <div key={r.id} className="card">
            <h3>
              <span>
                {i === 0 ? 'A' : 'B'}: <a href={`#/run/${r.id}`}>{r.name ?? r.id.slice(0, 8)}</a>
              </span>
              <span className="mono faint">{r.id.slice(0, 8)}</span>
            </h3>
            <div className="muted">
              {formatTime(r.createdAt)} · {r.kind} · {r.status}
              {r.project ? ` · ${r.project}` : ''}
            </div>
            <div className="mono faint">{r.command}</div>
          </div>
        ))}
      </div>
      <h2>Summary</h2>
      <p data-testid="compare-headline">
        <b>{c.summary.headline}</b>
      </p>
      {c.summary.ranked.length ? (
        <ol className="ranked">
          {c.summary.ranked.map((s, i) => (
            <li key={`${s.kind}-${i}`}>
              <b>{s.title}</b> <span className="faint">({SECTION_TITLES[s.section]})</span>
              {s.details.length ? (
                <div className="muted">
                  {s.details.slice(0, 4).join(' · ')}
                  {s.details.length > 4 ? ` · +${s.details.length - 4} more` : ''}
                </div>
              ) : null}
            </li>
          ))}
        </ol>
      ) : null}
      {embedded ? null : <CompareHistories a={c.a.id} b={c.b.id} />}
      {sections.map((s) => (
        <section key={s.section} className="section" data-testid={`section-${s.section}`}>
          <h2>
            {SECTION_TITLES[s.section]} <span className="faint">{differencesLabel(shownDifferences(c, s))}</span>
          </h2>
          {s.shown.length || !onlyDiffs ? <Rows rows={s.shown} /> : null}
          <SectionExtras c={c} section={s.section} layout={layout} onlyDiffs={onlyDiffs} />
        </section>
      ))}
      {c.dataShift ? <DataShiftPanel shift={c.dataShift} layout={layout} /> : null}
    </div>
  );
}
