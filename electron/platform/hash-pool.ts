// HashPool: SHA-256 of files on worker threads; a folder's files are claimed one at a time by whichever worker is free.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FileIdentity } from '../db/hash-cache-repository';
import { HASH_CHUNK as CHUNK, HASH_WORKER_SOURCE as WORKER_SOURCE } from './hash-worker-source';

// O_NONBLOCK: a file swapped for a FIFO after the listing cannot block the read (regular files ignore it)
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

/** Hashes a file synchronously with a reused buffer; the worker runs the same loop and the same checks. */
export function sha256FileSync(filePath: string, buffer: Buffer = Buffer.allocUnsafe(CHUNK)): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(filePath, OPEN_FLAGS);
  try {
    let n = fs.readSync(fd, buffer, 0, buffer.length, null);
    // empty, or a buffer long: only then is a stat worth its cost (a device swapped in would never end)
    if ((n === 0 || n === buffer.length) && !fs.fstatSync(fd).isFile())
      throw Object.assign(new Error('it is no longer a regular file'), { code: 'ENOTREG' });
    while (n > 0) {
      hash.update(n === buffer.length ? buffer : buffer.subarray(0, n));
      n = fs.readSync(fd, buffer, 0, buffer.length, null);
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** Where a job's results go, each with the index its file was added under. */
export interface HashJobSink {
  /** Each file's identity is wanted: the worker fstats the file it opened, before reading it, and sends it back. */
  readonly withStat?: boolean;
  /** `size` is the bytes read and hashed; `stat` is the opened file's identity, where the job was asked for it. */
  hashed(index: number, sha256: string, size: number, stat?: FileStat): void;
  failed(index: number, error: Error & { code?: string }): void;
}

/** What the worker's fstat said of a file it opened, before reading it: its cache identity. */
export type FileStat = FileIdentity;

interface JobResults {
  job: number;
  count: number;
  idx: Int32Array | null;
  sizes: Float64Array | null;
  digests: Uint8Array | null;
  /** Per file: dev, ino, mtimeNs, ctimeNs at 4k (dev and ino unsigned), and the stat's size at k. */
  ids: { stamps: BigInt64Array; sizes: Float64Array } | null;
  errors: { i: number; message: string; code?: string }[];
}

/** The first chunk of a job's paths is small so the workers start at once; later ones are larger, so fewer messages. */
const FIRST_CHUNK = 8;
const MAX_CHUNK = 256;
/** A job takes one more worker of the pool per this many files, so a small folder does not start every core's. */
const FILES_PER_WORKER = 8;

/** What a job needs of its pool: another worker to share it (null when it has them all), and a call when it is over. */
interface JobHost {
  attach: () => Worker | null;
  settled: () => void;
}

/**
 * Files hashed by the workers of the pool together: add them as they are found, then end() and await it.
 * Each worker takes the next file when it is free, so the cores stay busy to the last file.
 */
export class HashJob {
  /** The job's id in the workers' messages. */
  readonly id: number;
  private readonly claim = new SharedArrayBuffer(4);
  private readonly workers: Worker[] = [];
  private full = false;
  // every path sent so far, for a worker that joins later (its list must hold the same files at the same indices)
  private readonly sent: string[] = [];
  private added = 0;
  private received = 0;
  private total = -1;
  private chunk: string[] = [];
  private chunkSize = FIRST_CHUNK;
  private over = false;
  private settle!: { resolve: () => void; reject: (e: Error) => void };
  private readonly finished: Promise<void>;

  /** @internal created by HashPool.job */
  constructor(
    id: number,
    private readonly sink: HashJobSink,
    private readonly host: JobHost,
  ) {
    this.id = id;
    this.finished = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject })).finally(() => {
      this.over = true;
      host.settled();
    });
    // a failed job is reported by end(); until then nothing may count as unhandled
    this.finished.catch(() => undefined);
    this.attachOne();
  }

  private attachOne(): void {
    const worker = this.full ? null : this.host.attach();
    if (!worker) {
      this.full = true;
      return;
    }
    worker.postMessage({ job: this.id, claim: this.claim, identify: this.sink.withStat === true });
    if (this.sent.length > 0) worker.postMessage({ job: this.id, paths: this.sent });
    this.workers.push(worker);
  }

  private post(message: object): void {
    for (const w of this.workers) w.postMessage(message);
  }

  /** Queues a file; its results come back under the returned index (0, 1, 2… in the order added). */
  add(filePath: string): number {
    this.chunk.push(filePath);
    if (this.added > 0 && this.added % FILES_PER_WORKER === 0) this.attachOne();
    if (this.chunk.length >= this.chunkSize) this.flush();
    return this.added++;
  }

  private flush(): void {
    if (this.chunk.length === 0) return;
    this.post({ job: this.id, paths: this.chunk });
    for (const p of this.chunk) this.sent.push(p);
    this.chunk = [];
    this.chunkSize = Math.min(MAX_CHUNK, this.chunkSize * 2);
  }

  /** No more files: resolves once every file added has been hashed or has failed (each reported to the sink). */
  end(): Promise<void> {
    if (this.total < 0) {
      this.flush();
      this.total = this.added;
      this.post({ job: this.id, total: this.total });
      this.check();
    }
    return this.finished;
  }

  /** @internal a batch of results from a worker */
  receive(msg: JobResults): void {
    if (this.over) return;
    try {
      if (msg.count > 0) {
        const digests = Buffer.from(msg.digests!.buffer, msg.digests!.byteOffset, msg.digests!.byteLength);
        const ids = msg.ids;
        for (let k = 0; k < msg.count; k++)
          this.sink.hashed(
            msg.idx![k]!,
            digests.toString('hex', 32 * k, 32 * k + 32),
            msg.sizes![k]!,
            ids ? statAt(ids, k) : undefined,
          );
      }
      for (const e of msg.errors) this.sink.failed(e.i, Object.assign(new Error(e.message), { code: e.code }));
    } catch (e) {
      // the sink's own failure (say, the cache's write) fails the job, not the worker's message handler
      this.abort(e as Error);
      return;
    }
    this.received += msg.count + msg.errors.length;
    this.check();
  }

  /** @internal the pool failed or closed under the job */
  abort(e: Error): void {
    this.settle.reject(e);
  }

  private check(): void {
    if (this.total >= 0 && this.received >= this.total) this.settle.resolve();
  }
}

