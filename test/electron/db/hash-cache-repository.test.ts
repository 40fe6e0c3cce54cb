// HashCacheRepository on a real store: many rows in one call (hard links listed twice), and which devices it holds.
import { describe, expect, it } from 'vitest';
import { HashCacheRepository, type FileIdentity } from '../../../electron/db/hash-cache-repository';
import { openStore } from '../../../electron/db/open-store';
import { tempDir } from '../../helpers/temp';

const id = (dev: string, ino: number, mtimeNs = '1764000000123456789'): FileIdentity => ({
  dev,
  ino: String(ino),
  size: ino * 10,
  mtimeNs,
  ctimeNs: '1764000000987654321',
});
const sha = (n: number): string => n.toString(16).padStart(64, '0');

describe('HashCacheRepository', () => {
  it('remembers a first capture of many files in one call, the last word for a file listed twice', () => {
    const store = openStore(tempDir());
    try {
      const cache = new HashCacheRepository(store.db);
      expect(cache.holdsDevice('2049')).toBe(false);
      // more rows than one statement takes, and an inode listed twice within one statement and across two
      const entries = Array.from({ length: 150 }, (_, i) => ({ id: id('2049', i), sha256: sha(i) }));
      entries.push({ id: id('2049', 7), sha256: sha(1007) }, { id: id('2049', 140), sha256: sha(1140) });
      entries.splice(20, 0, { id: id('2049', 3), sha256: sha(1003) });
      cache.remember(entries);
      expect(store.db.prepare('SELECT count(*) FROM hash_cache').pluck().get()).toBe(150);
      expect(cache.lookup(id('2049', 0))).toBe(sha(0));
      expect(cache.lookup(id('2049', 149))).toBe(sha(149));
      expect(cache.lookup(id('2049', 3))).toBe(sha(1003));
      expect(cache.lookup(id('2049', 7))).toBe(sha(1007));
      expect(cache.lookup(id('2049', 140))).toBe(sha(1140));
      // a changed mtime misses, and remembering it replaces the row
      expect(cache.lookup(id('2049', 5, '1764000001000000000'))).toBeNull();
      cache.remember([{ id: id('2049', 5, '1764000001000000000'), sha256: sha(5005) }]);
      expect(cache.lookup(id('2049', 5))).toBeNull();
      expect(cache.lookup(id('2049', 5, '1764000001000000000'))).toBe(sha(5005));
      expect(cache.holdsDevice('2049')).toBe(true);
      expect(cache.holdsDevice('2050')).toBe(false);
    } finally {
      store.close();
    }
  });
});
