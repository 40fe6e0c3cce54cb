// MLproject files read and rendered exactly as `mlflow run` does: entry points, parameters, command templates.
import { ReproError } from '../errors';
import { emptyRecord, hasName } from '../records';
import { loadPyYaml, pyGet, pyStr, type PyValue } from './pyyaml';
import { assertParamName } from './param-names';
import { pyFormat } from './py-format';
import { shellQuote } from './shell-quote';
import type { Mlproject, MlprojectEntryPoint, MlprojectParameter } from './mlproject-model';

/**
 * MLproject files read and rendered exactly as `mlflow run` does (mlflow/projects/_project_spec.py):
 * the YAML is loaded as PyYAML would, each parameter value becomes Python's `str()` of it, is quoted
 * with `shlex.quote`, and the command template is filled with `str.format`; parameters the entry
 * point does not declare are appended as `--key value`. File-system checks (path parameters, env
 * files) are passed in, so this module stays pure.
 */

/** The model of a read MLproject (its own module, so the API contract loads no YAML parser). */
export {
  MlprojectEntryPointSchema,
  MlprojectParameterSchema,
  MlprojectSchema,
  PROJECT_ENV_KINDS,
  type Mlproject,
  type MlprojectEntryPoint,
  type MlprojectParameter,
} from './mlproject-model';

const invalid = (label: string, what: string): ReproError =>
  new ReproError(
    'PROJECT_INVALID',
    `${label} is invalid: ${what}`,
    'Fix the MLproject file; `mlflow run` would refuse it too.',
  );

function parseParameter(name: string, raw: PyValue, label: string): MlprojectParameter {
  // MLflow: a string is the type with no default; otherwise a mapping with type (default "string") and default
  if (raw.kind === 'str') return { name, type: raw.value, default: null };
  if (raw.kind !== 'map')
    throw invalid(label, `parameter ${name} must be a type name or a mapping with type and default`);
  const type = pyGet(raw, 'type');
  const def = pyGet(raw, 'default');
  return {
    name,
    type: type === undefined ? 'string' : pyStr(type),
    default: def === undefined || def.kind === 'null' ? null : pyStr(def),
  };
}

/**
 * Parses MLproject text; `hasFile(rel)` says whether a file exists in the project folder (for
 * MLflow's env checks and default detection). Errors are PROJECT_INVALID naming what is wrong.
 */
