// The environments reruns run in, as `mlflow run --env-manager` makes them: local, virtualenv, conda or docker.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ReproError } from '../../shared/errors';
import { loadPyYaml, pyGet, pyStr, type PyValue } from '../../shared/mlflow/pyyaml';
import { installedPythonsFor } from './python-interpreters';
import { whichSync } from './python-which';

/**
 * The environments reruns run in, as `mlflow run --env-manager` makes them: `local` (the chosen
 * interpreter answers to `python` and `python3`), `virtualenv` (a venv built from the python_env
 * spec, cached by the spec's hash), `conda` and `docker` (where the tool answers; otherwise a clear
 * error at once).
 */

/** A python_env.yaml as MLflow reads it. */
export const PythonEnvSpecSchema = z.object({
  python: z.string().nullable(),
  build_dependencies: z.array(z.string()),
  dependencies: z.array(z.string()),
});
/** A python_env spec. */
export type PythonEnvSpec = z.infer<typeof PythonEnvSpecSchema>;

/** What a rerun's command needs from its environment: variables to add (PATH first) and the interpreter to probe. */
export interface PreparedEnvironment {
  manager: 'local' | 'virtualenv' | 'conda' | 'docker';
  env: Record<string, string>;
  python: string;
  /** For docker: the image and how to wrap the command. */
  docker?: { image: string; volumes: string[]; environment: (string | string[])[] };
  description: string;
}

const listOfStrings = (v: PyValue | undefined): string[] => (v?.kind === 'seq' ? v.items.map(pyStr) : []);

/** Reads python_env.yaml (parsed as PyYAML would, then checked). */
export function readPythonEnvSpec(file: string): PythonEnvSpec {
  const doc = loadPyYaml(fs.readFileSync(file, 'utf8'), path.basename(file));
  const py = pyGet(doc, 'python');
  const parsed = PythonEnvSpecSchema.safeParse({
    python: py === undefined || py.kind === 'null' ? null : pyStr(py),
    build_dependencies: listOfStrings(pyGet(doc, 'build_dependencies')),
    dependencies: listOfStrings(pyGet(doc, 'dependencies')),
  });
  if (!parsed.success || doc.kind !== 'map')
    throw new ReproError(
      'PROJECT_INVALID',
      `${file} is not a python_env spec`,
      'It needs python, build_dependencies and dependencies.',
    );
  return parsed.data;
}

/** MLflow's _PythonEnv.from_conda_yaml: the python version and the pip dependencies of a conda spec. */
export function pythonEnvFromConda(file: string): PythonEnvSpec {
  const doc = loadPyYaml(fs.readFileSync(file, 'utf8'), path.basename(file));
  let python: string | null = null;
  const deps: string[] = [];
  const build: string[] = [];
  for (const d of pyGet(doc, 'dependencies')?.kind === 'seq'
    ? (pyGet(doc, 'dependencies') as { items: PyValue[] }).items
    : []) {
    if (d.kind === 'map') {
      deps.push(...listOfStrings(pyGet(d, 'pip')));
      continue;
    }
    const text = pyStr(d);
    const m = /^python(?:[=<>!~ ]+([\d.*]+))?$/.exec(text.trim());
    if (m) python = m[1]?.replace(/\.\*$/, '') ?? null;
    else if (/^pip\b/.test(text)) build.push(text.replace(/=(?!=)/, '=='));
  }
  return { python, build_dependencies: build, dependencies: deps };
}

function execText(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ ok: boolean; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 600_000,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => resolve({ ok: !error, out: stdout, err: stderr || (error ? error.message : '') }),
    );
  });
}

/** The interpreter's version (e.g. "3.11.2"), or null when it does not run. */
export async function pythonVersion(python: string): Promise<string | null> {
  const r = await execText(python, ['-c', 'import platform; print(platform.python_version())'], { timeoutMs: 30_000 });
  return r.ok ? r.out.trim() : null;
}

/**
 * Finds an interpreter matching a python_env version ("3.11" matches 3.11.x, "3.8.18" only 3.8.18): the given one,
 * then those pyenv, uv, conda or asdf installed (where MLflow's virtualenv manager would have pyenv put it), then
 * python3.X and python3 on PATH. Nothing is installed: offline, the message says how to get the version.
 */
