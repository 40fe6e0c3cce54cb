/* eslint-disable max-lines -- split pending: owner issue-14 */
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ProjectInfo } from '../../../shared/api/api-audit';
import type { Audit, Tolerance, VaryFactor } from '../../../shared/audit/audit';
import { VARY_FACTORS } from '../../../shared/audit/audit';
import type { ErrorInfo } from '../../../shared/errors';
import { formatDuration, formatMetricValue } from '../../../shared/snapshot/snapshot-text';
import { formatSignificant } from '../../../shared/numbers';
import { call, onProgress } from '../../api';
import { Badge, ErrorBox, KeyValues, Loading, ProgressBar, formatTime } from '../../components/common';
import { PathField } from '../../components/path-field';
import { useProgressTasks } from '../../components/progress-panel';
import { go } from '../../router';
import { useAsync } from '../../use-async';
import { DataShiftForAudit } from '../compare/data-shift-panel';
import { PreflightNotes, type Preflight } from './audit-preflight';
import { AuditSummary, GroupDistribution } from './audit-summary';
import { AuditOptionFields, DEFAULT_AUDIT_OPTIONS, optionsRequest, type AuditOptions } from './audit-options';
import { LOCAL_RUNNER, RerunJobState, RunnerFields, runnerRequest, type RunnerChoice } from './audit-runner';

type ProjectEntryPoint = ProjectInfo['entryPoints'][number];

const short = (v: number | null | undefined): string =>
  v === null || v === undefined ? '' : Number.isFinite(v) ? Number(v.toPrecision(6)).toString() : formatMetricValue(v);

