// Finding python_env's interpreter where pyenv, uv and conda install them, as `--env-manager virtualenv` needs.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureVirtualenv, findPythonFor } from '../../../electron/platform/python-env';
import { SYSTEM_PYTHON, tempDir } from '../../helpers/temp';

const version = execFileSync(SYSTEM_PYTHON, ['-c', 'import platform; print(platform.python_version())'], {
  encoding: 'utf8',
}).trim();
const minor = version.split('.').slice(0, 2).join('.');

/** Places Debian's real interpreter (a link) where a tool would have installed it, as bin/python3 under `dir`. */
function install(dir: string): string {
  fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
  const python = path.join(dir, 'bin', 'python3');
  fs.symlinkSync(SYSTEM_PYTHON, python);
  return python;
}

/** An environment whose PATH offers no python at all, so only the install folders can answer. */
function bareEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const emptyBin = tempDir();
  return { PATH: emptyBin, HOME: tempDir(), ...extra };
}

describe('interpreters installed by pyenv, uv and conda', () => {
  it('finds the exact version in a pyenv root (PYENV_ROOT), though PATH has no python', async () => {
    const root = tempDir();
    const python = install(path.join(root, 'versions', version));
    install(path.join(root, 'versions', '3.4.10')); // another version: never chosen for ours
    const found = await findPythonFor(version, null, bareEnv({ PYENV_ROOT: root }));
    expect(found).toEqual({ python, version, source: 'pyenv' });
    // a minor version ("3.11") matches the installed patch release
    expect((await findPythonFor(minor, null, bareEnv({ PYENV_ROOT: root }))).python).toBe(python);
  });

  it("finds uv's managed interpreters (cpython-<version>-<platform>) under XDG_DATA_HOME", async () => {
    const data = tempDir();
    const python = install(path.join(data, 'uv', 'python', `cpython-${version}-linux-x86_64-gnu`));
    const found = await findPythonFor(minor, null, bareEnv({ XDG_DATA_HOME: data }));
    expect(found).toMatchObject({ python, version, source: 'uv' });
  });

  it("finds a conda environment's python under ~/miniconda3/envs, its version read from conda-meta", async () => {
    const home = tempDir();
    const prefix = path.join(home, 'miniconda3', 'envs', 'paper');
    const python = install(prefix);
    fs.mkdirSync(path.join(prefix, 'conda-meta'));
    fs.writeFileSync(path.join(prefix, 'conda-meta', `python-${version}-h955ad1f_0.json`), '{}');
    const found = await findPythonFor(version, null, { PATH: tempDir(), HOME: home });
    expect(found).toMatchObject({ python, version, source: 'conda' });
  });

  it('names the version, the folders it looked in and how to install it when none matches', async () => {
    const root = tempDir();
    install(path.join(root, 'versions', version));
    const err = await findPythonFor('3.4.10', null, bareEnv({ PYENV_ROOT: root })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ENVIRONMENT_UNAVAILABLE' });
    const e = err as { message: string; hint: string };
    expect(e.message).toContain('Python 3.4.10');
    expect(e.message).toMatch(/pyenv, uv, conda and asdf/);
    expect(e.message).toContain(`(${version})`); // what it did find, so the user sees the near miss
    expect(e.hint).toContain('pyenv install 3.4.10');
  });

  it('builds the virtualenv from the pyenv interpreter and says where it came from', async () => {
    const root = tempDir();
    install(path.join(root, 'versions', version));
    const logs: string[] = [];
    const env = bareEnv({ PYENV_ROOT: root });
    const prepared = await ensureVirtualenv(
      { python: version, build_dependencies: [], dependencies: [] },
      {
        preferredPython: null,
        envsDir: tempDir(),
        projectDir: tempDir(),
        pipOptions: [],
        env,
        onLog: (l) => logs.push(l),
      },
    );
    expect(logs.join('\n')).toContain('from pyenv');
    const ran = execFileSync(
      prepared.python,
      ['-c', 'import sys, platform; print(platform.python_version(), sys.prefix != sys.base_prefix)'],
      {
        encoding: 'utf8',
      },
    ).trim();
    expect(ran).toBe(`${version} True`);
  });

  // The machines this project runs on have a real pyenv with several versions; use it when it is there.
  const realRoot = path.join(os.homedir(), '.pyenv', 'versions');
  const realVersions = fs.existsSync(realRoot) ? fs.readdirSync(realRoot).filter((v) => /^3\.\d+\.\d+$/.test(v)) : [];
  const other = realVersions.find((v) => !v.startsWith(`${minor}.`));
  it.skipIf(!other)(
    `finds a real pyenv install of another version (${other ?? 'none here: ~/.pyenv has none'})`,
    async () => {
      const found = await findPythonFor(other!, null, { PATH: tempDir(), HOME: os.homedir() });
      expect(found).toMatchObject({ version: other, source: 'pyenv' });
      expect(found.python.startsWith(realRoot)).toBe(true);
    },
  );
});
