/** The run list's SQL: a parsed MLflow-syntax filter, a sort by any column and reruns grouped under their audit. */
import type { FilterCondition, FilterKey, RunAttribute, RunSort } from '../../shared/runs/search-filter';

/** What the run list asks of the store besides paging. */
export interface RunListFilter {
  /** Case-insensitive text matched against name, project, command and id. */
  search?: string;
  kind?: 'capture' | 'rerun' | 'import';
  auditId?: string;
  /** Runs of any of these audits; an empty list matches nothing. */
  auditIds?: readonly string[];
  /** Parsed MLflow-syntax conditions, all of which must hold. */
  conditions?: readonly FilterCondition[];
  sort?: RunSort;
  /** One row per audit for its reruns (the first by the sort), with the number of matching reruns. */
  groupReruns?: boolean;
}

/** A WHERE clause and its bound parameters; values never reach the SQL text. */
export interface SqlPart {
  sql: string;
  params: Record<string, unknown>;
}

const COLUMN: Record<RunAttribute, string> = {
  run_id: 'r.id',
  run_name: 'r.name',
  status: 'r.status',
  start_time: 'r.created_at',
  kind: 'r.kind',
  project: 'r.project',
  commit: 'r.commit_sha',
  audit_id: 'r.audit_id',
  command: 'r.command',
};

/** MLflow's run statuses in reproscope's words. */
const MLFLOW_STATUS: Record<string, string> = { killed: 'interrupted', scheduled: 'running' };

/** A LIKE pattern as a GLOB, so LIKE stays case-sensitive as in MLflow (SQLite's LIKE ignores case). */
function likeToGlob(pattern: string): string {
  return [...pattern].map((c) => (c === '%' ? '*' : c === '_' ? '?' : /[*?[\]]/.test(c) ? `[${c}]` : c)).join('');
}

