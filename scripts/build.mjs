// Builds what is stale: the CLI/server bundle (dist/cli.mjs and its chunks) for Node, and, where present, the
// Electron main/preload bundles and the renderer. esbuild is fast enough that "stale" is "always".
import { build } from 'esbuild';
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

// The CLI is ES modules split into chunks: each command loads only the code it uses, from the entry (the command
// tree, commander) through `import()` at the places that load a feature (issue 13: a command's start).
// The chunks sit beside the entry in dist/, so `__dirname` is dist/ for all of them, as it was for one bundle.
// Node's ES modules have no `require`, `__filename` or `__dirname`: every chunk defines its own.
const esmPrelude = [
  "import { createRequire as __rsCreateRequire } from 'node:module';",
  "import { fileURLToPath as __rsFileURLToPath } from 'node:url';",
  "import { dirname as __rsDirname } from 'node:path';",
  'const require = __rsCreateRequire(import.meta.url);',
  'const __filename = __rsFileURLToPath(import.meta.url);',
  'const __dirname = __rsDirname(__filename);',
].join('\n');
const dist = path.join(root, 'dist');
fs.mkdirSync(dist, { recursive: true });
// chunks of an earlier build (and the single bundle of before) would otherwise pile up
for (const f of fs.readdirSync(dist))
  if (/^cli(-[A-Z0-9]+)?\.(mjs|cjs)(\.map)?$/.test(f)) fs.rmSync(path.join(dist, f));

const jobs = [
  build({
    ...common,
    format: 'esm',
    splitting: true,
    entryPoints: { cli: path.join(root, 'electron/cli/index.ts') },
    outdir: dist,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'cli-[hash]',
    banner: { js: esmPrelude },
  }),
  // the worker thread `serve` parses MLprojects and large JSON bodies in (electron/core/parse-off-thread.ts)
  build({
    ...common,
    entryPoints: [path.join(root, 'electron/core/parse-worker-main.ts')],
    outfile: path.join(root, 'dist/parse-worker.cjs'),
  }),
];
const extra = path.join(root, 'scripts/build-extra.mjs');
if (fs.existsSync(extra)) jobs.push(import(extra).then((m) => m.buildExtra({ root, define, common })));
await Promise.all(jobs);
