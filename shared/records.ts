// Records keyed by names a run chose (metrics, params, tags): null-prototype objects, so `__proto__`, `constructor` or `toString` are keys like any other.
import { z } from 'zod';

/*
 * MLflow accepts any name matching `^[/\w.\- ]*$`, so a run may log a metric `__proto__` or a tag `constructor`.
 * On a plain `{}` the first assignment `rec['__proto__'] = v` sets the prototype instead of a key, and a read of
 * a missing `constructor` or `toString` finds Object.prototype's function; zod's z.record drops `__proto__` when
 * it parses. Every record keyed by such names is therefore made here, without a prototype. `setPrototypeOf({},
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

function isRecordInput(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === null || proto === Object.prototype;
}

/** Passes a nested parse's issues on under `path` (their messages kept; zod's transform context takes custom ones). */
function relay(ctx: z.RefinementCtx, issues: readonly z.core.$ZodIssue[], path: PropertyKey[]): void {
  for (const issue of issues) ctx.addIssue({ code: 'custom', message: issue.message, path: [...path, ...issue.path] });
}

/**
 * zod's z.record for names a run chose: the same checks (the value schema on each own key, a key schema where
 * given, issues at `[key, …]`), but `__proto__` is kept and the result has no prototype.
 */
export function nameRecordSchema<V extends z.ZodType>(
  value: V,
  key?: z.ZodType<string>,
): z.ZodType<Record<string, z.output<V>>, Record<string, z.input<V>>> {
  return z
    .custom<Record<string, z.input<V>>>(isRecordInput, { message: 'expected a record' })
    .transform((input, ctx) => {
      const out = emptyRecord<z.output<V>>();
      for (const k of Object.keys(input)) {
        const checked = key?.safeParse(k, { jitless: true });
        if (checked && !checked.success) {
          relay(ctx, checked.error.issues, [k]);
          continue;
        }
        // jitless: a record's values are few and small; compiling zod's fast path for them costs more than it saves
        const parsed = value.safeParse(input[k], { jitless: true });
        if (parsed.success) out[k] = parsed.data;
        else relay(ctx, parsed.error.issues, [k]);
      }
      return out;
    });
}
