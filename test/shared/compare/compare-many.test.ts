// N-run compare (a column per run, the first the baseline), the data-read ranking fix, and metrics listed once.
import { describe, expect, it } from 'vitest';
import { compareSnapshots } from '../../../shared/compare/compare';
import { compareRunSet } from '../../../shared/compare/compare-many';
import { RunSetComparisonSchema } from '../../../shared/compare/compare-many-model';
import { emptySnapshot, type Snapshot, type TreeState } from '../../../shared/snapshot/snapshot';

function run(id: string, edit: (s: Snapshot) => void = () => undefined): Snapshot {
  const s = emptySnapshot(id, 'capture', '2024-01-01T00:00:00.000Z');
  s.code = { ...s.code, vcs: 'git', commit: 'a'.repeat(40) };
  s.process.argv = ['python', 'train.py', '--lr', '0.1'];
  s.process.parameters = { lr: '0.1' };
  s.outcome.metrics = {
    acc: { value: 0.9, history: null, source: 'x' },
    loss: { value: 0.3, history: null, source: 'x' },
  };
  edit(s);
  return s;
}

function folder(files: Record<string, string>): TreeState {
  const list = Object.entries(files)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([path, sha256]) => ({ path, size: 10, sha256 }));
  return {
    path: 'data',
    absPath: '/p/data',
    kind: 'dir',
    rootHash: list.map((f) => f.sha256).join(''),
    fileCount: list.length,
    totalBytes: 10 * list.length,
    files: list,
  };
}

describe('compareRunSet', () => {
  it('lines up every fact and metric a column per run, marking what differs from the baseline', () => {
    const runs = [
      run('r1'),
      run('r2', (s) => {
        s.process.parameters = { lr: '0.2' };
        s.outcome.metrics.acc!.value = 0.8;
      }),
      run('r3', (s) => {
        s.code.commit = 'b'.repeat(40);
        s.code.patch = 'diff --git a/train.py b/train.py\n--- a/train.py\n+++ b/train.py\n@@ -1 +1 @@\n-x\n+y\n';
      }),
    ];
    const c = compareRunSet(runs);
    expect(RunSetComparisonSchema.safeParse(c).success).toBe(true);
    expect(c.runs.map((r) => r.id)).toEqual(['r1', 'r2', 'r3']);
    const param = c.sections.find((s) => s.section === 'process')!.rows.find((r) => r.key === 'param:lr')!;
    expect(param).toMatchObject({ values: ['0.1', '0.2', '0.1'], differsFromBaseline: [false, true, false] });
    const commit = c.sections.find((s) => s.section === 'code')!.rows.find((r) => r.key === 'commit')!;
    expect(commit.differsFromBaseline).toEqual([false, false, true]);
    expect(c.metrics).toEqual([
      { name: 'acc', values: [0.9, 0.8, 0.9], rel: [null, (0.8 - 0.9) / 0.9, 0], differs: true, min: 0.8, max: 0.9 },
      { name: 'loss', values: [0.3, 0.3, 0.3], rel: [null, 0, 0], differs: false, min: 0.3, max: 0.3 },
    ]);
    // each other run ranked against the baseline
    expect(c.pairs.map((p) => [p.runId, p.ranked[0]?.kind])).toEqual([
      ['r2', 'process-parameters'],
      ['r3', 'code-commit'],
    ]);
    expect(c.uncommitted[2]).toMatch(/\+y/);
    expect(c.headline).toMatch(
      /^3 runs against the baseline: acc ranges 0\.8 to 0\.9; the runs differ in code, process/,
    );
  });

  it('takes 2 to 20 runs', () => {
    expect(() => compareRunSet([run('only')])).toThrow(/2 to 20/);
    const twenty = Array.from({ length: 20 }, (_, i) => run(`r${i}`, (s) => (s.outcome.metrics.acc!.value = i)));
    const c = compareRunSet(twenty);
    expect(c.pairs).toHaveLength(19);
    expect(c.metrics[0]).toMatchObject({ min: 0, max: 19, differs: true });
    expect(() => compareRunSet([...twenty, run('r20')])).toThrow(/2 to 20/);
  });
});

