// The progress panel: each task's latest state and recent log lines from the progress stream.
import { useEffect, useState, type ReactNode } from 'react';
import type { ProgressEvent } from '../../shared/progress';
import { formatBytes } from '../../shared/snapshot/snapshot-text';
import { onProgress } from '../api';
import { ProgressBar } from './common';

/** The latest state of each task seen on the progress stream, plus its recent log lines. */
export interface TaskState {
  last: ProgressEvent;
  started: number;
  logs: string[];
  ended: boolean;
}

/** Follows the progress stream and keeps each matching task's latest state. */
export function useProgressTasks(match: (e: ProgressEvent) => boolean = () => true): Map<string, TaskState> {
  const [tasks, setTasks] = useState(new Map<string, TaskState>());
  useEffect(
    () =>
      onProgress((e) => {
        if (!match(e)) return;
        setTasks((prev) => {
          const next = new Map(prev);
          const old = next.get(e.task);
          const logs =
            e.phase === 'log' && e.message
              ? [...(old?.logs ?? []), ...e.message.split('\n')].slice(-40)
              : (old?.logs ?? []);
          next.set(e.task, {
            last: e.phase === 'log' && old ? old.last : e,
            started: old?.started ?? Date.now(),
            logs,
            ended: e.phase === 'end' || (old?.ended ?? false),
          });
          return next;
        });
      }),
    [],
  ); // subscribed once, on mount: the bridge's subscription does not change
  return tasks;
}

/** Shows running (and just-finished) tasks: label, bar, counts. */
export function ProgressPanel({ match }: { match?: (e: ProgressEvent) => boolean }): ReactNode {
  const tasks = useProgressTasks(match);
  if (tasks.size === 0) return null;
  return (
    <div className="section" data-testid="progress">
      {[...tasks.entries()].map(([task, t]) => {
        const fmt = t.last.unit === 'bytes' ? formatBytes : (v: number) => v.toLocaleString();
        return (
          <div key={task} className="row" style={{ margin: '2px 0' }}>
            <span style={{ minWidth: 220 }}>{t.last.label}</span>
            <div style={{ flex: 1, maxWidth: 360 }}>
              <ProgressBar done={t.ended ? 1 : t.last.done} total={t.ended ? 1 : t.last.total} />
            </div>
            <span className="muted">
              {t.ended
                ? 'done'
                : t.last.total
                  ? `${fmt(t.last.done ?? 0)} / ${fmt(t.last.total)}${t.last.unit && t.last.unit !== 'bytes' ? ` ${t.last.unit}` : ''}`
                  : (t.last.message ?? '')}
            </span>
          </div>
        );
      })}
    </div>
  );
}
