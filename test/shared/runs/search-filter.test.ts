// MLflow's search syntax as a user types it: what parses, to what, and what a mistake is told.
import { describe, expect, it } from 'vitest';
import { looksLikeFilter, parseRunFilter, parseRunSort } from '../../../shared/runs/search-filter';
import { formatSignificant } from '../../../shared/numbers';

describe('parseRunFilter', () => {
  it("reads MLflow's example filter into three conditions", () => {
    expect(parseRunFilter("metrics.rmse < 0.8 and params.alpha = '0.5' and tags.x LIKE '%y%'")).toEqual([
      { key: { type: 'metric', name: 'rmse' }, op: '<', value: 0.8 },
      { key: { type: 'param', name: 'alpha' }, op: '=', value: '0.5' },
      { key: { type: 'tag', name: 'x' }, op: 'LIKE', value: '%y%' },
    ]);
  });

  it('reads quoted and dotted keys, attributes, IN lists and IS NULL', () => {
    expect(parseRunFilter('metrics."val acc" >= 1e-3 AND tags.mlflow.user = "ann"')).toEqual([
      { key: { type: 'metric', name: 'val acc' }, op: '>=', value: 0.001 },
      { key: { type: 'tag', name: 'mlflow.user' }, op: '=', value: 'ann' },
    ]);
    expect(parseRunFilter("attributes.status = 'FINISHED' and run_name ILIKE '%Base%'")).toEqual([
      { key: { type: 'attribute', name: 'status' }, op: '=', value: 'FINISHED' },
      { key: { type: 'attribute', name: 'run_name' }, op: 'ILIKE', value: '%Base%' },
    ]);
    expect(parseRunFilter("attributes.run_id IN ('a1', 'b2') and params.seed IS NOT NULL")).toEqual([
      { key: { type: 'attribute', name: 'run_id' }, op: 'IN', value: ['a1', 'b2'] },
      { key: { type: 'param', name: 'seed' }, op: 'IS NOT NULL', value: null },
    ]);
    expect(parseRunFilter('metrics.`loss/train` < -0.5')).toEqual([
      { key: { type: 'metric', name: 'loss/train' }, op: '<', value: -0.5 },
    ]);
  });

  it('tells what was wrong, with the fix, for the mistakes people make', () => {
    expect(() => parseRunFilter('val_accuracy>0.9')).toThrow(/"val_accuracy" is not a run attribute/);
    try {
      parseRunFilter('val_accuracy>0.9');
    } catch (e) {
      expect((e as { hint: string }).hint).toContain('metrics.val_accuracy');
    }
    expect(() => parseRunFilter('params.alpha = 0.5')).toThrow(/quote the value \('0.5'\)/);
    expect(() => parseRunFilter('metrics.a > 1 or metrics.b > 2')).toThrow(/OR is not supported/);
    expect(() => parseRunFilter("params.a = 'x")).toThrow(/not closed/);
    expect(() => parseRunFilter('metrics.a LIKE 1')).toThrow(/is a number/);
    expect(() => parseRunFilter('metrics.a > 1 and')).toThrow(/ends after AND/);
  });

  it('tells a filter from words to look for, and reads an order_by', () => {
    expect(looksLikeFilter('metrics.accuracy > 0.9')).toBe(true);
    expect(looksLikeFilter('baseline resnet')).toBe(false);
    expect(parseRunSort('metrics.rmse DESC')).toEqual({ key: { type: 'metric', name: 'rmse' }, descending: true });
    expect(parseRunSort('start_time')).toEqual({ key: { type: 'attribute', name: 'start_time' }, descending: false });
  });
});

describe('formatSignificant', () => {
  it('writes numbers to significant digits, never 16 of them', () => {
    expect(formatSignificant(0.00001273200771030782)).toBe('1.2732e-5');
    expect(formatSignificant(0.8123456789)).toBe('0.812346');
    expect(formatSignificant(0.8123456789, 3)).toBe('0.812');
    expect(formatSignificant(1234567)).toBe('1.23457e+6');
    expect(formatSignificant(NaN)).toBe('NaN');
    expect(formatSignificant(null)).toBe('—');
  });
});