export async function findPythonFor(
  version: string | null,
  preferred: string | null,
  env: NodeJS.ProcessEnv,
): Promise<{ python: string; version: string; source: string }> {
  const candidates: { python: string; source: string }[] = [
    ...(preferred ? [{ python: preferred, source: '--python' }] : []),
    ...installedPythonsFor(version, env),
    ...[whichSync('python3', env.PATH), '/usr/bin/python3']
      .filter((c): c is string => Boolean(c))
      .map((python) => ({ python, source: 'path' })),
  ];
  const seen: string[] = [];
  const tried = new Set<string>();
  for (const c of candidates) {
    if (tried.has(c.python)) continue;
    tried.add(c.python);
    const v = await pythonVersion(c.python);
    if (!v) continue;
    seen.push(`${c.python} (${v})`);
    if (!version || v === version || v.startsWith(`${version}.`))
      return { python: c.python, version: v, source: c.source };
  }
  throw new ReproError(
    'ENVIRONMENT_UNAVAILABLE',
    `the project's python_env asks for Python ${version}, and no interpreter of that version was found among PATH and ` +
      `the pyenv, uv, conda and asdf install folders${seen.length ? ` (found ${seen.join(', ')})` : ''}`,
    `Install Python ${version} (pyenv install ${version}, or uv python install ${version}, as MLflow would) and name it ` +
      'with --python if it lives elsewhere, or rerun with --env-manager local.',
  );
}

/** A folder with `python` and `python3` wrappers that run the chosen interpreter (wrappers, not links, so a venv's interpreter keeps its venv). */
export function pythonShimDir(python: string, dir: string): string {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const abs = path.resolve(python);
  for (const name of ['python', 'python3']) {
    const file = path.join(bin, name);
    const body = `#!/bin/sh\nexec '${abs.replace(/'/g, `'"'"'`)}' "$@"\n`;
    if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== body) fs.writeFileSync(file, body, { mode: 0o755 });
  }
  return bin;
}

