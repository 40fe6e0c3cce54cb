// HashPool: SHA-256 of files on worker threads, small files in batches, large ones read in big chunks.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';

/** Bytes read per call: large reads keep the SHA-256 core busy and the syscall count low. */
const CHUNK = 4 * 1024 * 1024;

/** Hashes a file synchronously with a reused buffer; the worker runs the same loop. */
export function sha256FileSync(filePath: string, buffer: Buffer = Buffer.allocUnsafe(CHUNK)): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(filePath, 'r');
  try {
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      hash.update(n === buffer.length ? buffer : buffer.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

// The worker is evaluated from source text so that it runs the same whether reproscope is
// bundled (dist/) or run from TypeScript sources in tests.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const buffer = Buffer.allocUnsafe(${CHUNK});
const oneShot = typeof require('node:crypto').hash === 'function' ? require('node:crypto').hash : null;
function hashOne(path) {
  const fd = fs.openSync(path, 'r');
  try {
    let n = fs.readSync(fd, buffer, 0, buffer.length, null);
    // a regular file reads short only at its end: a file smaller than the buffer is one read and one hash call
    if (n < buffer.length) {
      const data = buffer.subarray(0, n);
      return oneShot ? oneShot('sha256', data) : createHash('sha256').update(data).digest('hex');
    }
    const hash = createHash('sha256');
    while (n > 0) {
      hash.update(n === buffer.length ? buffer : buffer.subarray(0, n));
      n = fs.readSync(fd, buffer, 0, buffer.length, null);
    }
    return hash.digest('hex');
  } finally { fs.closeSync(fd); }
}
parentPort.on('message', ({ id, path, paths }) => {
  if (paths) {
    const results = paths.map((p) => {
      try { return { sha256: hashOne(p) }; } catch (e) { return { error: e.message, code: e.code }; }
    });
    parentPort.postMessage({ id, results });
    return;
  }
  try {
    parentPort.postMessage({ id, sha256: hashOne(path) });
  } catch (e) {
    parentPort.postMessage({ id, error: e.message, code: e.code });
  }
});
`;

/** One file's hash from a batch, or why it could not be read. */
export type BatchResult = { sha256: string } | { error: string; code?: string };

interface Pending {
  resolve: (value: string | BatchResult[]) => void;
  reject: (e: Error) => void;
}

/** A pool of worker threads that hash files in parallel, one file per worker at a time. */
export class HashPool {
  private readonly size: number;
  private workers: { worker: Worker; busy: number }[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(size: number = os.availableParallelism()) {
    this.size = Math.max(1, size);
  }

  private spawn(): { worker: Worker; busy: number } {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    const slot = { worker, busy: 0 };
    worker.on(
      'message',
      (msg: { id: number; sha256?: string; results?: BatchResult[]; error?: string; code?: string }) => {
        slot.busy--;
        if (slot.busy === 0) worker.unref();
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (!p) return;
        if (msg.results) p.resolve(msg.results);
        else if (msg.sha256) p.resolve(msg.sha256);
        else p.reject(Object.assign(new Error(msg.error ?? 'hash failed'), { code: msg.code }));
      },
    );
    worker.on('error', (e) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    });
    worker.unref();
    return slot;
  }

  /** Hashes one file on the least busy worker. */
  hash(filePath: string): Promise<string> {
    return this.post({ path: filePath }) as Promise<string>;
  }

  /**
   * Hashes a batch of (small) files on one worker, in order: a message per file would cost more
   * than hashing it, and the main thread would otherwise hash them alone on one core.
   */
  hashBatch(filePaths: readonly string[]): Promise<BatchResult[]> {
    return this.post({ paths: filePaths }) as Promise<BatchResult[]>;
  }

  private post(message: { path: string } | { paths: readonly string[] }): Promise<string | BatchResult[]> {
    if (this.workers.length < this.size && this.workers.every((w) => w.busy > 0)) this.workers.push(this.spawn());
    const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    slot.busy++;
    slot.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, ...message });
    });
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.workers = [];
    // a hash still waiting would otherwise never settle, and whoever awaits it would hang
    for (const p of this.pending.values()) p.reject(new Error('the hash pool was closed'));
    this.pending.clear();
  }
}
