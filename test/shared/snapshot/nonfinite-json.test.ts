// JSON that keeps NaN and ±Infinity: the reviver skipped where it cannot change anything, with the same result.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nonFiniteReplacer, nonFiniteReviver, parseNonFiniteJson } from '../../../shared/snapshot/nonfinite-json';

describe('parseNonFiniteJson', () => {
  it('restores NaN and the infinities that the replacer wrote, nested anywhere', () => {
    const value = { a: NaN, b: [1, Infinity, { c: -Infinity }], d: 'text', e: null };
    const parsed = parseNonFiniteJson(JSON.stringify(value, nonFiniteReplacer)) as typeof value;
    expect(parsed.a).toBeNaN();
    expect(parsed.b[1]).toBe(Infinity);
    expect((parsed.b[2] as { c: number }).c).toBe(-Infinity);
    expect(parsed.d).toBe('text');
  });

  it('revives a $nonfinite key spelled through a \\u escape, as the reviver does', () => {
    const text = '{"m": {"\\u0024nonfinite": "NaN"}, "n": {"$nonfinit\\u0065": "-Infinity"}}';
    const parsed = parseNonFiniteJson(text) as { m: number; n: number };
    expect(parsed.m).toBeNaN();
    expect(parsed.n).toBe(-Infinity);
  });

  it('gives what JSON.parse with the reviver gives, for any JSON', () => {
    const marked = fc.oneof(
      fc.jsonValue(),
      fc
        .constantFrom(NaN, Infinity, -Infinity)
        .map((v) => (JSON.parse(JSON.stringify({ v }, nonFiniteReplacer)) as { v: unknown }).v),
      fc.record({ $nonfinite: fc.string() }),
      fc.record({ $nonfinite: fc.constant('NaN'), other: fc.integer() }),
    );
    fc.assert(
      fc.property(fc.array(marked, { maxLength: 6 }), fc.boolean(), (values, escape) => {
        let text = JSON.stringify(values);
        // the same text with every `$` written as an escape: a key the fast path must not miss
        if (escape) text = text.replace(/\$/g, '\\u0024');
        expect(parseNonFiniteJson(text)).toStrictEqual(JSON.parse(text, nonFiniteReviver));
      }),
      { numRuns: 2000 },
    );
  });
});
