/**
 * The HTML report: one self-contained file (inline CSS, charts as inline SVG, a CSP that forbids
 * every request and every script), readable on screen and on paper, light and dark. Every string
 * that came from a run goes through `escapeHtml`; the only markup not built here is vega's SVG.
 */
import { escapeHtml as e } from './escape';
import type { ReportDocument } from './report-model';
import { REPORT_CSS as CSS } from './render-html-css';
import { compareBody } from './render-html-compare';
import { auditBody } from './render-html-audit';
import { compareSetBody } from './render-html-compare-set';

export function renderReportHtml(doc: ReportDocument, svgs: Readonly<Record<string, string>> = {}): string {
  const body =
    doc.kind === 'audit'
      ? auditBody(doc, svgs)
      : doc.kind === 'compare-set'
        ? compareSetBody(doc, svgs)
        : compareBody(doc, svgs);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="reproscope ${e(doc.generator.version)}">
<title>${e(doc.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header><p class="kicker">reproscope ${doc.kind === 'audit' ? 'audit' : 'comparison'} report</p><h1>${e(doc.title)}</h1>
<p class="meta">Built by reproscope ${e(doc.generator.version)} from the records in its store; report format ${doc.schemaVersion}.</p></header>
${body}
<footer>Every value in this report was recorded by reproscope when the runs happened; the report can be rebuilt from the store at any time.</footer>
</main>
</body>
</html>
`;
}
