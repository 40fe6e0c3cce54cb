/** The Run view's Code and Data tabs, and the hashed-folder listing that Data and Outcome share. */
import type { ReactNode } from 'react';
import { formatBytes } from '../../../shared/snapshot/snapshot-text';
import type { Snapshot, TreeState } from '../../../shared/snapshot/snapshot';
import { KeyValues } from '../../components/common';
import { DiffView, type DiffLayout } from '../../components/diff-view';

const yesNo = (v: boolean | null): string => (v === null ? '' : v ? 'yes' : 'no');

/** Hashed folders (data inputs, artifacts): each with its root hash and the first 500 files. */
export function Trees({ trees, empty }: { trees: readonly TreeState[]; empty: string }): ReactNode {
  if (trees.length === 0) return <p className="muted">{empty}</p>;
  return (
    <>
      {trees.map((t) => (
        <div key={t.path} className="section">
          <h3>
            {t.path}{' '}
            <span className="faint">
              ({t.kind}, {t.fileCount} files, {formatBytes(t.totalBytes)})
            </span>
          </h3>
          <KeyValues
            rows={[
              ['root hash', t.rootHash],
              ['absolute path', t.absPath],
            ]}
          />
          {t.files.length > 0 ? (
            <table className="grid" style={{ marginTop: 4 }}>
              <thead>
                <tr>
                  <th>file</th>
                  <th>size</th>
                  <th>sha256</th>
                </tr>
              </thead>
              <tbody>
                {t.files.slice(0, 500).map((f) => (
                  <tr key={f.path}>
                    <td className="mono">
                      {f.path}
                      {f.linkTarget ? ` → ${f.linkTarget}` : ''}
                    </td>
                    <td>{formatBytes(f.size)}</td>
                    <td className="mono">{f.sha256 ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {t.files.length > 500 ? <p className="faint">…and {t.files.length - 500} more files</p> : null}
        </div>
      ))}
    </>
  );
}
/** The Code tab: version control, the uncommitted patch, untracked files, submodules. */
export function CodePanel({ snapshot: s, layout }: { snapshot: Snapshot; layout: DiffLayout }): ReactNode {
  return (
    <>
      <KeyValues
        rows={[
          ['version control', s.code.vcs + (s.code.provenance === 'declared' ? ' (declared by the source)' : '')],
          ['repository', s.code.root],
          ['commit', s.code.commit],
          ['branch', s.code.branch],
          ['remotes', s.code.remotes.map((r) => `${r.name} ${r.url}`).join('\n')],
          ['uncommitted changes', yesNo(s.code.dirty)],
          ['content hash', s.code.contentHash],
          ['files', s.code.fileCount],
          ['note', s.code.note],
        ]}
      />
      {s.code.patch ? (
        <>
          <h2>Uncommitted patch</h2>
          <DiffView patch={s.code.patch} layout={layout} />
        </>
      ) : null}
      {s.code.untracked.length ? (
        <>
          <h2>Untracked files ({s.code.untracked.length})</h2>
          <table className="grid">
            <thead>
              <tr>
                <th>file</th>
                <th>size</th>
                <th>sha256</th>
              </tr>
            </thead>
            <tbody>
              {s.code.untracked.map((f) => (
                <tr key={f.path}>
                  <td className="mono">{f.path}</td>
                  <td>{formatBytes(f.size)}</td>
                  <td className="mono">{f.sha256}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      {s.code.submodules.length ? (
        <>
          <h2>Submodules</h2>
          <KeyValues rows={s.code.submodules.map((m) => [m.path, m.commit])} />
        </>
      ) : null}
    </>
  );
}
/** The Data tab: hashed inputs, DVC stages, datasets the source declared. */
export function DataPanel({ snapshot: s }: { snapshot: Snapshot }): ReactNode {
  return (
    <>
      <Trees trees={s.data.inputs} empty="No data inputs were recorded (pass --data PATH to capture)." />
      {s.data.dvc.length ? (
        <>
          <h2>DVC</h2>
          <table className="grid">
            <thead>
              <tr>
                <th>stage</th>
                <th>role</th>
                <th>path</th>
                <th>hash</th>
                <th>matches disk</th>
              </tr>
            </thead>
            <tbody>
              {s.data.dvc.map((d) => (
                <tr key={`${d.stage}:${d.role}:${d.path}`}>
                  <td>{d.stage}</td>
                  <td>{d.role}</td>
                  <td className="mono">{d.path}</td>
                  <td className="mono">
                    {d.hashKind}:{d.hash}
                  </td>
                  <td>{yesNo(d.matchesDisk)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      {s.data.declared.length ? (
        <>
          <h2>Declared datasets</h2>
          <table className="grid">
            <thead>
              <tr>
                <th>name</th>
                <th>digest</th>
                <th>source</th>
                <th>context</th>
              </tr>
            </thead>
            <tbody>
              {s.data.declared.map((d) => (
                <tr key={`${d.name}:${d.digest ?? ''}`}>
                  <td>{d.name}</td>
                  <td className="mono">{d.digest}</td>
                  <td className="mono">{d.source}</td>
                  <td>{d.context}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </>
  );
}
