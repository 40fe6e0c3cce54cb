// The run table through the contract over a real SQLite store: MLflow-syntax filters run as SQL,
// sorting by metrics and parameters, reruns grouped under their audit, rename/tag/note, delete
// with the logs a run alone used, CSV export, and an older store's parameters and tags migrated.
import Database from 'better-sqlite3';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createHandlers } from '../../../../electron/core/handlers';
import { toPendingBlob } from '../../../../electron/db/blob-repository';
import { DB_FILE_NAME, openStore } from '../../../../electron/db/open-store';
import { MIGRATIONS } from '../../../../electron/db/migrations/index';
import { encodeSnapshot } from '../../../../shared/snapshot/snapshot-codec';
import { emptySnapshot, type Snapshot } from '../../../../shared/snapshot/snapshot';
import { tempCore } from '../../../helpers/store';
import { tempDir } from '../../../helpers/temp';
import { containing } from '../../../helpers/typed';

function run(i: number, extra: Partial<Snapshot> & { metrics?: Record<string, number> } = {}): Snapshot {
  const s = emptySnapshot(
    `${String(i).padStart(2, '0')}aa00000000000000000000`,
    'capture',
    `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`,
  );
  s.name = `run ${i}`;
  s.process.parameters = { alpha: String([0.5, 1, 10, 2][i % 4]), model: i % 2 ? 'tree' : 'linear' };
  s.tags = { team: i % 3 ? 'vision-core' : 'nlp' };
  s.outcome.status = 'finished';
  s.outcome.metrics = Object.fromEntries(
    Object.entries(extra.metrics ?? { rmse: 0.5 + i / 10 }).map(([k, v]) => [
      k,
      { value: v, history: null, source: 'test' },
    ]),
  );
  const { metrics: _m, ...rest } = extra;
  return { ...s, ...rest };
}

function seeded(): { h: ReturnType<typeof createHandlers>; ctx: ReturnType<typeof tempCore> } {
  const ctx = tempCore();
  for (let i = 0; i < 8; i++) ctx.runs.save(run(i));
  return { h: createHandlers(ctx), ctx };
}

const names = (r: { runs: { name: string | null }[] }): (string | null)[] => r.runs.map((x) => x.name);

