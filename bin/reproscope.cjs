#!/usr/bin/env node
'use strict';
// The `reproscope` command: runs the built CLI (dist/cli.cjs and its chunks); build it first with `npm run build`.
// Each command loads only the chunks it uses (issue 13), and compiling them is much of a command's start, so their
// compiled code is kept in the user's cache folder: V8's code cache of each chunk (Node 20), or Node's own compile
// cache where it has one (22.1 and later). REPROSCOPE_NO_CODE_CACHE turns both off; any trouble with a cache only
// means compiling again.
const path = require('node:path');
const fs = require('node:fs');
const Module = require('node:module');
const dist = path.join(__dirname, '..', 'dist');
const entry = path.join(dist, 'cli.cjs');

function cacheDir() {
  const home = require('node:os').homedir();
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Caches', 'reproscope');
  if (process.platform === 'win32')
    return path.join(process.env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'reproscope', 'Cache');
  return path.join(process.env.XDG_CACHE_HOME || path.join(home, '.cache'), 'reproscope');
}

/** A short, stable name for a path (FNV-1a), so two checkouts keep their caches apart. */
function nameOf(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/**
 * Compiles the CLI's chunks (dist/cli.cjs, dist/cli-<hash>.cjs) with V8's code cache, kept per chunk and keyed by
 * its size and mtime, Node's version and the checkout. A chunk without a usable cache is compiled as usual, and its
 * cache written when the command exits, so the functions this command ran are in it compiled.
 */
/**
 * Removes the code caches of other checkouts that are gone (each folder names its checkout's dist in `dist.txt`),
 * and any unused for 30 days: every clone, worktree and CI checkout that ran the CLI left a folder of 0.5 MB.
 * Runs only when a cache is written, that is after a build.
 */
function pruneOtherCheckouts(parent, where, realDist) {
  const marker = path.join(where, 'dist.txt');
  if (!fs.existsSync(marker)) fs.writeFileSync(marker, realDist, { mode: 0o600 });
  const month = 30 * 86_400_000;
  for (const name of fs.readdirSync(parent)) {
    const abs = path.join(parent, name);
    if (abs === where) continue;
    try {
      let gone;
      try {
        gone = !fs.existsSync(fs.readFileSync(path.join(abs, 'dist.txt'), 'utf8'));
      } catch {
        // a folder of an earlier version, which named no checkout: kept for a day, then taken as gone
        gone = Date.now() - fs.statSync(abs).mtimeMs > 86_400_000;
      }
      if (gone || Date.now() - fs.statSync(abs).mtimeMs > month) fs.rmSync(abs, { recursive: true, force: true });
    } catch {
      // another command is pruning too
    }
  }
}

function useCodeCache() {
  const vm = require('node:vm');
  let realDist;
  try {
    realDist = fs.realpathSync(dist);
  } catch {
    return;
  }
  const root = cacheDir();
  const where = path.join(root, 'code-cache', `${process.version}-${process.arch}-${nameOf(realDist)}`);
  const chunk = /^cli(-[A-Z0-9]+)?\.cjs$/;
  const keyOf = (stat) => `${stat.size}-${Math.floor(stat.mtimeMs)}`;
  const missing = [];
  const plain = Module._extensions['.js'];
  // Node compiles a .cjs file with the .js handler; only the CLI's own chunks take the cache
  Module._extensions['.js'] = function (module, filename) {
    const base = path.basename(filename);
    if (path.dirname(filename) !== realDist || !chunk.test(base)) return plain.call(this, module, filename);
    const stat = fs.statSync(filename);
    const source = fs.readFileSync(filename, 'utf8');
    const file = path.join(where, `${base}.${keyOf(stat)}.v8cache`);
    let cachedData;
    try {
      cachedData = fs.readFileSync(file);
    } catch {
      cachedData = undefined;
    }
    const script = new vm.Script(Module.wrap(source), {
      filename,
      cachedData,
      importModuleDynamically: vm.constants && vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    if (cachedData === undefined || script.cachedDataRejected) missing.push({ script, file });
    script
      .runInThisContext({ displayErrors: true })
      .call(module.exports, module.exports, Module.createRequire(filename), module, filename, realDist);
  };
  process.once('exit', () => {
    if (missing.length === 0) return;
    try {
      fs.mkdirSync(where, { recursive: true, mode: 0o700 });
      // caches of chunks that a rebuild replaced, and the one-bundle caches of earlier versions (cli-*.v8cache)
      for (const old of fs.readdirSync(where)) {
        if (old === 'dist.txt') continue;
        const m = /^(cli(?:-[A-Z0-9]+)?\.cjs)\.(\d+-\d+)\.v8cache(\.\d+\.tmp)?$/.exec(old);
        let current = false;
        try {
          // another command's file being written is left alone, unless it was left behind long ago
          if (m && m[3]) current = Date.now() - fs.statSync(path.join(where, old)).mtimeMs < 600_000;
          else current = m !== null && keyOf(fs.statSync(path.join(realDist, m[1]))) === m[2];
        } catch {
          current = false;
        }
        if (!current) fs.rmSync(path.join(where, old), { force: true });
      }
      for (const old of fs.readdirSync(root))
        if (/^cli-[0-9a-f]{12}-\d+-\d+-v[\d.]+-\w+\.v8cache$/.test(old))
          fs.rmSync(path.join(root, old), { force: true });
      pruneOtherCheckouts(path.dirname(where), where, realDist);
      for (const { script, file } of missing) {
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        fs.renameSync(tmp, file);
      }
    } catch {
      // a read-only home: compile again next time
    }
  });
}

if (!fs.existsSync(entry)) {
  process.stderr.write(
    `reproscope: ${entry} is missing; run \`npm run build\` in ${path.join(__dirname, '..')} first.\n`,
  );
  process.exit(1);
}
if (!process.env.REPROSCOPE_NO_CODE_CACHE) {
  if (typeof Module.enableCompileCache === 'function') {
    try {
      // Node keys its cache by file content and its own version
      Module.enableCompileCache(path.join(cacheDir(), 'compile-cache'));
    } catch {
      // no cache: the chunks are compiled as usual
    }
  } else useCodeCache();
}
try {
  require(entry);
} catch (e) {
  process.stderr.write(`reproscope: internal error: ${(e && e.stack) || String(e)}\n`);
  process.exitCode = 1;
}
