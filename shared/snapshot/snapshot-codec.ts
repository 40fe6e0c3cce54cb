// Snapshot JSON that keeps NaN and ±Infinity, and parsing a stored snapshot (refusing a newer format).
import { ReproError } from '../errors';
import { nonFiniteReplacer, nonFiniteReviver, parseNonFiniteJson } from './nonfinite-json';
import { SnapshotSchema, type Snapshot } from './snapshot';

/** JSON that keeps non-finite numbers (its own module, so that printing JSON loads no schema). */
export { nonFiniteReplacer, nonFiniteReviver, parseNonFiniteJson };

/** Serialises a snapshot to JSON text. */
export function encodeSnapshot(snapshot: Snapshot): string {
  return JSON.stringify(snapshot, nonFiniteReplacer);
}

/** Parses and validates a snapshot from JSON text; a damaged or foreign record is an error naming it. */
export function decodeSnapshot(text: string, label = 'snapshot'): Snapshot {
  let raw: unknown;
  try {
    raw = parseNonFiniteJson(text);
  } catch (e) {
    throw new ReproError(
      'STORE_CORRUPT',
      `${label} is not valid JSON: ${(e as Error).message}`,
      'The store may be damaged; restore it from the backup next to reproscope.db.',
    );
  }
  return parseSnapshot(raw, label);
}

/**
 * The first snapshots a process parses skip zod's compiled fast path: compiling it (once per object schema, ~10 ms
 * for the snapshot's) costs more than it saves over a few parses, and most commands parse one or two (`show`,
 * `compare`). A process that goes on parsing (an import, the server, the app) compiles it then.
 */
const JITLESS_PARSES = 16;
let parses = 0;

/**
 * Says this process serves many parses (the app, `reproscope serve`): every parse takes zod's compiled path from
 * the first, which then costs one compile (~10 ms) and saves ~40 % of each snapshot read after it.
 */
export function expectManySnapshotParses(): void {
  parses = Math.max(parses, JITLESS_PARSES);
}

/** Validates an unknown value as a snapshot. */
export function parseSnapshot(raw: unknown, label = 'snapshot'): Snapshot {
  const version = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > 1) {
    throw new ReproError(
      'STORE_TOO_NEW',
      `${label} was written in snapshot format ${version}, newer than this reproscope understands`,
      'Upgrade reproscope to read it.',
    );
  }
  // the same checks either way; only how zod runs them differs (see JITLESS_PARSES)
  const parsed = SnapshotSchema.safeParse(raw, parses++ < JITLESS_PARSES ? { jitless: true } : undefined);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') : '';
    throw new ReproError(
      'STORE_CORRUPT',
      `${label} does not match the snapshot format${where ? ` at ${where}` : ''}: ${issue?.message ?? 'invalid'}`,
      'The record is damaged or was not written by reproscope.',
    );
  }
  return parsed.data;
}
