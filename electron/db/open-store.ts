// openStore: opens (or creates) a store's SQLite file with its pragmas, refuses a newer one, backs up and migrates.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { ReproError } from '../../shared/errors';
import { MIGRATIONS } from './migrations/index';

/** The SQLite file inside a store folder. */
export const DB_FILE_NAME = 'reproscope.db';

/** An open store: the database handle and the folder it lives in. */
export interface StoreHandle {
  db: Database.Database;
  dir: string;
  dbPath: string;
  close(): void;
}

/** SQLite's application_id of a reproscope store ('RPSC'): set on every store, checked on every open. */
export const REPROSCOPE_APPLICATION_ID = 0x52505343;

/** Tables the first migration made: a store from before the application_id stamp is recognised by them. */
const OWN_TABLES = ['runs', 'run_metrics', 'blobs', 'hash_cache'];

/**
 * The page size of a store created from now on (SQLite's default is 4 KiB; a store made before keeps its own).
 * Why 16 KiB: a run's row holds its snapshot (~2.4 KB for an imported MLflow run), so a 4 KiB page holds one
 * row and leaves 40 % of itself empty, and each history blob (~1 KB) and index entry fills smaller pages more
 * often. Measured with a 10,000-run mlflow.db import on a 2-core machine, two alternated runs each: SQLite's
 * inserts 1.34–1.41 → 1.02–1.13 s, the commit (mostly its WAL checkpoint) 0.42–0.47 → 0.22 s, the store
 * 129 → 101 MB; the whole import, 6 alternated pairs: 0.97 of the wall time, 0.80 of the system time.
 */
const NEW_STORE_PAGE_SIZE = 16 * 1024;

/** The schema version this build writes. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;

function describeOpenError(dbPath: string, e: unknown): ReproError {
  const code = (e as { code?: string }).code ?? '';
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new ReproError(
      'STORE_CORRUPT',
      `${dbPath} is not a reproscope store (${(e as Error).message})`,
      'Move the file aside or point --store / REPROSCOPE_HOME at another folder.',
    );
  }
  return new ReproError(
    'STORE_UNREADABLE',
    `cannot open the store ${dbPath}: ${(e as Error).message}`,
    'Check that the folder exists and is readable and writable, or choose another with --store DIR or REPROSCOPE_HOME.',
    { cause: e },
  );
}

/**
 * Opens (creating if needed) the store in `dir`: WAL, foreign keys, busy timeout; applies pending
 * migrations in one transaction after a backup; refuses a store written by a newer reproscope.
 */
export function openStore(dir: string, options: { readonly?: boolean } = {}): StoreHandle {
  const dbPath = path.join(dir, DB_FILE_NAME);
  try {
    // a store holds run logs, commands and paths: only its owner reads it
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new ReproError(
      'STORE_UNREADABLE',
      `cannot create the store folder ${dir}: ${(e as Error).message}`,
      'Choose a writable folder with --store DIR or REPROSCOPE_HOME.',
    );
  }
  const readonly = options.readonly ?? false;
  let created = false;
  if (!readonly && !fs.existsSync(dbPath)) {
    try {
      fs.closeSync(fs.openSync(dbPath, 'a', 0o600)); // SQLite gives the -wal and -shm files the database's mode
      created = true;
    } catch {
      // SQLite reports what is wrong with the folder below
    }
  }
  let db: Database.Database;
  try {
    db = new Database(dbPath, { readonly, fileMustExist: readonly });
    db.pragma('busy_timeout = 5000');
  } catch (e) {
    throw describeOpenError(dbPath, e);
  }
  try {
    // before anything writes to the file: another application's database is left exactly as it was
    checkApplication(db, dbPath);
    if (!readonly) makePrivate(dir, dbPath);
    // Only an empty file takes a page size, and only before WAL is on (a file another process filled meanwhile keeps its own).
    if (created) db.pragma(`page_size = ${NEW_STORE_PAGE_SIZE}`);
    if (!readonly) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    if (!readonly) stampApplication(db);
    migrate(db, dbPath, readonly);
  } catch (e) {
    db.close();
    throw e instanceof ReproError ? e : describeOpenError(dbPath, e);
  }
  return { db, dir, dbPath, close: () => db.close() };
}

