// The empty store's welcome: how to get a first run, and the bundled example audited in one click.
import { useState, type ReactNode } from 'react';
import type { Example } from '../../../shared/api/api-app';
import type { ErrorInfo } from '../../../shared/errors';
import { call } from '../../api';
import { ErrorBox } from '../../components/common';
import { go } from '../../router';
import { useOp } from '../../use-op';

/** The empty store's welcome: how to get the first run, and the bundled example audited in one click. */
export function FirstRun(): ReactNode {
  const examples = useOp('listExamples', {}, 'once');
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [busy, setBusy] = useState(false);
  const example: Example | undefined =
    examples.data?.examples.find((e) => e.name === 'seed-demo') ?? examples.data?.examples[0];
  const auditExample = async (): Promise<void> => {
    if (!example) return;
    setBusy(true);
    setError(null);
    // the example needs only Python's standard library: the default plan is enough to show a verdict and its sources
    const r = await call('startAudit', { project: example.path, repeats: 3 });
    setBusy(false);
    if (r.ok) go({ view: 'audit', id: r.value.id });
    else setError(r.error);
  };
  return (
    <div className="view">
      <div className="empty" data-testid="first-run">
        <h1>No runs yet</h1>
        <p>
          reproscope records what a run was and tells you whether it reproduces, and if not, why. Get a first run in one
          of these ways:
        </p>
        <ol>
          <li>
            <b>Audit the bundled example</b>
            {example ? (
              <>
                {' '}
                (<code>{example.name}</code>: {example.description})
              </>
            ) : null}
            :
            <div style={{ margin: '6px 0' }}>
              <button
                className="primary"
                disabled={!example || busy}
                onClick={() => void auditExample()}
                data-testid="try-example"
              >
                {busy ? 'Starting…' : 'Audit the example experiment'}
              </button>
              {examples.data && !example ? (
                <span className="faint"> (no example is bundled with this build)</span>
              ) : null}
            </div>
          </li>
          <li>
            <b>Capture</b> a run from a terminal:{' '}
            <pre>reproscope capture --data data/ --metrics metrics.json -- python train.py</pre>
          </li>
          <li>
            <b>Audit</b> your own MLflow project: <a href="#/audit">Audit…</a> or{' '}
            <code>reproscope audit ./my-project</code>
          </li>
          <li>
            <b>Import</b> runs from an MLflow store: <a href="#/import">Import…</a> or{' '}
            <code>reproscope import ./mlruns</code>
          </li>
        </ol>
        {error ? <ErrorBox error={error} title="Could not start the example audit" /> : null}
      </div>
    </div>
  );
}
