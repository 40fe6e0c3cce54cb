// Metric histories kept in their own table: every number comes back as written, old stores are converted.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DB_FILE_NAME, LATEST_SCHEMA_VERSION, openStore } from '../../../electron/db/open-store';
import { RunsRepository } from '../../../electron/db/runs-repository';
import { decodeHistory, encodeHistory, sameHistory } from '../../../electron/db/metric-history-codec';
import { MIGRATIONS } from '../../../electron/db/migrations/index';
import { formatCommand } from '../../../shared/mlflow/shell-quote';
import { decodeSnapshot, encodeSnapshot } from '../../../shared/snapshot/snapshot-codec';
import { emptySnapshot, type Snapshot } from '../../../shared/snapshot/snapshot';
import { tempDir } from '../../helpers/temp';
import { anyNumber, containing } from '../../helpers/typed';

const ODD_VALUES = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  1.7976931348623157e308,
  -1.7976931348623157e308,
  5e-324,
  -0,
  0.1 + 0.2,
  2 ** 53,
];

function oddSnapshot(id: string): Snapshot {
  const s = emptySnapshot(id, 'import', '2024-06-02T00:00:00.000Z');
  s.process.argv = ['python', 'train.py'];
  s.outcome.metrics = {
    odd: {
      value: Number.NaN,
      history: ODD_VALUES.map((value, i) => ({
        step: i === 3 ? 2 ** 53 : i,
        value,
        timestamp: i % 2 ? null : 1717300990000 + i,
      })),
      source: 'mlflow',
    },
    // Fractional and negative steps, timestamps out of order: stored without differences, still exact.
    'fractional/steps': {
      value: 1,
      history: [
        { step: -3.5, value: 1, timestamp: 1717300990002 },
        { step: 0.25, value: 2, timestamp: 1.5 },
        { step: 1e300, value: 3, timestamp: 1717300990001 },
      ],
      source: 'mlflow',
    },
    empty: { value: 5, history: [], source: 'mlflow' },
    last: { value: 7, history: null, source: 'metrics.json' },
    long: {
      value: 0,
      history: Array.from({ length: 100_000 }, (_, i) => ({
        step: i,
        value: Math.sin(i),
        timestamp: 1717300990000 + i * 3,
      })),
      source: 'mlflow',
    },
  };
  return s;
}

/** Compares two snapshots, each history number for number (Object.is: NaN and -0 included), naming the first difference. */
function expectSameNumbers(actual: Snapshot, expected: Snapshot): void {
  const differences: string[] = [];
  for (const [name, m] of Object.entries(expected.outcome.metrics)) {
    const got = actual.outcome.metrics[name]!.history;
    if ((got === null) !== (m.history === null) || got?.length !== m.history?.length) differences.push(name);
    m.history?.forEach((p, i) => {
      const q = got?.[i];
      if (!q || !Object.is(q.value, p.value) || q.step !== p.step || q.timestamp !== p.timestamp)
        differences.push(`${name}[${i}]: ${JSON.stringify(q)} vs ${JSON.stringify(p)} (${p.value})`);
    });
  }
  expect(differences.slice(0, 3)).toEqual([]);
  const strip = (s: Snapshot): unknown => ({
    ...s,
    outcome: { ...s.outcome, metrics: Object.keys(s.outcome.metrics) },
  });
  expect(strip(actual)).toEqual(strip(expected));
}

