// Helpers the verdict and the sources share: which reruns count, and numbers as a person reads them.
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
