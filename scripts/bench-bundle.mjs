// Bundles a bench's TypeScript entry (written from the sources into .bench/) into .bench/<name>.cjs and loads it: one set of build settings for every bench.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);

// vega-canvas's Node build awaits an optional `canvas` package at top level, which a CJS bundle cannot hold; the
// browser build is what runs without it (the same swap scripts/build.mjs makes for the CLI).
const vegaCanvasBrowser = {
  name: 'vega-canvas-browser',
  setup(b) {
    b.onResolve({ filter: /^vega-canvas$/ }, () => ({
      path: path.join(root, 'node_modules/vega-canvas/build/vega-canvas.browser.js'),
    }));
  },
};

/** Bundles `entry` to `.bench/<name>.cjs` (better-sqlite3 and playwright-core left to Node) and returns the module. */
export async function bundleForBench(entry, name) {
  const out = path.join(root, '.bench', `${name}.cjs`);
  await build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['better-sqlite3', 'playwright-core'],
    nodePaths: [path.join(root, 'node_modules')],
    define: { __REPROSCOPE_VERSION__: JSON.stringify('bench') },
    logLevel: 'error',
    plugins: [vegaCanvasBrowser],
  });
  return require(out);
}
