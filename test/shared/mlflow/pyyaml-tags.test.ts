// Tags in an MLproject: refused exactly where PyYAML's safe_load (what MLflow reads it with) refuses, checked against it.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadPyYaml } from '../../../shared/mlflow/pyyaml';
import { SYSTEM_PYTHON } from '../../helpers/temp';

const DOCS = [
  'name: x\nfoo: !r bar\n',
  'name: x\nfoo: !!python/object/apply:os.system ["touch pwned"]\n',
  'name: x\nfoo: !!python/name:os.system\n',
  'name: x\nn: !!int "3"\n',
  'name: x\nb: !!bool yes\n',
  'name: x\ns: !!str 3\n',
  'name: x\nf: !!float 1\n',
  'name: x\nm: !!map {a: 1}\n',
  'name: x\nq: !!seq [1]\n',
  'name: x\nplain: 1\n',
];

/** Whether Debian's real PyYAML safe_load accepts each document. */
function pyyamlAccepts(docs: string[]): boolean[] {
  const script =
    'import json, sys, yaml\nout = []\nfor d in json.load(sys.stdin):\n    try:\n        yaml.safe_load(d); out.append(True)\n    except yaml.YAMLError:\n        out.append(False)\nprint(json.dumps(out))\n';
  return JSON.parse(
    execFileSync(SYSTEM_PYTHON, ['-c', script], { input: JSON.stringify(docs), encoding: 'utf8' }),
  ) as boolean[];
}

describe('YAML tags as PyYAML safe_load sees them', () => {
  it('refuses the tags safe_load has no constructor for, accepts the standard ones, as PyYAML does', () => {
    const theirs = pyyamlAccepts(DOCS);
    const ours = DOCS.map((d) => {
      try {
        loadPyYaml(d, 'MLproject');
        return true;
      } catch {
        return false;
      }
    });
    expect(ours).toEqual(theirs);
    expect(theirs).toEqual([false, false, false, true, true, true, true, true, true, true]);
  });

  it('names the tag, the line, and the file, and prints nothing on stderr', () => {
    const spy: string[] = [];
    const onWarning = (w: Error): void => void spy.push(w.message);
    process.on('warning', onWarning);
    try {
      expect(() => loadPyYaml('name: x\nfoo: !r bar\n', 'MLproject')).toThrow(
        /MLproject cannot be read: PyYAML's safe_load, which MLflow uses, has no constructor for the tag !r \(at line 2/,
      );
      expect(() => loadPyYaml('a: !!python/object:os.system x\n', 'MLproject')).toThrow(
        /the tag !!python\/object:os\.system/,
      );
    } finally {
      process.off('warning', onWarning);
    }
    expect(spy).toEqual([]);
  });
});
