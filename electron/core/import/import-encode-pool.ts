import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Snapshot } from '../../../shared/snapshot/snapshot';

/**
 * Encodes and compresses imported snapshots on worker threads, so that the thread reading the
 * MLflow store does not also spend its time writing and compressing metric histories (most of a
 * snapshot's text). A history travels as numbers in a transferred buffer, not as cloned objects.
 */

// Evaluated from source text, as the hash pool's worker, so it runs bundled (dist/) and from sources (tests).
// The worker writes exactly what JSON.stringify writes on the main thread: only snapshots whose
// numbers are all finite come here (no replacer needed), and a NaN timestamp slot stands for null.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { gzipSync } = require('node:zlib');
parentPort.on('message', ({ id, snapshot, names, counts, numbers, level }) => {
  try {
    let at = 0;
    for (let k = 0; k < names.length; k++) {
      const history = new Array(counts[k]);
      for (let i = 0; i < counts[k]; i++, at += 3) {
        const t = numbers[at + 2];
        history[i] = { step: numbers[at], value: numbers[at + 1], timestamp: t !== t ? null : t };
      }
      snapshot.outcome.metrics[names[k]].history = history;
    }
    parentPort.postMessage({ id, gz: gzipSync(JSON.stringify(snapshot), { level }) });
  } catch (e) {
    parentPort.postMessage({ id, error: String((e && e.message) || e) });
  }
});
`;

interface Pending {
  resolve: (gz: Buffer) => void;
  reject: (e: Error) => void;
}

/** Packs a snapshot's histories into numbers, or null when one holds what the worker cannot write (a non-finite number). */
function pack(
  snapshot: Snapshot,
): { skeleton: Snapshot; names: string[]; counts: number[]; buffer: ArrayBuffer } | null {
  const names: string[] = [];
  const counts: number[] = [];
  let total = 0;
  for (const [name, m] of Object.entries(snapshot.outcome.metrics)) {
    if (!Number.isFinite(m.value)) return null;
    if (m.history === null) continue;
    names.push(name);
    counts.push(m.history.length);
    total += m.history.length;
  }
  const buffer = new ArrayBuffer(total * 3 * Float64Array.BYTES_PER_ELEMENT);
  const numbers = new Float64Array(buffer);
  let at = 0;
  const metrics: Snapshot['outcome']['metrics'] = {};
  for (const [name, m] of Object.entries(snapshot.outcome.metrics)) {
    for (const p of m.history ?? []) {
      if (
        !Number.isFinite(p.step) ||
        !Number.isFinite(p.value) ||
        (p.timestamp !== null && !Number.isFinite(p.timestamp))
      )
        return null;
      numbers[at++] = p.step;
      numbers[at++] = p.value;
      numbers[at++] = p.timestamp ?? Number.NaN;
    }
    metrics[name] = { ...m, history: null };
  }
  return { skeleton: { ...snapshot, outcome: { ...snapshot.outcome, metrics } }, names, counts, buffer };
}

/** A small pool of encode workers for one import. */
export class SnapshotEncodePool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | null = null;

  constructor(
    private readonly level: number,
    size: number = Math.max(1, Math.min(4, os.availableParallelism() - 1)),
  ) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      worker.on('message', (msg: { id: number; gz?: Uint8Array; error?: string }) => {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (!p) return;
        if (msg.gz) p.resolve(Buffer.from(msg.gz.buffer, msg.gz.byteOffset, msg.gz.byteLength));
        else p.reject(new Error(`encoding a snapshot failed: ${msg.error ?? 'unknown error'}`));
      });
      worker.on('error', (e) => this.fail(e));
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`an encode worker stopped (exit code ${code})`));
      });
      this.workers.push(worker);
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  /** Runs waiting to be encoded. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * The gzipped `JSON.stringify` text of a snapshot, encoded on a worker; null when the snapshot
   * holds a non-finite number, which the caller encodes itself (it needs encodeSnapshot's replacer).
   */
  encode(snapshot: Snapshot): Promise<Buffer> | null {
    if (this.failure) return Promise.reject(this.failure);
    const packed = pack(snapshot);
    if (!packed) return null;
    const id = this.nextId++;
    const worker = this.workers[id % this.workers.length]!;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage(
        {
          id,
          snapshot: packed.skeleton,
          names: packed.names,
          counts: packed.counts,
          numbers: new Float64Array(packed.buffer),
          level: this.level,
        },
        [packed.buffer],
      );
    });
  }

  /** Stops the workers (waiting work is abandoned). */
  async close(): Promise<void> {
    this.fail(new Error('the encode pool was closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
