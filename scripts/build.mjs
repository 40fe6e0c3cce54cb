// Builds what is stale: the CLI/server bundle (dist/cli.mjs and its chunks) for Node, and, where present, the
// Electron main/preload bundles and the renderer. esbuild is fast enough that "stale" is "always".
import { build } from 'esbuild';
import { isBuiltin } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const define = { __REPROSCOPE_VERSION__: JSON.stringify(pkg.version) };
// vega-canvas's Node build awaits an optional `canvas` package at top level, which a CJS bundle
// cannot hold; its browser build is what runs when `canvas` is absent (it is not installed), so the
// report charts (vega's headless SVG renderer) take that one.
const vegaCanvasWithoutCanvas = {
  name: 'vega-canvas-without-canvas',
  setup(b) {
    b.onResolve({ filter: /^vega-canvas$/ }, () => ({
      path: path.join(root, 'node_modules/vega-canvas/build/vega-canvas.browser.js'),
    }));
  },
};
// zod's namespace re-exports its 60-odd message locales (`z.locales`), which reproscope never selects: zod's
// messages stay English (zod sets `en` itself), and leaving the rest out of the bundle takes a third off the zod
// every command loads (issue 13). A build that needs another locale imports it from zod/v4/locales/<name>.
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)
        ? { path: 'zod-locales', namespace: 'zod-english-only' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, () => ({
      contents: "export { default as en } from './en.js';",
      resolveDir: path.join(root, 'node_modules/zod/v4/locales'),
      loader: 'js',
    }));
  },
};
// playwright-core (PDF reports on the command line) reads its own files at run time and cannot be bundled.
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel: 'warning',
  define,
  external: ['better-sqlite3', 'electron', 'playwright-core'],
  plugins: [vegaCanvasWithoutCanvas, zodEnglishOnly],
};

// The CLI is split into chunks: each command loads only the code it uses, from the entry (the command tree,
// commander) through `import()` at the places that load a feature (issue 13: a command's start). esbuild splits ES
// modules only, and Node 20 keeps no compiled code of ES modules, so the split is made in two steps: the ES-module
// chunks are built in memory, then each one is turned into a CommonJS file of its own (its imports of the other
// chunks become `require`s, `import()` a `require` in a promise), which bin/reproscope.cjs compiles with V8's code
// cache. The chunks sit beside the entry in dist/, so `__dirname` is dist/ for all of them, as it was for one bundle.
const dist = path.join(root, 'dist');
fs.mkdirSync(dist, { recursive: true });
// chunks of an earlier build (and the ES-module chunks of before) would otherwise pile up
for (const f of fs.readdirSync(dist))
  if (/^cli(-[A-Z0-9]+)?\.(mjs|cjs)(\.map)?$/.test(f)) fs.rmSync(path.join(dist, f));

// esbuild's CommonJS form of `import fs from 'node:fs'` copies every export of the module into a fresh object
// (`__toESM`), which for node:fs is 0.2 ms per importing file, paid on every start; a built-in needs none of that:
// its module object, with itself as `default`, serves both `fs.readFileSync` and `import { readFileSync }`.
const builtinImport = 'var __rsMod = (m) => Object.create(m, { default: { value: m, enumerable: true } });';

// better-sqlite3's JavaScript is bundled into the CLI, so that opening the store compiles it with the code cache
// instead of resolving, reading and compiling its dozen files on every start (~5 ms); only its addon stays in
// node_modules. The package finds the addon through `bindings`, which looks beside the file that calls it: in the
// bundle, that would be dist/. It is pointed at the installed package instead, where it looks first (build/Release).
const sqliteAddon = {
  name: 'sqlite-addon',
  setup(b) {
    b.onResolve({ filter: /^bindings$/ }, (args) =>
      /[\\/]node_modules[\\/]better-sqlite3[\\/]/.test(args.importer)
        ? { path: 'bindings', namespace: 'sqlite-addon' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'sqlite-addon' }, () => ({
      contents: `const path = require('node:path');
module.exports = function bindings(name) {
  const root = path.dirname(require.resolve('better-sqlite3/package.json'));
  try {
    return require(path.join(root, 'build', 'Release', name));
  } catch (e) {
    if (e.code !== 'MODULE_NOT_FOUND') throw e;
    return require('bindings')({ bindings: name, module_root: root });
  }
};`,
      resolveDir: root,
      loader: 'js',
    }));
  },
};

