// Metrics files (nested JSON, NaN and infinities, YAML, CSV) and seeds found on the command line.
import { describe, expect, it } from 'vitest';
import { parseMetricsText } from '../../../shared/snapshot/metrics-parse';
import { findArgvSeeds } from '../../../shared/snapshot/seeds';

describe('metrics files', () => {
  it('flattens nested JSON keys with dots', () => {
    const m = parseMetricsText('{"accuracy": 0.93, "eval": {"f1": 0.8, "loss": "0.25"}}', 'json', 'm.json');
    expect(Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.value]))).toEqual({
      accuracy: 0.93,
      'eval.f1': 0.8,
      'eval.loss': 0.25,
    });
  });

  it('keeps NaN and infinities that Python json.dump writes', () => {
    const m = parseMetricsText('{"a": NaN, "b": Infinity, "c": -Infinity}', 'json', 'm.json');
    expect(m.a!.value).toBeNaN();
    expect(m.b!.value).toBe(Infinity);
    expect(m.c!.value).toBe(-Infinity);
  });

  it('reads YAML, name/value CSV and per-step TSV', () => {
    expect(parseMetricsText('rmse: 0.7\nr2: 0.5\n', 'yaml', 'm.yaml').rmse!.value).toBe(0.7);
    expect(parseMetricsText('name,value\nauc,0.91\n', 'csv', 'm.csv').auc!.value).toBe(0.91);
    const tsv = parseMetricsText('epoch\tloss\n1\t0.9\n2\t0.5\n3\t0.4\n', 'tsv', 'm.tsv');
    expect(tsv.loss!.value).toBe(0.4);
    expect(tsv.loss!.history!.map((p) => p.step)).toEqual([1, 2, 3]);
  });

  it('rejects a file that is not metrics, naming the key', () => {
    expect(() => parseMetricsText('{"accuracy": "high"}', 'json', 'metrics file m.json')).toThrow(
      /metrics file m.json is not a metrics file: the value of "accuracy" is "high"/,
    );
    expect(() => parseMetricsText('not json', 'json', 'metrics file m.json')).toThrow(/not valid JSON/);
    expect(() => parseMetricsText('[1,2]', 'json', 'x')).toThrow(/top level/);
  });
});

describe('seeds on the command line', () => {
  it('finds --seed, --random-seed=, --random_state and Hydra-style seed=', () => {
    expect(
      findArgvSeeds([
        'python',
        'train.py',
        '--seed',
        '1',
        '--random-seed=7',
        '--random_state',
        '42',
        'trainer.seed=3',
        '--lr',
        '0.1',
      ]),
    ).toEqual([
      { source: 'argv', name: 'seed', value: '1' },
      { source: 'argv', name: 'random-seed', value: '7' },
      { source: 'argv', name: 'random_state', value: '42' },
      { source: 'argv', name: 'trainer.seed', value: '3' },
    ]);
  });
});
