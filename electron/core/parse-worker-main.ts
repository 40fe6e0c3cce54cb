/** The parse worker thread (bundled as dist/parse-worker.cjs): runs the jobs parse-off-thread.ts sends and answers each one. */
import { parentPort } from 'node:worker_threads';
import { ReproError } from '../../shared/errors';
import { runParseJob, type ParseJob } from './parse-jobs';

parentPort?.on('message', (m: { id: number; job: ParseJob }) => {
  try {
    parentPort!.postMessage({ id: m.id, ok: true, value: runParseJob(m.job) });
  } catch (e) {
    const error =
      e instanceof ReproError
        ? { code: e.code, message: e.message, hint: e.hint }
        : { code: null, message: e instanceof Error ? e.message : String(e) };
    parentPort!.postMessage({ id: m.id, ok: false, error });
  }
});
