/** The Runs toolbar's actions on the marked runs and the table: CSV export, delete. */
import { useState, type ReactNode } from 'react';
import type { ErrorInfo } from '../../../shared/errors';
import { runColumnName, type RunColumn } from '../../../shared/runs/run-columns';
import { call } from '../../api';
import { ErrorBox } from '../../components/common';
import type { RunsQuery } from './use-run-pages';

/** Starts a download of text as a file (a blob URL; the page's CSP allows blob: for exactly this). */
export function downloadText(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Export the table as it is filtered and sorted (its columns as shown), and delete the marked runs. */
export function RunActions({
  marked,
  query,
  columns,
  onDeleted,
}: {
  marked: readonly string[];
  query: RunsQuery;
  columns: readonly RunColumn[];
  onDeleted: () => void;
}): ReactNode {
  const [error, setError] = useState<ErrorInfo | null>(null);
  const exportCsv = async (): Promise<void> => {
    const { groupReruns: _g, ...selection } = query; // CSV lists every run, reruns included
    const r = await call('exportRunsCsv', { ...selection, columns: columns.map(runColumnName) });
    if (!r.ok) return setError(r.error);
    setError(null);
    downloadText('runs.csv', 'text/csv', r.value.csv);
  };
  const remove = async (): Promise<void> => {
    if (!window.confirm(`Delete ${marked.length} ${marked.length === 1 ? 'run' : 'runs'} and the logs only they use?`))
      return;
    const r = await call('deleteRuns', { ids: [...marked] });
    if (!r.ok) return setError(r.error);
    setError(null);
    onDeleted();
  };
  return (
    <>
      <button onClick={() => void exportCsv()} title="the table as CSV, filtered and sorted as shown">
        Export CSV
      </button>
      <button disabled={marked.length === 0} onClick={() => void remove()} className="danger">
        Delete {marked.length || ''}
      </button>
      {error ? (
        <div className="toast">
          <ErrorBox error={error} title="Could not do that" />
        </div>
      ) : null}
    </>
  );
}
