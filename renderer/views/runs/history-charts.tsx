/** Metric histories as charts: one per metric, the runs given overlaid, on a step or a time axis, the divergence of two marked. */
import { useState, type ReactNode } from 'react';
import type { ApiOutput } from '../../../shared/api/api';
import type { ErrorInfo } from '../../../shared/errors';
import { historyChartSpec, type HistorySeries } from '../../../shared/runs/history-charts';
import { ErrorBox } from '../../components/common';
import { VegaChart } from '../../components/vega-chart';
import { useOp } from '../../use-op';

const MAX_CHARTS = 24;
/** Points per history drawn: a chart 460 px wide shows no more (longer ones come thinned, their shape kept). */
const MAX_POINTS = 2000;

/** Runs' histories as the store gives them for charts (thinned, with two runs' divergences read on every point). */
export type RunHistories = ApiOutput<'getRunHistories'>;

/** The histories of `ids` (none: no call), thinned for drawing: the histories never come to the app whole. */
export function useRunHistories(ids: readonly string[] | null): {
  data: RunHistories | null;
  error: ErrorInfo | null;
} {
  const key = ids && ids.length > 0 ? ids.join('/') : null;
  const op = useOp('getRunHistories', key ? { ids: [...ids!], maxPoints: MAX_POINTS } : null, key);
  return { data: op.data, error: op.error };
}

/** Charts of every metric with a history in any of `runs` (the first is the baseline a divergence is measured from). */
export function HistoryCharts({
  runs,
  histories,
}: {
  runs: readonly { id: string; label: string }[];
  /** Already fetched with useRunHistories by the caller, or fetched here. */
  histories?: RunHistories | null;
}): ReactNode {
  const own = useRunHistories(histories === undefined ? runs.map((r) => r.id) : null);
  const data = histories === undefined ? own.data : histories;
  if (histories === undefined && own.error) return <ErrorBox error={own.error} title="Could not read the histories" />;
  if (!data) return null;
  return <Charts runs={runs} data={data} />;
}

function Charts({ runs, data }: { runs: readonly { id: string; label: string }[]; data: RunHistories }): ReactNode {
  const [axis, setAxis] = useState<'step' | 'time'>('step');
  const byMetric = new Map<string, HistorySeries[]>();
  const total = new Map<string, number>();
  data.runs.forEach((r, i) => {
    for (const m of r.metrics) {
      const s: HistorySeries = { run: runs[i]?.label ?? r.id.slice(0, 8), metric: m.name, points: m.history };
      byMetric.set(m.name, [...(byMetric.get(m.name) ?? []), s]);
      total.set(m.name, Math.max(total.get(m.name) ?? 0, m.points));
    }
  });
  if (byMetric.size === 0) return null;
  const divergenceOf = new Map(data.divergences.map((d) => [d.metric, d.divergence]));
  const hasTime = [...byMetric.values()].some((l) => l.some((s) => s.points.some((p) => p.timestamp !== null)));
  const metrics = [...byMetric.keys()].sort().slice(0, MAX_CHARTS);
  return (
    <section className="section" data-testid="history-charts">
      <div className="toolbar">
        <h2 style={{ margin: 0 }}>Histories</h2>
        <span className="grow" />
        {hasTime ? (
          <select aria-label="History axis" value={axis} onChange={(e) => setAxis(e.target.value as 'step' | 'time')}>
            <option value="step">by step</option>
            <option value="time">by time</option>
          </select>
        ) : null}
      </div>
      <div className="chart-grid">
        {metrics.map((m) => {
          const series = byMetric.get(m)!;
          const divergence = series.length === 2 ? (divergenceOf.get(m) ?? null) : null;
          const thinned = (total.get(m) ?? 0) > MAX_POINTS;
          return (
            <div key={m}>
              <VegaChart label={`history of ${m}`} spec={historyChartSpec(series, { x: axis, divergence })} />
              {thinned ? (
                <p className="faint" data-testid={`thinned-${m}`}>
                  {(total.get(m) ?? 0).toLocaleString('en')} points, drawn as {MAX_POINTS.toLocaleString('en')} (each
                  stretch&apos;s first, last, lowest and highest)
                </p>
              ) : null}
              {series.length === 2 ? (
                <p className="faint" data-testid={`divergence-${m}`}>
                  {divergence ? `diverges at step ${divergence.step}` : 'the same at every step both have'}
                </p>
              ) : null}
            </div>
          );
        })}
      </div>
      {byMetric.size > MAX_CHARTS ? (
        <p className="muted">{byMetric.size - MAX_CHARTS} more metrics have histories.</p>
      ) : null}
    </section>
  );
}
