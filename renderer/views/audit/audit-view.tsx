/** The Audit view: examples to start from, the Start form and the audits so far; or one audit's detail. */
import { useState, type ReactNode } from 'react';
import { call } from '../../api';
import { Badge, ErrorBox, formatTime } from '../../components/common';
import { useAsync } from '../../use-async';
import { AuditDetail } from './audit-detail';
import { StartAudit } from './audit-start';

/** The audits so far, newest first. */
function AuditList(): ReactNode {
  const list = useAsync(() => call('listAudits', {}), []);
  if (list.error) return <ErrorBox error={list.error} title="Could not list audits" />;
  if (!list.data || list.data.audits.length === 0) return null;
  return (
    <div className="section">
      <h2>Audits</h2>
      <table className="grid">
        <thead>
          <tr>
            <th>id</th>
            <th>created</th>
            <th>project</th>
            <th>entry point</th>
            <th>status</th>
            <th>verdict</th>
            <th>reruns</th>
          </tr>
        </thead>
        <tbody>
          {list.data.audits.map((a) => (
            <tr key={a.id}>
              <td className="mono">
                <a href={`#/audit/${a.id}`}>{a.id.slice(0, 8)}</a>
              </td>
              <td>{formatTime(a.createdAt)}</td>
              <td>{a.project}</td>
              <td>{a.entryPoint}</td>
              <td>
                <Badge value={a.status} />
              </td>
              <td>{a.verdict ? <Badge value={a.verdict} /> : ''}</td>
              <td>
                {a.rerunsDone}/{a.reruns}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Audits: start one on a project folder, follow it live, read its verdict and sources. */
export function AuditView({ id }: { id: string | null }): ReactNode {
  const examples = useAsync(() => (id ? null : call('listExamples', {})), [id]);
  const [chosen, setChosen] = useState('');
  if (id)
    return (
      <div className="view">
        <AuditDetail id={id} />
      </div>
    );
  return (
    <div className="view" data-testid="audit-view">
      <h1>Audit</h1>
      <p className="muted">
        An audit reruns an MLflow project many times, in groups that pin or vary one factor at a time, and says whether
        the result reproduces and which factors explain the variance.
      </p>
      {examples.data?.examples.length ? (
        <div className="cards" style={{ marginBottom: 8 }}>
          {examples.data.examples.map((e) => (
            <div key={e.name} className="card">
              <h3>
                {e.name}
                <span className="badge">example</span>
              </h3>
              <div className="muted">{e.description}</div>
              <div style={{ marginTop: 6 }}>
                <button onClick={() => setChosen(e.path)} data-testid={`example-${e.name}`}>
                  Use this project
                </button>
              </div>
            </div>
          ))}
        </div>
      ) : null}
      <StartAudit key={chosen} initialPath={chosen} />
      <AuditList />
    </div>
  );
}
