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
parentPort.on('message', ({ id, path }) => {
  try {
    const hash = createHash('sha256');
    const fd = fs.openSync(path, 'r');
    let bytes = 0;
    try {
      for (;;) {
        const n = fs.readSync(fd, buffer, 0, buffer.length, null);
        if (n === 0) break;
        bytes += n;
        hash.update(n === buffer.length ? buffer : buffer.subarray(0, n));
      }
    } finally { fs.closeSync(fd); }
    parentPort.postMessage({ id, sha256: hash.digest('hex'), bytes });
  } catch (e) {
    parentPort.postMessage({ id, error: e.message, code: e.code });
  }
});
`;

interface Pending {
  resolve: (sha: string) => void;
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
    worker.on('message', (msg: { id: number; sha256?: string; error?: string; code?: string }) => {
      slot.busy--;
      if (slot.busy === 0) worker.unref();
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (!p) return;
      if (msg.sha256) p.resolve(msg.sha256);
      else p.reject(Object.assign(new Error(msg.error ?? 'hash failed'), { code: msg.code }));
    });
    worker.on('error', (e) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    });
    worker.unref();
    return slot;
  }

  /** Hashes one file on the least busy worker. */
  hash(filePath: string): Promise<string> {
    if (this.workers.length < this.size && this.workers.every((w) => w.busy > 0)) this.workers.push(this.spawn());
    const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    slot.busy++;
    slot.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, path: filePath });
    });
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.workers = [];
  }
}
