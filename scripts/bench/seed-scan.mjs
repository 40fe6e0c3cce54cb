// Seed-scan figures of issue 11: precision and recall on the labelled corpus (test/fixtures/seed-scan),
// and the time the scan adds to the probe on a generated 2,000-file repository, with a cold and a warm cache.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForBench } from '../bench-bundle.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PYTHON = '/usr/bin/python3';
const FILES = 2000;

/** A module of a made-up training package: imports, a class, functions, draws, a seed now and then. */
function moduleText(i) {
  const lines = [
    `"""Module ${i} of a generated project."""`,
    'import os',
    'import random',
    'import numpy as np',
    i % 3 === 0 ? 'import torch\nimport torch.nn as nn' : 'from sklearn.ensemble import RandomForestClassifier',
    i > 0 ? `from pkg${(i - 1) % 20}.mod${i - 1} import helper_${i - 1}` : '',
    '',
    `CONFIG_${i} = {"lr": 0.01, "depth": ${i % 7}, "seed": ${i}}`,
    '',
    `class Model${i}:`,
    '    def __init__(self, width=8):',
    i % 3 === 0
      ? '        self.fc = nn.Linear(width, width)'
      : '        self.clf = RandomForestClassifier(n_estimators=width)',
    '        self.width = width',
    '',
    '    def step(self, batch):',
    '        total = 0.0',
    '        for x in batch:',
    '            total += x * self.width',
    '        return total / max(len(batch), 1)',
    '',
    `def helper_${i}(values):`,
    '    out = []',
    '    for k, v in enumerate(values):',
    '        if v % 2:',
    '            out.append(v * k)',
    '        else:',
    '            out.append(np.sqrt(abs(v)))',
    '    return out',
    '',
    `def train_${i}(n=10):`,
    i % 10 === 0 ? `    np.random.seed(${i})` : '',
    '    data = np.random.rand(n)',
    `    model = Model${i}()`,
    '    random.shuffle(list(range(n)))',
    `    return model.step(helper_${i}(list(data)))`,
    '',
    'if __name__ == "__main__":',
    `    print(train_${i}())`,
  ];
  return `${lines.filter((l) => l !== '').join('\n')}\n`;
}

const seconds = (t) => (performance.now() - t) / 1000;

/** The bench entry point called by scripts/bench.mjs. */
export async function bench(report) {
  fs.mkdirSync(path.join(root, '.bench'), { recursive: true });
  const { probePython, scanCorpus, readCorpusLabels, scoreCorpus, formatCorpusScore } = await bundleForBench(
    path.join(root, 'electron/platform/seed-scan-bench-entry.ts'),
    'seed-scan-bundle',
  );

  const corpus = path.join(root, 'test', 'fixtures', 'seed-scan');
  const score = scoreCorpus(readCorpusLabels(corpus), await scanCorpus(PYTHON, corpus));
  console.log(formatCorpusScore(score).replace(/^/gm, '    '));
  report('seed-scan corpus precision', score.overall.precision, '', 'required', 0.9, { ratioAtLeast: 1 });
  report('seed-scan corpus recall', score.overall.recall, '', 'required', 0.9, { ratioAtLeast: 1 });
  const weakest = Math.min(...score.rules.map((r) => Math.min(r.precision, r.recall)));
  console.log(
    `    ${score.rules.length} rules, ${score.files} files; weakest rule precision/recall ${weakest.toFixed(2)} (test requires 0.90)`,
  );

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reproscope-bench-seed-scan-'));
  try {
    const repo = path.join(tmp, 'repo');
    for (let i = 0; i < FILES; i++) {
      const dir = path.join(repo, `pkg${i % 20}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `mod${i}.py`), moduleText(i));
    }
    for (let p = 0; p < 20; p++) fs.writeFileSync(path.join(repo, `pkg${p}`, '__init__.py'), '');
    const cache = path.join(tmp, 'scan-cache.json');
    let t = performance.now();
    await probePython(PYTHON, {});
    const probeOnly = seconds(t);
    t = performance.now();
    const cold = await probePython(PYTHON, { scanRoot: repo, scanCache: cache });
    const coldTime = seconds(t);
    t = performance.now();
    const warm = await probePython(PYTHON, { scanRoot: repo, scanCache: cache });
    const warmTime = seconds(t);
    console.log(
      `    ${warm.scan.filesScanned} files, ${warm.scan.findings.length} findings; cold parse ${cold.scanReparsed} files, warm ${warm.scanReparsed}`,
    );
    report('probe + scan, 2,000 files, cold cache', coldTime, 's', 'probe alone', probeOnly);
    report('probe + scan, 2,000 files, warm cache', warmTime, 's', 'probe alone', probeOnly, { within: 2 });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
