/** The Slurm backend of `Runner`: reruns become sbatch jobs (one job array per batch), followed through squeue/sacct/scontrol and the files each job writes. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ReproError } from '../../../shared/errors';
import type { HardwareState } from '../../../shared/snapshot/snapshot';
import { shellQuote } from '../../../shared/mlflow/shell-quote';
import { captureHardware } from '../../platform/machine-info';
import { DEFAULT_OUTPUT_CAP, type CapturedStream } from '../../platform/run-command';
import {
  checkSharedFilesystem,
  listNodes,
  phaseOf,
  queryJobs,
  requireController,
  requireSlurmCommands,
  sbatch,
  scancel,
  SLURM_END_STATES,
  type SlurmJobInfo,
} from '../../platform/slurm';
import { hardwareFromNodeFacts, NODE_PROBE_SH, parseNodeFacts } from '../../platform/slurm-node';
import type { Runner, RunnerJob, RunnerResult, RunnerTicket } from './runner';

/** What the audit's plan says about Slurm. */
export interface SlurmRunnerOptions {
  partition: string | null;
  /** Extra sbatch options, as the user gave them. */
  options: string[];
}

/** How long submissions wait for others of the same batch (the campaign's workers prepare reruns one after another). */
const BATCH_WINDOW_MS = 100;
const BATCH_MAX_WAIT_MS = 500;
/** Output files are looked at this often (cheap: a stat per file). */
const FILE_TICK_MS = 200;
/** squeue is asked at most this often, backing off while nothing changes. */
const POLL_MIN_MS = 500;
const POLL_MAX_MS = 10_000;
/** How long an ended job may take to show its result file (a shared filesystem's attribute cache lags). */
const RESULT_GRACE_MS = 5000;

interface JobFiles {
  root: string;
  task: string;
  stdout: string;
  stderr: string;
  exit: string;
  started: string;
  ended: string;
  node: string;
  slurmOut: string;
}

function filesOf(dir: string): JobFiles {
  const root = path.join(dir, 'slurm');
  const at = (f: string): string => path.join(root, f);
  return {
    root,
    task: at('task.sh'),
    stdout: at('stdout'),
    stderr: at('stderr'),
    exit: at('exit'),
    started: at('started'),
    ended: at('ended'),
    node: at('node.txt'),
    slurmOut: at('slurm.out'),
  };
}

interface Tracked {
  job: RunnerJob;
  /** Removes its abort listener (the campaign's signal is shared by every rerun). */
  detach?: () => void;
  files: JobFiles;
  ticket: RunnerTicket;
  requested: string[];
  offsets: { stdout: number; stderr: number };
  /** Polls in a row where Slurm did not know the job. */
  missing: number;
  endedSeenAt: number | null;
  exitSeenAt: number | null;
  lastInfo: SlurmJobInfo | null;
  resolve: (r: RunnerResult) => void;
}

interface Waiting {
  job: RunnerJob;
  detach?: () => void;
  files: JobFiles;
  env: NodeJS.ProcessEnv;
  resolve: (r: RunnerResult) => void;
  reject: (e: unknown) => void;
}

function readInt(file: string): number | null {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

/** A file's bytes capped as the local runner caps a stream: head and tail kept when it overflows. */
function readCapped(file: string, cap = DEFAULT_OUTPUT_CAP): CapturedStream {
  let size = 0;
  try {
    size = fs.statSync(file).size;
  } catch {
    return { data: Buffer.alloc(0), bytes: 0, truncated: false, cap };
  }
  if (size <= cap) return { data: fs.readFileSync(file), bytes: size, truncated: false, cap };
  const half = Math.floor(cap / 2);
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(half);
    fs.readSync(fd, head, 0, half, 0);
    const tail = Buffer.alloc(cap - half);
    fs.readSync(fd, tail, 0, tail.length, size - tail.length);
    const marker = Buffer.from(`\n… [${size - cap} bytes omitted by reproscope] …\n`);
    return { data: Buffer.concat([head, marker, tail]), bytes: size, truncated: true, cap };
  } finally {
    fs.closeSync(fd);
  }
}

function readNew(file: string, from: number): Buffer | null {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return null;
  }
  if (size <= from) return null;
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(Math.min(size - from, 1024 * 1024));
    const n = fs.readSync(fd, buf, 0, buf.length, from);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

function tailOf(file: string, chars = 600): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().slice(-chars);
  } catch {
    return '';
  }
}

