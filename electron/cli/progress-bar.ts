import cliProgress from 'cli-progress';
import type { ProgressEvent, ProgressSink } from '../../shared/progress';
import { formatBytes } from '../../shared/snapshot/snapshot-text';

/** Shows progress events as a bar on stderr when it is a terminal; silent otherwise (logs and pipes stay clean). */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): {
  sink: ProgressSink;
  stop: () => void;
} {
  if (!stream.isTTY) return { sink: () => undefined, stop: () => undefined };
  let bar: cliProgress.SingleBar | null = null;
  let current = '';
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
    if (!bar || current !== e.task) {
      stop();
      current = e.task;
      bar = new cliProgress.SingleBar(
        {
          stream,
          format: '{label} [{bar}] {percentage}% | {doneText}/{totalText} | eta {eta_formatted}',
          hideCursor: true,
          clearOnComplete: true,
          barsize: 30,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(e.total, e.done ?? 0, { label: e.label, doneText: fmt(e.done ?? 0), totalText: fmt(e.total) });
    }
    bar.setTotal(e.total);
    bar.update(e.done ?? 0, { label: e.label, doneText: fmt(e.done ?? 0), totalText: fmt(e.total) });
  };
  return { sink, stop };
}
