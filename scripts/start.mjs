// `npm start`: builds what is stale, then opens the desktop app. Where the Electron runtime is not
// installed (npm's allowScripts denies electron's install script, so `npm ci` never downloads it),
// it tries electron's own installer once; if that fails too (offline, a locked-down network), it
// says so in one line and starts `reproscope serve --open`: the same app in the browser.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const rel = (...p) => path.join(root, ...p);
const say = (line) => process.stderr.write(`reproscope: ${line}\n`);
const passThrough = process.argv.slice(2); // e.g. `npm start -- --port 9000` reaches serve

/** The newest modification time under the given paths (files or folders). */
function newest(paths) {
  let max = 0;
  const visit = (p) => {
    let st;
    try {
      st = fs.statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p)) if (e !== 'node_modules') visit(path.join(p, e));
    } else max = Math.max(max, st.mtimeMs);
  };
  paths.forEach(visit);
  return max;
}

function oldestOutput(files) {
  let min = Infinity;
  for (const f of files) {
    try {
      min = Math.min(min, fs.statSync(f).mtimeMs);
    } catch {
      return 0;
    }
  }
  return min;
}

function buildIfStale() {
  const sources = newest(
    ['shared', 'electron', 'renderer', 'scripts/build.mjs', 'scripts/build-extra.mjs', 'package.json'].map((p) =>
      rel(p),
    ),
  );
  const outputs = oldestOutput(
    [
      'dist/cli.cjs',
      'dist/electron/main.cjs',
      'dist/electron/preload.cjs',
      'dist/renderer/index.html',
      'dist/renderer/assets/app.js',
    ].map((p) => rel(p)),
  );
  if (outputs >= sources) return;
  say('building…');
  const r = spawnSync(process.execPath, [rel('scripts/build.mjs')], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) {
    say('the build failed; see above.');
    process.exit(r.status ?? 1);
  }
}

/** The Electron executable, or null when the runtime is not installed. */
function electronBinary() {
  try {
    const p = fs.readFileSync(rel('node_modules/electron/path.txt'), 'utf8').trim();
    const bin = rel('node_modules/electron/dist', p);
    return fs.existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

function tryInstallElectron() {
  const installer = rel('node_modules/electron/install.js');
  if (!fs.existsSync(installer)) return false;
  const r = spawnSync(process.execPath, [installer], {
    cwd: rel('node_modules/electron'),
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 60_000,
    encoding: 'utf8',
  });
  return r.status === 0 && electronBinary() !== null;
}

/**
 * better-sqlite3 is a native module: the copy in node_modules is built for Node (tests, CLI,
 * serve) and cannot load in Electron, whose ABI differs. Electron gets its own copy, built once per
 * Electron version with node-gyp against Electron's headers into .electron-native/, then placed
 * at dist/electron/node_modules/ where Node's resolution finds it before the root one.
 * (@electron/rebuild would do the same; it is not a dependency. This path cannot be exercised on
 * machines without the Electron runtime, such as the ones reproscope is built on.)
 */
function ensureElectronSqlite() {
  const version = JSON.parse(fs.readFileSync(rel('node_modules/electron/package.json'), 'utf8')).version;
  const cache = rel('.electron-native', `electron-${version}-${process.platform}-${process.arch}`, 'better-sqlite3');
  const binary = path.join(cache, 'build', 'Release', 'better_sqlite3.node');
  if (!fs.existsSync(binary)) {
    say(`building better-sqlite3 for Electron ${version} (once)…`);
    fs.rmSync(cache, { recursive: true, force: true });
    fs.cpSync(rel('node_modules/better-sqlite3'), cache, {
      recursive: true,
      filter: (src) => !src.includes(`${path.sep}build${path.sep}`) && !src.endsWith(`${path.sep}build`),
    });
    const r = spawnSync(
      process.platform === 'win32' ? 'npx.cmd' : 'npx',
      [
        '--yes',
        'node-gyp',
        'rebuild',
        '--release',
        `--target=${version}`,
        `--arch=${process.arch}`,
        '--dist-url=https://electronjs.org/headers',
        '--runtime=electron',
      ],
      { cwd: cache, stdio: 'inherit' },
    );
    if (r.status !== 0 || !fs.existsSync(binary)) return false;
  }
  const target = rel('dist/electron/node_modules/better-sqlite3');
  const stamp = path.join(target, '.electron-version');
  if (!fs.existsSync(stamp) || fs.readFileSync(stamp, 'utf8') !== version) {
    fs.rmSync(target, { recursive: true, force: true });
    fs.cpSync(cache, target, { recursive: true });
    fs.writeFileSync(stamp, version);
  }
  return true;
}

function run(cmd, args) {
  const child = spawn(cmd, args, { stdio: 'inherit', cwd: root });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

function serveInstead(reason) {
  say(`${reason}; starting \`reproscope serve --open\` instead (the same app in your browser).`);
  run(process.execPath, [rel('bin/reproscope.cjs'), 'serve', '--open', ...passThrough]);
}

buildIfStale();
let electron = electronBinary();
if (!electron && process.env.REPROSCOPE_NO_ELECTRON_DOWNLOAD !== '1' && tryInstallElectron())
  electron = electronBinary();
if (!electron) serveInstead('the Electron runtime is not installed and could not be downloaded here');
else if (!ensureElectronSqlite())
  serveInstead(
    "better-sqlite3 could not be built for Electron (node-gyp needs a C++ toolchain and Electron's headers)",
  );
else run(electron, [root]);
