// Renders a report's Vega-Lite charts to SVG headlessly (no canvas, no network) for the HTML report.
import { parse, View } from 'vega';
import { compile } from 'vega-lite';
import { ReproError } from '../../../shared/errors';
import type { ReportChart } from '../../../shared/report/charts';

/**
 * Renders a report's Vega-Lite charts to SVG with vega's headless renderer, for inlining into the
 * HTML report. No canvas and no network: the specs carry their data inline, and the loader is
 * refused any request.
 */

const noLoader = {
  load: () => Promise.reject(new Error('reports load nothing')),
  sanitize: () => Promise.reject(new Error('reports load nothing')),
  http: () => Promise.reject(new Error('reports load nothing')),
  file: () => Promise.reject(new Error('reports load nothing')),
};

/** Renders one Vega-Lite spec to an SVG string. */
export async function renderChartSvg(chart: ReportChart): Promise<string> {
  try {
    const vega = compile(chart.spec).spec;
    const view = new View(parse(vega), { renderer: 'none', loader: noLoader, logLevel: 0 });
    const svg = await view.toSVG();
    view.finalize();
    // The SVG's own title is the chart's caption, read by screen readers.
    return svg.replace(/^<svg /, `<svg role="img" aria-label="chart ${chart.id}" `);
  } catch (e) {
    throw new ReproError(
      'REPORT_FAILED',
      `the chart ${chart.id} could not be drawn: ${(e as Error).message}`,
      'This is a bug in reproscope; please report it with the report you exported.',
      { cause: e },
    );
  }
}

/** Renders every chart of a report, by id. */
export async function renderChartSvgs(charts: readonly ReportChart[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const chart of charts) out[chart.id] = await renderChartSvg(chart);
  return out;
}
