// Which names are taken for versions of one file: those that differ only in version marks, or are nearly the same.
import { describe, expect, it } from 'vitest';
import { nameSimilarity, pairByName } from '../../../shared/compare/data-shift-pairing';

describe('pairByName', () => {
  it('takes names that differ only in a version mark for one file, and keeps different files apart', () => {
    expect(nameSimilarity('train_v1.csv', 'train_v2.csv')).toBe(1);
    expect(nameSimilarity('data/train.csv', 'data/train_2024-06-01.csv')).toBe(1);
    expect(nameSimilarity('model_old.pkl', 'model.pkl')).toBe(1);
    expect(nameSimilarity('train.csv', 'test.csv')).toBeLessThan(0.6);
    expect(nameSimilarity('train.csv', 'val.csv')).toBeLessThan(0.6);
    const pairs = pairByName(
      [
        { path: 'train_v1.csv', readAs: 'csv' },
        { path: 'test_v1.csv', readAs: 'csv' },
        { path: 'model_v1.pkl', readAs: 'pickle' },
      ],
      [
        { path: 'test_v2.csv', readAs: 'csv' },
        { path: 'train_v2.csv', readAs: 'csv' },
        { path: 'model_v1.csv', readAs: 'csv' },
      ],
    );
    // each with its own version; model_v1.pkl is not read as model_v1.csv is
    expect(pairs.sort()).toEqual([
      [0, 1],
      [1, 0],
    ]);
  });
});
