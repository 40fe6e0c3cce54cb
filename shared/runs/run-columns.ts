/** The run table's columns: built-in ones and `metrics.*`, `params.*`, `tags.*` keys, read the same by the app, the CLI and CSV export. */
import { formatSignificant } from '../numbers';
import { ownValue } from '../records';
import type { RunSummary } from '../snapshot/snapshot';
import { formatFilterKey, parseFilterKey, type FilterKey } from './search-filter';

/** MLflow's tag holding a run's note (its description), which reproscope uses too. */
export const NOTE_TAG = 'mlflow.note.content';

/** The built-in columns, in table order. */
export const BUILTIN_COLUMNS = ['id', 'created', 'kind', 'status', 'name', 'project', 'commit', 'command'] as const;
/** A built-in column. */
export type BuiltinColumn = (typeof BUILTIN_COLUMNS)[number];

/** A column of the run table: a built-in one or a metric, parameter or tag. */
export type RunColumn = { kind: 'builtin'; name: BuiltinColumn } | { kind: 'key'; key: FilterKey };

/** Parses a column name (`status`, `metrics.accuracy`, `params.C`); throws ReproError INVALID_INPUT. */
export function parseRunColumn(text: string): RunColumn {
  const t = text.trim();
  if ((BUILTIN_COLUMNS as readonly string[]).includes(t)) return { kind: 'builtin', name: t as BuiltinColumn };
  return { kind: 'key', key: parseFilterKey(t) };
}

/** The column's name as the user writes it. */
export function runColumnName(c: RunColumn): string {
  return c.kind === 'builtin' ? c.name : formatFilterKey(c.key);
}

/** The sort key a column orders by, in the filter syntax (`start_time`, `metrics.rmse`). */
export function runColumnSortKey(c: RunColumn): string {
  if (c.kind === 'key') return formatFilterKey(c.key);
  const attr: Record<BuiltinColumn, string> = {
    id: 'attributes.run_id',
    created: 'attributes.start_time',
    kind: 'attributes.kind',
    status: 'attributes.status',
    name: 'attributes.run_name',
    project: 'attributes.project',
    commit: 'attributes.commit',
    command: 'attributes.command',
  };
  return attr[c.name];
}

/** A cell's raw value: a number for metrics, text otherwise, null when the run has none. */
export function runColumnValue(run: RunSummary, c: RunColumn): string | number | null {
  if (c.kind === 'key') {
    const { type, name } = c.key;
    // own keys only: the row may come straight from JSON.parse, where `constructor` is found on every object
    if (type === 'metric') return ownValue(run.metrics, name) ?? null;
    if (type === 'param') return ownValue(run.params, name) ?? null;
    if (type === 'tag') return ownValue(run.tags, name) ?? null;
    return runColumnValue(run, { kind: 'builtin', name: ATTRIBUTE_COLUMN[name] ?? 'id' });
  }
  switch (c.name) {
    case 'id':
      return run.id;
    case 'created':
      return run.createdAt;
    case 'kind':
      return run.kind;
    case 'status':
      return run.status;
    case 'name':
      return run.name;
    case 'project':
      return run.project;
    case 'commit':
      return run.commit;
    case 'command':
      return run.command;
  }
}

const ATTRIBUTE_COLUMN: Partial<Record<string, BuiltinColumn>> = {
  run_id: 'id',
  run_name: 'name',
  status: 'status',
  start_time: 'created',
  kind: 'kind',
  project: 'project',
  commit: 'commit',
  command: 'command',
};

/** A cell as text for people: numbers to significant digits, times without the T, nothing as empty. */
export function runColumnText(run: RunSummary, c: RunColumn): string {
  const v = runColumnValue(run, c);
  if (v === null) return '';
  if (typeof v === 'number') return formatSignificant(v);
  if (c.kind === 'builtin' && c.name === 'created') return v.replace('T', ' ').slice(0, 19);
  if (c.kind === 'builtin' && c.name === 'commit') return v.slice(0, 12);
  return v;
}

/** RFC 4180 CSV of runs over columns: full-precision numbers; text that a spreadsheet would run as a formula is quoted with a leading '. */
export function runsToCsv(runs: readonly RunSummary[], columns: readonly RunColumn[]): string {
  const cell = (v: string | number | null): string => {
    if (v === null) return '';
    if (typeof v === 'number')
      return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
    const safe = /^[=+\-@\t\r]/.test(v) && Number.isNaN(Number(v)) ? `'${v}` : v;
    return /[",\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const lines = [columns.map((c) => cell(runColumnName(c))).join(',')];
  for (const r of runs) lines.push(columns.map((c) => cell(runColumnValue(r, c))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
