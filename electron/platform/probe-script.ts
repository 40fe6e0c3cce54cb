/**
 * The Python probe, run with the project's own interpreter. It prints one JSON object on stdout:
 * the interpreter, every installed distribution, numerics build facts (only for libraries already
 * installed), and, with `--scan ROOT`, a static seed scan of the project's Python files using
 * Python's own `ast` module. It must never raise: every part reports its own error instead.
 * Kept as text so it runs the same from the bundle and from sources; Python 3.6+ compatible.
 */
import { createHash } from 'node:crypto';
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

def name_and_version(dist):
    # Name and Version from the metadata's header lines: importlib parses the whole file with the email package for
    # each (twice: .metadata, then .version), which is most of a listing's time; anything unusual goes to importlib
    text = None
    for f in ("METADATA", "PKG-INFO", ""):
        try:
            text = dist.read_text(f)
        except Exception:
            text = None
        if text:
            break
    name = version = None
    for line in (text or "").splitlines():
        if not line.strip():
            break
        if line[:1] in " \t":
            continue
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key == "name" and name is None:
            name = value.strip()
        elif key == "version" and version is None:
            version = value.strip()
    if name is None or version is None:
        meta = dist.metadata
        return (meta["Name"] if meta else None), dist.version
    return name, version

def distributions():
    try:
        from importlib import metadata
    except ImportError:
        metadata = None
    seen = {}
    if metadata is not None:
        for dist in metadata.distributions():
            name, version = name_and_version(dist)
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
            seen[key] = {"name": name, "version": version or "", "installer": installer, "editable": editable}
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

def module_folder(mod):
    import importlib.util
    spec = importlib.util.find_spec(mod)
    return os.path.dirname(spec.origin) if spec is not None and spec.origin else None

def numpy_file_facts(folder):
    # numpy's version and BLAS/LAPACK build, from the files that say them (numpy 1.x __config__ assignments and
    # _version.py; numpy 2.x __config__'s CONFIG literal and version.py), without importing numpy
    facts = {}
    v = literal_assignments(os.path.join(folder, "version.py"))
    if isinstance(v.get("__version__"), str):
        facts["version"] = v["__version__"]
    elif isinstance(v.get("version"), str):
        facts["version"] = v["version"]
    else:
        raw = literal_assignments(os.path.join(folder, "_version.py")).get("version_json")
        info = json.loads(raw) if isinstance(raw, str) else {}
        ver = info.get("closest-tag") or info.get("version")
        if isinstance(ver, str):
            facts["version"] = ver
    cfg = literal_assignments(os.path.join(folder, "__config__.py"), dicts=True)
    config = cfg.get("CONFIG")
    if isinstance(config, dict):
        deps = config.get("Build Dependencies", {})
        for key in ("blas", "lapack"):
            d = deps.get(key, {}) if isinstance(deps, dict) else {}
            if isinstance(d, dict) and d:
                facts[key] = "%s %s" % (d.get("name", "?"), d.get("version", "")) if d.get("version") else str(d.get("name", "?"))
        return facts, True
    for key in ("blas_opt_info", "openblas_info", "blas_mkl_info", "lapack_opt_info"):
        if cfg.get(key):
            facts.setdefault("blas", key.replace("_info", ""))
    return facts, False

def numpy_facts():
    folder = module_folder("numpy")
    facts, meson = numpy_file_facts(folder) if folder else ({}, False)
    has_pool = installed("threadpoolctl")
    # only what the files cannot say needs numpy imported: the SIMD extensions this CPU runs (numpy 2) and the BLAS
    # actually loaded (threadpoolctl)
    # what the files say stands even where numpy then fails to import (the error is recorded beside it)
    out["numerics"]["numpy"] = facts
    if "version" in facts and not meson and not has_pool:
        return
    import numpy
    facts["version"] = numpy.__version__
    if meson:
        try:
            cfg = numpy.show_config(mode="dicts")
        except TypeError:
            cfg = None
        simd = cfg.get("SIMD Extensions", {}) if isinstance(cfg, dict) else {}
        if simd.get("found"):
            facts["simd"] = " ".join(simd.get("found", []))
    if has_pool:
        try:
            from threadpoolctl import threadpool_info
            for pool in threadpool_info():
                if pool.get("user_api") == "blas":
                    facts["blasRuntime"] = "%s %s (%s threads)" % (pool.get("internal_api"), pool.get("version"), pool.get("num_threads"))
                    break
        except Exception:
            pass

def literal_value(node, dicts):
    import ast
    try:
        return ast.literal_eval(node)
    except Exception:
        pass
    if not dicts:
        raise ValueError("not a literal")
    # numpy 2's CONFIG = _cleanup({...}): the literal parts of a dict, the rest (runtime values) left out
    if isinstance(node, ast.Call) and len(node.args) == 1:
        node = node.args[0]
    if isinstance(node, ast.Dict):
        d = {}
        for k, v in zip(node.keys, node.values):
            key = getattr(k, "value", getattr(k, "s", None)) if k is not None else None
            if isinstance(key, str):
                try:
                    d[key] = literal_value(v, dicts)
                except Exception:
                    pass
        return d
    raise ValueError("not a literal")

