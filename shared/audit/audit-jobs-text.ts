/** The text lines show-audit adds for audits whose reruns ran as cluster jobs: the runner, and each rerun's job and where it stands. */
import type { Audit, AuditGroup } from './audit';

/** The runner line (nothing for local audits). */
export function formatRunnerLines(a: Audit): string[] {
  const r = a.plan.runner;
  if (!r || r.kind === 'local') return [];
  const opts = [r.partition ? `partition ${r.partition}` : 'default partition', ...r.options].join(', ');
  return [`  runner: ${r.kind} (${opts})${a.plan.workDir ? `   work folder: ${a.plan.workDir}` : ''}`];
}

/** One line per group listing its reruns' jobs: id, and queued / running on a node / done. */
export function formatRerunJobLines(g: AuditGroup): string[] {
  const withJobs = g.reruns.filter((r) => r.job);
  if (withJobs.length === 0) return [];
  const state = (r: AuditGroup['reruns'][number]): string => {
    const j = r.job!;
    if (r.status === 'pending' || r.status === 'running')
      return j.phase === 'running' ? `running on ${j.node ?? '?'}` : `queued${j.reason ? ` (${j.reason})` : ''}`;
    return `${r.status}${j.node ? ` on ${j.node}` : ''}`;
  };
  return [`      jobs: ${withJobs.map((r) => `#${r.index + 1} ${r.job!.id} ${state(r)}`).join(', ')}`];
}
