/** Strings from runs, stores and servers made safe to print on a terminal: control characters shown, never obeyed. */

// C0 controls except tab and newline, DEL, and the C1 range (0x9b alone is a CSI on many terminals)
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[0-9;]*m/g;

function shown(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code === 0x1b) return '\\e';
  if (code === 0x0d) return '\\r';
  return `\\x${code.toString(16).padStart(2, '0')}`;
}

/**
 * Escapes every control character of a string (ESC as `\e`, CR as `\r`, others as `\xNN`), so an escape
 * sequence in a run name, a parameter, a log or a server's message cannot retitle, clear or rewrite the
 * terminal. With keepColour, colour codes (SGR, `ESC[…m`, which reproscope itself adds) are kept.
 */
export function escapeTerminal(text: string, options: { keepColour?: boolean } = {}): string {
  if (!options.keepColour) return text.replace(CONTROL, shown);
  let out = '';
  let last = 0;
  for (const m of text.matchAll(SGR)) {
    out += text.slice(last, m.index).replace(CONTROL, shown) + m[0];
    last = m.index + m[0].length;
  }
  return out + text.slice(last).replace(CONTROL, shown);
}
