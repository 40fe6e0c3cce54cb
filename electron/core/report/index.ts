/** The report feature's public face: exporting audits and comparisons as HTML, Markdown, JSON or PDF. */
export { buildReportDocument, renderHtmlReport, renderReport, reportOperations } from './report-operations';
