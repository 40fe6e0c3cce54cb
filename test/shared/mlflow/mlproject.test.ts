// MLproject reading and rendering against the shared MLflow fixtures, MLproject semantics and PyYAML scalars.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  findEntryPoint,
  parseMlproject,
  renderMlprojectCommand,
  type Mlproject,
} from '../../../shared/mlflow/mlproject';
import { loadPyYaml, pyFloatRepr, pyStr } from '../../../shared/mlflow/pyyaml';
import { SHARED_FIXTURES, SYSTEM_PYTHON, tempDir } from '../../helpers/temp';

const FIXTURES = path.join(SHARED_FIXTURES, 'mlflow');

function findMlprojects(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...findMlprojects(abs));
    else if (e.name.toLowerCase() === 'mlproject') out.push(abs);
  }
  return out.sort();
}

// MLflow's own algorithm (mlflow/projects/_project_spec.py: EntryPoint.compute_command), run with
// Debian's PyYAML, as the reference every rendering is checked against.
const MLFLOW_REFERENCE = `
import json, os, shlex, sys, yaml
text, ep_name, user = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
doc = yaml.safe_load(text)
ep = doc["entry_points"][ep_name]
params = {}
for k, v in (ep.get("parameters") or {}).items():
    params[k] = (v, None) if isinstance(v, str) else (v.get("type", "string"), v.get("default"))
final, extra = {}, {}
for k, (typ, default) in params.items():
    value = user[k] if k in user else default
    if typ == "path":
        value = os.path.abspath(value)
    final[k] = shlex.quote(str(value))
for k in user:
    if k not in final:
        extra[k] = shlex.quote(str(user[k]))
cmd = " ".join([ep["command"].format(**final)] + ["--%s %s" % (k, v) for k, v in extra.items()])
print(json.dumps({"command": cmd, "defaults": {k: (None if d is None else str(d)) for k, (t, d) in params.items()}}))
`;

function mlflowRender(
  text: string,
  entry: string,
  user: Record<string, string>,
  cwd: string,
): { command: string; defaults: Record<string, string | null> } {
  return JSON.parse(
    execFileSync(SYSTEM_PYTHON, ['-c', MLFLOW_REFERENCE, text, entry, JSON.stringify(user)], { cwd, encoding: 'utf8' }),
  ) as never;
}

const load = (file: string): Mlproject =>
  parseMlproject(fs.readFileSync(file, 'utf8'), path.basename(file), (rel) =>
    fs.existsSync(path.join(path.dirname(file), rel)),
  );
const parseText = (text: string): Mlproject => parseMlproject(text, 'MLproject', () => false);