/** Builds the CLI: dist/cli.cjs and its chunks dist/cli-<hash>.cjs. */
async function buildCli() {
  const esm = await build({
    ...common,
    external: common.external.filter((e) => e !== 'better-sqlite3'),
    plugins: [...common.plugins, sqliteAddon],
    format: 'esm',
    splitting: true,
    write: false,
    // the second step reads it, so the final maps lead back to the TypeScript sources
    sourcemap: 'inline',
    entryPoints: { cli: path.join(root, 'electron/cli/index.ts') },
    outdir: dist,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'cli-[hash]',
  });
  const chunks = new Map(esm.outputFiles.filter((f) => f.path.endsWith('.mjs')).map((f) => [f.path, f.text]));
  const chunkFile = /^\.\/(cli(?:-[A-Z0-9]+)?)\.mjs$/;
  const cjs = await build({
    ...common,
    write: false,
    plugins: [
      {
        name: 'cli-chunks',
        setup(b) {
          // the chunks are in memory, not on disk
          b.onResolve({ filter: /[\\/]cli(-[A-Z0-9]+)?\.mjs$/ }, (args) =>
            args.kind === 'entry-point' ? { path: args.path } : undefined,
          );
          // another chunk stays a file of its own, required at run time
          b.onResolve({ filter: chunkFile }, (args) => ({
            path: `./${chunkFile.exec(args.path)[1]}.cjs`,
            external: true,
          }));
          b.onLoad({ filter: /[\\/]cli(-[A-Z0-9]+)?\.mjs$/ }, (args) =>
            chunks.has(args.path) ? { contents: chunks.get(args.path), loader: 'js', resolveDir: dist } : undefined,
          );
        },
      },
    ],
    entryPoints: Object.fromEntries([...chunks.keys()].map((p) => [path.basename(p, '.mjs'), p])),
    outdir: dist,
    outExtension: { '.js': '.cjs' },
    // `import()` of a chunk becomes a `require` in a promise: what was loaded later is still loaded later
    supported: { 'dynamic-import': false },
    // ES modules run in strict mode; so do their CommonJS versions
    banner: { js: `'use strict';\n${builtinImport}` },
  });
  for (const f of cjs.outputFiles) {
    let text = f.text;
    // a Node built-in is imported as itself (see builtinImport), of the same length, so the source map still fits
    if (f.path.endsWith('.cjs'))
      text = text.replace(/__toESM\((require\("([^"]+)"\), 1\))/g, (all, rest, name) =>
        isBuiltin(name) ? `__rsMod(${rest}` : all,
      );
    fs.writeFileSync(f.path, text);
  }
}

const jobs = [
  buildCli(),
  // the worker thread `serve` parses MLprojects and large JSON bodies in (electron/core/parse-off-thread.ts)
  build({
    ...common,
    entryPoints: [path.join(root, 'electron/core/parse-worker-main.ts')],
    outfile: path.join(root, 'dist/parse-worker.cjs'),
  }),
  // the file-store import's read-ahead thread (electron/core/import/import-file-read-ahead.ts)
  build({
    ...common,
    entryPoints: [path.join(root, 'electron/core/import/import-file-worker-main.ts')],
    outfile: path.join(root, 'dist/import-file-worker.cjs'),
  }),
  // the file-store re-import's re-check thread (electron/core/import/import-file-recheck.ts)
  build({
    ...common,
    entryPoints: [path.join(root, 'electron/core/import/import-file-recheck-worker.ts')],
    outfile: path.join(root, 'dist/import-file-recheck-worker.cjs'),
  }),
];
const extra = path.join(root, 'scripts/build-extra.mjs');
if (fs.existsSync(extra)) jobs.push(import(extra).then((m) => m.buildExtra({ root, define, common })));
await Promise.all(jobs);
