// Snapshot JSON that keeps NaN and ±Infinity, and parsing a stored snapshot (refusing a newer format).
import { ReproError } from '../errors';
import { nonFiniteReplacer, nonFiniteReviver } from './nonfinite-json';
import { SnapshotSchema, type Snapshot } from './snapshot';

/** JSON that keeps non-finite numbers (its own module, so that printing JSON loads no schema). */
export { nonFiniteReplacer, nonFiniteReviver };

/** Serialises a snapshot to JSON text. */
export function encodeSnapshot(snapshot: Snapshot): string {
  return JSON.stringify(snapshot, nonFiniteReplacer);
}

/** Parses and validates a snapshot from JSON text; a damaged or foreign record is an error naming it. */
export function decodeSnapshot(text: string, label = 'snapshot'): Snapshot {
  let raw: unknown;
  try {
    raw = JSON.parse(text, nonFiniteReviver);
  } catch (e) {
    throw new ReproError(
      'STORE_CORRUPT',
      `${label} is not valid JSON: ${(e as Error).message}`,
      'The store may be damaged; restore it from the backup next to reproscope.db.',
    );
  }
  return parseSnapshot(raw, label);
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
  const parsed = SnapshotSchema.safeParse(raw);
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
