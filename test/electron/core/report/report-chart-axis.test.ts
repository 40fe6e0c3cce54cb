// An audit chart's y axis, drawn by vega as the HTML report draws it: reruns that agree to many digits still get
// tick labels that differ from one another (four significant digits labelled them 0.1842, 0.1842, 0.1841 …).
import { describe, expect, it } from 'vitest';
import { renderChartSvg } from '../../../../electron/core/report/report-charts';
import { groupDistributionSpec } from '../../../../shared/report/charts';

/** The y axis's tick labels of a drawn chart, top to bottom as vega writes them. */
function yTickLabels(svg: string): string[] {
  const start = svg.indexOf('aria-label="Y-axis');
  const axis = start < 0 ? '' : svg.slice(start, svg.indexOf('role-axis-domain', start));
  return [...axis.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!).filter((t) => /^[-\d.e+]+$/.test(t));
}

describe('audit chart axis', () => {
  for (const [what, values, reference] of [
    ['every rerun the same value as the reference', [0.184117, 0.184117, 0.184117], 0.184117],
    ['reruns a few units in the sixth digit apart', [0.7947931, 0.7947925, 0.794794], 0.794793],
    ['values in the thousands, 0.01 apart', [1523.41, 1523.42, 1523.43], 1523.42],
  ] as const)
    it(`labels every tick differently: ${what}`, async () => {
      const chart = groupDistributionSpec({
        name: 'r2',
        reference,
        tolerance: null,
        groups: [{ group: 'baseline', values, pi95: [Math.min(...values), Math.max(...values)] }],
      })!;
      const labels = yTickLabels(await renderChartSvg({ id: 'r2', ...chart }));
      expect(labels.length).toBeGreaterThanOrEqual(3);
      expect(new Set(labels).size).toBe(labels.length);
    });
});
