// The import's one transaction: runs written as they come, invisible to the store's readers until it commits, gone if it rolls back.
import type Database from 'better-sqlite3';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ImportWriter } from '../../../../electron/core/import/import-writer';
import { encodeHistory } from '../../../../electron/db/metric-history-codec';
import { encodeSnapshot } from '../../../../shared/snapshot/snapshot-codec';
import { emptySnapshot } from '../../../../shared/snapshot/snapshot';
import { tempCore } from '../../../helpers/store';

/** Queues `n` runs (more than the writer keeps queued, so most reach SQLite before the end), ids from `from`. */
async function queueRuns(writer: ImportWriter, n: number, from = 0): Promise<void> {
  for (let i = from; i < from + n; i++) {
    const s = emptySnapshot(i.toString(16).padStart(24, '0'), 'import', '2024-06-02T00:00:00.000Z');
    s.outcome.metrics = { loss: { value: i, history: null, source: 'mlflow' } };
    s.process.parameters = { lr: String(i % 7) };
    s.tags = { team: i % 2 ? 'a' : 'b' };
    const points = [{ step: 0, value: i, timestamp: 1 }];
    await writer.add({
      skeleton: s,
      encoded: Promise.resolve({
        storedJson: gzipSync(encodeSnapshot(s)),
        histories: [{ name: 'loss', points: 1, data: encodeHistory(points) }],
      }),
      sourceKey: `mlflow-file:/x#${i}`,
      digest: `d${i}`,
      fresh: true,
    });
  }
}

describe('the import writer', () => {
  it('keeps what it wrote from other readers until it commits, then all of it is there', async () => {
    const ctx = tempCore();
    const writer = ImportWriter.open(ctx.store.dir);
    await queueRuns(writer, 600);
    expect(writer.queued).toBeLessThan(600);
    expect(ctx.runs.count()).toBe(0);
    await writer.commit();
    expect(ctx.runs.count()).toBe(600);
    expect(ctx.runs.get((599).toString(16).padStart(24, '0')).outcome.metrics.loss!.history).toEqual([
      { step: 0, value: 599, timestamp: 1 },
    ]);
  });

  it('leaves nothing behind when the import fails halfway', async () => {
    const ctx = tempCore();
    const writer = ImportWriter.open(ctx.store.dir);
    await queueRuns(writer, 600);
    writer.rollback();
    writer.rollback(); // twice is harmless (the import's finally block after a failed commit)
    expect(ctx.runs.count()).toBe(0);
    expect(ctx.store.db.prepare('SELECT count(*) FROM metric_histories').pluck().get()).toBe(0);
    // The store takes writes again at once.
    const next = ImportWriter.open(ctx.store.dir);
    await queueRuns(next, 3);
    await next.commit();
    expect(ctx.runs.count()).toBe(3);
  });
});

/** The store's indexes as SQLite keeps them: name, table and the SQL that made them. */
function indexes(db: Database.Database): unknown[] {
  return db.prepare("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").all();
}

describe('a large first import', () => {
  it('ends with every index of the store as it was, consistent with the rows, and sorts and filters by them', async () => {
    const ctx = tempCore();
    const before = indexes(ctx.store.db);
    expect(before.length).toBeGreaterThan(8);
    const writer = ImportWriter.open(ctx.store.dir);
    await queueRuns(writer, 1500); // past the point where the writer builds its indexes at the end
    // Meanwhile the store's other readers see it as it was, indexes included.
    expect(indexes(ctx.store.db)).toEqual(before);
    await writer.commit();
    expect(indexes(ctx.store.db)).toEqual(before);
    expect(ctx.store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(ctx.store.db.pragma('foreign_key_check')).toEqual([]);
    const byLoss = ctx.runs.list({ sort: { key: { type: 'metric', name: 'loss' }, descending: true }, limit: 2 });
    expect(byLoss.map((r) => r.metrics.loss)).toEqual([1499, 1498]);
    expect(ctx.runs.columnNames().params).toEqual([{ name: 'lr', runs: 1500 }]);
    expect(ctx.runs.countMatching({ conditions: [{ key: { type: 'param', name: 'lr' }, op: '=', value: '3' }] })).toBe(
      Array.from({ length: 1500 }, (_, i) => i % 7 === 3).filter(Boolean).length,
    );
    // A second import into the now larger store keeps its indexes up to date as it goes, and lands too.
    const next = ImportWriter.open(ctx.store.dir);
    await queueRuns(next, 1200, 1500);
    await next.commit();
    expect(indexes(ctx.store.db)).toEqual(before);
    expect(ctx.runs.count()).toBe(2700);
    expect(ctx.store.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('that fails leaves the store exactly as it was, indexes included', async () => {
    const ctx = tempCore();
    const first = ImportWriter.open(ctx.store.dir);
    await queueRuns(first, 5);
    await first.commit();
    const before = indexes(ctx.store.db);
    const writer = ImportWriter.open(ctx.store.dir);
    await queueRuns(writer, 1500, 5);
    writer.rollback();
    expect(indexes(ctx.store.db)).toEqual(before);
    expect(ctx.runs.count()).toBe(5);
    expect(ctx.store.db.prepare('SELECT count(*) FROM run_params').pluck().get()).toBe(5);
    expect(ctx.store.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});
