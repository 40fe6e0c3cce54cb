/** Metric histories as charts: one per metric, the runs given overlaid, on a step or a time axis, the divergence of two marked. */
import { useState, type ReactNode } from 'react';
import {
  divergenceStep,
  historyChartSpec,
  historySeries,
  type HistorySeries,
} from '../../../shared/runs/history-charts';
import type { Snapshot } from '../../../shared/snapshot/snapshot';
import { VegaChart } from '../../components/vega-chart';

const MAX_CHARTS = 24;

/** Charts of every metric with a history in any of `runs` (the first is the baseline a divergence is measured from). */
export function HistoryCharts({
  runs,
}: {
  runs: readonly { label: string; snapshot: Pick<Snapshot, 'outcome'> }[];
}): ReactNode {
  const [axis, setAxis] = useState<'step' | 'time'>('step');
  const byMetric = new Map<string, HistorySeries[]>();
  for (const r of runs)
    for (const s of historySeries(r.snapshot, r.label)) byMetric.set(s.metric, [...(byMetric.get(s.metric) ?? []), s]);
  if (byMetric.size === 0) return null;
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
          const divergence = series.length === 2 ? divergenceStep(series[0]!.points, series[1]!.points) : null;
          return (
            <div key={m}>
              <VegaChart label={`history of ${m}`} spec={historyChartSpec(series, { x: axis, divergence })} />
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
