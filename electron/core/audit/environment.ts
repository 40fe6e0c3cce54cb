/** The software environment of reruns: preparing the interpreter (local, virtualenv, conda, docker) and each rerun's variables and command line. */
import fs from 'node:fs';
import path from 'node:path';
import { type Audit, type Rerun } from '../../../shared/audit/audit';
import { ReproError } from '../../../shared/errors';
import { type Mlproject } from '../../../shared/mlflow/mlproject';
import type { Snapshot } from '../../../shared/snapshot/snapshot';
import { RECORDED_ENV_VARS } from '../../../shared/snapshot/secrets';
import { whichSync } from '../../platform/python-which';
import {
  ensureCondaEnv,
  ensureVirtualenv,
  pythonEnvFromConda,
  pythonShimDir,
  readPythonEnvSpec,
  requireConda,
  requireDocker,
  type PreparedEnvironment,
  type PythonEnvSpec,
} from '../../platform/python-env';
import type { Prepared } from './campaign-types';

/** Variables that change results: cleared from the inherited environment so each rerun gets exactly the original's (baseline) or the group's. */
const RESULT_VARS = RECORDED_ENV_VARS.filter((v) => !['LANG', 'LC_ALL', 'TZ'].includes(v));

/** What preparing a rerun environment needs. */
export interface EnvironmentRequest {
  manager: Audit['envManager'];
  project: Mlproject;
  /** The project's files as the reruns see them (the inspection worktree for git projects). */
  projectDir: string;
  /** --python: the interpreter the command's python resolves to (local), or the one a virtualenv is built from. */
  python: string | null;
  pipOptions: string[];
  /** Where built environments are cached (the store's envs/). */
  envsDir: string;
  /** Where the local manager's python shim folder goes. */
  shimRoot: string;
  dryRun: boolean;
  onLog: (l: string) => void;
}

/**
 * The interpreter a local audit reruns with when --python is not given: the one the original was captured running,
 * where it is on this machine and `python` on PATH is another. Why: the question is whether the original reproduces,
 * and a second Python on PATH (pyenv's, a conda base, a venv left active) would rerun it with other packages, every
 * rerun then differing from, or failing against, an original it never ran like. Null: `python` on PATH, as mlflow
 * run's local manager does (an imported run records no interpreter).
 */
export function originalInterpreter(
  reference: Snapshot | null,
  manager: Audit['envManager'],
  envPath: string | undefined = process.env.PATH,
): { python: string; onPath: string | null } | null {
  if (manager !== 'local' || reference?.kind !== 'capture') return null;
  const py = reference.software.python;
  if (py.status !== 'ok' || !py.executable || !path.isAbsolute(py.executable)) return null;
  const real = (p: string): string | null => {
    try {
      const r = fs.realpathSync(p);
      fs.accessSync(r, fs.constants.X_OK);
      return fs.statSync(r).isFile() ? r : null;
    } catch {
      return null;
    }
  };
  const original = real(py.executable);
  if (original === null) return null; // not on this machine: PATH's, and the command's warning says so
  const onPath = whichSync('python', envPath) ?? whichSync('python3', envPath);
  if (onPath !== null && real(onPath) === original) return null;
  return { python: py.executable, onPath };
}

/** Prepares the interpreter reruns use, as mlflow run's env managers do (local, virtualenv, conda; docker_env projects in their image). */
export async function prepareEnvironment(request: EnvironmentRequest): Promise<PreparedEnvironment> {
  const { manager, project, projectDir, python, pipOptions, envsDir, shimRoot, dryRun, onLog } = request;
  const env = process.env;
  if (manager === 'local') {
    if (python) {
      if (!whichSync(python, env.PATH))
        throw new ReproError(
          'ENVIRONMENT_UNAVAILABLE',
          `the interpreter ${python} was not found`,
          'Give the full path of a Python interpreter with --python.',
        );
      const bin = dryRun ? '' : pythonShimDir(path.resolve(python), shimRoot);
      return {
        manager,
        env: dryRun ? {} : { PATH: `${bin}${path.delimiter}${env.PATH ?? ''}` },
        python: path.resolve(python),
        description: `local, python → ${path.resolve(python)}`,
      };
    }
    const found = whichSync('python', env.PATH) ?? whichSync('python3', env.PATH) ?? 'python3';
    return { manager, env: {}, python: found, description: `local, ${found}` };
  }
  // as with mlflow run, a docker_env project runs in its image whatever the manager, except local, which runs it here on purpose
  if (manager === 'docker' || project.env.kind === 'docker_env') {
    if (project.env.kind !== 'docker_env' || !project.env.docker)
      throw new ReproError(
        'PROJECT_INVALID',
        '--env-manager docker needs a project with a docker_env',
        'Use --env-manager local or virtualenv for this project.',
      );
    await requireDocker(env);
    return {
      manager: 'docker',
      env: {},
      python: 'python',
      docker: project.env.docker,
      description: `docker image ${project.env.docker.image}`,
    };
  }
  if (manager === 'conda') {
    const file = project.env.kind === 'conda_env' ? project.env.file : null;
    if (!file)
      throw new ReproError(
        'PROJECT_INVALID',
        '--env-manager conda needs a conda_env (or a conda.yaml) in the project',
        'Use --env-manager virtualenv or local.',
      );
    if (dryRun) {
      await requireConda(env);
      return { manager, env: {}, python: 'python', description: 'conda (dry run)' };
    }
    return ensureCondaEnv(path.join(projectDir, file), { envsDir, env });
  }
  let spec: PythonEnvSpec = { python: null, build_dependencies: [], dependencies: [] };
  if (project.env.kind === 'python_env' && project.env.file)
    spec = readPythonEnvSpec(path.join(projectDir, project.env.file));
  else if (project.env.kind === 'conda_env' && project.env.file)
    spec = pythonEnvFromConda(path.join(projectDir, project.env.file));
  if (dryRun)
    return { manager, env: {}, python: 'python', description: `virtualenv (Python ${spec.python ?? 'current'})` };
  return ensureVirtualenv(spec, {
    preferredPython: python,
    envsDir,
    projectDir,
    pipOptions,
    env,
    onLog,
  });
}

