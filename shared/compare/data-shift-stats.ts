// The chi-square distribution's survival function (through the regularized incomplete gamma function), which shared/audit/statistics.ts does not have.
import { logGamma } from '../audit/statistics';

/** The regularized lower incomplete gamma P(a, x), by its series (x < a + 1) or Lentz's continued fraction. */
export function regularizedGammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  const lg = logGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 1000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return Math.min(1, sum * Math.exp(-x + a * Math.log(x) - lg));
  }
  return 1 - regularizedGammaQcf(a, x, lg);
}

function regularizedGammaQcf(a: number, x: number, lg: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.exp(-x + a * Math.log(x) - lg) * h;
}

/** P(X ≥ x) for X chi-square with df degrees of freedom. */
export function chiSquareSf(x: number, df: number): number {
  if (!(x > 0)) return 1;
  const a = df / 2;
  const z = x / 2;
  if (z < a + 1) return Math.max(0, 1 - regularizedGammaP(a, z));
  return Math.max(0, Math.min(1, regularizedGammaQcf(a, z, logGamma(a))));
}
