/** The audit's progress in the terminal: one bar (reruns done/total, current group, elapsed, ETA); rerun output only with --verbose. */
import type { ProgressEvent } from '../../shared/progress';
import { colorsFor } from './terminal';

/** "1 min 05 s", "12 s": a duration for a progress line. */
export function formatClock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** The progress line's text: bar, done/total, the group running, elapsed and the time left (unknown until one rerun is done). */
export function auditProgressLine(p: {
  done: number;
  total: number;
  group: string | null;
  elapsedMs: number;
  /** Time per finished rerun so far, from this run of the command (not counting reruns done before a resume). */
  perRerunMs: number | null;
  width?: number;
}): string {
  const barWidth = 24;
  const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  const filled = Math.round(frac * barWidth);
  const eta = p.perRerunMs !== null && p.done < p.total ? formatClock(p.perRerunMs * (p.total - p.done)) : null;
  const text = `audit [${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${p.done}/${p.total} reruns${p.group ? ` · ${p.group}` : ''} · ${formatClock(p.elapsedMs)} elapsed${eta ? ` · about ${eta} left` : p.done < p.total ? ' · time left: after the first rerun' : ''}`;
  return p.width && text.length > p.width - 1 ? `${text.slice(0, p.width - 2)}…` : text;
}

/**
 * Follows one audit's events on a stream: a bar redrawn in place on a terminal, one line per
 * finished rerun elsewhere (logs, CI); the reruns' own output only when `verbose`, each line
 * prefixed by its rerun. The bar never goes backwards: `done` only grows.
 */
export function auditProgress(options: { stream?: NodeJS.WriteStream; verbose: boolean; quiet?: boolean }): {
  sink: (e: ProgressEvent) => void;
  stop: () => void;
} {
  const stream = options.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY);
  const c = colorsFor(stream);
  const started = Date.now();
  let done = 0;
  let doneAtStart: number | null = null;
  let total = 0;
  let group: string | null = null;
  let drawn = false;
  const partial = new Map<string, string>();
  const clear = (): void => {
    if (tty && drawn) stream.write('\r\u001b[2K');
    drawn = false;
  };
  const draw = (): void => {
    if (!tty || total === 0 || options.quiet) return;
    const finishedHere = doneAtStart === null ? 0 : done - doneAtStart;
    const elapsedMs = Date.now() - started;
    const line = auditProgressLine({
      done,
      total,
      group,
      elapsedMs,
      perRerunMs: finishedHere > 0 ? elapsedMs / finishedHere : null,
      width: stream.columns,
    });
    stream.write(`\r\u001b[2K${c.cyan(line)}`);
    drawn = true;
  };
  const timer = tty ? setInterval(draw, 1000) : null;
  timer?.unref();
  const say = (text: string): void => {
    clear();
    stream.write(text.endsWith('\n') ? text : `${text}\n`);
    draw();
  };
  const sink = (e: ProgressEvent): void => {
    if (!e.task.startsWith('audit-')) return;
    if (typeof e.total === 'number') total = e.total;
    if (typeof e.done === 'number') {
      done = Math.max(done, e.done);
      doneAtStart ??= e.done;
    }
    const g = e.detail?.group;
    if (typeof g === 'string') group = g;
    if (e.phase === 'start') {
      if (!options.quiet) say(`reproscope: ${e.label}: ${total} reruns planned`);
    } else if (e.phase === 'log' && e.message) {
      // the audit's own steps (environment, inspection) always; a rerun's output only when asked
      const own = e.label === 'audit';
      if (!own && !options.verbose) return;
      const text = (partial.get(e.label) ?? '') + e.message;
      const lines = text.split('\n');
      partial.set(e.label, lines.pop() ?? '');
      for (const l of lines) say(own ? `reproscope: ${l}` : c.dim(`[${e.label}] ${l}`));
    } else if (e.phase === 'progress' && typeof e.done === 'number') {
      const state = typeof e.detail?.state === 'string' ? e.detail.state : '';
      const ms = e.detail?.elapsedMs;
      // a failed rerun says why where it is reported, not only in the stored audit
      const why = typeof e.detail?.error === 'string' && state !== 'finished' ? `: ${e.detail.error}` : '';
      const line = `reproscope: ${e.label}${typeof ms === 'number' && ms > 0 ? ` in ${formatClock(ms)}` : ''}${why}  [${done}/${total}]`;
      if (!tty) say(line);
      else if (state === 'failed' || state === 'timed-out') say(c.red(line));
      else draw();
    } else if (e.phase === 'progress') draw();
    else if (e.phase === 'end') clear();
  };
  return {
    sink,
    stop: () => {
      if (timer) clearInterval(timer);
      clear();
    },
  };
}
