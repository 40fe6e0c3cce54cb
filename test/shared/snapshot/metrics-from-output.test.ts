/** The rules for reading metrics from printed output, on the shapes real training scripts print. */
import { describe, expect, it } from 'vitest';
import {
  compileMetricPattern,
  metricsFromOutput,
  parseMetricsFrom,
} from '../../../shared/snapshot/metrics-from-output';

const generic = (text: string) => metricsFromOutput(text, { generic: true, patterns: [], source: 'stdout' });
const values = (r: ReturnType<typeof generic>) =>
  Object.fromEntries(Object.entries(r.metrics).map(([k, m]) => [k, m.value]));

describe('metrics from printed output', () => {
  it('reads name=value and name: value pairs, the last value wins, every occurrence is history by step', () => {
    const r = generic(
      [
        'epoch 1: loss=0.93 acc=0.61',
        'epoch 2: loss=0.52 acc=0.80',
        'epoch 3: loss=0.41 acc=0.88',
        'test accuracy: 0.87',
      ].join('\n'),
    );
    expect(values(r)).toEqual({ loss: 0.41, acc: 0.88, test_accuracy: 0.87 });
    expect(r.metrics.loss!.history!.map((p) => [p.step, p.value])).toEqual([
      [1, 0.93],
      [2, 0.52],
      [3, 0.41],
    ]);
    expect(r.metrics.test_accuracy!.history).toBeNull();
    expect(r.metrics.loss!.source).toBe('stdout');
  });

  it('reads Keras, Hugging Face and PyTorch-example lines', () => {
    const r = generic(
      [
        'Epoch 1/2',
        '1875/1875 [==============================] - 3s 1ms/step - loss: 0.2950 - accuracy: 0.9148',
        "{'loss': 0.6931, 'learning_rate': 5e-05, 'epoch': 1.0}",
        "{'train_runtime': 12.5, 'train_samples_per_second': 80.1, 'epoch': 2.0}",
        'Test set: Average loss: 0.0274, Accuracy: 9910/10000 (99%)',
        '{"val_loss":0.31}',
      ].join('\n'),
    );
    // PyTorch's "Average loss" is its own metric, not Keras's training loss under the same name
    expect(values(r)).toEqual({
      loss: 0.6931, // the last loss printed: the Hugging Face line
      average_loss: 0.0274,
      accuracy: 0.9148,
      learning_rate: 5e-5,
      val_loss: 0.31,
    });
    expect(r.notes.join(' ')).toContain('train_runtime, train_samples_per_second');
  });

  it('names prose pairs by their qualifier (pytorch/examples mnist: Loss and Average loss), and warns of names differing only by case', () => {
    const r = generic(
      [
        'Train Epoch: 1 [0/60000 (0%)]\tLoss: 2.329474',
        'Train Epoch: 1 [640/60000 (1%)]\tLoss: 1.425025',
        '',
        'Test set: Average loss: 0.0475, Accuracy: 9845/10000 (98%)',
      ].join('\n'),
    );
    expect(values(r)).toEqual({ Loss: 1.425025, average_loss: 0.0475 });
    expect(r.metrics.Loss!.history!.map((p) => p.step)).toEqual([1, 1]);
    expect(r.notes.join(' ')).not.toContain('differ only by case');
    const mixed = generic('Loss: 0.5\nval loss=0.2 loss=0.4\n');
    expect(values(mixed)).toEqual({ Loss: 0.5, loss: 0.4 });
    expect(mixed.notes.join(' ')).toContain('Loss and loss from stdout differ only by case');
  });

  it('does not take timestamps, versions, ports, URLs, flags, seeds, argparse dumps or env vars for metrics', () => {
    const r = generic(
      [
        'Python 3.11.2',
        '2024-05-01 12:30:01,123 INFO starting',
        'numpy version: 1.24.2',
        'torch==1.13.1',
        'listening on localhost:8080 and http://127.0.0.1:5000/',
        'running train.py --lr=0.1 --epochs=3',
        'Namespace(batch_size=64, lr=0.01, seed=1)',
        'seed: 42',
        'CUDA_VISIBLE_DEVICES=0 OMP_NUM_THREADS=4',
        'pid=1234 elapsed=3.2s time: 4.5 eta: 12',
        'size 12s 0x1f ratio=3/4',
      ].join('\n'),
    );
    expect(values(r)).toEqual({});
  });

  it('keeps NaN and infinities, ignores colours and progress-bar carriage returns', () => {
    const r = generic('\x1b[32mloss=nan\x1b[0m\r 10%|#   | grad_norm=inf\r\n');
    expect(r.metrics.loss!.value).toBeNaN();
    expect(r.metrics.grad_norm!.value).toBe(Infinity);
  });

  it('says when nothing was found', () => {
    expect(generic('trained\n').notes[0]).toContain('held no name=value');
  });
});

describe('--metric-pattern', () => {
  it('reads name/value groups, Python-style (?P<…>) too, with an optional step', () => {
    const p = compileMetricPattern('\\[(?P<step>\\d+)\\] (?<name>[a-z_]+) -> (?<value>[-0-9.e]+)');
    const r = metricsFromOutput('[1] val_loss -> 0.5\n[2] val_loss -> 0.4\n', {
      generic: false,
      patterns: [p],
      source: 'stdout',
    });
    expect(r.metrics.val_loss!.value).toBe(0.4);
    expect(r.metrics.val_loss!.history!.map((h) => h.step)).toEqual([1, 2]);
    expect(r.metrics.val_loss!.source).toBe('stdout (--metric-pattern)');
  });

  it('reads a fixed-name group and wins over the generic rule', () => {
    const p = compileMetricPattern('best val (?<val_loss>[0-9.]+)');
    const r = metricsFromOutput('val_loss=0.9\nbest val 0.25\n', { generic: true, patterns: [p], source: 'stdout' });
    expect(r.metrics.val_loss!.value).toBe(0.25);
  });

  it('rejects a bad regex and one without named groups, and notes a pattern that matched nothing', () => {
    expect(() => compileMetricPattern('(?<x>[0-9')).toThrow(/not a regular expression/);
    expect(() => compileMetricPattern('loss=([0-9.]+)')).toThrow(/no named group/);
    const r = metricsFromOutput('nothing', {
      generic: false,
      patterns: [compileMetricPattern('(?<f1>[0-9.]+)%')],
      source: 'stdout',
    });
    expect(r.notes[0]).toContain('matched no number');
  });
});

describe('--metrics-from', () => {
  it('names stdout, stderr or a TensorBoard folder', () => {
    expect(parseMetricsFrom('stdout')).toEqual({ kind: 'stdout' });
    expect(parseMetricsFrom('tensorboard:runs/exp1')).toEqual({ kind: 'tensorboard', dir: 'runs/exp1' });
    expect(() => parseMetricsFrom('stdot')).toThrow(/not a metrics source/);
  });
});
