// hashTree against sha256sum: files and folders, many small files, root hashes, links, missing paths and the hash cache.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileIdentityOf, HashCacheRepository } from '../../../electron/db/hash-cache-repository';
import { openStore } from '../../../electron/db/open-store';
import { hashTree } from '../../../electron/platform/hash-tree';
import { tempDir, writeFiles } from '../../helpers/temp';
import { containing } from '../../helpers/typed';

const sha256sum = (file: string): string => execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0]!;

describe('hashTree', () => {
  it('hashes every file like sha256sum, sorted, with sizes and a root hash', async () => {
    const dir = tempDir();
    writeFiles(dir, {
      'b.csv': 'x,y\n1,2\n',
      'a/train.csv': 'a\n'.repeat(1000),
      'a/big.bin': Buffer.alloc(600 * 1024, 7),
    });
    const tree = await hashTree(dir);
    expect(tree.kind).toBe('dir');
    expect(tree.files.map((f) => f.path)).toEqual(['a/big.bin', 'a/train.csv', 'b.csv']);
    for (const f of tree.files) expect(f.sha256).toBe(sha256sum(path.join(dir, f.path)));
    expect(tree.totalBytes).toBe(600 * 1024 + 2000 + 8);
    expect(tree.rootHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hashes a folder of many small files (in batches on the workers) like sha256sum, beside big ones', async () => {
    const dir = tempDir();
    const files: Record<string, Buffer> = { 'big.bin': Buffer.alloc(300 * 1024, 3), 'empty.txt': Buffer.alloc(0) };
    for (let i = 0; i < 300; i++) files[`d${i % 7}/f${i}.txt`] = Buffer.alloc(1 + ((i * 7919) % 40_000), i % 251);
    writeFiles(dir, files);
    const tree = await hashTree(dir);
    expect(tree.fileCount).toBe(302);
    const sums = execFileSync('sh', ['-c', 'find . -type f -print0 | xargs -0 sha256sum'], {
      cwd: dir,
      encoding: 'utf8',
    });
    const expected = Object.fromEntries(
      sums
        .trim()
        .split('\n')
        .map((l) => [l.slice(66).replace(/^\.\//, ''), l.slice(0, 64)]),
    );
    expect(Object.fromEntries(tree.files.map((f) => [f.path, f.sha256]))).toEqual(expected);
  });

  it('changes the root hash when one byte of one file changes, and not otherwise', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'x.txt': 'hello', 'y.txt': 'world' });
    const first = await hashTree(dir);
    expect((await hashTree(dir)).rootHash).toBe(first.rootHash);
    fs.writeFileSync(path.join(dir, 'y.txt'), 'worle');
    expect((await hashTree(dir)).rootHash).not.toBe(first.rootHash);
  });

  it('gives a single file its own SHA-256 as root hash', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'data.csv': '1,2,3\n' });
    const tree = await hashTree(path.join(dir, 'data.csv'));
    expect(tree.kind).toBe('file');
    expect(tree.rootHash).toBe(sha256sum(path.join(dir, 'data.csv')));
  });

  it('records symlinks as links and does not loop on a link to its own folder', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'real/a.txt': 'a' });
    fs.symlinkSync('..', path.join(dir, 'real', 'loop'));
    fs.symlinkSync('real/a.txt', path.join(dir, 'alias.txt'));
    const tree = await hashTree(dir);
    expect(tree.files).toEqual([
      { path: 'alias.txt', size: 0, sha256: null, linkTarget: 'real/a.txt' },
      { path: 'real/a.txt', size: 1, sha256: sha256sum(path.join(dir, 'real/a.txt')) },
      { path: 'real/loop', size: 0, sha256: null, linkTarget: '..' },
    ]);
  });

  it('names a missing path', async () => {
    await expect(hashTree('/nonexistent/data-folder')).rejects.toMatchObject({
      code: 'DATA_PATH_MISSING',
      message: containing('/nonexistent/data-folder'),
    });
  });

  it('does not read a file again while its device, inode, size, mtime and ctime are unchanged', async () => {
    const dir = tempDir();
    const store = openStore(tempDir());
    const cache = new HashCacheRepository(store.db);
    const file = path.join(dir, 'train.csv');
    const mtime = new Date('2026-01-01T00:00:00Z');
    const atime = mtime;
    fs.writeFileSync(file, 'aaaa');
    fs.utimesSync(file, atime, mtime);
    const first = await hashTree(dir, { cache });
    expect(first.files[0]!.sha256).toBe(sha256sum(file));
    // An entry for the file as it is now is trusted: only a cache hit can report this planted hash.
    const planted = 'f'.repeat(64);
    cache.remember([{ id: fileIdentityOf(fs.statSync(file, { bigint: true })), sha256: planted }]);
    expect((await hashTree(dir, { cache })).files[0]!.sha256).toBe(planted);
    // Same size, same mtime, different bytes: the inode's ctime changed, so it is read again (as git does).
    fs.writeFileSync(file, 'bbbb');
    fs.utimesSync(file, atime, mtime);
    expect((await hashTree(dir, { cache })).files[0]!.sha256).toBe(sha256sum(file));
    // A new mtime invalidates the entry too.
    fs.utimesSync(file, atime, new Date(mtime.getTime() + 5000));
    expect((await hashTree(dir, { cache })).files[0]!.sha256).toBe(sha256sum(file));
    store.close();
  });
});
