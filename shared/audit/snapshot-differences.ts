// The candidate sources from snapshots: what differs between the original's snapshot and a rerun's, and what a rerun used against the versions its environment spec pins.
import type { Category, Snapshot } from '../snapshot/snapshot';
import { ownValue } from '../records';

/** One difference between the original's snapshot and a rerun's, a candidate source. */
export interface SnapshotDifference {
  category: Category;
  factor: string;
  original: string;
  rerun: string;
  /** The ranking prior: lower is more likely to move numbers (docs/audit.md). */
  prior: number;
}

const NUMERIC_PACKAGES =
  /^(numpy|scipy|scikit-learn|sklearn|torch|tensorflow|tensorflow-cpu|jax|jaxlib|xgboost|lightgbm|catboost|pandas|mkl|openblas|numba|cupy|keras)$/i;

/** Whether a snapshot observed its process environment (captures and reruns do; an MLflow import does not). */
const knowsEnvironment = (s: Snapshot): boolean => s.kind !== 'import';

/** The differences between the original's snapshot and a rerun's that could change numbers (unknown facts on either side are not differences). */
export function snapshotDifferences(original: Snapshot, rerun: Snapshot): SnapshotDifference[] {
  const out: SnapshotDifference[] = [];
  const add = (
    category: Category,
    factor: string,
    [a, b]: readonly [string | null | undefined, string | null | undefined],
    prior: number,
  ): void => {
    if (a === null || a === undefined || b === null || b === undefined || a === b) return;
    out.push({ category, factor, original: a, rerun: b, prior });
  };
  add('code', 'commit', [original.code.commit, rerun.code.commit], 1);
  if (original.code.vcs === 'none' && rerun.code.vcs === 'none')
    add('code', 'source files (content hash)', [original.code.contentHash, rerun.code.contentHash], 1);
  if (original.software.python.status === 'ok' && rerun.software.python.status === 'ok')
    add('software', 'python', [original.software.python.version, rerun.software.python.version], 3);
  const pkgs = (s: Snapshot): Map<string, string> =>
    new Map(s.software.packages.map((p) => [p.name.toLowerCase(), p.version]));
  if (original.software.packages.length > 0 && rerun.software.packages.length > 0) {
    const a = pkgs(original);
    const b = pkgs(rerun);
    // a declared list (an import's requirements) is partial: a package it does not name is unknown, not absent
    const partial =
      original.software.packagesProvenance === 'declared' || rerun.software.packagesProvenance === 'declared';
    const names = partial ? [...a.keys()].filter((n) => b.has(n)) : [...new Set([...a.keys(), ...b.keys()])];
    for (const name of names.sort()) {
      const prior = NUMERIC_PACKAGES.test(name) ? 2 : 5;
      add('software', `package:${name}`, [a.get(name) ?? '(not installed)', b.get(name) ?? '(not installed)'], prior);
    }
  }
  for (const lib of Object.keys(original.software.numerics)) {
    for (const [k, v] of Object.entries(original.software.numerics[lib] ?? {}))
      add('software', `numerics:${lib}.${k}`, [v, ownValue(ownValue(rerun.software.numerics, lib), k)], 2);
  }
  const oc = original.hardware.cpu;
  const rc = rerun.hardware.cpu;
  if (oc && rc) {
    add('hardware', 'cpu', [oc.model, rc.model], 4);
    add('hardware', 'cpu numerics flags', [oc.numericsFlags.join(' '), rc.numericsFlags.join(' ')], 4);
  }
  if (original.hardware.gpus.length > 0 || rerun.hardware.gpus.length > 0) {
    add(
      'hardware',
      'gpus',
      [
        original.hardware.gpus.map((g) => g.model).join(', ') || '(none)',
        rerun.hardware.gpus.map((g) => g.model).join(', ') || '(none)',
      ],
      4,
    );
  }
  // an import knows no environment: its empty variable list is unknown, not "unset"
  if (knowsEnvironment(original) && knowsEnvironment(rerun)) {
    const envNames = new Set([...Object.keys(original.process.env), ...Object.keys(rerun.process.env)]);
    for (const k of [...envNames].sort())
      add(
        'process',
        `env:${k}`,
        [ownValue(original.process.env, k) ?? '(unset)', ownValue(rerun.process.env, k) ?? '(unset)'],
        6,
      );
  }
  if (Object.keys(original.process.parameters).length > 0) {
    for (const k of Object.keys(original.process.parameters).sort())
      add(
        'process',
        `parameter:${k}`,
        [original.process.parameters[k], ownValue(rerun.process.parameters, k) ?? '(unset)'],
        6,
      );
  }
  return out;
}

