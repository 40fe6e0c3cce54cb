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

/** The WHERE clause of a run list. */
export function whereSql(filter: RunListFilter, p = new ParamNames()): SqlPart {
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
  return { sql: where.length ? `WHERE ${where.join(' AND ')}` : '', params: p.params };
}

/** The expression a sort orders by (joined as `s`), and its join. */
function sortParts(key: FilterKey | undefined, p: ParamNames): { join: string; expr: string } {
  if (!key) return { join: '', expr: 'r.created_at' };
  if (key.type === 'attribute') return { join: '', expr: COLUMN[key.name] };
  const table = key.type === 'metric' ? 'run_metrics' : key.type === 'param' ? 'run_params' : 'run_tags';
  const nameCol = key.type === 'metric' ? 'name' : 'key';
  return {
    join: `LEFT JOIN ${table} s ON s.run_id = r.id AND s.${nameCol} = ${p.add(key.name)}`,
    expr: 's.value',
  };
}

const LIST_COLUMNS =
  'r.id, r.name, r.kind, r.project, r.created_at, r.status, r.exit_code, r.commit_sha, r.command, r.audit_id';

/**
 * The SELECT of one page of the run list and the COUNT of all its rows. Grouped reruns: one row per
 * audit, the first of its matching reruns by the sort, with `group_size` the number that matched.
 */
export function listSql(
  filter: RunListFilter,
  page: { limit: number; offset: number },
): { list: SqlPart; count: SqlPart } {
  const p = new ParamNames();
  const sort = sortParts(filter.sort?.key, p);
  const where = whereSql(filter, p);
  const counted = whereSql(filter); // its own parameters: the count binds no sort key and no page
  const dir = filter.sort ? (filter.sort.descending ? 'DESC' : 'ASC') : 'DESC';
  // parameters and tags are text; numbers among them order by value (0.1 < 1 < 10), then as text
  const numeric = filter.sort && filter.sort.key.type !== 'metric' && filter.sort.key.type !== 'attribute';
  const orderOf = (v: string, created: string, id: string): string =>
    `${v} IS NULL, ${numeric ? `CAST(${v} AS REAL) ${dir}, ` : ''}${v} ${dir}, ${created} DESC, ${id}`;
  const limit = p.add(page.limit);
  const offset = p.add(page.offset);
  if (!filter.groupReruns) {
    const order = filter.sort ? orderOf(sort.expr, 'r.created_at', 'r.id') : 'r.created_at DESC, r.id';
    return {
      list: {
        sql: `SELECT ${LIST_COLUMNS}, 1 AS group_size FROM runs r ${sort.join} ${where.sql} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`,
        params: p.params,
      },
      count: { sql: `SELECT count(*) AS n FROM runs r ${counted.sql}`, params: counted.params },
    };
  }
  const grouped = "b.kind = 'rerun' AND b.audit_id IS NOT NULL";
  const order = orderOf('sort_v', 'created_at', 'id');
  const sql = `WITH b AS (SELECT ${LIST_COLUMNS}, ${sort.expr} AS sort_v FROM runs r ${sort.join} ${where.sql})
    SELECT id, name, kind, project, created_at, status, exit_code, commit_sha, command, audit_id, group_size FROM (
      SELECT b.*, 1 AS group_size FROM b WHERE NOT (${grouped})
      UNION ALL
      SELECT id, name, kind, project, created_at, status, exit_code, commit_sha, command, audit_id, sort_v, group_size FROM (
        SELECT b.*, count(*) OVER (PARTITION BY b.audit_id) AS group_size,
          row_number() OVER (PARTITION BY b.audit_id ORDER BY ${orderOf('b.sort_v', 'b.created_at', 'b.id')}) AS rn
        FROM b WHERE ${grouped}
      ) WHERE rn = 1
    ) ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`;
  const countSql = `WITH b AS (SELECT r.kind, r.audit_id FROM runs r ${counted.sql})
    SELECT (SELECT count(*) FROM b WHERE NOT (${grouped})) + (SELECT count(DISTINCT b.audit_id) FROM b WHERE ${grouped}) AS n`;
  return { list: { sql, params: p.params }, count: { sql: countSql, params: counted.params } };
}
