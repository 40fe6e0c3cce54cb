// Snapshot JSON that keeps NaN and ±Infinity, and parsing a stored snapshot (refusing a newer format).
import { ReproError } from '../errors';
import { SnapshotSchema, type Snapshot } from './snapshot';

/**
 * JSON encoding of snapshots that keeps NaN and ±Infinity (metrics can be non-finite, plain JSON
 * would turn them into null): a non-finite number is written as {"$nonfinite": "NaN"}.
 */
const NONFINITE_KEY = '$nonfinite';

/** JSON.stringify replacer that keeps non-finite numbers. */
export function nonFiniteReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return { [NONFINITE_KEY]: String(value) };
  return value;
}

/** JSON.parse reviver that restores what nonFiniteReplacer wrote. */
export function nonFiniteReviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const rec = value as Record<string, unknown>;
    const text = rec[NONFINITE_KEY];
    if (typeof text === 'string' && Object.keys(rec).length === 1) return Number(text);
  }
  return value;
}

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
