// Builds what is stale: the CLI/server bundle (dist/cli.cjs) for Node, and, where present, the
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
  plugins: [vegaCanvasWithoutCanvas],
};

const jobs = [
  build({
    ...common,
    entryPoints: [path.join(root, 'electron/cli/index.ts')],
    outfile: path.join(root, 'dist/cli.cjs'),
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