describe('listRuns with a filter and a sort', () => {
  it("runs MLflow's example filter as SQL", async () => {
    const { h } = seeded();
    const r = await h.listRuns({ filter: "metrics.rmse < 0.8 and params.alpha = '0.5' and tags.team LIKE '%vision%'" });
    expect(r.ok && names(r.value)).toEqual([]);
    const r2 = await h.listRuns({
      filter: "metrics.rmse < 1.1 and params.model = 'tree' and tags.team LIKE '%vision%'",
    });
    // rmse 0.5 + i/10 < 1.1 → i ≤ 5; tree → odd; vision → i % 3 ≠ 0: runs 1, 5
    expect(r2.ok && names(r2.value)).toEqual(['run 5', 'run 1']);
    expect(r2.ok && r2.value.total).toBe(2);
    expect(r2.ok && r2.value.runs[0]!.params).toEqual({ alpha: '1', model: 'tree' });
  });

  it('is case-sensitive for LIKE and not for ILIKE, as MLflow', async () => {
    const { h } = seeded();
    const like = await h.listRuns({ filter: "tags.team LIKE '%VISION%'" });
    const ilike = await h.listRuns({ filter: "tags.team ILIKE '%VISION%'" });
    expect(like.ok && like.value.total).toBe(0);
    expect(ilike.ok && ilike.value.total).toBe(5);
  });

  it('sorts by a metric and by a numeric parameter in either direction, runs without the value last', async () => {
    const { h, ctx } = seeded();
    ctx.runs.save(run(9, { metrics: { accuracy: 1 } }));
    const desc = await h.listRuns({ sort: 'metrics.rmse DESC' });
    expect(desc.ok && names(desc.value)).toEqual([
      'run 7',
      'run 6',
      'run 5',
      'run 4',
      'run 3',
      'run 2',
      'run 1',
      'run 0',
      'run 9',
    ]);
    const asc = await h.listRuns({ sort: 'params.alpha', limit: 4 });
    // 0.5 < 1 < 2 < 10 by value, not as text
    expect(asc.ok && asc.value.runs.map((x) => x.params?.alpha)).toEqual(['0.5', '0.5', '1', '1']);
  });

  it('says what is wrong with a bad filter instead of matching nothing', async () => {
    const { h } = seeded();
    const r = await h.listRuns({ filter: 'val_accuracy>0.9' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatchObject({
      code: 'INVALID_INPUT',
      hint: containing('metrics.val_accuracy'),
    });
  });

  it('groups reruns under their audit, one row each with the count, and opens the group by audit id', async () => {
    const { h, ctx } = seeded();
    for (let i = 10; i < 16; i++) ctx.runs.save(run(i, { kind: 'rerun', auditId: i < 13 ? 'audit-a' : 'audit-b' }));
    ctx.runs.save(run(16, { kind: 'rerun' })); // a rerun of no audit is a row of its own
    const grouped = await h.listRuns({ groupReruns: true });
    expect(grouped.ok && grouped.value.total).toBe(11);
    expect(grouped.ok && grouped.value.runs.some((x) => x.name === 'run 16' && x.groupSize === undefined)).toBe(true);
    const groups = grouped.ok ? grouped.value.runs.filter((x) => x.groupSize !== undefined) : [];
    expect(groups.map((g) => [g.auditId, g.groupSize])).toEqual([
      ['audit-b', 3],
      ['audit-a', 3],
    ]);
    const open = await h.listRuns({ auditId: 'audit-a' });
    expect(open.ok && open.value.total).toBe(3);
    const filtered = await h.listRuns({ groupReruns: true, filter: 'metrics.rmse > 1.65' });
    expect(filtered.ok && filtered.value.runs.map((g) => [g.auditId, g.groupSize])).toEqual([
      [null, undefined],
      ['audit-b', 3],
      ['audit-a', 1],
    ]);
  });
});

describe('run management', () => {
  it('renames, tags and notes a run, and the filter finds it by its new tag', async () => {
    const { h } = seeded();
    const id = run(3).id;
    const e = await h.editRun({
      id: id.slice(0, 8),
      name: 'baseline',
      note: 'the one in the paper',
      setTags: { stage: 'final' },
    });
    expect(e.ok && e.value).toMatchObject({
      name: 'baseline',
      tags: { stage: 'final', 'mlflow.note.content': 'the one in the paper' },
    });
    const found = await h.listRuns({ filter: "tags.stage = 'final'" });
    expect(found.ok && names(found.value)).toEqual(['baseline']);
    const snap = await h.getRun({ id });
    expect(snap.ok && snap.value.name).toBe('baseline');
    await h.editRun({ id, removeTags: ['stage'], note: '' });
    const after = await h.getRun({ id });
    expect(after.ok && after.value.tags).toEqual({ team: 'nlp' });
  });

  it('deletes runs and the logs no other run uses, keeping shared ones', async () => {
    const ctx = tempCore();
    const h = createHandlers(ctx);
    const shared = toPendingBlob(Buffer.from('same output'));
    const own = toPendingBlob(Buffer.from('only mine'));
    const ref = (b: { sha256: string; data: Buffer }) => ({
      blob: b.sha256,
      bytes: b.data.length,
      storedBytes: b.data.length,
      truncated: false,
      cap: 1000,
    });
    const a = run(1);
    a.outcome.logs = { stdout: ref(shared), stderr: ref(own) };
    const b = run(2);
    b.outcome.logs = { stdout: ref(shared), stderr: null };
    ctx.runs.save(a, [shared, own]);
    ctx.runs.save(b, [shared]);
    const d = await h.deleteRuns({ ids: [a.id] });
    expect(d.ok && d.value).toEqual({ deleted: [a.id], blobsFreed: 1 });
    expect((await h.getRun({ id: a.id })).ok).toBe(false);
    const log = await h.getRunLog({ id: b.id, stream: 'stdout' });
    expect(log.ok && log.value.text).toBe('same output');
  });

  it('exports the filtered, sorted table as CSV with the chosen columns', async () => {
    const { h, ctx } = seeded();
    await h.editRun({ id: run(1).id, name: 'has, a comma' });
    ctx.runs.save(run(20, { name: '=cmd()' }));
    const r = await h.exportRunsCsv({
      filter: "params.model = 'tree'",
      sort: 'metrics.rmse',
      columns: ['name', 'metrics.rmse', 'params.alpha'],
    });
    expect(r.ok && r.value.csv.split('\r\n')).toEqual([
      'name,metrics.rmse,params.alpha',
      '"has, a comma",0.6,1',
      'run 3,0.8,2',
      'run 5,1,1',
      'run 7,1.2,2',
      '',
    ]);
    const all = await h.exportRunsCsv({ columns: ['name'], filter: "attributes.run_name LIKE '=%'" });
    expect(all.ok && all.value.csv).toBe("name\r\n'=cmd()\r\n");
  });

  it('lists the metric, parameter and tag names a table can show', async () => {
    const { h } = seeded();
    const c = await h.listRunColumns({});
    expect(c.ok && c.value).toEqual({
      metrics: [{ name: 'rmse', runs: 8 }],
      params: [
        { name: 'alpha', runs: 8 },
        { name: 'model', runs: 8 },
      ],
      tags: [{ name: 'team', runs: 8 }],
    });
  });
});

describe('migration 4', () => {
  it("fills an older store's parameter and tag rows from its snapshots", () => {
    const dir = tempDir();
    const old = new Database(path.join(dir, DB_FILE_NAME));
    for (const m of MIGRATIONS.slice(0, 3)) old.exec(m as string);
    const s = run(4);
    old
      .prepare(
        `INSERT INTO runs (id, name, kind, created_at, status, command, snapshot_version, snapshot) VALUES (?, ?, 'capture', ?, 'finished', '', ?, ?)`,
      )
      .run(s.id, s.name, s.createdAt, s.schemaVersion, gzipSync(encodeSnapshot(s)));
    old.pragma('user_version = 3');
    old.close();
    const store = openStore(dir);
    expect(store.db.prepare('SELECT key, value FROM run_params ORDER BY key').all()).toEqual([
      { key: 'alpha', value: '0.5' },
      { key: 'model', value: 'linear' },
    ]);
    expect(store.db.prepare('SELECT key, value FROM run_tags').all()).toEqual([{ key: 'team', value: 'vision-core' }]);
    store.close();
  });
});
