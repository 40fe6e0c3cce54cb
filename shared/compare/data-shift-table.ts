// Two versions of a table compared from their one-pass profiles: schema diff, per-column tests ranked by movement, and which rows differ (by position or by a key column).
import { testColumns, type ColumnProfiler, type ColumnType } from './data-shift-columns';
import type { ColumnShift, RowDiff, TableShift } from './data-shift-model';

/** Rows shown in a row diff. */
export const MAX_DIFF_ROWS = 20;
/** Keys remembered for a keyed row diff; beyond this the diff says so instead of running out of memory. */
export const MAX_KEYED_ROWS = 1_000_000;

/** What one pass over one version of a table leaves: column profiles, row count, row hashes by position or by key. */
export interface TableProfile {
  format: TableShift['format'];
  columns: string[];
  profilers: ColumnProfiler[];
  rows: number;
  /** Per row (by position), an order-free hash of the cells of the compared columns. */
  rowHashes: Uint32Array | null;
  /** Per key value, the row hash (keyed diffs). */
  keyed: Map<string, number> | null;
  /** Why the keyed diff could not be made (no such column, too many rows), or duplicate keys. */
  keyNote: string | null;
}

/** The rows (positions, 0-based, or key values) to fetch from each version for the row diff. */
export interface RowsToFetch {
  a: string[];
  b: string[];
}

function typeName(t: ColumnType): string {
  return t;
}

/** The columns the row hashes are taken over: those both versions have, in A's order. */
export function sharedColumns(a: readonly string[], b: readonly string[]): string[] {
  const inB = new Set(b);
  return a.filter((c) => inB.has(c));
}

/** Compares two profiled versions of a table; `rows` is filled later by `assembleRowDiff`. */
export function compareTableProfiles(a: TableProfile, b: TableProfile): TableShift {
  const byNameB = new Map(b.columns.map((c, i) => [c, i]));
  const byNameA = new Map(a.columns.map((c, i) => [c, i]));
  const columns: ColumnShift[] = [];
  const schema: TableShift['schema'] = { added: [], removed: [], retyped: [], renamed: [] };
  // a column only in A whose values hash like a column only in B is the same column renamed
  const onlyB = b.columns.filter((c) => !byNameA.has(c));
  const onlyBByHash = new Map<number, string>();
  for (const c of onlyB) onlyBByHash.set(b.profilers[byNameB.get(c)!]!.hash, c);
  const renamedTo = new Set<string>();
  a.columns.forEach((name, i) => {
    const pa = a.profilers[i]!;
    const j = byNameB.get(name);
    if (j === undefined) {
      const to = b.rows === a.rows ? onlyBByHash.get(pa.hash) : undefined;
      if (to !== undefined && !renamedTo.has(to)) {
        renamedTo.add(to);
        schema.renamed.push({ from: name, to });
        const pb = b.profilers[byNameB.get(to)!]!;
        columns.push({
          name,
          nameB: to,
          status: 'renamed',
          a: pa.summary(),
          b: pb.summary(),
          test: null,
          movement: 0,
        });
        return;
      }
      schema.removed.push({ name, type: typeName(pa.type) });
      columns.push({ name, nameB: null, status: 'only-a', a: pa.summary(), b: null, test: null, movement: 1 });
      return;
    }
    const pb = b.profilers[j]!;
    if (pa.type !== pb.type) schema.retyped.push({ name, a: typeName(pa.type), b: typeName(pb.type) });
    const t = testColumns(pa, pb);
    const sa = pa.summary();
    const sb = pb.summary();
    const same = pa.hash === pb.hash && sa.count === sb.count && sa.missing === sb.missing && a.rows === b.rows;
    columns.push({
      name,
      nameB: null,
      status: pa.numeric !== pb.numeric ? 'retyped' : same ? 'same' : 'changed',
      a: sa,
      b: sb,
      test:
        t.kind === 'none'
          ? null
          : { kind: t.kind, statistic: t.statistic, pValue: t.pValue, df: t.df, psi: t.psi, sampled: t.sampled },
      // a column whose values changed in place but not in distribution still moved a little
      movement: same ? 0 : Math.max(t.movement, 1e-9),
    });
  });
  for (const name of onlyB) {
    if (renamedTo.has(name)) continue;
    const pb = b.profilers[byNameB.get(name)!]!;
    schema.added.push({ name, type: typeName(pb.type) });
    columns.push({ name, nameB: null, status: 'only-b', a: null, b: pb.summary(), test: null, movement: 1 });
  }
  const rank = (c: ColumnShift): number =>
    c.status === 'only-a' || c.status === 'only-b' || c.status === 'retyped' ? 2 : c.status === 'renamed' ? 1.5 : 1;
  columns.sort((x, y) => rank(y) - rank(x) || y.movement - x.movement || (x.name < y.name ? -1 : 1));
  return { kind: 'table', format: b.format, rowsA: a.rows, rowsB: b.rows, schema, columns, rows: null };
}

