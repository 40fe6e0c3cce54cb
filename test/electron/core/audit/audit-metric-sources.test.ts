// Audit reruns judged on metrics a real scikit-learn project only prints (--metrics-from stdout, --metric-pattern).
import { matching } from '../../../helpers/typed';
/** Audit reruns read metrics from what the project prints (--metrics-from stdout, --metric-pattern), on a real scikit-learn project. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHandlers } from '../../../../electron/core/handlers';
import { tempCore } from '../../../helpers/store';
import { gitRepo, REPO_ROOT, SYSTEM_PYTHON } from '../../../helpers/temp';

const PROJECT = path.join(REPO_ROOT, 'test', 'fixtures', 'projects', 'prints-metrics');

function project(): string {
  return gitRepo(
    Object.fromEntries(fs.readdirSync(PROJECT).map((f) => [f, fs.readFileSync(path.join(PROJECT, f), 'utf8')])),
  );
}

describe('audit --metrics-from stdout', () => {
  it('judges the metrics a project only prints: each rerun carries them, timings and the seed left out', async () => {
    const ctx = tempCore();
    const res = await createHandlers(ctx).startAudit({
      project: project(),
      python: SYSTEM_PYTHON,
      repeats: 2,
      metricsFrom: ['stdout'],
      metricPatterns: ['epoch 3: acc=(?<acc_epoch3>[0-9.]+)'],
      wait: true,
    });
    if (!res.ok) throw new Error(res.error.message);
    const baseline = res.value.groups.find((g) => g.name === 'baseline')!;
    expect(baseline.reruns.every((r) => r.status === 'finished')).toBe(true);
    for (const r of baseline.reruns) {
      expect(Object.keys(r.metrics).sort()).toEqual(['acc', 'acc_epoch3', 'final_accuracy']);
      expect(r.metrics.acc_epoch3).toBe(r.metrics.acc);
    }
    expect(res.value.plan.metricsFrom).toEqual(['stdout']);
    const snapshot = await createHandlers(ctx).getRun({ id: baseline.reruns[0]!.runId! });
    if (!snapshot.ok) throw new Error(snapshot.error.message);
    expect(snapshot.value.outcome.metrics.acc!.history!.map((p) => p.step)).toEqual([1, 2, 3]);
  }, 180_000);

  it('refuses a pattern without named groups before any rerun', async () => {
    const res = await createHandlers(tempCore()).startAudit({
      project: project(),
      python: SYSTEM_PYTHON,
      metricPatterns: ['acc=([0-9.]+)'],
      wait: true,
    });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error).toMatchObject({ code: 'INVALID_INPUT', message: matching(/no named group/) });
  });
});
