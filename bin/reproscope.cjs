#!/usr/bin/env node
'use strict';
// The `reproscope` command: runs the bundled CLI; build it first with `npm run build`.
// Compiling the 4 MB bundle is most of a command's start (issue 13), so V8's code cache of it is
// kept in the user's cache folder, keyed by the bundle's size and mtime and by Node's version; any
// trouble with the cache falls back to a plain require.
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', 'dist', 'cli.cjs');

function cacheDir() {
  const home = require('node:os').homedir();
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Caches', 'reproscope');
  if (process.platform === 'win32')
    return path.join(process.env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'reproscope', 'Cache');
  return path.join(process.env.XDG_CACHE_HOME || path.join(home, '.cache'), 'reproscope');
}

/** Runs the bundle as a CommonJS module compiled with a code cache; false when it could not be set up. */
function runWithCodeCache(stat) {
  const vm = require('node:vm');
  const Module = require('node:module');
  if (!vm.constants || !vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER) return false;
  const key = `${stat.size}-${Math.floor(stat.mtimeMs)}-${process.version}-${process.arch}`;
  // one cache per installed bundle: two checkouts do not evict each other's
  const where = require('node:crypto').createHash('sha256').update(bundle).digest('hex').slice(0, 12);
  const cacheFile = path.join(cacheDir(), `cli-${where}-${key}.v8cache`);
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  let script;
  try {
    script = new vm.Script(Module.wrap(fs.readFileSync(bundle, 'utf8')), {
      filename: bundle,
      cachedData,
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
  } catch {
    return false;
  }
  if (cachedData === undefined || script.cachedDataRejected) {
    // written at exit, so the functions this command ran are in it compiled
    process.once('exit', () => {
      try {
        fs.mkdirSync(path.dirname(cacheFile), { recursive: true, mode: 0o700 });
        for (const old of fs.readdirSync(path.dirname(cacheFile)))
          if (old.startsWith(`cli-${where}-`) && old.endsWith('.v8cache'))
            fs.rmSync(path.join(path.dirname(cacheFile), old));
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        fs.renameSync(tmp, cacheFile);
      } catch {
        // a read-only home: compile again next time
      }
    });
  }
  const mod = new Module(bundle, module);
  mod.filename = bundle;
  mod.paths = Module._nodeModulePaths(path.dirname(bundle));
  require.cache[bundle] = mod;
  script
    .runInThisContext()
    .call(mod.exports, mod.exports, Module.createRequire(bundle), mod, bundle, path.dirname(bundle));
  mod.loaded = true;
  return true;
}

let stat;
try {
  stat = fs.statSync(bundle);
} catch {
  process.stderr.write(
    `reproscope: ${bundle} is missing; run \`npm run build\` in ${path.join(__dirname, '..')} first.\n`,
  );
  process.exit(1);
}
if (process.env.REPROSCOPE_NO_CODE_CACHE || !runWithCodeCache(stat)) require(bundle);