export function parseMlproject(
  text: string | null,
  fileName: string | null,
  hasFile: (rel: string) => boolean,
): Mlproject {
  const label = fileName ?? 'MLproject';
  let doc: PyValue = { kind: 'map', entries: [] };
  if (text !== null) {
    doc = loadPyYaml(text, label);
    if (doc.kind !== 'map') throw invalid(label, 'the top level must be a mapping');
  }
  const envFields = ['conda_env', 'python_env', 'docker_env'].filter((k) => pyGet(doc, k) !== undefined);
  if (envFields.length > 1)
    throw invalid(label, `a project cannot contain multiple environment fields: ${envFields.join(', ')}`);
  const nameValue = pyGet(doc, 'name');
  const entryPoints: MlprojectEntryPoint[] = [];
  const eps = pyGet(doc, 'entry_points');
  if (eps !== undefined && eps.kind !== 'map') throw invalid(label, 'entry_points must be a mapping');
  for (const [k, v] of eps?.kind === 'map' ? eps.entries : []) {
    const epName = pyStr(k);
    if (v.kind !== 'map') throw invalid(label, `entry point ${epName} must be a mapping with a command`);
    const params = pyGet(v, 'parameters');
    if (params !== undefined && params.kind !== 'map')
      throw invalid(label, `the parameters of entry point ${epName} must be a mapping`);
    const command = pyGet(v, 'command');
    if (command === undefined || command.kind === 'null') throw invalid(label, `entry point ${epName} has no command`);
    entryPoints.push({
      name: epName,
      parameters: (params?.kind === 'map' ? params.entries : []).map(([pk, pv]) =>
        parseParameter(pyStr(pk), pv, label),
      ),
      command: pyStr(command),
    });
  }

  const truthy = (v: PyValue | undefined): v is PyValue =>
    v !== undefined &&
    !(
      v.kind === 'null' ||
      (v.kind === 'str' && v.value === '') ||
      (v.kind === 'bool' && !v.value) ||
      (v.kind === 'map' && v.entries.length === 0) ||
      (v.kind === 'seq' && v.items.length === 0)
    );
  const base = {
    name: nameValue === undefined || nameValue.kind === 'null' ? null : pyStr(nameValue),
    fileName,
    entryPoints,
  };
  const docker = pyGet(doc, 'docker_env');
  if (truthy(docker)) {
    const image = pyGet(docker, 'image');
    if (!truthy(image)) throw invalid(label, 'docker environment specified but no image attribute found');
    const volumes = pyGet(docker, 'volumes');
    const environment = pyGet(docker, 'environment');
    if (truthy(volumes) && !(volumes.kind === 'seq' && volumes.items.every((i) => i.kind === 'str')))
      throw invalid(label, 'docker_env volumes must be a list of strings');
    if (
      truthy(environment) &&
      !(environment.kind === 'seq' && environment.items.every((i) => i.kind === 'str' || i.kind === 'seq'))
    ) {
      throw invalid(label, 'docker_env environment must be a list of names or [name, value] pairs');
    }
    return {
      ...base,
      env: {
        kind: 'docker_env',
        file: null,
        detected: false,
        docker: {
          image: pyStr(image),
          volumes: volumes?.kind === 'seq' ? volumes.items.map(pyStr) : [],
          environment:
            environment?.kind === 'seq'
              ? environment.items.map((i) => (i.kind === 'seq' ? i.items.map(pyStr) : pyStr(i)))
              : [],
        },
      },
    };
  }
  for (const [field, what] of [
    ['python_env', 'python_env file'],
    ['conda_env', 'conda environment file'],
  ] as const) {
    const v = pyGet(doc, field);
    if (!truthy(v)) continue;
    const rel = pyStr(v);
    if (!hasFile(rel)) {
      throw new ReproError(
        'PROJECT_INVALID',
        `${label} names the ${what} ${rel}, but no such file was found`,
        `Add ${rel} to the project or fix ${field} in ${label}.`,
      );
    }
    return { ...base, env: { kind: field, file: rel, detected: false, docker: null } };
  }
  if (hasFile('python_env.yaml'))
    return { ...base, env: { kind: 'python_env', file: 'python_env.yaml', detected: true, docker: null } };
  if (hasFile('conda.yaml'))
    return { ...base, env: { kind: 'conda_env', file: 'conda.yaml', detected: true, docker: null } };
  return { ...base, env: { kind: 'none', file: null, detected: false, docker: null } };
}

/**
 * The entry point by name: a declared one, or a `.py` / `.sh` file run as MLflow runs it
 * (`python file.py`, `$SHELL file.sh`, parameters appended as `--key value`).
 */
export function findEntryPoint(project: Mlproject, name: string, shell = 'bash'): MlprojectEntryPoint {
  const declared = project.entryPoints.find((e) => e.name === name);
  if (declared) return declared;
  const ext = /\.[^./]*$/.exec(name)?.[0] ?? '';
  if (ext === '.py') return { name, parameters: [], command: `python ${shellQuote(name)}` };
  if (ext === '.sh') return { name, parameters: [], command: `${shell} ${shellQuote(name)}` };
  throw new ReproError(
    'PROJECT_INVALID',
    `could not find ${name} among the entry points [${project.entryPoints.map((e) => e.name).join(', ')}] or interpret ${name} as a runnable script`,
    'Pick an entry point with -e, or name a .py or .sh file in the project.',
  );
}

