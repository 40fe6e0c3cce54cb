/**
 * The seed scan's library rules, as Python source: one method per library (numpy, random, torch, TF/Keras,
 * JAX, scikit-learn, Optuna, xgboost/lightgbm/catboost, HuggingFace, Lightning), mixed into FileScan.
 */
/** Python source (see the summary above); composed by seed-scan-script.ts. */
export const SEED_SCAN_RULES = String.raw`
class LibraryRules(object):
    """The library rules, one method per library; mixed into FileScan, whose helpers they use."""

    def visit_call(self, node, ctx):
        raw = self.dotted(node.func, ctx)
        name = raw[5:] if raw and raw.startswith("self:") else (raw or "")
        last = name.split(".")[-1] if name else (node.func.attr if isinstance(node.func, ast.Attribute) else "")
        root = name.split(".")[0]
        if name and "()" not in name and root not in NOT_PROJECT and name not in BUILTIN_CALLS:
            self.event(ctx, node, "call", name)
        if name in ("list", "tuple", "enumerate") or name.endswith(".join") or name in ("numpy.array", "numpy.asarray"):
            if node.args:
                self.check_set_iter(node.args[0], ctx)
        seed = SEED_FUNCS.get(name)
        if seed is None and last in HELPER_SEED_NAMES and root not in NOT_PROJECT and name not in self.defs:
            seed = ("seed-helper", ("random", "numpy", "torch", "tf"))
        if seed is not None:
            return self.seed_call(node, ctx, name, seed)
        if name.startswith("numpy.random."):
            return self.numpy_call(node, ctx, name, last)
        if name == "random.Random":
            return self.generator_ctor(node, ctx, name, "random-instance", "unseeded-random-instance", 0, "x")
        if name == "random.SystemRandom":
            return self.add(node, "system-random", "random.SystemRandom() draws from the operating system and can never be seeded")
        if name.startswith("random.") and name.count(".") == 1 and last in GLOBAL_RANDOM:
            return self.add(node, "unseeded-global-random", "%s() draws from Python's global generator, which is not seeded before this point" % name, ctx, gate="random")
        if name in ("uuid.uuid4", "uuid.uuid1"):
            return self.add(node, "uuid4", "%s() differs on every run; harmless for names, a source of variation if it feeds results" % name)
        if name == "hash" and node.args:
            return self.hash_call(node, ctx)
        if last == "shuffle" and isinstance(node.func, ast.Attribute) and (self.flags.get("tensorflow") or self.flags.get("keras")) and root not in ("numpy", "random", "sklearn", "torch"):
            if self.kw(node, "seed") is None:
                self.add(node, "tf-shuffle-unseeded", "Dataset.shuffle() without seed= takes its order from TensorFlow's global seed, which is not set before this point", ctx, gate="tf")
            return
        if root == "torch" or (last in TORCH_INPLACE and isinstance(node.func, ast.Attribute) and self.flags.get("torch")):
            return self.torch_call(node, ctx, name, last)
        if root in ("keras", "tensorflow"):
            return self.tf_call(node, ctx, name, last)
        if name.startswith("jax.random.") and last in ("PRNGKey", "key"):
            arg = node.args[0] if node.args else self.kw(node, "seed")
            src = self.entropy(arg, ctx) if arg is not None else None
            if src:
                return self.add(node, "seed-from-entropy", "%s() is seeded from %s(), so every run differs" % (name, src))
            return self.add(node, "jax-prng-key", "%s(...) creates an explicit JAX key" % name)
        if root == "sklearn":
            return self.sklearn_call(node, ctx, name, last)
        if root == "optuna":
            return self.optuna_call(node, ctx, name, last)
        if root in GBDT_SEED_KEYS:
            return self.gbdt_call(node, ctx, name, last, root)
        if root == "transformers":
            return self.hf_call(node, ctx, name, last)
        if root in ("lightning", "pytorch_lightning") and last == "Trainer":
            det = self.kw(node, "deterministic")
            if det is not None and const_of(det) is True:
                self.flags["torch_det"] = True
                self.add(node, "lightning-deterministic", "Trainer(deterministic=True) makes torch use deterministic algorithms")
            return
        rs = self.kw(node, "random_state")
        if rs is not None:
            self.random_state_given(node, ctx, last or "a call", rs)

    def random_state_given(self, node, ctx, last, rs):
        if self.is_none(rs, ctx):
            return self.add(node, "random-state-none", "random_state=None in %s() uses numpy's global generator, which is not seeded before this point" % last, ctx, gate="numpy",
                            seeded={"kind": "note", "message": "random_state=None in %s() uses numpy's global generator: seeded here, so it repeats only within one process and call order" % last})
        src = self.entropy(rs, ctx)
        if src:
            return self.add(node, "seed-from-entropy", "random_state in %s() comes from %s(), so every run differs" % (last, src))
        self.add(node, "random-state", "random_state= is set in %s()" % last)

    def seed_call(self, node, ctx, name, seed):
        rule, gens = seed
        arg = node.args[0] if node.args else (self.kw(node, "seed") or self.kw(node, "a") or self.kw(node, "x"))
        if arg is None or self.is_none(arg, ctx):
            if rule == "seed-helper":
                self.event(ctx, node, "seed", list(gens) + ["?" + name])
                self.add(node, rule, "%s() sets seeds (a helper outside the scanned code)" % name)
                self.findings[-1]["helper"] = name
                return
            if rule == "lightning-seed-everything":
                return self.add(node, "lightning-seed-unset", "%s() without a seed picks a random one unless PL_GLOBAL_SEED is set" % name)
            if rule in ("random-seed", "numpy-seed"):
                return self.add(node, "seed-from-entropy", "%s() without a value reseeds from the operating system" % name)
            return self.add(node, "seed-from-entropy", "%s(None) does not fix the seed" % name)
        src = self.entropy(arg, ctx)
        if src:
            return self.add(node, "seed-from-entropy", "%s() is seeded from %s(), so every run differs" % (name, src))
        if gens:
            self.event(ctx, node, "seed", list(gens) + (["?" + name] if rule == "seed-helper" else []))
        self.add(node, rule, "%s(...) sets a seed" % name)
        if rule == "seed-helper":
            self.findings[-1]["helper"] = name

    def generator_ctor(self, node, ctx, name, ok_rule, bad_rule, pos, kwname):
        arg = node.args[pos] if len(node.args) > pos else self.kw(node, kwname)
        if arg is None or self.is_none(arg, ctx):
            return self.add(node, bad_rule, "%s() without a seed draws its seed from the operating system" % name)
        src = self.entropy(arg, ctx)
        if src:
            return self.add(node, "seed-from-entropy", "%s() is seeded from %s(), so every run differs" % (name, src))
        self.add(node, ok_rule, "%s(...) creates a seeded generator" % name)

    def numpy_call(self, node, ctx, name, last):
        if last == "default_rng":
            return self.generator_ctor(node, ctx, name, "numpy-default-rng", "unseeded-default-rng", 0, "seed")
        if last == "RandomState":
            return self.generator_ctor(node, ctx, name, "numpy-random-state", "unseeded-random-state", 0, "seed")
        if last in GLOBAL_NUMPY and name.count(".") == 2:
            self.add(node, "unseeded-global-numpy", "%s() draws from numpy's global generator, which is not seeded before this point" % name, ctx, gate="numpy")

    def hash_call(self, node, ctx):
        if ctx[2] == "__hash__":
            return
        v = const_of(self.resolve(node.args[0], ctx))
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return
        self.add(node, "builtin-hash", "hash() of str or bytes changes between processes unless PYTHONHASHSEED is set")

    def torch_call(self, node, ctx, name, last):
        if name.endswith("use_deterministic_algorithms"):
            arg = node.args[0] if node.args else self.kw(node, "mode")
            if arg is not None and const_of(arg) is True:
                self.flags["torch_det"] = True
                self.add(node, "torch-deterministic", "torch.use_deterministic_algorithms(True) makes torch refuse nondeterministic kernels")
            return
        if name.startswith("torch.") and last in TORCH_DRAWS and name.count(".") == 1:
            if self.kw(node, "generator") is None:
                self.add(node, "unseeded-global-torch", "%s() draws from torch's global generator, which is not seeded before this point" % name, ctx, gate="torch")
            return
        if not name.startswith("torch.") and last in TORCH_INPLACE:
            if self.kw(node, "generator") is None:
                self.add(node, "unseeded-global-torch", ".%s() fills a tensor from torch's global generator, which is not seeded before this point" % last, ctx, gate="torch")
            return
        if name.startswith("torch.nn.init.") and last in TORCH_INIT:
            if self.kw(node, "generator") is None:
                self.add(node, "unseeded-global-torch", "%s() initialises weights from torch's global generator, which is not seeded before this point" % name, ctx, gate="torch")
            return
        if name.startswith("torch.nn.") and last in TORCH_DROPOUT:
            self.add(node, "torch-dropout-unseeded", "%s draws its masks from torch's global generator, which is not seeded before this point" % name, ctx, gate="torch")
            return
        if name.startswith("torch.nn.") and last in TORCH_LAYERS and name.count(".") == 2:
            self.add(node, "torch-init-unseeded", "%s() initialises its weights from torch's global generator, which is not seeded before this point" % name, ctx, gate="torch")
            return
        if name.startswith("torch.utils.data") and last in TORCH_SAMPLERS:
            if self.kw(node, "generator") is None:
                self.add(node, "unseeded-global-torch", "%s() without generator= draws from torch's global generator, which is not seeded before this point" % last, ctx, gate="torch")
            return
        if name.startswith("torch.utils.data") and last == "DataLoader":
            if self.kw(node, "generator") is not None:
                return
            shuffle = self.kw(node, "shuffle")
            if shuffle is None and len(node.args) > 2:
                shuffle = node.args[2]
            sv = const_of(shuffle) if shuffle is not None else False
            if shuffle is not None and sv is not False and sv is not None and sv != 0:
                return self.add(node, "dataloader-shuffle-unseeded", "DataLoader(shuffle=True) without generator= shuffles from torch's global generator, which is not seeded before it", ctx, gate="torch")
            workers = self.kw(node, "num_workers")
            wv = const_of(self.resolve(workers, ctx)) if workers is not None else 0
            if workers is not None and wv != 0 and self.kw(node, "worker_init_fn") is None:
                self.add(node, "dataloader-workers-unseeded", "DataLoader(num_workers>0) seeds its workers from torch's global generator, which is not seeded before it", ctx, gate="torch")

    def tf_call(self, node, ctx, name, last):
        if name.startswith("tensorflow.random.") and last in TF_DRAWS and name.count(".") == 2:
            if self.kw(node, "seed") is None:
                self.add(node, "unseeded-global-tf", "%s() without seed= draws from TensorFlow's global seed, which is not set before this point" % name, ctx, gate="tf")
            return
        if name.startswith("tensorflow.random.Generator.from_non_deterministic_state"):
            return self.add(node, "seed-from-entropy", "tf.random.Generator.from_non_deterministic_state() is seeded from the operating system")
        if name.startswith("keras.layers.") and last in KERAS_LAYERS:
            inits = [k.value for k in node.keywords if k.arg and k.arg.endswith("_initializer")]
            if inits and all(isinstance(v, ast.Call) and self.kw(v, "seed") is not None for v in inits):
                return
            if self.kw(node, "seed") is None:
                self.add(node, "keras-init-unseeded", "keras.layers.%s draws its initial weights (or masks) from the global seed, which is not set before this point" % last, ctx, gate="tf")
            return
        if name.startswith("keras.initializers.") and last in KERAS_INITIALIZERS:
            if self.kw(node, "seed") is None:
                self.add(node, "unseeded-global-tf", "keras.initializers.%s() without seed= draws from the global seed, which is not set before this point" % last, ctx, gate="tf")

    def sklearn_call(self, node, ctx, name, last):
        rs = self.kw(node, "random_state")
        if rs is not None:
            return self.random_state_given(node, ctx, last, rs)
        if last in SKLEARN_NEVER or not (last in SKLEARN_FALLBACK or last[:1].isupper() or last.startswith("make_") or last.startswith("fetch_")):
            return
        cond = SKLEARN_COND.get(last)
        if cond:
            arg, values, mode = cond
            v = self.kw(node, arg)
            cv = const_of(self.resolve(v, ctx)) if v is not None else _NOVALUE
            if mode == "unless":
                random = v is None or cv is _NOVALUE or cv not in values
            elif v is None:
                random = False
            elif cv is _NOVALUE:
                random = values == "any"
            else:
                random = (cv not in (None, 0, False)) if values == "any" else cv in values
            if not random:
                return
        self.sklearn_names.add(last)
        self.add(node, "random-state-missing", "%s() without random_state draws from numpy's global generator, which is not seeded before this point" % last, ctx, gate="numpy",
                 seeded={"kind": "note", "message": "%s() without random_state uses numpy's global generator: seeded here, so it repeats only within one process and call order" % last})
        self.findings[-1]["sklearn"] = last

    def optuna_call(self, node, ctx, name, last):
        if last == "create_study" and self.kw(node, "sampler") is None:
            return self.add(node, "optuna-sampler-unseeded", "optuna.create_study() without sampler= uses an unseeded TPESampler")
        if last in OPTUNA_SAMPLERS and name.startswith("optuna.samplers.") or (last in OPTUNA_SAMPLERS and name.startswith("optuna.")):
            s = self.kw(node, "seed")
            if s is None or self.is_none(s, ctx):
                return self.add(node, "optuna-sampler-unseeded", "%s() without seed= samples differently on every run" % last)
            src = self.entropy(s, ctx)
            if src:
                return self.add(node, "seed-from-entropy", "%s() is seeded from %s(), so every run differs" % (last, src))
            self.add(node, "optuna-seed", "%s(seed=...) is seeded" % last)

    def gbdt_call(self, node, ctx, name, last, lib):
        keys = GBDT_SEED_KEYS[lib]
        if name in GBDT_TRAIN:
            p = node.args[0] if node.args else self.kw(node, "params")
            if p is None:
                found = {}
            else:
                found = self.dict_keys(p, ctx)
                if found is None:
                    return
        elif last in GBDT_MODELS[lib]:
            found = dict((k.arg, k.value) for k in node.keywords if k.arg)
            if any(k.arg is None for k in node.keywords):
                extra = [k.value for k in node.keywords if k.arg is None]
                for e in extra:
                    d = self.dict_keys(e, ctx)
                    if d is None:
                        return
                    found.update(d)
            if lib == "catboost" and node.args and last == "CatBoost":
                d = self.dict_keys(node.args[0], ctx)
                if d is None:
                    return
                found.update(d)
        else:
            return
        hits = [k for k in keys if k in found]
        if name in GBDT_TRAIN:
            last = name
        if not hits:
            return self.add(node, "gbdt-default-seed", "%s() sets no seed: %s uses %s, so runs repeat, but the seed is not a recorded parameter" % (last, lib, GBDT_DEFAULT[lib]))
        v = found[hits[0]]
        if self.is_none(v, ctx) and lib != "lightgbm":
            return self.add(node, "gbdt-default-seed", "%s() sets %s=None: %s uses %s" % (last, hits[0], lib, GBDT_DEFAULT[lib]))
        src = self.entropy(v, ctx)
        if src:
            return self.add(node, "seed-from-entropy", "the %s seed of %s() comes from %s(), so every run differs" % (lib, last, src))
        self.add(node, "gbdt-seed", "%s() is given %s=" % (last, hits[0]))

    def hf_call(self, node, ctx, name, last):
        if last in ("TrainingArguments", "Seq2SeqTrainingArguments", "TFTrainingArguments"):
            s = self.kw(node, "seed")
            if s is None:
                return self.add(node, "hf-default-seed", "%s() without seed= uses seed 42; Trainer seeds from it, but it is not a recorded parameter" % last)
            src = self.entropy(s, ctx)
            if src:
                return self.add(node, "seed-from-entropy", "%s(seed=...) comes from %s(), so every run differs" % (last, src))
            return self.add(node, "hf-training-seed", "%s(seed=...) sets the seed Trainer uses" % last)
        if last == "from_pretrained" and "For" in name.split(".")[-2] and not name.split(".")[-2].startswith("TF") and not name.split(".")[-2].startswith("Flax"):
            self.add(node, "hf-head-init-unseeded", "%s() may initialise a new head from torch's global generator, which is not seeded before this point" % name.split(".")[-2], ctx, gate="torch")
`;
