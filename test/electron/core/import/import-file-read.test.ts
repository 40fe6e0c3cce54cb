// A file store's runs read as they are stamped: odd metric lines parse as before, meta.yaml, params and tags are the files' own, and a file changed after the import is found.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMetricBytes, parseMetricColumns } from '../../../../electron/core/import/import-file-metrics';
import { importMlflow } from '../../../../electron/core/import/import-mlflow';
import type { Snapshot } from '../../../../shared/snapshot/snapshot';
import { writeExperiment, writeFileRun } from '../../../helpers/mlflow-stores';
import { tempCore } from '../../../helpers/store';
import { tempDir } from '../../../helpers/temp';

const runId = (i: number): string => i.toString(16).padStart(32, '0');

/** Sets the mtime of a folder and of everything below it to a minute ago (files written this very second get no stamp). */
function age(dir: string): void {
  const when = new Date(Date.now() - 60_000);
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true }))
    fs.utimesSync(path.join(e.parentPath, e.name), when, when);
  fs.utimesSync(dir, when, when);
}

/** Every imported run's snapshot, by MLflow run id. */
function snapshots(ctx: ReturnType<typeof tempCore>): Map<string, Snapshot> {
  const out = new Map<string, Snapshot>();
  for (const r of ctx.runs.list({})) {
    const s = ctx.runs.get(r.id);
    out.set(s.source!.runId, s);
  }
  return out;
}

/** A metric's history as [step, value, timestamp] triples. */
const triples = (s: Snapshot, name: string): [number, number, number | null][] =>
  s.outcome.metrics[name]!.history!.map((p) => [p.step, p.value, p.timestamp ?? null]);

/** Odd metric files: what each must read as (MLflow's own reading: Python's float spellings, lines of 2 or more fields). */
const ODD: Record<string, { text: string; points: [number, number, number][] }> = {
  crlf: {
    text: '1717300990001 0.5 0\r\n1717300990002 0.25 1\r\n',
    points: [
      [0, 0.5, 1717300990001],
      [1, 0.25, 1717300990002],
    ],
  },
  blank: {
    text: '\n1717300990001 1.5 0\n\n\n1717300990002 2.5 1\n',
    points: [
      [0, 1.5, 1717300990001],
      [1, 2.5, 1717300990002],
    ],
  },
  exponents: {
    text: '1717300990001 1e-05 0\n1717300990002 1.5E+20 1\n1717300990003 -2.5e-3 2\n1717300990004 1e22 3\n1717300990005 1e23 4\n',
    points: [
      [0, 1e-5, 1717300990001],
      [1, 1.5e20, 1717300990002],
      [2, -2.5e-3, 1717300990003],
      [3, 1e22, 1717300990004],
      [4, 1e23, 1717300990005],
    ],
  },
  nonfinite: {
    text: '1717300990001 nan 0\n1717300990002 inf 1\n1717300990003 -inf 2\n1717300990004 Infinity 3\n1717300990005 1e400 4\n',
    points: [
      [0, NaN, 1717300990001],
      [1, Infinity, 1717300990002],
      [2, -Infinity, 1717300990003],
      [3, Infinity, 1717300990004],
      [4, Infinity, 1717300990005],
    ],
  },
  // MLflow before 1.0 wrote no step; the last line may lack its newline.
  nostep: {
    text: '1717300990001 0.5\n1717300990002 0.25',
    points: [
      [0, 0.5, 1717300990001],
      [0, 0.25, 1717300990002],
    ],
  },
  long: {
    text: '1717300990001 0.12345678901234567 0\n1717300990002 0.30000000000000004 1\n1717300990003 9007199254740993 2\n1717300990004 123456789.12345678 3\n1717300990005 4.9406564584124654e-324 4\n',
    points: [
      [0, 0.12345678901234566, 1717300990001], // the double nearest 0.12345678901234567
      [1, 0.30000000000000004, 1717300990002],
      [2, 9007199254740992, 1717300990003],
      [3, 123456789.12345678, 1717300990004], // exact in a double
      [4, 5e-324, 1717300990005],
    ],
  },
  // Histories are kept in step order.
  spellings: {
    text: '1717300990001 -0.0 0\n1717300990002 00.5 -1\n1717300990003 .5 2\n1717300990004 5. 3\n1717300990005 -.25 -0\n',
    points: [
      [-1, 0.5, 1717300990002],
      [0, -0, 1717300990001],
      [0, -0.25, 1717300990005],
      [2, 0.5, 1717300990003],
      [3, 5, 1717300990004],
    ],
  },
  wide: {
    text: '1717300990001 0.9 0 train_ds 1a2b3c\n1717300990005 0.95 1 train_ds 1a2b3c\n',
    points: [
      [0, 0.9, 1717300990001],
      [1, 0.95, 1717300990005],
    ],
  },
};