/** What identifies an interpreter's installed software without running it: the interpreter file and the modification times of its package folders. */
export function softwareFingerprint(python: string, env: NodeJS.ProcessEnv): string {
  const parts: string[] = [python, env.PYTHONPATH ?? '', env.VIRTUAL_ENV ?? '', env.PATH ?? ''];
  const stamp = (p: string): void => {
    try {
      const st = fs.statSync(p);
      parts.push(`${p}:${st.ino}:${st.mtimeMs}`);
    } catch {
      // absent: nothing to stamp
    }
  };
  let real = python;
  try {
    real = fs.realpathSync(python);
  } catch {
    /* missing interpreter: the probe says so */
  }
  stamp(real);
  for (const prefix of new Set([path.dirname(path.dirname(python)), path.dirname(path.dirname(real)), '/usr/local'])) {
    const lib = path.join(prefix, 'lib');
    let names: string[];
    try {
      names = fs.readdirSync(lib).filter((n) => n.startsWith('python3'));
    } catch {
      continue;
    }
    for (const n of names) for (const sub of ['site-packages', 'dist-packages']) stamp(path.join(lib, n, sub));
  }
  return parts.join('|');
}

/** The environment of one rerun: the inherited one without result-changing variables, then the original's, the env manager's, MLflow's and the group's. */
export function rerunEnvironment(
  audit: Audit,
  prepared: Prepared,
  rerun: Rerun,
  mlflowEnv: Record<string, string>,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const v of RESULT_VARS) delete env[v];
  for (const k of Object.keys(env)) if (k.startsWith('MLFLOW_')) delete env[k];
  if (prepared.reference)
    for (const v of RESULT_VARS) {
      const val = prepared.reference.process.env[v];
      if (val !== undefined) env[v] = val;
    }
  Object.assign(env, prepared.environment.env, mlflowEnv, { PYTHONUNBUFFERED: '1' }, rerun.env);
  return env;
}

/** What a rerun in a docker_env project's image needs. */
export interface DockerRerun {
  docker: NonNullable<PreparedEnvironment['docker']>;
  /** The rerun's code folder, mounted where mlflow run mounts it. */
  cwd: string;
  /** The rerun's private MLflow store and the variables that point at it. */
  mlflow: { root: string; env: Record<string, string> };
  command: string;
}

/** The `docker run` command line of a rerun, as mlflow run builds it for a docker_env project. */
export function dockerArgv({ docker, cwd, mlflow, command }: DockerRerun): string[] {
  const args = [
    'docker',
    'run',
    '--rm',
    '-v',
    `${cwd}:/mlflow/projects/code`,
    '-w',
    '/mlflow/projects/code',
    '-v',
    `${mlflow.root}:${mlflow.root}`,
  ];
  for (const v of docker.volumes) args.push('-v', v);
  for (const [k, v] of Object.entries(mlflow.env)) args.push('-e', `${k}=${v}`);
  // A host variable is passed by name only: docker reads its value from our environment, so it never
  // appears in the stored command line or in `ps`.
  for (const e of docker.environment) args.push('-e', Array.isArray(e) ? `${e[0]}=${e[1] ?? ''}` : e);
  args.push(docker.image, 'bash', '-c', command);
  return args;
}
