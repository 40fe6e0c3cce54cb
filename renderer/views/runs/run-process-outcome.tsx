/** The Run view's Randomness, Process, Outcome and Logs tabs: how the run was started and what it produced. */
import type { ReactNode } from 'react';
import { formatBytes, formatDuration, formatMetricValue } from '../../../shared/snapshot/snapshot-text';
import type { Snapshot } from '../../../shared/snapshot/snapshot';
import { formatSignificant } from '../../../shared/numbers';
import { Badge, ErrorBox, KeyValues, Loading, formatTime } from '../../components/common';
import { useOp } from '../../use-op';
import { HistoryCharts, useRunHistories } from './history-charts';
import { SeedFindings } from './seed-findings';
import { Trees } from './run-code-data';

/** The Randomness tab: recorded seeds and the seed scan's findings. */
export function RandomnessPanel({ snapshot: s }: { snapshot: Snapshot }): ReactNode {
  return (
    <>
      <KeyValues
        rows={[
          ['PYTHONHASHSEED', s.randomness.pythonHashSeed],
          ...s.randomness.seeds.map((x) => [`seed (${x.source}) ${x.name}`, x.value] as const),
        ]}
      />
      <h2>
        Seed scan{' '}
        <span className="faint">
          {s.randomness.scan.status}, {s.randomness.scan.filesScanned} files
        </span>
      </h2>
      {s.randomness.scan.error ? <p className="muted">{s.randomness.scan.error}</p> : null}
      <SeedFindings findings={s.randomness.scan.findings} root={s.code.root} />
    </>
  );
}
/** The Process tab: command, times, parameters, recorded environment. */
export function ProcessPanel({ snapshot: s }: { snapshot: Snapshot }): ReactNode {
  return (
    <>
      <KeyValues
        rows={[
          ['command', s.process.argv.join(' ')],
          ['working directory', s.process.cwd],
          ['entry point', s.process.entryPoint],
          ['user', s.process.user],
          ['host', s.process.hostname],
          ['started', formatTime(s.process.startedAt)],
          ['ended', formatTime(s.process.endedAt)],
          ['duration', s.process.durationMs === null ? null : formatDuration(s.process.durationMs)],
          ['pid', s.process.pid],
        ]}
      />
      {Object.keys(s.process.parameters).length ? (
        <>
          <h2>Parameters</h2>
          <KeyValues rows={Object.entries(s.process.parameters)} />
        </>
      ) : null}
      <h2>Environment</h2>
      {Object.keys(s.process.env).length ? (
        <KeyValues rows={Object.entries(s.process.env)} />
      ) : (
        <p className="muted">no recorded variables</p>
      )}
      {s.process.withheld.length ? (
        <p className="muted">Withheld because they look like secrets: {s.process.withheld.join(', ')}</p>
      ) : null}
    </>
  );
}
/** The Outcome tab: status, metrics with their histories, hashed artifacts. */
export function OutcomePanel({ snapshot: s }: { snapshot: Snapshot }): ReactNode {
  // the run view reads the snapshot without its histories; their lengths and thinned points come from here
  const histories = useRunHistories([s.id]);
  const pointsOf = new Map(histories.data?.runs[0]?.metrics.map((m) => [m.name, m.points]) ?? []);
  return (
    <>
      <KeyValues
        rows={[
          ['status', <Badge key="s" value={s.outcome.status} />],
          ['exit code', s.outcome.exitCode],
          ['signal', s.outcome.signal],
          ['error', s.outcome.error],
        ]}
      />
      <h2>Metrics</h2>
      {Object.keys(s.outcome.metrics).length ? (
        <table className="grid">
          <thead>
            <tr>
              <th>metric</th>
              <th>value</th>
              <th>steps</th>
              <th>source</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(s.outcome.metrics).map(([k, m]) => (
              <tr key={k}>
                <td>{k}</td>
                <td className="mono num" title={formatMetricValue(m.value)}>
                  {formatSignificant(m.value)}
                </td>
                <td>{m.history?.length ?? pointsOf.get(k) ?? ''}</td>
                <td className="mono">{m.source}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">no metrics</p>
      )}
      <HistoryCharts runs={[{ id: s.id, label: s.name ?? s.id.slice(0, 8) }]} histories={histories.data} />
      <h2>Artifacts</h2>
      <Trees trees={s.outcome.artifacts} empty="No artifacts were hashed (pass --outputs PATH to capture)." />
    </>
  );
}
/** The Logs tab's panel for one stream (stdout or stderr), as stored, the middle cut when long. */
export function LogPanel({ id, stream }: { id: string; stream: 'stdout' | 'stderr' }): ReactNode {
  const log = useOp('getRunLog', { id, stream }, `${id}:${stream}`);
  if (log.error) return <ErrorBox error={log.error} title={`Could not read ${stream}`} />;
  if (!log.data) return <Loading what={stream} />;
  return (
    <div className="section">
      <h3>
        {stream}{' '}
        <span className="faint">
          {formatBytes(log.data.bytes)}
          {log.data.truncated ? ', truncated (the start and end were kept)' : ''}
        </span>
      </h3>
      {log.data.text ? (
        <pre className="log" data-testid={`log-${stream}`}>
          {log.data.text}
        </pre>
      ) : (
        <p className="muted">empty</p>
      )}
    </div>
  );
}
