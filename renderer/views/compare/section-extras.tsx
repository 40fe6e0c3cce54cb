/** What a Compare section shows beyond its fact rows: patches and commits, data files, packages, flags, findings, metrics. */
import type { ReactNode } from 'react';
import type { Comparison, SectionComparison } from '../../../shared/compare/compare-model';
import { formatBytes } from '../../../shared/snapshot/snapshot-text';
import { formatRelative } from '../../../shared/numbers';
import { formatTime } from '../../components/common';
import { DiffView, type DiffLayout } from '../../components/diff-view';
import { FileChanges, num, rowClass } from './compare-tables';

/** The extras of one section of comparison `c`; `onlyDiffs` hides what is the same. */
export function SectionExtras({
  c,
  section,
  layout,
  onlyDiffs,
}: {
  c: Comparison;
  section: SectionComparison['section'];
  layout: DiffLayout;
  onlyDiffs: boolean;
}): ReactNode {
  switch (section) {
    case 'code':
      return (
        <>
          {c.code.uncommitted.a ? (
            <>
              <h3>Uncommitted patch of A</h3>
              <DiffView patch={c.code.uncommitted.a} layout={layout} />
            </>
          ) : null}
          {c.code.uncommitted.b ? (
            <>
              <h3>Uncommitted patch of B</h3>
              <DiffView patch={c.code.uncommitted.b} layout={layout} />
            </>
          ) : null}
          {c.code.patch?.patch ? (
            <>
              <h3>The two patches diffed (A → B)</h3>
              <DiffView patch={c.code.patch.patch} layout={layout} />
            </>
          ) : null}
          {c.code.history?.commits.length ? (
            <>
              <h3>Commits between them</h3>
              <table className="grid">
                <tbody>
                  {c.code.history.commits.map((k) => (
                    <tr key={k.hash}>
                      <td className="mono">{k.hash.slice(0, 10)}</td>
                      <td>{k.side === 'a-only' ? 'only in A' : 'only in B'}</td>
                      <td>{k.subject}</td>
                      <td className="faint">
                        {k.author}, {formatTime(k.date)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : null}
          {c.code.history?.patch ? (
            <>
              <h3>git diff A B{c.code.history.truncated ? ' (cut)' : ''}</h3>
              <DiffView patch={c.code.history.patch} layout={layout} />
            </>
          ) : null}
          {c.code.untracked.length ? (
            <>
              <h3>Untracked files</h3>
              <FileChanges files={c.code.untracked} />
            </>
          ) : null}
        </>
      );
    case 'data':
      return (
        <>
          {c.data.inputs
            .filter((d) => !onlyDiffs || d.status !== 'same')
            .map((d) => (
              <div key={d.path} className="section">
                <h3>
                  {d.path}{' '}
                  <span className="faint">
                    {d.changed} changed, {d.added} added, {d.removed} removed · {d.filesA ?? '?'} → {d.filesB ?? '?'}{' '}
                    files, {formatBytes(d.bytesA)} → {formatBytes(d.bytesB)}
                  </span>
                </h3>
                {d.files.length ? <FileChanges files={d.files} /> : null}
                {d.truncated ? <p className="faint">the first {d.files.length} changes are listed</p> : null}
              </div>
            ))}
        </>
      );
    case 'software':
      return (
        <>
          {c.software.python.a !== c.software.python.b ? (
            <p>
              Python {c.software.python.a ?? '?'} → {c.software.python.b ?? '?'}
              {c.software.python.step ? ` (${c.software.python.step})` : ''}
            </p>
          ) : null}
          <h3>
            Packages{' '}
            <span className="faint">
              {c.software.packages.length} differ, {c.software.packagesSame} same
            </span>
          </h3>
          {c.software.packages.length ? (
            <table className="grid" data-testid="package-diff">
              <thead>
                <tr>
                  <th>package</th>
                  <th>A</th>
                  <th>B</th>
                  <th>change</th>
                  <th>step</th>
                </tr>
              </thead>
              <tbody>
                {c.software.packages.map((p) => (
                  <tr
                    key={p.name}
                    className={
                      p.change === 'added' ? 'diff-added' : p.change === 'removed' ? 'diff-removed' : 'diff-changed'
                    }
                  >
                    <td className="key">{p.name}</td>
                    <td className="val a mono">{p.a ?? '—'}</td>
                    <td className="val b mono">{p.b ?? '—'}</td>
                    <td>{p.change}</td>
                    <td>{p.step ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {c.software.envSpecs
            .filter((e) => !onlyDiffs || e.status !== 'same')
            .map((e) => (
              <div key={e.path} className="section">
                <h3>
                  {e.path}{' '}
                  <span className="faint">
                    {e.status}
                    {e.note ? ` · ${e.note}` : ''}
                  </span>
                </h3>
                {e.patch ? <DiffView patch={e.patch} layout={layout} /> : null}
              </div>
            ))}
        </>
      );
    case 'hardware':
      return c.hardware.flagsOnlyA.length || c.hardware.flagsOnlyB.length ? (
        <p>
          Instruction-set flags only in A: <code>{c.hardware.flagsOnlyA.join(' ') || '—'}</code>; only in B:{' '}
          <code>{c.hardware.flagsOnlyB.join(' ') || '—'}</code>
        </p>
      ) : null;
    case 'randomness':
      return c.randomness.findingsGained.length || c.randomness.findingsLost.length ? (
        <>
          <h3>Seed-scan findings</h3>
          <table className="grid">
            <tbody>
              {c.randomness.findingsLost.map((f, i) => (
                <tr key={`l${i}`} className="diff-removed">
                  <td className="a">only in A</td>
                  <td className="mono">
                    {f.file}:{f.line}
                  </td>
                  <td>{f.rule}</td>
                  <td>{f.message}</td>
                </tr>
              ))}
              {c.randomness.findingsGained.map((f, i) => (
                <tr key={`g${i}`} className="diff-added">
                  <td className="b">only in B</td>
                  <td className="mono">
                    {f.file}:{f.line}
                  </td>
                  <td>{f.rule}</td>
                  <td>{f.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null;
    case 'outcome': {
      const metrics = c.outcome.metrics.filter((m) => !onlyDiffs || m.status !== 'same');
      return metrics.length ? (
        <>
          <h3>Metrics</h3>
          <table className="grid" data-testid="metric-diff">
            <thead>
              <tr>
                <th>metric</th>
                <th>A</th>
                <th>B</th>
                <th>B − A</th>
                <th>relative</th>
              </tr>
            </thead>
            <tbody>
              {metrics.map((m) => (
                <tr key={m.name} className={rowClass(m.status)}>
                  <td className="key">{m.name}</td>
                  <td className="val a mono">{num(m.a)}</td>
                  <td className="val b mono">{num(m.b)}</td>
                  <td className="mono">{num(m.abs)}</td>
                  <td className="mono">{m.rel === null ? '—' : formatRelative(m.rel)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null;
    }
    default:
      return null;
  }
}