/** The batch script of one rerun: probe the node, set the rerun's own variables, run the command, write its status. */
function taskScript(job: RunnerJob, files: JobFiles, envDiff: { set: [string, string][]; unset: string[] }): string {
  const q = shellQuote;
  const timeoutS = job.timeoutMs ? Math.max(1, Math.ceil(job.timeoutMs / 1000)) : null;
  const run = [...(timeoutS ? ['timeout', '--kill-after=3', `${timeoutS}s`] : []), ...job.argv].map(q).join(' ');
  return [
    '#!/bin/bash',
    '# reproscope: one audit rerun as a Slurm job (written by the Slurm runner, run on the node)',
    `R=${q(files.root)}`,
    // the node probe runs beside the command, not before it: it is read once the job ends
    '{',
    NODE_PROBE_SH,
    '} >"$R/node.txt" 2>/dev/null &',
    'probe=$!',
    ...envDiff.unset.map((k) => `unset ${k}`),
    ...envDiff.set.map(([k, v]) => `export ${k}=${q(v)}`),
    `cd ${q(job.cwd)} || { echo "reproscope: cannot enter ${job.cwd.replace(/["$`\\]/g, '')} on $(hostname): is the work folder on a filesystem this node sees?" >&2; exit 86; }`,
    'date +%s%3N >"$R/started"',
    `${run} >"$R/stdout" 2>"$R/stderr" </dev/null &`,
    'child=$!',
    // Slurm's stop (scancel, time limit) sends TERM to the script: pass it on, then wait for the real status
    `trap 'kill -TERM "$child" 2>/dev/null' TERM INT`,
    'wait "$child"; code=$?',
    'while kill -0 "$child" 2>/dev/null; do wait "$child"; code=$?; done',
    'date +%s%3N >"$R/ended"',
    'wait "$probe" 2>/dev/null',
    `printf '%s\\n' "$code" >"$R/exit.tmp" && mv "$R/exit.tmp" "$R/exit"`,
    'exit "$code"',
    '',
  ].join('\n');
}

function allocatedOf(f: Record<string, string[]>): string | null {
  const parts = [
    f.slurm_cpus?.[0] ? `cpus=${f.slurm_cpus[0]}` : '',
    f.slurm_mem_mb?.[0] ? `mem=${f.slurm_mem_mb[0]}M` : '',
    f.slurm_gpus?.[0] ? `gpus=${f.slurm_gpus[0]}` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : null;
}

const isEnvName = (k: string): boolean => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k);

/** What each job of a batch sets beyond the batch's common environment (the rerun's own variables). */
function envDiff(base: NodeJS.ProcessEnv, env: NodeJS.ProcessEnv): { set: [string, string][]; unset: string[] } {
  const set: [string, string][] = [];
  const unset: string[] = [];
  for (const [k, v] of Object.entries(env)) if (v !== undefined && base[k] !== v && isEnvName(k)) set.push([k, v]);
  for (const k of Object.keys(base)) if (env[k] === undefined && isEnvName(k)) unset.push(k);
  return { set, unset };
}

const hasTimeOption = (options: string[]): boolean => options.some((o) => /^(--time(=|$)|-t)/.test(o));

/** What Slurm's end state means for a rerun: null when the command ended on its own. */
function slurmFailure(info: SlurmJobInfo | null): string | null {
  if (!info) return null;
  const state = info.state.toUpperCase().replace(/\+$/, '');
  if (state === 'COMPLETED' || state === 'FAILED') return null;
  const what = SLURM_END_STATES[state] ?? state.toLowerCase();
  return `Slurm job ${info.id} ${what} (state ${state}${info.reason ? `, reason ${info.reason}` : ''}${info.node ? `, node ${info.node}` : ''})`;
}

/** sbatch options the runner sets itself for each job; a user's value would break how it follows the job. */
const RUNNER_OWNED =
  /^(--array|-a|--output|-o|--error|-e|--chdir|-D|--wrap|--parsable|--job-name|-J|--export|--input|-i)(=|$)/;

/** Refuses --slurm-option values that are not sbatch options or that the runner must set itself. */
export function validateSlurmOptions(options: readonly string[]): void {
  for (const o of options) {
    if (!o.startsWith('-'))
      throw new ReproError(
        'INVALID_INPUT',
        `--slurm-option ${o} is not an sbatch option`,
        'Give each option with its dashes and value in one word, e.g. --slurm-option=--gres=gpu:1 --slurm-option=--time=02:00:00.',
      );
    if (RUNNER_OWNED.test(o))
      throw new ReproError(
        'INVALID_INPUT',
        `--slurm-option ${o} is set by reproscope for each rerun's job`,
        'Leave out --array, --output, --error, --chdir, --wrap, --job-name and --export; reproscope sets them so it can follow each rerun.',
      );
  }
}

