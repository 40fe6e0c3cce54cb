/** Folder warmers: threads that read a file store's next run folders ahead of the read-ahead worker, so that a store the kernel no longer holds in memory comes off the disk several reads at a time. */
import { Worker } from 'node:worker_threads';

/**
 * Why: the read-ahead worker reads a run folder's files one after another, each waiting for the disk when the
 * kernel's cache no longer holds it (a store written days ago), so a cold import waits on one read at a time.
 * Measured on a 2-core machine with a 10,000-run store (939 MB), the kernel's caches dropped first: the import
 * 30.4 s against 5.1 s warm; `cat` of every file one at a time 22.9 s, eight at a time 12.3 s. With 4 warmers the
 * cold import took 15.3 s. On that machine, whose cache kept only 1-2 GB (the store was partly read from the disk
 * again on each run), alternated pairs: with 2 warmers 6.8-7.0 -> 4.9-5.0 s, with 4 7.1-8.5 -> 5.5-5.9 s.
 *
 * Each warmer reads whole run folders (their listings and files, not `artifacts/`, which the import only lists
 * and stats) and throws what it read away: the import's own reads, which decide everything recorded, then find
 * it in memory. Warmers stay between 2 and LEAD runs ahead of the reader (the reader publishes how many runs it
 * has read), never open what is not a plain file (no links followed, O_NONBLOCK against a FIFO swapped in), and
 * stop once FAST_IN_A_ROW runs in a row came fast: the store was in memory, and reading it again would only cost CPU.
 */

/** Warmer threads: with the reader, five reads are in flight (cold, 2 warmers: 18.6 s, 3: 16.2 s, 4: 15.3 s). */
export const WARMERS = 4;
/** Runs ahead of the reader a warmer goes at most. */
const LEAD = 256;
/** A run read faster than this (ms) was in memory. */
const FAST_MS = 0.6;
/** Fast runs in a row after which a warmer stops. */
const FAST_IN_A_ROW = 48;

/** Control slots the warmers share with the reader (after the read-ahead's TAKEN and STOPPED). */
export const READ = 2;
export const NEXT_WARM = 3;

const SOURCE = `
const fs = require('node:fs');
const { workerData } = require('node:worker_threads');
const { paths, ends, control, lead, fastMs, fastInARow, stopped, read, nextWarm } = workerData;
const text = Buffer.from(paths);
const until = new Int32Array(ends);
const dirAt = (i) => text.toString('utf8', i === 0 ? 0 : until[i - 1], until[i]);
const slots = new Int32Array(control);
const flags = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK || 0) | (fs.constants.O_NOFOLLOW || 0);
const buffer = Buffer.allocUnsafe(256 * 1024);
const readFile = (file) => {
  let fd;
  try {
    fd = fs.openSync(file, flags);
    while (fs.readSync(fd, buffer, 0, buffer.length, null) === buffer.length);
  } catch {
    // gone, not readable, not a plain file: the import reports what it finds
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
};
const warmFolder = (dir, depth) => {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = dir + '/' + e.name;
    if (e.isFile()) readFile(p);
    else if (e.isDirectory() && depth === 0 && e.name !== 'artifacts') warmFolder(p, 1);
  }
};
let fast = 0;
for (;;) {
  if (Atomics.load(slots, stopped) === 1) break;
  const i = Atomics.add(slots, nextWarm, 1);
  if (i >= until.length) break;
  let done = Atomics.load(slots, read);
  const dir = i < done + 2 ? '' : dirAt(i);
  if (dir === '') continue; // passed (or being read) by the reader, or one it will not read whole
  while (i >= done + lead && Atomics.load(slots, stopped) === 0) {
    Atomics.wait(slots, read, done, 100);
    done = Atomics.load(slots, read);
  }
  if (Atomics.load(slots, stopped) === 1) break; // the import ended while this one waited
  const t = performance.now();
  warmFolder(dir, 0);
  if (performance.now() - t < fastMs) {
    if (++fast >= fastInARow) break;
  } else fast = 0;
}
`;

/**
 * The warmers over `dirs` (a run folder per run the reader reads, in its order; '' for a run it will not read
 * whole, such as one a stored fingerprint may pass over). They share `control` with the reader, which stores in
 * slot READ how many runs it has read. Each is unref()'d: none keeps a process alive, and a warmer that fails only
 * leaves the import to read at the disk's pace.
 */
export class FolderWarmers {
  private constructor(private readonly workers: Worker[]) {}

  /** Starts them (as many threads as can be had, up to WARMERS). */
  static start(dirs: readonly string[], control: SharedArrayBuffer, stopped: number): FolderWarmers {
    // The folders once, in shared memory (UTF-8 and where each ends), not a copy of 100,000 strings per thread.
    const bytes = dirs.map((d) => Buffer.from(d, 'utf8'));
    const paths = new SharedArrayBuffer(bytes.reduce((n, b) => n + b.length, 0));
    const ends = new SharedArrayBuffer(4 * dirs.length);
    const into = Buffer.from(paths);
    const until = new Int32Array(ends);
    let at = 0;
    bytes.forEach((b, i) => {
      into.set(b, at);
      until[i] = at += b.length;
    });
    const workers: Worker[] = [];
    for (let k = 0; k < WARMERS; k++) {
      try {
        const w = new Worker(SOURCE, {
          eval: true,
          workerData: {
            paths,
            ends,
            control,
            lead: LEAD,
            fastMs: FAST_MS,
            fastInARow: FAST_IN_A_ROW,
            stopped,
            read: READ,
            nextWarm: NEXT_WARM,
          },
        });
        w.on('error', () => undefined);
        w.unref();
        workers.push(w);
      } catch {
        break; // no thread to spare: the import reads at the disk's pace
      }
    }
    return new FolderWarmers(workers);
  }

  /** Threads started. */
  get threads(): number {
    return this.workers.length;
  }

  /** Stops them (each also stops by itself once the control's stopped slot is set). */
  close(): void {
    for (const w of this.workers) void w.terminate();
  }
}
