/**
 * The seed scan's per-file pass, as Python source: imports, scopes, ordered seed/call events, one-step
 * constant and dict following, suppression comments; its result depends only on the file, so it is cached by hash.
 */
/** Python source (see the summary above); composed by seed-scan-script.ts. */
export const SEED_SCAN_FILE = String.raw`
_LEGACY = sys.version_info < (3, 8)
_IGNORE = re.compile(r"#\s*reproscope:\s*ignore(?:\[([^\]]*)\])?")
_NOVALUE = object()

def const_of(node):
    """The literal value of a constant node, or _NOVALUE (3.6/3.7 still produce Num/Str/NameConstant)."""
    if isinstance(node, ast.Constant):
        return node.value
    if _LEGACY:
        if isinstance(node, ast.Num):
            return node.n
        if isinstance(node, (ast.Str, ast.Bytes)):
            return node.s
        if isinstance(node, ast.NameConstant):
            return node.value
    return _NOVALUE

def canonical(name):
    for a, b in (("tensorflow.keras.", "keras."), ("tf_keras.", "keras."), ("lightning.pytorch.", "lightning."), ("np.", "numpy."), ("sklearn.", "sklearn.")):
        if name.startswith(a):
            return b + name[len(a):]
    return name

class FileScan(LibraryRules):
    """One file's facts, independent of the rest of the project (so they can be cached by content hash)."""

    def __init__(self, source, rel):
        self.rel = rel
        self.text = source.decode("utf-8", "replace")
        self.lines = self.text.splitlines()
        self.aliases = {}
        self.scopes = {"<module>": []}
        self.defs = {}
        self.findings = []
        self.assigns = {}
        self.keys = {}
        self.flags = {}
        self.suppress = {}
        self.sklearn_names = set()

    def run(self, tree):
        for i, line in enumerate(self.lines):
            if "reproscope" in line:
                m = _IGNORE.search(line)
                if m:
                    self.suppress[i + 1] = [r.strip() for r in m.group(1).split(",")] if m.group(1) else ["*"]
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    self.aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom):
                mod = self.module_of(node)
                for a in node.names:
                    if a.name != "*":
                        self.aliases[a.asname or a.name] = (mod + "." + a.name) if mod else a.name
        for root in set(canonical(v).split(".")[0] for v in self.aliases.values()):
            self.flags[root] = True
        self.visit_body(tree.body, ("<module>", None, None))
        return self

    def module_of(self, node):
        mod = node.module or ""
        if node.level:
            pkg = self.rel[:-3].split("/")[:-1]
            if node.level > 1:
                pkg = pkg[: len(pkg) - (node.level - 1)]
            mod = ".".join(pkg + ([mod] if mod else []))
        return mod

    # --- names and values -------------------------------------------------------------------------
    def dotted(self, expr, ctx=None):
        parts = []
        while isinstance(expr, ast.Attribute):
            parts.append(expr.attr)
            expr = expr.value
        if isinstance(expr, ast.Name):
            root = expr.id
            if root == "self" and ctx is not None and ctx[1] and parts:
                return "self:" + ctx[1] + "." + ".".join(reversed(parts))
            parts.append(self.aliases.get(root, root))
            return canonical(".".join(reversed(parts)))
        if isinstance(expr, ast.Call) and parts:
            inner = self.dotted(expr.func, ctx)
            if inner:
                return inner + "()." + ".".join(reversed(parts))
        return None

    def resolve(self, node, ctx, depth=1):
        """A Name followed one step to its assignment in this scope or the module's; else the node itself."""
        if depth and isinstance(node, ast.Name):
            for scope in (ctx[0], "<module>"):
                hits = self.assigns.get(scope, {}).get(node.id)
                if hits:
                    before = [v for (ln, v) in hits if ln <= node.lineno] or [v for (ln, v) in hits]
                    return self.resolve(before[-1], ctx, depth - 1)
        return node

    def entropy(self, node, ctx):
        """The clock, OS or unseeded-generator call an expression derives from (one step through names), or None."""
        base = self.resolve(node, ctx)
        for root in (base, node) if base is not node else (node,):
            for sub in ast.walk(root):
                if isinstance(sub, ast.Name) and sub is not node:
                    inner = self.resolve(sub, ctx)
                    subs = ast.walk(inner) if inner is not sub else ()
                else:
                    subs = (sub,)
                for s2 in subs:
                    if isinstance(s2, ast.Call):
                        name = self.dotted(s2.func, ctx) or ""
                        if name in ENTROPY_CALLS or name.endswith("datetime.now") or name.endswith(".time_ns"):
                            return name
                        if name.startswith("random.") and name.count(".") == 1 and name.split(".")[-1] in GLOBAL_RANDOM:
                            return name
        return None

    def is_none(self, node, ctx):
        return const_of(self.resolve(node, ctx)) is None

    def kw(self, call, name):
        for k in call.keywords:
            if k.arg == name:
                return k.value
        return None

    def dict_keys(self, node, ctx):
        """Keys and values of a dict literal or dict(...) call, one step through a name; None when unknown."""
        base = self.resolve(node, ctx)
        out = {}
        if isinstance(base, ast.Dict):
            for k, v in zip(base.keys, base.values):
                if k is None:
                    return None
                kv = const_of(k)
                if isinstance(kv, str):
                    out[kv] = v
        elif isinstance(base, ast.Call) and self.dotted(base.func, ctx) == "dict":
            if base.args:
                return None
            for k in base.keywords:
                if k.arg is None:
                    return None
                out[k.arg] = k.value
        else:
            return None
        if isinstance(node, ast.Name):
            for scope in (ctx[0], "<module>"):
                for key, v in self.keys.get(scope, {}).get(node.id, []):
                    out[key] = v
        return out

    # --- recording ----------------------------------------------------------------------------------
    def code(self, line):
        return self.lines[line - 1].rstrip()[:240] if 0 < line <= len(self.lines) else ""

    def column(self, node):
        line = self.lines[node.lineno - 1] if 0 < node.lineno <= len(self.lines) else ""
        try:
            return len(line.encode("utf-8")[: node.col_offset].decode("utf-8", "replace")) + 1
        except Exception:
            return node.col_offset + 1

    def add(self, node, rule, message, ctx=None, gate=None, kind=None, seeded=None):
        f = {"line": node.lineno, "column": self.column(node), "rule": rule, "kind": kind or RULES[rule][0], "message": message, "code": self.code(node.lineno)}
        fix = RULES[rule][1]
        if fix:
            f["fix"] = fix
        end = getattr(node, "end_lineno", None)
        if end and end != node.lineno:
            f["end"] = end
        if gate:
            f["gate"] = {"gen": gate, "scope": ctx[0], "pos": [node.lineno, node.col_offset]}
            if seeded:
                f["seeded"] = seeded
        self.findings.append(f)

    def event(self, ctx, node, what, data):
        self.scopes[ctx[0]].append([node.lineno, node.col_offset, what, data])

    # --- traversal ----------------------------------------------------------------------------------
    def visit_body(self, body, ctx):
        for stmt in body:
            self.visit(stmt, ctx)

    def visit(self, node, ctx):
        t = type(node)
        if t in (ast.FunctionDef, ast.AsyncFunctionDef):
            for d in node.decorator_list:
                self.visit(d, ctx)
            for d in list(node.args.defaults) + [d for d in node.args.kw_defaults if d is not None]:
                self.visit(d, ctx)
            qual = (ctx[1] + "." + node.name) if ctx[1] else node.name
            sid = qual if qual not in self.scopes else "%s@%d" % (qual, node.lineno)
            self.scopes[sid] = []
            self.defs.setdefault(qual, sid)
            if not (ctx[1] and ctx[2] is None):
                self.defs.setdefault(node.name, sid)
            self.visit_body(node.body, (sid, ctx[1] if ctx[1] and ctx[2] is None else None, node.name))
            return
        if t is ast.ClassDef:
            for d in node.decorator_list + node.bases:
                self.visit(d, ctx)
            self.defs.setdefault(node.name + ".__class__", node.name)
            self.visit_body(node.body, (ctx[0], node.name, None))
            return
        if t in (ast.Import, ast.ImportFrom):
            if t is ast.Import:
                for a in node.names:
                    self.event(ctx, node, "import", a.name)
            else:
                mod = self.module_of(node)
                for a in node.names:
                    self.event(ctx, node, "import", (mod + "." + a.name) if mod else a.name)
                if mod:
                    self.event(ctx, node, "import", mod)
            return
        if t is ast.Assign or t is ast.AnnAssign:
            targets = node.targets if t is ast.Assign else [node.target]
            value = node.value
            if value is not None:
                for tg in targets:
                    if isinstance(tg, ast.Name):
                        self.assigns.setdefault(ctx[0], {}).setdefault(tg.id, []).append((node.lineno, value))
                    elif isinstance(tg, ast.Subscript) and isinstance(tg.value, ast.Name):
                        sl = tg.slice
                        if not isinstance(sl, ast.AST) or type(sl).__name__ == "Index":
                            sl = getattr(sl, "value", sl)
                        key = const_of(sl)
                        if isinstance(key, str):
                            self.keys.setdefault(ctx[0], {}).setdefault(tg.value.id, []).append((key, value))
                    else:
                        name = self.dotted(tg, ctx) or ""
                        cv = const_of(value)
                        if name.endswith("cudnn.benchmark") and cv is True:
                            self.add(node, "cudnn-benchmark", "torch.backends.cudnn.benchmark = True picks convolution algorithms by timing, which can change results between runs")
                        if name.endswith("cudnn.deterministic") and cv is True:
                            self.flags["torch_det"] = True
        if t is ast.For or t is ast.AsyncFor:
            self.check_set_iter(node.iter, ctx)
        elif t in (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp):
            for g in node.generators:
                self.check_set_iter(g.iter, ctx)
        elif t is ast.Call:
            self.visit_call(node, ctx)
        for child in ast.iter_child_nodes(node):
            self.visit(child, ctx)

    def set_source(self, node, ctx):
        """The set expression that is iterated here (a literal, set(...) or a name bound to one), else None."""
        base = self.resolve(node, ctx)
        if isinstance(base, ast.Set):
            vals = [const_of(e) for e in base.elts]
            if vals and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
                return None
            return base
        if isinstance(base, ast.SetComp):
            return base
        if isinstance(base, ast.Call) and self.dotted(base.func, ctx) in ("set", "frozenset"):
            arg = base.args[0] if base.args else None
            if isinstance(arg, ast.Call) and self.dotted(arg.func, ctx) in ("range",):
                return None
            return base
        return None

    def check_set_iter(self, it, ctx):
        src = self.set_source(it, ctx)
        if src is not None:
            self.add(it, "set-iteration", "iterating over a set: the order of str elements changes between processes unless PYTHONHASHSEED is set")

def analyze(source, rel):
    """Parses one file and returns its cacheable summary; a file that does not parse gives an 'unparsable' note."""
    try:
        tree = ast.parse(source, filename=rel)
    except (SyntaxError, ValueError) as e:
        line = getattr(e, "lineno", 0) or 0
        return {"error": {"line": line, "column": getattr(e, "offset", 0) or 0, "message": "Python %s cannot parse it: %s" % (".".join(map(str, sys.version_info[:3])), getattr(e, "msg", None) or e)}}
    fs = FileScan(source, rel)
    try:
        fs.run(tree)
    except RecursionError:
        return {"error": {"line": 0, "column": 0, "message": "nested too deeply to scan"}}
    return {
        "scopes": fs.scopes,
        "defs": fs.defs,
        "findings": fs.findings,
        "suppress": fs.suppress,
        "torch": bool(fs.flags.get("torch")),
        "torchLine": first_import_line(tree, "torch"),
        "torchDet": bool(fs.flags.get("torch_det")),
        "sklearnNames": sorted(fs.sklearn_names),
        "imports": sorted(set(canonical(v).split(".")[0] for v in fs.aliases.values())),
    }

def first_import_line(tree, mod):
    for node in tree.body:
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == mod for a in node.names):
            return node.lineno
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == mod and not node.level:
            return node.lineno
    return 1
`;
