/** The audit form's runner fields (this machine or a Slurm cluster) and a rerun's job state in the live view (queued vs running, job id, node). */
import type { ReactNode } from 'react';
import type { BackendJob, RerunStatus } from '../../../shared/audit/audit';

/** What the form holds for the runner. */
export interface RunnerChoice {
  runner: 'local' | 'slurm';
  partition: string;
  /** sbatch options, one per line. */
  options: string;
  workDir: string;
}

/** The form's starting value: reruns on this machine. */
export const LOCAL_RUNNER: RunnerChoice = { runner: 'local', partition: '', options: '', workDir: '' };

/** The startAudit fields for a choice (nothing extra for local reruns with the default work folder). */
export function runnerRequest(c: RunnerChoice): {
  runner: 'local' | 'slurm';
  slurmPartition?: string;
  slurmOptions: string[];
  workDir?: string;
} {
  const options = c.options
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    runner: c.runner,
    slurmPartition: c.runner === 'slurm' ? c.partition.trim() || undefined : undefined,
    slurmOptions: c.runner === 'slurm' ? options : [],
    workDir: c.workDir.trim() || undefined,
  };
}

/** Label/control pairs for the form's grid: where reruns run, and for Slurm its partition, sbatch options and work folder. */
export function RunnerFields({
  value,
  onChange,
}: {
  value: RunnerChoice;
  onChange: (c: RunnerChoice) => void;
}): ReactNode {
  const set = (patch: Partial<RunnerChoice>): void => onChange({ ...value, ...patch });
  return (
    <>
      <label htmlFor="audit-runner">Run reruns on</label>
      <select
        id="audit-runner"
        value={value.runner}
        onChange={(e) => set({ runner: e.target.value === 'slurm' ? 'slurm' : 'local' })}
      >
        <option value="local">this machine</option>
        <option value="slurm">a Slurm cluster (sbatch from this machine)</option>
      </select>
      {value.runner === 'slurm' ? (
        <>
          <label htmlFor="audit-slurm-partition">Partition</label>
          <input
            id="audit-slurm-partition"
            type="text"
            className="mono"
            value={value.partition}
            onChange={(e) => set({ partition: e.target.value })}
            placeholder="the cluster's default partition"
          />
          <label htmlFor="audit-slurm-options">sbatch options</label>
          <textarea
            id="audit-slurm-options"
            className="mono"
            rows={3}
            value={value.options}
            onChange={(e) => set({ options: e.target.value })}
            placeholder={'one per line, e.g.\n--gres=gpu:1\n--time=02:00:00'}
          />
          <label htmlFor="audit-work-dir">Work folder</label>
          <input
            id="audit-work-dir"
            type="text"
            className="mono"
            value={value.workDir}
            onChange={(e) => set({ workDir: e.target.value })}
            placeholder="on a filesystem every node reads (default: the store's audit-work/)"
          />
        </>
      ) : null}
    </>
  );
}

/** A rerun's cluster job beside its state: queued (with Slurm's reason) or running on a node, and the job id. */
export function RerunJobState({ job, status }: { job?: BackendJob | null; status: RerunStatus }): ReactNode {
  if (!job) return null;
  const live = status === 'pending' || status === 'running';
  const text = !live
    ? `job ${job.id}${job.node ? ` on ${job.node}` : ''}`
    : job.phase === 'running'
      ? `running on ${job.node ?? '?'} · job ${job.id}`
      : `queued${job.reason ? ` (${job.reason})` : ''} · job ${job.id}`;
  return (
    <div className="faint nowrap" data-testid="rerun-job" data-phase={live ? job.phase : 'ended'}>
      {text}
    </div>
  );
}
