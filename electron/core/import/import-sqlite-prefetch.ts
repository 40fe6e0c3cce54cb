// SqlitePrefetch: an mlflow.db's per-run queries run ahead on a worker thread, so the import does not wait on SQLite.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { METRIC_COLUMNS_SOURCE, type ColumnRun, type RawRun } from './import-sqlite-columns';

/**
 * Runs one prepared query per run on a worker thread with its own read-only connection to an
 * mlflow.db, ahead of the import that needs the rows: SQLite's work (finding, aggregating and
 * writing out each run's metric values) then overlaps the import's own. Keys are added as the reader
 * learns them (a chunk of runs at a time, so nothing holds every key of a large store); rows come
 * back in the order the keys were added. Any failure of the worker is reported as a rejection; the
 * reader then does the work itself. With `metricColumns`, the worker also parses each row of the
 * per-run metrics query into float64 columns (metricColumnsOf), handed over without a copy: the
 * parsing then overlaps the import too, and the import makes no object per point.
 */

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let query = null;
${METRIC_COLUMNS_SOURCE}
parentPort.on('message', ({ id, keys }) => {
  try {
    if (query === null) {
      const Database = require(workerData.driver);
      const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
      db.pragma('query_only = ON');
      query = db.prepare(workerData.sql).raw();
    }
    const rows = new Array(keys.length);
    const buffers = [];
    for (let i = 0; i < keys.length; i++) {
      rows[i] = query.get(keys[i]);
      if (!workerData.metricColumns) continue;
      // Each row's text is dropped once read: a batch holds its columns, not all its texts.
      rows[i] = metricColumnsOf(rows[i]);
      if (rows[i].data) buffers.push(rows[i].data.buffer);
    }
    parentPort.postMessage({ id, rows }, buffers);
  } catch (e) {
    parentPort.postMessage({ id, error: String((e && e.message) || e) });
  }
});
`;

/** Where this build loads better-sqlite3 from, so the worker loads the same one. */
function driverPath(): string {
  return createRequire(__filename).resolve('better-sqlite3');
}

/** A run's metrics as the worker read them: columns, or the row to be read the careful way. */
export type PrefetchedMetrics = ColumnRun | RawRun;

/** How a prefetch runs: keys per query, batches asked for ahead, and whether rows come back as metric columns. */
export interface PrefetchOptions {
  batchSize?: number;
  ahead?: number;
  metricColumns?: boolean;
}

/** The rows of `sql` (one `?` parameter) for each key added, in that order, fetched ahead in batches. */
export class SqlitePrefetch {
  private readonly worker: Worker;
  private readonly batches = new Map<number, { rows: Promise<unknown[]>; size: number }>();
  private readonly waiting = new Map<number, { resolve: (rows: unknown[]) => void; reject: (e: Error) => void }>();
  /** Keys added and not yet asked for. */
  private pending: string[] = [];
  private ended = false;
  private requested = 0;
  /** The batch being read, and the position in it. */
  private current = 0;
  private offset = 0;
  /** Keys per query. */
  private readonly batchSize: number;
  /** Batches asked for ahead of the one being read. */
  private readonly ahead: number;

  constructor(file: string, sql: string, { batchSize = 50, ahead = 4, metricColumns = false }: PrefetchOptions = {}) {
    this.batchSize = batchSize;
    this.ahead = ahead;
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file, sql, driver: driverPath(), metricColumns },
    });
    this.worker.on('message', (msg: { id: number; rows?: unknown[]; error?: string }) => {
      const w = this.waiting.get(msg.id);
      this.waiting.delete(msg.id);
      if (msg.rows) w?.resolve(msg.rows);
      else w?.reject(new Error(msg.error ?? 'the query failed'));
      if (this.waiting.size === 0) this.worker.unref();
    });
    const fail = (e: Error): void => {
      for (const w of this.waiting.values()) w.reject(e);
      this.waiting.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', () => fail(new Error('the prefetch worker stopped')));
    this.worker.unref();
  }

  /** Adds keys to fetch, after those added before. */
  add(keys: readonly string[]): void {
    this.pending.push(...keys);
  }

  /** Says no more keys come (the last batch may then be short). */
  end(): void {
    this.ended = true;
  }

  /** Asks the worker for the next batch, if a whole one (or, after end, the rest) is known. */
  private request(): boolean {
    if (this.pending.length < this.batchSize && !(this.ended && this.pending.length > 0)) return false;
    const keys = this.pending.slice(0, this.batchSize);
    this.pending = this.pending.slice(this.batchSize);
    const id = this.requested++;
    const rows = new Promise<unknown[]>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    rows.catch(() => undefined); // handled when its turn comes
    this.batches.set(id, { rows, size: keys.length });
    // Referenced while an answer is awaited: otherwise a process with nothing else to do exits mid-import.
    this.worker.ref();
    this.worker.postMessage({ id, keys });
    return true;
  }

  /** The row for the next key (keys are taken in the order added); rejects when the worker failed. */
  async next(): Promise<unknown> {
    while (this.requested < this.current + this.ahead && this.request());
    const batch = this.batches.get(this.current);
    if (!batch) throw new Error('no key left to fetch');
    const offset = this.offset++;
    if (this.offset === batch.size) {
      this.batches.delete(this.current);
      this.current++;
      this.offset = 0;
    }
    return (await batch.rows)[offset];
  }

  /** Stops the worker. */
  close(): void {
    void this.worker.terminate();
  }
}
