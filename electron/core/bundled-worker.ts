/** Where a worker bundle built by scripts/build.mjs lies, from whichever bundle or source file is running. */
import fs from 'node:fs';
import path from 'node:path';

/**
 * The path of the bundled worker `name` (e.g. `import-file-worker.cjs`), or null when none is built: beside the
 * CLI bundle (dist/), above the Electron bundles, beside a bench bundle (.bench/), or in the dist/ of the checkout
 * the sources run from (tests).
 */
export function bundledWorker(name: string): string | null {
  const candidates = [
    path.join(__dirname, name),
    path.join(__dirname, '..', name),
    path.join(__dirname, '..', 'dist', name),
    path.join(__dirname, '..', '..', 'dist', name),
  ];
  return candidates.find((f) => fs.existsSync(f)) ?? null;
}
