// Two versions of a numeric array compared element by element: shape and dtype, the largest absolute and relative differences, and how many elements lie beyond a tolerance.
import type { ArrayShift } from './data-shift-model';

/** numpy.allclose's defaults: |b − a| ≤ atol + rtol·|a|. */
export const DEFAULT_TOLERANCE = { atol: 1e-8, rtol: 1e-5 } as const;

/** One decoded array: its dtype as numpy writes it, its shape, and its values as doubles (C order). */
export interface DecodedArray {
  dtype: string;
  shape: number[];
  values: ArrayLike<number>;
  fortranOrder?: boolean;
}

/** Compares two arrays of the same name; arrays of different shapes are "incomparable" (no element diff). */
export function compareArrays(
  name: string,
  a: DecodedArray | null,
  b: DecodedArray | null,
  tol: { atol: number; rtol: number } = DEFAULT_TOLERANCE,
): ArrayShift {
  const base = {
    name,
    dtypeA: a?.dtype ?? null,
    dtypeB: b?.dtype ?? null,
    shapeA: a?.shape ?? null,
    shapeB: b?.shape ?? null,
  };
  if (!a || !b)
    return {
      ...base,
      status: a ? 'only-a' : 'only-b',
      maxAbsDiff: null,
      maxRelDiff: null,
      beyondTolerance: null,
      elements: null,
      note: null,
    };
  const sameShape = a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
  if (!sameShape || a.values.length !== b.values.length)
    return {
      ...base,
      status: 'incomparable',
      maxAbsDiff: null,
      maxRelDiff: null,
      beyondTolerance: null,
      elements: null,
      note: `the shapes differ: (${a.shape.join(', ')}) and (${b.shape.join(', ')})`,
    };
  if (Boolean(a.fortranOrder) !== Boolean(b.fortranOrder))
    return {
      ...base,
      status: 'incomparable',
      maxAbsDiff: null,
      maxRelDiff: null,
      beyondTolerance: null,
      elements: a.values.length,
      note: 'one array is stored in Fortran order and the other in C order',
    };
  let maxAbs = 0;
  let maxRel = 0;
  let beyond = 0;
  let differ = 0;
  const xs = a.values;
  const ys = b.values;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    if (x === y || (x !== x && y !== y)) continue; // equal, or both NaN
    differ++;
    const d = Math.abs(y - x);
    if (d !== d) {
      // NaN on one side only: beyond any tolerance
      beyond++;
      maxAbs = Infinity;
      continue;
    }
    if (d > maxAbs) maxAbs = d;
    const ax = Math.abs(x);
    if (ax > 0 && d / ax > maxRel) maxRel = d / ax;
    if (d > tol.atol + tol.rtol * ax) beyond++;
  }
  return {
    ...base,
    status: differ === 0 && a.dtype === b.dtype ? 'same' : 'changed',
    maxAbsDiff: maxAbs,
    maxRelDiff: maxRel,
    beyondTolerance: beyond,
    elements: xs.length,
    note: a.dtype !== b.dtype ? `the dtype changed from ${a.dtype} to ${b.dtype}` : null,
  };
}
