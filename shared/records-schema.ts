// zod's schema of a record keyed by names a run chose: every key kept, `__proto__` too, in a record without a prototype.
// Apart from records.ts so that code which only makes such records (the CLI's start) does not load zod.
import { z } from 'zod';
import { emptyRecord } from './records';

function isRecordInput(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === null || proto === Object.prototype;
}

/** Passes a nested parse's issues on under `path` (their messages kept; zod's transform context takes custom ones). */
function relay(ctx: z.RefinementCtx, issues: readonly z.core.$ZodIssue[], path: PropertyKey[]): void {
  for (const issue of issues) ctx.addIssue({ code: 'custom', message: issue.message, path: [...path, ...issue.path] });
}

/** The first parses a process makes skip zod's compiled fast path, as parseSnapshot's do (compiling costs more than a few parses save). */
const JITLESS_PARSES = 64;

/** z.record's JSON Schema (for z.toJSONSchema, which has none for the custom check and transform below). */
function recordJsonSchema(record: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...json } = z.toJSONSchema(record, { io: 'output' }) as Record<string, unknown>;
  // a value schema that brings definitions would point its $refs at the wrong root: none of ours does
  if ('$defs' in json) throw new Error('nameRecordSchema: a value schema with $defs has no inline JSON Schema');
  return json;
}

/**
 * zod's z.record for names a run chose: the same checks (z.record's own, for every key but `__proto__`, which it
 * drops; the value schema for that one), issues at `[key, …]`, but every key is kept, in its order, in a record
 * without a prototype. z.toJSONSchema writes it as z.record's JSON Schema (the report schema is generated so).
 */
export function nameRecordSchema<V extends z.ZodType>(
  value: V,
  key?: z.ZodType<string>,
): z.ZodType<Record<string, z.output<V>>, Record<string, z.input<V>>> {
  const record = z.record(key ?? z.string(), value);
  let parses = 0;
  const schema = z
    .custom<Record<string, z.input<V>>>(isRecordInput, { message: 'expected a record' })
    .transform((input, ctx) => {
      const options = parses++ < JITLESS_PARSES ? { jitless: true } : undefined;
      const parsed = record.safeParse(input, options);
      if (!parsed.success) relay(ctx, parsed.error.issues, []);
      const proto = Object.hasOwn(input, '__proto__') ? value.safeParse(input.__proto__, options) : null;
      if (proto && !proto.success) relay(ctx, proto.error.issues, ['__proto__']);
      if (!parsed.success || (proto && !proto.success)) return emptyRecord<z.output<V>>();
      // zod's result is a fresh object: it loses its prototype (V8 keeps its properties fast)
      if (!proto) return Object.setPrototypeOf(parsed.data, null) as Record<string, z.output<V>>;
      const out = emptyRecord<z.output<V>>();
      for (const k of Object.keys(input)) out[k] = k === '__proto__' ? proto.data : parsed.data[k]!;
      return out;
    });
  // zod's documented hook for a schema's own JSON Schema (`toJSONSchema?: () => unknown` on `_zod`)
  schema._zod.toJSONSchema = () => recordJsonSchema(record);
  return schema;
}
