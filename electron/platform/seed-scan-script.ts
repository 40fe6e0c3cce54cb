/**
 * The static seed scan, as Python source composed into the probe (see probe-script.ts). It defines
 * `scan(root)`, which walks the project's Python files with Python's own `ast` and stores its
 * findings in the probe's `out["scan"]`. Kept in its own file so the scan and the probe's
 * package/build-facts part change independently.
 */
export const SEED_SCAN_SCRIPT = String.raw`
SEED_CALLS = {
    "random.seed": "random-seed",
    "numpy.random.seed": "numpy-seed",
    "numpy.random.default_rng": "numpy-default-rng",
    "numpy.random.RandomState": "numpy-random-state",
    "torch.manual_seed": "torch-manual-seed",
    "torch.cuda.manual_seed": "torch-cuda-manual-seed",
    "torch.cuda.manual_seed_all": "torch-cuda-manual-seed-all",
    "tensorflow.random.set_seed": "tf-set-seed",
    "tensorflow.keras.utils.set_random_seed": "keras-set-random-seed",
    "keras.utils.set_random_seed": "keras-set-random-seed",
    "tensorflow.set_random_seed": "tf-set-seed",
    "pytorch_lightning.seed_everything": "lightning-seed-everything",
    "lightning.seed_everything": "lightning-seed-everything",
    "transformers.set_seed": "transformers-set-seed",
}
GLOBAL_NUMPY = set("rand randn randint random random_sample ranf sample choice shuffle permutation normal uniform binomial poisson beta gamma exponential standard_normal multivariate_normal bytes integers".split())
GLOBAL_RANDOM = set("random randint randrange choice choices shuffle sample uniform gauss normalvariate getrandbits triangular betavariate expovariate".split())
SKIP_DIRS = set([".git", "node_modules", "__pycache__", ".venv", "venv", "env", ".tox", "site-packages", "dist-packages", "build", ".mypy_cache", "mlruns", ".eggs"])

def scan(root):
    import ast
    findings = []
    files = 0
    seeded = {"random": False, "numpy": False, "torch_det": False}
    uses = []  # (kind, file, line, name) of global generator draws, judged once all files are read
    torch_files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith(".") and not os.path.exists(os.path.join(dirpath, d, "pyvenv.cfg")))
        for fn in sorted(filenames):
            if not fn.endswith(".py"):
                continue
            if files >= 5000:
                break
            path = os.path.join(dirpath, fn)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            try:
                with open(path, "rb") as fh:
                    tree = ast.parse(fh.read(), filename=rel)
            except (SyntaxError, ValueError, OSError) as e:
                findings.append({"file": rel, "line": getattr(e, "lineno", 0) or 0, "rule": "unparsable", "kind": "risk", "message": "could not be parsed: %s" % (e,)})
                continue
            files += 1
            aliases = {}
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    for a in node.names:
                        aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    for a in node.names:
                        aliases[a.asname or a.name] = node.module + "." + a.name
            if any(v == "torch" or v.startswith("torch.") for v in aliases.values()):
                torch_files.append(rel)
            def dotted(expr):
                parts = []
                while isinstance(expr, ast.Attribute):
                    parts.append(expr.attr)
                    expr = expr.value
                if isinstance(expr, ast.Name):
                    parts.append(aliases.get(expr.id, expr.id))
                    full = ".".join(reversed(parts))
                    return full.replace("np.", "numpy.", 1) if full.startswith("np.") else full
                return None
            def add(node, rule, kind, message):
                findings.append({"file": rel, "line": getattr(node, "lineno", 0), "rule": rule, "kind": kind, "message": message})
            for node in ast.walk(tree):
                if isinstance(node, ast.Assign):
                    for t in node.targets:
                        name = dotted(t)
                        if name and name.endswith("cudnn.benchmark") and isinstance(node.value, ast.Constant) and node.value.value is True:
                            add(node, "cudnn-benchmark", "risk", "torch.backends.cudnn.benchmark = True picks convolution algorithms by timing, which can change results between runs")
                        if name and name.endswith("cudnn.deterministic") and isinstance(node.value, ast.Constant) and node.value.value is True:
                            seeded["torch_det"] = True
                    continue
                if not isinstance(node, ast.Call):
                    continue
                name = dotted(node.func) or ""
                has_args = bool(node.args) or any(k.arg in ("seed", "x", "a") for k in node.keywords)
                rule = SEED_CALLS.get(name)
                if rule is None and name.endswith("set_random_seed"):
                    rule = "keras-set-random-seed"
                if rule is None and name.endswith("seed_everything"):
                    rule = "lightning-seed-everything"
                if rule:
                    if rule == "numpy-default-rng" or rule == "numpy-random-state":
                        if has_args and not (node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value is None):
                            add(node, rule, "seed", "%s(...) creates a seeded generator" % name)
                        else:
                            add(node, "unseeded-" + rule.split("numpy-")[1], "risk", "%s() without a seed draws its seed from the operating system" % name)
                        continue
                    add(node, rule, "seed", "%s(...) sets a seed" % name)
                    if rule == "random-seed":
                        seeded["random"] = True
                    elif rule == "numpy-seed":
                        seeded["numpy"] = True
                    elif rule in ("keras-set-random-seed", "lightning-seed-everything", "transformers-set-seed"):
                        seeded["random"] = seeded["numpy"] = True
                    continue
                if name.endswith("use_deterministic_algorithms"):
                    if node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value is True:
                        seeded["torch_det"] = True
                        add(node, "torch-deterministic", "seed", "torch.use_deterministic_algorithms(True) makes torch refuse nondeterministic kernels")
                    continue
                for kw in node.keywords:
                    if kw.arg == "random_state":
                        if isinstance(kw.value, ast.Constant) and kw.value.value is None:
                            add(node, "random-state-none", "risk", "random_state=None in %s() uses the global numpy generator" % (name or "a call"))
                        else:
                            add(node, "random-state", "seed", "random_state= is set in %s()" % (name or "a call"))
                if name.startswith("numpy.random.") and name.split(".")[-1] in GLOBAL_NUMPY:
                    uses.append(("numpy", rel, node.lineno, name))
                elif name.startswith("random.") and name.count(".") == 1 and name.split(".")[-1] in GLOBAL_RANDOM:
                    uses.append(("random", rel, node.lineno, name))
                elif name.endswith("DataLoader"):
                    shuffle = [k for k in node.keywords if k.arg == "shuffle"]
                    gen = [k for k in node.keywords if k.arg == "generator"]
                    if shuffle and not (isinstance(shuffle[0].value, ast.Constant) and shuffle[0].value.value is False) and not gen:
                        add(node, "dataloader-shuffle-unseeded", "risk", "DataLoader(shuffle=True) without generator= shuffles from torch's global generator")
                elif name == "hash" and node.args:
                    add(node, "builtin-hash", "risk", "hash() of str or bytes changes between processes unless PYTHONHASHSEED is set")
    for kind, rel, line, name in uses:
        if not seeded[kind]:
            findings.append({"file": rel, "line": line, "rule": "unseeded-global-" + kind, "kind": "risk",
                             "message": "%s() draws from the global %s generator, which is never seeded in this project" % (name, kind)})
    if torch_files and not seeded["torch_det"]:
        findings.append({"file": torch_files[0], "line": 1, "rule": "torch-nondeterministic", "kind": "risk",
                         "message": "torch is used without torch.use_deterministic_algorithms(True); some GPU kernels are nondeterministic"})
    findings.sort(key=lambda f: (f["file"], f["line"], f["rule"]))
    out["scan"] = {"filesScanned": files, "findings": findings}
`;
