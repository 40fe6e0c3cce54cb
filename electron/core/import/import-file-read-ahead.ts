/** FileReadAhead: a file store's run folders read and parsed on a worker thread, ahead of the import that writes them. */
import { Worker } from 'node:worker_threads';
import type { ExperimentScope } from './import-file-experiment';
import type { RunReadOptions } from './import-file-run';
import type { MlflowReadItem } from './import-mlflow-types';
import { bundledWorker } from '../bundled-worker';
import path from 'node:path';
import { FolderWarmers } from './import-file-warm';

/**
 * Why: reading a run folder (the stamp's listings and stats, every file, meta.yaml and metric parsing)
 * is a third of a file-store import's CPU, and all of it can run beside the writing, on the other core.
 * The worker runs the very readRun the main thread would (the same links-never-followed, O_NOFOLLOW and
 * FIFO rules, the same skips and notes), in the same order, and hands over batches of items: plain data,
 * the metric columns' buffers transferred, not copied.
 *
 * Flow control: the worker posts at most AHEAD batches the import has not taken yet, then waits
 * (Atomics.wait on a shared counter the import bumps as it takes one), so memory stays bounded whatever
 * the store's size. The worker is unref()'d except while the import awaits a batch: a lone CLI import
 * neither exits early (nothing else keeps the event loop alive then) nor hangs on a worker at the end.
 */

/** What the worker is given: the store, the runs to read (per experiment, in order), and what reading needs. */
export interface FileReadAheadData {
  root: string;
  plan: { scope: ExperimentScope; names: string[] }[];
  includeDeleted: boolean;
  fingerprintSalt: string | undefined;
  /** The fingerprints stored with earlier imports of these runs, by run folder name. */
  stored: Map<string, string>;
  /** The fingerprints of those of these runs an earlier import skipped as deleted in MLflow, by run folder name. */
  storedSkips: Map<string, string>;
  /** Int32 slots: [0] batches taken by the import, [1] 1 when the import stopped, [2] runs read (for the folder warmers), [3] the warmers' next run. */
  control: SharedArrayBuffer;
}

/** A message from the worker: a batch of items (in order), the end, or why it stopped. */
export type FileReadAheadMessage = { items: MlflowReadItem[] } | { done: true } | { error: string };

/** Batches posted and not yet taken, at most. */
export const READ_AHEAD_BATCHES = 4;
/** Control slots (the folder warmers' follow: import-file-warm.ts). */
export const TAKEN = 0;
export const STOPPED = 1;
/** Runs read whole from which folder warmers run beside the reader (below, their start costs more than they save). */
const WARM_FROM_RUNS = 500;

const workerFile = (): string | null => bundledWorker('import-file-worker.cjs');

/** The fingerprints stored by earlier imports for the plan's runs, by run folder name (what the worker is given to compare with). */
export function storedFingerprints(
  plan: { names: string[] }[],
  options: Pick<RunReadOptions, 'storedFingerprint' | 'fingerprintSalt'>,
): Map<string, string> {
  return storedBy(plan, options.fingerprintSalt !== undefined ? options.storedFingerprint : undefined);
}

/** The fingerprints stored for the plan's runs an earlier import skipped as deleted, by run folder name. */
export function storedSkipFingerprints(
  plan: { names: string[] }[],
  options: Pick<RunReadOptions, 'storedSkipFingerprint' | 'fingerprintSalt'>,
): Map<string, string> {
  return storedBy(plan, options.fingerprintSalt !== undefined ? options.storedSkipFingerprint : undefined);
}

function storedBy(
  plan: { names: string[] }[],
  lookup: ((name: string) => string | null | undefined) | undefined,
): Map<string, string> {
  const stored = new Map<string, string>();
  if (lookup)
    for (const { names } of plan)
      for (const name of names) {
        const fingerprint = lookup(name);
        if (fingerprint) stored.set(name, fingerprint);
      }
  return stored;
}

/** The items of a file store's runs, one per run name of the plan, in its order, read ahead on a worker thread. */
export class FileReadAhead {
  private readonly worker: Worker;
  private readonly control: Int32Array;
  private readonly batches: MlflowReadItem[][] = [];
  private current: MlflowReadItem[] = [];
  private offset = 0;
  private done = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private readonly warmers: FolderWarmers | null;

  private constructor(file: string, data: Omit<FileReadAheadData, 'control'>) {
    const control = new SharedArrayBuffer(16);
    this.control = new Int32Array(control);
    this.worker = new Worker(file, { workerData: { ...data, control } satisfies FileReadAheadData });
    // Runs the reader reads whole (a stored fingerprint may let it pass over the others by their stats alone).
    const dirs = data.plan.flatMap(({ scope, names }) =>
      names.map((n) => (data.stored.has(n) || data.storedSkips.has(n) ? '' : path.join(scope.exp.dir, n))),
    );
    this.warmers =
      dirs.filter((d) => d !== '').length >= WARM_FROM_RUNS ? FolderWarmers.start(dirs, control, STOPPED) : null;
    this.worker.on('message', (msg: FileReadAheadMessage) => {
      if ('items' in msg) this.batches.push(msg.items);
      else if ('done' in msg) this.done = true;
      else this.failure ??= new Error(msg.error);
      this.notify();
    });
    this.worker.on('error', (e) => {
      this.failure ??= e;
      this.notify();
    });
    this.worker.on('exit', () => {
      if (!this.done) this.failure ??= new Error('the read-ahead worker stopped');
      this.notify();
    });
    this.worker.unref();
  }

  /**
   * Starts reading the plan's runs on a worker, given the fingerprints stored for them (storedFingerprints);
   * null where no worker bundle was built (the caller reads them itself).
   */
  static start(
    root: string,
    plan: { scope: ExperimentScope; names: string[] }[],
    {
      options,
      stored,
      storedSkips = new Map(),
    }: { options: RunReadOptions; stored: Map<string, string>; storedSkips?: Map<string, string> },
  ): FileReadAhead | null {
    const file = workerFile();
    if (file === null) return null;
    return new FileReadAhead(file, {
      root,
      plan,
      includeDeleted: options.includeDeleted,
      fingerprintSalt: options.fingerprintSalt,
      stored,
      storedSkips,
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** The item of the next run of the plan; rejects when the worker failed (the caller may read the rest itself). */
  async next(): Promise<MlflowReadItem> {
    while (this.offset >= this.current.length) {
      const batch = this.batches.shift();
      if (batch) {
        this.current = batch;
        this.offset = 0;
        // One more batch may come: the worker waits on this counter.
        Atomics.add(this.control, TAKEN, 1);
        Atomics.notify(this.control, TAKEN);
        continue;
      }
      if (this.failure) throw this.failure;
      if (this.done) throw new Error('the read-ahead worker has no run left');
      // Referenced only while a batch is awaited: otherwise a process with nothing else to do exits mid-import.
      this.worker.ref();
      try {
        await new Promise<void>((resolve) => (this.wake = resolve));
      } finally {
        this.worker.unref();
      }
    }
    return this.current[this.offset++]!;
  }

  /** Stops the worker (it may be waiting for the import to take a batch). */
  close(): void {
    Atomics.store(this.control, STOPPED, 1);
    Atomics.notify(this.control, TAKEN);
    void this.worker.terminate();
    this.warmers?.close();
  }
}
