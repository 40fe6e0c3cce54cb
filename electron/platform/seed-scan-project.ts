/**
 * The seed scan's project pass, as Python source: the walk, the per-hash cache, the call graph across the
 * project's own imports that decides which draws run after a seed, scikit-learn introspection, config and output.
 */
/** Python source (see the summary above); composed by seed-scan-script.ts. */
export const SEED_SCAN_PROJECT = String.raw`
SKIP_DIRS = set([".git", "node_modules", "__pycache__", ".venv", "venv", "env", ".tox", "site-packages", "dist-packages", "build", ".mypy_cache", "mlruns", ".eggs"])
MAX_FILES = 5000
GENS = ("random", "numpy", "torch", "tf")

def module_names(rel):
    parts = rel[:-3].split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return [".".join(parts[i:]) for i in range(len(parts))]

def introspect_sklearn():
    """Names of scikit-learn's public callables whose signature has random_state (the installed version)."""
    import importlib, inspect, pkgutil, warnings
    warnings.simplefilter("ignore")
    import sklearn
    names = set()
    for m in pkgutil.iter_modules(sklearn.__path__):
        if m.name.startswith("_") or m.name in ("tests", "externals", "setup", "conftest"):
            continue
        try:
            mod = importlib.import_module("sklearn." + m.name)
        except Exception:
            continue
        for n in getattr(mod, "__all__", None) or dir(mod):
            obj = getattr(mod, n, None)
            if n.startswith("_") or not callable(obj):
                continue
            try:
                if "random_state" in inspect.signature(obj).parameters:
                    names.add(n)
            except (TypeError, ValueError):
                pass
    return sklearn.__version__, sorted(names)

class Project(object):
    """The cross-file pass: call graph, which generators are seeded where, and the final findings."""

    def __init__(self, summaries):
        self.s = summaries
        self.modules = {}
        for rel in sorted(summaries):
            if "scopes" in summaries[rel]:
                for m in module_names(rel):
                    self.modules.setdefault(m, rel)

    def target(self, rel, name, kind):
        if kind == "import":
            tgt = self.modules.get(name)
            return (tgt + "::<module>") if tgt and tgt != rel else None
        defs = self.s[rel]["defs"]
        if name in defs:
            return rel + "::" + defs[name]
        if name + ".__class__" in defs:
            init = defs.get(name + ".__init__")
            return (rel + "::" + init) if init else None
        parts = name.split(".")
        for i in range(len(parts) - 1, 0, -1):
            tgt = self.modules.get(".".join(parts[:i]))
            if tgt:
                d, rest = self.s[tgt]["defs"], ".".join(parts[i:])
                if rest in d:
                    return tgt + "::" + d[rest]
                init = d.get(rest + ".__init__") if rest + ".__class__" in d else None
                return (tgt + "::" + init) if init else None
        return None

    def build(self):
        self.events = {}
        self.callers = {}
        self.helpers = {}
        for rel in sorted(self.s):
            summ = self.s[rel]
            if "scopes" not in summ:
                continue
            for sid, evs in summ["scopes"].items():
                gid = rel + "::" + sid
                out = []
                for ev in sorted(evs, key=lambda e: (e[0], e[1])):
                    line, col, what, data = ev
                    if what == "seed":
                        helper = [d for d in data if d.startswith("?")]
                        if helper:
                            tgt = self.target(rel, helper[0][1:], "call")
                            self.helpers[(rel, line)] = tgt is not None
                            if tgt is not None:
                                continue
                        out.append((line, col, "seed", set(d for d in data if not d.startswith("?"))))
                    else:
                        tgt = self.target(rel, data, what)
                        if tgt is not None and tgt != gid:
                            out.append((line, col, "call", tgt))
                            self.callers.setdefault(tgt, []).append((gid, len(out) - 1))
                self.events[gid] = out
        # Generators each scope seeds, itself or through the project functions it calls (a worklist: each
        # scope is revisited only when a callee's set grew, so long import chains stay linear).
        self.seeds_of = {}
        callees = {}
        for g, evs in self.events.items():
            acc = set()
            for e in evs:
                if e[2] == "seed":
                    acc |= e[3]
                elif e[3] in self.events:
                    callees.setdefault(g, set()).add(e[3])
            self.seeds_of[g] = acc
        callers_of = {}
        for g, cs in callees.items():
            for c in cs:
                callers_of.setdefault(c, set()).add(g)
        todo = [g for g in self.events if self.seeds_of[g]]
        while todo:
            c = todo.pop()
            for g in callers_of.get(c, ()):
                if not self.seeds_of[c] <= self.seeds_of[g]:
                    self.seeds_of[g] |= self.seeds_of[c]
                    todo.append(g)
        # For scopes no call site reaches (framework hooks, forward()): the generators seeded by another scope
        # of their file or of a file importing it, transitively. Spread from each seeding scope along the
        # imports, keeping at most two distinct seeding scopes per file (enough to leave the scope itself out).
        imports = {}
        for g, evs in self.events.items():
            for e in evs:
                if e[2] == "call" and e[3].endswith("::<module>"):
                    imports.setdefault(g.split("::")[0], set()).add(e[3].split("::")[0])
        reach = dict((k, {}) for k in GENS)
        for gen in GENS:
            marks = reach[gen]
            todo = []
            for g in self.events:
                if gen in self.seeds_of[g]:
                    f = g.split("::")[0]
                    got = marks.setdefault(f, [])
                    if len(got) < 2 and g not in got:
                        got.append(g)
                        todo.append((f, g))
            while todo:
                f, g = todo.pop()
                for nxt in imports.get(f, ()):
                    got = marks.setdefault(nxt, [])
                    if len(got) < 2 and g not in got:
                        got.append(g)
                        todo.append((nxt, g))
        # Seeded at a scope's entry: what every call site has seeded before the call (a must-analysis, so one
        # unseeded path is enough to flag a draw); a script's module scope starts with nothing.
        self.entry = {}
        for g in self.events:
            if g in self.callers:
                self.entry[g] = set(GENS)
            elif g.endswith("::<module>"):
                self.entry[g] = set()
            else:
                f = g.split("::")[0]
                self.entry[g] = set(k for k in GENS if any(s != g for s in reach[k].get(f, ())))
        self.prefix = {}
        for g, evs in self.events.items():
            acc, pre = set(), []
            for e in evs:
                pre.append(set(acc))
                acc |= e[3] if e[2] == "seed" else self.seeds_of.get(e[3], set())
            self.prefix[g] = pre
        todo = list(self.callers)
        queued = set(todo)
        while todo:
            g = todo.pop()
            queued.discard(g)
            if g not in self.entry:
                continue
            new = set(GENS)
            for (c, i) in self.callers[g]:
                new &= self.entry[c] | self.prefix[c][i]
            if new != self.entry[g]:
                self.entry[g] = new
                for nxt in callees.get(g, ()):
                    if nxt in self.callers and nxt not in queued:
                        queued.add(nxt)
                        todo.append(nxt)

    def seeded_at(self, gid, line, col, gen):
        if gid not in self.events:
            return False
        if gen in self.entry[gid]:
            return True
        for e in self.events[gid]:
            if (e[0], e[1]) >= (line, col):
                break
            if gen in (e[3] if e[2] == "seed" else self.seeds_of.get(e[3], set())):
                return True
        return False

    def findings(self, sklearn_known, ignore):
        out, suppressed = [], 0
        torch_files = [rel for rel in sorted(self.s) if self.s[rel].get("torch")]
        det = any(self.s[rel].get("torchDet") for rel in self.s)
        for rel in sorted(self.s):
            summ = self.s[rel]
            if "error" in summ:
                e = summ["error"]
                out.append({"file": rel, "line": e["line"], "column": e["column"], "rule": "unparsable", "kind": "note", "message": "could not be parsed: " + e["message"], "code": e.get("code", ""), "fix": RULES["unparsable"][1]})
                continue
            sup = summ.get("suppress", {})
            items = list(summ["findings"])
            if rel == (torch_files[0] if torch_files else None) and not det:
                line = summ.get("torchLine", 1)
                items.append({"line": line, "column": 1, "rule": "torch-nondeterministic", "kind": "note", "code": "",
                              "message": "torch is used without torch.use_deterministic_algorithms(True); on a GPU some kernels (atomics in scatter, index_add, cuBLAS workspaces) are nondeterministic",
                              "fix": RULES["torch-nondeterministic"][1]})
            for f in items:
                f = dict(f)
                if "sklearn" in f and f.pop("sklearn") not in sklearn_known:
                    continue
                if "helper" in f and self.helpers.get((rel, f["line"])) and f.pop("helper"):
                    continue
                f.pop("helper", None)
                gate = f.pop("gate", None)
                seeded = f.pop("seeded", None)
                if gate and self.seeded_at(rel + "::" + gate["scope"], gate["pos"][0], gate["pos"][1], gate["gen"]):
                    if not seeded:
                        continue
                    f.update(seeded)
                    f["fix"] = RULES[f["rule"]][1]
                end = f.pop("end", None)
                rules = (sup.get(str(f["line"])) or sup.get(f["line"]) or []) + ((sup.get(str(end)) or sup.get(end) or []) if end else [])
                if f["rule"] in ignore or "*" in rules or f["rule"] in rules:
                    suppressed += 1
                    continue
                if not f.get("code"):
                    f["code"] = ""
                f["file"] = rel
                out.append(f)
        out.sort(key=lambda f: (f["file"], f["line"], f["column"], f["rule"]))
        return out, suppressed

def scan_project(root, options=None):
    """Scans a project folder; options: ignore (rule ids), exclude (globs), cache (file), key (scanner version)."""
    import fnmatch
    options = options or {}
    ignore = set(options.get("ignore") or [])
    exclude = list(options.get("exclude") or [])
    cache_path = options.get("cache")
    key = "%s/%s/py%d.%d" % (SCAN_FORMAT, options.get("key", ""), sys.version_info[0], sys.version_info[1])
    if cache_path:
        legacy, cache_path = cache_path, cache_shard(cache_path, root)
        try:
            os.remove(legacy)  # the one shared file of earlier versions: never read again
        except OSError:
            pass
    listed, files, truncated = [], 0, False
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith(".") and not os.path.exists(os.path.join(dirpath, d, "pyvenv.cfg")))
        for fn in sorted(filenames):
            if not fn.endswith(".py"):
                continue
            path = os.path.join(dirpath, fn)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            if any(fnmatch.fnmatch(rel, g) for g in exclude):
                continue
            if files >= MAX_FILES:
                truncated = True
                break
            try:
                with open(path, "rb") as fh:
                    source = fh.read()
            except OSError as e:
                listed.append((rel, None, str(e)))
                continue
            files += 1
            listed.append((rel, hashlib.sha256(rel.encode("utf-8") + b"\0" + source).hexdigest()[:40], source))
    try:
        import importlib.util
        spec = importlib.util.find_spec("sklearn")
    except Exception:
        spec = None
    origin = str(getattr(spec, "origin", "")) if spec is not None else None
    try:
        installed_sklearn = (origin, os.stat(origin).st_mtime_ns) if origin else None  # an upgrade rewrites it
    except OSError:
        installed_sklearn = (origin, None)
    # the same files (by content), settings and scikit-learn as the last scan: its result stands, read from a small
    # file of its own, without loading the per-file summaries or running the cross-file pass
    state = hashlib.sha256(json.dumps([[(r, d or "unreadable") for r, d, _ in listed], sorted(ignore), exclude, truncated, installed_sklearn]).encode("utf-8")).hexdigest()
    last_path = cache_path + ".last" if cache_path else None
    last = load_cache(last_path, key) if last_path else None
    if last and last.get("state") == state and isinstance(last.get("result"), dict):
        try:
            import time
            # still in use: the pruning of other projects' shards goes by when a shard was last used
            if time.time() - os.stat(last_path).st_mtime > 86400:
                os.utime(last_path)
        except OSError:
            pass
        result = dict(last["result"])
        result["reparsed"] = 0
        return result
    cache = load_cache(cache_path, key) if cache_path else {"key": key, "files": {}, "sklearn": {}}
    summaries, used, fresh = {}, [], 0
    for rel, digest, source in listed:
        if digest is None:
            summaries[rel] = {"error": {"line": 0, "column": 0, "message": source}}
            continue
        summ = cache["files"].get(digest)
        if summ is None:
            summ = analyze(source, rel)
            if "error" in summ:
                line = summ["error"]["line"]
                lines = source.decode("utf-8", "replace").splitlines()
                summ["error"]["code"] = lines[line - 1].rstrip()[:240] if 0 < line <= len(lines) else ""
            cache["files"][digest] = summ
            fresh += 1
        used.append(digest)
        summaries[rel] = summ
    del listed
    project = Project(summaries)
    project.build()
    known, source_of_list = set(SKLEARN_FALLBACK), "fallback"
    if origin is not None and any(s.get("sklearnNames") for s in summaries.values()):
        hit = cache["sklearn"].get(origin)
        if hit is None:
            try:
                version, names = introspect_sklearn()
                hit = cache["sklearn"][origin] = {"version": version, "names": names}
                fresh += 1
            except Exception:
                hit = None
        if hit:
            known |= set(hit["names"])
            source_of_list = "scikit-learn %s" % hit["version"]
    known -= SKLEARN_NEVER
    findings, suppressed = project.findings(known, ignore)
    result = {"filesScanned": files, "findings": findings, "suppressed": suppressed, "reparsed": fresh, "truncated": truncated, "sklearnList": source_of_list}
    if cache_path:
        first = not os.path.exists(last_path)
        if fresh:
            save_cache(cache_path, cache, used)
        write_json(last_path, {"key": key, "state": state, "result": result})
        if first:
            prune_shards(legacy, cache_path)
    return result

def scan(root, options=None):
    """The probe's entry: options come from --scan-options JSON on the command line when not given."""
    if options is None:
        argv = sys.argv[1:]
        options = {}
        if "--scan-options" in argv:
            try:
                options = json.loads(argv[argv.index("--scan-options") + 1])
            except Exception as e:
                out["errors"].append("scan: bad --scan-options: %s" % e)
    out["scan"] = scan_project(root, options)
`;
