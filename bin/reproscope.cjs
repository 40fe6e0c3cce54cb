#!/usr/bin/env node
'use strict';
// The `reproscope` command: runs the built CLI (dist/cli.mjs and its chunks); build it first with `npm run build`.
// Each command loads only the chunks it uses (issue 13). Where Node has a compile cache (22.1 and later), the
// chunks' compiled code is kept in the user's cache folder, so a command's next start need not compile them again;
// on older Node, or with REPROSCOPE_NO_CODE_CACHE set, they are compiled each time.
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'cli.mjs');

function cacheDir() {
  const home = require('node:os').homedir();
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Caches', 'reproscope');
  if (process.platform === 'win32')
    return path.join(process.env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'reproscope', 'Cache');
  return path.join(process.env.XDG_CACHE_HOME || path.join(home, '.cache'), 'reproscope');
}

if (!fs.existsSync(entry)) {
  process.stderr.write(
    `reproscope: ${entry} is missing; run \`npm run build\` in ${path.join(__dirname, '..')} first.\n`,
  );
  process.exit(1);
}
const Module = require('node:module');
if (typeof Module.enableCompileCache === 'function' && !process.env.REPROSCOPE_NO_CODE_CACHE) {
  try {
    // Node keys the cache by file content and its own version; a read-only home only means compiling again
    Module.enableCompileCache(path.join(cacheDir(), 'compile-cache'));
  } catch {
    // no cache: the chunks are compiled as usual
  }
}
import(require('node:url').pathToFileURL(entry).href).catch((e) => {
  process.stderr.write(`reproscope: internal error: ${(e && e.stack) || String(e)}\n`);
  process.exitCode = 1;
});
