/** The one place a rerun backend is chosen for an audit's plan: a new backend is one more file and one line here. */
import type { AuditPlan } from '../../../shared/audit/audit';
import { ReproError } from '../../../shared/errors';
import { localRunner, type Runner } from './runner';
import { createSlurmRunner } from './slurm-runner';

/** The runner an audit's plan asks for (audits from before runners could be chosen run locally). */
export function runnerFor(plan: Pick<AuditPlan, 'runner'> & { vary?: AuditPlan['vary'] }): Runner {
  const r = plan.runner;
  const spread = plan.vary?.includes('node') ?? false;
  if (r?.kind === 'slurm') return createSlurmRunner({ partition: r.partition, options: r.options, spread });
  if (spread)
    throw new ReproError(
      'INVALID_INPUT',
      '--vary node spreads a group over the nodes of a cluster, and the local runner has only this machine',
      'Add --runner slurm with a --slurm-partition that has several nodes, or leave node out of --vary.',
    );
  return localRunner;
}
