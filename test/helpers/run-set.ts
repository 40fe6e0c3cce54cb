// A set of related runs (a learning-rate and seed sweep with a code change half-way) saved to a real store, for N-run compare tests.
import { RunsRepository } from '../../electron/db/runs-repository';
import { openStore } from '../../electron/db/open-store';
import { emptySnapshot, type Snapshot } from '../../shared/snapshot/snapshot';

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** Run `i` of a sweep: its learning rate, seed, metrics (with 20-step histories) and, from run 10 on, a newer commit. */
export function sweepRun(i: number): Snapshot {
  const s = emptySnapshot(
    `5e7000000000000000000${hex(i, 3)}`,
    'capture',
    new Date(Date.UTC(2026, 1, 1, 9, i)).toISOString(),
  );
  const lr = [0.1, 0.05, 0.01, 0.005][i % 4]!;
  s.name = `sweep lr=${lr} seed=${i}`;
  s.project = { root: '/home/researcher/sweep', name: 'sweep' };
  s.code = {
    ...s.code,
    vcs: 'git',
    root: '/home/researcher/sweep',
    commit: i < 10 ? 'a'.repeat(40) : 'b'.repeat(40),
    branch: 'main',
    dirty: i % 7 === 3,
    patch:
      i % 7 === 3
        ? `diff --git a/train.py b/train.py\n--- a/train.py\n+++ b/train.py\n@@ -1,2 +1,2 @@\n-EPOCHS = 10\n+EPOCHS = ${10 + i}\n`
        : null,
  };
  s.process.argv = ['python', 'train.py', '--lr', String(lr), '--seed', String(i), '--data', 'data/train.csv'];
  s.process.parameters = { lr: String(lr), seed: String(i) };
  s.software.packages = [
    { name: 'numpy', version: i < 15 ? '1.26.4' : '2.0.1', installer: 'pip', editable: false },
    { name: 'scikit-learn', version: '1.4.2', installer: 'pip', editable: false },
  ];
  s.outcome.status = 'finished';
  s.outcome.exitCode = 0;
  const loss = Array.from({ length: 20 }, (_, step) => ({
    step,
    value: 1 / (1 + step * lr * 10) + i / 1000,
    timestamp: Date.UTC(2026, 1, 1, 9, i) + step * 1000,
  }));
  s.outcome.metrics = {
    accuracy: { value: 0.9 + ((i * 37) % 17) / 1000, history: null, source: 'metrics.json' },
    loss: { value: loss[19]!.value, history: loss, source: 'mlflow' },
    epochs: { value: 10, history: null, source: 'metrics.json' },
  };
  return s;
}

/** Saves `count` sweep runs into the store at `home`; returns their ids in order. */
export function seedSweep(home: string, count: number): string[] {
  const store = openStore(home);
  try {
    const runs = new RunsRepository(store.db);
    return Array.from({ length: count }, (_, i) => {
      const s = sweepRun(i);
      runs.save(s);
      return s.id;
    });
  } finally {
    store.close();
  }
}
