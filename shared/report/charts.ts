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

/** The charts a report shows, in order. */
export function reportCharts(doc: ReportDocument): ReportChart[] {
  return doc.kind === 'audit' ? auditCharts(doc) : compareCharts(doc);
}