describe('metric histories', () => {
  it('come back exactly as saved (NaN, ±Infinity, ±1.797e308, 2^53, null timestamps) and leave the snapshot JSON', () => {
    const store = openStore(tempDir());
    const runs = new RunsRepository(store.db);
    const s = oddSnapshot('aaaa0000bbbb1111cccc2222');
    runs.save(structuredClone(s));
    expectSameNumbers(runs.get(s.id), s);

    const row = store.db.prepare('SELECT snapshot FROM runs').pluck().get() as Buffer;
    const json = JSON.parse(gunzipSync(row).toString('utf8')) as Snapshot;
    expect(Object.values(json.outcome.metrics).map((m) => m.history)).toEqual([null, null, null, null, null]);
    const stored = store.db
      .prepare('SELECT name, points, length(data) AS bytes FROM metric_histories ORDER BY name')
      .all();
    expect(stored).toEqual([
      { name: 'empty', points: 0, bytes: anyNumber() },
      { name: 'fractional/steps', points: 3, bytes: anyNumber() },
      { name: 'long', points: 100_000, bytes: anyNumber() },
      { name: 'odd', points: ODD_VALUES.length, bytes: anyNumber() },
    ]);
    // Smaller than the same history as gzipped JSON (what earlier versions stored).
    const long = stored.find((r) => (r as { name: string }).name === 'long') as { bytes: number };
    const asJson = gzipSync(JSON.stringify(s.outcome.metrics.long!.history), { level: 6 }).length;
    expect(long.bytes).toBeLessThan(asJson / 2);
    store.close();
  });

  it('survive a rename and go with the run when it is deleted', () => {
    const store = openStore(tempDir());
    const runs = new RunsRepository(store.db);
    const s = oddSnapshot('aaaa0000bbbb1111cccc3333');
    runs.save(structuredClone(s));
    const edited = runs.edit(s.id, { name: 'renamed', setTags: { note: 'x' } });
    expect(edited.name).toBe('renamed');
    expectSameNumbers(runs.get(s.id), { ...s, name: 'renamed', tags: { note: 'x' } });
    runs.deleteRuns([s.id]);
    expect(store.db.prepare('SELECT count(*) FROM metric_histories').pluck().get()).toBe(0);
    store.close();
  });

  it('are moved out of the snapshots of a store written by an earlier version, values unchanged', () => {
    const dir = tempDir();
    // A store at version 5, its snapshots holding their histories as JSON, as earlier versions wrote them.
    const old = new Database(path.join(dir, DB_FILE_NAME));
    for (const m of MIGRATIONS.slice(0, 5)) {
      if (typeof m === 'string') old.exec(m);
      else m(old);
    }
    old.pragma('user_version = 5');
    const insert =
      old.prepare(`INSERT INTO runs (id, name, kind, project, created_at, status, exit_code, commit_sha, command,
      audit_id, source_key, snapshot_version, snapshot) VALUES (?, NULL, 'import', NULL, ?, 'finished', 0, NULL, ?, NULL, NULL, 1, ?)`);
    const a = oddSnapshot('aaaa0000bbbb1111cccc4444');
    const b = emptySnapshot('aaaa0000bbbb1111cccc5555', 'capture', '2024-06-03T00:00:00.000Z');
    b.outcome.metrics = { acc: { value: 0.9, history: null, source: 'metrics.json' } };
    for (const s of [a, b]) insert.run(s.id, s.createdAt, formatCommand(s.process.argv), gzipSync(encodeSnapshot(s)));
    // A damaged snapshot stays as it was.
    insert.run('aaaa0000bbbb1111cccc6666', '2024-06-04T00:00:00.000Z', 'x', Buffer.from('not gzip'));
    old.close();

    const store = openStore(dir);
    expect(store.db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(fs.existsSync(path.join(dir, `${DB_FILE_NAME}.v5.bak`))).toBe(true);
    const runs = new RunsRepository(store.db);
    // What the old JSON held (it wrote -0 as 0), number for number.
    expectSameNumbers(runs.get(a.id), decodeSnapshot(encodeSnapshot(a)));
    expect(runs.get(b.id)).toEqual(b);
    expect(store.db.prepare('SELECT count(*) FROM metric_histories').pluck().get()).toBe(4);
    const json = gunzipSync(store.db.prepare('SELECT snapshot FROM runs WHERE id = ?').pluck().get(a.id) as Buffer);
    expect(json.toString('utf8')).not.toContain('"step"');
    expect(() => runs.get('aaaa0000bbbb1111cccc6666')).toThrow();
    store.close();
  });

  it('are encoded in a few bytes a point, long ones deflated, and a damaged blob is reported, not misread', () => {
    const steady = Array.from({ length: 1000 }, (_, i) => ({
      step: i,
      value: Math.sin(i),
      timestamp: 1717300990000 + i * 37,
    }));
    const small = encodeHistory(steady);
    // 8 bytes a value, one a step, one or two a timestamp.
    expect(small.length).toBeLessThan(1000 * 11);
    expect(decodeHistory(small, 1000, 'x')).toEqual(steady);
    expect(sameHistory(small, steady)).toBe(true);
    expect(sameHistory(small, steady.slice(1))).toBe(false);
    // A long constant history: deflated to almost nothing.
    const flat = Array.from({ length: 50_000 }, (_, i) => ({ step: i * 10, value: 0.001, timestamp: null }));
    const deflated = encodeHistory(flat);
    expect(deflated.length).toBeLessThan(5000);
    expect(decodeHistory(deflated, 50_000, 'x')).toEqual(flat);
    // Steps and timestamps beyond the delta-coded range, negative differences.
    const wide = [
      { step: 2 ** 50, value: 1, timestamp: -(2 ** 50) },
      { step: -(2 ** 50), value: 2, timestamp: 2 ** 50 },
      { step: 2 ** 51, value: 3, timestamp: 0 },
    ];
    expect(decodeHistory(encodeHistory(wide), 3, 'x')).toEqual(wide);
    expect(() => decodeHistory(small.subarray(0, 100), 1000, 'run r metric m')).toThrow(
      expect.objectContaining({ code: 'STORE_CORRUPT', message: containing('run r metric m') }),
    );
    expect(() => decodeHistory(small, 999, 'x')).toThrow(expect.objectContaining({ code: 'STORE_CORRUPT' }));
  });

  it('still reads blobs in the first format (deflated byte-shuffled float64, written briefly by an earlier build)', () => {
    const plain = Buffer.from(
      'AQBjYACB/7MY4OD/TAYGBQMYm5mBmRnGvslw8yaMXchQWAhj/2X4+5fhAwPPjw/vd1b8qKhgsHdwqK//b+9U7+QEAA==',
      'base64',
    );
    const got = decodeHistory(plain, 4, 'x');
    expect(got.map((p) => [p.step, String(p.value), p.timestamp])).toEqual([
      [0, 'NaN', 1717300990000],
      [1, 'Infinity', null],
      [2, '-1.7976931348623157e+308', 1717300990002],
      [3.5, '0.1', 1717300990003],
    ]);
    const deltas = Buffer.from('AQNjYGBgYAgNXc0AA6Ghq5DZzEjsm0jsQiT2XxD94QMHw9WnvypkZEwZ7O0dGOzt7Z0cHBwA', 'base64');
    expect(decodeHistory(deltas, 4, 'x')).toEqual(
      [0, 1, 2, 5].map((s) => ({ step: s, value: s / 3, timestamp: 1717300990000 + s * 7 })),
    );
  });
});