/** One pin an environment spec declares: a package (or python) and the one version it names. */
export interface DeclaredPin {
  name: string;
  version: string;
  /** The spec file that declares it. */
  file: string;
}

/** The exact pins of conda.yaml / python_env.yaml / requirements files (`python=3.6`, `scikit-learn=0.19.1`, `numpy==1.24.2`); ranges are not pins. */
export function declaredPins(specs: Snapshot['software']['envSpecs']): DeclaredPin[] {
  const out: DeclaredPin[] = [];
  for (const spec of specs) {
    if (!['conda', 'python_env', 'requirements'].includes(spec.kind)) continue;
    const yaml = spec.kind !== 'requirements';
    for (const raw of spec.content.split('\n')) {
      const line = raw.replace(/#.*$/, '').trim();
      // python_env.yaml names the interpreter as `python: "3.8"`
      const py = yaml ? /^python\s*:\s*["']?([0-9][\w.*]*)["']?$/.exec(line) : null;
      if (py) {
        out.push({ name: 'python', version: py[1]!, file: spec.path });
        continue;
      }
      const item = yaml ? /^-\s*(.+)$/.exec(line)?.[1] : line;
      if (!item) continue;
      const m = /^([A-Za-z0-9][\w.-]*)(?:\[[^\]]*\])?\s*(==|=)\s*([0-9][\w.*+!-]*)\s*$/.exec(item.trim());
      if (!m || (m[2] === '=' && !yaml)) continue;
      // conda's `name=1.2=build` keeps only the version
      out.push({ name: m[1]!.toLowerCase(), version: m[3]!.split('=')[0]!, file: spec.path });
    }
  }
  return out;
}

const versionMatches = (installed: string, declared: string): boolean => {
  const d = declared.replace(/\.\*$/, '').replace(/\*$/, '');
  return installed === d || installed.startsWith(`${d}.`);
};

/**
 * What a `local` rerun used against what the project's environment spec pins (conda.yaml says
 * python=3.6, scikit-learn 0.19.1; the rerun ran Python 3.11 and 1.2.2): each mismatch is a candidate
 * source. A pinned package the rerun did not have installed is a difference too; one the probe could
 * not list is unknown.
 */
export function declaredEnvironmentDifferences(rerun: Snapshot): SnapshotDifference[] {
  const out: SnapshotDifference[] = [];
  const pkgs = new Map(rerun.software.packages.map((p) => [p.name.toLowerCase().replace(/_/g, '-'), p.version]));
  const seen = new Set<string>();
  for (const pin of declaredPins(rerun.software.envSpecs)) {
    const key = pin.name.replace(/_/g, '-');
    if (seen.has(key)) continue;
    seen.add(key);
    if (key === 'python') {
      const v = rerun.software.python.status === 'ok' ? rerun.software.python.version : null;
      if (v && !versionMatches(v, pin.version))
        out.push({
          category: 'software',
          factor: 'declared python',
          original: `${pin.version} (declared in ${pin.file})`,
          rerun: v,
          prior: 3,
        });
      continue;
    }
    if (rerun.software.packages.length === 0) continue;
    const v = pkgs.get(key) ?? (key === 'sklearn' ? pkgs.get('scikit-learn') : undefined);
    if (v !== undefined && versionMatches(v, pin.version)) continue;
    out.push({
      category: 'software',
      factor: `declared package:${key}`,
      original: `${pin.version} (declared in ${pin.file})`,
      rerun: v ?? '(not installed)',
      prior: NUMERIC_PACKAGES.test(key) ? 2 : 5,
    });
  }
  return out;
}
