/* eslint-disable max-lines -- split pending: owner issue-14 */
import { useEffect, useState, type ReactNode } from 'react';
import { formatBytes, formatDuration, formatMetricValue } from '../../../shared/snapshot/snapshot-text';
import type { Snapshot, TreeState } from '../../../shared/snapshot/snapshot';
import { Badge, ErrorBox, KeyValues, Loading, formatTime } from '../../components/common';
import { DiffView, type DiffLayout } from '../../components/diff-view';
import { go } from '../../router';
import { useOp } from '../../use-op';
import { formatSignificant } from '../../../shared/numbers';
import { HistoryCharts } from './history-charts';
import { SeedFindings } from './seed-findings';

/** The tabs of a run, in DESIGN.md's category order plus outcome and logs. */
export const RUN_TABS = ['Code', 'Data', 'Software', 'Hardware', 'Randomness', 'Process', 'Outcome', 'Logs'] as const;
type Tab = (typeof RUN_TABS)[number];

const yesNo = (v: boolean | null): string => (v === null ? '' : v ? 'yes' : 'no');

function Trees({ trees, empty }: { trees: readonly TreeState[]; empty: string }): ReactNode {
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

function LogPanel({ id, stream }: { id: string; stream: 'stdout' | 'stderr' }): ReactNode {
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

/** One category of a snapshot, as the Run view shows it. */
export function CategoryPanel({
  snapshot: s,
  tab,
  layout,
}: {
  snapshot: Snapshot;
  tab: Tab;
  layout: DiffLayout;
}): ReactNode {
  switch (tab) {
    case 'Code':
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
    case 'Data':
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
    case 'Software':
      return (
        <>
          <KeyValues
            rows={[
              [
                'OS',
                s.software.os
                  ? `${s.software.os.distro ?? s.software.os.platform} ${s.software.os.release ?? ''} (${s.software.os.arch})`
                  : null,
              ],
              ['kernel', s.software.os?.kernel],
              [
                'Python',
                s.software.python.status === 'ok'
                  ? `${s.software.python.implementation ?? ''} ${s.software.python.version ?? ''}`
                  : `${s.software.python.status}${s.software.python.error ? `: ${s.software.python.error}` : ''}`,
              ],
              ['interpreter', s.software.python.executable],
              ['virtualenv', s.software.python.virtualenv],
              ['conda', s.software.python.conda],
            ]}
          />
          {Object.keys(s.software.numerics).length ? (
            <>
              <h2>Numerics libraries</h2>
              {Object.entries(s.software.numerics).map(([lib, facts]) => (
                <div key={lib}>
                  <h3>{lib}</h3>
                  <KeyValues rows={Object.entries(facts)} />
                </div>
              ))}
            </>
          ) : null}
          <h2>
            Packages ({s.software.packages.length}){s.software.packagesProvenance === 'declared' ? ' — declared' : ''}
          </h2>
          {s.software.packages.length ? (
            <table className="grid">
              <thead>
                <tr>
                  <th>name</th>
                  <th>version</th>
                  <th>installer</th>
                  <th>editable</th>
                </tr>
              </thead>
              <tbody>
                {s.software.packages.map((p) => (
                  <tr key={p.name}>
                    <td>{p.name}</td>
                    <td className="mono">{p.version}</td>
                    <td>{p.installer}</td>
                    <td>{p.editable ? 'yes' : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">none recorded</p>
          )}
          {s.software.envSpecs.map((e) => (
            <div key={e.path} className="section">
              <h3>
                {e.path}{' '}
                <span className="faint">
                  {e.kind} · sha256 {e.sha256.slice(0, 12)}
                </span>
              </h3>
              <pre className="log">{e.content}</pre>
            </div>
          ))}
        </>
      );
    case 'Hardware':
      return (
        <>
          <KeyValues
            rows={[
              ['CPU', s.hardware.cpu ? `${s.hardware.cpu.vendor ?? ''} ${s.hardware.cpu.model ?? ''}` : null],
              [
                'cores',
                s.hardware.cpu
                  ? `${s.hardware.cpu.cores ?? '?'} logical, ${s.hardware.cpu.physicalCores ?? '?'} physical`
                  : null,
              ],
              ['numerics flags', s.hardware.cpu?.numericsFlags.join(' ')],
              ['memory', s.hardware.memoryBytes === null ? null : formatBytes(s.hardware.memoryBytes)],
              [
                'virtualization',
                s.hardware.virtualization
                  ? [
                      s.hardware.virtualization.virtual ? 'virtual' : 'bare metal',
                      s.hardware.virtualization.hypervisor,
                      s.hardware.virtualization.container,
                    ]
                      .filter(Boolean)
                      .join(', ')
                  : null,
              ],
            ]}
          />
          <h2>GPUs</h2>
          {s.hardware.gpus.length ? (
            <table className="grid">
              <thead>
                <tr>
                  <th>model</th>
                  <th>memory</th>
                  <th>driver</th>
                  <th>CUDA</th>
                </tr>
              </thead>
              <tbody>
                {s.hardware.gpus.map((g, i) => (
                  <tr key={i}>
                    <td>
                      {g.vendor} {g.model}
                    </td>
                    <td>{g.memoryMB === null ? '' : `${g.memoryMB} MB`}</td>
                    <td>{g.driver}</td>
                    <td>{g.cudaVersion}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">none</p>
          )}
        </>
      );
    case 'Randomness':
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
    case 'Process':
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
    case 'Outcome':
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
                    <td>{m.history?.length ?? ''}</td>
                    <td className="mono">{m.source}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">no metrics</p>
          )}
          <HistoryCharts runs={[{ label: s.name ?? s.id.slice(0, 8), snapshot: s }]} />
          <h2>Artifacts</h2>
          <Trees trees={s.outcome.artifacts} empty="No artifacts were hashed (pass --outputs PATH to capture)." />
        </>
      );
    case 'Logs':
      return (
        <>
          <LogPanel id={s.id} stream="stdout" />
          <LogPanel id={s.id} stream="stderr" />
        </>
      );
  }
}

/** One snapshot by category. */
export function RunView({ id }: { id: string }): ReactNode {
  const run = useOp('getRun', { id }, id);
  const [tab, setTab] = useState<Tab>('Code');
  const [layout, setLayout] = useState<DiffLayout>('unified');
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (document.activeElement?.tagName === 'INPUT') return;
      const i = RUN_TABS.indexOf(tab);
      if (e.key === ']') setTab(RUN_TABS[(i + 1) % RUN_TABS.length]!);
      if (e.key === '[') setTab(RUN_TABS[(i + RUN_TABS.length - 1) % RUN_TABS.length]!);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [tab]);
  if (run.error)
    return (
      <div className="view">
        <ErrorBox error={run.error} title={`Could not open run ${id}`} />
      </div>
    );
  const s = run.data;
  if (!s)
    return (
      <div className="view">
        <Loading what="the run" />
      </div>
    );
  const counts: Partial<Record<Tab, number>> = {
    Data: s.data.inputs.length,
    Software: s.software.packages.length,
    Randomness: s.randomness.scan.findings.length,
    Outcome: Object.keys(s.outcome.metrics).length,
  };
  return (
    <div className="view" data-testid="run-view">
      <div className="toolbar">
        <h1 style={{ margin: 0 }}>{s.name ?? `Run ${s.id.slice(0, 8)}`}</h1>
        <Badge value={s.outcome.status} />
        <span className="badge">{s.kind}</span>
        <span className="mono faint">{s.id}</span>
        <span className="grow" />
        <button onClick={() => go({ view: 'compare', a: s.id, b: null })} title="compare this run with another">
          Compare with…
        </button>
      </div>
      <div className="muted">
        {formatTime(s.createdAt)}
        {s.project.name ? ` · project ${s.project.name}` : ''}
        {s.project.root ? ` (${s.project.root})` : ''}
        {s.auditId ? (
          <>
            {' '}
            · audit <a href={`#/audit/${s.auditId}`}>{s.auditId.slice(0, 8)}</a>
          </>
        ) : null}
        {s.source ? ` · imported from ${s.source.type} ${s.source.location} run ${s.source.runId}` : ''}
      </div>
      {s.warnings.length ? (
        <div className="error-box" style={{ borderColor: 'var(--warn)', background: 'var(--chg-bg)' }}>
          {s.warnings.map((w, i) => (
            <div key={i}>⚠ {w}</div>
          ))}
        </div>
      ) : null}
      <div className="tabs" role="tablist">
        {RUN_TABS.map((t) => (
          <button
            key={t}
            role="tab"
            aria-selected={t === tab}
            className={t === tab ? 'active' : ''}
            onClick={() => setTab(t)}
          >
            {t}
            {counts[t] ? <span className="count">{counts[t]}</span> : null}
          </button>
        ))}
        <span className="grow" style={{ flex: 1 }} />
        {tab === 'Code' && s.code.patch ? (
          <select aria-label="Diff layout" value={layout} onChange={(e) => setLayout(e.target.value as DiffLayout)}>
            <option value="unified">unified</option>
            <option value="split">split</option>
          </select>
        ) : null}
      </div>
      <div role="tabpanel">
        <CategoryPanel snapshot={s} tab={tab} layout={layout} />
      </div>
    </div>
  );
}
