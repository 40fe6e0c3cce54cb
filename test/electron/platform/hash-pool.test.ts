// HashPool jobs through hashTree: files changed after the listing fail by name (never hang), jobs share one pool, close ends them.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HashCacheRepository } from '../../../electron/db/hash-cache-repository';
import { openStore } from '../../../electron/db/open-store';
import { HashPool } from '../../../electron/platform/hash-pool';
import { HASH_CHUNK } from '../../../electron/platform/hash-worker-source';
import { hashTree } from '../../../electron/platform/hash-tree';
import { tempDir, writeFiles } from '../../helpers/temp';
import { containing } from '../../helpers/typed';

/** sha256sum of every file of a folder, in one process: relative path → hash. */
function sha256sums(dir: string, rels: readonly string[]): Map<string, string> {
  const out = execFileSync('sha256sum', ['--', ...rels], { cwd: dir, encoding: 'utf8' });
  return new Map(
    out
      .trim()
      .split('\n')
      .map((l) => [l.slice(66), l.slice(0, 64)]),
  );
}

/** A folder of `n` small files f0…f(n-1), enough past the few-files threshold to go through a shared job. */
function folder(n: number): string {
  const dir = tempDir();
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) files[`f${String(i).padStart(3, '0')}.txt`] = `file ${i}\n`.repeat(i + 1);
  writeFiles(dir, files);
  return dir;
}

/** A skip callback that does `change` to the named file just after the listing found it (and keeps it listed). */
function afterListing(name: string, change: (abs: string) => void) {
  return (rel: string, _entry: fs.Dirent, abs: string): boolean => {
    if (rel === name) change(abs);
    return false;
  };
}

describe('HashPool jobs', () => {
  for (const [what, n] of [
    ['in a shared job', 80],
    ['among a few files hashed on the calling thread', 5],
  ] as const)
    it(`names a file that vanished after the listing, ${what}`, async () => {
      const dir = folder(n);
      const gone = path.join(dir, 'f003.txt');
      await expect(hashTree(dir, { skip: afterListing('f003.txt', (abs) => fs.rmSync(abs)) })).rejects.toMatchObject({
        code: 'FILE_UNREADABLE',
        message: containing(gone),
      });
    });

  it('refuses a file swapped for a FIFO or for a link to a device after the listing, instead of hanging', async () => {
    // no cache; an empty one (the workers stat what they open); one that holds the device (stat'ed while listed)
    for (const [cached, n] of [
      ['none', 80],
      ['cold', 80],
      ['warm', 80],
      ['none', 5],
      ['cold', 5],
      ['warm', 5],
    ] as const) {
      const dir = folder(n);
      const store = openStore(tempDir());
      const cache = cached === 'none' ? undefined : new HashCacheRepository(store.db);
      const dev = String(fs.statSync(dir, { bigint: true }).dev);
      const other = { dev, ino: '0', size: 1, mtimeNs: '0', ctimeNs: '0' };
      if (cached === 'warm') cache!.remember([{ id: other, sha256: '0'.repeat(64) }]);
      expect(cache?.holdsDevice(dev) ?? false).toBe(cached === 'warm');
      const [fifoName, deviceName] = n > 20 ? ['f010.txt', 'f020.txt'] : ['f001.txt', 'f002.txt'];
      const fifo = path.join(dir, fifoName);
      const toFifo = afterListing(fifoName, (abs) => {
        fs.rmSync(abs);
        execFileSync('mkfifo', [abs]);
      });
      await expect(hashTree(dir, { skip: toFifo, cache })).rejects.toMatchObject({
        code: 'FILE_UNREADABLE',
        message: containing(`${fifo}: it is no longer a regular file`),
      });
      // a read that would never end is stopped at the first buffer
      const zero = path.join(dir, deviceName);
      const toDevice = afterListing(deviceName, (abs) => {
        fs.rmSync(abs);
        fs.symlinkSync('/dev/zero', abs);
      });
      fs.rmSync(fifo);
      fs.writeFileSync(fifo, 'back');
      await expect(hashTree(dir, { skip: toDevice, cache })).rejects.toMatchObject({
        code: 'FILE_UNREADABLE',
        message: containing(`${zero}: it is no longer a regular file`),
      });
      store.close();
    }
  });

  it('hashes two folders at once on one pool, each file like sha256sum, with and without a cache', async () => {
    const a = folder(150);
    const b = folder(90);
    writeFiles(b, { 'big.bin': Buffer.alloc(5 * 1024 * 1024, 9) });
    const pool = new HashPool();
    const store = openStore(tempDir());
    try {
      const cache = new HashCacheRepository(store.db);
      const [ta, tb] = await Promise.all([hashTree(a, { pool }), hashTree(b, { pool, cache })]);
      for (const [dir, tree] of [
        [a, ta],
        [b, tb],
      ] as const) {
        const sums = sha256sums(
          dir,
          tree.files.map((f) => f.path),
        );
        for (const f of tree.files) expect(f.sha256).toBe(sums.get(f.path));
        for (const f of tree.files) expect(f.size).toBe(fs.statSync(path.join(dir, f.path)).size);
      }
      expect(tb.fileCount).toBe(91);
    } finally {
      store.close();
      await pool.close();
    }
  });

  it('hashes single files of every size like sha256sum, all asked at once of one worker, and names what is not a file', async () => {
    const dir = tempDir();
    // sizes around the worker's read size (one read, a read and an empty one, two reads, many with a short last)
    const sizes = [0, 1, HASH_CHUNK - 1, HASH_CHUNK, HASH_CHUNK + 1, 3 * HASH_CHUNK + 12345];
    const files: Record<string, Buffer> = {};
    sizes.forEach((n, i) => (files[`s${i}.bin`] = Buffer.from(Array.from({ length: n }, (_, k) => (k * 7 + i) & 255))));
    writeFiles(dir, files);
    const rels = Object.keys(files);
    const expected = sha256sums(dir, rels);
    const pool = new HashPool(1); // one worker: every file is queued on it at once and hashed in turn
    try {
      const got = await Promise.all([...rels, ...rels].map((r) => pool.hash(path.join(dir, r))));
      expect(got).toEqual([...rels, ...rels].map((r) => expected.get(r)));
      const fifo = path.join(dir, 'fifo');
      execFileSync('mkfifo', [fifo]);
      await expect(pool.hash(fifo)).rejects.toThrow(/no longer a regular file/);
      await expect(pool.hash(dir)).rejects.toMatchObject({ code: 'EISDIR' });
      await expect(pool.hash(path.join(dir, 'gone.bin'))).rejects.toMatchObject({ code: 'ENOENT' });
      // the worker is still there for the next
      expect(await pool.hash(path.join(dir, 's5.bin'))).toBe(expected.get('s5.bin'));
    } finally {
      await pool.close();
    }
  });

  it('rejects a hash still running when its pool is closed, instead of leaving it waiting', async () => {
    const dir = tempDir();
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 64; i++) files[`part-${i}.bin`] = Buffer.alloc(2 * 1024 * 1024, i);
    writeFiles(dir, files);
    const pool = new HashPool();
    const running = hashTree(dir, { pool });
    // closed while the job is queued: whatever was hashed, the rest must fail, not hang
    await pool.close();
    await expect(running).rejects.toThrow(/closed/);
  });
});
