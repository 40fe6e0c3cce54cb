// The desktop app's bundles, called by scripts/build.mjs: Electron's main and preload (Node/CJS,
// `electron` left to the runtime) and the renderer (browser ESM + CSS + index.html) in dist/renderer,
// which both the app:// protocol and `reproscope serve` serve.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

/** Builds dist/electron/{main,preload}.cjs and dist/renderer/. */
export async function buildExtra({ root, define, common }) {
  const out = path.join(root, 'dist');
  const rendererOut = path.join(out, 'renderer');
  fs.mkdirSync(path.join(rendererOut, 'assets'), { recursive: true });
  fs.copyFileSync(path.join(root, 'renderer', 'index.html'), path.join(rendererOut, 'index.html'));
  await Promise.all([
    build({
      ...common,
      entryPoints: [path.join(root, 'electron/main.ts')],
      outfile: path.join(out, 'electron/main.cjs'),
    }),
    // a sandboxed preload can require only `electron` and a few built-ins: everything else is bundled in
    build({
      ...common,
      external: ['electron'],
      entryPoints: [path.join(root, 'electron/preload.ts')],
      outfile: path.join(out, 'electron/preload.cjs'),
    }),
    build({
      entryPoints: { app: path.join(root, 'renderer/main.tsx') },
      outdir: path.join(rendererOut, 'assets'),
      bundle: true,
      platform: 'browser',
      format: 'esm',
      // charts (vega) load as a chunk of their own when a view first draws one
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      target: ['chrome120'],
      jsx: 'automatic',
      minify: true,
      sourcemap: 'linked',
      logLevel: 'warning',
      loader: { '.css': 'css' },
      define: { ...define, 'process.env.NODE_ENV': '"production"' },
    }),
  ]);
}
