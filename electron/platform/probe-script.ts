/**
 * The Python probe, run with the project's own interpreter. It prints one JSON object on stdout:
 * the interpreter, every installed distribution, numerics build facts (only for libraries already
 * installed), and, with `--scan ROOT`, a static seed scan of the project's Python files using
 * Python's own `ast` module. It must never raise: every part reports its own error instead.
 * Kept as text so it runs the same from the bundle and from sources; Python 3.6+ compatible.
 */
import { SEED_SCAN_SCRIPT } from './seed-scan-script';

const PROBE_HEAD = String.raw`
import sys, os, json, platform

out = {"python": {}, "packages": [], "numerics": {}, "errors": [], "scan": None}

def safe(label, fn):
    try:
        return fn()
    except BaseException as e:  # a probe that raises would lose everything else
        out["errors"].append("%s: %s: %s" % (label, type(e).__name__, e))
        return None

def interpreter():
    conda = os.environ.get("CONDA_PREFIX") if os.path.isdir(os.path.join(sys.prefix, "conda-meta")) else None
    if conda is None and os.path.isdir(os.path.join(sys.prefix, "conda-meta")):
        conda = sys.prefix
    base = getattr(sys, "base_prefix", sys.prefix)
    out["python"] = {
        "executable": sys.executable,
        "version": platform.python_version(),
        "implementation": platform.python_implementation(),
        "prefix": sys.prefix,
        "basePrefix": base,
        "virtualenv": sys.prefix if sys.prefix != base else None,
        "conda": conda,
    }

def distributions():
    try:
        from importlib import metadata
    except ImportError:
        metadata = None
    seen = {}
    if metadata is not None:
        for dist in metadata.distributions():
            name = dist.metadata["Name"] if dist.metadata else None
            if not name:
                continue
            key = name.lower().replace("_", "-")
            if key in seen:
                continue
            installer = None
            editable = False
            try:
                installer = (dist.read_text("INSTALLER") or "").strip() or None
            except Exception:
                pass
            try:
                direct = dist.read_text("direct_url.json")
                if direct:
                    editable = bool(json.loads(direct).get("dir_info", {}).get("editable", False))
            except Exception:
                pass
            if installer is None:
                loc = str(getattr(dist, "_path", ""))
                if "dist-packages" in loc and loc.startswith("/usr/"):
                    installer = "debian"
            seen[key] = {"name": name, "version": dist.version or "", "installer": installer, "editable": editable}
    else:
        import pkg_resources
        for d in pkg_resources.working_set:
            seen[d.project_name.lower()] = {"name": d.project_name, "version": d.version, "installer": None, "editable": False}
    out["packages"] = sorted(seen.values(), key=lambda p: p["name"].lower())

def installed(mod):
    import importlib.util
    try:
        return importlib.util.find_spec(mod) is not None
    except Exception:
        return False

def numpy_facts():
    import numpy
    facts = {"version": numpy.__version__}
    cfg = None
    try:
        cfg = numpy.show_config(mode="dicts")
    except TypeError:
        cfg = None
    if isinstance(cfg, dict):
        deps = cfg.get("Build Dependencies", {})
        for key in ("blas", "lapack"):
            d = deps.get(key, {})
            if d:
                facts[key] = "%s %s" % (d.get("name", "?"), d.get("version", "")) if d.get("version") else str(d.get("name", "?"))
        simd = cfg.get("SIMD Extensions", {})
        if simd.get("found"):
            facts["simd"] = " ".join(simd.get("found", []))
    else:
        conf = getattr(numpy, "__config__", None)
        for key in ("blas_opt_info", "openblas_info", "blas_mkl_info", "lapack_opt_info"):
            info = getattr(conf, key, None) if conf else None
            if info:
                facts.setdefault("blas", key.replace("_info", ""))
    try:
        from threadpoolctl import threadpool_info
        for pool in threadpool_info():
            if pool.get("user_api") == "blas":
                facts["blasRuntime"] = "%s %s (%s threads)" % (pool.get("internal_api"), pool.get("version"), pool.get("num_threads"))
                break
    except Exception:
        pass
    out["numerics"]["numpy"] = facts

def literal_assignments(path):
    # module-level NAME = <literal> of a Python file, read without running it
    import ast
    with open(path, "rb") as f:
        tree = ast.parse(f.read())
    values = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                values[node.targets[0].id] = ast.literal_eval(node.value)
            except Exception:
                pass
    return values

def torch_facts():
    # torch/version.py says the version and the CUDA / ROCm torch was built with. A build with neither
    # has no CUDA and no cuDNN, and a fresh process has deterministic algorithms off, so importing
    # torch (0.7 s of CPU, 240 MB, while the user's command runs) would only repeat what the file says.
    import importlib.util
    spec = importlib.util.find_spec("torch")
    folder = os.path.dirname(spec.origin) if spec is not None and spec.origin else None
    version_file = os.path.join(folder, "version.py") if folder else None
    if version_file and os.path.isfile(version_file):
        v = literal_assignments(version_file)
        if isinstance(v.get("__version__"), str) and "cuda" in v and v["cuda"] is None and v.get("hip") is None:
            out["numerics"]["torch"] = {"version": v["__version__"], "cuda": "None", "cudaAvailable": "False",
                                        "cudnn": "None", "deterministicAlgorithms": "False"}
            return
    import torch
    facts = {"version": torch.__version__, "cuda": str(torch.version.cuda), "cudaAvailable": str(torch.cuda.is_available())}
    try:
        facts["cudnn"] = str(torch.backends.cudnn.version())
    except Exception:
        pass
    facts["deterministicAlgorithms"] = str(torch.are_deterministic_algorithms_enabled())
    out["numerics"]["torch"] = facts

def tensorflow_facts():
    import tensorflow as tf
    info = tf.sysconfig.get_build_info()
    out["numerics"]["tensorflow"] = {"version": tf.__version__, "cuda": str(info.get("cuda_version")), "cudnn": str(info.get("cudnn_version"))}

def jax_facts():
    import jax
    out["numerics"]["jax"] = {"version": jax.__version__, "backend": jax.default_backend()}
`;

const PROBE_MAIN = String.raw`
args = sys.argv[1:]
mode_scan_only = "--scan-only" in args
if not mode_scan_only:
    safe("interpreter", interpreter)
    safe("distributions", distributions)
    for mod, fn in (("numpy", numpy_facts), ("torch", torch_facts), ("tensorflow", tensorflow_facts), ("jax", jax_facts)):
        if installed(mod):
            safe(mod, fn)
if "--scan" in args:
    root = args[args.index("--scan") + 1]
    safe("scan", lambda: scan(root))
sys.stdout.write(json.dumps(out))
`;

/** The whole probe: interpreter and package facts, then the seed scan, then the entry point that runs them. */
export const PROBE_SCRIPT = [PROBE_HEAD, SEED_SCAN_SCRIPT, PROBE_MAIN].join('\n');
