/** Run management: rename, tag and note runs, delete them with the logs they alone used, export the table as CSV. */
import { copyRecord } from '../../../shared/records';
import { ReproError } from '../../../shared/errors';
import { BUILTIN_COLUMNS, NOTE_TAG, parseRunColumn, runsToCsv, type RunColumn } from '../../../shared/runs/run-columns';
import { parseRunFilter, parseRunSort } from '../../../shared/runs/search-filter';
import type { RunListQuery } from '../../db/runs-repository';
import type { Impl } from '../operation-types';

/** The selection part of a list or export input. */
interface SelectionInput {
  search?: string;
  filter?: string;
  sort?: string;
  kind?: RunListQuery['kind'];
  auditId?: string;
  auditIds?: string[];
  groupReruns?: boolean;
}

/** Turns the contract's selection (filter and sort as text) into the store's query; a bad filter is INVALID_INPUT. */
export function toRunQuery(input: SelectionInput): RunListQuery {
  return {
    search: input.search?.trim() || undefined,
    kind: input.kind,
    auditId: input.auditId,
    auditIds: input.auditIds,
    conditions: input.filter?.trim() ? parseRunFilter(input.filter) : undefined,
    sort: input.sort?.trim() ? parseRunSort(input.sort) : undefined,
    groupReruns: input.groupReruns,
  };
}

/** Whether a query narrows the list (so its count is not the store's). */
export function isFiltered(q: RunListQuery): boolean {
  return Boolean(q.search || q.kind || q.auditId || q.auditIds || q.conditions?.length || q.groupReruns);
}

/** The operations that change runs or export them. */
export const runManagementOperations: {
  listRunColumns: Impl<'listRunColumns'>;
  editRun: Impl<'editRun'>;
  deleteRuns: Impl<'deleteRuns'>;
  exportRunsCsv: Impl<'exportRunsCsv'>;
} = {
  listRunColumns: (_input, ctx) => ctx.runs.columnNames(),
  editRun: (input, ctx) => {
    const id = ctx.runs.resolveId(input.id);
    const setTags = copyRecord(input.setTags);
    const removeTags = [...(input.removeTags ?? [])];
    if (input.note !== undefined) {
      if (input.note && input.note.trim()) setTags[NOTE_TAG] = input.note;
      else removeTags.push(NOTE_TAG);
    }
    const name = input.name === undefined ? undefined : input.name?.trim() || null;
    const s = ctx.runs.edit(id, { name, setTags, removeTags });
    return { id: s.id, name: s.name, tags: s.tags };
  },
  deleteRuns: async (input, ctx) => {
    const ids = [...new Set(input.ids.map((i) => ctx.runs.resolveId(i)))];
    // An audit's statistics and its report are built from its reference and its reruns: those stay while the audit does.
    // (The audits' schemas load here, not with every run operation: listing runs stays quick to start, issue 13.)
    const { AuditsRepository } = await import('../../db/audits-repository');
    const audits = new AuditsRepository(ctx.store.db);
    const used = new Map<string, string>();
    for (const summary of audits.list(100_000, 0)) {
      const a = audits.get(summary.id);
      if (a.referenceRunId) used.set(a.referenceRunId, `the reference run of audit ${a.id.slice(0, 8)}`);
      for (const g of a.groups)
        for (const r of g.reruns) if (r.runId) used.set(r.runId, `a rerun of audit ${a.id.slice(0, 8)}`);
    }
    const blocked = ids.filter((id) => used.has(id));
    if (blocked.length)
      throw new ReproError(
        'INVALID_INPUT',
        `run ${blocked[0]!.slice(0, 8)} is ${used.get(blocked[0]!)}${blocked.length > 1 ? ` (and ${blocked.length - 1} more runs are kept by audits)` : ''}; it was not deleted`,
        'An audit keeps the runs its verdict was computed from; nothing was deleted.',
      );
    const { blobsFreed } = ctx.runs.deleteRuns(ids);
    return { deleted: ids, blobsFreed };
  },
  exportRunsCsv: (input, ctx) => {
    const columns: RunColumn[] = (input.columns?.length ? input.columns : [...BUILTIN_COLUMNS]).map(parseRunColumn);
    const runs = ctx.runs.list({ ...toRunQuery(input), limit: 1_000_000, offset: 0 });
    return { csv: runsToCsv(runs, columns), rows: runs.length };
  },
};
