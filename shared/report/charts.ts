// A report's charts as Vega-Lite specs (pure data), drawn by the app and rendered to SVG for export.
import { vegaText } from '../vega-text';
import type { TopLevelSpec } from 'vega-lite';
import type { ReportDocument } from './report-model';
import { nonFiniteText } from '../audit/verdict-format';

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

/** What a per-group distribution chart shows: each group's values and intervals, the reference, the tolerance. */
export interface GroupDistributionInput {
  name: string;
  reference: number | null;
  tolerance: { kind: 'abs' | 'rel'; value: number } | null;
  groups: readonly { group: string; values: readonly number[]; pi95: readonly [number, number] | null }[];
}

/**
 * Significant digits that tell the y axis's ticks apart over [lo, hi] (about five ticks), at least 4: reruns that
 * agree to many digits span a sliver of their value, and four digits labelled its ticks 0.1842, 0.1842, 0.1841 …
 */
function axisDigits(lo: number, hi: number): number {
  const magnitude = Math.max(Math.abs(lo), Math.abs(hi));
  const step = (hi - lo) / 5;
  if (!(step > 0) || !(magnitude > 0) || !Number.isFinite(step / magnitude)) return 4;
  return Math.min(15, Math.max(4, Math.floor(Math.log10(magnitude)) - Math.floor(Math.log10(step)) + 1));
}

/**
 * One metric's reruns per group as points, each group's 95 % prediction interval as a bar beside them
 * (the baseline's is the one a statistically-consistent verdict uses), the reference as a dashed red line
 * and the tolerance as a green band. The app and the reports draw the same spec.
 */
export function groupDistributionSpec(m: GroupDistributionInput): { spec: TopLevelSpec; caption: string } | null {
  const points = m.groups.flatMap((g) =>
    g.values.filter((v) => Number.isFinite(v)).map((value, i) => ({ group: g.group, value, offset: jitter(i) })),
  );
  if (points.length === 0) return null;
  const notDrawn = m.groups
    .map((g) => ({ group: g.group, left: nonFiniteText(g.values) }))
    .filter((g) => g.left)
    .map((g) => `${g.group} ${g.left}`);
  const ref = m.reference !== null && Number.isFinite(m.reference) ? m.reference : null;
  const tol =
    ref !== null && m.tolerance
      ? m.tolerance.kind === 'abs'
        ? m.tolerance.value
        : (Math.abs(ref) * m.tolerance.value) / 100
      : null;
  const intervals = m.groups
    .filter((g) => g.pi95 && Number.isFinite(g.pi95[0]) && Number.isFinite(g.pi95[1]))
    .map((g) => ({ group: g.group, lo: g.pi95![0], hi: g.pi95![1], offset: 0.42 }));
  const values = points
    .map((p) => p.value)
    .concat(ref !== null ? [ref - (tol ?? 0), ref + (tol ?? 0)] : [])
    .concat(intervals.flatMap((i) => [i.lo, i.hi]));
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = hi > lo ? (hi - lo) * 0.08 : Math.abs(hi) * 0.001 || 1e-9;
  const scale = { zero: false, domain: [lo - pad, hi + pad], nice: false };
  const yFormat = `.${axisDigits(lo - pad, hi + pad)}~g`;
  const x = {
    field: 'group',
    type: 'nominal',
    title: null,
    sort: m.groups.map((g) => g.group),
    axis: { labelAngle: 0, labelLimit: 160 },
  };
  const xOffset = { field: 'offset', type: 'quantitative', scale: { domain: [-0.5, 0.5] } };
  const layers: object[] = [];
  if (ref !== null && tol !== null) {
    layers.push({
      data: { values: [{ lo: ref - tol, hi: ref + tol }] },
      mark: { type: 'rect', color: '#2ca02c', opacity: 0.15 },
      encoding: { y: { field: 'lo', type: 'quantitative', scale }, y2: { field: 'hi' } },
    });
  }
  if (intervals.length)
    layers.push({
      data: { values: intervals },
      mark: { type: 'rule', strokeWidth: 4, opacity: 0.45, color: '#6e7781' },
      encoding: { x, xOffset, y: { field: 'lo', type: 'quantitative', scale }, y2: { field: 'hi' } },
    });
  layers.push({
    data: { values: points },
    mark: { type: 'point', filled: true, size: 36, opacity: 0.75 },
    encoding: {
      x,
      xOffset,
      y: { field: 'value', type: 'quantitative', title: vegaText(m.name), scale, axis: { format: yFormat } },
      color: { field: 'group', type: 'nominal', legend: null },
    },
  });
  if (ref !== null) {
    layers.push({
      data: { values: [{ value: ref }] },
      mark: { type: 'rule', color: '#d62728', strokeDash: [6, 4], strokeWidth: 2 },
      encoding: { y: { field: 'value', type: 'quantitative', scale } },
    });
  }
  return {
    caption: `${m.name}: each group's reruns as points${intervals.length ? ", its 95 % prediction interval as the grey bar (the baseline's is the interval the verdict uses)" : ''}${ref !== null ? ', the reference as the dashed red line' : ''}${tol !== null ? `, the tolerance (±${tol.toPrecision(3)}) as the green band` : ''}.${notDrawn.length ? ` Not drawn, being no number: ${notDrawn.join('; ')}.` : ''}${m.reference !== null && ref === null ? ` The reference is ${String(m.reference)}, so it is not drawn.` : ''}`,
    spec: { ...BASE, layer: layers } as unknown as TopLevelSpec,
  };
}

/** Per metric of an audit: each group's reruns as points with its prediction interval, the reference as a line, the tolerance as a band. */
function auditCharts(doc: Extract<ReportDocument, { kind: 'audit' }>): ReportChart[] {
  return doc.metrics.flatMap((m, mi) => {
    const chart = groupDistributionSpec({
      name: m.name,
      reference: m.reference,
      tolerance: m.tolerance,
      groups: m.groups.map((g) => ({ group: g.group, values: g.values, pi95: g.pi95 })),
    });
    return chart ? [{ id: `metric-${mi}`, ...chart }] : [];
  });
}

/** For a comparison: each metric's relative change from A to B, in percent. */
function compareCharts(doc: Extract<ReportDocument, { kind: 'compare' }>): ReportChart[] {
  const metrics = doc.comparison.outcome.metrics;
  const charted = (m: (typeof metrics)[number]): boolean =>
    m.a !== null && m.b !== null && m.rel !== null && Number.isFinite(m.rel);
  const rows = metrics.filter(charted).map((m) => ({ metric: m.name, change: m.rel! * 100 }));
  // a chart of nothing but zero bars says nothing, and the metrics that did change would be missing from it
  if (rows.every((r) => r.change === 0)) return [];
  const left = metrics.filter((m) => m.status !== 'same' && !charted(m)).map((m) => m.name);
  return [
    {
      id: 'metric-change',
      caption: `Relative change of each metric from run A to run B (percent of A).${left.length ? ` Changed but not charted, having no relative change (only one run has it, or A's value is 0, NaN or infinite): ${left.join(', ')}.` : ''}`,
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
            y: { field: 'value', type: 'quantitative', title: vegaText(m.name), scale: { zero: false } },
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