/** Whether a value is a URI to MLflow: Python's urlparse finds a scheme. */
export function hasUriScheme(value: string): boolean {
  const i = value.indexOf(':');
  return i > 0 && /^[A-Za-z][A-Za-z0-9+.-]*$/.test(value.slice(0, i));
}

/** MLflow's get_local_path_or_none: a value without a scheme, or a file: URI without a host, is a local path. */
export function localPathOf(value: string): string | null {
  if (!hasUriScheme(value)) return value;
  const m = /^file:(?:\/\/([^/]*))?(\/.*)?$/.exec(value);
  if (!m || (m[1] ?? '') !== '') return null;
  return decodeURIComponent(m[2] ?? '');
}

/** What rendering needs from the file system: resolve a local `path` value to an absolute existing path (or throw). */
export interface RenderContext {
  resolvePath: (value: string, parameter: string) => string;
}

/** The parameters and command of one entry point, as `mlflow run` computes them. */
export interface RenderedCommand {
  /** The full shell command line run with `bash -c`. */
  command: string;
  /** Every parameter as MLflow logs it (declared then extra; quoted, path values as given). */
  loggedParameters: Record<string, string>;
  /** Every parameter's plain value (declared with defaults filled in, then extra), before quoting. */
  parameters: Record<string, string>;
}

/**
 * Renders an entry point's command with user parameters exactly as `mlflow run`: required
 * parameters checked, defaults filled in, `path` values made absolute (they must exist), `uri`
 * values needing a scheme, values quoted, template formatted, undeclared parameters appended.
 */
export function renderMlprojectCommand(
  entry: MlprojectEntryPoint,
  userParameters: Record<string, string>,
  ctx: RenderContext,
): RenderedCommand {
  // A key reaches bash unquoted (`--key value`, `{key}`): only names MLflow itself accepts may get that far.
  for (const p of entry.parameters) assertParamName(p.name, `entry point ${entry.name}`);
  for (const k of Object.keys(userParameters)) assertParamName(k, `the parameters given to entry point ${entry.name}`);
  const missing = entry.parameters
    .filter((p) => !hasName(userParameters, p.name) && p.default === null)
    .map((p) => `'${p.name}'`);
  if (missing.length > 0) {
    throw new ReproError(
      'PROJECT_INVALID',
      `no value given for missing parameters: ${missing.join(', ')} (entry point ${entry.name})`,
      `Give them with -P, e.g. -P ${missing[0]!.slice(1, -1)}=VALUE.`,
    );
  }
  const finalParams = emptyRecord<string>();
  const logged = emptyRecord<string>();
  const plain = emptyRecord<string>();
  for (const p of entry.parameters) {
    const value = hasName(userParameters, p.name) ? userParameters[p.name]! : p.default!;
    plain[p.name] = value;
    let computed = value;
    if (p.type === 'path') {
      const local = localPathOf(value);
      if (local === null) {
        throw new ReproError(
          'PROJECT_INVALID',
          `parameter ${p.name} is the URI ${value}; reproscope reruns only local paths`,
          'Download the data and give its local path.',
        );
      }
      computed = ctx.resolvePath(local, p.name);
    } else if (p.type === 'uri' && !hasUriScheme(value)) {
      throw new ReproError(
        'PROJECT_INVALID',
        `expected a URI for parameter ${p.name} but got ${value}`,
        'Give a URI with a scheme, e.g. file:///data/x.csv or s3://bucket/x.',
      );
    }
    finalParams[p.name] = shellQuote(computed);
    logged[p.name] = shellQuote(value);
  }
  const extra: [string, string][] = [];
  for (const [k, v] of Object.entries(userParameters)) {
    if (hasName(finalParams, k)) continue;
    extra.push([k, shellQuote(v)]);
    logged[k] = shellQuote(v);
    plain[k] = v;
  }
  const formatted = pyFormat(entry.command, finalParams, `the command of entry point ${entry.name}`);
  const command = [formatted, ...extra.map(([k, v]) => `--${k} ${v}`)].join(' ');
  return { command, loggedParameters: logged, parameters: plain };
}
