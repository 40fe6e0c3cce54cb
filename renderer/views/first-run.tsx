import type { ReactNode } from 'react';
import { go } from '../router';

/** The empty store's welcome: how to get the first run, and the example audit one click away. */
export function FirstRun(): ReactNode {
  return (
    <div className="view">
      <div className="empty" data-testid="first-run">
        <h1>No runs yet</h1>
        <p>reproscope records what a run was and tells you whether it reproduces. Get a first run in one of three ways:</p>
        <ol>
          <li><b>Audit the bundled example</b>, a tiny MLproject with a seed and one uncontrolled source of variance:
            <div style={{ margin: '6px 0' }}><button className="primary" onClick={() => go({ view: 'audit', id: null })} data-testid="try-example">Audit the example experiment</button></div></li>
          <li><b>Capture</b> a run from a terminal: <pre>reproscope capture --data data/ --metrics metrics.json -- python train.py</pre></li>
          <li><b>Import</b> runs from an MLflow store: <a href="#/import">Import…</a> or <code>reproscope import ./mlruns</code></li>
        </ol>
      </div>
    </div>
  );
}
