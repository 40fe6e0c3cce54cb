// The store: a WAL database at the latest schema, readable by a second process, refusing newer or corrupt files.
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DB_FILE_NAME, LATEST_SCHEMA_VERSION, openStore } from '../../../electron/db/open-store';
import { RunsRepository } from '../../../electron/db/runs-repository';
import { MIGRATIONS } from '../../../electron/db/migrations/index';
import { emptySnapshot } from '../../../shared/snapshot/snapshot';
import { REPO_ROOT, tempDir } from '../../helpers/temp';
import { matching } from '../../helpers/typed';

function sampleSnapshot(id: string, name: string) {
  const s = emptySnapshot(id, 'capture', new Date().toISOString());
  s.name = name;
  s.process.argv = ['python', 'train.py', '--seed', '1'];
  s.outcome.status = 'finished';
  s.outcome.exitCode = 0;
  s.outcome.metrics = {
    accuracy: { value: 0.93, history: null, source: 'metrics.json' },
    loss: { value: NaN, history: null, source: 'metrics.json' },
  };
  return s;
}

describe('the store', () => {
  it('creates a WAL database at the latest schema version with foreign keys on', () => {
    const dir = tempDir();
    const store = openStore(dir);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(store.db.pragma('page_size', { simple: true })).toBe(16384);
    store.close();
  });

  it('keeps the page size of a store made before (4 KiB) and goes on using it', () => {
    const dir = tempDir();
    const old = new Database(path.join(dir, DB_FILE_NAME));
    old.pragma('journal_mode = WAL');
    old.exec(MIGRATIONS[0] as string);
    old.pragma('user_version = 1');
    old.close();
    const store = openStore(dir);
    expect(store.db.pragma('page_size', { simple: true })).toBe(4096);
    new RunsRepository(store.db).save(sampleSnapshot('4k', 'old store'));
    store.close();
    const again = openStore(dir);
    expect(new RunsRepository(again.db).get('4k').name).toBe('old store');
    expect(again.db.pragma('integrity_check', { simple: true })).toBe('ok');
    again.close();
  });

  it('keeps snapshots (NaN included) readable by a second process', () => {
    const dir = tempDir();
    const store = openStore(dir);
    const runs = new RunsRepository(store.db);
    runs.save(sampleSnapshot('aaaa1111bbbb2222cccc3333', 'first'));
    store.close();
    // A separate Node process opens the same file, as the CLI and the app do.
    const script = `
      const Database = require('better-sqlite3');
      const zlib = require('node:zlib');
      const db = new Database(${JSON.stringify(path.join(dir, DB_FILE_NAME))}, { readonly: true });
      const row = db.prepare('SELECT name, snapshot FROM runs').get();
      const snap = JSON.parse(zlib.gunzipSync(row.snapshot).toString());
      console.log(JSON.stringify({ name: row.name, loss: snap.outcome.metrics.loss.value, acc: snap.outcome.metrics.accuracy.value }));`;
    const out: unknown = JSON.parse(
      execFileSync(process.execPath, ['-e', script], { cwd: REPO_ROOT, encoding: 'utf8' }),
    );
    expect(out).toEqual({ name: 'first', loss: { $nonfinite: 'NaN' }, acc: 0.93 });
    const again = new RunsRepository(openStore(dir).db);
    const s = again.get('aaaa1111bbbb2222cccc3333');
    expect(s.outcome.metrics.loss!.value).toBeNaN();
    expect(again.resolveId('aaaa')).toBe('aaaa1111bbbb2222cccc3333');
  });

  it('refuses a store from a newer reproscope with a clear message', () => {
    const dir = tempDir();
    const db = new Database(path.join(dir, DB_FILE_NAME));
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 5}`);
    db.close();
    expect(() => openStore(dir)).toThrow(
      expect.objectContaining({
        code: 'STORE_TOO_NEW',
        message: matching(/newer than this reproscope understands/),
      }),
    );
  });

  it('reports a file that is not a database instead of reading it', () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, DB_FILE_NAME),
      'this is not sqlite, just text that is long enough to be a header '.repeat(10),
    );
    expect(() => openStore(dir)).toThrow(expect.objectContaining({ code: 'STORE_CORRUPT' }));
  });

  it('reports an unreadable store location', () => {
    const dir = tempDir();
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'x');
    expect(() => openStore(path.join(file, 'store'))).toThrow(
      expect.objectContaining({ code: 'STORE_UNREADABLE', hint: matching(/--store/) }),
    );
  });

  it('migrates an older store after taking a backup, in one transaction', () => {
    const dir = tempDir();
    // A store at version 1 with one run: what an earlier reproscope left behind.
    const old = new Database(path.join(dir, DB_FILE_NAME));
    old.exec(MIGRATIONS[0] as string);
    old.pragma('user_version = 1');
    old.close();
    const store = openStore(dir);
    expect(store.db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    if (LATEST_SCHEMA_VERSION > 1) expect(fs.existsSync(path.join(dir, `${DB_FILE_NAME}.v1.bak`))).toBe(true);
    store.close();
  });

  it('writes nothing when a snapshot fails halfway (one transaction per snapshot)', () => {
    const store = openStore(tempDir());
    const runs = new RunsRepository(store.db);
    const s = sampleSnapshot('dddd1111bbbb2222cccc3333', 'broken');
    // A blob whose data is not a Buffer makes the write fail after the run row would have gone in.
    expect(() => runs.save(s, [{ sha256: 'x', data: undefined as unknown as Buffer }])).toThrow();
    expect(runs.count()).toBe(0);
    store.close();
  });
});