/** The differing rows found from the row hashes: counts, and which rows to fetch to show the first ones. */
export interface RowPlan {
  keyedBy: string;
  differing: number | null;
  shown: { key: string; status: 'changed' | 'only-a' | 'only-b' }[];
  truncated: boolean;
  note: string | null;
  fetch: RowsToFetch;
}

/** Finds the differing rows from two profiles' row hashes (by position, or by key when both have key maps). */
export function planRowDiff(a: TableProfile, b: TableProfile, key: string | null): RowPlan {
  const shown: RowPlan['shown'] = [];
  let differing = 0;
  const push = (k: string, status: 'changed' | 'only-a' | 'only-b'): void => {
    differing++;
    if (shown.length < MAX_DIFF_ROWS) shown.push({ key: k, status });
  };
  if (key !== null) {
    const note = a.keyNote ?? b.keyNote;
    if (!a.keyed || !b.keyed)
      return { keyedBy: key, differing: null, shown: [], truncated: false, note, fetch: { a: [], b: [] } };
    for (const [k, hb] of b.keyed) {
      const ha = a.keyed.get(k);
      if (ha === undefined) push(k, 'only-b');
      else if (ha !== hb) push(k, 'changed');
    }
    for (const k of a.keyed.keys()) if (!b.keyed.has(k)) push(k, 'only-a');
    return {
      keyedBy: key,
      differing,
      shown,
      truncated: differing > shown.length,
      note,
      fetch: {
        a: shown.filter((s) => s.status !== 'only-b').map((s) => s.key),
        b: shown.filter((s) => s.status !== 'only-a').map((s) => s.key),
      },
    };
  }
  const ha = a.rowHashes;
  const hb = b.rowHashes;
  if (!ha || !hb)
    return {
      keyedBy: 'position',
      differing: null,
      shown: [],
      truncated: false,
      note: 'the rows were not hashed',
      fetch: { a: [], b: [] },
    };
  const common = Math.min(a.rows, b.rows);
  for (let i = 0; i < common; i++) if (ha[i] !== hb[i]) push(String(i), 'changed');
  for (let i = common; i < b.rows; i++) push(String(i), 'only-b');
  for (let i = common; i < a.rows; i++) push(String(i), 'only-a');
  return {
    keyedBy: 'position',
    differing,
    shown,
    truncated: differing > shown.length,
    note: null,
    fetch: {
      a: shown.filter((s) => s.status !== 'only-b').map((s) => s.key),
      b: shown.filter((s) => s.status !== 'only-a').map((s) => s.key),
    },
  };
}

function sameCell(x: string | null, y: string | null): boolean {
  if (x === y) return true;
  if (x === null || y === null) return false;
  const p = Number(x);
  const q = Number(y);
  return x.trim() !== '' && y.trim() !== '' && !Number.isNaN(p) && p === q;
}

/** The row diff shown: the planned rows with their cells from each version (fetched by key or 0-based position). */
export function assembleRowDiff(
  plan: RowPlan,
  columns: readonly string[],
  rowsA: ReadonlyMap<string, (string | null)[]>,
  rowsB: ReadonlyMap<string, (string | null)[]>,
): RowDiff {
  return {
    keyedBy: plan.keyedBy,
    columns: [...columns],
    differing: plan.differing,
    rows: plan.shown.map((s) => {
      const a = s.status === 'only-b' ? null : (rowsA.get(s.key) ?? null);
      const b = s.status === 'only-a' ? null : (rowsB.get(s.key) ?? null);
      const changed: number[] = [];
      if (a && b) columns.forEach((_, i) => !sameCell(a[i] ?? null, b[i] ?? null) && changed.push(i));
      // positions are shown 1-based, as a person counts data rows
      return { key: plan.keyedBy === 'position' ? String(Number(s.key) + 1) : s.key, status: s.status, a, b, changed };
    }),
    truncated: plan.truncated,
    note:
      plan.note ??
      (columns.length === 0 ? 'the two versions have no column in common, so rows were not compared' : null),
  };
}
