// HashPool: SHA-256 of files on worker threads; a folder's files are claimed one at a time by whichever worker is free.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';

/** Bytes read per call: large reads keep the SHA-256 core busy and the syscall count low. */
const CHUNK = 4 * 1024 * 1024;

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

// The worker is evaluated from source text so that it runs the same whether reproscope is
// bundled (dist/) or run from TypeScript sources in tests.
//
// A job is a list of files every worker holds a copy of (sent in chunks while the folder is still being listed) and
// one shared counter: a worker takes the next file with Atomics.add, so no worker idles while another has a queue,
// whatever the mix of sizes and whatever else the cores are running. Results go back in batches: 32-byte digests,
// sizes and indices in typed arrays that are transferred, not copied.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const fs = require('node:fs');
const CHUNK = ${CHUNK};
const buffer = Buffer.allocUnsafe(CHUNK);
const oneShot = typeof crypto.hash === 'function' ? crypto.hash : null;
// O_NONBLOCK: a file swapped for a FIFO after the listing cannot block the worker (regular files ignore it)
const FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK || 0);
const FLUSH_FILES = 128;
const FLUSH_BYTES = 16 * 1024 * 1024;
const scratch = new Uint8Array(32);
function hashInto(path, out, at) {
  const fd = fs.openSync(path, FLAGS);
  try {
    let n = fs.readSync(fd, buffer, 0, CHUNK, null);
    // a regular file reads short only at its end: a file smaller than the buffer is one read and one hash call
    if (n > 0 && n < CHUNK) {
      const data = buffer.subarray(0, n);
      out.set(oneShot ? oneShot('sha256', data, 'buffer') : crypto.createHash('sha256').update(data).digest(), at);
      return n;
    }
    // empty, or a buffer long: only then is a stat worth its cost (a device swapped in would never end)
    if (!fs.fstatSync(fd).isFile()) throw Object.assign(new Error('it is no longer a regular file'), { code: 'ENOTREG' });
    const hash = crypto.createHash('sha256');
    let size = 0;
    while (n > 0) {
      hash.update(n === CHUNK ? buffer : buffer.subarray(0, n));
      size += n;
      n = fs.readSync(fd, buffer, 0, CHUNK, null);
    }
    out.set(hash.digest(), at);
    return size;
  } finally { fs.closeSync(fd); }
}
const jobs = new Map();
function run(job) {
  let count = 0, bytes = 0, idx = null, sizes = null, digests = null, errors = [];
  const flush = () => {
    if (count === 0 && errors.length === 0) return;
    const transfer = count > 0 ? [idx.buffer, sizes.buffer, digests.buffer] : [];
    parentPort.postMessage({ job: job.id, count, idx, sizes, digests, errors }, transfer);
    count = 0; bytes = 0; idx = null; sizes = null; digests = null; errors = [];
  };
  for (;;) {
    if (job.claimed < 0) job.claimed = Atomics.add(job.next, 0, 1);
    const i = job.claimed;
    if (i >= job.paths.length) {
      // past the end: this worker is done with the job; not yet listed: wait for the next chunk, holding the claim
      if (job.total >= 0 && i >= job.total) jobs.delete(job.id);
      break;
    }
    job.claimed = -1;
    if (digests === null) {
      idx = new Int32Array(FLUSH_FILES);
      sizes = new Float64Array(FLUSH_FILES);
      digests = new Uint8Array(32 * FLUSH_FILES);
    }
    try {
      const n = hashInto(job.paths[i], digests, 32 * count);
      idx[count] = i;
      sizes[count] = n;
      count++;
      bytes += n;
    } catch (e) {
      errors.push({ i, message: e.message, code: e.code });
    }
    if (count === FLUSH_FILES || bytes >= FLUSH_BYTES) flush();
  }
  flush();
}
parentPort.on('message', (m) => {
  if (m.job === undefined) {
    try {
      hashInto(m.path, scratch, 0);
      parentPort.postMessage({ id: m.id, sha256: Buffer.from(scratch).toString('hex') });
    } catch (e) {
      parentPort.postMessage({ id: m.id, error: e.message, code: e.code });
    }
    return;
  }
  let job = jobs.get(m.job);
  if (m.claim) jobs.set(m.job, (job = { id: m.job, next: new Int32Array(m.claim), paths: [], total: -1, claimed: -1 }));
  if (!job) return;
  if (m.paths) for (const p of m.paths) job.paths.push(p);
  if (m.total !== undefined) job.total = m.total;
  run(job);
});
`;

/** Where a job's results go, each with the index its file was added under. */
export interface HashJobSink {
  hashed(index: number, sha256: string, size: number): void;
  failed(index: number, error: Error & { code?: string }): void;
}

interface JobResults {
  job: number;
  count: number;
  idx: Int32Array | null;
  sizes: Float64Array | null;
  digests: Uint8Array | null;
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
    worker.postMessage({ job: this.id, claim: this.claim });
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
        for (let k = 0; k < msg.count; k++)
          this.sink.hashed(msg.idx![k]!, digests.toString('hex', 32 * k, 32 * k + 32), msg.sizes![k]!);
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