def literal_assignments(path, dicts=False):
    # module-level NAME = <literal> of a Python file, read without running it
    import ast
    try:
        with open(path, "rb") as f:
            tree = ast.parse(f.read())
    except (OSError, SyntaxError, ValueError):
        return {}
    values = {}
    for node in tree.body:
        # NAME = value, and NAME: type = value (torch 2's version.py: cuda: Optional[str] = None)
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            target = node.targets[0]
        elif isinstance(node, getattr(ast, "AnnAssign", ())) and isinstance(node.target, ast.Name) and node.value is not None:
            target = node.target
        else:
            continue
        try:
            values[target.id] = literal_value(node.value, dicts)
        except Exception:
            pass
    return values

def torch_facts():
    # torch/version.py says the version and the CUDA / ROCm torch was built with. A build with neither
    # has no CUDA and no cuDNN, and a fresh process has deterministic algorithms off, so importing
    # torch (0.7 s of CPU, 240 MB, while the user's command runs) would only repeat what the file says.
    folder = module_folder("torch")
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

def package_state():
    # What the distributions and numerics facts depend on: the interpreter, the names in every sys.path folder and
    # the metadata files of its distributions (an install, upgrade or removal changes them), the shared-library
    # setup, and the CPU, boot and thread settings that the runtime facts (loaded BLAS threads, CUDA) reflect.
    import hashlib, stat
    h = hashlib.sha256()
    def add(*parts):
        h.update(("\0".join(str(p) for p in parts) + "\n").encode("utf-8", "surrogateescape"))
    add(PROBE_KEY, sys.executable, sys.version, sys.prefix, os.cpu_count())
    try:
        add(len(os.sched_getaffinity(0)))
    except Exception:
        pass
    for k in sorted(os.environ):
        if k.endswith("_NUM_THREADS") or k.startswith("CUDA") or k in ("CONDA_PREFIX", "LD_LIBRARY_PATH", "LD_PRELOAD"):
            add(k, os.environ[k])
    for f in ("/proc/sys/kernel/random/boot_id",):
        try:
            with open(f) as fh:
                add(f, fh.read().strip())
        except OSError:
            pass
    for f in ("/etc/ld.so.cache", "/etc/alternatives"):
        try:
            st = os.stat(f)
            add(f, st.st_mtime_ns, st.st_size)
        except OSError:
            pass
    for entry in sys.path:
        folder = entry or "."
        try:
            st = os.stat(folder)
        except OSError:
            add(entry, "-")
            continue
        if not stat.S_ISDIR(st.st_mode):
            add(entry, st.st_mtime_ns, st.st_size)
            continue
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            add(entry, "unreadable")
            continue
        add(entry, len(names))
        for name in names:
            if not name.endswith((".dist-info", ".egg-info", ".egg", ".pth", ".egg-link")):
                continue
            p = os.path.join(folder, name)
            for f in (os.path.join(p, "METADATA"), os.path.join(p, "PKG-INFO"), os.path.join(p, "EGG-INFO", "PKG-INFO"), p):
                try:
                    st = os.stat(f)
                except OSError:
                    continue
                add(name, os.path.basename(f), st.st_mtime_ns, st.st_size)
                break
    return h.hexdigest()

def package_cache_file(folder):
    import hashlib
    who = hashlib.sha256(("%s\0%s" % (sys.executable, sys.prefix)).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return os.path.join(folder, "packages-%s.json" % who)

def load_packages(folder, state):
    try:
        with open(package_cache_file(folder)) as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return False
    if data.get("state") != state or not isinstance(data.get("packages"), list) or not isinstance(data.get("numerics"), dict):
        return False
    out["packages"] = data["packages"]
    out["numerics"] = data["numerics"]
    return True

def save_packages(folder, state):
    os.makedirs(folder, mode=0o700, exist_ok=True)
    path = package_cache_file(folder)
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "w") as fh:
        json.dump({"state": state, "packages": out["packages"], "numerics": out["numerics"]}, fh)
    os.replace(tmp, path)

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
cache_folder = args[args.index("--package-cache") + 1] if "--package-cache" in args else None
if not mode_scan_only:
    safe("interpreter", interpreter)
    state = safe("package cache", package_state) if cache_folder else None
    if state and load_packages(cache_folder, state):
        out["packagesCached"] = True
    else:
        safe("distributions", distributions)
        for mod, fn in (("numpy", numpy_facts), ("torch", torch_facts), ("tensorflow", tensorflow_facts), ("jax", jax_facts)):
            if installed(mod):
                safe(mod, fn)
        # facts read with an error are not kept, so the next probe tries again
        if state and not out["errors"]:
            safe("package cache", lambda: save_packages(cache_folder, state))
if "--scan" in args:
    root = args[args.index("--scan") + 1]
    safe("scan", lambda: scan(root))
sys.stdout.write(json.dumps(out))
`;

/** A digest of the probe's own source: a package cache written by another version of the probe is never believed. */
const PROBE_KEY = createHash('sha256').update(PROBE_HEAD).update(PROBE_MAIN).digest('hex').slice(0, 16);

/** The whole probe: interpreter and package facts, then the seed scan, then the entry point that runs them. */
export const PROBE_SCRIPT = [`PROBE_KEY = "${PROBE_KEY}"`, PROBE_HEAD, SEED_SCAN_SCRIPT, PROBE_MAIN].join('\n');
