// The terminal progress bar on stderr for progress events, silent when stderr is not a terminal.
import cliProgress from 'cli-progress';
import type { ProgressEvent, ProgressSink } from '../../shared/progress';
import { formatBytes } from '../../shared/snapshot/snapshot-text';
import { formatClock } from './audit-progress';

/** Shows progress events as a bar on stderr when it is a terminal; silent otherwise (logs and pipes stay clean). */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): {
  sink: ProgressSink;
  stop: () => void;
} {
  if (!stream.isTTY) return { sink: () => undefined, stop: () => undefined };
  let bar: cliProgress.SingleBar | null = null;
  let current = '';
  let started = Date.now();
  let high = 0;
  // the time left from the rate so far; nothing until there is a rate (never "eta NFs")
  const etaOf = (done: number, total: number): string => {
    const elapsed = Date.now() - started;
    if (done <= 0 || done >= total || elapsed < 500) return '';
    return ` | about ${formatClock((elapsed / done) * (total - done))} left`;
  };
  const stop = (): void => {
    bar?.stop();
    bar = null;
    current = '';
  };
  const sink = (e: ProgressEvent): void => {
    if (e.phase === 'log') return;
    if (e.phase === 'end') {
      if (current === e.task) stop();
      return;
    }
    if (e.total === undefined || e.total === 0) return;
    const fmt = e.unit === 'bytes' ? (v: number) => formatBytes(v) : (v: number) => String(v);
    const done = e.done ?? 0;
    if (!bar || current !== e.task) {
      stop();
      current = e.task;
      started = Date.now();
      high = 0;
      bar = new cliProgress.SingleBar(
        {
          stream,
          format: '{label} [{bar}] {percentage}% | {doneText}/{totalText}{etaText}',
          hideCursor: true,
          clearOnComplete: true,
          barsize: 30,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(e.total, done, { label: e.label, doneText: fmt(done), totalText: fmt(e.total), etaText: '' });
    }
    high = Math.max(high, done); // a bar never goes backwards
    bar.setTotal(e.total);
    bar.update(high, { label: e.label, doneText: fmt(high), totalText: fmt(e.total), etaText: etaOf(high, e.total) });
  };
  return { sink, stop };
}
