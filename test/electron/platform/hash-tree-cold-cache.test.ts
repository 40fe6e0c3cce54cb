// hashTree with an empty hash cache (a first capture): workers stat what they read, every file is remembered as the
// file system sees it, a file changed since is read again, and a file gone or swapped fails by name.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileIdentityOf, HashCacheRepository } from '../../../electron/db/hash-cache-repository';
import { openStore } from '../../../electron/db/open-store';
import { HashPool } from '../../../electron/platform/hash-pool';
import { hashTree } from '../../../electron/platform/hash-tree';
import { tempDir, writeFiles } from '../../helpers/temp';
import { containing } from '../../helpers/typed';

/** sha256sum of every regular file under a folder: relative path → hash. */
function sha256sums(dir: string): Map<string, string> {
  const out = execFileSync('sh', ['-c', 'find . -type f -print0 | xargs -0 sha256sum'], { cwd: dir, encoding: 'utf8' });
  return new Map(
    out
      .trim()
      .split('\n')
      .map((l) => [l.slice(66).replace(/^\.\//, ''), l.slice(0, 64)]),
  );
}

const identityNow = (abs: string) => fileIdentityOf(fs.lstatSync(abs, { bigint: true }));
const PLANTED = 'f'.repeat(64);

/** `n` small files, f000…, spread over a few sub-folders. */
function folder(n: number): string {
  const dir = tempDir();
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) files[`d${i % 3}/f${String(i).padStart(3, '0')}.txt`] = `file ${i}\n`.repeat(i + 1);
  writeFiles(dir, files);
  return dir;
}

describe('hashTree with an empty hash cache', () => {
  it('remembers every file as the file system sees it, hashed like sha256sum, so a second hash reads none', async () => {
    const dir = tempDir();
    const files: Record<string, Buffer> = {
      'big.bin': Buffer.alloc(5 * 1024 * 1024, 3),
      'edge.bin': Buffer.alloc(4 * 1024 * 1024 + 17, 5),
      'empty.txt': Buffer.alloc(0),
    };
    for (let i = 0; i < 300; i++) files[`d${i % 7}/f${i}.txt`] = Buffer.alloc(1 + ((i * 7919) % 40_000), i % 251);
    writeFiles(dir, files);
    fs.linkSync(path.join(dir, 'd0/f0.txt'), path.join(dir, 'hard-link.txt'));
    fs.symlinkSync('d1/f1.txt', path.join(dir, 'alias.txt'));
    const plain = await hashTree(dir);
    for (const [withProgress, pool] of [
      [false, undefined],
      [false, new HashPool()],
      [true, undefined],
    ] as const) {
      const store = openStore(tempDir());
      try {
        const cache = new HashCacheRepository(store.db);
        expect(cache.holdsDevice(String(fs.statSync(dir, { bigint: true }).dev))).toBe(false);
        const reports: [number, number, string][] = [];
        const onProgress = withProgress
          ? (done: number, total: number, _file: string, unit: string) => reports.push([done, total, unit])
          : undefined;
        const tree = await hashTree(dir, { cache, pool, onProgress });
        expect(tree).toEqual(plain);
        if (withProgress) {
          // the sizes are learned as the files are read, so the progress counts files, up to every one of them
          expect(reports.at(-1)).toEqual([304, 304, 'files']);
          expect(reports.every(([done], i) => i === 0 || done > reports[i - 1]![0])).toBe(true);
        }
        const sums = sha256sums(dir);
        for (const f of tree.files.filter((e) => e.sha256 !== null)) {
          const abs = path.join(dir, f.path);
          expect(f.sha256).toBe(sums.get(f.path));
          expect(f.size).toBe(fs.statSync(abs).size);
          // the row is keyed by the file's identity now: device, inode, size, mtime and ctime to the nanosecond
          expect(cache.lookup(identityNow(abs))).toBe(f.sha256);
        }
        // one row per inode: the hard link shares its file's
        expect(store.db.prepare('SELECT count(*) FROM hash_cache').pluck().get()).toBe(303);
        // only a cache hit can report a planted hash: the second hash reads no file
        store.db.prepare('UPDATE hash_cache SET sha256 = ?').run(PLANTED);
        const again = await hashTree(dir, { cache, pool });
        for (const f of again.files) expect(f.sha256).toBe(f.linkTarget === undefined ? PLANTED : null);
      } finally {
        store.close();
        await pool?.close();
      }
    }
  });

  for (const [what, n] of [
    ['in a shared job', 40],
    ['among a few files hashed on the calling thread', 5],
  ] as const)
    it(`reads a file again once it changed after it was cached, ${what}`, async () => {
      const dir = folder(n);
      const store = openStore(tempDir());
      try {
        const cache = new HashCacheRepository(store.db);
        await hashTree(dir, { cache });
        store.db.prepare('UPDATE hash_cache SET sha256 = ?').run(PLANTED);
        const abs = (i: number) => path.join(dir, `d${i % 3}/f${String(i).padStart(3, '0')}.txt`);
        const { mtime, atime } = fs.statSync(abs(1));
        // rewritten in place, same size, mtime put back: the inode's ctime still moved
        fs.writeFileSync(abs(1), fs.readFileSync(abs(1), 'utf8').toUpperCase());
        fs.utimesSync(abs(1), atime, mtime);
        // replaced by a new inode of the same size and the same mtime
        const next = `${abs(2)}.new`;
        fs.writeFileSync(next, fs.readFileSync(abs(2), 'utf8').replace('file', 'FILE'));
        fs.utimesSync(next, atime, fs.statSync(abs(2)).mtime);
        fs.renameSync(next, abs(2));
        // the same bytes with a new mtime
        fs.utimesSync(abs(3), atime, new Date(mtime.getTime() + 5000));
        const tree = await hashTree(dir, { cache });
        const sums = sha256sums(dir);
        const changed = new Set([1, 2, 3].map((i) => path.relative(dir, abs(i))));
        for (const f of tree.files) expect(f.sha256).toBe(changed.has(f.path) ? sums.get(f.path) : PLANTED);
      } finally {
        store.close();
      }
    });

  for (const [what, n] of [
    ['in a shared job', 80],
    ['among a few files hashed on the calling thread', 5],
  ] as const)
    it(`names a file that vanished after the listing, ${what}`, async () => {
      const dir = folder(n);
      const store = openStore(tempDir());
      try {
        const gone = path.join(dir, 'd0/f003.txt');
        const skip = (rel: string, _entry: fs.Dirent, abs: string): boolean => {
          if (rel === 'd0/f003.txt') fs.rmSync(abs);
          return false;
        };
        await expect(hashTree(dir, { skip, cache: new HashCacheRepository(store.db) })).rejects.toMatchObject({
          code: 'FILE_UNREADABLE',
          message: containing(gone),
        });
      } finally {
        store.close();
      }
    });
});

describe('hashTree progress', () => {
  it('counts bytes where the listing knows the sizes, a few hundred reports at most, ending at the total', async () => {
    const dir = folder(2000);
    const reports: [number, number, string][] = [];
    const tree = await hashTree(dir, { onProgress: (done, total, _file, unit) => reports.push([done, total, unit]) });
    expect(reports.at(-1)).toEqual([tree.totalBytes, tree.totalBytes, 'bytes']);
    expect(reports.length).toBeLessThanOrEqual(258);
    expect(reports.every(([done], i) => i === 0 || done > reports[i - 1]![0])).toBe(true);
  });
});
