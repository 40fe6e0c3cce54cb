// getRunHistories: runs' metric histories for charts, read from their stored columns without a point object per
// point, thinned to what a chart can show, and the divergence of two runs found on every point (issue 13: a
// 1-million-point history draws without the app loading it whole).
import { downsampleHistory, divergenceOfColumns, type HistoryArrays } from '../../../shared/runs/history-downsample';
import { decodeHistoryColumns } from '../../db/metric-history-codec';
import type { Impl } from '../operation-types';

const DEFAULT_MAX_POINTS = 2000;

/** One run's histories as columns, by metric name (those of two points or more, in name order). */
function historiesOf(ctx: Parameters<Impl<'getRunHistories'>>[1], id: string): Map<string, HistoryArrays> {
  const snapshot = ctx.runs.get(id, { histories: false });
  const out = new Map<string, HistoryArrays>();
  // histories kept in the snapshot itself (runs stored before histories had a table of their own)
  for (const [name, m] of Object.entries(snapshot.outcome.metrics))
    if (m.history && m.history.length > 1)
      out.set(name, {
        steps: m.history.map((p) => p.step),
        values: m.history.map((p) => p.value),
        timestamps: m.history.map((p) => p.timestamp ?? NaN),
      });
  for (const h of ctx.runs.encodedHistories(id))
    if (h.points > 1 && Object.prototype.hasOwnProperty.call(snapshot.outcome.metrics, h.name))
      out.set(h.name, decodeHistoryColumns(h.data, h.points, `run ${id} metric ${h.name}`));
  return new Map([...out].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
}

/** The operation: each run's histories thinned to `maxPoints`, and for two runs where each metric diverges. */
export const getRunHistories: Impl<'getRunHistories'> = (input, ctx) => {
  const maxPoints = input.maxPoints ?? DEFAULT_MAX_POINTS;
  const ids = input.ids.map((id) => ctx.runs.resolveId(id));
  const all = ids.map((id) => historiesOf(ctx, id));
  const divergences = [];
  if (all.length === 2)
    for (const [metric, a] of all[0]!) {
      const b = all[1]!.get(metric);
      if (b) divergences.push({ metric, divergence: divergenceOfColumns(a, b) });
    }
  return {
    runs: ids.map((id, i) => ({
      id,
      metrics: [...all[i]!].map(([name, h]) => ({
        name,
        points: h.values.length,
        history: downsampleHistory(h, maxPoints),
      })),
    })),
    divergences,
  };
};