describe('MLproject rendering against the shared MLflow fixtures', () => {
  const files = findMlprojects(FIXTURES);

  it('finds all the fixture MLprojects', () => {
    expect(files.length).toBeGreaterThanOrEqual(13);
  });

  it('renders every entry point of every fixture as MLflow does', () => {
    const dataFile = path.join(tempDir(), 'ratings.csv');
    fs.writeFileSync(dataFile, 'a,b\n1,2\n');
    let rendered = 0;
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const project = parseMlproject(text, 'MLproject', () => true);
      for (const ep of project.entryPoints) {
        const user: Record<string, string> = {};
        for (const p of ep.parameters) {
          if (p.default !== null) continue;
          user[p.name] =
            p.type === 'path'
              ? dataFile
              : p.type === 'uri'
                ? 'https://example.com/x.csv'
                : p.type === 'float'
                  ? '0.25'
                  : p.type === 'int'
                    ? '3'
                    : "it's me";
        }
        user.extra_flag = 'a b';
        const ours = renderMlprojectCommand(ep, user, { resolvePath: (v) => path.resolve(v) });
        const theirs = mlflowRender(text, ep.name, user, path.dirname(file));
        expect(ours.command, `${file} ${ep.name}`).toBe(theirs.command);
        expect(
          Object.fromEntries(ep.parameters.map((p) => [p.name, p.default])),
          `${file} ${ep.name} defaults`,
        ).toEqual(theirs.defaults);
        rendered++;
      }
    }
    expect(rendered).toBeGreaterThanOrEqual(20);
  });

  it('keeps 1e-1 as text and .0 as the float 0.0, as PyYAML does (hyperparam train)', () => {
    const text = fs.readFileSync(path.join(FIXTURES, 'mlflow-examples/examples/hyperparam/MLproject'), 'utf8');
    const project = parseMlproject(text, 'MLproject', () => true);
    const train = findEntryPoint(project, 'train');
    const r = renderMlprojectCommand(train, {}, { resolvePath: (v) => v });
    expect(r.command.replace(/\s+/g, ' ')).toBe(
      'python train.py ../sklearn_elasticnet_wine/wine-quality.csv --batch-size 16 --epochs 32 --learning-rate 1e-1 --momentum 0.0',
    );
    expect(r.loggedParameters).toMatchObject({ learning_rate: '1e-1', momentum: '0.0', seed: '97531' });
  });

  it('renders the filestore fixture as the recorded mlflow run did', () => {
    const project = load(path.join(FIXTURES, 'mlflow-run-filestore/MLproject'));
    expect(project.name).toBe('Proyecto de demostracion');
    expect(
      renderMlprojectCommand(findEntryPoint(project, 'knn'), { n_neighbors: '5' }, { resolvePath: (v) => v }).command,
    ).toBe('python3 -m homework --model knn --n_neighbors 5');
    expect(
      renderMlprojectCommand(
        findEntryPoint(project, 'elasticnet'),
        { alpha: '0.5', l1_ratio: '0.5' },
        { resolvePath: (v) => v },
      ).command,
    ).toBe('python3 -m homework --model elasticnet --alpha 0.5 --l1_ratio 0.5');
    expect(renderMlprojectCommand(findEntryPoint(project, 'elasticnet'), {}, { resolvePath: (v) => v }).command).toBe(
      'python3 -m homework --model elasticnet --alpha 0.1 --l1_ratio 0.1',
    );
  });

  it('detects environments as MLflow does, and refuses a named env file that is missing', () => {
    const wine = load(path.join(FIXTURES, 'mlflow-examples/examples/sklearn_elasticnet_wine/MLproject'));
    expect(wine.env).toMatchObject({ kind: 'python_env', file: 'python_env.yaml', detected: false });
    const docker = load(path.join(FIXTURES, 'mlflow-examples/examples/docker/MLproject'));
    expect(docker.env.kind).toBe('docker_env');
    expect(docker.env.docker?.image).toBe('mlflow-docker-example');
    // the fixture copies of these projects lack their conda.yaml: mlflow run fails on them too
    expect(() => load(path.join(FIXTURES, 'mlflow-examples/examples/hyperparam/MLproject'))).toThrow(
      /conda environment file conda.yaml, but no such file/,
    );
    const noEnv = load(path.join(FIXTURES, 'mlflow-examples/tests/resources/example_pip_project/MLproject'));
    expect(noEnv.env.kind).toBe('none');
    const detected = parseMlproject(
      'entry_points:\n  main:\n    command: python x.py\n',
      'MLproject',
      (rel) => rel === 'conda.yaml',
    );
    expect(detected.env).toMatchObject({ kind: 'conda_env', file: 'conda.yaml', detected: true });
    expect(() => parseMlproject('python_env: a.yaml\nconda_env: b.yaml\n', 'MLproject', () => true)).toThrow(
      /multiple environment fields/,
    );
    expect(() => parseMlproject('docker_env: {namespace: x}\n', 'MLproject', () => true)).toThrow(/no image/);
  });
});

