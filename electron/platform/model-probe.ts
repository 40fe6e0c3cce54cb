// Compares two pickled scikit-learn models or torch state dicts through the project's own Python: a read-only script loads both and reports each parameter's shape and largest differences.
import { execFile } from 'node:child_process';
import os from 'node:os';
import { z } from 'zod';
import type { ModelShift } from '../../shared/compare/data-shift-model';

/**
 * Why a separate interpreter, and why only for a run's own outputs: unpickling runs code named in
 * the file. A model a run of this project wrote is loaded by the same Python that wrote it (it is no
 * more trusted or less than running the project), while a file from an imported store may come from
 * anyone; the core only calls this for outputs of captured or rerun runs, or when the user asks
 * (docs/compare.md). torch files are loaded with weights_only=True. The script writes nothing
 * (-B: no bytecode; it runs in the temp folder) and prints one JSON object.
 */
const SCRIPT = String.raw`
import json, sys, math
def fail(msg):
    print(json.dumps({"error": msg})); sys.exit(0)
try:
    import numpy as np
except Exception as e:
    fail("numpy is not importable by this Python: %s" % e)
path_a, path_b, fmt, atol, rtol, root = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5]), sys.argv[6]
if root:
    sys.path.insert(0, root)
def load(p):
    if fmt == "torch":
        import torch
        try:
            return torch.load(p, map_location="cpu", weights_only=True)
        except TypeError:
            return torch.load(p, map_location="cpu")
    try:
        import joblib
        return joblib.load(p)
    except ImportError:
        import pickle
        with open(p, "rb") as f:
            return pickle.load(f)
MAX = 500
def arr(v):
    try:
        if hasattr(v, "detach"):
            return v.detach().cpu().numpy()
        if isinstance(v, np.ndarray):
            return v if v.dtype.kind in "biufc" else None
        if isinstance(v, (bool, int, float, np.number)):
            return np.asarray(v)
        if isinstance(v, (list, tuple)) and v and all(isinstance(x, (int, float)) for x in v):
            return np.asarray(v)
    except Exception:
        return None
    return None
def walk(obj, prefix, out, depth=0):
    if len(out) > MAX or depth > 6:
        return
    a = arr(obj)
    if a is not None:
        out[prefix or "value"] = a; return
    if isinstance(obj, dict):
        for k, v in obj.items():
            walk(v, (prefix + "." if prefix else "") + str(k), out, depth + 1)
        return
    if isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj[:50]):
            walk(v, "%s[%d]" % (prefix, i), out, depth + 1)
        return
    if type(obj).__name__ == "Tree" and hasattr(obj, "threshold"):
        for k in ("threshold", "value", "feature", "children_left", "children_right"):
            walk(getattr(obj, k), prefix + "." + k, out, depth + 1)
        return
    d = getattr(obj, "__dict__", None)
    if isinstance(d, dict):
        for k, v in d.items():
            # fitted attributes end with _ (scikit-learn's convention); steps and estimators hold more
            if k.endswith("_") or k in ("steps", "estimators", "named_steps") or k.startswith("coef") or k.startswith("intercept"):
                walk(v, (prefix + "." if prefix else "") + k, out, depth + 1)
try:
    a = load(path_a)
except Exception as e:
    fail("run A's model does not load: %s: %s" % (type(e).__name__, e))
try:
    b = load(path_b)
except Exception as e:
    fail("run B's model does not load: %s: %s" % (type(e).__name__, e))
pa, pb = {}, {}
walk(a, "", pa); walk(b, "", pb)
def num(x):
    x = float(x)
    return x if math.isfinite(x) else ("NaN" if x != x else ("Infinity" if x > 0 else "-Infinity"))
params = []
for name in list(pa.keys()) + [k for k in pb.keys() if k not in pa]:
    x, y = pa.get(name), pb.get(name)
    e = {"name": name, "dtypeA": None if x is None else str(x.dtype), "dtypeB": None if y is None else str(y.dtype),
         "shapeA": None if x is None else list(x.shape), "shapeB": None if y is None else list(y.shape),
         "maxAbsDiff": None, "maxRelDiff": None, "beyondTolerance": None, "elements": None, "note": None}
    if x is None or y is None:
        e["status"] = "only-a" if y is None else "only-b"
    elif x.shape != y.shape:
        e["status"] = "incomparable"; e["note"] = "the shapes differ"
    else:
        xf = x.astype(np.float64).ravel(); yf = y.astype(np.float64).ravel()
        d = np.abs(yf - xf)
        both_nan = np.isnan(xf) & np.isnan(yf)
        d[both_nan] = 0
        ax = np.abs(xf)
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.where(ax > 0, d / ax, 0)
        e["elements"] = int(xf.size)
        e["maxAbsDiff"] = num(np.nanmax(np.where(np.isnan(d), np.inf, d))) if xf.size else 0
        e["maxRelDiff"] = num(np.nanmax(rel)) if xf.size else 0
        e["beyondTolerance"] = int(np.count_nonzero(~(np.isclose(xf, yf, atol=atol, rtol=rtol, equal_nan=True))))
        e["status"] = "same" if e["maxAbsDiff"] == 0 and x.dtype == y.dtype else "changed"
    params.append(e)
print(json.dumps({"typeA": type(a).__module__ + "." + type(a).__name__, "typeB": type(b).__module__ + "." + type(b).__name__,
                  "params": params[:MAX], "truncated": len(params) > MAX}))
`;

