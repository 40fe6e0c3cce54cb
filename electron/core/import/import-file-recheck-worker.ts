/** The file store's re-check worker thread (bundled as dist/import-file-recheck-worker.cjs): re-checks runs by their stored fingerprints, in order, and posts a byte a run. */
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { recheckRun } from './import-file-fingerprint';
import type { RecheckJob, RecheckMessage } from './import-file-recheck';

/** Runs per message: the import takes verdicts as they come, so the first come early. */
const CHUNK = 128;

const port = parentPort!;
const { jobs } = workerData as { jobs: RecheckJob[] };

function main(): void {
  let from = 0;
  let verdicts = new Uint8Array(CHUNK);
  let n = 0;
  const post = (): void => {
    const message: RecheckMessage = { from, unchanged: verdicts.subarray(0, n) };
    port.postMessage(message, [verdicts.buffer]);
    from += n;
    n = 0;
    verdicts = new Uint8Array(CHUNK);
  };
  for (const { dir, scope, names, stored } of jobs) {
    const prefix = dir + path.sep;
    for (let i = 0; i < names.length; i++) {
      const fingerprint = stored[i];
      verdicts[n++] = fingerprint != null && recheckRun(prefix + names[i], fingerprint, scope) ? 1 : 0;
      if (n === CHUNK) post();
    }
  }
  if (n > 0) post();
}

try {
  main();
} catch (e) {
  const failed: RecheckMessage = { error: `re-checking the store failed: ${(e as Error).message}` };
  port.postMessage(failed);
}