describe('MLproject semantics', () => {
  const text = fs.readFileSync(
    path.join(FIXTURES, 'mlflow-examples/tests/resources/example_project/MLproject'),
    'utf8',
  );
  const project = parseMlproject(text, 'MLproject', () => true);

  it('requires parameters without a default', () => {
    expect(() => renderMlprojectCommand(findEntryPoint(project, 'greeter'), {}, { resolvePath: (v) => v })).toThrow(
      /missing parameters: 'name'/,
    );
    expect(
      renderMlprojectCommand(findEntryPoint(project, 'greeter'), { name: 'friend' }, { resolvePath: (v) => v }).command,
    ).toBe('python greeter.py hi friend');
  });

  it('makes path parameters absolute and refuses missing ones; uri parameters need a scheme', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'in.txt'), 'x\n');
    const resolvePath = (v: string): string => {
      const abs = path.resolve(dir, v);
      if (!fs.existsSync(abs)) throw new Error(`no such file ${v}`);
      return abs;
    };
    expect(
      renderMlprojectCommand(findEntryPoint(project, 'line_count'), { path: 'in.txt' }, { resolvePath }).command,
    ).toBe(`cat ${path.join(dir, 'in.txt')} | wc -l`);
    expect(
      renderMlprojectCommand(findEntryPoint(project, 'line_count'), { path: `file://${dir}/in.txt` }, { resolvePath })
        .command,
    ).toBe(`cat ${path.join(dir, 'in.txt')} | wc -l`);
    expect(
      renderMlprojectCommand(findEntryPoint(project, 'line_count'), { path: 'in.txt' }, { resolvePath })
        .loggedParameters,
    ).toEqual({ path: 'in.txt' });
    expect(() =>
      renderMlprojectCommand(findEntryPoint(project, 'line_count'), { path: 'nope.txt' }, { resolvePath }),
    ).toThrow(/no such file/);
    expect(() =>
      renderMlprojectCommand(findEntryPoint(project, 'download_uri'), { uri: 'just/a/path' }, { resolvePath }),
    ).toThrow(/expected a URI/);
    expect(
      renderMlprojectCommand(findEntryPoint(project, 'download_uri'), { uri: 's3://b/k' }, { resolvePath }).command,
    ).toBe('curl s3://b/k | wc -l');
  });

  it('runs a .py or .sh entry point as MLflow does, with parameters appended', () => {
    expect(
      renderMlprojectCommand(
        findEntryPoint(project, 'train.py'),
        { alpha: '0.5', name: "O'Neil" },
        { resolvePath: (v) => v },
      ).command,
    ).toBe(`python train.py --alpha 0.5 --name 'O'"'"'Neil'`);
    expect(renderMlprojectCommand(findEntryPoint(project, 'run me.sh'), {}, { resolvePath: (v) => v }).command).toBe(
      "bash 'run me.sh'",
    );
    expect(() => findEntryPoint(project, 'nope')).toThrow(/could not find nope among the entry points \[main, greeter/);
    const none = parseMlproject(null, null, () => false);
    expect(findEntryPoint(none, 'main.py').command).toBe('python main.py');
  });

  it('uses the default entry point main, params in both forms, and Python str() of YAML values', () => {
    const p = parseText(`
name: t
entry_points:
  main:
    parameters:
      a: float
      b: {type: float, default: 0.1}
      c: {type: float, default: 1e-1}
      d: {type: float, default: 1.0e+5}
      e: {default: yes}
      f: {type: int, default: 017}
      g: {type: string, default: "quoted value"}
      h: {type: int, default: 1_000}
      i: {type: float, default: 1e16}
      j: {type: string, default: 2024-01-31}
      k: {type: float, default: .inf}
      l: {type: float, default: 0.00001}
      m: {type: int, default: 09}
    command: "python t.py {a} {b} {c} {d} {e} {f} {g} {h} {i} {j} {k} {l} {m} {{literal}}"
`);
    expect(p.entryPoints[0]!.parameters.map((x) => [x.name, x.type, x.default])).toEqual([
      ['a', 'float', null],
      ['b', 'float', '0.1'],
      ['c', 'float', '1e-1'],
      ['d', 'float', '100000.0'],
      ['e', 'string', 'True'],
      ['f', 'int', '15'],
      ['g', 'string', 'quoted value'],
      ['h', 'int', '1000'],
      ['i', 'float', '1e16'],
      ['j', 'string', '2024-01-31'],
      ['k', 'float', 'inf'],
      ['l', 'float', '1e-05'],
      ['m', 'int', '09'],
    ]);
    expect(renderMlprojectCommand(findEntryPoint(p, 'main'), { a: '2' }, { resolvePath: (v) => v }).command).toBe(
      "python t.py 2 0.1 1e-1 100000.0 True 15 'quoted value' 1000 1e16 2024-01-31 inf 1e-05 09 {literal}",
    );
  });
});

describe('PyYAML scalars', () => {
  it('agree with Debian PyYAML on str() of tricky scalars', () => {
    const scalars = [
      '1e-1',
      '1.0e-1',
      '1.0e+1',
      '.5',
      '-.5',
      '+1.5',
      '5.',
      '1_000.5',
      '0.1',
      '0.30000000000000004',
      '1:30',
      '1:30.5',
      '-0',
      '0x1F',
      '0b101',
      '017',
      '09',
      '1e16',
      '12345678901234567890',
      '123456789012345678.0',
      '1.5e+300',
      '0.0001',
      '0.00001',
      '-0.0',
      'yes',
      'No',
      'on',
      'OFF',
      'y',
      '~',
      'null',
      'NULL',
      '',
      '.NaN',
      '-.inf',
      '2001-12-14',
      '2001-12-14t21:59:43.10-05:00',
      '2001-12-14 21:59:43',
      'abc',
      'true',
      'True',
      '3.14159',
      '100',
      '-17',
      '6.02e+23',
      '1.7976931348623157e+308',
    ];
    const doc = scalars.map((s, i) => `k${i}: ${s}`).join('\n');
    const python = JSON.parse(
      execFileSync(
        SYSTEM_PYTHON,
        [
          '-c',
          'import json,sys,yaml; d=yaml.safe_load(sys.argv[1]); print(json.dumps([str(d["k%d"%i]) for i in range(len(d))]))',
          doc,
        ],
        { encoding: 'utf8' },
      ),
    ) as string[];
    const ours = loadPyYaml(doc, 'test');
    expect(ours.kind).toBe('map');
    const got = ours.kind === 'map' ? ours.entries.map(([, v]) => pyStr(v)) : [];
    expect(got).toEqual(python);
  });

  it('formats floats as Python repr does', () => {
    expect([0.1, 1, 1e16, 1e15, 123.456, 1e-5, 1e-4, -2.5e-7, 5e-324].map(pyFloatRepr)).toEqual([
      '0.1',
      '1.0',
      '1e+16',
      '1000000000000000.0',
      '123.456',
      '1e-05',
      '0.0001',
      '-2.5e-07',
      '5e-324',
    ]);
  });
});
