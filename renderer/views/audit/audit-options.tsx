/** The audit form's further options: every option `reproscope audit` has beyond the plan, folded under "More options". */
import type { ReactNode } from 'react';
import type { EnvManager } from '../../../shared/audit/audit';

/** The further options as the form holds them (text fields as typed; lists split on commas or new lines). */
export interface AuditOptions {
  envManager: EnvManager;
  jobs: number;
  timeoutS: string;
  data: string;
  metrics: string;
  metricsFrom: string;
  metricPatterns: string;
  judgedMetrics: string;
  outputs: string;
  ignoreOutputs: string;
  seedParam: string;
  strictData: boolean;
  repeatsAuto: boolean;
  maxReruns: number;
  pipOptions: string;
  version: string;
  cwd: string;
}

/** The CLI's defaults. */
export const DEFAULT_AUDIT_OPTIONS: AuditOptions = {
  envManager: 'local',
  jobs: 1,
  timeoutS: '',
  data: '',
  metrics: '',
  metricsFrom: '',
  metricPatterns: '',
  judgedMetrics: '',
  outputs: '',
  ignoreOutputs: '',
  seedParam: '',
  strictData: false,
  repeatsAuto: false,
  maxReruns: 20,
  pipOptions: '',
  version: '',
  cwd: '',
};

const list = (s: string): string[] =>
  s
    .split(/[\n,]/)
    .map((x) => x.trim())
    .filter(Boolean);

/** The part of a startAudit request these options make (empty fields left to the core's defaults). */
export function optionsRequest(o: AuditOptions): Record<string, unknown> {
  const timeout = Number(o.timeoutS);
  return {
    envManager: o.envManager,
    jobs: o.jobs,
    ...(o.timeoutS.trim() && Number.isFinite(timeout) && timeout > 0 ? { timeoutS: timeout } : {}),
    data: list(o.data),
    metrics: list(o.metrics),
    metricsFrom: list(o.metricsFrom),
    // a pattern may hold commas: one per line
    metricPatterns: o.metricPatterns
      .split('\n')
      .map((x) => x.trim())
      .filter(Boolean),
    judgedMetrics: list(o.judgedMetrics),
    outputs: list(o.outputs),
    ignoreOutputs: list(o.ignoreOutputs),
    ...(o.seedParam.trim() ? { seedParam: o.seedParam.trim() } : {}),
    strictData: o.strictData,
    repeatsAuto: o.repeatsAuto,
    maxReruns: o.maxReruns,
    pipOptions: o.pipOptions.split(/\s+/).filter(Boolean),
    ...(o.version.trim() ? { version: o.version.trim() } : {}),
    ...(o.cwd.trim() ? { cwd: o.cwd.trim() } : {}),
  };
}

type Field = { key: keyof AuditOptions; label: string; hint: string; cli: string };

const TEXT_FIELDS: Field[] = [
  { key: 'data', label: 'Data', hint: 'paths whose content is checked against the original', cli: '--data' },
  { key: 'metrics', label: 'Metric files', hint: 'metrics.json, … each rerun writes', cli: '--metrics' },
  { key: 'metricsFrom', label: 'Metrics from', hint: 'stdout, stderr or tensorboard:DIR', cli: '--metrics-from' },
  { key: 'metricPatterns', label: 'Metric patterns', hint: 'one regular expression a line', cli: '--metric-pattern' },
  { key: 'judgedMetrics', label: 'Judge on', hint: 'metrics the verdict uses (default: all)', cli: '--metric' },
  { key: 'outputs', label: 'Outputs', hint: 'output files compared file by file', cli: '--outputs' },
  { key: 'ignoreOutputs', label: 'Ignore outputs', hint: 'globs left out of the comparison', cli: '--ignore-output' },
  { key: 'seedParam', label: 'Seed parameter', hint: 'the -P parameter that takes the seed', cli: '--seed-param' },
  { key: 'version', label: 'Commit', hint: "default: the original's, else HEAD", cli: '--version' },
  { key: 'cwd', label: 'Relative to', hint: 'folder relative paths are read from', cli: '--cwd' },
  { key: 'pipOptions', label: 'pip options', hint: 'for virtualenv environments', cli: '--pip-option' },
];

/** The further options, folded; each names the CLI option it stands for. */
export function AuditOptionFields({
  value,
  onChange,
}: {
  value: AuditOptions;
  onChange: (v: AuditOptions) => void;
}): ReactNode {
  const set = <K extends keyof AuditOptions>(k: K, v: AuditOptions[K]): void => onChange({ ...value, [k]: v });
  return (
    <details className="audit-options" data-testid="audit-options">
      <summary>More options (environment, jobs, timeout, data, metrics, outputs…)</summary>
      <div className="form">
        <label htmlFor="audit-env">Environment</label>
        <select
          id="audit-env"
          value={value.envManager}
          onChange={(e) => set('envManager', e.target.value as EnvManager)}
        >
          <option value="local">local (the Python given above)</option>
          <option value="virtualenv">virtualenv (python_env.yaml)</option>
          <option value="conda">conda (conda.yaml)</option>
          <option value="docker">docker</option>
        </select>
        <label htmlFor="audit-jobs">Parallel reruns</label>
        <input
          id="audit-jobs"
          type="number"
          min={1}
          max={64}
          value={value.jobs}
          onChange={(e) => set('jobs', Math.min(64, Math.max(1, Number(e.target.value) || 1)))}
          style={{ width: 90 }}
        />
        <label htmlFor="audit-timeout">Timeout per rerun (s)</label>
        <input
          id="audit-timeout"
          type="number"
          min={1}
          value={value.timeoutS}
          placeholder="default"
          onChange={(e) => set('timeoutS', e.target.value)}
          style={{ width: 120 }}
        />
        <label htmlFor="audit-repeats-auto">Repeats</label>
        <div className="row">
          <label className="row">
            <input
              id="audit-repeats-auto"
              type="checkbox"
              checked={value.repeatsAuto}
              onChange={(e) => set('repeatsAuto', e.target.checked)}
            />
            auto: grow the baseline until the verdict is settled, at most
          </label>
          <input
            aria-label="Most reruns"
            type="number"
            min={1}
            max={1000}
            value={value.maxReruns}
            onChange={(e) => set('maxReruns', Math.max(1, Number(e.target.value) || 1))}
            style={{ width: 80 }}
          />
        </div>
        {TEXT_FIELDS.map((f) => [
          <label key={`${f.key}-l`} htmlFor={`audit-opt-${f.key}`} title={f.cli}>
            {f.label} <span className="faint">{f.cli}</span>
          </label>,
          f.key === 'metricPatterns' ? (
            <textarea
              key={`${f.key}-i`}
              id={`audit-opt-${f.key}`}
              className="mono"
              rows={2}
              value={value[f.key]}
              placeholder={f.hint}
              onChange={(e) => set(f.key, e.target.value)}
            />
          ) : (
            <input
              key={`${f.key}-i`}
              id={`audit-opt-${f.key}`}
              type="text"
              className="mono"
              value={value[f.key] as string}
              placeholder={f.hint}
              onChange={(e) => set(f.key, e.target.value)}
            />
          ),
        ])}
        <label htmlFor="audit-strict">Data changed</label>
        <label className="row">
          <input
            id="audit-strict"
            type="checkbox"
            checked={value.strictData}
            onChange={(e) => set('strictData', e.target.checked)}
          />
          refuse to audit when the data differ from the original (--strict-data)
        </label>
      </div>
    </details>
  );
}
