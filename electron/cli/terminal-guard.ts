/**
 * Every string the CLI prints passes through here: control characters from run names, parameters, logs, rerun
 * output or a server's messages are shown (`\e]0;…`), never obeyed. Kept: colour (SGR), and the few cursor codes the
 * progress bars use on their own line. Buffers pass untouched: the captured command's own output and report bytes.
 */
import { escapeTerminal } from '../../shared/terminal-safe';

// colour; cursor left/right/up/down, column and erase-in-line; cursor show/hide and autowrap; cursor save/restore; CR
// eslint-disable-next-line no-control-regex
const ALLOWED = /\u001b\[[0-9;]*[mGKABCD]|\u001b\[\?(?:25|7)[hl]|\u001b[78]|\r/g;

/** A printed string with every control sequence but the allowed ones escaped. */
export function guardTerminalText(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(ALLOWED)) {
    out += escapeTerminal(text.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + escapeTerminal(text.slice(last));
}

/** Installs the guard on stdout and stderr (strings only). */
export function guardTerminalOutput(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = (chunk: unknown, ...rest: unknown[]) =>
      write(typeof chunk === 'string' ? guardTerminalText(chunk) : chunk, ...rest);
  }
}