function statAt(ids: { stamps: BigInt64Array; sizes: Float64Array }, k: number): FileStat {
  return {
    dev: String(BigInt.asUintN(64, ids.stamps[4 * k]!)),
    ino: String(BigInt.asUintN(64, ids.stamps[4 * k + 1]!)),
    size: ids.sizes[k]!,
    mtimeNs: String(ids.stamps[4 * k + 2]),
    ctimeNs: String(ids.stamps[4 * k + 3]),
  };
}

interface Pending {
  resolve: (value: string) => void;
  reject: (e: Error) => void;
}

/** A pool of worker threads that hash files in parallel: single files one per message, or jobs shared by all. */
export class HashPool {
  private readonly size: number;
  private workers: { worker: Worker; busy: number }[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly jobs = new Map<number, HashJob>();
  private nextId = 0;

  constructor(size: number = os.availableParallelism()) {
    this.size = Math.max(1, size);
  }

  private spawn(): { worker: Worker; busy: number } {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    const slot = { worker, busy: 0 };
    worker.on('message', (msg: { id: number; sha256?: string; error?: string; code?: string } | JobResults) => {
      if ('job' in msg) {
        this.jobs.get(msg.job)?.receive(msg);
        return;
      }
      this.release(slot);
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (!p) return;
      if (msg.sha256) p.resolve(msg.sha256);
      else p.reject(Object.assign(new Error(msg.error ?? 'hash failed'), { code: msg.code }));
    });
    worker.on('error', (e) => {
      // a dead worker takes no more work: what it held fails, and later hashes start a fresh one
      this.workers = this.workers.filter((w) => w !== slot);
      this.fail(e);
    });
    worker.unref();
    return slot;
  }

  // a worker with nothing to do must not keep the process alive
  private hold(slot: { worker: Worker; busy: number }): void {
    if (slot.busy++ === 0) slot.worker.ref();
  }

  private release(slot: { worker: Worker; busy: number }): void {
    if (--slot.busy === 0) slot.worker.unref();
  }

  private fail(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    for (const j of this.jobs.values()) j.abort(e);
    this.jobs.clear();
  }

  /** Hashes one file on the least busy worker. */
  hash(filePath: string): Promise<string> {
    if (this.workers.length < this.size && this.workers.every((w) => w.busy > 0)) this.workers.push(this.spawn());
    const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    this.hold(slot);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, path: filePath });
    });
  }

  /** Starts a job; it takes the pool's workers as it grows. Results go to the sink as they come. */
  job(sink: HashJobSink): HashJob {
    const id = this.nextId++;
    const held: { worker: Worker; busy: number }[] = [];
    const job = new HashJob(id, sink, {
      attach: () => {
        if (held.length >= this.size) return null;
        let slot = this.workers.find((w) => !held.includes(w));
        if (!slot) this.workers.push((slot = this.spawn()));
        this.hold(slot);
        held.push(slot);
        return slot.worker;
      },
      settled: () => {
        this.jobs.delete(id);
        for (const s of held) this.release(s);
      },
    });
    this.jobs.set(id, job);
    return job;
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.workers = [];
    // a hash still waiting would otherwise never settle, and whoever awaits it would hang
    this.fail(new Error('the hash pool was closed'));
  }
}
