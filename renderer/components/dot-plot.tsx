// DotPlot: each group's reruns as dots on one shared axis, the reference as a dashed line, the tolerance as a band.
import type { ReactNode } from 'react';
import { formatMetricValue } from '../../shared/snapshot/snapshot-text';

/** One row of a dot plot: a group's values. */
export interface DotRow {
  label: string;
  values: readonly number[];
}

/** A compact strip plot: each group's reruns as dots on one shared axis, the reference as a dashed line, the tolerance as a band. */
export function DotPlot({
  rows,
  reference,
  band,
  width = 560,
}: {
  rows: readonly DotRow[];
  reference: number | null;
  band: [number, number] | null;
  width?: number;
}): ReactNode {
  const finite = rows.flatMap((r) => r.values).filter(Number.isFinite);
  if (reference !== null && Number.isFinite(reference)) finite.push(reference);
  if (band) finite.push(...band.filter(Number.isFinite));
  if (finite.length === 0) return <p className="faint">no finite values to plot</p>;
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (lo === hi) {
    const pad = Math.abs(lo) * 1e-6 || 1e-9;
    lo -= pad;
    hi += pad;
  }
  const left = 110;
  const right = 20;
  const rowH = 22;
  const top = 14; // room for the reference's label above the rows
  const height = top + rows.length * rowH + 18;
  const x = (v: number): number => left + ((v - lo) / (hi - lo)) * (width - left - right);
  return (
    <svg className="chart" width={width} height={height} role="img" aria-label="reruns by group">
      <g transform={`translate(0 ${top})`}>
        {band ? (
          <rect
            className="band"
            x={x(band[0])}
            y={0}
            width={Math.max(1, x(band[1]) - x(band[0]))}
            height={rows.length * rowH}
          />
        ) : null}
        {rows.map((r, i) => (
          <g key={r.label}>
            <text x={0} y={i * rowH + 15}>
              {r.label}
            </text>
            <line className="axis" x1={left} x2={width - right} y1={i * rowH + 11} y2={i * rowH + 11} />
            {r.values.map((v, k) =>
              Number.isFinite(v) ? (
                <circle key={k} className="dot" cx={x(v)} cy={i * rowH + 11} r={4}>
                  <title>{formatMetricValue(v)}</title>
                </circle>
              ) : null,
            )}
          </g>
        ))}
        {reference !== null && Number.isFinite(reference) ? (
          <line className="orig" x1={x(reference)} x2={x(reference)} y1={0} y2={rows.length * rowH} />
        ) : null}
      </g>
      <text x={left} y={height - 4}>
        {formatMetricValue(lo)}
      </text>
      <text x={width - right} y={height - 4} textAnchor="end">
        {formatMetricValue(hi)}
      </text>
      {reference !== null && Number.isFinite(reference) ? (
        <text x={x(reference)} y={10} textAnchor="middle">
          reference
        </text>
      ) : null}
    </svg>
  );
}
