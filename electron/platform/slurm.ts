// Talking to a Slurm cluster through its commands: sbatch, squeue, sacct, scontrol, scancel; and the shared-filesystem check.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ReproError } from '../../shared/errors';
import { whichSync } from './python-which';

/** The Slurm commands reproscope needs on PATH (sacct is optional: accounting may be off). */
export const SLURM_COMMANDS = ['sbatch', 'squeue', 'scontrol', 'scancel'] as const;

/** Slurm's job states that end a job, with what each means to a user. */
export const SLURM_END_STATES: Record<string, string> = {
  COMPLETED: 'completed',
  FAILED: 'failed (non-zero exit)',
  TIMEOUT: 'killed by Slurm for its time limit',
  CANCELLED: 'cancelled',
  OUT_OF_MEMORY: 'killed by Slurm for exceeding its memory',
  NODE_FAIL: 'lost to a node failure',
  PREEMPTED: 'preempted',
  BOOT_FAIL: 'the node failed to boot',
  DEADLINE: 'killed at its deadline',
  REVOKED: 'revoked',
  SPECIAL_EXIT: 'held after a special exit',
};

/** One job as Slurm sees it now. */
export interface SlurmJobInfo {
  /** `123` or, for an array task, `123_4`. */
  id: string;
  /** Slurm's state name (PENDING, RUNNING, COMPLETED, TIMEOUT…). */
  state: string;
  /** Why it waits or why it ended, as Slurm says it; null for "None". */
  reason: string | null;
  node: string | null;
  partition: string | null;
  /** The exit code Slurm recorded (of the batch script), when it knows. */
  exitCode: number | null;
}

/** Where a job stands, reduced to what the audit shows. */
export type JobPhase = 'queued' | 'running' | 'ended';

/** The phase of a Slurm state name. */
export function phaseOf(state: string): JobPhase {
  const s = state.toUpperCase().replace(/\+$/, '');
  if (s in SLURM_END_STATES) return 'ended';
  if (s === 'RUNNING' || s === 'COMPLETING' || s === 'STAGE_OUT' || s === 'SIGNALING') return 'running';
  return 'queued';
}

/** Options of a Slurm command call. */
interface CallOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}

interface CallResult {
  code: number;
  stdout: string;
  stderr: string;
}