describe('a file store read as it is stamped', () => {
  it('reads odd metric lines as before, with and without its read-ahead worker, and passes over them when unchanged', async () => {
    const root = path.join(tempDir(), 'mlruns');
    const expDir = writeExperiment(root, '0', 'Default');
    // 12 runs with every odd file, so the read-ahead worker (from 5 runs here) reads some and this thread the rest.
    for (let i = 0; i < 12; i++)
      writeFileRun({
        expDir,
        runId: runId(i),
        experimentId: '0',
        params: { lr: `0.${i}`, note: 'naïve ☃' },
        tags: { team: `team-${i}`, 'mlflow.user': 'ann' },
        metrics: Object.fromEntries(Object.entries(ODD).map(([k, v]) => [k, v.text])),
        startTime: 1717300990000 + i,
      });
    age(root);
    for (const workersFrom of [Number.POSITIVE_INFINITY, 5]) {
      const ctx = tempCore();
      expect(await importMlflow(ctx, { location: root }, { workersFrom })).toMatchObject({ added: 12, skipped: [] });
      const byRun = snapshots(ctx);
      for (let i = 0; i < 12; i++) {
        const s = byRun.get(runId(i))!;
        for (const [name, { points }] of Object.entries(ODD)) expect(triples(s, name)).toEqual(points);
        expect(s.process.parameters).toEqual({ lr: `0.${i}`, note: 'naïve ☃' });
        expect(s.name).toBe(`run-${runId(i).slice(0, 6)}`);
        expect(s.outcome.status).toBe('finished');
        expect(s.createdAt).toBe(new Date(1717300990000 + i).toISOString());
        expect(s.tags.team).toBe(`team-${i}`);
      }
      // The fingerprints the reads made are those a re-check by lstat finds again: nothing is read a second time.
      expect(await importMlflow(ctx, { location: root }, { workersFrom })).toMatchObject({ added: 0, unchanged: 12 });
    }
  });

  it('skips a run whose metric file is not numbers, with the same sentence as before', async () => {
    const root = path.join(tempDir(), 'mlruns');
    const expDir = writeExperiment(root, '0', 'Default');
    writeFileRun({
      expDir,
      runId: runId(1),
      experimentId: '0',
      metrics: { loss: '1717300990001 0.5 0\n1717300990002 é 1\n' },
    });
    writeFileRun({
      expDir,
      runId: runId(2),
      experimentId: '0',
      metrics: { loss: '1717300990001 0.5 0\n1717300990002\n' },
    });
    writeFileRun({ expDir, runId: runId(3), experimentId: '0', metrics: { loss: '1717300990001 0.5 0.5\n' } });
    age(root);
    const summary = await importMlflow(tempCore(), { location: root });
    expect(summary.added).toBe(0);
    expect(new Map(summary.skipped.map((s) => [s.runId, s.reason]))).toEqual(
      new Map([
        [runId(1), expect.stringContaining('metric loss line 2: "é" is not a number')],
        [runId(2), expect.stringContaining('metric loss line 2 has 1 field')],
        [runId(3), expect.stringContaining('metric loss line 1: timestamp and step must be whole numbers')],
      ]),
    );
  });

  it('reads a run with a file written this very second whole, and finds a metric appended after the import', async () => {
    const root = path.join(tempDir(), 'mlruns');
    const expDir = writeExperiment(root, '0', 'Default');
    for (let i = 0; i < 2; i++)
      writeFileRun({
        expDir,
        runId: runId(i),
        experimentId: '0',
        tags: { team: 'a' },
        metrics: { acc: '1717300990001 0.5 0\n', loss: '1717300990001 1.5 0\n', zeta: '1717300990001 2.5 0\n' },
      });
    age(root);
    // Run 0's middle metric is written now: the stamp walk stops there (no fingerprint), the rest is read as before.
    fs.writeFileSync(path.join(expDir, runId(0), 'metrics', 'loss'), '1717300990001 1.5 0\n1717300990002 1.25 1\n');
    const ctx = tempCore();
    expect(await importMlflow(ctx, { location: root })).toMatchObject({ added: 2 });
    const fingerprints = ctx.store.db.prepare('SELECT import_fingerprint FROM runs').pluck().all() as (string | null)[];
    expect(fingerprints.filter((f) => f === null)).toHaveLength(1);
    let s = snapshots(ctx).get(runId(0))!;
    expect(triples(s, 'acc')).toEqual([[0, 0.5, 1717300990001]]);
    expect(triples(s, 'loss')).toEqual([
      [0, 1.5, 1717300990001],
      [1, 1.25, 1717300990002],
    ]);
    expect(triples(s, 'zeta')).toEqual([[0, 2.5, 1717300990001]]);
    expect(s.tags.team).toBe('a');

    // A point appended to run 1 (its mtime put back a minute, as an old write would leave it) is found.
    const file = path.join(expDir, runId(1), 'metrics', 'acc');
    fs.appendFileSync(file, '1717300990009 0.75 1\n');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(file, old, old);
    expect(await importMlflow(ctx, { location: root })).toMatchObject({ added: 0, updated: 1, unchanged: 1 });
    s = snapshots(ctx).get(runId(1))!;
    expect(triples(s, 'acc')).toEqual([
      [0, 0.5, 1717300990001],
      [1, 0.75, 1717300990009],
    ]);
  });

  it('parses metric bytes exactly as the text parser reads them, errors included', () => {
    // A seeded generator of lines in every form the parsers tell apart (no randomness from run to run).
    let seed = 12345;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const tokens = [
      '0',
      '-0',
      '0.5',
      '1e-05',
      '1.5e+20',
      'nan',
      'inf',
      '-inf',
      '0x10',
      '+1',
      '.5',
      '5.',
      '1e',
      '',
      'é',
      '1_0',
      '00.5',
      '-',
    ];
    const value = (): string => {
      const r = rnd();
      if (r < 0.4) return String((rnd() - 0.5) * 10 ** Math.floor(rnd() * 44 - 22));
      if (r < 0.5) return (rnd() * 100).toFixed(Math.floor(rnd() * 18));
      if (r < 0.6) return rnd().toExponential(Math.floor(rnd() * 17));
      return pick(tokens);
    };
    const step = (): string => pick(['0', '1', '17', '-3', '-0', '123456789012345', '1234567890123456', '', '1.5']);
    const outcome = (f: () => unknown): unknown => {
      try {
        return f();
      } catch (e) {
        return (e as Error).message;
      }
    };
    let differ = 0;
    for (let t = 0; t < 3000; t++) {
      const lines: string[] = [];
      const count = t === 0 ? 3000 : Math.floor(rnd() * 6);
      for (let l = 0; l < count; l++) {
        const ts = rnd() < 0.95 ? String(1717300000000 + l) : step();
        const form = t === 0 ? 0 : rnd();
        let line =
          form < 0.7
            ? `${ts} ${value()} ${step()}`
            : form < 0.85
              ? `${ts} ${value()}`
              : form < 0.9
                ? ''
                : form < 0.95
                  ? `${ts}  ${value()} 3`
                  : `${ts} ${value()} 1 x y`;
        if (rnd() < 0.03) line += '\r';
        lines.push(line);
      }
      const text = lines.join('\n') + (rnd() < 0.7 ? '\n' : '');
      const a = outcome(() => parseMetricColumns('m', text));
      const b = outcome(() => parseMetricBytes('m', Buffer.from(text, 'utf8')));
      if (typeof a === 'string' || typeof b === 'string') {
        if (a !== b) differ++;
        continue;
      }
      const x = a as ReturnType<typeof parseMetricColumns>;
      const y = b as ReturnType<typeof parseMetricColumns>;
      for (const k of ['steps', 'values', 'timestamps'] as const)
        if (x[k].length !== y[k].length || x[k].some((v, i) => !Object.is(v, y[k][i]))) differ++;
    }
    expect(differ).toBe(0);
  });

  it('reads values of 16 to 19 digits as Number() does, exact halfway points between two doubles included', () => {
    let seed = 99;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const values: string[] = [];
    for (let k = 0; k < 4000; k++) {
      // what Python's repr writes (shortest round trip, up to 17 digits), and longer spellings of the same double
      const x = (rnd() - 0.5) * 10 ** Math.floor(rnd() * 30 - 20);
      values.push(String(x), x.toPrecision(16 + Math.floor(rnd() * 4)));
      // a halfway point between two doubles of [2^e, 2^(e+1)), written exactly in 16 to 19 digits (round half to
      // even decides it), and the decimal just above it
      const e = 44 + Math.floor(rnd() * 9);
      const ulp = 2 ** (e - 52);
      const mid = 2 ** e + Math.floor(rnd() * 2 ** 30) * ulp + ulp / 2;
      const tie = mid.toFixed(53 - e);
      values.push(tie, `-${tie}`, tie.slice(0, -1) + String.fromCharCode(tie.charCodeAt(tie.length - 1) + 1));
    }
    const text = values.map((v, i) => `${1717300000000 + i} ${v} ${i}\n`).join('');
    const read = parseMetricBytes('m', Buffer.from(text));
    expect(read.values.length).toBe(values.length);
    const wrong = values.filter((v, i) => !Object.is(read.values[i], Number(v)));
    expect(wrong).toEqual([]);
  });
});
