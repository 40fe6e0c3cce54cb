// The compare operations: compare stored runs, and add what only this machine knows (the commits and diff between them).
import { compareSnapshots } from '../../../shared/compare/compare';
import { compareRunSet } from '../../../shared/compare/compare-many';
import { ReproError } from '../../../shared/errors';
import type { Comparison } from '../../../shared/compare/compare-model';
import type { Snapshot } from '../../../shared/snapshot/snapshot';
import { readGitHistory } from '../../platform/git-history';
import type { Impl } from '../operation-types';
import { enrichDataShift } from './data-shift-operations';

/**
 * Adds what only this machine can say to a comparison: where the repository of either run is
 * here and holds both commits, the commits between them and `git diff A B`. The comparison itself
 * stays pure (shared/compare.ts); this step only fills `code.history`.
 */
export async function enrichCodeComparison(comparison: Comparison, a: Snapshot, b: Snapshot): Promise<Comparison> {
  const ca = a.code.commit;
  const cb = b.code.commit;
  if (!ca || !cb) return { ...comparison, code: { ...comparison.code, history: null } };
  if (ca === cb) {
    return {
      ...comparison,
      code: {
        ...comparison.code,
        history: {
          status: 'not-needed',
          note: 'both runs are at the same commit',
          commits: [],
          patch: null,
          truncated: false,
        },
      },
    };
  }
  const roots = [...new Set([a.code.root, b.code.root].filter((r): r is string => Boolean(r)))];
  const reasons: string[] = [];
  for (const root of roots) {
    const h = await readGitHistory(root, ca, cb);
    if (h.ok) {
      return {
        ...comparison,
        code: {
          ...comparison.code,
          history: {
            status: 'ok',
            note: `read from ${root}`,
            commits: h.commits,
            patch: h.patch,
            truncated: h.truncated,
          },
        },
      };
    }
    reasons.push(h.reason);
  }
  const note = reasons.length ? reasons.join('; ') : 'neither run recorded where its repository is';
  return {
    ...comparison,
    code: { ...comparison.code, history: { status: 'unavailable', note, commits: [], patch: null, truncated: false } },
  };
}

/** The compare operation: two stored runs compared, enriched with the git history where the repository is here and the data shift of changed files. */
export const compareOperations: { compareRuns: Impl<'compareRuns'>; compareRunSet: Impl<'compareRunSet'> } = {
  compareRunSet: (input, ctx) => {
    const ids = input.ids.map((id) => ctx.runs.resolveId(id));
    const twice = ids.find((id, i) => ids.indexOf(id) !== i);
    if (twice) throw new ReproError('INVALID_INPUT', `run ${twice.slice(0, 8)} is named twice`, 'Name each run once.');
    // metric histories take no part in a comparison: not decoded
    return Promise.resolve(compareRunSet(ids.map((id) => ctx.runs.get(id, { histories: false }))));
  },
  compareRuns: async (input, ctx) => {
    const a = ctx.runs.get(ctx.runs.resolveId(input.a), { histories: false });
    const b = ctx.runs.get(ctx.runs.resolveId(input.b), { histories: false });
    const compared = await enrichCodeComparison(compareSnapshots(a, b), a, b);
    if (input.data === false) return compared;
    return enrichDataShift(
      compared,
      ctx,
      { a, b },
      { key: input.key ?? null, unpickle: input.unpickle ?? false, mode: 'analyze' },
    );
  },
};
