/**
 * Escaping for every report format. Every string that came from a run (names, parameters, paths,
 * log lines, package names) passes through one of these before it is written.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string | number | null | undefined): string {
  if (text === null || text === undefined) return '';
  return String(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * Escapes text for a GitHub-flavoured Markdown table cell: pipes and backslashes escaped, angle
 * brackets and ampersands as entities (GitHub would otherwise pass inline HTML through), Markdown
 * punctuation that starts emphasis, code, links or images escaped, newlines as <br>.
 */
export function escapeMarkdownCell(text: string | number | null | undefined): string {
  if (text === null || text === undefined || text === '') return '—';
  return escapeInline(String(text)).replace(/\r?\n/g, '<br>');
}

/** Escapes text for Markdown prose (outside tables): HTML, emphasis, code spans, links and headings cannot be formed. */
export function escapeMarkdownText(text: string): string {
  return (
    escapeInline(text)
      // Only at the start of a line do these make headings, lists or numbered lists.
      .replace(/^(\s*)([#+-])/gm, '$1\\$2')
      .replace(/^(\s*\d+)([.)])/gm, '$1\\$2')
  );
}

function escapeInline(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|~])/g, '\\$1');
}

/** A fenced code block whose fence is longer than any backtick run in the text, so the text cannot close it. */
export function markdownFence(text: string, lang = ''): string {
  let longest = 2;
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${text.replace(/\n$/, '')}\n${fence}`;
}
