/** The audit detail's reruns table: each rerun's state (and Slurm job), elapsed time, seed, env, metrics and run. */
import type { ReactNode } from 'react';
import type { Audit } from '../../../shared/audit/audit';
import { formatDuration } from '../../../shared/snapshot/snapshot-text';
import { Badge } from '../../components/common';
import { RerunJobState } from './audit-runner';
import { short } from './audit-numbers';

/** A rerun as the table lists it: the audit's rerun record with the name of its group. */
export type RerunRow = Audit['groups'][number]['reruns'][number] & { group: string };

/** The reruns, a row each; a running one's clock counts from startedAt(`group:index`) to now. */
export function RerunTable({
  reruns,
  startedAt,
  now,
}: {
  reruns: readonly RerunRow[];
  startedAt: (key: string) => number | undefined;
  now: number;
}): ReactNode {
  return (
    <table className="grid" data-testid="reruns" style={{ marginTop: 6 }}>
      <thead>
        <tr>
          <th>group</th>
          <th>#</th>
          <th>state</th>
          <th>elapsed</th>
          <th>seed</th>
          <th>env</th>
          <th>metrics</th>
          <th>run</th>
        </tr>
      </thead>
      <tbody>
        {reruns.map((r) => {
          const started = startedAt(`${r.group}:${r.index}`);
          return (
            <tr key={`${r.group}:${r.index}`}>
              <td>{r.group}</td>
              <td>{r.index + 1}</td>
              <td>
                <Badge value={r.status} title={r.error ?? undefined} />
                <RerunJobState job={r.job} status={r.status} />
              </td>
              <td>
                {r.durationMs !== null
                  ? formatDuration(r.durationMs)
                  : r.status === 'running' && started
                    ? formatDuration(now - started)
                    : ''}
              </td>
              <td className="mono">{r.seed ?? ''}</td>
              <td className="mono">
                {Object.entries(r.env)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(' ')}
              </td>
              <td className="mono nowrap">
                {Object.entries(r.metrics).map(([k, v]) => (
                  <div key={k}>
                    {k}={short(v)}
                  </div>
                ))}
              </td>
              <td className="mono nowrap">{r.runId ? <a href={`#/run/${r.runId}`}>{r.runId.slice(0, 8)}</a> : ''}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
