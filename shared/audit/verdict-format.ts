// Helpers the verdict, the sources and the texts share: which reruns count, numbers as a person reads them, values that are no number.
import type { AuditGroup, Rerun } from './audit';

/** Reruns that produced an outcome to judge (finished with exit 0). */
export const finishedReruns = (g: AuditGroup | undefined): Rerun[] =>
  g ? g.reruns.filter((r) => r.status === 'finished') : [];

/** A number for a sentence: up to 6 significant digits, exponent form for very large or small values. */
export const fmt = (v: number | null | undefined): string => {
  if (v === null || v === undefined) return '—';
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e6 || a < 1e-4 ? v.toExponential(3) : String(Number(v.toPrecision(6)));
};

/** Names for a sentence: up to `most` of them, then how many more ("a, b, c and 4 more"). */
export const shortList = (names: readonly string[], most: number): string =>
  names.length <= most ? names.join(', ') : `${names.slice(0, most).join(', ')} and ${names.length - most} more`;

/** How many of `values` are NaN, Infinity and -Infinity, as a phrase ("1 NaN, 2 Infinity"); empty when every value is finite. */
export const nonFiniteText = (values: readonly number[]): string => {
  const counts = new Map<string, number>();
  for (const v of values) if (!Number.isFinite(v)) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
  return ['NaN', 'Infinity', '-Infinity']
    .filter((k) => counts.has(k))
    .map((k) => `${counts.get(k)} ${k}`)
    .join(', ');
};
