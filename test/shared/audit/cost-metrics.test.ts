// Which metric names measure a run's cost (time, speed, memory) rather than its result.
import { describe, expect, it } from 'vitest';
import { isCostMetric } from '../../../shared/audit/cost-metrics';
import { decideVerdict, summarizeMetrics } from '../../../shared/audit/verdict';
import { rerunGroup } from '../../helpers/audit-fixture';

describe('cost metrics', () => {
  it('time, speed, memory and MLflow system metrics, as real projects name them', () => {
    const cost = [
      'train_time_s',
      'epoch_time',
      'fit_time',
      'trainingTime',
      'epochDuration',
      'elapsed',
      'runtime',
      'inference_latency_ms',
      'throughput',
      'samples_per_second',
      'tokens_per_sec',
      'it_per_s',
      'peak_memory_mb',
      'gpu_mem',
      'max_rss',
      'system/cpu_utilization_percentage',
      'system/gpu_0_memory_usage_megabytes',
      'mfu',
      'time_to_accuracy',
    ];
    const results = [
      'accuracy',
      'val_loss',
      'rmse',
      'r2',
      'ms_ssim',
      'timestep_reward',
      'time_series_mae',
      'time_step_loss',
      'second_stage_acc',
      'memorization_score',
      'samples_per_step',
      'flops',
      'learning_rate',
      'epoch',
    ];
    expect(cost.filter((n) => !isCostMetric(n))).toEqual([]);
    expect(results.filter(isCostMetric)).toEqual([]);
  });

  it('unasked, a varying training time is reported, not judged; --metric judges it', () => {
    const rows = [0.0084, 0.0087, 0.0085].map((t) => ({ accuracy: 0.9777, train_time_s: t }));
    const groups = [rerunGroup('baseline', rows)];
    const reference = { metrics: rows[0]!, artifactsHash: null };
    const metrics = summarizeMetrics(groups, reference, []);
    const v = decideVerdict(groups, metrics, reference, { referenceKind: 'first-baseline' });
    expect(v.verdict).toBe('reproduced-exact');
    expect(v.judgement).toMatchObject({ judgedMetrics: ['accuracy'], reportedMetrics: ['train_time_s'] });
    expect([metrics.accuracy!.judged, metrics.train_time_s!.judged]).toEqual([true, false]);
    expect(v.explanation).toMatch(/Not judged: train_time_s \(time, speed or memory.*give --metric train_time_s/);
    const asked = decideVerdict(groups, metrics, reference, {
      referenceKind: 'first-baseline',
      judgedMetrics: ['train_time_s'],
    });
    expect(asked.verdict).toBe('not-reproduced');
    expect(asked.explanation).not.toContain('Not judged');
  });
});
