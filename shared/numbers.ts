/** Numbers for people, to significant digits: the one formatter the app, the CLI and the reports share. */

/**
 * `v` to `digits` significant digits (6 by default): trailing zeros dropped, exponent notation
 * below 1e-4 and from 1e6 up, NaN and infinities spelled out, null and undefined as an em dash.
 */
export function formatSignificant(v: number | null | undefined, digits = 6): string {
  if (v === null || v === undefined) return '—';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1e6 || abs < 1e-4) return v.toExponential(Math.max(0, digits - 1)).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(digits)));
}

/** A relative difference as a signed percentage to 3 significant digits ("+1.27 %"); an em dash when unknown. */
export function formatRelative(rel: number | null | undefined): string {
  if (rel === null || rel === undefined || !Number.isFinite(rel)) return '—';
  return `${rel >= 0 ? '+' : ''}${formatSignificant(rel * 100, 3)} %`;
}
