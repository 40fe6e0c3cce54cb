// The JSON report: the report document with NaN and infinities as {"$nonfinite": …}.
import { nonFiniteReplacer } from '../snapshot/nonfinite-json';
import type { ReportDocument } from './report-model';

/** Renders a report document as JSON (NaN and infinities as {"$nonfinite": …}); docs/report-schema.md describes it. */
export function renderReportJson(doc: ReportDocument): string {
  return `${JSON.stringify(doc, nonFiniteReplacer, 2)}\n`;
}
