/** The batch scripts the Slurm runner writes: one per rerun (node probe, the rerun's variables, the command, its status) and one per job array. */
import { shellQuote } from '../../../shared/mlflow/shell-quote';
import { NODE_PROBE_SH } from '../../platform/slurm-node';
import type { RunnerJob } from './runner';
import type { JobFiles } from './slurm-job-files';

/** The variables one job sets or unsets beyond its batch's common environment. */
export interface EnvDiff {
  set: [string, string][];
  unset: string[];
}

const isEnvName = (k: string): boolean => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k);

/** What each job of a batch sets beyond the batch's common environment (the rerun's own variables). */
export function envDiff(base: NodeJS.ProcessEnv, env: NodeJS.ProcessEnv): EnvDiff {
  const set: [string, string][] = [];
  const unset: string[] = [];
  for (const [k, v] of Object.entries(env)) if (v !== undefined && base[k] !== v && isEnvName(k)) set.push([k, v]);
  for (const k of Object.keys(base)) if (env[k] === undefined && isEnvName(k)) unset.push(k);
  return { set, unset };
}

/** The batch script of one rerun: probe the node (and the job's Python) beside the command, run it, write its status. */
export function taskScript(job: RunnerJob, files: JobFiles, diff: EnvDiff): string {
  const q = shellQuote;
  const timeoutS = job.timeoutMs ? Math.max(1, Math.ceil(job.timeoutMs / 1000)) : null;
  const run = [...(timeoutS ? ['timeout', '--kill-after=3', `${timeoutS}s`] : []), ...job.argv].map(q).join(' ');
  const probe = job.probe
    ? `${job.probe.argv.map(q).join(' ')} <${job.probe.stdin !== undefined ? '"$R/probe.in"' : '/dev/null'}`
    : null;
  return [
    '#!/bin/bash',
    '# reproscope: one audit rerun as a Slurm job (written by the Slurm runner, run on the node)',
    `R=${q(files.root)}`,
    // the node probe runs beside the command, not before it: it is read once the job ends
    '{',
    NODE_PROBE_SH,
    '} >"$R/node.txt" 2>/dev/null &',
    'probe=$!',
    ...diff.unset.map((k) => `unset ${k}`),
    ...diff.set.map(([k, v]) => `export ${k}=${q(v)}`),
    // the interpreter as this node has it (packages, numerics builds), in the rerun's own environment, run from the
    // job's own folder so no module of the project shadows what it imports
    ...(probe ? [`(cd "$R" && exec ${probe}) >"$R/python.json" 2>"$R/python.err" &`, 'pyprobe=$!'] : ['pyprobe=']),
    `cd ${q(job.cwd)} || { echo "reproscope: cannot enter ${job.cwd.replace(/["$`\\]/g, '')} on $(hostname): is the work folder on a filesystem this node sees?" >&2; exit 86; }`,
    'date +%s%3N >"$R/started"',
    `${run} >"$R/stdout" 2>"$R/stderr" </dev/null &`,
    'child=$!',
    // Slurm's stop (scancel, time limit) sends TERM to the script: pass it on, then wait for the real status
    `trap 'kill -TERM "$child" $pyprobe 2>/dev/null' TERM INT`,
    'wait "$child"; code=$?',
    'while kill -0 "$child" 2>/dev/null; do wait "$child"; code=$?; done',
    'date +%s%3N >"$R/ended"',
    'wait "$probe" $pyprobe 2>/dev/null',
    `printf '%s\\n' "$code" >"$R/exit.tmp" && mv "$R/exit.tmp" "$R/exit"`,
    'exit "$code"',
    '',
  ].join('\n');
}

/** The script of a job array: task i runs the i-th rerun's own script, its output in that rerun's folder. */
export function arrayScript(tasks: readonly JobFiles[]): string {
  const cases = tasks.map((f, i) => `  ${i}) exec bash ${shellQuote(f.task)} >>${shellQuote(f.slurmOut)} 2>&1 ;;`);
  return [
    '#!/bin/bash',
    '# reproscope: a batch of audit reruns, one array task each',
    'case "$SLURM_ARRAY_TASK_ID" in',
    ...cases,
    '  *) exit 87 ;;',
    'esac',
    '',
  ].join('\n');
}

/** What Slurm gave the job, as the job saw it (`cpus=4 mem=8000M gpus=0,1`). */
export function allocatedOf(f: Record<string, string[]>): string | null {
  const parts = [
    f.slurm_cpus?.[0] ? `cpus=${f.slurm_cpus[0]}` : '',
    f.slurm_mem_mb?.[0] ? `mem=${f.slurm_mem_mb[0]}M` : '',
    f.slurm_gpus?.[0] ? `gpus=${f.slurm_gpus[0]}` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : null;
}
