/** The audit's plan of groups: their descriptions, blank reruns, and the pin groups added when the baseline varies. */
import { emptyRecord } from '../../../shared/records';
import type { Audit, AuditGroup, GroupName, Rerun, VaryFactor } from '../../../shared/audit/audit';
import { type Snapshot } from '../../../shared/snapshot/snapshot';
import { finishedReruns } from '../../../shared/audit/verdict';
import { matchesAnyGlob } from '../../../shared/audit/outputs';

/** What each group changes, in the words reports use. */
export const GROUP_DESCRIPTIONS: Record<GroupName, string> = {
  baseline: "the original's parameters, seed and environment variables",
  seeds: 'distinct values of the seed parameter',
  'pin:hashseed': 'PYTHONHASHSEED=0',
  'pin:threads': '1 thread through OMP/MKL/OPENBLAS/NUMEXPR/VECLIB variables',
  'pin:cuda-determinism': 'CUBLAS_WORKSPACE_CONFIG=:4096:8 with deterministic switches',
  'vary:threads': 'a different thread count per rerun',
  'vary:hashseed': 'a different PYTHONHASHSEED per rerun',
  'vary:seed': 'a different seed per rerun',
  'vary:node': 'a distinct cluster node per rerun (the other groups all run on the first node)',
};

/** A rerun's outputs as one comparable text: normalised hashes, so MLmodel's run_id alone never makes the baseline "vary". */
function outputsKey(r: Rerun, ignore: readonly string[]): string {
  return (r.outputs ?? [])
    .filter((f) => !matchesAnyGlob(f.path, ignore))
    .map((f) => `${f.path}:${f.sha256}`)
    .sort()
    .join('\n');
}

/** Adds the pin groups after the baseline when the baseline's reruns vary (once per audit). */
export function addPins(audit: Audit, machine: { hardware: Snapshot['hardware'] } | null): void {
  if (audit.groups.some((g) => g.name.startsWith('pin:'))) return;
  const base = audit.groups.find((g) => g.name === 'baseline');
  const done = finishedReruns(base);
  if (done.length < 2) return;
  const names = new Set(done.flatMap((r) => Object.keys(r.metrics)));
  const ignore = audit.plan.ignoreOutputs ?? [];
  const varies =
    [...names].some((n) => !done.every((r) => Object.is(r.metrics[n], done[0]!.metrics[n]))) ||
    done.some((r) => outputsKey(r, ignore) !== outputsKey(done[0]!, ignore));
  if (!varies) return;
  const range = Array.from({ length: audit.plan.repeats }, (_, i) => i);
  const blank = (index: number, env: Record<string, string>): Rerun =>
    blankRerun(index, { env, seed: base!.reruns[0]?.seed ?? null });
  const at = audit.groups.indexOf(base!) + 1;
  const pins: AuditGroup[] = [];
  pins.push({
    name: 'pin:hashseed',
    description: GROUP_DESCRIPTIONS['pin:hashseed'],
    reruns: range.map((i) => blank(i, { PYTHONHASHSEED: '0' })),
  });
  pins.push({
    name: 'pin:threads',
    description: GROUP_DESCRIPTIONS['pin:threads'],
    reruns: range.map((i) => blank(i, threadEnv('1'))),
  });
  // CUDA switches only matter where a GPU computes; on a CPU-only machine the group would only repeat the baseline
  if ((machine?.hardware.gpus.length ?? 0) > 0) {
    pins.push({
      name: 'pin:cuda-determinism',
      description: GROUP_DESCRIPTIONS['pin:cuda-determinism'],
      reruns: range.map((i) =>
        blank(i, {
          CUBLAS_WORKSPACE_CONFIG: ':4096:8',
          TF_DETERMINISTIC_OPS: '1',
          TF_CUDNN_DETERMINISTIC: '1',
          NVIDIA_TF32_OVERRIDE: '0',
        }),
      ),
    });
  }
  audit.groups.splice(at, 0, ...pins);
}

