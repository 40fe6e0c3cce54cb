// The probe's package cache on real interpreters: kept while nothing installed changes, refreshed when site-packages does; numpy facts read from its files.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { probePython } from '../../../electron/platform/python-probe';
import { SYSTEM_PYTHON, tempDir, writeFiles } from '../../helpers/temp';

/** A fresh venv of Debian's Python (no pip) and its site-packages folder. */
function venv(): { python: string; site: string } {
  const dir = path.join(tempDir(), 'venv');
  execFileSync(SYSTEM_PYTHON, ['-m', 'venv', '--without-pip', dir]);
  const python = path.join(dir, 'bin', 'python');
  const site = execFileSync(python, ['-c', 'import site; print(site.getsitepackages()[0])'], {
    encoding: 'utf8',
  }).trim();
  return { python, site };
}

/** A distribution's metadata folder as pip writes it. */
function distribution(site: string, name: string, version: string): void {
  writeFiles(site, {
    [`${name}-${version}.dist-info/METADATA`]: `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`,
    [`${name}-${version}.dist-info/INSTALLER`]: 'pip\n',
  });
}

const versionOf = (packages: { name: string; version: string }[], name: string): string | undefined =>
  packages.find((p) => p.name === name)?.version;

describe('the probe package cache', () => {
  it('answers from the cache while site-packages is unchanged, and reads it again when it changes', async () => {
    const { python, site } = venv();
    const packageCache = tempDir();
    distribution(site, 'demo_pkg', '1.0');
    const first = await probePython(python, { packageCache });
    expect(first.packagesCached).toBe(false);
    expect(versionOf(first.packages, 'demo_pkg')).toBe('1.0');

    const second = await probePython(python, { packageCache });
    expect(second.packagesCached).toBe(true);
    expect(second.packages).toEqual(first.packages);
    expect(second.python).toEqual(first.python);

    // an install: a new distribution folder
    distribution(site, 'other_pkg', '0.3');
    const installed = await probePython(python, { packageCache });
    expect(installed.packagesCached).toBe(false);
    expect(versionOf(installed.packages, 'other_pkg')).toBe('0.3');

    // an upgrade that rewrites the metadata in place (same folder name)
    fs.writeFileSync(
      path.join(site, 'demo_pkg-1.0.dist-info', 'METADATA'),
      'Metadata-Version: 2.1\nName: demo_pkg\nVersion: 1.0.1\n',
    );
    const upgraded = await probePython(python, { packageCache });
    expect(upgraded.packagesCached).toBe(false);
    expect(versionOf(upgraded.packages, 'demo_pkg')).toBe('1.0.1');

    // a removal
    fs.rmSync(path.join(site, 'other_pkg-0.3.dist-info'), { recursive: true });
    const removed = await probePython(python, { packageCache });
    expect(removed.packagesCached).toBe(false);
    expect(versionOf(removed.packages, 'other_pkg')).toBeUndefined();
    expect((await probePython(python, { packageCache })).packagesCached).toBe(true);
  });

  it("gives Debian Python's packages and numerics facts from the cache exactly as a fresh probe does", async () => {
    const packageCache = tempDir();
    const fresh = await probePython(SYSTEM_PYTHON, { packageCache: null });
    await probePython(SYSTEM_PYTHON, { packageCache });
    const cached = await probePython(SYSTEM_PYTHON, { packageCache });
    expect(cached.packagesCached).toBe(true);
    expect(cached.packages).toEqual(fresh.packages);
    expect(cached.numerics).toEqual(fresh.numerics);
    // the thread count of the loaded BLAS is part of the key: another setting is read afresh
    const fewer = await probePython(SYSTEM_PYTHON, {
      packageCache,
      env: { ...process.env, OPENBLAS_NUM_THREADS: '1' },
    });
    expect(fewer.packagesCached).toBe(false);
    expect(fewer.numerics.numpy?.blasRuntime ?? '(1 threads)').toMatch(/\(1 threads\)/);
  });

  it("lists Debian Python's distributions with the names and versions importlib.metadata gives", async () => {
    const listed = JSON.parse(
      execFileSync(
        SYSTEM_PYTHON,
        [
          '-I',
          '-c',
          'import json, importlib.metadata as m\nseen = {}\nfor d in m.distributions():\n    n = d.metadata["Name"]\n    if n: seen.setdefault(n.lower().replace("_", "-"), [n, d.version])\nprint(json.dumps(sorted(seen.values(), key=lambda p: p[0].lower())))',
        ],
        { encoding: 'utf8' },
      ),
    ) as [string, string][];
    const res = await probePython(SYSTEM_PYTHON, { packageCache: null });
    expect(res.packages.map((p) => [p.name, p.version])).toEqual(listed);
  });

  it('reads numpy 1.x version and BLAS from its files, without importing numpy', async () => {
    const { python, site } = venv();
    writeFiles(site, {
      'numpy/__init__.py': 'raise ImportError("the probe must not import numpy")\n',
      'numpy/_version.py': `version_json = '''\n{"closest-tag": "1.24.9", "version": "1.24.9"}\n'''\n`,
      'numpy/__config__.py':
        "import os\nblas_mkl_info={}\nopenblas_info={'libraries': ['openblas']}\nblas_opt_info={}\nextra_dll_dir = os.path.join('x')\n",
    });
    const res = await probePython(python, { packageCache: null });
    expect(res.numerics.numpy).toEqual({ version: '1.24.9', blas: 'openblas' });
    expect(res.errors).toEqual([]);
  });

  it('reads the BLAS of a numpy 2 build from its CONFIG, and records the import error for what only numpy says', async () => {
    const { python, site } = venv();
    writeFiles(site, {
      'numpy/__init__.py': 'raise ImportError("no numpy core here")\n',
      'numpy/version.py': 'version: str = "2.1.3"\n__version__ = version\n',
      'numpy/__config__.py': [
        'from numpy._core._multiarray_umath import __cpu_baseline__',
        'def _cleanup(d):',
        '    return d',
        'CONFIG = _cleanup({',
        '    "Build Dependencies": {',
        '        "blas": {"name": "scipy-openblas", "found": bool("True".lower()), "version": "0.3.27"},',
        '        "lapack": {"name": "scipy-openblas", "version": "0.3.27"},',
        '    },',
        '    "SIMD Extensions": {"baseline": __cpu_baseline__},',
        '})',
      ].join('\n'),
    });
    const res = await probePython(python, { packageCache: null });
    expect(res.numerics.numpy).toEqual({
      version: '2.1.3',
      blas: 'scipy-openblas 0.3.27',
      lapack: 'scipy-openblas 0.3.27',
    });
    expect(res.errors.some((e) => e.startsWith('numpy: ImportError: no numpy core here'))).toBe(true);
  });
});
