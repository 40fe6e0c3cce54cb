/** The Slurm backend of `Runner`: reruns become sbatch jobs (one job array per batch) that slurm-tracker.ts follows to their end. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  checkSharedFilesystem,
  listNodes,
  nodeUsable,
  requireController,
  requireSlurmCommands,
  sbatch,
  type SlurmNode,
} from '../../platform/slurm';
import type { Runner, RunnerJob, RunnerResult, RunnerTicket } from './runner';
import { filesOf, type JobFiles } from './slurm-job-files';
import { arrayScript, envDiff, taskScript } from './slurm-job-script';
import { requestedArgs, validateSlurmOptions, type SlurmRunnerOptions } from './slurm-options';
import { interruptedResult, SlurmJobTracker } from './slurm-tracker';

export { validateSlurmOptions, type SlurmRunnerOptions } from './slurm-options';

/** How long submissions wait for others of the same batch (the campaign's workers prepare reruns one after another). */
const BATCH_WINDOW_MS = 100;
const BATCH_MAX_WAIT_MS = 500;

interface Waiting {
  job: RunnerJob;
  /** The node it is pinned to (`--vary node`), or null for wherever Slurm places it. */
  node: string | null;
  detach?: () => void;
  files: JobFiles;
  resolve: (r: RunnerResult) => void;
  reject: (e: unknown) => void;
}

interface Batch {
  waiting: Waiting[];
  timer: NodeJS.Timeout;
  first: number;
}

/** Whether a node's slurmd runs on this machine (several nodes may: the local test cluster runs three). */
function onThisMachine(n: SlurmNode): boolean {
  const here = os.hostname().split('.')[0];
  if (n.name === here || n.hostname === here || n.address === here || n.address === 'localhost') return true;
  if (/^127\./.test(n.address) || n.address === '::1') return true;
  return Object.values(os.networkInterfaces()).some((list) => (list ?? []).some((a) => a.address === n.address));
}

/** The shared-filesystem warning for a work folder, or none when it is on a cluster filesystem. */
async function sharedFsWarnings(workDir: string, partition: string | null): Promise<string[]> {
  const fsCheck = checkSharedFilesystem(workDir);
  if (fsCheck.shared) return [];
  const nodes = await listNodes(partition);
  const where = `${fsCheck.dir} is on a local filesystem (${fsCheck.fsType} at ${fsCheck.mountPoint})`;
  if (nodes.length === 1 && onThisMachine(nodes[0]!))
    return [`${where}; that works here only because the cluster's one node is this machine`];
  if (nodes.length > 1 && nodes.every(onThisMachine))
    return [`${where}; that works here only because every node of the partition runs on this machine`];
  return [
    `${where}, which nodes other than this machine cannot read: give --work-dir on a shared filesystem (NFS, Lustre, GPFS, BeeGFS, CephFS) or the reruns fail on those nodes`,
  ];
}

