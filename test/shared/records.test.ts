// Records keyed by run-chosen names: `__proto__`, `constructor`, `toString` are kept as keys by the helpers, the snapshot schema and its codec.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { copyRecord, emptyRecord, hasName, ownValue, recordOf } from '../../shared/records';
import { nameRecordSchema } from '../../shared/records-schema';
import { decodeSnapshot, encodeSnapshot } from '../../shared/snapshot/snapshot-codec';
import { emptySnapshot } from '../../shared/snapshot/snapshot';
import { vegaText } from '../../shared/vega-text';

const NAMES = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf'];

describe('records keyed by names a run chose', () => {
  it('hold every name as an ordinary key, and find no inherited one', () => {
    const rec = emptyRecord<number>();
    NAMES.forEach((n, i) => (rec[n] = i));
    expect(Object.keys(rec)).toEqual(NAMES);
    expect(JSON.parse(JSON.stringify(rec))).toEqual(Object.fromEntries(NAMES.map((n, i) => [n, i])));
    expect(Object.keys(recordOf(NAMES.map((n) => [n, n])))).toEqual(NAMES);
    const parsed = JSON.parse('{"__proto__": 1, "a": 2}') as Record<string, number>;
    expect(Object.keys(copyRecord(parsed))).toEqual(['__proto__', 'a']);
    // a plain object answers for names it does not hold; the helpers do not
    expect(hasName({}, 'constructor')).toBe(false);
    expect(ownValue<unknown>({}, 'toString')).toBeUndefined();
    expect(ownValue(parsed, '__proto__')).toBe(1);
  });

  it('parse with nameRecordSchema as z.record does, except that __proto__ is kept', () => {
    const text = '{"__proto__": 1, "constructor": 2, "toString": 3}';
    expect(Object.keys(z.record(z.string(), z.number()).parse(JSON.parse(text)))).toEqual(['constructor', 'toString']);
    const rec = nameRecordSchema(z.number()).parse(JSON.parse(text));
    expect(Object.getPrototypeOf(rec)).toBeNull();
    expect(Object.entries(rec)).toEqual([
      ['__proto__', 1],
      ['constructor', 2],
      ['toString', 3],
    ]);
    const bad = nameRecordSchema(z.object({ v: z.number() })).safeParse(JSON.parse('{"__proto__": {"v": "x"}}'));
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['__proto__', 'v']);
    const keyed = nameRecordSchema(z.string(), z.string().min(2)).safeParse({ a: 'x' });
    expect(keyed.error!.issues[0]!.path).toEqual(['a']);
    expect(nameRecordSchema(z.number()).safeParse([1]).success).toBe(false);
    expect(nameRecordSchema(z.number()).safeParse(new Map()).success).toBe(false);
  });

  it("write z.record's JSON Schema, so a schema generated from one that uses them (the report's) stays the same", () => {
    const of = (s: z.ZodType) => z.toJSONSchema(z.object({ p: s }), { target: 'draft-2020-12', io: 'output' });
    expect(of(nameRecordSchema(z.string()))).toEqual(of(z.record(z.string(), z.string())));
    expect(of(nameRecordSchema(z.number(), z.string().min(1)))).toEqual(of(z.record(z.string().min(1), z.number())));
  });

  it('keep the snapshot JSON as it was: a stored snapshot reads back to the same text, every name kept', () => {
    const s = emptySnapshot('r1', 'import', '2026-01-01T00:00:00.000Z');
    // what earlier builds wrote: plain objects, ordinary names
    const old = JSON.stringify({
      ...s,
      outcome: { ...s.outcome, metrics: { acc: { value: 0.5, history: null, source: 'x' } } },
      tags: { stage: 'dev' },
    });
    expect(encodeSnapshot(decodeSnapshot(old))).toBe(old);
    // and the names that a plain object cannot hold by assignment
    const withNames = old
      .replace('"acc":', NAMES.map((n) => `"${n}":{"value":1,"history":null,"source":"x"},`).join('') + '"acc":')
      .replace('"tags":{"stage":"dev"}', `"tags":{${NAMES.map((n) => `"${n}":"t"`).join(',')}}`)
      .replace('"parameters":{}', `"parameters":{${NAMES.map((n) => `"${n}":"p"`).join(',')}}`);
    const decoded = decodeSnapshot(withNames);
    expect(Object.keys(decoded.outcome.metrics)).toEqual([...NAMES, 'acc']);
    expect(Object.keys(decoded.tags)).toEqual(NAMES);
    expect(Object.keys(decoded.process.parameters)).toEqual(NAMES);
    expect(decoded.outcome.metrics.constructor).toEqual({ value: 1, history: null, source: 'x' });
    expect(encodeSnapshot(decoded)).toBe(withNames);
  });

  it('change only the texts Vega would take for its own keys', () => {
    expect(vegaText('accuracy')).toBe('accuracy');
    for (const n of NAMES) expect(vegaText(n)).toBe(`${n}\u200b`);
  });
});
