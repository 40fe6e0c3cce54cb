/** The file store's read-ahead worker thread (bundled as dist/import-file-worker.cjs): reads run folders in order and posts them in batches. */
import { parentPort, workerData } from 'node:worker_threads';
import { readRun } from './import-file-run';
import {
  READ_AHEAD_BATCHES,
  STOPPED,
  TAKEN,
  type FileReadAheadData,
  type FileReadAheadMessage,
} from './import-file-read-ahead';
import type { MlflowReadItem } from './import-mlflow-types';
import { READ } from './import-file-warm';

/** Runs per batch, and metric bytes after which a batch is posted early (a few runs with long histories). */
const BATCH_RUNS = 32;
const BATCH_BYTES = 8 * 1024 * 1024;

const data = workerData as FileReadAheadData;
const control = new Int32Array(data.control);
const port = parentPort!;
const options = {
  includeDeleted: data.includeDeleted,
  fingerprintSalt: data.fingerprintSalt,
  storedFingerprint: (name: string) => data.stored.get(name),
  storedSkipFingerprint: (name: string) => data.storedSkips.get(name),
};

let posted = 0;
let items: MlflowReadItem[] = [];
let buffers = new Set<ArrayBuffer>();
let bytes = 0;

/** Waits until the import has taken all but READ_AHEAD_BATCHES - 1 of the batches posted; false once it stopped. */
function mayPost(): boolean {
  for (;;) {
    if (Atomics.load(control, STOPPED) === 1) return false;
    const taken = Atomics.load(control, TAKEN);
    if (posted - taken < READ_AHEAD_BATCHES) return true;
    Atomics.wait(control, TAKEN, taken);
  }
}

function post(): boolean {
  // Only batches that carry runs are held back: "unchanged" items are a few bytes, and holding them made a
  // re-import's split serial (this thread waited for the main thread to finish its own share first).
  if (items.some((i) => i.kind === 'run') ? !mayPost() : Atomics.load(control, STOPPED) === 1) return false;
  const message: FileReadAheadMessage = { items };
  port.postMessage(message, [...buffers]);
  posted++;
  items = [];
  buffers = new Set();
  bytes = 0;
  return true;
}

function main(): void {
  for (const { scope, names } of data.plan) {
    for (const name of names) {
      const item = readRun(data.root, scope, name, options);
      // how far the reader is, for the folder warmers ahead of it
      Atomics.add(control, READ, 1);
      Atomics.notify(control, READ);
      if (item.kind === 'run')
        for (const c of Object.values(item.run.record.metricColumns ?? {}))
          for (const column of [c.steps, c.values, c.timestamps]) {
            const buffer = column.buffer as ArrayBuffer;
            if (!buffers.has(buffer)) {
              buffers.add(buffer);
              bytes += buffer.byteLength;
            }
          }
      items.push(item);
      if ((items.length >= BATCH_RUNS || bytes >= BATCH_BYTES) && !post()) return;
    }
  }
  if (items.length > 0 && !post()) return;
  const end: FileReadAheadMessage = { done: true };
  port.postMessage(end);
}

try {
  main();
} catch (e) {
  const failed: FileReadAheadMessage = { error: `reading the store ahead failed: ${(e as Error).message}` };
  port.postMessage(failed);
}
