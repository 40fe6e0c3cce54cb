/** Decimal numbers of 16 to 19 digits read from bytes, correctly rounded, without a string: the file-store import's and the CSV pass's long values. */

/** Exact powers of ten, 10^0 to 10^22 (the largest a double holds exactly). */
export const POW10: readonly number[] = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];

/** Dekker's split of a double into two halves of 26 bits each (for exact products). */
const SPLITTER = 134217729; // 2^27 + 1

/** The rounding error of a * b: a * b - fl(a * b), exactly (Dekker's TwoProduct, no fused multiply-add needed). */
function productError(a: number, b: number, p: number): number {
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/**
 * The correctly rounded magnitude of a decimal of 16 to 19 significant digits divided by 10^scale
 * (scale 1 to 22), from its ASCII bytes ([-+]digits[.digits][e…]: the caller checked the form, and
 * every byte that is not a digit before an `e` is passed over); NaN when that cannot be settled this
 * way, so the caller asks Number(). Why: Python writes a float's repr (pandas' CSVs, MLflow's metric
 * files), up to 17 digits, and about half of such values have more digits than a double holds
 * exactly: the exact fast path (digits below 2^53 over an exact power of ten) misses them, and each
 * went through a string and Number().
 *
 * How: the digits W = hi * 10^m + lo (hi of 15 digits, exact) are held exactly as two doubles,
 * Wh + Wl. q = Wh / D is one correctly rounded division; its remainder Wh - q * D is exact (from
 * Dekker's product), so the true quotient is q + c with c = (remainder + Wl) / D, which is off by
 * at most two roundings (a relative 2^-52 of c). Round to nearest is monotonic: if q + c - eps and
 * q + c + eps (eps well above that error) round to the same double, the true quotient rounds to it
 * too; otherwise it is too near a halfway point to tell, and Number() decides.
 */
export function longDecimalBytes(bytes: Uint8Array, start: number, end: number, scale: number): number {
  let hi = 0;
  let lo = 0;
  let sig = 0;
  let pow = 1;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c === 101 || c === 69) break;
    if (c < 48 || c > 57 || (sig === 0 && c === 48)) continue; // the sign, the point, leading zeros
    if (sig < 15) hi = hi * 10 + (c - 48);
    else {
      lo = lo * 10 + (c - 48);
      pow *= 10;
    }
    sig++;
  }
  if (sig <= 15 || sig > 19) return NaN;
  // W = hi * pow + lo, exactly: ph + pl is the product, ph + lo = wh + e1, and pl + e1 is an exact small integer.
  const ph = hi * pow;
  const pl = productError(hi, pow, ph);
  const wh = ph + lo;
  const e1 = lo - (wh - ph);
  const wl = pl + e1;
  const d = POW10[scale]!;
  const q = wh / d;
  const th = q * d;
  const remainder = wh - th - productError(q, d, th);
  const c = (remainder + wl) / d;
  const eps = Math.abs(c) * 2 ** -45;
  const down = q + (c - eps);
  return down === q + (c + eps) ? down : NaN;
}
