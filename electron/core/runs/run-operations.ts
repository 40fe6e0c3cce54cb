// The operations on stored runs: list, read one, its histories for charts, read its logs, describe the store.
import type { Impl } from '../operation-types';
import { isFiltered, toRunQuery } from './run-management';
import { getRunHistories } from './run-histories';

/** The operations on stored runs: list, read one, read its logs, describe the store. */
export const runOperations: {
  listRuns: Impl<'listRuns'>;
  getRun: Impl<'getRun'>;
  getRunHistories: Impl<'getRunHistories'>;
  getRunLog: Impl<'getRunLog'>;
  storeInfo: Impl<'storeInfo'>;
} = {
  listRuns: (input, ctx) => {
    const query = { ...toRunQuery(input), limit: input.limit, offset: input.offset };
    const runs = ctx.runs.list(query);
    // the full count of matches, so a paged view knows how far it can scroll
    return { runs, total: isFiltered(query) ? ctx.runs.countMatching(query) : ctx.runs.count() };
  },
  getRun: (input, ctx) => ctx.runs.get(ctx.runs.resolveId(input.id), { histories: input.histories }),
  getRunHistories,
  getRunLog: (input, ctx) => {
    const snapshot = ctx.runs.get(ctx.runs.resolveId(input.id), { histories: false });
    const ref = snapshot.outcome.logs[input.stream];
    if (!ref) return { text: '', bytes: 0, truncated: false };
    return { text: ctx.runs.blobs.get(ref.blob).toString('utf8'), bytes: ref.bytes, truncated: ref.truncated };
  },
  storeInfo: (_input, ctx) => ({
    dir: ctx.store.dir,
    dbPath: ctx.store.dbPath,
    runs: ctx.runs.count(),
    version: ctx.version,
  }),
};
