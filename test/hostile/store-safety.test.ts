// The store refuses another application's SQLite file, keeps its files private, and its hash cache notices a same-size, same-mtime rewrite (issue 12, item 11).
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCore } from '../../electron/core/core-context';
import { DB_FILE_NAME, openStore, REPROSCOPE_APPLICATION_ID } from '../../electron/db/open-store';
import { hashTree } from '../../electron/platform/hash-tree';
import { runCli, tempDir } from '../helpers/temp';

describe('another application’s SQLite file at the store path', () => {
  it('is refused, with its tables left as they were', async () => {
    const store = tempDir();
    const other = new Database(path.join(store, DB_FILE_NAME));
    other.exec("CREATE TABLE experiments (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO experiments VALUES (1, 'x')");
    other.pragma('user_version = 3');
    other.close();
    const before = fs.readFileSync(path.join(store, DB_FILE_NAME));
    const res = await runCli(['--store', store, 'runs', '--json']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/is not a reproscope store: another application's SQLite database/);
    expect(fs.readFileSync(path.join(store, DB_FILE_NAME)).equals(before)).toBe(true);
    expect(fs.readdirSync(store).filter((f) => f.endsWith('.bak'))).toEqual([]);
  });

  it('refuses a file stamped with another application_id, even an empty one', () => {
    const store = tempDir();
    const other = new Database(path.join(store, DB_FILE_NAME));
    other.pragma('application_id = 1196444487'); // 'GPKG', a GeoPackage
    other.close();
    expect(() => openStore(store)).toThrow(/another application's SQLite database \(application_id 1196444487\)/);
  });

  it('stamps a new store, and an existing store written before the stamp, with reproscope’s application_id', () => {
    const fresh = tempDir();
    openStore(fresh).close();
    const a = new Database(path.join(fresh, DB_FILE_NAME), { readonly: true });
    expect(a.pragma('application_id', { simple: true })).toBe(REPROSCOPE_APPLICATION_ID);
    a.close();
    // a store from before the stamp: reproscope's tables, application_id 0
    const old = new Database(path.join(fresh, DB_FILE_NAME));
    old.pragma('application_id = 0');
    old.close();
    const again = openStore(fresh);
    expect(again.db.pragma('application_id', { simple: true })).toBe(REPROSCOPE_APPLICATION_ID);
    again.close();
  });
});

describe('store permissions', () => {
  it('creates the store folder 0700 and its database files 0600, and tightens an existing store', () => {
    const parent = tempDir();
    const dir = path.join(parent, 'store');
    const ctx = openCore(dir);
    ctx.close();
    const mode = (p: string): number => fs.statSync(p).mode & 0o777;
    expect(mode(dir)).toBe(0o700);
    for (const f of fs.readdirSync(dir).filter((f) => f.startsWith(DB_FILE_NAME)))
      expect([f, mode(path.join(dir, f))]).toEqual([f, 0o600]);
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(path.join(dir, DB_FILE_NAME), 0o644);
    openCore(dir).close();
    expect(mode(dir)).toBe(0o700);
    expect(mode(path.join(dir, DB_FILE_NAME))).toBe(0o600);
  });
});

describe('the hash cache', () => {
  it('re-reads a file rewritten in place with the same size and mtime (its ctime changed)', async () => {
    const ctx = openCore(tempDir());
    try {
      const dir = tempDir();
      const file = path.join(dir, 'data.csv');
      const when = 1_700_000_000; // whole seconds, so utimes can put back exactly the same mtime
      fs.writeFileSync(file, 'a,b\n1,2\n');
      fs.utimesSync(file, when, when);
      const first = await hashTree(file, { cache: ctx.hashCache });
      fs.writeFileSync(file, 'a,b\n9,9\n'); // same size, same inode
      fs.utimesSync(file, when, when); // mtime put back, as a copy tool keeping times or a hostile script can
      expect(fs.statSync(file, { bigint: true }).mtimeNs).toBe(BigInt(when) * 1_000_000_000n);
      const second = await hashTree(file, { cache: ctx.hashCache });
      expect(second.rootHash).not.toBe(first.rootHash);
    } finally {
      ctx.close();
    }
  });
});
