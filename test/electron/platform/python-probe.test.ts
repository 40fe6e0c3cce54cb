// The Python probe on real interpreters: packages and BLAS facts, torch, virtualenvs, missing or broken interpreters, the seed scan.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { probePython } from '../../../electron/platform/python-probe';
import { pythonForCommand } from '../../../electron/platform/python-which';
import { SYSTEM_PYTHON, tempDir, writeFiles } from '../../helpers/temp';

describe('the Python probe', () => {
  it('reports Debian Python with numpy: version, packages and BLAS build facts', async () => {
    const res = await probePython(SYSTEM_PYTHON);
    expect(res.python.status).toBe('ok');
    expect(res.python.version).toBe(
      execFileSync(SYSTEM_PYTHON, ['-c', 'import platform; print(platform.python_version())'], {
        encoding: 'utf8',
      }).trim(),
    );
    expect(res.python.virtualenv).toBeNull();
    const numpy = res.packages.find((p) => p.name.toLowerCase() === 'numpy');
    const realNumpy = execFileSync(SYSTEM_PYTHON, ['-c', 'import numpy; print(numpy.__version__)'], {
      encoding: 'utf8',
    }).trim();
    expect(numpy?.version).toBe(realNumpy);
    expect(res.packages.some((p) => p.name.toLowerCase() === 'scikit-learn')).toBe(true);
    expect(res.numerics.numpy?.version).toBe(realNumpy);
    expect(res.numerics.numpy?.blas).toBeTruthy();
  });

  it("reports torch's build facts as torch itself does, without importing it in the probe", async () => {
    const res = await probePython(SYSTEM_PYTHON);
    const real = JSON.parse(
      execFileSync(
        SYSTEM_PYTHON,
        [
          '-c',
          'import json, torch; print(json.dumps({"version": torch.__version__, "cuda": str(torch.version.cuda), "cudaAvailable": str(torch.cuda.is_available()), "cudnn": str(torch.backends.cudnn.version()), "deterministicAlgorithms": str(torch.are_deterministic_algorithms_enabled())}))',
        ],
        { encoding: 'utf8' },
      ),
    ) as Record<string, string>;
    expect(res.numerics.torch).toEqual(real);
  });

  // a torch whose version.py names a CUDA build: the probe must ask torch itself (this one cannot be imported)
  it('imports torch for a CUDA build, where only torch can say whether CUDA and cuDNN are usable', async () => {
    const venv = path.join(tempDir(), 'venv');
    execFileSync(SYSTEM_PYTHON, ['-m', 'venv', '--without-pip', venv]);
    const site = execFileSync(
      path.join(venv, 'bin', 'python'),
      ['-c', 'import site; print(site.getsitepackages()[0])'],
      {
        encoding: 'utf8',
      },
    ).trim();
    writeFiles(site, {
      'torch/__init__.py': 'raise ImportError("no libtorch here")\n',
      'torch/version.py': "__version__ = '2.1.0'\ncuda = '12.1'\nhip = None\n",
    });
    const res = await probePython(path.join(venv, 'bin', 'python'));
    expect(res.numerics.torch).toBeUndefined();
    expect(res.errors.some((e) => e.startsWith('torch: ImportError: no libtorch here'))).toBe(true);
  });

  it('reports a virtualenv without numpy as such, with no numerics facts', async () => {
    const venv = path.join(tempDir(), 'venv');
    execFileSync(SYSTEM_PYTHON, ['-m', 'venv', '--without-pip', venv]);
    const res = await probePython(path.join(venv, 'bin', 'python'));
    expect(res.python.status).toBe('ok');
    expect(res.python.virtualenv).toBe(venv);
    expect(res.packages.some((p) => p.name.toLowerCase() === 'numpy')).toBe(false);
    expect(res.numerics).toEqual({});
  });

  it('records a missing interpreter without failing, and still scans seeds with another Python', async () => {
    const project = tempDir();
    writeFiles(project, { 'train.py': 'import random\nrandom.seed(3)\n' });
    const res = await probePython('/nonexistent/bin/python3', { scanRoot: project, fallbackPython: SYSTEM_PYTHON });
    expect(res.python.status).toBe('missing');
    expect(res.python.error).toMatch(/not found/);
    expect(res.scan?.findings.map((f) => f.rule)).toEqual(['random-seed']);
  });

  it('records a broken interpreter as failed with its error', async () => {
    const dir = tempDir();
    const fake = path.join(dir, 'python3');
    fs.writeFileSync(fake, '#!/bin/sh\necho "Fatal Python error: init_fs_encoding" >&2\nexit 1\n', { mode: 0o755 });
    const res = await probePython(fake);
    expect(res.python.status).toBe('failed');
    expect(res.python.error).toMatch(/init_fs_encoding/);
  });

  it('finds seed calls and randomness risks with file and line', async () => {
    const project = tempDir();
    writeFiles(project, {
      'train.py': [
        'import numpy as np',
        'import random',
        'from sklearn.ensemble import RandomForestClassifier',
        'rng = np.random.default_rng()',
        'x = np.random.rand(3)',
        'random.seed(1)',
        'y = random.random()',
        'clf = RandomForestClassifier(random_state=42)',
        'order = sorted({"a", "b"}, key=hash)',
        'h = hash("abc")',
        '',
      ].join('\n'),
      'nets/model.py':
        'import torch\ntorch.manual_seed(0)\ntorch.backends.cudnn.benchmark = True\nloader = torch.utils.data.DataLoader([], shuffle=True)\n',
      'venv/lib/site.py': 'import random\nrandom.random()\n',
    });
    fs.writeFileSync(path.join(project, 'venv', 'pyvenv.cfg'), 'home = /usr/bin\n');
    const res = await probePython(SYSTEM_PYTHON, { scanRoot: project });
    const found = res.scan!.findings.map((f) => `${f.file}:${f.line}:${f.rule}:${f.kind}`);
    expect(found).toEqual(
      expect.arrayContaining([
        'train.py:4:unseeded-default-rng:risk',
        'train.py:5:unseeded-global-numpy:risk',
        'train.py:6:random-seed:seed',
        'train.py:8:random-state:seed',
        'train.py:10:builtin-hash:risk',
        'nets/model.py:2:torch-manual-seed:seed',
        'nets/model.py:3:cudnn-benchmark:risk',
        'nets/model.py:1:torch-nondeterministic:note',
      ]),
    );
    // torch.manual_seed(0) runs before the loader is built, so its shuffle repeats: no false alarm.
    expect(found.some((f) => f.includes('dataloader-shuffle-unseeded'))).toBe(false);
    // random is seeded in this project, so random.random() is not a risk; the venv is not the project's code.
    expect(found.some((f) => f.includes('unseeded-global-random'))).toBe(false);
    expect(found.some((f) => f.startsWith('venv/'))).toBe(false);
    expect(res.scan!.filesScanned).toBe(2);
  });

  it("resolves the interpreter a command runs: python itself, or a script's #! line", () => {
    const dir = tempDir();
    const script = path.join(dir, 'train');
    fs.writeFileSync(script, `#!/usr/bin/env python3\nprint(1)\n`, { mode: 0o755 });
    const pathVar = `${dir}:/usr/bin`;
    expect(pythonForCommand(['python3', 'train.py'], '/usr/bin')).toBe('/usr/bin/python3');
    expect(pythonForCommand(['train'], pathVar)).toBe('/usr/bin/python3');
    expect(pythonForCommand(['/usr/bin/python3', '-c', 'pass'], pathVar)).toBe('/usr/bin/python3');
  });
});