/** Builds (or reuses) a virtualenv for a spec in `envsDir`, keyed by the spec, the interpreter and the pip options. */
export async function ensureVirtualenv(
  spec: PythonEnvSpec,
  options: {
    preferredPython: string | null;
    envsDir: string;
    projectDir: string;
    pipOptions: string[];
    env: NodeJS.ProcessEnv;
    onLog?: (line: string) => void;
  },
): Promise<PreparedEnvironment> {
  const base = await findPythonFor(spec.python, options.preferredPython, options.env);
  // requirement files named in the spec are part of what the environment is
  const reqText = spec.dependencies
    .filter((d) => /^-r\s*/.test(d))
    .map((d) => {
      try {
        return fs.readFileSync(path.resolve(options.projectDir, d.replace(/^-r\s*/, '')), 'utf8');
      } catch {
        return '';
      }
    });
  const key = createHash('sha256')
    .update(
      JSON.stringify({
        spec,
        python: fs.realpathSync(base.python),
        version: base.version,
        pip: options.pipOptions,
        reqText,
      }),
    )
    .digest('hex')
    .slice(0, 20);
  const dir = path.join(options.envsDir, `venv-${key}`);
  const python = path.join(dir, 'bin', 'python');
  if (!fs.existsSync(path.join(dir, '.reproscope-complete'))) {
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    fs.mkdirSync(options.envsDir, { recursive: true });
    options.onLog?.(`creating a virtualenv with ${base.python} (Python ${base.version}, from ${base.source})`);
    const venv = await execText(base.python, ['-m', 'venv', tmp], { env: options.env });
    if (!venv.ok) {
      fs.rmSync(tmp, { recursive: true, force: true });
      throw new ReproError(
        'ENVIRONMENT_UNAVAILABLE',
        `could not create a virtualenv with ${base.python}: ${venv.err.trim().split('\n').slice(-1)[0]}`,
        'Install the venv module (Debian: apt-get install python3-venv).',
      );
    }
    const tmpPython = path.join(tmp, 'bin', 'python');
    for (const [what, reqs] of [
      ['build dependencies', spec.build_dependencies],
      ['dependencies', spec.dependencies],
    ] as const) {
      const args = reqs.flatMap((r) => (/^-r\s*/.test(r) ? ['-r', r.replace(/^-r\s*/, '')] : [r]));
      if (args.length === 0) continue;
      options.onLog?.(`pip install ${args.join(' ')}`);
      const pip = await execText(
        tmpPython,
        ['-m', 'pip', 'install', '--disable-pip-version-check', ...options.pipOptions, ...args],
        { cwd: options.projectDir, env: options.env },
      );
      if (!pip.ok) {
        fs.rmSync(tmp, { recursive: true, force: true });
        throw new ReproError(
          'ENVIRONMENT_UNAVAILABLE',
          `pip could not install the ${what} of the python_env spec (${args.join(' ')}): ${pip.err.trim().split('\n').slice(-1)[0]}`,
          'Offline, point pip at a wheel folder: PIP_NO_INDEX=1 PIP_FIND_LINKS=/path/to/wheels, or --pip-option=--find-links=/path.',
        );
      }
    }
    fs.writeFileSync(
      path.join(tmp, '.reproscope-complete'),
      JSON.stringify({ spec, python: base.python, version: base.version }),
    );
    try {
      fs.renameSync(tmp, dir);
    } catch {
      // another audit built the same environment meanwhile: use theirs
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  return {
    manager: 'virtualenv',
    env: { PATH: `${path.join(dir, 'bin')}${path.delimiter}${options.env.PATH ?? ''}`, VIRTUAL_ENV: dir },
    python,
    description: `virtualenv ${dir} (Python ${base.version})`,
  };
}

/** Checks that conda answers; otherwise ENVIRONMENT_UNAVAILABLE saying what is missing. */
export async function requireConda(env: NodeJS.ProcessEnv): Promise<string> {
  const conda = env.MLFLOW_CONDA_HOME ? path.join(env.MLFLOW_CONDA_HOME, 'bin', 'conda') : whichSync('conda', env.PATH);
  const r = conda ? await execText(conda, ['--version'], { env, timeoutMs: 30_000 }) : null;
  if (!conda || !r?.ok) {
    throw new ReproError(
      'ENVIRONMENT_UNAVAILABLE',
      `--env-manager conda needs conda, and ${conda ? `${conda} does not answer` : 'no conda executable was found on PATH (nor under MLFLOW_CONDA_HOME)'}`,
      'Install Miniconda or Miniforge and put conda on PATH, or rerun with --env-manager virtualenv or local.',
    );
  }
  return conda;
}

/** Builds (or reuses) a conda environment from the project's conda spec, keyed by its hash. */
export async function ensureCondaEnv(
  specFile: string,
  options: { envsDir: string; env: NodeJS.ProcessEnv },
): Promise<PreparedEnvironment> {
  const conda = await requireConda(options.env);
  const key = createHash('sha256').update(fs.readFileSync(specFile)).digest('hex').slice(0, 20);
  const dir = path.join(options.envsDir, `conda-${key}`);
  if (!fs.existsSync(path.join(dir, 'conda-meta'))) {
    const r = await execText(conda, ['env', 'create', '-q', '-p', dir, '-f', specFile], { env: options.env });
    if (!r.ok)
      throw new ReproError(
        'ENVIRONMENT_UNAVAILABLE',
        `conda could not create the environment from ${specFile}: ${r.err.trim().split('\n').slice(-1)[0]}`,
        'Check the spec and the network (or a local channel).',
      );
  }
  return {
    manager: 'conda',
    env: { PATH: `${path.join(dir, 'bin')}${path.delimiter}${options.env.PATH ?? ''}`, CONDA_PREFIX: dir },
    python: path.join(dir, 'bin', 'python'),
    description: `conda environment ${dir}`,
  };
}

/** Checks that docker answers and its engine is running; otherwise ENVIRONMENT_UNAVAILABLE saying which part is missing. */
export async function requireDocker(env: NodeJS.ProcessEnv): Promise<string> {
  const docker = whichSync('docker', env.PATH);
  if (!docker) {
    throw new ReproError(
      'ENVIRONMENT_UNAVAILABLE',
      'the project has a docker_env, and no docker executable was found on PATH',
      'Install Docker (or Podman with its docker alias), or rerun with --env-manager local to run outside the image.',
    );
  }
  const r = await execText(docker, ['info', '--format', '{{.ServerVersion}}'], { env, timeoutMs: 20_000 });
  if (!r.ok) {
    throw new ReproError(
      'ENVIRONMENT_UNAVAILABLE',
      `the project has a docker_env, and the docker engine does not answer (${r.err.trim().split('\n').slice(-1)[0]})`,
      'Start the Docker daemon (systemctl start docker) or rerun with --env-manager local.',
    );
  }
  return docker;
}
