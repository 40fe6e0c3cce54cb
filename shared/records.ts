// Records keyed by names a run chose (metrics, params, tags): null-prototype objects, so `__proto__`, `constructor` or `toString` are keys like any other.

/*
 * MLflow accepts any name matching `^[/\w.\- ]*$`, so a run may log a metric `__proto__` or a tag `constructor`.
 * On a plain `{}` the first assignment `rec['__proto__'] = v` sets the prototype instead of a key, and a read of
 * a missing `constructor` or `toString` finds Object.prototype's function; zod's z.record drops `__proto__` when
 * it parses (records-schema.ts). Every record keyed by such names is therefore made here, without a prototype. `setPrototypeOf({},
 * null)` rather than `Object.create(null)`: V8 keeps the former's properties fast (the latter starts as a
 * dictionary, a third slower to fill and to stringify, and imports build thousands).
 */

/** An empty record without a prototype: any string is an ordinary key of it. */
export function emptyRecord<V>(): Record<string, V> {
  return Object.setPrototypeOf({}, null) as Record<string, V>;
}

/** A record without a prototype holding these entries (a later entry replaces an earlier one of the same name). */
export function recordOf<V>(entries: Iterable<readonly [string, V]>): Record<string, V> {
  const out = emptyRecord<V>();
  for (const [k, v] of entries) out[k] = v;
  return out;
}

/** A copy without a prototype of a record's own enumerable keys (`__proto__` included, as JSON.parse makes it). */
export function copyRecord<V>(from: Readonly<Record<string, V>> | null | undefined): Record<string, V> {
  const out = emptyRecord<V>();
  if (from) for (const k of Object.keys(from)) out[k] = from[k]!;
  return out;
}

/** The value of a record's own key, never one inherited (for records that may come straight from JSON.parse). */
export function ownValue<V>(rec: Readonly<Record<string, V>> | null | undefined, key: string): V | undefined {
  return rec && Object.hasOwn(rec, key) ? rec[key] : undefined;
}

/** Whether a record holds this name as its own key (`name in rec` is true for `constructor` on a plain object). */
export function hasName(rec: Readonly<Record<string, unknown>> | null | undefined, key: string): boolean {
  return rec !== null && rec !== undefined && Object.hasOwn(rec, key);
}
