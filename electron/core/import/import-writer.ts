/** Writes an import's runs as they are encoded, all in one transaction on a connection of the import's own. */
import { ReproError } from '../../../shared/errors';
import type { Snapshot } from '../../../shared/snapshot/snapshot';
import { HashCacheRepository } from '../../db/hash-cache-repository';
import { ImportSourcesRepository } from '../../db/import-sources-repository';
import { ImportSkipsRepository } from '../../db/import-skips-repository';
import { openStore, type StoreHandle } from '../../db/open-store';
import { RunsRepository, type EncodedRun } from '../../db/runs-repository';

/**
 * Why a connection of its own: the transaction stays open for the whole import (SQLite holds what was
 * written, in the WAL, instead of the JavaScript heap holding every encoded run until the end), and
 * whatever else this process serves meanwhile reads through the core's connection, which sees the
 * store as it was until the import commits, and never writes into the import's transaction by accident.
 * Hash-cache rows the import's artifact hashing writes go through this connection too (the core's
 * would wait on the import's write lock).
 */

/** One run on its way to the store: the compression may still be running. */
export interface QueuedWrite {
  skeleton: Snapshot;
  encoded: Promise<Pick<EncodedRun, 'storedJson' | 'histories'>>;
  sourceKey: string;
  digest: string;
  /** The reader's fingerprint of the source run, if it makes one. */
  fingerprint?: string | null;
  /** A run the store does not hold yet (under a new id): nothing of it to clear first. */
  fresh?: boolean;
}

/** Runs queued (being compressed, not yet written) at most; reading waits for the oldest beyond this. */
const MAX_QUEUED = 256;

/** The tables an import writes rows into: their secondary indexes may be rebuilt at commit (see `deferIndexes`). */
const WRITTEN_TABLES = ['runs', 'run_metrics', 'run_params', 'run_tags', 'run_blobs'];
/** New runs written before the secondary indexes are set aside (a small import keeps them up to date as it goes). */
const DEFER_INDEXES_FROM = 1000;

/** The import's write side: open, queue runs, then commit or roll back. */
export class ImportWriter {
  private readonly queue: { write: QueuedWrite; done: boolean }[] = [];
  private closed = false;
  /** New runs written so far (the store held none of them). */
  private freshWritten = 0;
  /** Runs the store held when the import began. */
  private readonly storedAtStart: number;
  /** Secondary indexes dropped in this transaction, to be built again before it commits; null while they are kept. */
  private deferred: { name: string; sql: string }[] | null = null;
  /** The hash cache over the import's connection (for artifact hashing during the import). */
  readonly hashCache: HashCacheRepository;
  /** Each source's whole-store token, read and written in the import's transaction. */
  readonly sources: ImportSourcesRepository;
  private readonly runs: RunsRepository;
  /** Fingerprints of source runs skipped as deleted in MLflow, read and written in the import's transaction. */
  readonly skips: ImportSkipsRepository;

  private constructor(private readonly store: StoreHandle) {
    this.runs = new RunsRepository(store.db);
    this.skips = new ImportSkipsRepository(store.db);
    this.hashCache = new HashCacheRepository(store.db);
    this.sources = new ImportSourcesRepository(store.db);
    this.storedAtStart = this.runs.count();
  }

  /** Opens a second connection to the store in `dir` and starts the import's write transaction. */
  static open(dir: string): ImportWriter {
    const store = openStore(dir);
    try {
      // This connection writes a run's metric, parameter, tag and history rows right after the run's own row, in
      // the same transaction, and deletes no run: every reference is to a row it has just written. SQLite's check
      // of each of those rows (a lookup in the runs' id index) is ~7 % of an import's insert time. The core's
      // connection, through which every other write goes, keeps foreign keys on. (Only settable outside a transaction.)
      store.db.pragma('foreign_keys = OFF');
      store.db.exec('BEGIN IMMEDIATE');
    } catch (e) {
      store.close();
      if ((e as { code?: string }).code === 'SQLITE_BUSY')
        throw new ReproError(
          'IMPORT_FAILED',
          'another import or write holds the store; nothing was imported',
          'Wait for it to finish, then import again.',
          { cause: e },
        );
      throw e;
    }
    return new ImportWriter(store);
  }

  /** Queues a run; writes those whose compression finished, in order, and waits while too many are queued. */
  async add(write: QueuedWrite): Promise<void> {
    const entry = { write, done: false };
    write.encoded.then(
      () => (entry.done = true),
      () => (entry.done = true),
    );
    this.queue.push(entry);
    await this.writeReady(this.queue.length > MAX_QUEUED ? this.queue.length - MAX_QUEUED / 2 : 0);
  }

  /** Records the digest of an already stored run that was found unchanged. */
  rememberDigest(id: string, digest: string, fingerprint: string | null = null): void {
    this.runs.rememberImportDigest(id, digest, fingerprint);
  }

  /** Runs queued and not yet written. */
  get queued(): number {
    return this.queue.length;
  }

  /** Writes queued runs from the oldest: at least `atLeast` of them (waiting for their compression), then any already done. */
  private async writeReady(atLeast: number): Promise<void> {
    let written = 0;
    while (this.queue.length > 0 && (written < atLeast || this.queue[0]!.done)) {
      const { write } = this.queue.shift()!;
      const encoded = await write.encoded;
      this.runs.saveEncodedInTransaction({
        snapshot: write.skeleton,
        ...encoded,
        sourceKey: write.sourceKey,
        importDigest: write.digest,
        importFingerprint: write.fingerprint ?? null,
        fresh: write.fresh ?? false,
      });
      written++;
      if (write.fresh && ++this.freshWritten === Math.max(DEFER_INDEXES_FROM, this.storedAtStart)) this.deferIndexes();
    }
  }

  /** Writes what is queued and commits: the import lands whole. */
  async commit(): Promise<void> {
    await this.writeReady(this.queue.length);
    for (const index of this.deferred ?? []) this.store.db.exec(index.sql);
    this.store.db.exec('COMMIT');
    this.close();
  }

  /**
   * Drops the secondary indexes of the tables the import writes; `commit` builds them again, from the same SQL,
   * inside the same transaction. Why: each run adds ~20 rows, and keeping five secondary indexes up to date row
   * by row, each insert at a random place, costs about a fifth of the import's SQLite time; building an index
   * once from the finished table is a sort, a few times cheaper. Only once an import has written at least as many
   * new runs as the store held before it (and 1,000), so the rebuild costs at most about twice what the runs
   * written so far cost to index. Readers on other connections go on seeing the indexes (they read the store as
   * it was until the commit); a rollback brings them back with everything else.
   */
  private deferIndexes(): void {
    const db = this.store.db;
    const tables = WRITTEN_TABLES.map((t) => `'${t}'`).join(', ');
    this.deferred = db
      .prepare(
        `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${tables})`,
      )
      .all() as { name: string; sql: string }[];
    for (const index of this.deferred) db.exec(`DROP INDEX "${index.name.replace(/"/g, '""')}"`);
  }

  /** Abandons the import: nothing it wrote stays. Safe to call after commit. */
  rollback(): void {
    if (this.closed) return;
    if (this.store.db.inTransaction) this.store.db.exec('ROLLBACK');
    this.close();
  }

  private close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.store.close();
  }
}
