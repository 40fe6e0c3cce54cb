// Rerun environments: an offline virtualenv from python_env.yaml, and clear errors for a missing Python, conda or docker.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Audit } from '../../../shared/audit/audit';
import { createHandlers } from '../../../electron/core/handlers';
import { tempCore } from '../../helpers/store';
import { gitRepo, SHARED_FIXTURES, SYSTEM_PYTHON, tempDir } from '../../helpers/temp';
import { matching } from '../../helpers/typed';

/** Writes a pure-Python wheel by hand (a wheel is a zip with dist-info), so pip can install it with no network. */
function buildWheel(dir: string): void {
  execFileSync(SYSTEM_PYTHON, [
    '-c',
    `
import sys, zipfile
files = {
  "demo_pkg/__init__.py": "VALUE = 2.5\\n",
  "demo_pkg-0.1.dist-info/METADATA": "Metadata-Version: 2.1\\nName: demo-pkg\\nVersion: 0.1\\n",
  "demo_pkg-0.1.dist-info/WHEEL": "Wheel-Version: 1.0\\nGenerator: reproscope-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
files["demo_pkg-0.1.dist-info/RECORD"] = "".join(name + ",,\\n" for name in list(files) + ["demo_pkg-0.1.dist-info/RECORD"])
with zipfile.ZipFile(sys.argv[1] + "/demo_pkg-0.1-py3-none-any.whl", "w") as z:
    for name, text in files.items():
        z.writestr(name, text)
`,
    dir,
  ]);
}

const pyVersion = execFileSync(
  SYSTEM_PYTHON,
  ['-c', 'import platform; print(".".join(platform.python_version_tuple()[:2]))'],
  { encoding: 'utf8' },
).trim();

describe('environments', () => {
  it('builds a virtualenv from python_env.yaml offline (a local wheel), caches it by the spec, and records it', async () => {
    const wheels = tempDir();
    buildWheel(wheels);
    const repo = gitRepo({
      MLproject:
        'name: venv-demo\npython_env: python_env.yaml\nentry_points:\n  main:\n    command: "python main.py"\n',
      'python_env.yaml': `python: "${pyVersion}"\nbuild_dependencies:\n  - pip\ndependencies:\n  - demo-pkg==0.1\n`,
      'main.py':
        'import json, sys\nimport demo_pkg\njson.dump({"value": demo_pkg.VALUE, "in_venv": float(sys.prefix != sys.base_prefix)}, open("metrics.json", "w"))\n',
    });
    const ctx = tempCore();
    const handlers = createHandlers(ctx);
    const input = {
      project: repo,
      envManager: 'virtualenv' as const,
      python: SYSTEM_PYTHON,
      repeats: 2,
      pipOptions: ['--no-index', '--find-links', wheels],
      wait: true,
    };
    const res = await handlers.startAudit(input);
    if (!res.ok) throw new Error(res.error.message);
    const a: Audit = res.value;
    expect(a).toMatchObject({ status: 'finished', verdict: 'reproduced-exact', envManager: 'virtualenv' });
    expect(a.groups[0]!.reruns.map((r) => r.metrics)).toEqual([
      { value: 2.5, in_venv: 1 },
      { value: 2.5, in_venv: 1 },
    ]);
    const snap = ctx.runs.get(a.groups[0]!.reruns[0]!.runId!);
    expect(snap.software.python.virtualenv).toContain(path.join(ctx.store.dir, 'envs'));
    expect(snap.software.packages.map((p) => `${p.name}==${p.version}`)).toContain('demo-pkg==0.1');
    const envs = fs.readdirSync(path.join(ctx.store.dir, 'envs'));
    expect(envs).toHaveLength(1);
    const marker = path.join(ctx.store.dir, 'envs', envs[0]!, '.reproscope-complete');
    const built = fs.statSync(marker).mtimeMs;
    const again = await handlers.startAudit({ ...input, repeats: 1 });
    // one rerun without --against is compared only with itself: inconclusive (issue 10), but it ran in the cached venv
    expect(again.ok && again.value.verdict).toBe('inconclusive');
    expect(again.ok && again.value.groups[0]!.reruns[0]!.metrics).toEqual({ value: 2.5, in_venv: 1 });
    expect(fs.statSync(marker).mtimeMs).toBe(built); // reused, not rebuilt
  }, 120_000);

  it('says which Python a python_env needs when no interpreter matches', async () => {
    const repo = gitRepo({
      MLproject: 'python_env: python_env.yaml\nentry_points:\n  main:\n    command: "python main.py"\n',
      'python_env.yaml': 'python: "2.6"\ndependencies: []\n',
      'main.py': '',
    });
    const res = await createHandlers(tempCore()).startAudit({ project: repo, envManager: 'virtualenv', wait: true });
    expect(res.ok).toBe(false);
    expect(!res.ok && res.error).toMatchObject({
      code: 'ENVIRONMENT_UNAVAILABLE',
      message: matching(/Python 2\.6/),
    });
  });

  it('fails at once with a clear message when conda or the docker engine is missing', async () => {
    const ctx = tempCore();
    const handlers = createHandlers(ctx);
    const condaProject = gitRepo({
      MLproject: 'conda_env: conda.yaml\nentry_points:\n  main:\n    command: "python main.py"\n',
      'conda.yaml': 'name: x\ndependencies:\n  - python=3.11\n',
      'main.py': '',
    });
    const conda = await handlers.startAudit({ project: condaProject, envManager: 'conda', wait: true });
    expect(!conda.ok && conda.error).toMatchObject({
      code: 'ENVIRONMENT_UNAVAILABLE',
      message: matching(/conda/),
    });
    expect(!conda.ok && conda.error.hint).toMatch(/--env-manager virtualenv or local/);
    const dockerProject = gitRepo({
      MLproject: fs.readFileSync(
        path.join(SHARED_FIXTURES, 'mlflow/mlflow-examples/tests/resources/example_docker_project/MLproject'),
        'utf8',
      ),
    });
    const docker = await handlers.startAudit({ project: dockerProject, envManager: 'docker', wait: true });
    expect(!docker.ok && docker.error).toMatchObject({
      code: 'ENVIRONMENT_UNAVAILABLE',
      message: matching(/docker (engine does not answer|executable was found)/),
    });
    const list = await handlers.listAudits({});
    expect(list.ok && list.value.audits).toEqual([]); // nothing was started
  }, 60_000);
});