/** The form that starts an audit: project, entry point and parameters from its MLproject, the plan, the original. */
function StartAudit({ initialPath }: { initialPath: string }): ReactNode {
  const [path, setPath] = useState(initialPath);
  const [project, setProject] = useState<ProjectInfo | null>(null);
  const [entry, setEntry] = useState('main');
  const [params, setParams] = useState<Record<string, string>>({});
  const [repeats, setRepeats] = useState(3);
  const [vary, setVary] = useState<VaryFactor[]>([]);
  const [tolerances, setTolerances] = useState<Tolerance[]>([]);
  const [against, setAgainst] = useState('');
  const [python, setPython] = useState('');
  const [runner, setRunner] = useState<RunnerChoice>(LOCAL_RUNNER);
  const [options, setOptions] = useState<AuditOptions>(DEFAULT_AUDIT_OPTIONS);
  // the interpreter the original ran, as the Python's default (the CLI's --against does the same)
  const original = useAsync(() => (against.trim() ? call('getRun', { id: against.trim() }) : null), [against]);
  const originalPython = original.data?.software.python.executable ?? null;
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [busy, setBusy] = useState(false);
  const [command, setCommand] = useState<string | null>(null);
  const [preflight, setPreflight] = useState<Preflight | null>(null);

  const read = async (p: string): Promise<void> => {
    setError(null);
    setProject(null);
    setCommand(null);
    const r = await call('readProject', { project: p.trim() });
    if (!r.ok) {
      setError(r.error);
      return;
    }
    setProject(r.value);
    const ep = r.value.entryPoints.find((e) => e.name === 'main') ?? r.value.entryPoints[0];
    if (ep) selectEntry(ep);
  };
  const selectEntry = (ep: ProjectEntryPoint): void => {
    setEntry(ep.name);
    setParams(Object.fromEntries(ep.parameters.map((p) => [p.name, p.default ?? ''])));
  };
  useEffect(() => {
    if (initialPath) void read(initialPath);
  }, [initialPath]); // only a new initial path reads again, not a re-created read()

  const request = useMemo(
    () => ({
      project: path.trim(),
      entryPoint: entry,
      parameters: Object.fromEntries(Object.entries(params).filter(([, v]) => v !== '')),
      repeats,
      vary,
      tolerances,
      against: against.trim() || undefined,
      python: python.trim() || originalPython || undefined,
      ...optionsRequest(options),
      ...runnerRequest(runner),
    }),
    [path, entry, params, repeats, vary, tolerances, against, python, runner, options, originalPython],
  );

  // the exact command, rendered by the core as `mlflow run` would, before anything runs
  useEffect(() => {
    if (!project) return;
    let live = true;
    const t = setTimeout(() => {
      // a dry run prepares the audit exactly as it would run (rendered command included) without running anything
      void call('startAudit', { ...request, dryRun: true }).then((r) => {
        if (!live) return;
        setCommand(r.ok ? r.value.command : null);
        setPreflight(r.ok ? { warnings: r.value.warnings, error: null } : { warnings: [], error: r.error });
      });
    }, 200);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [project, request]);

  const start = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    const r = await call('startAudit', request);
    setBusy(false);
    if (!r.ok) {
      setError(r.error);
      return;
    }
    go({ view: 'audit', id: r.value.id });
  };
  const ep = project?.entryPoints.find((e) => e.name === entry);
  return (
    <div className="section" data-testid="start-audit">
      <h2>Start an audit</h2>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void read(path);
        }}
      >
        <label htmlFor="audit-path">Project folder</label>
        <div className="row">
          <PathField
            id="audit-path"
            value={path}
            onChange={setPath}
            placeholder="a folder with an MLproject file"
            purposes={[{ purpose: 'project', label: 'Choose…' }]}
          />
          <button type="submit" disabled={path.trim() === ''}>
            Read project
          </button>
        </div>
      </form>
      {error ? <ErrorBox error={error} title="Cannot audit this project" /> : null}
      {project && ep ? (
        <form
          className="form"
          style={{ marginTop: 8 }}
          onSubmit={(e) => {
            e.preventDefault();
            void start();
          }}
        >
          <label>Project</label>
          <b>{project.name ?? path.trim().split(/[\\/]/).filter(Boolean).pop()}</b>
          <label htmlFor="audit-entry">Entry point</label>
          <select
            id="audit-entry"
            value={entry}
            onChange={(e) => {
              const x = project.entryPoints.find((p) => p.name === e.target.value);
              if (x) selectEntry(x);
            }}
          >
            {project.entryPoints.map((e) => (
              <option key={e.name} value={e.name}>
                {e.name}
              </option>
            ))}
          </select>
          {ep.parameters.map((p) => [
            <label key={`${p.name}-l`} htmlFor={`param-${p.name}`}>
              {p.name}{' '}
              <span className="faint">
                {p.type}
                {project.seedParameters[entry]?.includes(p.name) ? ', seed' : ''}
              </span>
            </label>,
            <input
              key={`${p.name}-i`}
              id={`param-${p.name}`}
              type="text"
              className="mono"
              value={params[p.name] ?? ''}
              placeholder={p.default === null ? 'required' : ''}
              onChange={(e) => setParams({ ...params, [p.name]: e.target.value })}
            />,
          ])}
          <label htmlFor="audit-repeats">Reruns per group</label>
          <input
            id="audit-repeats"
            type="number"
            min={1}
            max={1000}
            value={repeats}
            onChange={(e) => setRepeats(Math.max(1, Number(e.target.value) || 1))}
            style={{ width: 90 }}
          />
          <label>Vary one at a time</label>
          <div className="row">
            {VARY_FACTORS.map((f) => (
              <label key={f} className="row">
                <input
                  type="checkbox"
                  checked={vary.includes(f)}
                  onChange={(e) => setVary(e.target.checked ? [...vary, f] : vary.filter((x) => x !== f))}
                />
                {f}
              </label>
            ))}
          </div>
          <label>Tolerances</label>
          <div>
            {tolerances.map((t, i) => (
              <div key={i} className="row" style={{ marginBottom: 2 }}>
                <input
                  type="text"
                  placeholder="metric"
                  value={t.metric}
                  onChange={(e) =>
                    setTolerances(tolerances.map((x, k) => (k === i ? { ...x, metric: e.target.value } : x)))
                  }
                  style={{ width: 140 }}
                />
                <input
                  type="number"
                  step="any"
                  min={0}
                  value={t.value}
                  onChange={(e) =>
                    setTolerances(tolerances.map((x, k) => (k === i ? { ...x, value: Number(e.target.value) } : x)))
                  }
                  style={{ width: 100 }}
                />
                <select
                  value={t.kind}
                  onChange={(e) =>
                    setTolerances(
                      tolerances.map((x, k) => (k === i ? { ...x, kind: e.target.value as Tolerance['kind'] } : x)),
                    )
                  }
                >
                  <option value="abs">absolute</option>
                  <option value="rel">% relative</option>
                </select>
                <button
                  type="button"
                  onClick={() => setTolerances(tolerances.filter((_, k) => k !== i))}
                  aria-label="remove tolerance"
                >
                  ×
                </button>
              </div>
            ))}
            <button type="button" onClick={() => setTolerances([...tolerances, { metric: '', kind: 'abs', value: 0 }])}>
              Add tolerance
            </button>
          </div>
          <label htmlFor="audit-against">Original run</label>
          <input
            id="audit-against"
            type="text"
            className="mono"
            value={against}
            onChange={(e) => setAgainst(e.target.value)}
            placeholder="a run id to judge against (default: the first baseline rerun)"
          />
          <label htmlFor="audit-python">Python</label>
          <input
            id="audit-python"
            type="text"
            className="mono"
            value={python}
            onChange={(e) => setPython(e.target.value)}
            placeholder={originalPython ? `${originalPython} (the original's)` : 'python3 on PATH'}
          />
          <span />
          <AuditOptionFields value={options} onChange={setOptions} />
          <RunnerFields value={runner} onChange={setRunner} />
          <label>Command</label>
          <div className="command" data-testid="audit-command">
            {command ?? ep.command}
          </div>
          <PreflightNotes preflight={preflight} />
          <span />
          <div className="row">
            <button className="primary" type="submit" disabled={busy}>
              {busy ? 'Starting…' : 'Run the audit'}
            </button>
            <span className="faint">the code above runs on this machine; check the command first</span>
          </div>
        </form>
      ) : null}
    </div>
  );
}

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