function call(cmd: string, args: string[], options: CallOptions = {}): Promise<CallResult> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      {
        env: options.env ?? process.env,
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 60_000,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const err = error as (NodeJS.ErrnoException & { code?: number | string }) | null;
        if (err && err.code === 'ENOENT') {
          reject(slurmMissing([cmd]));
          return;
        }
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

function slurmMissing(missing: string[]): ReproError {
  return new ReproError(
    'COMMAND_NOT_FOUND',
    `the Slurm commands ${missing.join(', ')} are not on PATH, so --runner slurm cannot submit jobs`,
    'Run reproscope on a machine of the cluster (a login node) where sbatch and squeue work, or load Slurm first (e.g. module load slurm).',
  );
}

/** Throws a clear error, before anything is submitted, when Slurm's commands are not on PATH. */
export function requireSlurmCommands(envPath: string | undefined = process.env.PATH): void {
  const missing = SLURM_COMMANDS.filter((c) => !whichSync(c, envPath));
  if (missing.length > 0) throw slurmMissing(missing);
}

/** Checks that the controller answers (sinfo-free: scontrol ping), with Slurm's message when it does not. */
export async function requireController(): Promise<void> {
  const r = await call('scontrol', ['ping'], { timeoutMs: 20_000 });
  if (r.code !== 0 || !/UP/.test(r.stdout))
    throw new ReproError(
      'ENVIRONMENT_UNAVAILABLE',
      `the Slurm controller does not answer: ${(r.stderr || r.stdout).trim().slice(0, 500)}`,
      'Check that slurmctld runs (scontrol ping) and that this machine may submit jobs.',
    );
}

/** What sbatch is given. */
export interface SubmitOptions {
  /** The batch script file. */
  script: string;
  /** sbatch options (--partition, --array, user's --slurm-option values…). */
  args: string[];
  /** The submitting environment (sbatch passes it on to the job by default). */
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** sbatch's words for a controller it could not reach at all: nothing was submitted, so asking again is safe. */
const UNREACHED = /unable to contact slurm controller|connect failure|connection refused|slurm temporarily unable/i;
/** How long a submission keeps asking a controller that cannot be reached (a slurmctld restart takes seconds). */
const SUBMIT_PATIENCE_MS = 60_000;

/**
 * Submits a batch script; the job id, or a ReproError carrying sbatch's own message when Slurm rejects it. A
 * controller that cannot be reached is asked again for a minute; a timeout after contact is not retried, since the
 * job may have been queued.
 */
export async function sbatch(options: SubmitOptions): Promise<string> {
  const args = ['--parsable', ...options.args, options.script];
  const giveUp = Date.now() + SUBMIT_PATIENCE_MS;
  let r = await call('sbatch', args, { env: options.env, cwd: options.cwd });
  for (
    let wait = 500;
    r.code !== 0 && UNREACHED.test(r.stderr) && Date.now() + wait < giveUp;
    wait = Math.min(wait * 2, 5000)
  ) {
    await new Promise((done) => setTimeout(done, wait));
    r = await call('sbatch', args, { env: options.env, cwd: options.cwd });
  }
  const id = r.stdout.trim().split(';')[0] ?? '';
  if (r.code !== 0 || !/^\d+$/.test(id))
    throw new ReproError(
      'ENVIRONMENT_UNAVAILABLE',
      `sbatch rejected the job: ${(r.stderr || r.stdout).trim().replace(/^sbatch: error: /gm, '') || `exit code ${r.code}`}`,
      'Check the partition and the --slurm-option values against what the cluster allows (sinfo, scontrol show partition).',
    );
  return id;
}

/** Cancels jobs (queued or running); ids unknown to Slurm are ignored. */
export async function scancel(ids: readonly string[], signal?: string): Promise<void> {
  if (ids.length === 0) return;
  const args = signal ? [`--signal=${signal}`, '--full'] : [];
  for (let i = 0; i < ids.length; i += 500) await call('scancel', [...args, ...ids.slice(i, i + 500)]);
}

const SQUEUE_FORMAT = '%i|%T|%r|%N|%P';

function parseSqueue(text: string): SlurmJobInfo[] {
  return text
    .split('\n')
    .filter((l) => l.includes('|'))
    .map((line) => {
      const [id, state, reason, node, partition] = line.split('|').map((s) => s.trim());
      return {
        id: id!,
        state: state ?? 'UNKNOWN',
        reason: reason && reason !== 'None' && reason !== '(null)' ? reason : null,
        node: node || null,
        partition: partition || null,
        exitCode: null,
      };
    });
}

/** One `scontrol show job -o` line as key=value pairs. */
export function parseScontrolLine(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  // values never contain " Key=" runs; split on whitespace followed by a key
  for (const part of line.trim().split(/\s+(?=[A-Za-z][\w/:]*=)/)) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

function fromScontrol(fields: Record<string, string>): SlurmJobInfo | null {
  const jobId = fields.JobId;
  if (!jobId) return null;
  const id = fields.ArrayJobId && fields.ArrayTaskId ? `${fields.ArrayJobId}_${fields.ArrayTaskId}` : jobId;
  const exit = /^(\d+):(\d+)$/.exec(fields.ExitCode ?? '');
  const node = fields.NodeList && fields.NodeList !== '(null)' ? fields.NodeList : null;
  return {
    id,
    state: fields.JobState ?? 'UNKNOWN',
    reason: fields.Reason && fields.Reason !== 'None' ? fields.Reason : null,
    node,
    partition: fields.Partition ?? null,
    exitCode: exit ? Number(exit[1]) : null,
  };
}

let accountingOn: boolean | null = null;

async function sacctJobs(ids: readonly string[]): Promise<SlurmJobInfo[] | null> {
  if (accountingOn === false || !whichSync('sacct')) return null;
  const r = await call('sacct', [
    '-n',
    '-P',
    '-X',
    '-o',
    'JobID,State,Reason,NodeList,Partition,ExitCode',
    '-j',
    ids.join(','),
  ]);
  if (r.code !== 0) {
    // "Slurm accounting storage is disabled": use scontrol from now on
    accountingOn = false;
    return null;
  }
  accountingOn = true;
  return r.stdout
    .split('\n')
    .filter((l) => l.includes('|'))
    .map((line) => {
      const [id, state, reason, node, partition, exit] = line.split('|');
      const m = /^(\d+):(\d+)$/.exec(exit ?? '');
      return {
        id: id!,
        state: (state ?? 'UNKNOWN').split(' ')[0]!,
        reason: reason && reason !== 'None' ? reason : null,
        node: node && node !== 'None assigned' ? node : null,
        partition: partition || null,
        exitCode: m ? Number(m[1]) : null,
      };
    });
}

/** The controller gave no answer about the jobs asked for (as opposed to not knowing them): ask again later. */
export class SlurmUnanswered extends Error {}

/**
 * The current state of jobs, by id (`123` or `123_4`): squeue for the queued and running ones, then
 * sacct (or `scontrol show job` where accounting is off) for those that left the queue. A job
 * missing from the answer is unknown to Slurm (long finished and forgotten, or never submitted); a controller
 * that does not answer throws `SlurmUnanswered`.
 */
export async function queryJobs(ids: readonly string[]): Promise<Map<string, SlurmJobInfo>> {
  const found = new Map<string, SlurmJobInfo>();
  if (ids.length === 0) return found;
  const parents = [...new Set(ids.map((i) => i.split('_')[0]!))];
  const wanted = new Set(ids);
  const q = await call('squeue', ['-h', '-r', '-t', 'all', '-o', SQUEUE_FORMAT, '-j', parents.join(',')]);
  if (q.code === 0) {
    for (const j of parseSqueue(q.stdout)) if (wanted.has(j.id)) found.set(j.id, j);
  }
  // "Invalid job id" is squeue's answer for jobs it no longer knows; anything else (a controller that is busy,
  // restarting or unreachable) says nothing about the jobs, and must not make them look forgotten
  else if (!/invalid job id/i.test(q.stderr))
    throw new SlurmUnanswered(`squeue: ${q.stderr.trim() || `exit ${q.code}`}`);
  // squeue knows no exit code; ended jobs are looked at more closely
  const rest = ids.filter((i) => !found.has(i) || phaseOf(found.get(i)!.state) === 'ended');
  if (rest.length === 0) return found;
  const acct = await sacctJobs(rest);
  if (acct) {
    for (const j of acct) if (wanted.has(j.id)) found.set(j.id, j);
    return found;
  }
  for (const parent of new Set(rest.map((i) => i.split('_')[0]!))) {
    const r = await call('scontrol', ['show', 'job', '-o', parent]);
    if (r.code !== 0 && !/invalid job id/i.test(r.stderr))
      throw new SlurmUnanswered(`scontrol: ${r.stderr.trim() || `exit ${r.code}`}`);
    if (r.code !== 0) continue;
    for (const line of r.stdout.split('\n')) {
      const j = line.trim() ? fromScontrol(parseScontrolLine(line)) : null;
      if (j && wanted.has(j.id)) found.set(j.id, j);
    }
  }
  return found;
}

/** One node of a partition as sinfo lists it. */
export interface SlurmNode {
  name: string;
  /** Where slurmd runs: its host name and address (several nodes may share one host). */
  hostname: string;
  address: string;
  /** Slurm's state, e.g. idle, mixed, allocated, drained, down*. */
  state: string;
}

/** The nodes of a partition (without one: of the default partition, where sbatch sends jobs), sorted by name. */
export async function listNodes(partition: string | null): Promise<SlurmNode[]> {
  const r = await call('sinfo', ['-h', '-N', '-o', '%N|%n|%o|%T|%P']);
  if (r.code !== 0) return [];
  const byName = new Map<string, SlurmNode>();
  for (const line of r.stdout.split('\n')) {
    const [name, hostname, address, state, part] = line.split('|').map((s) => s.trim());
    // sinfo marks the default partition with a star
    const inIt = partition ? part?.replace(/\*$/, '') === partition : Boolean(part?.endsWith('*'));
    if (name && inIt)
      byName.set(name, { name, hostname: hostname ?? name, address: address ?? name, state: state ?? '' });
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
}

/** Whether a node can take jobs now (not down, drained, failing or powered off). */
export function nodeUsable(n: SlurmNode): boolean {
  return /^(idle|mix|alloc|completing|planned)/i.test(n.state) && !/[*~#!%]$/.test(n.state);
}

/** Filesystems whose files every node of a cluster usually sees. */
const SHARED_FS =
  /^(nfs4?|lustre|gpfs|beegfs|cephfs|ceph|fuse\.glusterfs|glusterfs|panfs|wekafs|fuse\.sshfs|cifs|smb3|9p|orangefs|fuse\.juicefs|virtiofs)$/;

/** Whether a folder is on a filesystem that other machines can read. */
export interface SharedFsCheck {
  dir: string;
  mountPoint: string;
  fsType: string;
  shared: boolean;
}

/** Finds the filesystem a folder lives on (/proc/mounts) and whether its type is a network or cluster filesystem. */
export function checkSharedFilesystem(dir: string): SharedFsCheck {
  let real = path.resolve(dir);
  while (!fs.existsSync(real) && path.dirname(real) !== real) real = path.dirname(real);
  try {
    real = fs.realpathSync(real);
  } catch {
    /* keep the resolved path */
  }
  let best = { mountPoint: '/', fsType: 'unknown' };
  try {
    for (const line of fs.readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [, mnt, type] = line.split(' ');
      if (!mnt || !type) continue;
      const m = mnt.replace(/\\040/g, ' ');
      const inside = real === m || real.startsWith(m.endsWith('/') ? m : `${m}/`);
      if (inside && m.length >= best.mountPoint.length) best = { mountPoint: m, fsType: type };
    }
  } catch {
    /* not Linux: unknown */
  }
  return { dir: real, ...best, shared: SHARED_FS.test(best.fsType) };
}