/** A Slurm runner for one audit's plan. */
export function createSlurmRunner(options: SlurmRunnerOptions): Runner {
  validateSlurmOptions(options.options);
  const tracked = new Map<string, Tracked>();
  const batches = new Map<string, { waiting: Waiting[]; timer: NodeJS.Timeout; first: number }>();
  let localHardware: Promise<HardwareState | null> | null = null;
  let ticker: NodeJS.Timeout | null = null;
  let nextPoll = 0;
  let pollMs = POLL_MIN_MS;
  let polling = false;

  const baseArgs = (timeoutMs: number | null): string[] => [
    ...(options.partition ? [`--partition=${options.partition}`] : []),
    // reproscope's own --timeout is enforced by the job script; Slurm's limit is a safety net above it
    ...(timeoutMs && !hasTimeOption(options.options) ? [`--time=${Math.ceil(timeoutMs / 60_000) + 1}`] : []),
    ...options.options,
  ];

  const finish = (t: Tracked, result: Omit<RunnerResult, 'placement'>): void => {
    if (!tracked.delete(t.ticket.id)) return;
    t.detach?.();
    flushOutput(t);
    const rawFacts = (() => {
      try {
        return parseNodeFacts(fs.readFileSync(t.files.node, 'utf8'));
      } catch {
        return null;
      }
    })();
    const node = t.lastInfo?.node ?? rawFacts?.slurm_node?.[0] ?? rawFacts?.host?.[0] ?? t.ticket.node;
    t.ticket = { ...t.ticket, phase: 'ended', node: node ?? null, reason: t.lastInfo?.reason ?? t.ticket.reason };
    t.job.onTicket?.(t.ticket);
    void (localHardware ??= captureHardware()
      .then((h) => h.hardware)
      .catch(() => null)).then((local) => {
      t.resolve({
        ...result,
        placement: {
          runner: 'slurm',
          jobId: t.ticket.id,
          node: node ?? null,
          partition: t.lastInfo?.partition ?? rawFacts?.slurm_partition?.[0] ?? options.partition,
          requested: t.requested,
          allocated: rawFacts ? allocatedOf(rawFacts) : null,
          hardware: rawFacts ? hardwareFromNodeFacts(rawFacts, local) : null,
          facts: rawFacts ? Object.fromEntries(Object.entries(rawFacts).map(([k, v]) => [k, v.join('\n')])) : {},
        },
      });
      idle();
    });
  };

  // the file ticker keeps the process alive: it runs only while a job is followed
  const idle = (): void => {
    if (tracked.size === 0 && ticker) {
      clearInterval(ticker);
      ticker = null;
    }
  };

  const flushOutput = (t: Tracked): void => {
    if (!t.job.onOutput) return;
    for (const stream of ['stdout', 'stderr'] as const) {
      const chunk = readNew(t.files[stream], t.offsets[stream]);
      if (chunk && chunk.length > 0) {
        t.offsets[stream] += chunk.length;
        t.job.onOutput(stream, chunk);
      }
    }
  };

  const collect = (t: Tracked, info: SlurmJobInfo | null): void => {
    const code = readInt(t.files.exit);
    const startedMs = readInt(t.files.started);
    const endedMs = readInt(t.files.ended);
    const failure = slurmFailure(info);
    const noResult = code === null;
    const slurmOut = noResult ? tailOf(t.files.slurmOut) : '';
    finish(t, {
      exitCode: code ?? info?.exitCode ?? null,
      signal: null,
      interrupted: false,
      timedOut: code === 124 && t.job.timeoutMs !== null,
      startedAt: new Date(startedMs ?? Date.parse(t.ticket.submittedAt)),
      endedAt: new Date(endedMs ?? Date.now()),
      pid: null,
      stdout: readCapped(t.files.stdout),
      stderr: readCapped(t.files.stderr),
      failure:
        failure ??
        (noResult
          ? `Slurm job ${t.ticket.id} ended without the rerun's result${info ? ` (state ${info.state}${info.reason ? `, reason ${info.reason}` : ''})` : ' and Slurm no longer knows it'}${slurmOut ? `: ${slurmOut}` : ''}`
          : null),
    });
  };

  const update = (t: Tracked, info: SlurmJobInfo): boolean => {
    t.lastInfo = info;
    const phase = phaseOf(info.state);
    const changed = phase !== t.ticket.phase || (info.node ?? null) !== t.ticket.node;
    if (changed || info.reason !== t.ticket.reason) {
      t.ticket = {
        ...t.ticket,
        phase,
        node: phase === 'queued' ? null : (info.node ?? t.ticket.node),
        partition: info.partition ?? t.ticket.partition,
        reason: info.reason,
      };
      if (phase !== 'ended') t.job.onTicket?.(t.ticket);
    }
    return changed;
  };

  const poll = async (): Promise<void> => {
    polling = true;
    let changed = false;
    try {
      const answer = await queryJobs([...tracked.keys()]);
      for (const t of [...tracked.values()]) {
        const info = answer.get(t.ticket.id) ?? null;
        if (!info) {
          t.missing++;
          if (fs.existsSync(t.files.exit)) collect(t, t.lastInfo);
          else if (t.missing >= 3) collect(t, null);
          continue;
        }
        t.missing = 0;
        if (update(t, info)) changed = true;
        if (phaseOf(info.state) !== 'ended') continue;
        if (fs.existsSync(t.files.exit)) collect(t, info);
        else if (Date.now() - (t.endedSeenAt ??= Date.now()) > RESULT_GRACE_MS) collect(t, info);
        else changed = true;
      }
    } catch {
      // a busy controller: ask again later
    } finally {
      polling = false;
      pollMs = changed ? POLL_MIN_MS : Math.min(POLL_MAX_MS, pollMs * 1.6);
      nextPoll = Date.now() + pollMs;
    }
  };

  const tick = (): void => {
    let urgent = false;
    for (const t of [...tracked.values()]) {
      flushOutput(t);
      if (t.ticket.phase === 'queued' && fs.existsSync(t.files.started)) {
        const facts = (() => {
          try {
            return parseNodeFacts(fs.readFileSync(t.files.node, 'utf8'));
          } catch {
            return {} as Record<string, string[]>;
          }
        })();
        t.ticket = { ...t.ticket, phase: 'running', node: facts.slurm_node?.[0] || facts.host?.[0] || null };
        t.job.onTicket?.(t.ticket);
      }
      if (!fs.existsSync(t.files.exit)) continue;
      // a clean exit needs no word from Slurm; any other might be Slurm's doing (time limit, memory), so ask it first
      if (readInt(t.files.exit) === 0) collect(t, t.lastInfo);
      else if (Date.now() - (t.exitSeenAt ??= Date.now()) > RESULT_GRACE_MS) collect(t, t.lastInfo);
      else urgent = true;
    }
    if (!polling && tracked.size > 0 && (urgent || Date.now() >= nextPoll)) {
      if (urgent) pollMs = POLL_MIN_MS;
      void poll();
    }
  };

  const follow = (t: Tracked): void => {
    tracked.set(t.ticket.id, t);
    const onAbort = (): void => {
      if (!tracked.has(t.ticket.id)) return;
      tracked.delete(t.ticket.id);
      idle();
      void scancel([t.ticket.id])
        .catch(() => undefined)
        .then(() =>
          t.resolve({
            exitCode: null,
            signal: null,
            interrupted: true,
            timedOut: false,
            startedAt: new Date(t.ticket.submittedAt),
            endedAt: new Date(),
            pid: null,
            stdout: readCapped(t.files.stdout),
            stderr: readCapped(t.files.stderr),
            failure: `Slurm job ${t.ticket.id} cancelled by the interruption`,
          }),
        );
    };
    if (t.job.signal.aborted) onAbort();
    else {
      t.job.signal.addEventListener('abort', onAbort, { once: true });
      t.detach = () => t.job.signal.removeEventListener('abort', onAbort);
    }
    nextPoll = 0;
    ticker ??= setInterval(tick, FILE_TICK_MS);
  };

  const submit = async (key: string): Promise<void> => {
    const batch = batches.get(key);
    if (!batch) return;
    batches.delete(key);
    for (const w of batch.waiting) w.detach?.();
    const waiting = batch.waiting.filter((w) => !w.job.signal.aborted);
    if (waiting.length === 0) return;
    const first = waiting[0]!;
    const base = first.env;
    const requested = baseArgs(first.job.timeoutMs);
    const outDir = path.join(path.dirname(first.files.root), '..', '.slurm');
    try {
      fs.mkdirSync(outDir, { recursive: true });
      for (const w of waiting) {
        fs.mkdirSync(w.files.root, { recursive: true });
        fs.writeFileSync(w.files.task, taskScript(w.job, w.files, envDiff(base, w.env)), { mode: 0o755 });
      }
      const name = waiting.length === 1 ? (first.job.name ?? 'reproscope') : (first.job.batch ?? 'reproscope');
      let script = first.files.task;
      const args = [`--job-name=${name}`, `--chdir=${path.resolve(outDir)}`, ...requested];
      if (waiting.length === 1) args.push(`--output=${first.files.slurmOut}`);
      else {
        script = path.join(outDir, `array-${process.pid}-${Date.now()}.sh`);
        const cases = waiting.map(
          (w, i) => `  ${i}) exec bash ${shellQuote(w.files.task)} >>${shellQuote(w.files.slurmOut)} 2>&1 ;;`,
        );
        fs.writeFileSync(
          script,
          [
            '#!/bin/bash',
            '# reproscope: a batch of audit reruns, one array task each',
            'case "$SLURM_ARRAY_TASK_ID" in',
            ...cases,
            '  *) exit 87 ;;',
            'esac',
            '',
          ].join('\n'),
          { mode: 0o755 },
        );
        args.push(`--array=0-${waiting.length - 1}`, `--output=${path.join(path.resolve(outDir), 'slurm-%A_%a.out')}`);
      }
      const submittedAt = new Date().toISOString();
      const id = await sbatch({ script, args, env: base, cwd: path.resolve(outDir) });
      waiting.forEach((w, i) => {
        const ticket: RunnerTicket = {
          runner: 'slurm',
          id: waiting.length === 1 ? id : `${id}_${i}`,
          phase: 'queued',
          node: null,
          partition: options.partition,
          reason: null,
          submittedAt,
        };
        w.job.onTicket?.(ticket);
        follow({
          job: w.job,
          files: w.files,
          ticket,
          requested,
          offsets: { stdout: 0, stderr: 0 },
          missing: 0,
          endedSeenAt: null,
          exitSeenAt: null,
          lastInfo: null,
          resolve: w.resolve,
        });
      });
    } catch (e) {
      for (const w of waiting) w.reject(e);
    }
  };

  return {
    name: 'slurm',
    async check(workDir: string): Promise<string[]> {
      requireSlurmCommands();
      await requireController();
      fs.mkdirSync(workDir, { recursive: true });
      const fsCheck = checkSharedFilesystem(workDir);
      if (fsCheck.shared) return [];
      const here = os.hostname().split('.')[0];
      const nodes = await listNodes(options.partition);
      const where = `${fsCheck.dir} is on a local filesystem (${fsCheck.fsType} at ${fsCheck.mountPoint})`;
      if (nodes.length > 0 && nodes.every((n) => n === here))
        return [`${where}; that works here only because the cluster's one node is this machine`];
      return [
        `${where}, which nodes other than this machine cannot read: give --work-dir on a shared filesystem (NFS, Lustre, GPFS, BeeGFS, CephFS) or the reruns fail on those nodes`,
      ];
    },
    run(job: RunnerJob): Promise<RunnerResult> {
      if (!job.dir) return Promise.reject(new Error('the Slurm runner needs a folder per job'));
      const files = filesOf(job.dir);
      return new Promise<RunnerResult>((resolve, reject) => {
        if (job.ticket && job.ticket.phase !== 'ended') {
          follow({
            job,
            files,
            ticket: job.ticket,
            requested: baseArgs(job.timeoutMs),
            offsets: { stdout: 0, stderr: 0 },
            missing: 0,
            endedSeenAt: null,
            exitSeenAt: null,
            lastInfo: null,
            resolve,
          });
          return;
        }
        // the node facts are named as this machine's capture names them: read it while the job waits in the queue
        localHardware ??= captureHardware()
          .then((h) => h.hardware)
          .catch(() => null);
        const key = job.batch ?? `single-${Math.random()}`;
        const w: Waiting = { job, files, env: job.env, resolve, reject };
        const onAbort = (): void => {
          const b = batches.get(key);
          if (b && b.waiting.includes(w)) {
            b.waiting.splice(b.waiting.indexOf(w), 1);
            const now = new Date();
            resolve({
              exitCode: null,
              signal: null,
              interrupted: true,
              timedOut: false,
              startedAt: now,
              endedAt: now,
              pid: null,
              stdout: readCapped(''),
              stderr: readCapped(''),
            });
          }
        };
        job.signal.addEventListener('abort', onAbort, { once: true });
        w.detach = () => job.signal.removeEventListener('abort', onAbort);
        const b = batches.get(key);
        if (b) {
          b.waiting.push(w);
          clearTimeout(b.timer);
          const wait = Math.max(0, Math.min(BATCH_WINDOW_MS, b.first + BATCH_MAX_WAIT_MS - Date.now()));
          b.timer = setTimeout(() => void submit(key), wait);
        } else {
          batches.set(key, {
            waiting: [w],
            first: Date.now(),
            timer: setTimeout(() => void submit(key), BATCH_WINDOW_MS),
          });
        }
      });
    },
  };
}
