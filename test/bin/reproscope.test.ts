// The launcher's code cache: kept per chunk in the user's cache folder, and a damaged or stale one never breaks a command.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempDir } from '../helpers/temp';

/** The cache files of this checkout's chunks, by name. */
function cacheFiles(cacheHome: string): Map<string, string> {
  const root = path.join(cacheHome, 'reproscope', 'code-cache');
  const files = new Map<string, string>();
  if (!fs.existsSync(root)) return files;
  for (const dir of fs.readdirSync(root))
    for (const f of fs.readdirSync(path.join(root, dir)))
      if (f.endsWith('.v8cache')) files.set(f, path.join(root, dir, f));
  return files;
}

describe('reproscope launcher', () => {
  it('keeps each chunk compiled, and a damaged cache is compiled again and replaced, not run', async () => {
    const cache = tempDir();
    // an earlier version's one-bundle cache, which the launcher now removes
    const oldBundleCache = path.join(
      cache,
      'reproscope',
      'cli-12d147ed714f-5551183-1796141842291-v20.20.2-x64.v8cache',
    );
    fs.mkdirSync(path.dirname(oldBundleCache), { recursive: true });
    fs.writeFileSync(oldBundleCache, 'old');
    const env = { XDG_CACHE_HOME: cache, REPROSCOPE_HOME: path.join(cache, 'store') };

    const first = await runCli(['runs'], { env });
    expect(first.code).toBe(0);
    const written = cacheFiles(cache);
    expect([...written.keys()]).toContainEqual(expect.stringMatching(/^cli\.cjs\.\d+-\d+\.v8cache$/));
    expect(written.size).toBeGreaterThan(3);
    expect(fs.existsSync(oldBundleCache)).toBe(false);

    // every cache damaged: the command still runs and prints the same, and the caches are written again
    for (const file of written.values()) fs.writeFileSync(file, Buffer.alloc(256, 7));
    const damaged = await runCli(['runs'], { env });
    expect(damaged).toEqual(first);
    for (const file of cacheFiles(cache).values())
      expect(fs.readFileSync(file).equals(Buffer.alloc(256, 7))).toBe(false);

    // and with the cache turned off, nothing is read or written
    fs.rmSync(path.join(cache, 'reproscope', 'code-cache'), { recursive: true });
    const off = await runCli(['runs'], { env: { ...env, REPROSCOPE_NO_CODE_CACHE: '1' } });
    expect(off).toEqual(first);
    expect(cacheFiles(cache).size).toBe(0);
  });

  it('removes the caches of checkouts that are gone, and keeps those of checkouts still there', async () => {
    const cache = tempDir();
    const root = path.join(cache, 'reproscope', 'code-cache');
    const alive = tempDir();
    const folder = (name: string, dist: string | null): string => {
      const dir = path.join(root, name);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'cli.cjs.1-2.v8cache'), 'x');
      if (dist !== null) fs.writeFileSync(path.join(dir, 'dist.txt'), dist);
      return dir;
    };
    const gone = folder('v20.0.0-x64-aaaaaaaa', path.join(alive, 'deleted-checkout', 'dist'));
    const kept = folder('v20.0.0-x64-bbbbbbbb', alive);
    const unnamed = folder('v20.0.0-x64-cccccccc', null);
    const r = await runCli(['runs'], { env: { XDG_CACHE_HOME: cache, REPROSCOPE_HOME: path.join(cache, 'store') } });
    expect(r.code).toBe(0);
    expect(fs.existsSync(gone)).toBe(false);
    expect(fs.existsSync(kept)).toBe(true);
    // a folder of an earlier launcher names no checkout: kept for a day
    expect(fs.existsSync(unnamed)).toBe(true);
    // this checkout's own folder names it
    const own = fs.readdirSync(root).filter((d) => ![path.basename(kept), path.basename(unnamed)].includes(d));
    expect(own).toHaveLength(1);
    expect(fs.readFileSync(path.join(root, own[0]!, 'dist.txt'), 'utf8')).toBe(
      fs.realpathSync(path.join(REPO_ROOT, 'dist')),
    );
  });
});
