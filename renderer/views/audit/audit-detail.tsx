/** One audit: live while it runs (reruns' state, elapsed time, log tail), then its verdict, statistics, charts and sources. */
import { useState, type ReactNode } from 'react';
import type { ErrorInfo } from '../../../shared/errors';
import { call } from '../../api';
import { Badge, ErrorBox, KeyValues, Loading, ProgressBar, formatTime } from '../../components/common';
import { go } from '../../router';
import { DataShiftForAudit } from '../compare/data-shift-panel';
import { AuditSummary } from './audit-summary';
import { RerunTable } from './audit-reruns';
import { AuditWarnings, DataChanged, MetricSections, SourcesSection } from './audit-results';
import { useLiveAudit } from './use-live-audit';

/** The detail of audit `id`, re-read while it runs; Cancel, Resume and Report act on it. */
export function AuditDetail({ id }: { id: string }): ReactNode {
  const { audit, error, reload, live, firstSeen, taskLogs } = useLiveAudit(id);
  const [actionError, setActionError] = useState<ErrorInfo | null>(null);
  if (error) return <ErrorBox error={error} title={`Could not open audit ${id}`} />;
  if (!audit) return <Loading what="the audit" />;
  const reruns = audit.groups.flatMap((g) => g.reruns.map((r) => ({ group: g.name, ...r })));
  const done = reruns.filter((r) => r.status !== 'pending' && r.status !== 'running').length;
  const now = Date.now();
  for (const r of reruns)
    if (r.status === 'running' && !firstSeen.has(`${r.group}:${r.index}`)) firstSeen.set(`${r.group}:${r.index}`, now);
  const current = reruns.find((r) => r.status === 'running');
  const currentTail = current ? live.get(`${current.group}:${current.index}`)?.tail : undefined;
  const logTail = currentTail ? currentTail.split('\n').filter(Boolean).slice(-12) : taskLogs.slice(-12);
  const act = async (op: 'cancelAudit' | 'resumeAudit'): Promise<void> => {
    setActionError(null);
    const r = op === 'cancelAudit' ? await call('cancelAudit', { id }) : await call('resumeAudit', { id });
    if (!r.ok) setActionError(r.error);
    reload();
  };
  return (
    <div data-testid="audit-detail" data-status={audit.status}>
      <div className="toolbar">
        <h1 style={{ margin: 0 }}>Audit of {audit.project.name}</h1>
        <Badge value={audit.status} />
        <span className="mono faint">{audit.id}</span>
        <span className="grow" />
        {audit.status === 'running' ? <button onClick={() => void act('cancelAudit')}>Cancel</button> : null}
        {audit.status === 'interrupted' ? (
          <button className="primary" onClick={() => void act('resumeAudit')}>
            Resume
          </button>
        ) : null}
        {audit.verdict ? (
          <button
            onClick={() => go({ view: 'report', kind: 'audit', a: audit.id, b: null })}
            data-testid="audit-report"
          >
            Report…
          </button>
        ) : null}
      </div>
      {actionError ? <ErrorBox error={actionError} /> : null}
      <AuditSummary audit={audit} />
      {audit.explanation && !audit.verdict ? <p>{audit.explanation}</p> : null}
      {audit.error ? <ErrorBox error={{ code: 'INTERNAL', message: audit.error }} title="The audit failed" /> : null}
      <KeyValues
        rows={[
          ['project', audit.project.location],
          ['entry point', audit.entryPoint],
          ['commit', audit.commit],
          [
            'parameters',
            Object.entries(audit.parameters)
              .map(([k, v]) => `${k}=${v}`)
              .join(' '),
          ],
          ['environment', audit.envManager],
          [
            'reference',
            audit.referenceRunId ? (
              <a key="r" href={`#/run/${audit.referenceRunId}`}>
                {audit.referenceRunId.slice(0, 8)} ({audit.referenceKind})
              </a>
            ) : null,
          ],
          ['started', formatTime(audit.createdAt)],
          ['finished', formatTime(audit.finishedAt)],
        ]}
      />
      <h3>Command</h3>
      <div className="command">{audit.command}</div>
      <h2>
        Reruns{' '}
        <span className="faint">
          {done} of {reruns.length}
        </span>
      </h2>
      <div style={{ maxWidth: 480 }}>
        <ProgressBar done={done} total={reruns.length || 1} />
      </div>
      <RerunTable reruns={reruns} startedAt={(key) => live.get(key)?.startedAt ?? firstSeen.get(key)} now={now} />
      {audit.status === 'running' && logTail.length ? (
        <>
          <h3>Log{current ? ` of ${current.group} #${current.index + 1}` : ''}</h3>
          <pre className="log" data-testid="log-tail">
            {logTail.join('\n')}
          </pre>
        </>
      ) : null}
      <MetricSections audit={audit} />
      <SourcesSection audit={audit} />
      <DataChanged audit={audit} />
      <DataShiftForAudit
        reference={audit.referenceRunId}
        reruns={reruns.map((r) => ({ runId: r.runId, label: `${r.group} #${r.index}` }))}
      />
      <AuditWarnings audit={audit} />
    </div>
  );
}