function migrate(db: Database.Database, dbPath: string, readonly: boolean): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > LATEST_SCHEMA_VERSION) {
    throw new ReproError(
      'STORE_TOO_NEW',
      `the store ${dbPath} has schema version ${current}, newer than this reproscope understands (${LATEST_SCHEMA_VERSION})`,
      'Upgrade reproscope, or use another store with --store DIR.',
    );
  }
  if (current === LATEST_SCHEMA_VERSION) return;
  if (readonly) {
    throw new ReproError(
      'STORE_UNREADABLE',
      `the store ${dbPath} needs an upgrade (version ${current} → ${LATEST_SCHEMA_VERSION}) but was opened read-only`,
      'Open it once with write access to migrate it.',
    );
  }
  if (current > 0) {
    // A copy of the store as it was, so a failed or unwanted upgrade can be undone by hand.
    const backup = `${dbPath}.v${current}.bak`;
    fs.rmSync(backup, { force: true });
    db.prepare('VACUUM INTO ?').run(backup);
  }
  db.transaction(() => {
    // Another process may have migrated between our read and this write lock: start from what is there now.
    const now = db.pragma('user_version', { simple: true }) as number;
    for (let v = now; v < LATEST_SCHEMA_VERSION; v++) {
      const m = MIGRATIONS[v]!;
      if (typeof m === 'string') db.exec(m);
      else m(db);
    }
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION}`);
  }).immediate();
}

/**
 * The store folder 0700 and its database 0600 (SQLite gives the -wal and -shm files the database's mode).
 * An existing store of this user is tightened too; a folder of someone else is left alone.
 */
function makePrivate(dir: string, dbPath: string): void {
  const uid = process.getuid?.();
  if (uid === undefined) return; // no Unix modes to set
  for (const [p, mask] of [
    [dir, 0o700],
    [dbPath, 0o600],
    [`${dbPath}-wal`, 0o600],
    [`${dbPath}-shm`, 0o600],
  ] as const) {
    try {
      const st = fs.statSync(p);
      if (st.uid === uid && (st.mode & 0o077) !== 0) fs.chmodSync(p, st.mode & mask);
    } catch {
      // missing (no WAL yet) or a file system without modes
    }
  }
}

/**
 * Refuses another application's SQLite file at the store path (it would be migrated, and so changed): the
 * application_id must be reproscope's, or 0 for a new empty file or a store from before the stamp (which
 * is recognised by its tables; stampApplication then stamps it).
 */
function checkApplication(db: Database.Database, dbPath: string): void {
  const id = db.pragma('application_id', { simple: true }) as number;
  if (id === REPROSCOPE_APPLICATION_ID) return;
  const tables = new Set(
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]).filter(
      (t) => !t.startsWith('sqlite_'),
    ),
  );
  const ours = OWN_TABLES.every((t) => tables.has(t));
  if (id !== 0 || (tables.size > 0 && !ours)) {
    const what = id !== 0 ? `application_id ${id}` : `tables ${[...tables].slice(0, 5).join(', ')}`;
    throw new ReproError(
      'STORE_CORRUPT',
      `${dbPath} is not a reproscope store: another application's SQLite database (${what}); it was left as it is`,
      'Point --store / REPROSCOPE_HOME at a folder of its own for reproscope.',
    );
  }
}

/** Stamps reproscope's application_id on a new store or one from before the stamp (checked by checkApplication). */
function stampApplication(db: Database.Database): void {
  if ((db.pragma('application_id', { simple: true }) as number) !== REPROSCOPE_APPLICATION_ID)
    db.pragma(`application_id = ${REPROSCOPE_APPLICATION_ID}`);
}
