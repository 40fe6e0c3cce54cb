/**
 * Slow parses off the event loop: `serve` turns this on, and then MLproject and large JSON parses run in worker
 * threads, so one hostile input (an alias bomb, a huge body) cannot stall the answers to every other client.
 * A parse past its time limit is stopped with its worker. Elsewhere (CLI, tests from source) they run inline.
 */
import { Worker } from 'node:worker_threads';
import { ReproError, type ErrorCode } from '../../shared/errors';
import { runParseJob, type ParseJob, type ParseResult } from './parse-jobs';
import { bundledWorker } from './bundled-worker';

/** A parse that takes longer than this is stopped (the alias cap bounds MLprojects far below it). */
export const PARSE_TIME_LIMIT_MS = 20_000;
/** At most this many parses run at once; more wait for a free worker. */
const MAX_WORKERS = 2;

interface Slot {
  worker: Worker;
  busy: boolean;
}

let enabled = false;
const slots: Slot[] = [];
const waiting: (() => void)[] = [];
let nextId = 1;

const workerFile = (): string | null => bundledWorker('parse-worker.cjs');

/** Turns worker threads for slow parses on (serve) or off; returns whether they are available. */
export function setParsesOffThread(on: boolean): boolean {
  enabled = on && workerFile() !== null;
  if (!on) for (const s of slots.splice(0)) void s.worker.terminate();
  return enabled;
}

async function freeSlot(file: string): Promise<Slot> {
  for (;;) {
    const idle = slots.find((s) => !s.busy);
    if (idle) return idle;
    if (slots.length < MAX_WORKERS) {
      const slot = { worker: new Worker(file), busy: false };
      slot.worker.unref();
      slots.push(slot);
      return slot;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  }
}

function release(slot: Slot, broken: boolean): void {
  slot.busy = false;
  if (broken) {
    slots.splice(slots.indexOf(slot), 1);
    void slot.worker.terminate();
  } else slot.worker.unref();
  waiting.shift()?.();
}

/** Runs a parse in a worker when they are on, else here; errors come back as they were thrown (ReproError kept). */
export async function parseOffThread<J extends ParseJob>(job: J, label: string): Promise<ParseResult<J>> {
  const file = enabled ? workerFile() : null;
  if (!file) return runParseJob(job) as ParseResult<J>;
  const slot = await freeSlot(file);
  slot.busy = true;
  slot.worker.ref();
  const id = nextId++;
  return new Promise<ParseResult<J>>((resolve, reject) => {
    let broken = false;
    const done = (): void => {
      clearTimeout(timer);
      slot.worker.off('message', onMessage);
      slot.worker.off('error', onError);
      release(slot, broken);
    };
    const onMessage = (m: {
      id: number;
      ok: boolean;
      value?: unknown;
      error?: { code: ErrorCode | null; message: string; hint?: string };
    }): void => {
      if (m.id !== id) return;
      done();
      if (m.ok) resolve(m.value as ParseResult<J>);
      else if (m.error?.code) reject(new ReproError(m.error.code, m.error.message, m.error.hint));
      else reject(new Error(m.error?.message ?? 'parse failed'));
    };
    const onError = (e: Error): void => {
      broken = true;
      done();
      reject(e);
    };
    const timer = setTimeout(() => {
      broken = true;
      done();
      reject(
        new ReproError(
          'INVALID_INPUT',
          `${label} took longer than ${PARSE_TIME_LIMIT_MS / 1000} s to parse and was given up`,
          'Simplify it (YAML aliases, very large documents).',
        ),
      );
    }, PARSE_TIME_LIMIT_MS);
    slot.worker.on('message', onMessage);
    slot.worker.on('error', onError);
    slot.worker.postMessage({ id, job });
  });
}
