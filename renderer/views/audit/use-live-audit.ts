/** An audit kept current while it runs: re-read on progress and every 1.5 s, each rerun's start and output tail. */
import { useEffect, useRef, useState } from 'react';
import type { Audit } from '../../../shared/audit/audit';
import type { ErrorInfo } from '../../../shared/errors';
import { call, onProgress } from '../../api';
import { useProgressTasks } from '../../components/progress-panel';

/** What the audit detail shows of a live audit; the maps are keyed `group:index`. */
export interface LiveAudit {
  audit: Audit | null;
  error: ErrorInfo | null;
  /** Read the audit again now (after cancel or resume). */
  reload: () => void;
  /** Per rerun, from the progress stream: when it started and the tail of its output. */
  live: Map<string, { startedAt: number; tail: string }>;
  /** Per rerun, when this view first saw it running (for reruns the stream has said nothing of). */
  firstSeen: Map<string, number>;
  /** The audit's progress tasks' log lines, oldest first. */
  taskLogs: string[];
}

/** Follows audit `id`: while it runs, the elapsed clocks tick every 250 ms and the audit is re-read as it moves. */
export function useLiveAudit(id: string): LiveAudit {
  const [audit, setAudit] = useState<Audit | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [nonce, setNonce] = useState(0);
  const tasks = useProgressTasks(
    (e) => e.task.includes(id) || (e.detail as { auditId?: string } | undefined)?.auditId === id,
  );
  // per rerun, from the progress stream: when it started (now − its elapsed time at receipt) and the tail of its output
  const live = useRef(new Map<string, { startedAt: number; tail: string }>());
  useEffect(
    () =>
      onProgress((e) => {
        const d = e.detail as
          | {
              auditId?: string;
              group?: string;
              index?: number;
              state?: string;
              elapsedMs?: number | null;
              logTail?: string;
            }
          | undefined;
        if (d?.auditId !== id || d.group === undefined || d.index === undefined || d.state !== 'running') return;
        const key = `${d.group}:${d.index}`;
        const prev = live.current.get(key);
        live.current.set(key, {
          startedAt: prev?.startedAt ?? Date.now() - (d.elapsedMs ?? 0),
          tail: d.logTail ?? prev?.tail ?? '',
        });
      }),
    [id],
  );
  const firstSeen = useRef(new Map<string, number>());
  const [, tick] = useState(0);
  const lastEventCount = useRef(0);
  const eventCount = [...tasks.values()].reduce((n, t) => n + t.logs.length + (t.last.done ?? 0), 0);

  useEffect(() => {
    let live = true;
    void call('getAudit', { id }).then((r) => {
      if (!live) return;
      if (r.ok) {
        setAudit(r.value);
        setError(null);
      } else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [id, nonce]);
  // while it runs: re-read on progress and at least every 1.5 s, and tick the elapsed clocks
  const running = audit?.status === 'running';
  useEffect(() => {
    if (!running) return;
    const reread = setInterval(() => setNonce((n) => n + 1), 1500);
    const clock = setInterval(() => tick((x) => x + 1), 250);
    return () => {
      clearInterval(reread);
      clearInterval(clock);
    };
  }, [running]);
  useEffect(() => {
    if (running && eventCount !== lastEventCount.current) {
      lastEventCount.current = eventCount;
      setNonce((n) => n + 1);
    }
  }, [eventCount, running]);
  return {
    audit,
    error,
    reload: () => setNonce((n) => n + 1),
    live: live.current,
    firstSeen: firstSeen.current,
    taskLogs: [...tasks.values()].flatMap((t) => t.logs),
  };
}
