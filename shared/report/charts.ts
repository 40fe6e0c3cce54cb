import type { TopLevelSpec } from 'vega-lite';
import type { ReportDocument } from './report-model';

/**
 * The charts of a report as Vega-Lite specs: pure data, so the app can draw them with vega-embed
 * and the exporter can render the same spec to SVG with vega's headless renderer
 * (electron/core/report-charts.ts). Colours of text and axes are left to the page's CSS, so one
 * SVG reads in light and dark.
 */

/** A chart of a report: an id the HTML refers to, a caption, and its spec. */
export interface ReportChart {
  id: string;
  caption: string;
  spec: TopLevelSpec;
}

const BASE = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  background: 'transparent',
  width: 520,
  height: 220,
  config: {
    font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
    view: { stroke: null },
    axis: { labelFontSize: 11, titleFontSize: 11, gridOpacity: 0.35 },
    legend: { labelFontSize: 11, titleFontSize: 11 },
  },
} as const;

/** A spread-out offset per point in [-0.35, 0.35], from its index only, so the SVG is the same on every rebuild. */
function jitter(i: number): number {
  return ((i * 0.6180339887) % 1) * 0.7 - 0.35;
}

/** Per metric of an audit: each group's reruns as points, the reference as a line, the tolerance as a band. */
function auditCharts(doc: Extract<ReportDocument, { kind: 'audit' }>): ReportChart[] {
  return doc.metrics.flatMap((m, mi) => {
    const points = m.groups.flatMap((g) =>
      g.values.filter((v) => Number.isFinite(v)).map((value, i) => ({ group: g.group, value, offset: jitter(i) })),
    );
    if (points.length === 0) return [];
    const ref = m.reference !== null && Number.isFinite(m.reference) ? m.reference : null;
    const tol =
      ref !== null && m.tolerance
        ? m.tolerance.kind === 'abs'
          ? m.tolerance.value
          : (Math.abs(ref) * m.tolerance.value) / 100
        : null;
    const values = points.map((p) => p.value).concat(ref !== null ? [ref - (tol ?? 0), ref + (tol ?? 0)] : []);
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    const pad = hi > lo ? (hi - lo) * 0.08 : Math.abs(hi) * 0.001 || 1e-9;
    const y = {
      field: 'value',
      type: 'quantitative',
      title: m.name,
      scale: { zero: false, domain: [lo - pad, hi + pad], nice: false },
    } as const;
    const layers: object[] = [];
    if (ref !== null && tol !== null) {
      layers.push({
        data: { values: [{ lo: ref - tol, hi: ref + tol }] },
        mark: { type: 'rect', color: '#2ca02c', opacity: 0.15 },
        encoding: { y: { field: 'lo', type: 'quantitative', scale: y.scale }, y2: { field: 'hi' } },
      });
    }
    layers.push({
      data: { values: points },
      mark: { type: 'point', filled: true, size: 36, opacity: 0.75 },
      encoding: {
        x: {
          field: 'group',
          type: 'nominal',
          title: null,
          sort: m.groups.map((g) => g.group),
          axis: { labelAngle: 0 },
        },
        xOffset: { field: 'offset', type: 'quantitative', scale: { domain: [-0.5, 0.5] } },
        y,
        color: { field: 'group', type: 'nominal', legend: null },
      },
    });
    if (ref !== null) {
      layers.push({
        data: { values: [{ value: ref, label: 'reference' }] },
        mark: { type: 'rule', color: '#d62728', strokeDash: [6, 4], strokeWidth: 2 },
        encoding: { y: { field: 'value', type: 'quantitative', scale: y.scale } },
      });
    }
    return [
      {
        id: `metric-${mi}`,
        caption: `${m.name}: each group's reruns as points${ref !== null ? ', the reference as the dashed red line' : ''}${tol !== null ? `, the tolerance (±${tol.toPrecision(3)}) as the green band` : ''}.`,
        spec: { ...BASE, layer: layers } as unknown as TopLevelSpec,
      },
    ];
  });
}

/** For a comparison: each metric's relative change from A to B, in percent. */
function compareCharts(doc: Extract<ReportDocument, { kind: 'compare' }>): ReportChart[] {
  const rows = doc.comparison.outcome.metrics
    .filter((m) => m.a !== null && m.b !== null && m.rel !== null && Number.isFinite(m.rel))
    .map((m) => ({ metric: m.name, change: m.rel! * 100 }));
  if (rows.length === 0) return [];
  return [
    {
      id: 'metric-change',
      caption: 'Relative change of each metric from run A to run B (percent of A).',
      spec: {
        ...BASE,
        height: Math.max(60, rows.length * 24),
        data: { values: rows },
        mark: { type: 'bar', cornerRadiusEnd: 2 },
        encoding: {
          y: { field: 'metric', type: 'nominal', title: null, sort: null },
          x: { field: 'change', type: 'quantitative', title: 'change from A to B (%)' },
          color: { condition: { test: 'datum.change < 0', value: '#d62728' }, value: '#1f77b4' },
        },
      } as unknown as TopLevelSpec,
    },
  ];
}

/** Metrics charted per run in an N-run comparison: the ones that differ, first by name. */
const MAX_SET_CHARTS = 4;

/** For an N-run comparison: each differing metric's value per run, the baseline's value as a dashed line. */
function compareSetCharts(doc: Extract<ReportDocument, { kind: 'compare-set' }>): ReportChart[] {
  const c = doc.comparison;
  return c.metrics
    .filter((m) => m.differs && m.values.some((v) => v !== null && Number.isFinite(v)))
    .slice(0, MAX_SET_CHARTS)
    .map((m, k) => {
      const rows = m.values
        .map((v, i) => ({ run: `#${i + 1}`, order: i, value: v }))
        .filter(
          (r): r is { run: string; order: number; value: number } => r.value !== null && Number.isFinite(r.value),
        );
      const base = m.values[0];
      const layers: unknown[] = [
        {
          data: { values: rows },
          mark: { type: 'point', filled: true, size: 60 },
          encoding: {
            x: { field: 'run', type: 'ordinal', title: 'run', sort: { field: 'order' }, axis: { labelAngle: 0 } },
            y: { field: 'value', type: 'quantitative', title: m.name, scale: { zero: false } },
          },
        },
      ];
      if (base !== null && base !== undefined && Number.isFinite(base))
        layers.push({
          data: { values: [{ value: base }] },
          mark: { type: 'rule', strokeDash: [4, 3], color: '#888' },
          encoding: { y: { field: 'value', type: 'quantitative' } },
        });
      return {
        id: `set-metric-${k}`,
        caption: `${m.name} in each run; the dashed line is the baseline's value.`,
        spec: { ...BASE, height: 160, layer: layers } as unknown as TopLevelSpec,
      };
    });
}

/** The charts a report shows, in order. */
export function reportCharts(doc: ReportDocument): ReportChart[] {
  return doc.kind === 'audit'
    ? auditCharts(doc)
    : doc.kind === 'compare-set'
      ? compareSetCharts(doc)
      : compareCharts(doc);
}
