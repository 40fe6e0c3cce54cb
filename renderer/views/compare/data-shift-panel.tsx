// The data shift in the app: each changed data input and output file, with its column table, first differing rows, arrays, text and JSON diffs, and both images side by side.
import { useState, type ReactNode } from 'react';
import type { ArrayShift, DataShift, FileShift } from '../../../shared/compare/data-shift-model';
import { centre, describeTest, fileLabel, fileSummary, shortNumber } from '../../../shared/compare/data-shift-format';
import { call } from '../../api';
import { ErrorBox, Loading } from '../../components/common';
import { DiffView, type DiffLayout } from '../../components/diff-view';
import { useAsync } from '../../use-async';

/** Cells of the row diff keep a value on one line (a narrow column wrapped 3.26 as 3.2 / 6). */
const NOWRAP = { whiteSpace: 'nowrap' } as const;
const MARK: Record<FileShift['change'], string> = { changed: '~', added: '+', removed: '−', renamed: '→' };

function rowClass(status: string): string {
  return status === 'only-a'
    ? 'diff-removed'
    : status === 'only-b'
      ? 'diff-added'
      : status === 'same'
        ? ''
        : 'diff-changed';
}

function Arrays({ list }: { list: readonly ArrayShift[] }): ReactNode {
  return (
    <table className="grid">
      <thead>
        <tr>
          <th>name</th>
          <th>dtype A → B</th>
          <th>shape A → B</th>
          <th>max |Δ|</th>
          <th>max rel Δ</th>
          <th>beyond tolerance</th>
        </tr>
      </thead>
      <tbody>
        {list.map((x) => (
          <tr key={x.name} className={rowClass(x.status)}>
            <td className="mono">{x.name}</td>
            <td className="mono">
              {x.dtypeA ?? '—'} → {x.dtypeB ?? '—'}
            </td>
            <td className="mono">
              ({x.shapeA?.join(', ') ?? '—'}) → ({x.shapeB?.join(', ') ?? '—'})
            </td>
            <td className="mono">{shortNumber(x.maxAbsDiff)}</td>
            <td className="mono">{shortNumber(x.maxRelDiff)}</td>
            <td>{x.beyondTolerance === null ? (x.note ?? '—') : `${x.beyondTolerance} of ${x.elements}`}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function TableDetail({ d }: { d: Extract<FileShift['detail'], { kind: 'table' }> }): ReactNode {
  const [all, setAll] = useState(false);
  const cols = all ? d.columns : d.columns.slice(0, 12);
  const r = d.rows;
  return (
    <>
      <table className="grid" data-testid="data-shift-columns">
        <thead>
          <tr>
            <th>column</th>
            <th>type</th>
            <th>A</th>
            <th>B</th>
            <th>min A → B</th>
            <th>max A → B</th>
            <th>missing</th>
            <th>test</th>
            <th>moved</th>
          </tr>
        </thead>
        <tbody>
          {cols.map((c) => (
            <tr key={c.name} className={rowClass(c.status)}>
              <td className="key">{c.name}</td>
              <td>
                {c.a?.type === c.b?.type ? (c.a?.type ?? c.b?.type) : `${c.a?.type ?? '—'} → ${c.b?.type ?? '—'}`}
              </td>
              <td className="val a mono">{centre(c.a)}</td>
              <td className="val b mono">{centre(c.b)}</td>
              <td className="mono">
                {shortNumber(c.a?.min)} → {shortNumber(c.b?.min)}
              </td>
              <td className="mono">
                {shortNumber(c.a?.max)} → {shortNumber(c.b?.max)}
              </td>
              <td className="mono">
                {c.a?.missing ?? '—'} → {c.b?.missing ?? '—'}
              </td>
              <td>{describeTest(c)}</td>
              <td className="mono">{shortNumber(c.movement)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {d.columns.length > 12 ? (
        <button onClick={() => setAll(!all)}>{all ? 'fewer columns' : `all ${d.columns.length} columns`}</button>
      ) : null}
      {r ? (
        <>
          <p className="faint">
            Rows by {r.keyedBy}: {r.differing === null ? 'not compared' : `${r.differing} differ`}
            {r.note ? ` (${r.note})` : ''}
          </p>
          {r.rows.length ? (
            <div style={{ overflowX: 'auto' }}>
              <table className="grid" data-testid="data-shift-rows">
                <thead>
                  <tr>
                    <th>{r.keyedBy === 'position' ? 'row' : r.keyedBy}</th>
                    {r.columns.map((c) => (
                      <th key={c}>{c}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {r.rows.flatMap((row) =>
                    (
                      [
                        ['A', row.a],
                        ['B', row.b],
                      ] as const
                    )
                      .filter(([, cells]) => cells)
                      .map(([side, cells]) => (
                        <tr key={`${row.key}-${side}`} className={side === 'A' ? 'diff-removed' : 'diff-added'}>
                          <td className="mono" style={NOWRAP}>
                            {row.key} {side}
                          </td>
                          {r.columns.map((c, i) => (
                            <td key={c} className="mono" style={NOWRAP}>
                              {row.changed.includes(i) ? <b>{cells![i] ?? '∅'}</b> : (cells![i] ?? '∅')}
                            </td>
                          ))}
                        </tr>
                      )),
                  )}
                </tbody>
              </table>
            </div>
          ) : null}
        </>
      ) : null}
    </>
  );
}

function FileDetail({ f, layout }: { f: FileShift; layout: DiffLayout }): ReactNode {
  const d = f.detail;
  if (!d) return null;
  switch (d.kind) {
    case 'table':
      return <TableDetail d={d} />;
    case 'array':
      return <Arrays list={d.arrays} />;
    case 'model':
      return (
        <>
          <p className="muted">
            {d.typeA ?? '—'} → {d.typeB ?? '—'}
          </p>
          <Arrays list={d.params} />
        </>
      );
    case 'text':
      return d.patch ? <DiffView patch={d.patch} layout={layout} /> : null;
    case 'json':
      return (
        <table className="grid">
          <tbody>
            {d.changes.map((c) => (
              <tr key={c.path} className={rowClass(c.status)}>
                <td className="mono key">{c.path}</td>
                <td className="val a mono">{c.a ?? '—'}</td>
                <td className="val b mono">{c.b ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      );
    case 'image':
      return (
        <div className="split2" data-testid="data-shift-images">
          {[d.dataA, d.dataB].map((uri, i) => (
            <figure key={i} style={{ margin: 0 }}>
              {uri && uri.startsWith('data:image/png;base64,') ? (
                <img src={uri} alt={`run ${i ? 'B' : 'A'}`} style={{ maxWidth: '100%', imageRendering: 'pixelated' }} />
              ) : (
                <p className="faint">not kept (too large)</p>
              )}
              <figcaption className="faint">run {i ? 'B' : 'A'}</figcaption>
            </figure>
          ))}
        </div>
      );
  }
}

/** The changed data and output files of a comparison. */
export function DataShiftPanel({ shift, layout = 'unified' }: { shift: DataShift; layout?: DiffLayout }): ReactNode {
  if (shift.files.length === 0) return null;
  return (
    <section className="section" data-testid="data-shift">
      <h2>
        Data and output files <span className="faint">{shift.files.length} differ</span>
      </h2>
      {shift.files.map((f) => (
        <details key={`${f.area}:${f.root}:${f.path}`} open={f.change === 'changed'} className="section">
          <summary>
            <span className="mono">
              {MARK[f.change]} {fileLabel(f)}
            </span>{' '}
            <span className="faint">
              {f.area} · {fileSummary(f)}
              {f.stored ? ' · from the store' : ''}
            </span>
          </summary>
          <FileDetail f={f} layout={layout} />
        </details>
      ))}
    </section>
  );
}

/** The audit view's hook: the data shift between the audited run and one rerun, picked from the audit. */
export function DataShiftForAudit({
  reference,
  reruns,
}: {
  reference: string | null;
  reruns: readonly { runId: string | null; label: string }[];
}): ReactNode {
  const choices = reruns.filter((r): r is { runId: string; label: string } => r.runId !== null);
  const [picked, setPicked] = useState<string | null>(null);
  const result = useAsync(
    () => (reference && picked ? call('compareRuns', { a: reference, b: picked }) : null),
    [reference, picked],
  );
  if (!reference || choices.length === 0) return null;
  return (
    <section className="section" data-testid="audit-data-shift">
      <h2>How data and outputs differ from the original</h2>
      <label className="row">
        rerun{' '}
        <select aria-label="Rerun to compare" value={picked ?? ''} onChange={(e) => setPicked(e.target.value || null)}>
          <option value="">pick a rerun…</option>
          {choices.map((r) => (
            <option key={r.runId} value={r.runId}>
              {r.label}
            </option>
          ))}
        </select>
      </label>
      {picked === null ? null : result.error ? (
        <ErrorBox error={result.error} title="Could not compare" />
      ) : !result.data ? (
        <Loading what="the data shift" />
      ) : result.data.dataShift?.files.length ? (
        <DataShiftPanel shift={result.data.dataShift} />
      ) : (
        <p className="muted">The rerun's data inputs and outputs have the same content as the original's.</p>
      )}
    </section>
  );
}
