// Small shared UI pieces: error box, badge, key-value list, progress bar, loading, time format.
import type { ReactNode } from 'react';
import type { ErrorInfo } from '../../shared/errors';

/** An error where the user is: what failed, why, and what to do. */
export function ErrorBox({ error, title }: { error: ErrorInfo; title?: string }): ReactNode {
  return (
    <div className="error-box" role="alert">
      <b>{title ?? 'Something went wrong'}</b>: {error.message} <span className="faint">({error.code})</span>
      {error.hint ? <div className="hint">→ {error.hint}</div> : null}
    </div>
  );
}

/** A small coloured label (status, verdict, kind). */
export function Badge({ value, title }: { value: string; title?: string }): ReactNode {
  return (
    <span className={`badge ${value}`} title={title}>
      {value}
    </span>
  );
}

/** A key → value list; empty values show as a dash. */
export function KeyValues({ rows }: { rows: readonly (readonly [string, ReactNode])[] }): ReactNode {
  return (
    <dl className="kv">
      {rows.map(([k, v]) => [
        <dt key={`${k}-k`}>{k}</dt>,
        <dd key={`${k}-v`}>{v === null || v === undefined || v === '' ? <span className="faint">—</span> : v}</dd>,
      ])}
    </dl>
  );
}

/** A determinate (done/total) or indeterminate progress bar. */
export function ProgressBar({ done, total }: { done?: number | undefined; total?: number | undefined }): ReactNode {
  const pct = total && total > 0 && done !== undefined ? Math.min(100, (done / total) * 100) : null;
  return (
    <div className="progress" role="progressbar" aria-valuenow={pct ?? undefined} aria-valuemin={0} aria-valuemax={100}>
      <div style={{ width: pct === null ? '30%' : `${pct}%` }} />
    </div>
  );
}

/** A quiet "loading" line. */
export function Loading({ what }: { what?: string }): ReactNode {
  return <div className="muted">Loading{what ? ` ${what}` : ''}…</div>;
}

/** Formats an ISO time as local "YYYY-MM-DD HH:MM:SS". */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
