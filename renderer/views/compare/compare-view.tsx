/* eslint-disable max-lines -- split pending: owner issue-14 */
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { CompareRow, Comparison, SectionComparison } from '../../../shared/compare/compare-model';
import { formatBytes } from '../../../shared/snapshot/snapshot-text';
import { formatRelative, formatSignificant } from '../../../shared/numbers';
import { call } from '../../api';
import { ErrorBox, Loading, formatTime } from '../../components/common';
import { DiffView, type DiffLayout } from '../../components/diff-view';
import { RunPicker } from '../../components/run-picker';
import { go } from '../../router';
import { useAsync } from '../../use-async';
import { DataShiftPanel } from './data-shift-panel';
import type { Snapshot } from '../../../shared/snapshot/snapshot';
import type { ErrorInfo, Result } from '../../../shared/errors';
import { HistoryCharts } from '../runs/history-charts';
import { CompareSetView } from './compare-set-view';

const SECTION_TITLES: Record<SectionComparison['section'], string> = {
  code: 'Code',
  data: 'Data',
  software: 'Software',
  hardware: 'Hardware',
  randomness: 'Randomness',
  process: 'Process',
  outcome: 'Outcome',
};
const rowClass = (s: CompareRow['status']): string =>
  s === 'changed' ? 'diff-changed' : s === 'only-a' ? 'diff-removed' : s === 'only-b' ? 'diff-added' : '';
const num = (v: number | null): string => (v === null ? '' : formatSignificant(v));

