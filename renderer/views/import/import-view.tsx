// The Import view: brings MLflow runs in from a file store, an mlflow.db or a tracking server.
import { useState, type ReactNode } from 'react';
import type { ImportSummary } from '../../../shared/api/api-import';
import type { ErrorInfo } from '../../../shared/errors';
import { call } from '../../api';
import { ErrorBox } from '../../components/common';
import { PathField } from '../../components/path-field';
import { ProgressPanel } from '../../components/progress-panel';

/** Brings MLflow runs into the store: a file store, an mlflow.db, or a tracking server. */
export function ImportView(): ReactNode {
  const [location, setLocation] = useState('');
  const [experiment, setExperiment] = useState('');
  const [project, setProject] = useState('');
  const [includeDeleted, setIncludeDeleted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [result, setResult] = useState<ImportSummary | null>(null);
  const submit = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setResult(null);
    const r = await call('importMlflow', {
      location: location.trim(),
      experiment: experiment.trim() || undefined,
      project: project.trim() || undefined,
      includeDeleted: includeDeleted || undefined,
    });
    setBusy(false);
    if (r.ok) setResult(r.value);
    else setError(r.error);
  };
  return (
    <div className="view" data-testid="import-view">
      <h1>Import from MLflow</h1>
      <p className="muted">
        Each MLflow run becomes a snapshot of kind <i>import</i>: what MLflow recorded (parameters, metrics, tags, git
        commit, environment spec, datasets) marked as declared. Importing again updates changed runs and skips the rest.
      </p>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label htmlFor="imp-loc">MLflow store</label>
        <PathField
          id="imp-loc"
          value={location}
          onChange={setLocation}
          placeholder="./mlruns, ./mlflow.db, sqlite:///…, http://host:5000"
          purposes={[
            { purpose: 'mlflow-folder', label: 'Folder…' },
            { purpose: 'mlflow-database', label: 'Database…' },
          ]}
        />
        <label htmlFor="imp-exp">Experiment</label>
        <input
          id="imp-exp"
          type="text"
          value={experiment}
          onChange={(e) => setExperiment(e.target.value)}
          placeholder="all experiments (or a name or id)"
        />
        <label htmlFor="imp-proj">Project folder</label>
        <PathField
          id="imp-proj"
          value={project}
          onChange={setProject}
          placeholder="optional: a folder whose dvc.lock is checked against the disk"
          purposes={[{ purpose: 'project', label: 'Choose…' }]}
        />
        <label htmlFor="imp-del">Deleted runs</label>
        <label className="row">
          <input
            id="imp-del"
            type="checkbox"
            checked={includeDeleted}
            onChange={(e) => setIncludeDeleted(e.target.checked)}
          />{' '}
          include runs MLflow marked deleted
        </label>
        <span />
        <div>
          <button className="primary" type="submit" disabled={busy || location.trim() === ''}>
            {busy ? 'Importing…' : 'Import'}
          </button>
        </div>
      </form>
      {busy ? <ProgressPanel match={(e) => e.task.startsWith('import')} /> : null}
      {error ? <ErrorBox error={error} title="Import failed" /> : null}
      {result ? (
        <div className="section" data-testid="import-result">
          <h2>
            Imported from {result.source.type} {result.source.location}
          </h2>
          <p>
            <b>{result.added}</b> added, <b>{result.updated}</b> updated, <b>{result.unchanged}</b> unchanged of{' '}
            {result.runsSeen} runs in {result.experiments.length} experiments ({(result.durationMs / 1000).toFixed(1)}{' '}
            s). <a href="#/runs">Show them in Runs</a>
          </p>
          {result.skipped.length ? (
            <>
              <h3>Skipped</h3>
              <table className="grid">
                <thead>
                  <tr>
                    <th>experiment</th>
                    <th>run</th>
                    <th>reason</th>
                  </tr>
                </thead>
                <tbody>
                  {result.skipped.map((s, i) => (
                    <tr key={i}>
                      <td>{s.experimentId}</td>
                      <td className="mono">{s.runId}</td>
                      <td>{s.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : null}
          {result.warnings.length ? (
            <>
              <h3>Warnings</h3>
              <ul>
                {result.warnings.map((w, i) => (
                  <li key={i}>{w}</li>
                ))}
              </ul>
            </>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