/** A Slurm runner for one audit's plan. */
export function createSlurmRunner(options: SlurmRunnerOptions): Runner {
  validateSlurmOptions(options.options);
  const tracker = new SlurmJobTracker(options.partition);
  const batches = new Map<string, Batch>();
  let nodes: Promise<string[]> | null = null;
  /** The partition's usable nodes, read once per runner, so the same index means the same node all audit long. */
  const usableNodes = (): Promise<string[]> =>
    (nodes ??= listNodes(options.partition)
      .then((all) => all.filter(nodeUsable).map((n) => n.name))
      .catch(() => []));

  /** Writes the batch's scripts and submits them as one job (one rerun) or one job array (several). */
  const submit = async (key: string): Promise<void> => {
    const batch = batches.get(key);
    if (!batch) return;
    batches.delete(key);
    for (const w of batch.waiting) w.detach?.();
    const waiting = batch.waiting.filter((w) => !w.job.signal.aborted);
    for (const w of batch.waiting) if (w.job.signal.aborted) w.resolve(interruptedResult(null, new Date()));
    if (waiting.length === 0) return;
    const first = waiting[0]!;
    const base = first.job.env;
    const requested = [
      ...requestedArgs(options, first.job.timeoutMs),
      ...(first.node ? [`--nodelist=${first.node}`] : []),
    ];
    const outDir = path.resolve(path.join(path.dirname(first.files.root), '..', '.slurm'));
    try {
      fs.mkdirSync(outDir, { recursive: true });
      for (const w of waiting) {
        fs.mkdirSync(w.files.root, { recursive: true });
        fs.writeFileSync(w.files.task, taskScript(w.job, w.files, envDiff(base, w.job.env)), { mode: 0o755 });
        if (w.job.probe?.stdin !== undefined) fs.writeFileSync(w.files.probeIn, w.job.probe.stdin);
      }
      const name = waiting.length === 1 ? (first.job.name ?? 'reproscope') : (first.job.batch ?? 'reproscope');
      let script = first.files.task;
      const args = [`--job-name=${name}`, `--chdir=${outDir}`, ...requested];
      if (waiting.length === 1) args.push(`--output=${first.files.slurmOut}`);
      else {
        script = path.join(outDir, `array-${process.pid}-${Date.now()}.sh`);
        fs.writeFileSync(script, arrayScript(waiting.map((w) => w.files)), { mode: 0o755 });
        args.push(`--array=0-${waiting.length - 1}`, `--output=${path.join(outDir, 'slurm-%A_%a.out')}`);
      }
      const submittedAt = new Date().toISOString();
      const id = await sbatch({ script, args, env: base, cwd: outDir });
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
        tracker.follow({ job: w.job, files: w.files, ticket, requested, resolve: w.resolve });
      });
    } catch (e) {
      for (const w of waiting) w.reject(e);
    }
  };

  /** Queues a job for its batch: submitted once the batch has been quiet for a moment, or has waited long enough. */
  const enqueue = (w: Waiting): void => {
    // a job array's tasks share their options, so jobs pinned to different nodes go out as different batches
    const key = `${w.job.batch ?? `single-${Math.random()}`}${w.node ? `@${w.node}` : ''}`;
    const onAbort = (): void => {
      const b = batches.get(key);
      if (!b || !b.waiting.includes(w)) return;
      b.waiting.splice(b.waiting.indexOf(w), 1);
      w.resolve(interruptedResult(null, new Date()));
    };
    w.job.signal.addEventListener('abort', onAbort, { once: true });
    w.detach = () => w.job.signal.removeEventListener('abort', onAbort);
    const b = batches.get(key);
    if (b) {
      b.waiting.push(w);
      clearTimeout(b.timer);
      const wait = Math.max(0, Math.min(BATCH_WINDOW_MS, b.first + BATCH_MAX_WAIT_MS - Date.now()));
      b.timer = setTimeout(() => void submit(key), wait);
    } else {
      batches.set(key, { waiting: [w], first: Date.now(), timer: setTimeout(() => void submit(key), BATCH_WINDOW_MS) });
    }
  };

  return {
    name: 'slurm',
    probesWhereJobsRun: true,
    async check(workDir: string): Promise<string[]> {
      requireSlurmCommands();
      await requireController();
      fs.mkdirSync(workDir, { recursive: true });
      const warnings = await sharedFsWarnings(workDir, options.partition);
      if (options.spread) {
        const usable = await usableNodes();
        const where = options.partition ? `partition ${options.partition}` : 'the default partition';
        if (usable.length < 2)
          warnings.push(
            `--vary node: ${where} has ${usable.length === 1 ? `one usable node (${usable[0]})` : 'no usable node'}, so the vary:node group cannot spread; give --slurm-partition a partition with several nodes`,
          );
      }
      return warnings;
    },
    run(job: RunnerJob): Promise<RunnerResult> {
      if (!job.dir) return Promise.reject(new Error('the Slurm runner needs a folder per job'));
      const files = filesOf(job.dir);
      return new Promise<RunnerResult>((resolve, reject) => {
        if (job.ticket && job.ticket.phase !== 'ended') {
          const requested = requestedArgs(options, job.timeoutMs);
          tracker.follow({ job, files, ticket: job.ticket, requested, resolve });
          return;
        }
        // stopped before it was handed over: never submit it (an aborted signal fires no more abort events)
        if (job.signal.aborted) {
          resolve(interruptedResult(null, new Date()));
          return;
        }
        void tracker.warmUp();
        if (!options.spread || job.nodeIndex === undefined) {
          enqueue({ job, files, resolve, reject, node: null });
          return;
        }
        void usableNodes().then((usable) => {
          if (job.signal.aborted) return resolve(interruptedResult(null, new Date()));
          const node = usable.length > 0 ? usable[job.nodeIndex! % usable.length]! : null;
          enqueue({ job, files, resolve, reject, node });
        });
      });
    },
  };
}
