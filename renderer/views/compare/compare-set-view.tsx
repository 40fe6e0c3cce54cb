/** Compare 3 to 20 runs: a column per run (the first the baseline), differences highlighted, histories overlaid, and the detail of the baseline with any one run. */
import { useState, type ReactNode } from 'react';
import type { RunSetComparison, RunSetRow } from '../../../shared/compare/compare-many-model';
import { formatRelative, formatSignificant } from '../../../shared/numbers';
import type { Result } from '../../../shared/errors';
import type { Snapshot } from '../../../shared/snapshot/snapshot';
import { call } from '../../api';
import { ErrorBox, Loading } from '../../components/common';
import { go } from '../../router';
import { useAsync } from '../../use-async';
import { HistoryCharts } from '../runs/history-charts';
import { SECTION_TITLES } from '../../../shared/compare/section-titles';
import { OnlyDifferences, usePlainKeys } from './compare-common';

/** A full hash reads as its first 12 characters in a column; its title keeps it whole. */
const short = (v: string): string => (/^[0-9a-f]{40,64}$/.test(v) ? v.slice(0, 12) : v);
const runName = (r: RunSetComparison['runs'][number]): string => r.name ?? r.id.slice(0, 8);

function RunHeads({ c }: { c: RunSetComparison }): ReactNode {
  return (
    <>
      {c.runs.map((r, i) => (
        <th key={r.id} title={`${r.id}\n${r.command}`} className={i === 0 ? 'baseline' : ''}>
          <span className="faint">#{i + 1}</span> <a href={`#/run/${r.id}`}>{runName(r)}</a>
          {i === 0 ? <div className="faint">baseline</div> : null}
        </th>
      ))}
    </>
  );
}

function FactTable({ c, rows }: { c: RunSetComparison; rows: readonly RunSetRow[] }): ReactNode {
  return (
    <div className="set-scroll">
      <table className="grid set-table">
        <thead>
          <tr>
            <th className="key">fact</th>
            <RunHeads c={c} />
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} data-key={r.key}>
              <td className="key" title={r.key}>
                {r.label}
              </td>
              {r.values.map((v, i) => (
                <td
                  key={i}
                  className={`mono${r.differsFromBaseline[i] ? (v === null ? ' cell-removed' : ' cell-changed') : ''}`}
                  data-differs={r.differsFromBaseline[i] ? 'yes' : 'no'}
                  title={v ?? ''}
                >
                  {v === null ? <span className="faint">—</span> : short(v)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function MetricTable({ c, onlyDiffs }: { c: RunSetComparison; onlyDiffs: boolean }): ReactNode {
  const metrics = c.metrics.filter((m) => !onlyDiffs || m.differs);
  if (!metrics.length)
    return <p className="muted">{c.metrics.length ? 'Every metric is the same in every run.' : 'No metrics.'}</p>;
  return (
    <div className="set-scroll">
      <table className="grid set-table" data-testid="set-metrics">
        <thead>
          <tr>
            <th className="key">metric</th>
            <RunHeads c={c} />
          </tr>
        </thead>
        <tbody>
          {metrics.map((m) => (
            <tr key={m.name}>
              <td className="key">{m.name}</td>
              {m.values.map((v, i) => {
                const rel = m.rel[i] ?? null;
                const differs = i > 0 && v !== m.values[0];
                return (
                  <td key={i} className={`num${differs ? ' cell-changed' : ''}`} data-differs={differs ? 'yes' : 'no'}>
                    {v === null ? <span className="faint">—</span> : formatSignificant(v)}
                    {differs && rel !== null ? <div className="faint">{formatRelative(rel)}</div> : null}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SetHistories({ ids }: { ids: readonly string[] }): ReactNode {
  const runs = useAsync(
    (): Promise<Result<Snapshot[]>> =>
      Promise.all(ids.map((id) => call('getRun', { id, histories: false }))).then((all) => {
        const value: Snapshot[] = [];
        for (const r of all) {
          if (!r.ok) return { ok: false, error: r.error };
          value.push(r.value);
        }
        return { ok: true, value };
      }),
    [ids.join('/')],
  );
  if (!runs.data) return null;
  return (
    <HistoryCharts runs={runs.data.map((s, i) => ({ id: s.id, label: `#${i + 1} ${s.name ?? s.id.slice(0, 8)}` }))} />
  );
}

/** The N-run Compare view; `pairDetail` renders the two-run comparison of the baseline with one picked run. */
export function CompareSetView({
  ids,
  pairDetail,
}: {
  ids: readonly string[];
  pairDetail: (a: string, b: string) => ReactNode;
}): ReactNode {
  const [onlyDiffs, setOnlyDiffs] = useState(true);
  const [picked, setPicked] = useState(1);
  usePlainKeys((key) => {
    if (key === 'd') setOnlyDiffs((v) => !v);
  }, []);
  const result = useAsync(() => call('compareRunSet', { ids: [...ids] }), [ids.join('/')]);
  const c = result.data;
  if (result.error)
    return (
      <div className="view">
        <ErrorBox error={result.error} title="Could not compare" />
        <a href="#/runs">Pick other runs</a>
      </div>
    );
  if (!c)
    return (
      <div className="view">
        <Loading what={`the comparison of ${ids.length} runs`} />
      </div>
    );
  const other = c.runs[picked] ?? c.runs[1]!;
  const pair = c.pairs[picked - 1];
  return (
    <div className="view" data-testid="compare-set-ready">
      <div className="toolbar">
        <h1 style={{ margin: 0 }}>Compare {c.runs.length} runs</h1>
        <span className="grow" />
        <OnlyDifferences value={onlyDiffs} onChange={setOnlyDiffs} />
        <button
          onClick={() =>
            go({
              view: 'report',
              kind: 'compare',
              a: c.runs[0]!.id,
              b: c.runs[1]!.id,
              rest: c.runs.slice(2).map((r) => r.id),
            })
          }
        >
          Report…
        </button>
      </div>
      <p data-testid="compare-headline">
        <b>{c.headline}</b>
      </p>
      <h2>
        Metrics <span className="faint">{c.metrics.filter((m) => m.differs).length} differ</span>
      </h2>
      <MetricTable c={c} onlyDiffs={onlyDiffs} />
      <SetHistories ids={c.runs.map((r) => r.id)} />
      {c.sections
        .filter((s) => s.section !== 'outcome' || s.differences > 0 || !onlyDiffs)
        .map((s) => {
          const rows = onlyDiffs ? s.rows.filter((r) => r.differs) : s.rows;
          return (
            <section key={s.section} className="section" data-testid={`set-section-${s.section}`}>
              <h2>
                {SECTION_TITLES[s.section]}{' '}
                <span className="faint">
                  {s.differences ? `${s.differences} of ${s.rows.length} facts differ` : 'same in every run'}
                </span>
              </h2>
              {rows.length ? <FactTable c={c} rows={rows} /> : null}
            </section>
          );
        })}
      <section className="section pair-detail" data-testid="pair-detail">
        <div className="toolbar">
          <h2 style={{ margin: 0 }}>Baseline against</h2>
          <select
            aria-label="Run to detail against the baseline"
            value={picked}
            onChange={(e) => setPicked(Number(e.target.value))}
          >
            {c.runs.slice(1).map((r, i) => (
              <option key={r.id} value={i + 1}>
                #{i + 2} {runName(r)}
              </option>
            ))}
          </select>
          <span className="grow" />
        </div>
        {pair ? <p className="muted">{pair.headline}</p> : null}
        {pairDetail(c.runs[0]!.id, other.id)}
      </section>
    </div>
  );
}
