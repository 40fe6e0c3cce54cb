// The JSON data-file comparison of a data shift, by path: keys that every plain object also answers for.
import { describe, expect, it } from 'vitest';
import { diffJsonValues } from '../../../shared/compare/data-shift-text';

describe('diffJsonValues', () => {
  it('compare JSON data files by their own keys: a key named constructor or __proto__ only in one file is only there', () => {
    const shift = diffJsonValues(
      JSON.parse('{"constructor": 1, "__proto__": {"x": 1}, "a": 1}'),
      JSON.parse('{"a": 2, "toString": 3}'),
    );
    expect(shift.changes.map((c) => [c.path, c.status])).toEqual([
      ['$.constructor', 'only-a'],
      ['$.__proto__', 'only-a'],
      ['$.a', 'changed'],
      ['$.toString', 'only-b'],
    ]);
  });
});
