// Builds what is stale: the CLI/server bundle (dist/cli.cjs) for Node, and, where present, the
// Electron main/preload bundles and the renderer. esbuild is fast enough that "stale" is "always".
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const define = { __REPROSCOPE_VERSION__: JSON.stringify(pkg.version) };
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'linked', logLevel: 'warning', define, external: ['better-sqlite3', 'electron'] };

const jobs = [
  build({ ...common, entryPoints: [path.join(root, 'electron/cli/index.ts')], outfile: path.join(root, 'dist/cli.cjs') }),
];
const extra = path.join(root, 'scripts/build-extra.mjs');
if (fs.existsSync(extra)) jobs.push(import(extra).then((m) => m.buildExtra({ root, define, common })));
await Promise.all(jobs);