const NumOrText = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]).nullable();
const ProbeOutput = z.union([
  z.object({ error: z.string() }),
  z.object({
    typeA: z.string(),
    typeB: z.string(),
    truncated: z.boolean(),
    params: z.array(
      z.object({
        name: z.string(),
        status: z.enum(['same', 'changed', 'only-a', 'only-b', 'incomparable']),
        dtypeA: z.string().nullable(),
        dtypeB: z.string().nullable(),
        shapeA: z.array(z.number().int()).nullable(),
        shapeB: z.array(z.number().int()).nullable(),
        maxAbsDiff: NumOrText,
        maxRelDiff: NumOrText,
        beyondTolerance: z.number().int().nullable(),
        elements: z.number().int().nullable(),
        note: z.string().nullable(),
      }),
    ),
  }),
]);

const toNumber = (v: z.infer<typeof NumOrText>): number | null => (typeof v === 'string' ? Number(v) : v);

/** What the model probe says: the comparison, or why a model could not be read. */
export type ModelProbeResult = { ok: true; shift: ModelShift } | { ok: false; reason: string };

/** Loads two model files with `python` (read-only, isolated) and compares their parameters. */
export function probeModels(options: {
  python: string;
  a: string;
  b: string;
  format: 'pickle' | 'torch';
  tolerance: { atol: number; rtol: number };
  projectRoot: string | null;
  timeoutMs?: number;
}): Promise<ModelProbeResult> {
  const args = [
    '-B',
    '-c',
    SCRIPT,
    options.a,
    options.b,
    options.format,
    String(options.tolerance.atol),
    String(options.tolerance.rtol),
    options.projectRoot ?? '',
  ];
  return new Promise((resolve) => {
    execFile(
      options.python,
      args,
      {
        cwd: os.tmpdir(),
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      },
      (error, stdout, stderr) => {
        const text = stdout.trim().split('\n').pop() ?? '';
        let raw: unknown;
        try {
          raw = JSON.parse(text);
        } catch {
          const why = error ? error.message.split('\n')[0] : 'no answer';
          resolve({ ok: false, reason: `the model probe failed (${why}): ${stderr.trim().split('\n').pop() ?? ''}` });
          return;
        }
        const parsed = ProbeOutput.safeParse(raw);
        if (!parsed.success) {
          resolve({ ok: false, reason: 'the model probe answered in an unexpected form' });
          return;
        }
        const v = parsed.data;
        if ('error' in v) {
          resolve({ ok: false, reason: v.error });
          return;
        }
        resolve({
          ok: true,
          shift: {
            kind: 'model',
            format: options.format,
            typeA: v.typeA,
            typeB: v.typeB,
            truncated: v.truncated,
            params: v.params.map((p) => ({
              ...p,
              maxAbsDiff: toNumber(p.maxAbsDiff),
              maxRelDiff: toNumber(p.maxRelDiff),
            })),
          },
        });
      },
    );
  });
}
