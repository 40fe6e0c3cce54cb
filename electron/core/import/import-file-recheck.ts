/** FileRecheck: a file store's fingerprinted runs re-checked (lstat and one hash a run) on a small worker thread, beside the import. */
import { Worker } from 'node:worker_threads';
import { fingerprintScope, type FingerprintScope } from './import-file-fingerprint';
import type { ExperimentScope } from './import-file-experiment';
import type { RunReadOptions } from './import-file-run';
import { bundledWorker } from '../bundled-worker';

/**
 * Why: a re-import of a mostly unchanged store is ~14 lstats a run and nothing else; this thread re-checks the
 * first part of the runs while the worker re-checks the rest. The worker is its own small bundle (the
 * fingerprint code alone, no parser or schema library), so it starts in about the time of a bare worker, and
 * it sends one byte a run back: 1 where the run is as stored. A run it calls changed (or that it could not
 * say, a failed worker) is read on this thread as before, which re-checks it again first.
 */

/** The runs of one experiment folder to re-check, with the fingerprint stored for each (null: none, read it). */
export interface RecheckJob {
  dir: string;
  scope: FingerprintScope;
  names: string[];
  stored: (string | null)[];
}

/**
 * The re-check jobs of a plan's runs, given the fingerprints stored for them (by run folder name): runs in an
 * experiment with logged models, or without a stored fingerprint, get none (readRun reads them).
 */
export function recheckJobs(
  plan: { scope: ExperimentScope; names: string[] }[],
  stored: Map<string, string>,
  options: Pick<RunReadOptions, 'fingerprintSalt' | 'includeDeleted'>,
): RecheckJob[] {
  const salt = options.fingerprintSalt;
  return plan.map(({ scope: { exp, datasets, models }, names }) => {
    const usable = salt !== undefined && models.size === 0;
    return {
      dir: exp.dir,
      scope: usable
        ? fingerprintScope({ fingerprintSalt: salt, includeDeleted: options.includeDeleted }, { exp, datasets })
        : { key: '', salt: '', context: '' },
      names,
      stored: names.map((n) => (usable ? (stored.get(n) ?? null) : null)),
    };
  });
}

/** A message from the worker: the verdicts of runs `from` on, in order, or why it stopped. */
export type RecheckMessage = { from: number; unchanged: Uint8Array } | { error: string };

const workerFile = (): string | null => bundledWorker('import-file-recheck-worker.cjs');

/** The verdicts of a list of runs (the jobs' runs in order), re-checked on a worker thread. */
export class FileRecheck {
  private readonly worker: Worker;
  private readonly verdicts: Uint8Array;
  private known = 0;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;

  private constructor(file: string, jobs: RecheckJob[]) {
    this.verdicts = new Uint8Array(jobs.reduce((n, j) => n + j.names.length, 0));
    this.worker = new Worker(file, { workerData: { jobs } });
    this.worker.on('message', (msg: RecheckMessage) => {
      if ('unchanged' in msg) {
        this.verdicts.set(msg.unchanged, msg.from);
        this.known = msg.from + msg.unchanged.length;
      } else this.failure ??= new Error(msg.error);
      this.notify();
    });
    this.worker.on('error', (e) => {
      this.failure ??= e;
      this.notify();
    });
    this.worker.on('exit', () => {
      if (this.known < this.verdicts.length) this.failure ??= new Error('the re-check worker stopped');
      this.notify();
    });
    this.worker.unref();
  }

  /** Starts re-checking the jobs' runs on a worker; null where no worker bundle was built (the caller checks them itself). */
  static start(jobs: RecheckJob[]): FileRecheck | null {
    const file = workerFile();
    return file === null ? null : new FileRecheck(file, jobs);
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Whether the `index`-th run is as stored, where the worker has said so already (no promise per run then). */
  verdict(index: number): boolean | undefined {
    return index < this.known ? this.verdicts[index] === 1 : undefined;
  }

  /** Whether the `index`-th run is as stored; rejects when the worker failed (the caller reads the rest itself). */
  async unchanged(index: number): Promise<boolean> {
    while (index >= this.known) {
      if (this.failure) throw this.failure;
      // Referenced only while a verdict is awaited: otherwise a process with nothing else to do exits mid-import.
      this.worker.ref();
      try {
        await new Promise<void>((resolve) => (this.wake = resolve));
      } finally {
        this.worker.unref();
      }
    }
    return this.verdicts[index] === 1;
  }

  /** Stops the worker. */
  close(): void {
    void this.worker.terminate();
  }
}