/** One audit: live while it runs (reruns' state, elapsed time, log tail), then its verdict, statistics, charts and sources. */
function AuditDetail({ id }: { id: string }): ReactNode {
  const [audit, setAudit] = useState<Audit | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [actionError, setActionError] = useState<ErrorInfo | null>(null);
  const [nonce, setNonce] = useState(0);
  const tasks = useProgressTasks(
    (e) => e.task.includes(id) || (e.detail as { auditId?: string } | undefined)?.auditId === id,
  );
  // per rerun, from the progress stream: when it started (now − its elapsed time at receipt) and the tail of its output
  const live = useRef(new Map<string, { startedAt: number; tail: string }>());
  useEffect(
    () =>
      onProgress((e) => {
        const d = e.detail as
          | {
              auditId?: string;
              group?: string;
              index?: number;
              state?: string;
              elapsedMs?: number | null;
              logTail?: string;
            }
          | undefined;
        if (d?.auditId !== id || d.group === undefined || d.index === undefined || d.state !== 'running') return;
        const key = `${d.group}:${d.index}`;
        const prev = live.current.get(key);
        live.current.set(key, {
          startedAt: prev?.startedAt ?? Date.now() - (d.elapsedMs ?? 0),
          tail: d.logTail ?? prev?.tail ?? '',
        });
      }),
    [id],
  );
  const firstSeen = useRef(new Map<string, number>());
  const [, tick] = useState(0);
  const lastEventCount = useRef(0);
  const eventCount = [...tasks.values()].reduce((n, t) => n + t.logs.length + (t.last.done ?? 0), 0);

  useEffect(() => {
    let live = true;
    void call('getAudit', { id }).then((r) => {
      if (!live) return;
      if (r.ok) {
        setAudit(r.value);
        setError(null);
      } else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [id, nonce]);
  // while it runs: re-read on progress and at least every 1.5 s, and tick the elapsed clocks
  const running = audit?.status === 'running';
  useEffect(() => {
    if (!running) return;
    const reread = setInterval(() => setNonce((n) => n + 1), 1500);
    const clock = setInterval(() => tick((x) => x + 1), 250);
    return () => {
      clearInterval(reread);
      clearInterval(clock);
    };
  }, [running]);
  useEffect(() => {
    if (running && eventCount !== lastEventCount.current) {
      lastEventCount.current = eventCount;
      setNonce((n) => n + 1);
    }
  }, [eventCount, running]);

  if (error) return <ErrorBox error={error} title={`Could not open audit ${id}`} />;
  if (!audit) return <Loading what="the audit" />;
  const reruns = audit.groups.flatMap((g) => g.reruns.map((r) => ({ group: g.name, ...r })));
  const done = reruns.filter((r) => r.status !== 'pending' && r.status !== 'running').length;
  const now = Date.now();
  for (const r of reruns)
    if (r.status === 'running' && !firstSeen.current.has(`${r.group}:${r.index}`))
      firstSeen.current.set(`${r.group}:${r.index}`, now);
  const current = reruns.find((r) => r.status === 'running');
  const currentTail = current ? live.current.get(`${current.group}:${current.index}`)?.tail : undefined;
  const logTail = currentTail
    ? currentTail.split('\n').filter(Boolean).slice(-12)
    : [...tasks.values()].flatMap((t) => t.logs).slice(-12);
  const act = async (op: 'cancelAudit' | 'resumeAudit'): Promise<void> => {
    setActionError(null);
    const r = op === 'cancelAudit' ? await call('cancelAudit', { id }) : await call('resumeAudit', { id });
    if (!r.ok) setActionError(r.error);
    setNonce((n) => n + 1);
  };
  return (
    <div data-testid="audit-detail" data-status={audit.status}>
      <div className="toolbar">
        <h1 style={{ margin: 0 }}>Audit of {audit.project.name}</h1>
        <Badge value={audit.status} />
        <span className="mono faint">{audit.id}</span>
        <span className="grow" />
        {audit.status === 'running' ? <button onClick={() => void act('cancelAudit')}>Cancel</button> : null}
        {audit.status === 'interrupted' ? (
          <button className="primary" onClick={() => void act('resumeAudit')}>
            Resume
          </button>
        ) : null}
        {audit.verdict ? (
          <button
            onClick={() => go({ view: 'report', kind: 'audit', a: audit.id, b: null })}
            data-testid="audit-report"
          >
            Report…
          </button>
        ) : null}
      </div>
      {actionError ? <ErrorBox error={actionError} /> : null}
      <AuditSummary audit={audit} />
      {audit.explanation && !audit.verdict ? <p>{audit.explanation}</p> : null}
      {audit.error ? <ErrorBox error={{ code: 'INTERNAL', message: audit.error }} title="The audit failed" /> : null}
      <KeyValues
        rows={[
          ['project', audit.project.location],
          ['entry point', audit.entryPoint],
          ['commit', audit.commit],
          [
            'parameters',
            Object.entries(audit.parameters)
              .map(([k, v]) => `${k}=${v}`)
              .join(' '),
          ],
          ['environment', audit.envManager],
          [
            'reference',
            audit.referenceRunId ? (
              <a key="r" href={`#/run/${audit.referenceRunId}`}>
                {audit.referenceRunId.slice(0, 8)} ({audit.referenceKind})
              </a>
            ) : null,
          ],
          ['started', formatTime(audit.createdAt)],
          ['finished', formatTime(audit.finishedAt)],
        ]}
      />
      <h3>Command</h3>
      <div className="command">{audit.command}</div>
      <h2>
        Reruns{' '}
        <span className="faint">
          {done} of {reruns.length}
        </span>
      </h2>
      <div style={{ maxWidth: 480 }}>
        <ProgressBar done={done} total={reruns.length || 1} />
      </div>
      <table className="grid" data-testid="reruns" style={{ marginTop: 6 }}>
        <thead>
          <tr>
            <th>group</th>
            <th>#</th>
            <th>state</th>
            <th>elapsed</th>
            <th>seed</th>
            <th>env</th>
            <th>metrics</th>
            <th>run</th>
          </tr>
        </thead>
        <tbody>
          {reruns.map((r) => {
            const started =
              live.current.get(`${r.group}:${r.index}`)?.startedAt ?? firstSeen.current.get(`${r.group}:${r.index}`);
            return (
              <tr key={`${r.group}:${r.index}`}>
                <td>{r.group}</td>
                <td>{r.index + 1}</td>
                <td>
                  <Badge value={r.status} title={r.error ?? undefined} />
                  <RerunJobState job={r.job} status={r.status} />
                </td>
                <td>
                  {r.durationMs !== null
                    ? formatDuration(r.durationMs)
                    : r.status === 'running' && started
                      ? formatDuration(now - started)
                      : ''}
                </td>
                <td className="mono">{r.seed ?? ''}</td>
                <td className="mono">
                  {Object.entries(r.env)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(' ')}
                </td>
                <td className="mono nowrap">
                  {Object.entries(r.metrics).map(([k, v]) => (
                    <div key={k}>
                      {k}={short(v)}
                    </div>
                  ))}
                </td>
                <td className="mono nowrap">{r.runId ? <a href={`#/run/${r.runId}`}>{r.runId.slice(0, 8)}</a> : ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {audit.status === 'running' && logTail.length ? (
        <>
          <h3>Log{current ? ` of ${current.group} #${current.index + 1}` : ''}</h3>
          <pre className="log" data-testid="log-tail">
            {logTail.join('\n')}
          </pre>
        </>
      ) : null}
      {Object.keys(audit.metrics).length ? <h2>Metrics</h2> : null}
      {Object.entries(audit.metrics).map(([name, m]) => {
        return (
          <div key={name} className="section">
            <h3>
              {name}{' '}
              <span className="faint">
                reference {m.reference === null ? '—' : formatSignificant(m.reference)}
                {m.maxAbsDiff !== null ? ` · max |Δ| ${short(m.maxAbsDiff)}` : ''}
                {m.referenceInPi95 !== null
                  ? ` · reference ${m.referenceInPi95 ? 'inside' : 'outside'} the 95 % prediction interval`
                  : ''}
              </span>
            </h3>
            <GroupDistribution audit={audit} metric={name} />
            <table className="grid">
              <thead>
                <tr>
                  <th>group</th>
                  <th>n</th>
                  <th>mean ± sd</th>
                  <th>95 % CI</th>
                  <th>min – max</th>
                  <th>bitwise equal</th>
                  <th>vs baseline (KS p, Welch p)</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(m.groups).map(([g, s]) => (
                  <tr key={g}>
                    <td>{g}</td>
                    <td>{s.n}</td>
                    <td className="mono">
                      {short(s.mean)}
                      {s.sd !== null ? ` ± ${short(s.sd)}` : ''}
                    </td>
                    <td className="mono">{s.ci95 ? `${short(s.ci95[0])} – ${short(s.ci95[1])}` : ''}</td>
                    <td className="mono">
                      {short(s.min)} – {short(s.max)}
                    </td>
                    <td>{s.allBitwiseEqual ? 'yes' : 'no'}</td>
                    <td className="mono">
                      {s.ksVsBaseline ? short(s.ksVsBaseline.pValue) : ''}
                      {s.welchVsBaseline ? `, ${short(s.welchVsBaseline.pValue)}` : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        );
      })}
      {audit.sources.length ? (
        <>
          <h2>Sources of variance</h2>
          <table className="grid" data-testid="sources">
            <thead>
              <tr>
                <th>#</th>
                <th>category</th>
                <th>factor</th>
                <th>kind</th>
                <th>effect</th>
                <th>evidence</th>
              </tr>
            </thead>
            <tbody>
              {audit.sources.map((s) => (
                <tr key={`${s.rank}-${s.factor}`}>
                  <td>{s.rank}</td>
                  <td>{s.category}</td>
                  <td className="mono">{s.factor}</td>
                  <td>{s.kind}</td>
                  <td>{s.effect}</td>
                  <td>
                    <ul style={{ margin: 0, paddingLeft: 16 }}>
                      {s.evidence.map((e, i) => (
                        <li key={i}>{e}</li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : audit.verdict ? (
        <p className="muted">No sources of variance were found.</p>
      ) : null}
      {audit.dataChecks.some((d) => d.same === false) ? (
        <>
          <h2>Data changed since the original</h2>
          <KeyValues
            rows={audit.dataChecks
              .filter((d) => d.same === false)
              .map((d) => [d.path, `${d.originalHash?.slice(0, 12) ?? '?'} → ${d.currentHash?.slice(0, 12) ?? '?'}`])}
          />
        </>
      ) : null}
      <DataShiftForAudit
        reference={audit.referenceRunId}
        reruns={reruns.map((r) => ({ runId: r.runId, label: `${r.group} #${r.index}` }))}
      />
      {audit.warnings.length ? (
        <>
          <h2>Warnings</h2>
          <ul>
            {audit.warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        </>
      ) : null}
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
