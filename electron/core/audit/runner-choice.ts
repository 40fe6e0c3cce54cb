/** The one place a rerun backend is chosen for an audit's plan: a new backend is one more file and one line here. */
import type { AuditPlan } from '../../../shared/audit/audit';
import { localRunner, type Runner } from './runner';
import { createSlurmRunner } from './slurm-runner';

/** The runner an audit's plan asks for (audits from before runners could be chosen run locally). */
export function runnerFor(plan: Pick<AuditPlan, 'runner'>): Runner {
  const r = plan.runner;
  if (r?.kind === 'slurm') return createSlurmRunner({ partition: r.partition, options: r.options });
  return localRunner;
}
