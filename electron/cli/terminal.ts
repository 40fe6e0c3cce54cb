/** What the CLI prints through: colour only on a terminal (NO_COLOR respected), tables that fit its width. */
import pc from 'picocolors';

/** Colours for one stream: on when it is a terminal and neither NO_COLOR nor a dumb TERM says otherwise. */
export function colorsFor(stream: NodeJS.WriteStream = process.stdout): ReturnType<typeof pc.createColors> {
  const env = process.env;
  const on =
    !('NO_COLOR' in env && env.NO_COLOR !== '') &&
    env.TERM !== 'dumb' &&
    (Boolean(stream.isTTY) || ('FORCE_COLOR' in env && env.FORCE_COLOR !== '0'));
  return pc.createColors(on);
}

/** A status or a verdict in its colour: green for success, red for failure, yellow for in-between. */
export function colorStatus(text: string, c: ReturnType<typeof pc.createColors>): string {
  if (/^(finished|reproduced-exact|reproduced-within-tolerance|statistically-consistent|ok)$/.test(text))
    return c.green(text);
  if (/^(failed|not-reproduced)/.test(text)) return c.red(text);
  if (/^(running|interrupted|inconclusive|unknown|planned)/.test(text)) return c.yellow(text);
  return text;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const visible = (s: string): number => [...s.replace(ANSI, '')].length;

/** The terminal's width for a stream, or null when it is not a terminal (a pipe gets every character). */
export function terminalWidth(stream: NodeJS.WriteStream = process.stdout): number | null {
  if (!stream.isTTY) return null;
  const cols = Number(process.env.COLUMNS) || stream.columns;
  return cols && cols > 20 ? cols : 80;
}

function cut(s: string, width: number): string {
  if (visible(s) <= width) return s;
  const plain = [...s.replace(ANSI, '')];
  return width <= 1 ? '…' : `${plain.slice(0, width - 1).join('')}…`;
}

/**
 * A table padded to its widest cells; with a width, the columns named `flexible` (or else the
 * widest) give up characters, ending in "…", until a line fits. Cells may hold colour codes.
 */
export function formatFittedTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  options: { width?: number | null; flexible?: readonly number[]; headerStyle?: (s: string) => string } = {},
): string {
  const widths = header.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ''))));
  const gap = 2;
  if (options.width) {
    const total = (): number => widths.reduce((a, b) => a + b, 0) + gap * (widths.length - 1);
    const flexible = options.flexible?.length ? options.flexible : widths.map((_, i) => i);
    while (total() > options.width) {
      let widest = -1;
      for (const i of flexible) if (widest < 0 || widths[i]! > widths[widest]!) widest = i;
      const floor = Math.max(6, visible(header[widest] ?? ''));
      if (widest < 0 || widths[widest]! <= floor) break;
      widths[widest] = Math.max(floor, widths[widest]! - Math.max(1, total() - options.width));
    }
  }
  const line = (cells: readonly string[], style?: (s: string) => string): string =>
    cells
      .map((c, i) => {
        const text = cut(c, widths[i]!);
        const padded = i === cells.length - 1 ? text : text + ' '.repeat(Math.max(0, widths[i]! - visible(text)));
        return style ? style(padded) : padded;
      })
      .join(' '.repeat(gap))
      .trimEnd();
  return [line(header, options.headerStyle), ...rows.map((r) => line(r))].join('\n');
}