describe('two-run compare: metrics once, each side patch, data read', () => {
  it('lists each metric once (in outcome.metrics, not as an outcome row) and keeps each side patch', () => {
    const a = run('a', (s) => (s.code.patch = 'diff --git a/x b/x\n+one\n'));
    const b = run('b', (s) => (s.outcome.metrics.acc!.value = 0.7));
    const c = compareSnapshots(a, b);
    const outcome = c.sections.find((s) => s.section === 'outcome')!;
    expect(outcome.rows.some((r) => r.key.startsWith('metric:'))).toBe(false);
    expect(c.outcome.metrics.map((m) => m.name)).toEqual(['acc', 'loss']);
    expect(c.code.uncommitted).toEqual({ a: 'diff --git a/x b/x\n+one\n', b: null });
  });

  it('does not rank first a data folder that only gained a file the run did not read', () => {
    const a = run('a', (s) => (s.data.inputs = [folder({ 'train.csv': '1' })]));
    const b = run('b', (s) => {
      s.data.inputs = [folder({ 'train.csv': '1', 'notes.txt': '2' })];
      s.software.packages = [{ name: 'six', version: '1.0', installer: 'pip', editable: false }];
      s.process.env = { OMP_NUM_THREADS: '4' };
    });
    const c = compareSnapshots(a, b);
    const kinds = c.summary.ranked.map((r) => r.kind);
    expect(kinds[0]).toBe('process-env');
    expect(kinds).toContain('data-unread');
    expect(kinds).not.toContain('data-content');
    const item = c.summary.ranked.find((r) => r.kind === 'data-unread')!;
    expect(item.details[0]).toMatch(/only added files, which A's run cannot have read/);
  });

  it('ranks a changed file the command names first, and one it does not name below the code', () => {
    const named = (file: string): Snapshot[] => [
      run('a', (s) => {
        s.data.inputs = [folder({ 'train.csv': '1', 'other.csv': '1' })];
        s.process.argv = ['python', 'train.py', '--train', 'data/train.csv'];
      }),
      run('b', (s) => {
        s.data.inputs = [folder({ 'train.csv': '1', 'other.csv': '1', [file]: '2' })];
        s.process.argv = ['python', 'train.py', '--train', 'data/train.csv'];
        s.code.commit = 'c'.repeat(40);
      }),
    ];
    const changedNamed = compareSnapshots(...(named('train.csv') as [Snapshot, Snapshot]));
    expect(changedNamed.summary.ranked[0]).toMatchObject({ kind: 'data-content' });
    expect(changedNamed.summary.ranked[0]!.details[0]).toMatch(/the command names train\.csv, which changed/);
    const changedOther = compareSnapshots(...(named('other.csv') as [Snapshot, Snapshot]));
    expect(changedOther.summary.ranked.map((r) => r.kind)).toEqual(['code-commit', 'data-unread']);
    expect(changedOther.summary.ranked[1]!.details[0]).toMatch(
      /the files the command names \(train\.csv\) are unchanged/,
    );
  });

  it('knows a file named by an absolute path, by --flag=value, or by its own nested path under the folder', () => {
    const pair = (argv: string[], parameters: Record<string, string> = {}): [Snapshot, Snapshot] => [
      run('a', (s) => {
        s.data.inputs = [folder({ 'shard-1/train.csv': '1', 'shard-2/train.csv': '1', 'x.csv': '1' })];
        s.process.argv = argv;
        s.process.parameters = parameters;
      }),
      run('b', (s) => {
        s.data.inputs = [folder({ 'shard-1/train.csv': '1', 'shard-2/train.csv': '2', 'x.csv': '1' })];
        s.process.argv = argv;
        s.process.parameters = parameters;
        s.code.commit = 'c'.repeat(40);
      }),
    ];
    const top = (argv: string[], parameters?: Record<string, string>) =>
      compareSnapshots(...pair(argv, parameters)).summary.ranked[0]!;
    // the changed file, by the absolute path of the folder's copy
    expect(top(['python', 'train.py', '/p/data/shard-2/train.csv']).details[0]).toMatch(
      /the command names shard-2\/train\.csv, which changed/,
    );
    // by a flag's value, and by a parameter given as its path under some other folder
    expect(top(['python', 'train.py', '--train=./data/shard-2/train.csv']).kind).toBe('data-content');
    expect(top(['python', 'train.py'], { train: '/mnt/copy/shard-2/train.csv' }).kind).toBe('data-content');
    // an unchanged file of the same name in another shard is not the changed one
    const other = compareSnapshots(...pair(['python', 'train.py', 'data/shard-1/train.csv']));
    expect(other.summary.ranked.map((r) => r.kind)).toEqual(['code-commit', 'data-unread']);
    expect(other.summary.ranked[1]!.details[0]).toMatch(/the files the command names \(shard-1\/train\.csv\)/);
    // a bare file name that is not the folder's own top-level file names nothing there
    expect(top(['python', 'train.py', 'train.csv']).details[0]).toMatch(
      /which of its files the run read is not recorded/,
    );
  });
});

describe('the two uncommitted patches diffed', () => {
  it('diffs file by file, leaving out the files whose part of the patch is the same', () => {
    const file = (name: string, line: string): string =>
      `diff --git a/${name} b/${name}\n--- a/${name}\n+++ b/${name}\n@@ -1 +1 @@\n-x = 0\n+${line}\n`;
    const a = run('a', (s) => (s.code.patch = file('same.py', 'x = 1') + file('moved.py', 'x = 2')));
    const b = run('b', (s) => (s.code.patch = file('same.py', 'x = 1') + file('moved.py', 'x = 3')));
    const d = compareSnapshots(a, b).code.patch!;
    expect(d.status).toBe('changed');
    expect(d.patch).toContain('uncommitted.patch moved.py');
    expect(d.patch).not.toContain('same.py');
    expect(d.patch).toMatch(/^-\+x = 2$/m);
    expect(d.patch).toMatch(/^\+\+x = 3$/m);
  });
});