function Rows({ rows }: { rows: readonly CompareRow[] }): ReactNode {
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

function SectionExtras({
  c,
  section,
  layout,
  onlyDiffs,
}: {
  c: Comparison;
  section: SectionComparison['section'];
  layout: DiffLayout;
  onlyDiffs: boolean;
}): ReactNode {
  switch (section) {
    case 'code':
      return (
        <>
          {c.code.uncommitted.a ? (
            <>
              <h3>Uncommitted patch of A</h3>
              <DiffView patch={c.code.uncommitted.a} layout={layout} />
            </>
          ) : null}
          {c.code.uncommitted.b ? (
            <>
              <h3>Uncommitted patch of B</h3>
              <DiffView patch={c.code.uncommitted.b} layout={layout} />
            </>
          ) : null}
          {c.code.patch?.patch ? (
            <>
              <h3>The two patches diffed (A → B)</h3>
              <DiffView patch={c.code.patch.patch} layout={layout} />
            </>
          ) : null}
          {c.code.history?.commits.length ? (
            <>
              <h3>Commits between them</h3>
              <table className="grid">
                <tbody>
                  {c.code.history.commits.map((k) => (
                    <tr key={k.hash}>
                      <td className="mono">{k.hash.slice(0, 10)}</td>
                      <td>{k.side === 'a-only' ? 'only in A' : 'only in B'}</td>
                      <td>{k.subject}</td>
                      <td className="faint">
                        {k.author}, {formatTime(k.date)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : null}
          {c.code.history?.patch ? (
            <>
              <h3>git diff A B{c.code.history.truncated ? ' (cut)' : ''}</h3>
              <DiffView patch={c.code.history.patch} layout={layout} />
            </>
          ) : null}
          {c.code.untracked.length ? (
            <>
              <h3>Untracked files</h3>
              <FileChanges files={c.code.untracked} />
            </>
          ) : null}
        </>
      );
    case 'data':
      return (
        <>
          {c.data.inputs
            .filter((d) => !onlyDiffs || d.status !== 'same')
            .map((d) => (
              <div key={d.path} className="section">
                <h3>
                  {d.path}{' '}
                  <span className="faint">
                    {d.changed} changed, {d.added} added, {d.removed} removed · {d.filesA ?? '?'} → {d.filesB ?? '?'}{' '}
                    files, {formatBytes(d.bytesA)} → {formatBytes(d.bytesB)}
                  </span>
                </h3>
                {d.files.length ? <FileChanges files={d.files} /> : null}
                {d.truncated ? <p className="faint">the first {d.files.length} changes are listed</p> : null}
              </div>
            ))}
        </>
      );
    case 'software':
      return (
        <>
          {c.software.python.a !== c.software.python.b ? (
            <p>
              Python {c.software.python.a ?? '?'} → {c.software.python.b ?? '?'}
              {c.software.python.step ? ` (${c.software.python.step})` : ''}
            </p>
          ) : null}
          <h3>
            Packages{' '}
            <span className="faint">
              {c.software.packages.length} differ, {c.software.packagesSame} same
            </span>
          </h3>
          {c.software.packages.length ? (
            <table className="grid" data-testid="package-diff">
              <thead>
                <tr>
                  <th>package</th>
                  <th>A</th>
                  <th>B</th>
                  <th>change</th>
                  <th>step</th>
                </tr>
              </thead>
              <tbody>
                {c.software.packages.map((p) => (
                  <tr
                    key={p.name}
                    className={
                      p.change === 'added' ? 'diff-added' : p.change === 'removed' ? 'diff-removed' : 'diff-changed'
                    }
                  >
                    <td className="key">{p.name}</td>
                    <td className="val a mono">{p.a ?? '—'}</td>
                    <td className="val b mono">{p.b ?? '—'}</td>
                    <td>{p.change}</td>
                    <td>{p.step ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {c.software.envSpecs
            .filter((e) => !onlyDiffs || e.status !== 'same')
            .map((e) => (
              <div key={e.path} className="section">
                <h3>
                  {e.path}{' '}
                  <span className="faint">
                    {e.status}
                    {e.note ? ` · ${e.note}` : ''}
                  </span>
                </h3>
                {e.patch ? <DiffView patch={e.patch} layout={layout} /> : null}
              </div>
            ))}
        </>
      );
    case 'hardware':
      return c.hardware.flagsOnlyA.length || c.hardware.flagsOnlyB.length ? (
        <p>
          Instruction-set flags only in A: <code>{c.hardware.flagsOnlyA.join(' ') || '—'}</code>; only in B:{' '}
          <code>{c.hardware.flagsOnlyB.join(' ') || '—'}</code>
        </p>
      ) : null;
    case 'randomness':
      return c.randomness.findingsGained.length || c.randomness.findingsLost.length ? (
        <>
          <h3>Seed-scan findings</h3>
          <table className="grid">
            <tbody>
              {c.randomness.findingsLost.map((f, i) => (
                <tr key={`l${i}`} className="diff-removed">
                  <td className="a">only in A</td>
                  <td className="mono">
                    {f.file}:{f.line}
                  </td>
                  <td>{f.rule}</td>
                  <td>{f.message}</td>
                </tr>
              ))}
              {c.randomness.findingsGained.map((f, i) => (
                <tr key={`g${i}`} className="diff-added">
                  <td className="b">only in B</td>
                  <td className="mono">
                    {f.file}:{f.line}
                  </td>
                  <td>{f.rule}</td>
                  <td>{f.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null;
    case 'outcome': {
      const metrics = c.outcome.metrics.filter((m) => !onlyDiffs || m.status !== 'same');
      return metrics.length ? (
        <>
          <h3>Metrics</h3>
          <table className="grid" data-testid="metric-diff">
            <thead>
              <tr>
                <th>metric</th>
                <th>A</th>
                <th>B</th>
                <th>B − A</th>
                <th>relative</th>
              </tr>
            </thead>
            <tbody>
              {metrics.map((m) => (
                <tr key={m.name} className={rowClass(m.status)}>
                  <td className="key">{m.name}</td>
                  <td className="val a mono">{num(m.a)}</td>
                  <td className="val b mono">{num(m.b)}</td>
                  <td className="mono">{num(m.abs)}</td>
                  <td className="mono">{m.rel === null ? '' : formatRelative(m.rel)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null;
    }
    default:
      return null;
  }
}

function FileChanges({ files }: { files: Comparison['code']['untracked'] }): ReactNode {
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

/** Both runs' metric histories overlaid, A as the baseline the divergence step is measured from. */
function CompareHistories({ a, b }: { a: string; b: string }): ReactNode {
  const runs = useAsync(
    (): Promise<Result<[Snapshot, Snapshot]>> =>
      Promise.all([call('getRun', { id: a }), call('getRun', { id: b })]).then(([x, y]) =>
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
        { label: `A ${sa.name ?? sa.id.slice(0, 8)}`, snapshot: sa },
        { label: `B ${sb.name ?? sb.id.slice(0, 8)}`, snapshot: sb },
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
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const t = e.target as HTMLElement;
      if (t.tagName === 'INPUT' || t.tagName === 'SELECT' || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 'd' && !embedded) setOnlyDiffs((v) => !v);
      if (e.key === 's') setLayout((l) => (l === 'split' ? 'unified' : 'split'));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [embedded]);
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
        <label className="row">
          <input
            type="checkbox"
            checked={onlyDiffs}
            onChange={(e) => setOnlyDiffs(e.target.checked)}
            data-testid="only-differences"
          />{' '}
          only differences
        </label>
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
            {SECTION_TITLES[s.section]}{' '}
            <span className="faint">{s.differences ? `${s.differences} differences` : 'same'}</span>
          </h2>
          {s.shown.length || !onlyDiffs ? <Rows rows={s.shown} /> : null}
          <SectionExtras c={c} section={s.section} layout={layout} onlyDiffs={onlyDiffs} />
        </section>
      ))}
      {c.dataShift ? <DataShiftPanel shift={c.dataShift} layout={layout} /> : null}
    </div>
  );
}
