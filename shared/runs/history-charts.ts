/** Vega-Lite specs of metric histories (one run's, several runs' overlaid), the step where two diverge marked. */
import { vegaText } from '../vega-text';
import type { TopLevelSpec } from 'vega-lite';

/** One line of a history chart: a run's label, a metric and its points. */
export interface HistorySeries {
  run: string;
  metric: string;
  points: readonly { step: number; value: number; timestamp: number | null }[];
}

/** Where two histories first differ by more than a tolerance, compared step by step on the steps both have. */
export interface Divergence {
  step: number;
  a: number;
  b: number;
}

/** Text and axes take the page's colour, so one spec reads in light and in dark. */
const THEME = {
  background: 'transparent',
  config: {
    font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
    view: { stroke: null },
    axis: {
      labelColor: 'currentColor',
      titleColor: 'currentColor',
      domainColor: 'currentColor',
      tickColor: 'currentColor',
      gridColor: 'currentColor',
      gridOpacity: 0.15,
      labelFontSize: 11,
      titleFontSize: 11,
      format: '~r',
    },
    legend: { labelColor: 'currentColor', titleColor: 'currentColor', labelFontSize: 11, titleFontSize: 11 },
    title: { color: 'currentColor', fontSize: 12 },
  },
} as const;

/**
 * One metric's histories overlaid, a line per run, on the step axis or on wall time (seconds since
 * each run's first point); the divergence step, when given, as a dashed rule with its label.
 */
export function historyChartSpec(
  series: readonly HistorySeries[],
  options: { x?: 'step' | 'time'; divergence?: Divergence | null; width?: number; height?: number } = {},
): TopLevelSpec {
  const x = options.x ?? 'step';
  const rows = series.flatMap((s) => {
    const t0 = s.points.find((p) => p.timestamp !== null)?.timestamp ?? null;
    return s.points
      .filter((p) => Number.isFinite(p.value))
      .map((p) => ({
        run: s.run,
        step: p.step,
        seconds: t0 !== null && p.timestamp !== null ? (p.timestamp - t0) / 1000 : null,
        value: p.value,
      }));
  });
  const metric = series[0]?.metric ?? 'value';
  const layers: object[] = [
    {
      mark: { type: 'line', point: rows.length <= 60, strokeWidth: 1.6 },
      encoding: {
        x: { field: x === 'step' ? 'step' : 'seconds', type: 'quantitative', title: x === 'step' ? 'step' : 'seconds' },
        y: { field: 'value', type: 'quantitative', title: vegaText(metric), scale: { zero: false } },
        color: {
          field: 'run',
          type: 'nominal',
          title: 'run',
          legend: series.length > 1 ? {} : null,
          // the runs in the order given (baseline first), with 20 distinct colours for up to 20 runs
          sort: series.map((s) => s.run),
          ...(series.length > 10 ? { scale: { scheme: 'tableau20' } } : {}),
        },
        tooltip: [
          { field: 'run', type: 'nominal' },
          { field: 'step', type: 'quantitative' },
          { field: 'value', type: 'quantitative', format: '.6~g' },
        ],
      },
    },
  ];
  if (options.divergence && x === 'step') {
    layers.push({
      data: { values: [{ step: options.divergence.step, label: `diverges at step ${options.divergence.step}` }] },
      layer: [
        {
          mark: { type: 'rule', strokeDash: [4, 3], color: '#d1242f' },
          encoding: { x: { field: 'step', type: 'quantitative' } },
        },
        {
          mark: { type: 'text', align: 'left', dx: 4, dy: -4, baseline: 'bottom', color: '#d1242f', y: 0 },
          encoding: { x: { field: 'step', type: 'quantitative' }, text: { field: 'label' } },
        },
      ],
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...THEME,
    title: vegaText(metric),
    width: options.width ?? 460,
    height: options.height ?? 180,
    data: { values: rows },
    layer: layers,
  } as TopLevelSpec;
}
