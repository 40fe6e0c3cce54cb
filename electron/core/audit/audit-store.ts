/** Where an audit keeps its work (worktrees, environments, clones) in the store, and the audits repository of a core. */
import path from 'node:path';
import { AuditsRepository } from '../../db/audits-repository';
import type { CoreContext } from '../core-context';

/** The store's folders for audit work: per-audit worktrees, cached environments, cached clones. */
export function storePaths(ctx: CoreContext): { work: string; envs: string; gitCache: string } {
  return {
    work: path.join(ctx.store.dir, 'audit-work'),
    envs: path.join(ctx.store.dir, 'envs'),
    gitCache: path.join(ctx.store.dir, 'git-cache'),
  };
}

/** An audit's own work folder: under `--work-dir` when the plan names one (a cluster's shared filesystem), else the store's audit-work/. */
export function workRootOf(ctx: CoreContext, plan: { workDir?: string | null }, id: string): string {
  return path.join(plan.workDir ?? storePaths(ctx).work, id);
}

const repositories = new WeakMap<CoreContext, AuditsRepository>();

/** The audits repository of a core (made once per open store). */
export function auditsOf(ctx: CoreContext): AuditsRepository {
  let repo = repositories.get(ctx);
  if (!repo) {
    repo = new AuditsRepository(ctx.store.db);
    repositories.set(ctx, repo);
  }
  return repo;
}
