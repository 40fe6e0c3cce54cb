/** The form that starts an audit: reads the project's MLproject, shows the exact command and preflight notes, starts it. */
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { ProjectInfo } from '../../../shared/api/api-audit';
import type { Tolerance, VaryFactor } from '../../../shared/audit/audit';
import { VARY_FACTORS } from '../../../shared/audit/audit';
import type { ErrorInfo } from '../../../shared/errors';
import { call } from '../../api';
import { ErrorBox } from '../../components/common';
import { PathField } from '../../components/path-field';
import { go } from '../../router';
import { useAsync } from '../../use-async';
import { PreflightNotes, type Preflight } from './audit-preflight';
import { AuditOptionFields, DEFAULT_AUDIT_OPTIONS, optionsRequest, type AuditOptions } from './audit-options';
import { LOCAL_RUNNER, RunnerFields, runnerRequest, type RunnerChoice } from './audit-runner';
import { ToleranceFields } from './tolerance-fields';

type ProjectEntryPoint = ProjectInfo['entryPoints'][number];

/** The form that starts an audit: project, entry point and parameters from its MLproject, the plan, the original. */
export function StartAudit({ initialPath }: { initialPath: string }): ReactNode {
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
  const original = useAsync(
    () => (against.trim() ? call('getRun', { id: against.trim(), histories: false }) : null),
    [against],
  );
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
    const ep = r.value.entryPoints.find((e) => e.name === (r.value.script ?? 'main')) ?? r.value.entryPoints[0];
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
      // a script given as the project runs as its folder's entry point (the form's entry point may be another)
      project: project?.script ? project.dir : path.trim(),
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
    [path, project, entry, params, repeats, vary, tolerances, against, python, runner, options, originalPython],
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
          <ToleranceFields value={tolerances} onChange={setTolerances} />
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
