// Finds the Python interpreters installed by pyenv, uv, conda/mamba, asdf and the system, where each tool keeps them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { whichSync } from './python-which';

/**
 * `mlflow run --env-manager virtualenv` asks pyenv (or uv) for the exact Python a python_env names. We never install
 * one (offline machines), but we look where those tools put the interpreters they installed, so a user who has
 * `pyenv install 3.8.18` done is not told "no Python 3.8 found" because only the shims are on PATH. The version is
 * read from the folder's name (pyenv `versions/3.8.18`, uv `cpython-3.8.18-linux-x86_64-gnu`, conda's
 * `conda-meta/python-3.8.18-*.json`), so listing costs no process; the caller runs the one it picks to confirm.
 */

/** One interpreter found on disk, with the version its install folder names (null when the folder does not say). */
export interface InstalledPython {
  python: string;
  version: string | null;
  /** Which tool installed it, for messages: pyenv, uv, conda, asdf, path, system. */
  source: string;
}

const VERSION = /^(\d+\.\d+(?:\.\d+)?)/;

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** The first of `names` that is an executable file in `dir` (whichSync with `dir` as the only PATH entry). */
function firstExecutable(dir: string, names: string[]): string | null {
  for (const n of names) {
    const found = whichSync(n, dir);
    if (found) return found;
  }
  return null;
}

/** `<root>/<X.Y.Z>/bin/python3` for each folder named exactly by a version: how pyenv and asdf lay out installs. */
function versionFolders(root: string, source: string): InstalledPython[] {
  return listDir(root).flatMap((name) => {
    const m = VERSION.exec(name);
    const python = firstExecutable(path.join(root, name, 'bin'), ['python3', 'python']);
    return m && python && m[1] === name ? [{ python, version: m[1], source }] : [];
  });
}

/** pyenv: `$PYENV_ROOT/versions/<version>/bin/python` (default root `~/.pyenv`); virtualenvs made by pyenv-virtualenv are skipped. */
function pyenvPythons(env: NodeJS.ProcessEnv, home: string): InstalledPython[] {
  return versionFolders(path.join(env.PYENV_ROOT || path.join(home, '.pyenv'), 'versions'), 'pyenv');
}

/** uv: `$UV_PYTHON_INSTALL_DIR` or `$XDG_DATA_HOME/uv/python` (default `~/.local/share/uv/python`), folders `cpython-<version>-<platform>`. */
function uvPythons(env: NodeJS.ProcessEnv, home: string): InstalledPython[] {
  const data = env.XDG_DATA_HOME || path.join(home, '.local', 'share');
  const root = env.UV_PYTHON_INSTALL_DIR || path.join(data, 'uv', 'python');
  return listDir(root).flatMap((name) => {
    const m = /^cpython-(\d+\.\d+\.\d+)(?:[+-]|$)/.exec(name);
    const python = firstExecutable(path.join(root, name, 'bin'), ['python3', 'python']);
    return m && python ? [{ python, version: m[1]!, source: 'uv' }] : [];
  });
}

/** The Python a conda prefix holds, its version read from `conda-meta/python-<version>-<build>.json`. */
function condaPrefixPython(prefix: string): InstalledPython | null {
  const python = firstExecutable(path.join(prefix, 'bin'), ['python3', 'python']);
  if (!python) return null;
  const meta = listDir(path.join(prefix, 'conda-meta'))
    .map((f) => /^python-(\d+\.\d+\.\d+)-.*\.json$/.exec(f)?.[1])
    .find(Boolean);
  return { python, version: meta ?? null, source: 'conda' };
}

/** conda/mamba: the active prefix, `$MLFLOW_CONDA_HOME`, and the usual install folders, each with its `envs/*`. */
function condaPythons(env: NodeJS.ProcessEnv, home: string): InstalledPython[] {
  const bases = [
    env.CONDA_PREFIX,
    env.MLFLOW_CONDA_HOME,
    ...['miniconda3', 'anaconda3', 'miniforge3', 'mambaforge', 'micromamba', '.conda'].map((d) => path.join(home, d)),
    '/opt/conda',
    '/opt/miniconda3',
    '/opt/anaconda3',
  ].filter((b): b is string => Boolean(b));
  const prefixes = bases.flatMap((b) => [b, ...listDir(path.join(b, 'envs')).map((e) => path.join(b, 'envs', e))]);
  return prefixes.map(condaPrefixPython).filter((p): p is InstalledPython => p !== null);
}

/** asdf: `~/.asdf/installs/python/<version>/bin/python`. */
function asdfPythons(env: NodeJS.ProcessEnv, home: string): InstalledPython[] {
  return versionFolders(path.join(env.ASDF_DATA_DIR || path.join(home, '.asdf'), 'installs', 'python'), 'asdf');
}

/** `python3.X` on PATH and in the system folders; the version is only the minor one the name gives. */
function namedPythons(minor: string | null, envPath: string | undefined): InstalledPython[] {
  const names = minor ? [`python${minor}`] : [];
  const out: InstalledPython[] = [];
  for (const n of names) {
    const onPath = whichSync(n, envPath);
    if (onPath) out.push({ python: onPath, version: null, source: 'path' });
    for (const dir of ['/usr/local/bin', '/usr/bin']) {
      const f = whichSync(n, dir);
      if (f) out.push({ python: f, version: null, source: 'system' });
    }
  }
  return out;
}

/**
 * Every interpreter that might serve `version` ("3.8" or "3.8.18"), most specific first: those whose folder names
 * exactly that version, then those of the same minor version, then unnamed ones (to be asked). Duplicates (the same
 * real file) are dropped.
 */
export function installedPythonsFor(version: string | null, env: NodeJS.ProcessEnv): InstalledPython[] {
  const home = env.HOME || os.homedir();
  const minor = version ? version.split('.').slice(0, 2).join('.') : null;
  const all = [
    ...pyenvPythons(env, home),
    ...uvPythons(env, home),
    ...condaPythons(env, home),
    ...asdfPythons(env, home),
    ...namedPythons(minor, env.PATH),
  ];
  const rank = (p: InstalledPython): number => {
    if (!version) return 1;
    if (p.version === null) return 2;
    if (p.version === version) return 0;
    if (p.version.startsWith(`${version}.`)) return 0;
    if (minor && (p.version === minor || p.version.startsWith(`${minor}.`))) return 1;
    return 3;
  };
  const seen = new Set<string>();
  return all
    .map((p, i) => ({ p, r: rank(p), i }))
    .filter((x) => x.r < 3)
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.p)
    .filter((p) => {
      let real: string;
      try {
        real = fs.realpathSync(p.python);
      } catch {
        return false;
      }
      if (seen.has(`${real}\0${p.version ?? ''}`)) return false;
      seen.add(`${real}\0${p.version ?? ''}`);
      return true;
    });
}
