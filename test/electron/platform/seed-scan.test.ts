// The seed scan through the real probe: the data flow of the false alarm, suppression comments and
// the project config, the per-file cache, and files that do not parse.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { probePython } from '../../../electron/platform/python-probe';
import { SYSTEM_PYTHON, tempDir, writeFiles } from '../../helpers/temp';
import { containing } from '../../helpers/typed';

const where = (fs: { file: string; line: number; rule: string; kind: string }[]): string[] =>
  fs.map((f) => `${f.file}:${f.line}:${f.rule}:${f.kind}`);

describe('the seed scan', () => {
  it('counts a seed set in main() before the loader, flags the unseeded forest, and follows params dicts', async () => {
    const project = tempDir();
    writeFiles(project, {
      'train.py': [
        'import torch',
        'import xgboost as xgb',
        'from sklearn.ensemble import RandomForestClassifier',
        'from data import make_loader',
        'def main(seed):',
        '    torch.manual_seed(seed)',
        '    loader = make_loader()',
        '    forest = RandomForestClassifier(n_estimators=5)',
        '    params = {"objective": "binary:logistic", "seed": 42}',
        '    return xgb.train(params, None)',
        'main(0)',
        '',
      ].join('\n'),
      'data.py':
        'import torch\ndef make_loader():\n    return torch.utils.data.DataLoader([1, 2], shuffle=True)\nx = torch.randn(3)\n',
    });
    const res = await probePython(SYSTEM_PYTHON, { scanRoot: project, scanCache: null });
    const found = where(res.scan!.findings);
    expect(found).toEqual(
      expect.arrayContaining([
        'train.py:6:torch-manual-seed:seed',
        'train.py:8:random-state-missing:risk',
        'train.py:10:gbdt-seed:seed',
        // drawn when data.py is imported, before main() seeds
        'data.py:4:unseeded-global-torch:risk',
      ]),
    );
    expect(found.some((f) => f.includes('dataloader-shuffle-unseeded'))).toBe(false);
    const forest = res.scan!.findings.find((f) => f.rule === 'random-state-missing')!;
    expect(forest).toMatchObject({
      column: 14,
      code: '    forest = RandomForestClassifier(n_estimators=5)',
      fix: containing('random_state='),
    });
  });

  it('silences a rule by comment on its line and by .reproscope.yaml, and skips excluded paths', async () => {
    const project = tempDir();
    writeFiles(project, {
      'a.py':
        'import random\nx = random.random()  # reproscope: ignore[unseeded-global-random]\ny = random.random()\nh = hash("k")\n',
      'legacy/old.py': 'import random\nrandom.shuffle([1])\n',
      '.reproscope.yaml': 'seed-scan:\n  ignore: [builtin-hash]\n  exclude: ["legacy/*"]\n',
    });
    const res = await probePython(SYSTEM_PYTHON, { scanRoot: project, scanCache: null });
    expect(where(res.scan!.findings)).toEqual(['a.py:3:unseeded-global-random:risk']);
    expect(res.scan!.suppressed).toBe(2);
    expect(res.scan!.filesScanned).toBe(1);
  });

  it('reports a broken config instead of ignoring it silently', async () => {
    const project = tempDir();
    writeFiles(project, { 'a.py': 'x = 1\n', '.reproscope.yaml': 'seed-scan:\n  ignore: 3\n' });
    const res = await probePython(SYSTEM_PYTHON, { scanRoot: project, scanCache: null });
    expect(res.scan!.status).toBe('ok');
    expect(res.scan!.error).toMatch(/\.reproscope\.yaml: seed-scan\.ignore: .*expected array/);
  });

  it('parses only the files that changed since the last scan', async () => {
    const project = tempDir();
    const cache = path.join(tempDir(), 'scan-cache.json');
    const files: Record<string, string> = {};
    for (let i = 0; i < 30; i++) files[`m${i}.py`] = `import numpy as np\nv${i} = np.random.rand(${i})\n`;
    writeFiles(project, files);
    const first = await probePython(SYSTEM_PYTHON, { scanRoot: project, scanCache: cache });
    expect(first.scanReparsed).toBe(30);
    const second = await probePython(SYSTEM_PYTHON, { scanRoot: project, scanCache: cache });
    expect(second.scanReparsed).toBe(0);
    expect(second.scan!.findings).toEqual(first.scan!.findings);
    fs.writeFileSync(path.join(project, 'm3.py'), 'import numpy as np\nnp.random.seed(1)\nv = np.random.rand(3)\n');
    const third = await probePython(SYSTEM_PYTHON, { scanRoot: project, scanCache: cache });
    expect(third.scanReparsed).toBe(1);
    expect(where(third.scan!.findings.filter((f) => f.file === 'm3.py'))).toEqual(['m3.py:2:numpy-seed:seed']);
  });

  it("keeps one project's cache apart from another's, and reuses an unchanged scan only under the same settings", async () => {
    const cacheDir = tempDir();
    const cache = path.join(cacheDir, 'scan-cache.json');
    const [a, b] = [tempDir(), tempDir()];
    writeFiles(a, { 'train.py': 'import random\nx = random.random()\nh = hash("k")\n' });
    writeFiles(b, { 'eval.py': 'import uuid\nu = uuid.uuid4()\n' });
    const first = await probePython(SYSTEM_PYTHON, { scanRoot: a, scanCache: cache });
    await probePython(SYSTEM_PYTHON, { scanRoot: b, scanCache: cache });
    const shards = fs.readdirSync(cacheDir).filter((f) => f.endsWith('.json'));
    expect(shards).toHaveLength(2);
    const again = await probePython(SYSTEM_PYTHON, { scanRoot: a, scanCache: cache });
    expect(again.scanReparsed).toBe(0);
    expect(again.scan).toEqual(first.scan);
    // a setting that silences a rule is a new scan, not the remembered one
    writeFiles(a, { '.reproscope.yaml': 'seed-scan:\n  ignore: [builtin-hash]\n' });
    const silenced = await probePython(SYSTEM_PYTHON, { scanRoot: a, scanCache: cache });
    expect(where(first.scan!.findings)).toContain('train.py:3:builtin-hash:risk');
    expect(where(silenced.scan!.findings)).not.toContain('train.py:3:builtin-hash:risk');
    expect(silenced.scanReparsed).toBe(0);
  });

  it('keeps the cache folder bounded: the 200 projects scanned last, none unused for 30 days', async () => {
    const cacheDir = tempDir();
    const cache = path.join(cacheDir, 'scan-cache.json');
    const now = Date.now() / 1000;
    const stem = (i: number): string => `scan-cache.${i.toString(16).padStart(16, '0')}.json`;
    // 210 projects scanned before, one a minute; the two oldest also a month ago
    for (let i = 0; i < 210; i++) {
      const t = i < 2 ? now - 40 * 86400 : now - 60 * (210 - i);
      for (const name of [stem(i), `${stem(i)}.last`]) {
        fs.writeFileSync(path.join(cacheDir, name), '{}');
        fs.utimesSync(path.join(cacheDir, name), t, t);
      }
    }
    fs.writeFileSync(path.join(cacheDir, 'notes.json'), 'not a shard');
    const project = tempDir();
    writeFiles(project, { 'train.py': 'import random\nx = random.random()\n' });
    const first = await probePython(SYSTEM_PYTHON, { scanRoot: project, scanCache: cache });
    expect(first.scanReparsed).toBe(1);
    const left = fs.readdirSync(cacheDir);
    const stems = new Set(left.filter((f) => f.startsWith('scan-cache.')).map((f) => f.replace(/\.last$/, '')));
    expect(stems.size).toBe(200);
    // the newest 199 old ones and this project's own; the oldest (and the month-old) gone, other files untouched
    expect(stems.has(stem(209))).toBe(true);
    expect(stems.has(stem(11))).toBe(true);
    expect(stems.has(stem(10))).toBe(false);
    expect(stems.has(stem(0))).toBe(false);
    expect(left).toContain('notes.json');
    // this project's scan is still cached
    const again = await probePython(SYSTEM_PYTHON, { scanRoot: project, scanCache: cache });
    expect(again.scanReparsed).toBe(0);
  });

  it('reports a file it cannot parse and scans the rest', async () => {
    const project = tempDir();
    writeFiles(project, { 'py2.py': 'print "hello"\n', 'ok.py': 'import uuid\nu = uuid.uuid4()\n' });
    const res = await probePython(SYSTEM_PYTHON, { scanRoot: project, scanCache: null });
    expect(where(res.scan!.findings)).toEqual(['ok.py:2:uuid4:note', 'py2.py:1:unparsable:note']);
    expect(res.scan!.findings[1]!.message).toMatch(/Python 3\.11/);
  });
});
