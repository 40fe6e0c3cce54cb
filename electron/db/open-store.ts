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
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new ReproError(
      'STORE_UNREADABLE',
      `cannot create the store folder ${dir}: ${(e as Error).message}`,
      'Choose a writable folder with --store DIR or REPROSCOPE_HOME.',
    );
  }
  let db: Database.Database;
  try {
    db = new Database(dbPath, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    db.pragma('busy_timeout = 5000');
    if (!options.readonly) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
  } catch (e) {
    throw describeOpenError(dbPath, e);
  }
  try {
    migrate(db, dbPath, options.readonly ?? false);
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
