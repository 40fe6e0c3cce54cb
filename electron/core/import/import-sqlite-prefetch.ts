// SqlitePrefetch: an mlflow.db's per-run queries run ahead on a worker thread, so the import does not wait on SQLite.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Runs one prepared query per run on a worker thread with its own read-only connection to an
 * mlflow.db, ahead of the import that needs the rows: SQLite's work (finding, aggregating and
 * writing out each run's metric values) then overlaps the import's own. Rows come back in order.
 * Any failure of the worker is reported as a rejection; the reader then does the work itself.
 */

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let query = null;
parentPort.on('message', ({ id, keys }) => {
  try {
    if (query === null) {
      const Database = require(workerData.driver);
      const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
      db.pragma('query_only = ON');
      query = db.prepare(workerData.sql).raw();
    }
    const rows = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) rows[i] = query.get(keys[i]);
    parentPort.postMessage({ id, rows });
  } catch (e) {
    parentPort.postMessage({ id, error: String((e && e.message) || e) });
  }
});
`;

/** Where this build loads better-sqlite3 from, so the worker loads the same one. */
function driverPath(): string {
  return createRequire(__filename).resolve('better-sqlite3');
}

/** The rows of `sql` (one `?` parameter) for each key, in the order given, fetched ahead in batches. */
export class SqlitePrefetch {
  private readonly worker: Worker;
  private readonly batches = new Map<number, Promise<unknown[]>>();
  private readonly waiting = new Map<number, { resolve: (rows: unknown[]) => void; reject: (e: Error) => void }>();
  private readonly batchCount: number;
  /** Keys per query. */
  private readonly batchSize: number;
  /** Batches asked for ahead of the one being read. */
  private readonly ahead: number;
  private position = 0;

  constructor(
    file: string,
    sql: string,
    private readonly keys: readonly string[],
    { batchSize = 50, ahead = 4 }: { batchSize?: number; ahead?: number } = {},
  ) {
    this.batchSize = batchSize;
    this.ahead = ahead;
    this.batchCount = Math.ceil(keys.length / batchSize);
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, sql, driver: driverPath() } });
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

  private batch(n: number): Promise<unknown[]> {
    let batch = this.batches.get(n);
    if (!batch) {
      batch = new Promise<unknown[]>((resolve, reject) => this.waiting.set(n, { resolve, reject }));
      batch.catch(() => undefined);
      this.batches.set(n, batch);
      // Referenced while an answer is awaited: otherwise a process with nothing else to do exits mid-import.
      this.worker.ref();
      this.worker.postMessage({ id: n, keys: this.keys.slice(n * this.batchSize, (n + 1) * this.batchSize) });
    }
    return batch;
  }

  /** The row for the next key (keys are taken in the order given); rejects when the worker failed. */
  async next(): Promise<unknown> {
    const n = Math.floor(this.position / this.batchSize);
    const offset = this.position % this.batchSize;
    if (n >= this.batchCount) throw new Error('no key left to fetch');
    // read-ahead: each batch's promise is kept (its rejection handled) and awaited when its turn comes
    for (let k = n; k < Math.min(n + this.ahead, this.batchCount); k++) void this.batch(k);
    this.position++;
    const rows = await this.batch(n);
    if (offset === this.batchSize - 1 || this.position === this.keys.length) this.batches.delete(n);
    return rows[offset];
  }

  /** Stops the worker. */
  close(): void {
    void this.worker.terminate();
  }
}
