// The import's one transaction: runs written as they come, invisible to the store's readers until it commits, gone if it rolls back.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ImportWriter } from '../../../../electron/core/import/import-writer';
import { encodeHistory } from '../../../../electron/db/metric-history-codec';
import { encodeSnapshot } from '../../../../shared/snapshot/snapshot-codec';
import { emptySnapshot } from '../../../../shared/snapshot/snapshot';
import { tempCore } from '../../../helpers/store';

/** Queues `n` runs (more than the writer keeps queued, so most reach SQLite before the end). */
async function queueRuns(writer: ImportWriter, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const s = emptySnapshot(i.toString(16).padStart(24, '0'), 'import', '2024-06-02T00:00:00.000Z');
    s.outcome.metrics = { loss: { value: i, history: null, source: 'mlflow' } };
    const points = [{ step: 0, value: i, timestamp: 1 }];
    await writer.add({
      skeleton: s,
      encoded: Promise.resolve({
        gzippedJson: gzipSync(encodeSnapshot(s)),
        histories: [{ name: 'loss', points: 1, data: encodeHistory(points) }],
      }),
      sourceKey: `mlflow-file:/x#${i}`,
      digest: `d${i}`,
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
