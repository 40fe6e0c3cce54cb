// Histories for charts through the contract over a real SQLite store: a long history comes back as a few
// thousand points that keep its shape, the run itself can be read without it, and two runs' divergence is found on
// every stored point.
import { describe, expect, it } from 'vitest';
import { createHandlers } from '../../../../electron/core/handlers';
import { emptySnapshot, type Snapshot } from '../../../../shared/snapshot/snapshot';
import { tempCore } from '../../../helpers/store';
import { nonFiniteReplacer } from '../../../../shared/snapshot/nonfinite-json';

const N = 200_000; // long enough to be thinned 100-fold; the bench draws a million

function run(id: string, name: string, lastStepValue: number): Snapshot {
  const s = emptySnapshot(id, 'capture', '2026-01-01T00:00:00Z');
  s.name = name;
  s.outcome.status = 'finished';
  const history = Array.from({ length: N }, (_, step) => ({
    step,
    value: step === N - 1 ? lastStepValue : step === 80_000 ? 9 : 1 / (1 + step),
    timestamp: 1_700_000_000_000 + step,
  }));
  s.outcome.metrics = {
    loss: { value: lastStepValue, history, source: 'mlflow' },
    lr: {
      value: 0.1,
      history: [
        { step: 0, value: 0.1, timestamp: null },
        { step: 1, value: 0.1, timestamp: null },
      ],
      source: 'mlflow',
    },
    f1: { value: 0.7, history: null, source: 'mlflow' },
  };
  return s;
}

describe('getRunHistories', () => {
  it('gives a 200,000-point history as at most 2,000 points with its spike, and the run without it', async () => {
    const ctx = tempCore();
    ctx.runs.save(run('aa00000000000000000000a1', 'long', 0.5));
    const h = createHandlers(ctx);
    const r = await h.getRunHistories({ ids: ['aa00'] });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.runs).toHaveLength(1);
    const [loss, lr] = r.value.runs[0]!.metrics;
    expect(r.value.runs[0]!.metrics.map((m) => [m.name, m.points])).toEqual([
      ['loss', N],
      ['lr', 2],
    ]);
    expect(loss!.history.length).toBeLessThanOrEqual(2000);
    expect(loss!.history.find((p) => p.value === 9)).toEqual({ step: 80_000, value: 9, timestamp: 1_700_000_080_000 });
    expect(loss!.history.at(-1)).toEqual({ step: N - 1, value: 0.5, timestamp: 1_700_000_000_000 + N - 1 });
    expect(lr!.history).toHaveLength(2);
    expect(r.value.divergences).toEqual([]);
    // what crosses to the app is small
    expect(JSON.stringify(r.value, nonFiniteReplacer).length).toBeLessThan(200_000);
    const bare = await h.getRun({ id: 'aa00', histories: false });
    expect(bare.ok && bare.value.outcome.metrics.loss!.history).toBeNull();
    expect(bare.ok && JSON.stringify(bare.value).length).toBeLessThan(20_000);
    // asked for as before, the run comes whole
    const whole = await h.getRun({ id: 'aa00' });
    expect(whole.ok && whole.value.outcome.metrics.loss!.history!.length).toBe(N);
  });

  it('finds where two runs diverge on every point, even the last one that thinning could hide', async () => {
    const ctx = tempCore();
    ctx.runs.save(run('aa00000000000000000000a1', 'a', 0.5));
    ctx.runs.save(run('bb00000000000000000000b2', 'b', 0.5000001));
    const h = createHandlers(ctx);
    const r = await h.getRunHistories({ ids: ['aa00', 'bb00'], maxPoints: 100 });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.divergences).toEqual([
      { metric: 'loss', divergence: { step: N - 1, a: 0.5, b: 0.5000001 } },
      { metric: 'lr', divergence: null },
    ]);
    expect(r.value.runs.map((x) => x.metrics[0]!.history.length <= 100)).toEqual([true, true]);
  });

  it('refuses no runs, and names a run it does not know', async () => {
    const h = createHandlers(tempCore());
    const none = await h.getRunHistories({ ids: [] });
    expect(!none.ok && none.error.code).toBe('INVALID_INPUT');
    const missing = await h.getRunHistories({ ids: ['ffff'] });
    expect(!missing.ok && missing.error.message).toMatch(/ffff/);
  });
});
