// The HTML report's stylesheet: light and dark on screen, A4 and Letter on paper (cells wrap by word, never by letter).
/** The inline CSS of every HTML report. */
export const REPORT_CSS = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1b1f24; --muted: #5b6470; --line: #d6dbe1; --soft: #f3f5f7;
  --changed: #fff4d6; --added: #e3f6e5; --removed: #fde4e4; --accent: #1f5fbf;
  --ok: #1a7f37; --warn: #9a6700; --bad: #c9302c; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #15181c; --fg: #e4e8ed; --muted: #9aa4b1; --line: #343b44; --soft: #1e2329;
    --changed: #3a3217; --added: #17331e; --removed: #3d1b1b; --accent: #7aa7ff; --ok: #56d364; --warn: #e3b341; --bad: #ff7b72; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 32px 24px 64px; }
h1 { font-size: 26px; margin: 4px 0 8px; line-height: 1.25; overflow-wrap: break-word; }
h2 { font-size: 20px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 22px 0 8px; overflow-wrap: break-word; }
.kicker { letter-spacing: .02em; font-size: 12px; color: var(--muted); margin: 0; }
.meta, .muted, figcaption, .note { color: var(--muted); font-size: 13px; }
.headline, .verdict { font-size: 17px; padding: 12px 16px; border-radius: 6px; background: var(--soft); border-left: 5px solid var(--accent); margin: 16px 0; }
.verdict.v-reproduced-exact, .verdict.v-reproduced-within-tolerance { border-left-color: var(--ok); }
.verdict.v-statistically-consistent, .verdict.v-inconclusive { border-left-color: var(--warn); }
.verdict.v-not-reproduced, .verdict.v-failed { border-left-color: var(--bad); }
.verdict strong { display: block; font-size: 13px; color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 13px; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); overflow-wrap: break-word; word-break: normal; hyphens: manual; }
td.mono, td code { overflow-wrap: anywhere; }
th { background: var(--soft); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code, pre, td.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
pre { background: var(--soft); padding: 10px 12px; border-radius: 6px; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
pre .add { color: var(--ok); } pre .del { color: var(--bad); } pre .hunk { color: var(--muted); }
tr.s-changed td, td.c-changed { background: var(--changed); } td.c-removed { background: var(--removed); } tr.s-only-a td, tr.s-removed td { background: var(--removed); } tr.s-only-b td, tr.s-added td { background: var(--added); }
.badge { display: inline-block; padding: 0 6px; border-radius: 10px; font-size: 11.5px; border: 1px solid var(--line); white-space: nowrap; }
.mark { font-weight: 700; white-space: nowrap; } .mark-yes { color: var(--ok); } .mark-partial { color: var(--warn); } .mark-no { color: var(--bad); } .mark-unknown { color: var(--muted); }
ol.ranked li { margin: 6px 0; } ol.ranked ul { margin: 2px 0; padding-left: 18px; color: var(--muted); font-size: 13px; }
figure { margin: 12px 0 20px; } figure svg { max-width: 100%; height: auto; }
.chart svg text { fill: var(--fg) !important; }
.chart svg .role-axis-domain path, .chart svg .role-axis-tick path, .chart svg .role-axis-domain line, .chart svg .role-axis-tick line { stroke: var(--muted) !important; }
.chart svg .role-axis-grid path, .chart svg .role-axis-grid line { stroke: var(--line) !important; }
details { margin: 8px 0; } summary { cursor: pointer; color: var(--accent); }
footer { margin-top: 48px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
@media print {
  :root { --bg: #fff; --fg: #000; --muted: #444; --line: #bbb; --soft: #f2f2f2; --changed: #fff4d6; --added: #e3f6e5; --removed: #fde4e4; }
  @page { margin: 14mm 12mm; }
  body { font-size: 9.5pt; line-height: 1.35; } main { max-width: none; padding: 0; }
  h1 { font-size: 17pt; } h2 { font-size: 13pt; margin: 16px 0 6px; } h3 { font-size: 11pt; margin: 12px 0 4px; }
  table { font-size: 8.5pt; margin: 4px 0 10px; } th, td { padding: 2px 5px; }
  td.num { white-space: normal; } /* a range wraps after its comma, a number never inside */
  code, pre, td.mono { font-size: 8pt; } figure { margin: 6px 0 10px; } figure svg { max-height: 62mm; width: auto; }
  .headline, .verdict { padding: 6px 10px; margin: 8px 0; font-size: 11pt; }
  h2 { break-after: avoid; } h3 { break-after: avoid; } tr, figure, .verdict, .headline { break-inside: avoid; }
  pre { white-space: pre-wrap; } details > summary { display: none; } details { display: block; }
  a { color: inherit; text-decoration: none; }
  /* appendices in print: only what differs (the HTML keeps every fact) */
  .appendix tr.s-same { display: none; } .appendix h3 { margin-top: 8px; }
}
.print-only { display: none; }
@media print { .print-only { display: block; } }
`;
