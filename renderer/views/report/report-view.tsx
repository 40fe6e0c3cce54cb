// The Report view: previews a report in a sandboxed frame and exports it as HTML, Markdown, JSON or PDF.
import { useState, type ReactNode } from 'react';
import type { ReportFormat } from '../../../shared/api/desktop-bridge';
import type { ErrorInfo } from '../../../shared/errors';
import { call, saveReportNatively } from '../../api';
import { ErrorBox, Loading, formatTime } from '../../components/common';
import { RunPicker } from '../../components/run-picker';
import { go } from '../../router';
import { useAsync } from '../../use-async';

const FORMATS: { format: ReportFormat; label: string; type: string }[] = [
  { format: 'html', label: 'HTML', type: 'text/html' },
  { format: 'md', label: 'Markdown', type: 'text/markdown' },
  { format: 'json', label: 'JSON', type: 'application/json' },
  { format: 'pdf', label: 'PDF', type: 'application/pdf' },
];

type Subject = { kind: 'audit'; id: string } | { kind: 'compare'; ids: string[] };

const inputFor = (
  s: Subject,
  format: ReportFormat,
): { kind: 'audit' | 'compare'; ids: string[]; format: ReportFormat } =>
  s.kind === 'audit' ? { kind: 'audit', ids: [s.id], format } : { kind: 'compare', ids: s.ids, format };
const baseName = (s: Subject): string =>
  s.kind === 'audit'
    ? `audit-${s.id.slice(0, 8)}`
    : s.ids.length > 2
      ? `compare-${s.ids[0]!.slice(0, 8)}-and-${s.ids.length - 1}-more`
      : `compare-${s.ids[0]!.slice(0, 8)}-${s.ids[1]!.slice(0, 8)}`;

function download(name: string, type: string, data: BlobPart): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const fromBase64 = (text: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** Previews a report (in a sandboxed frame that runs no script) and exports it as HTML, Markdown, JSON or PDF. */
function ReportOf({ subject }: { subject: Subject }): ReactNode {
  const preview = useAsync(() => call('exportReport', inputFor(subject, 'html')), [JSON.stringify(subject)]);
  const [busy, setBusy] = useState<ReportFormat | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const exportAs = async (format: ReportFormat, type: string): Promise<void> => {
    setBusy(format);
    setError(null);
    setSaved(null);
    try {
      const name = `${baseName(subject)}.${format}`;
      if (saveReportNatively) {
        // the desktop app prints PDFs itself (Electron's printToPDF) from the HTML
        const r = await call('exportReport', inputFor(subject, format === 'pdf' ? 'html' : format));
        if (!r.ok) {
          setError(r.error);
          return;
        }
        const s = await saveReportNatively({ suggestedName: name, format, content: r.value.text ?? '' });
        if (!s.ok) setError(s.error);
        else if (s.value) setSaved(s.value);
        return;
      }
      const r = await call('exportReport', inputFor(subject, format));
      if (!r.ok) {
        setError(r.error);
        return;
      }
      download(
        r.value.fileName || name,
        r.value.mimeType || type,
        r.value.base64 !== null ? fromBase64(r.value.base64) : (r.value.text ?? ''),
      );
      setSaved(r.value.fileName || name);
    } finally {
      setBusy(null);
    }
  };
  return (
    <div data-testid="report-view">
      <div className="toolbar">
        <h1 style={{ margin: 0 }}>
          {subject.kind === 'audit'
            ? `Report of audit ${subject.id.slice(0, 8)}`
            : subject.ids.length > 2
              ? `Comparison report of ${subject.ids.length} runs`
              : `Comparison report ${subject.ids[0]!.slice(0, 8)} ↔ ${subject.ids[1]!.slice(0, 8)}`}
        </h1>
        <span className="grow" />
        <span className="muted">Export as</span>
        {FORMATS.map((f) => (
          <button
            key={f.format}
            disabled={busy !== null}
            onClick={() => void exportAs(f.format, f.type)}
            data-testid={`export-${f.format}`}
          >
            {busy === f.format ? '…' : f.label}
          </button>
        ))}
      </div>
      {error ? <ErrorBox error={error} title="Export failed" /> : null}
      {saved ? (
        <p className="muted" data-testid="export-saved">
          Saved {saved}
        </p>
      ) : null}
      {preview.error ? <ErrorBox error={preview.error} title="Could not build the report" /> : null}
      {preview.loading ? <Loading what="the report" /> : null}
      {preview.data ? (
        <iframe
          className="report"
          title="report preview"
          sandbox=""
          srcDoc={preview.data.text ?? ''}
          data-testid="report-preview"
        />
      ) : null}
    </div>
  );
}

/** Reports: of an audit or of a comparison of 2 to 20 runs. */
export function ReportView({
  kind,
  a,
  b,
  rest = [],
}: {
  kind: 'audit' | 'compare' | null;
  a: string | null;
  b: string | null;
  rest?: string[];
}): ReactNode {
  const audits = useAsync(() => (kind ? null : call('listAudits', {})), [kind]);
  if (kind === 'audit' && a)
    return (
      <div className="view">
        <ReportOf subject={{ kind: 'audit', id: a }} />
      </div>
    );
  if (kind === 'compare' && a && b)
    return (
      <div className="view">
        <ReportOf subject={{ kind: 'compare', ids: [a, b, ...rest] }} />
      </div>
    );
  return (
    <div className="view">
      <h1>Reports</h1>
      <p className="muted">
        A report is rebuilt from the store at any time: the verdict, statistics, charts and sources of an audit, or the
        differences between two runs. Export it as HTML, Markdown, JSON or PDF.
      </p>
      <h2>Of an audit</h2>
      {audits.error && audits.error.code !== 'NOT_FOUND' ? <ErrorBox error={audits.error} /> : null}
      {audits.data?.audits.length ? (
        <table className="grid">
          <tbody>
            {audits.data.audits.map((x) => (
              <tr key={x.id}>
                <td className="mono">
                  <a href={`#/report/audit/${x.id}`}>{x.id.slice(0, 8)}</a>
                </td>
                <td>{x.project}</td>
                <td>{x.entryPoint}</td>
                <td>{formatTime(x.createdAt)}</td>
                <td>{x.verdict ?? x.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">
          No audits yet: <a href="#/audit">start one</a>.
        </p>
      )}
      <h2>Of a comparison</h2>
      <div className="split2">
        <RunPicker
          label="A"
          value={kind === 'compare' ? a : null}
          onPick={(id) => go({ view: 'report', kind: 'compare', a: id, b: kind === 'compare' ? b : null })}
        />
        <RunPicker
          label="B"
          value={kind === 'compare' ? b : null}
          onPick={(id) =>
            go({
              view: 'report',
              kind: 'compare',
              a: kind === 'compare' ? a : id,
              b: kind === 'compare' && a ? id : null,
            })
          }
        />
      </div>
    </div>
  );
}
