// Typed stand-ins for vitest's `any`-returning matchers and for JSON.parse, so tests keep the type checker on.
import { expect } from 'vitest';
import type { z } from 'zod';

/** JSON text parsed and checked against a schema: a test reads typed fields, and a wrong shape fails loudly. */
export function parseJson<S extends z.ZodType>(text: string, schema: S): z.output<S> {
  return schema.parse(JSON.parse(text));
}

/** `expect.stringContaining`, typed `unknown` instead of `any`. */
export function containing(text: string): unknown {
  return expect.stringContaining(text);
}

/** `expect.not.stringContaining`, typed `unknown` instead of `any`. */
export function notContaining(text: string): unknown {
  return expect.not.stringContaining(text);
}

/** `expect.stringMatching`, typed `unknown` instead of `any`. */
export function matching(pattern: RegExp): unknown {
  return expect.stringMatching(pattern);
}

/** `expect.anything()`, typed `unknown` instead of `any`. */
export function anything(): unknown {
  return expect.anything();
}

/** `expect.any(String)`, typed `unknown` instead of `any`. */
export function anyString(): unknown {
  return expect.any(String);
}

/** `expect.any(Number)`, typed `unknown` instead of `any`. */
export function anyNumber(): unknown {
  return expect.any(Number);
}