const SQL_OP: Record<string, string> = { '=': '=', '!=': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

class ParamNames {
  readonly params: Record<string, unknown> = {};
  private n = 0;
  add(value: unknown): string {
    const name = `f${this.n++}`;
    this.params[name] = value;
    return `@${name}`;
  }
}

/** `expr <op> value` for one condition's operator, over an SQL expression. */
function compare(expr: string, c: FilterCondition, p: ParamNames, normalise?: (v: string) => unknown): string {
  const norm = normalise ?? ((v: string) => v);
  switch (c.op) {
    case 'LIKE':
      return `${expr} GLOB ${p.add(likeToGlob(c.value))}`;
    case 'ILIKE':
      return `lower(${expr}) LIKE lower(${p.add(c.value)}) ESCAPE '\\'`;
    case 'IN':
    case 'NOT IN':
      return `${expr} ${c.op} (${c.value.map((v) => p.add(norm(v))).join(', ') || 'NULL'})`;
    case 'IS NULL':
      return `${expr} IS NULL`;
    case 'IS NOT NULL':
      return `${expr} IS NOT NULL`;
    default:
      return `${expr} ${SQL_OP[c.op]} ${p.add(typeof c.value === 'string' ? norm(c.value) : c.value)}`;
  }
}

function attributeCondition(c: FilterCondition, p: ParamNames): string {
  const attr = c.key.name as RunAttribute;
  const col = COLUMN[attr];
  if (attr === 'status') {
    return compare(`lower(${col})`, c, p, (v) => MLFLOW_STATUS[v.toLowerCase()] ?? v.toLowerCase());
  }
  if (attr === 'start_time' && typeof c.value === 'number' && !['IN', 'NOT IN'].includes(c.op)) {
    // MLflow's start_time is milliseconds since the epoch; the store keeps ISO-8601 text, which sorts the same
    return `${col} ${SQL_OP[c.op]} ${p.add(new Date(c.value).toISOString())}`;
  }
  return compare(col, c, p);
}

/** The SQL of one condition over the `runs` table aliased `r`. */
function conditionSql(c: FilterCondition, p: ParamNames): string {
  if (c.key.type === 'attribute') return attributeCondition(c, p);
  const [table, nameCol] =
    c.key.type === 'metric'
      ? ['run_metrics', 'name']
      : c.key.type === 'param'
        ? ['run_params', 'key']
        : ['run_tags', 'key'];
  const valueCol = 'x.value';
  const key = p.add(c.key.name);
  const exists = (extra: string): string =>
    `EXISTS (SELECT 1 FROM ${table} x WHERE x.run_id = r.id AND x.${nameCol} = ${key}${extra ? ` AND ${extra}` : ''})`;
  if (c.op === 'IS NULL') return `NOT ${exists('')}`;
  if (c.op === 'IS NOT NULL') return exists('');
  return exists(compare(valueCol, c, p));
}

/** The conditions of a run list over `runs r`, joined by AND; every value a bound parameter. */
function conditionsOf(filter: RunListFilter, p: ParamNames): string[] {
  const where: string[] = [];
  if (filter.search) {
    const s = p.add(`%${filter.search.replace(/[%_\\]/g, '\\$&')}%`);
    where.push(
      `(r.name LIKE ${s} ESCAPE '\\' OR r.project LIKE ${s} ESCAPE '\\' OR r.command LIKE ${s} ESCAPE '\\' OR r.id LIKE ${s} ESCAPE '\\')`,
    );
  }
  if (filter.kind) where.push(`r.kind = ${p.add(filter.kind)}`);
  if (filter.auditId) where.push(`r.audit_id = ${p.add(filter.auditId)}`);
  if (filter.auditIds) {
    where.push(filter.auditIds.length ? `r.audit_id IN (${filter.auditIds.map((id) => p.add(id)).join(', ')})` : '0');
  }
  for (const c of filter.conditions ?? []) where.push(conditionSql(c, p));
  return where;
}

/** The WHERE clause of a run list (reruns grouped: only the row that stands for each audit's matching reruns). */
export function whereSql(filter: RunListFilter, p = new ParamNames()): SqlPart {
  const where = conditionsOf(filter, p);
  // audit_id IS NULL first: NOT (NULL > '' AND …) is NULL, which would drop reruns of no audit
  if (filter.groupReruns)
    where.push(`(r.audit_id IS NULL OR NOT (${GROUPED}) OR r.id IN (${representativesSql(filter, p)}))`);
  return { sql: where.length ? `WHERE ${where.join(' AND ')}` : '', params: p.params };
}

// a range on audit_id (not IS NOT NULL) so the planner reads runs_by_audit instead of scanning every run
const GROUPED = "r.audit_id > '' AND r.kind = 'rerun'";

/** Per audit, the first of its matching reruns by the list's sort: the row that stands for the group. */
function representativesSql(filter: RunListFilter, p: ParamNames): string {
  const sort = sortParts(filter.sort?.key, p);
  const conds = [GROUPED, ...conditionsOf(filter, p)];
  return `SELECT id FROM (SELECT r.id, row_number() OVER (PARTITION BY r.audit_id ORDER BY ${orderBy(filter.sort, sort.expr, 'r.')}) AS rn
    FROM runs r ${sort.join} WHERE ${conds.join(' AND ')}) WHERE rn = 1`;
}

/** The expression a sort orders by (joined as `s`), and its join. */
function sortParts(key: FilterKey | undefined, p: ParamNames): { join: string; expr: string } {
  if (!key) return { join: '', expr: 'r.created_at' };
  if (key.type === 'attribute') return { join: '', expr: COLUMN[key.name] };
  const table = key.type === 'metric' ? 'run_metrics' : key.type === 'param' ? 'run_params' : 'run_tags';
  const nameCol = key.type === 'metric' ? 'name' : 'key';
  return { join: `LEFT JOIN ${table} s ON s.run_id = r.id AND s.${nameCol} = ${p.add(key.name)}`, expr: 's.value' };
}

/** ORDER BY terms: rows without the value last, then the value, then newest first. */
function orderBy(sort: RunSort | undefined, expr: string, prefix: string): string {
  if (!sort) return `${prefix}created_at DESC, ${prefix}id`;
  const dir = sort.descending ? 'DESC' : 'ASC';
  // parameters and tags are text; numbers among them order by value (0.1 < 1 < 10), then as text
  const numeric = sort.key.type === 'param' || sort.key.type === 'tag' ? `CAST(${expr} AS REAL) ${dir}, ` : '';
  return `${expr} IS NULL, ${numeric}${expr} ${dir}, ${prefix}created_at DESC, ${prefix}id`;
}

const LIST_COLUMNS =
  'r.id, r.name, r.kind, r.project, r.created_at, r.status, r.exit_code, r.commit_sha, r.command, r.audit_id';

/**
 * The SELECT of one page of the run list and the COUNT of all its rows. A sort by a metric reads the
 * metric's index in order (runs with the value, then those without), so 100,000 runs sort without a
 * full sort; reruns grouped: one row per audit, the first of its matching reruns by the sort.
 */
export function listSql(
  filter: RunListFilter,
  page: { limit: number; offset: number },
): { list: SqlPart; count: SqlPart } {
  const p = new ParamNames();
  const count = countSql(filter);
  const sort = sortParts(filter.sort?.key, p);
  const where = whereSql(filter, p);
  const sql = `SELECT ${LIST_COLUMNS} FROM runs r ${sort.join} ${where.sql}
    ORDER BY ${orderBy(filter.sort, sort.expr, 'r.')} LIMIT ${p.add(page.limit)} OFFSET ${p.add(page.offset)}`;
  return { list: { sql, params: p.params }, count };
}

/**
 * The COUNT of a list's rows (its own parameters: no sort key, no page). Grouped: all matching runs,
 * less the grouped reruns, plus one per audit; without a filter each part reads an index, not the table.
 */
function countSql(filter: RunListFilter): SqlPart {
  const p = new ParamNames();
  if (!filter.groupReruns) {
    const where = whereSql(filter, p);
    return { sql: `SELECT count(*) AS n FROM runs r ${where.sql}`, params: p.params };
  }
  const all = conditionsOf({ ...filter, groupReruns: false }, p);
  const grouped = [...conditionsOf({ ...filter, groupReruns: false }, p), GROUPED];
  const audits = [...conditionsOf({ ...filter, groupReruns: false }, p), GROUPED];
  const w = (c: string[]): string => (c.length ? `WHERE ${c.join(' AND ')}` : '');
  return {
    sql: `SELECT (SELECT count(*) FROM runs r ${w(all)}) - (SELECT count(*) FROM runs r ${w(grouped)})
      + (SELECT count(DISTINCT r.audit_id) FROM runs r ${w(audits)}) AS n`,
    params: p.params,
  };
}

/**
 * A sort by a metric in two reads that each follow an index: the runs with a value, in the order of
 * the index (name, value, run_id), so 100,000 runs sort without sorting; then the runs without one,
 * newest first. `withValue`/`withoutValue` page each part; `countWithValue` tells where the first ends.
 */
export function metricSortSql(filter: RunListFilter): {
  withValue: (limit: number, offset: number) => SqlPart;
  withoutValue: (limit: number, offset: number) => SqlPart;
  countWithValue: () => SqlPart;
} {
  const sort = filter.sort!;
  const dir = sort.descending ? 'DESC' : 'ASC';
  const part = (build: (p: ParamNames, key: string, where: string) => string) => (): SqlPart => {
    const p = new ParamNames();
    const key = p.add(sort.key.name);
    const where = whereSql({ ...filter, sort }, p).sql;
    return { sql: build(p, key, where), params: p.params };
  };
  const and = (where: string): string => (where ? `${where} AND` : 'WHERE');
  return {
    withValue: (limit, offset) =>
      part(
        (p, key, where) =>
          `SELECT ${LIST_COLUMNS} FROM run_metrics s JOIN runs r ON r.id = s.run_id ${and(where)} s.name = ${key} AND s.value IS NOT NULL
          ORDER BY s.value ${dir}, s.run_id ${dir} LIMIT ${p.add(limit)} OFFSET ${p.add(offset)}`,
      )(),
    withoutValue: (limit, offset) =>
      part(
        (p, key, where) =>
          `SELECT ${LIST_COLUMNS} FROM runs r ${and(where)} NOT EXISTS (SELECT 1 FROM run_metrics s WHERE s.run_id = r.id AND s.name = ${key} AND s.value IS NOT NULL)
          ORDER BY r.created_at DESC, r.id LIMIT ${p.add(limit)} OFFSET ${p.add(offset)}`,
      )(),
    countWithValue: part((_p, key, where) =>
      where
        ? `SELECT count(*) AS n FROM run_metrics s JOIN runs r ON r.id = s.run_id ${and(where)} s.name = ${key} AND s.value IS NOT NULL`
        : `SELECT count(*) AS n FROM run_metrics s WHERE s.name = ${key} AND s.value IS NOT NULL`,
    ),
  };
}

/** The number of an audit's reruns that match a filter (the size of its group row). */
export function groupSizeSql(filter: RunListFilter, auditId: string): SqlPart {
  const { groupReruns: _g, ...rest } = filter;
  const where = whereSql({ ...rest, auditId, kind: 'rerun' });
  return { sql: `SELECT count(*) AS n FROM runs r ${where.sql}`, params: where.params };
}
