// hashTree's digests stay those of existing stores: a fixed tree (nested folders, empty files, links, big files) has a fixed root hash.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HashCacheRepository, type FileIdentity } from '../../../electron/db/hash-cache-repository';
import { openStore } from '../../../electron/db/open-store';
import { HashPool } from '../../../electron/platform/hash-pool';
import { hashTree } from '../../../electron/platform/hash-tree';
import { tempDir, writeFiles } from '../../helpers/temp';

/** Deterministic bytes: the same tree on every machine, so its root hash is a constant. */
function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/** A tree with every kind of entry hashTree records: 230 files in nested folders, empty files, links. */
function makeTree(): string {
  const dir = tempDir();
  const files: Record<string, Buffer> = {
    'empty.txt': Buffer.alloc(0),
    'deep/a/b/c/empty.bin': Buffer.alloc(0),
    'deep/a/b/c/leaf.csv': Buffer.from('x,y\n1,2\n'),
    'big/exact-4MiB.bin': bytes(4 * 1024 * 1024, 1),
    'big/over-4MiB.bin': bytes(4 * 1024 * 1024 + 17, 2),
    'big/300KiB.bin': bytes(300 * 1024, 3),
    'big/256KiB.bin': bytes(256 * 1024, 4),
  };
  for (let i = 0; i < 220; i++) files[`small/d${i % 9}/f${i}.dat`] = bytes((i * 7919) % 60_000, 10 + i);
  writeFiles(dir, files);
  fs.mkdirSync(path.join(dir, 'empty-folder'));
  fs.symlinkSync('../empty.txt', path.join(dir, 'deep/link-to-file'));
  fs.symlinkSync('small', path.join(dir, 'link-to-folder'));
  fs.symlinkSync('nowhere/at/all', path.join(dir, 'dangling'));
  fs.symlinkSync('..', path.join(dir, 'deep/a/loop'));
  return dir;
}

// Computed by main's hashing at 33a0ba1 (what existing stores hold) and, independently, by Python's hashlib over
// the same sorted `sha256 size path` / `link:target 0 path` lines.
const ROOT_HASH = '3afdb8b773ed14638398d1d408c4de4cc94f5580c80b11584cfaa3bd5264dbe4';

describe('hashTree digest', () => {
  it('remembers every file of a large folder (written as the workers go), so a second hash reads none', async () => {
    const dir = tempDir();
    const files: Record<string, string> = {};
    for (let i = 0; i < 2500; i++) files[`d${i % 13}/f${i}.txt`] = `${i}\n`;
    writeFiles(dir, files);
    const store = openStore(tempDir());
    try {
      const repo = new HashCacheRepository(store.db);
      let hits = 0;
      const cache = {
        lookup: (id: FileIdentity) => {
          const sha = repo.lookup(id);
          if (sha !== null) hits++;
          return sha;
        },
        remember: (entries: readonly { id: FileIdentity; sha256: string }[]) => repo.remember(entries),
      };
      const first = await hashTree(dir, { cache });
      expect(hits).toBe(0);
      const second = await hashTree(dir, { cache });
      expect(hits).toBe(2500);
      expect(second).toEqual(first);
      expect(second.rootHash).toBe((await hashTree(dir)).rootHash);
    } finally {
      store.close();
    }
  });

  it('gives a fixed tree the root hash existing stores hold, with or without a pool, a cold or a warm cache', async () => {
    const dir = makeTree();
    const plain = await hashTree(dir);
    expect(plain.rootHash).toBe(ROOT_HASH);
    expect(plain.fileCount).toBe(231);
    expect(plain.totalBytes).toBe(
      8 + 2 * 4 * 1024 * 1024 + 17 + 556 * 1024 + [...Array(220).keys()].reduce((s, i) => s + ((i * 7919) % 60_000), 0),
    );
    expect(plain.files.filter((f) => f.linkTarget !== undefined)).toEqual([
      { path: 'dangling', size: 0, sha256: null, linkTarget: 'nowhere/at/all' },
      { path: 'deep/a/loop', size: 0, sha256: null, linkTarget: '..' },
      { path: 'deep/link-to-file', size: 0, sha256: null, linkTarget: '../empty.txt' },
      { path: 'link-to-folder', size: 0, sha256: null, linkTarget: 'small' },
    ]);
    const pool = new HashPool();
    const store = openStore(tempDir());
    try {
      const cache = new HashCacheRepository(store.db);
      const cold = await hashTree(dir, { pool, cache });
      const warm = await hashTree(dir, { pool, cache });
      const pooled = await hashTree(dir, { pool });
      for (const t of [cold, warm, pooled]) expect(t).toEqual(plain);
    } finally {
      store.close();
      await pool.close();
    }
  });
});