const THREAD_VARS = [
  'OMP_NUM_THREADS',
  'MKL_NUM_THREADS',
  'OPENBLAS_NUM_THREADS',
  'NUMEXPR_NUM_THREADS',
  'VECLIB_MAXIMUM_THREADS',
];

/** The thread-count variables of the common numerics libraries, all set to n. */
export function threadEnv(n: string): Record<string, string> {
  return Object.fromEntries(THREAD_VARS.map((v) => [v, n]));
}

/** A rerun not yet run. */
export function blankRerun(
  index: number,
  options: { env?: Record<string, string>; seed: string | null; parameters?: Record<string, string> },
): Rerun {
  return {
    runId: null,
    index,
    status: 'pending',
    env: options.env ?? emptyRecord(),
    seed: options.seed,
    parameters: options.parameters ?? emptyRecord(),
    exitCode: null,
    error: null,
    durationMs: null,
    metrics: emptyRecord(),
    artifactsHash: null,
  };
}

/** What the plan of groups depends on. */
export interface GroupPlan {
  repeats: number;
  vary: readonly VaryFactor[];
  /** The entry point's seed parameter, if it has one. */
  seedParam: string | null;
  /** The seed the original ran with (the baseline keeps it). */
  seedValue: string | null;
  /** Whether there is an original (--against): without one the baseline's parameters are the entry point's. */
  withOriginal?: boolean;
}

/** The baseline's description without an original to take parameters, seed and variables from. */
const BASELINE_WITHOUT_ORIGINAL = 'the parameters and seed as given, the same in every rerun';

/** The groups an audit starts with: baseline, seeds (when there is a seed parameter) and the vary groups asked for. */
export function planGroups(plan: GroupPlan): AuditGroup[] {
  const { repeats, seedParam, seedValue } = plan;
  const groups: AuditGroup[] = [];
  const range = Array.from({ length: repeats }, (_, i) => i);
  const blank = (index: number, env: Record<string, string> = {}): Rerun => blankRerun(index, { env, seed: seedValue });
  const seeded = (seed: string, i: number): Rerun =>
    blankRerun(i, { seed, parameters: seedParam ? { [seedParam]: seed } : {} });
  groups.push({
    name: 'baseline',
    description: plan.withOriginal === false ? BASELINE_WITHOUT_ORIGINAL : GROUP_DESCRIPTIONS.baseline,
    reruns: range.map((i) => blank(i)),
  });
  const seedsFrom = (start: number): string[] => {
    const out: string[] = [];
    for (let v = start; out.length < repeats; v++) if (String(v) !== seedValue) out.push(String(v));
    return out;
  };
  // --vary seed asks the question the seeds group answers: one group, not the same reruns twice
  if (seedParam && !plan.vary.includes('seed'))
    groups.push({ name: 'seeds', description: GROUP_DESCRIPTIONS.seeds, reruns: seedsFrom(1).map(seeded) });
  for (const v of plan.vary) {
    if (v === 'threads')
      groups.push({
        name: 'vary:threads',
        description: GROUP_DESCRIPTIONS['vary:threads'],
        reruns: range.map((i) => blank(i, threadEnv(String(2 ** i)))),
      });
    if (v === 'hashseed')
      groups.push({
        name: 'vary:hashseed',
        description: GROUP_DESCRIPTIONS['vary:hashseed'],
        reruns: range.map((i) => blank(i, { PYTHONHASHSEED: String(i + 1) })),
      });
    if (v === 'seed' && seedParam)
      groups.push({
        name: 'vary:seed',
        description: GROUP_DESCRIPTIONS['vary:seed'],
        reruns: seedsFrom(1001).map(seeded),
      });
    // which node each rerun goes to is the runner's to say (RunnerJob.nodeIndex, from the rerun's index)
    if (v === 'node')
      groups.push({
        name: 'vary:node',
        description: GROUP_DESCRIPTIONS['vary:node'],
        reruns: range.map((i) => blank(i)),
      });
  }
  return groups;
}
