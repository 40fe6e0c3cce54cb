// Fills a store with plausible synthetic captured runs for the UI tests and benches.
import { openStore } from '../../electron/db/open-store';
import { RunsRepository } from '../../electron/db/runs-repository';
import { emptySnapshot, type Snapshot } from '../../shared/snapshot/snapshot';

const hex = (n: number, width = 24): string => n.toString(16).padStart(width, '0');

/** A plausible captured run, numbered: names, projects, kinds and metrics vary with `i`. */
export function syntheticSnapshot(i: number, createdAt: Date): Snapshot {
  const s = emptySnapshot(
    hex(0x1000000 + i),
    i % 10 === 0 ? 'import' : i % 3 === 0 ? 'rerun' : 'capture',
    createdAt.toISOString(),
  );
  s.name = `run ${i}`;
  s.project = { root: `/home/user/project-${i % 20}`, name: `project-${i % 20}` };
  s.code = {
    ...s.code,
    vcs: 'git',
    commit: hex(i * 7919, 40),
    branch: 'main',
    root: s.project.root,
    dirty: i % 4 === 0,
  };
  s.process.argv = ['python', 'train.py', '--seed', String(i % 100), '--lr', '0.01'];
  s.process.parameters = { seed: String(i % 100), lr: '0.01' };
  s.outcome = {
    ...s.outcome,
    status: i % 17 === 0 ? 'failed' : 'finished',
    exitCode: i % 17 === 0 ? 1 : 0,
    metrics: {
      accuracy: { value: 0.9 + (i % 50) / 1000, history: null, source: 'metrics.json' },
      loss: { value: 0.3 - (i % 30) / 1000, history: null, source: 'metrics.json' },
    },
  };
  return s;
}

/** A large snapshot (thousands of packages and data files, a long patch, many metrics), for Compare's speed. */
export function largeSnapshot(id: string, variant: number, createdAt: Date): Snapshot {
  const s = syntheticSnapshot(variant, createdAt);
  s.id = id;
  s.name = `large ${variant}`;
  s.software.packages = Array.from({ length: 2000 }, (_, k) => ({
    name: `package-${k}`,
    version: k % 97 === variant ? `1.${k}.1` : `1.${k}.0`,
    installer: 'pip',
    editable: false,
  }));
  s.software.envSpecs = [
    {
      path: 'requirements.txt',
      kind: 'requirements',
      sha256: hex(variant, 64),
      provenance: 'observed',
      content: Array.from({ length: 2000 }, (_, k) => `package-${k}==1.${k}.${k % 97 === variant ? 1 : 0}`).join('\n'),
    },
  ];
  s.data.inputs = [
    {
      path: 'data/',
      absPath: '/data',
      kind: 'dir',
      rootHash: hex(variant, 64),
      fileCount: 5000,
      totalBytes: 5000 * 4096,
      files: Array.from({ length: 5000 }, (_, k) => ({
        path: `data/part-${k}.csv`,
        size: 4096,
        sha256: hex(k % 1000 === 0 ? k + variant : k, 64),
      })),
    },
  ];
  s.code.patch = Array.from({ length: 50 }, (_, f) =>
    [
      `diff --git a/src/m${f}.py b/src/m${f}.py`,
      `--- a/src/m${f}.py`,
      `+++ b/src/m${f}.py`,
      '@@ -1,60 +1,60 @@',
      ...Array.from({ length: 60 }, (_, l) => (l % 10 === variant % 10 ? `+x_${l} = ${variant}` : ` x_${l} = 0`)),
    ].join('\n'),
  ).join('\n');
  s.outcome.metrics = Object.fromEntries(
    Array.from({ length: 200 }, (_, k) => [
      `metric_${k}`,
      { value: k + variant / 1000, history: null, source: 'metrics.json' },
    ]),
  );
  s.process.env = Object.fromEntries(
    Array.from({ length: 40 }, (_, k) => [`VAR_${k}`, k === variant ? 'changed' : 'same']),
  );
  return s;
}

/** Fills a store with `count` synthetic runs (one transaction), newest last; returns the ids of two large runs when asked. */
export function seedStore(
  dir: string,
  count: number,
  options: { large?: boolean; startIndex?: number } = {},
): { largeIds: [string, string] | null } {
  const store = openStore(dir);
  try {
    const runs = new RunsRepository(store.db);
    const base = Date.UTC(2025, 0, 1);
    const start = options.startIndex ?? 0;
    store.db.transaction(() => {
      for (let i = start; i < start + count; i++)
        runs.saveInTransaction(syntheticSnapshot(i, new Date(base + i * 60_000)), [], null);
    })();
    if (!options.large) return { largeIds: null };
    const ids: [string, string] = ['ffff00000000000000000001', 'ffff00000000000000000002'];
    runs.save(largeSnapshot(ids[0], 1, new Date(base - 120_000)));
    runs.save(largeSnapshot(ids[1], 2, new Date(base - 60_000)));
    return { largeIds: ids };
  } finally {
    store.close();
  }
}

/** Adds a run whose `loss` history has `points` points (a long training run's), for the charts' speed; returns its id. */
export function seedLongHistory(dir: string, points: number): string {
  const id = 'ffff000000000000000000c3';
  const s = emptySnapshot(id, 'capture', new Date(Date.UTC(2024, 11, 31)).toISOString());
  s.name = `${points} points`;
  const history = Array.from({ length: points }, (_, step) => ({
    step,
    value: 1 / (1 + step / 1000) + ((step * 7919) % 101) / 10_000,
    timestamp: Date.UTC(2024, 11, 31) + step * 100,
  }));
  s.outcome.metrics = { loss: { value: history.at(-1)!.value, history, source: 'mlflow' } };
  const store = openStore(dir);
  try {
    new RunsRepository(store.db).save(s);
  } finally {
    store.close();
  }
  return id;
}
