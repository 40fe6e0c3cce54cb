// The report operation: builds a report document from the store and renders it as HTML, Markdown, JSON or PDF.
import type { Audit } from '../../../shared/audit/audit';
import type { ExportedReport, ReportFormat } from '../../../shared/api/api-compare';
import { ReproError } from '../../../shared/errors';
import {
  auditReportRunIds,
  buildAuditReport,
  buildCompareReport,
  buildCompareSetReport,
} from '../../../shared/report/build-report';
import { reportCharts } from '../../../shared/report/charts';
import type { ReportDocument } from '../../../shared/report/report-model';
import { renderReportHtml } from '../../../shared/report/render-html';
import { renderReportJson } from '../../../shared/report/render-json';
import { renderReportMarkdown } from '../../../shared/report/render-markdown';
import type { Snapshot } from '../../../shared/snapshot/snapshot';
import { findChromium, startPdfPrinter, type PdfPrinter } from '../../platform/chromium-pdf';
import { auditsOf } from '../audit';
import { computeDataShift } from '../compare';
import type { CoreContext } from '../core-context';
import type { Impl } from '../operation-types';

const MIME: Record<ReportFormat, string> = {
  html: 'text/html; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  json: 'application/json',
  pdf: 'application/pdf',
};

/** Renders a report document to HTML with its charts drawn as inline SVG. */
export async function renderHtmlReport(doc: ReportDocument): Promise<string> {
  // vega loads here, not with the report feature: a PDF's Chromium is already starting while it loads (issue 13)
  const { renderChartSvgs } = await import('./report-charts');
  return renderReportHtml(doc, await renderChartSvgs(reportCharts(doc)));
}

/** Prints a report document with a Chromium already started; closes it whatever happens. */
async function printReport(
  doc: ReportDocument | (() => Promise<ReportDocument>),
  printer: PdfPrinter,
): Promise<Buffer> {
  try {
    return await printer.print(await renderHtmlReport(typeof doc === 'function' ? await doc() : doc));
  } finally {
    await printer.close();
  }
}

/** Renders a report document in a format; a PDF is printed from the HTML by Chromium (found, or named by `chromium`). */
export async function renderReport(
  doc: ReportDocument,
  format: ReportFormat,
  chromium?: string | null,
): Promise<{ text: string | null; pdf: Buffer | null }> {
  switch (format) {
    case 'json':
      return { text: renderReportJson(doc), pdf: null };
    case 'md':
      return { text: renderReportMarkdown(doc), pdf: null };
    case 'html':
      return { text: await renderHtmlReport(doc), pdf: null };
    case 'pdf':
      // Found before the charts are drawn, so a machine without Chromium fails at once, and started then, so that
      // it starts while they are drawn.
      return { text: null, pdf: await printReport(doc, startPdfPrinter(findChromium(chromium))) };
  }
}

/** Reads one audit (id or unique prefix) from the store; the repository parses it with the audit schema. */
function loadAudit(ctx: CoreContext, id: string): Audit {
  const audits = auditsOf(ctx);
  return audits.get(audits.resolveId(id));
}

/** Builds the report document of an audit or of a comparison from the store. */
export function buildReportDocument(
  ctx: CoreContext,
  kind: 'audit' | 'compare',
  ids: readonly string[],
): ReportDocument {
  if (kind === 'compare') {
    const runs = ids.map((id) => ctx.runs.get(ctx.runs.resolveId(id)));
    if (new Set(runs.map((r) => r.id)).size !== runs.length)
      throw new ReproError('INVALID_INPUT', 'a run is named twice in the comparison', 'Name each run once.');
    if (runs.length > 2) return buildCompareSetReport(runs, ctx.version);
    return buildCompareReport(runs[0]!, runs[1]!, ctx.version);
  }
  const audit = loadAudit(ctx, ids[0]!);
  const tryGet = (id: string | null): Snapshot | null => {
    if (!id) return null;
    try {
      return ctx.runs.get(id);
    } catch (e) {
      if (e instanceof ReproError && e.code === 'NOT_FOUND') return null;
      throw e;
    }
  };
  const reruns = new Map<string, Snapshot>();
  for (const id of auditReportRunIds(audit)) {
    const s = tryGet(id);
    if (s) reruns.set(id, s);
  }
  return buildAuditReport({ audit, reference: tryGet(audit.referenceRunId), reruns, version: ctx.version });
}

/** The export operation: an audit or a comparison as HTML, Markdown, JSON or PDF. */
export const reportOperations: { exportReport: Impl<'exportReport'> } = {
  exportReport: async (input, ctx): Promise<ExportedReport> => {
    // a PDF's Chromium starts first, in its own thread, while the runs are read, the data shift analysed and the
    // charts drawn (issue 13); the names are checked before it, so a bad id still fails before a missing Chromium
    if (input.format === 'pdf')
      for (const id of input.ids) (input.kind === 'audit' ? auditsOf(ctx) : ctx.runs).resolveId(id);
    const printer = input.format === 'pdf' ? startPdfPrinter(findChromium(input.chromium)) : null;
    let doc: ReportDocument;
    try {
      doc = buildReportDocument(ctx, input.kind, input.ids);
    } catch (e) {
      await printer?.close();
      throw e;
    }
    const complete = async (): Promise<ReportDocument> => {
      if (doc.kind === 'compare') {
        // analysed now where both versions are here (and stored), else what the store kept from earlier
        const [a, b] = input.ids.map((id) => ctx.runs.get(ctx.runs.resolveId(id)));
        doc.comparison = {
          ...doc.comparison,
          dataShift: await computeDataShift(ctx, a!, b!, { key: null, unpickle: false, mode: 'analyze' }),
        };
      }
      return doc;
    };
    const { text, pdf } = printer
      ? { text: null, pdf: await printReport(complete, printer) }
      : await renderReport(await complete(), input.format, input.chromium);
    const stem =
      doc.kind === 'compare'
        ? `reproscope-compare-${doc.comparison.a.id.slice(0, 8)}-${doc.comparison.b.id.slice(0, 8)}`
        : doc.kind === 'compare-set'
          ? `reproscope-compare-${doc.comparison.runs[0]!.id.slice(0, 8)}-and-${doc.comparison.runs.length - 1}-more`
          : `reproscope-audit-${doc.audited.auditId.slice(0, 8)}`;
    return {
      fileName: `${stem}.${input.format}`,
      mimeType: MIME[input.format],
      format: input.format,
      text,
      base64: pdf ? pdf.toString('base64') : null,
    };
  },
};
