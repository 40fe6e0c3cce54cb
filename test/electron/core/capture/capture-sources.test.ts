/** Capture's metric sources (printed output, patterns, TensorBoard) and --python, on real Debian Python training code. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureRun, type CaptureRequest } from '../../../../electron/core/capture';
import { tempCore } from '../../../helpers/store';
import { REPO_ROOT, SYSTEM_PYTHON, tempDir, writeFiles } from '../../../helpers/temp';

// A real scikit-learn training loop that only prints its metrics, one line per epoch, as many scripts do.
const PRINTS_METRICS = `
import sys, time
import numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import SGDClassifier
print("Python", sys.version.split()[0], "started", time.strftime("%Y-%m-%d %H:%M:%S"))
X, y = make_classification(n_samples=300, n_features=8, random_state=0)
clf = SGDClassifier(loss="log_loss", random_state=1)
for epoch in range(1, 4):
    t0 = time.time()
    clf.partial_fit(X, y, classes=np.unique(y))
    acc = clf.score(X, y)
    print(f"epoch {epoch}: acc={acc:.4f} elapsed={time.time() - t0:.4f}")
print(f"final accuracy: {clf.score(X, y):.4f}")
print(f"[eval] f1 -> {0.5 + clf.score(X, y) / 4:.4f}")
`;

// A real torch MLP that logs its loss to TensorBoard (through the SummaryWriter stand-in: Debian has no tensorboard package).
const TORCH_TB = `
import torch
from tb_writer import SummaryWriter
torch.manual_seed(0)
X = torch.randn(64, 4); y = (X.sum(1, keepdim=True) > 0).float()
model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
w = SummaryWriter("runs/mlp")
for step in range(5):
    opt.zero_grad()
    loss = torch.nn.functional.binary_cross_entropy_with_logits(model(X), y)
    loss.backward(); opt.step()
    w.add_scalar("train/loss", loss.item(), step)
w.close()
print("done")
`;

async function capture(cwd: string, request: Omit<CaptureRequest, 'cwd'>, env?: NodeJS.ProcessEnv) {
  const ctx = tempCore();
  return captureRun({ cwd, env, ...request }, { runs: ctx.runs, hashCache: ctx.hashCache });
}

describe('capture --metrics-from stdout and --metric-pattern', () => {
  it('records the metrics a training script only prints, with their history, and no timestamps or timings', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'train.py': PRINTS_METRICS });
    const { snapshot } = await capture(dir, {
      argv: [SYSTEM_PYTHON, 'train.py'],
      metricsFrom: ['stdout'],
      metricPatterns: ['\\[eval\\] (?<name>\\w+) -> (?<value>[0-9.]+)'],
    });
    const m = snapshot.outcome.metrics;
    expect(Object.keys(m).sort()).toEqual(['acc', 'f1', 'final_accuracy']);
    expect(m.acc!.history!.map((p) => p.step)).toEqual([1, 2, 3]);
    expect(m.acc!.value).toBe(m.final_accuracy!.value);
    expect(m.f1!.source).toBe('stdout (--metric-pattern)');
    expect(snapshot.warnings.join('\n')).toContain(
      'not read as metrics from stdout (timing, identity or seed values): elapsed',
    );
  }, 60_000);

  it('refuses a bad pattern or source before running anything', async () => {
    const dir = tempDir();
    const marker = path.join(dir, 'ran');
    const argv = [SYSTEM_PYTHON, '-c', `open(${JSON.stringify(marker)}, "w")`];
    await expect(capture(dir, { argv, metricPatterns: ['loss=([0-9.]+)'] })).rejects.toThrow(/no named group/);
    await expect(capture(dir, { argv, metricsFrom: ['tensorbord:runs'] })).rejects.toThrow(/not a metrics source/);
    expect(fs.existsSync(marker)).toBe(false);
  });
});

describe('capture --metrics-from tensorboard:DIR', () => {
  it('records the scalars a torch training wrote to its event files', async () => {
    const dir = tempDir();
    writeFiles(dir, {
      'train.py': TORCH_TB,
      'tb_writer.py': fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'tensorboard', 'tb_writer.py'), 'utf8'),
    });
    const { snapshot } = await capture(dir, { argv: [SYSTEM_PYTHON, 'train.py'], metricsFrom: ['tensorboard:runs'] });
    const loss = snapshot.outcome.metrics['mlp/train/loss']!;
    expect(loss.history!.map((p) => p.step)).toEqual([0, 1, 2, 3, 4]);
    expect(loss.value).toBeLessThan(loss.history![0]!.value);
    expect(loss.source).toBe('tensorboard:runs');
  }, 120_000);
});

describe('capture --python', () => {
  it("makes the command's python and python3 the chosen interpreter, and records that one", async () => {
    const dir = tempDir();
    // A PATH whose python and python3 are not the interpreter the user asked for.
    const decoy = tempDir('reproscope-decoy-');
    for (const name of ['python', 'python3'])
      writeFiles(decoy, { [name]: '#!/bin/sh\necho "decoy python ran" >&2\nexit 7\n' });
    for (const name of ['python', 'python3']) fs.chmodSync(path.join(decoy, name), 0o755);
    const env = { ...process.env, PATH: `${decoy}${path.delimiter}${process.env.PATH ?? ''}` };
    const script = 'import sys, sklearn; print("exe=" + sys.executable)';
    const { snapshot, exitCode } = await capture(dir, { argv: ['python', '-c', script], python: SYSTEM_PYTHON }, env);
    expect(exitCode).toBe(0);
    expect(snapshot.software.python.executable).toBe(SYSTEM_PYTHON);
    expect(snapshot.software.packages.some((p) => p.name.toLowerCase() === 'scikit-learn')).toBe(true);
    const { snapshot: sh } = await capture(
      dir,
      { argv: ['sh', '-c', `python3 -c '${script}'`], python: SYSTEM_PYTHON },
      env,
    );
    expect(sh.outcome.exitCode).toBe(0);
    // A command that names its interpreter itself keeps it: that one ran, and is the one recorded.
    const venvLike = path.join(decoy, 'python3');
    const { snapshot: own } = await capture(dir, { argv: [venvLike, '-c', 'pass'], python: SYSTEM_PYTHON }, env);
    expect(own.software.python.requested).toBe(venvLike);
    expect(own.warnings.join('\n')).toContain('did not apply');
  }, 60_000);
});
