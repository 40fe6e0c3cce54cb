/** The seed scan's cache, as Python source: one shard per project, read and written whole, the folder kept bounded. */
/** Python source (see the summary above); composed by seed-scan-script.ts before the project pass, which uses it. */
export const SEED_SCAN_CACHE = String.raw`
def cache_shard(path, root):
    # one file per project (by its real path): a capture reads and writes its own project's entries only,
    # not every file ever scanned (one shared file had grown to 14 MB, 0.3 s to load on every capture)
    base, ext = os.path.splitext(path)
    digest = hashlib.sha256(os.path.realpath(root).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return "%s.%s%s" % (base, digest, ext or ".json")

SHARDS_KEPT = 200
SHARD_UNUSED_S = 30 * 86400

def prune_shards(legacy, current):
    # a shard per project folder, and every audit reruns in folders of its own: without a bound the cache folder
    # grows by a shard or two per audit (9,000 files after a few weeks of tests). Kept: the SHARDS_KEPT projects used
    # last, none unused for SHARD_UNUSED_S
    import re, time
    folder = os.path.dirname(legacy)
    base, ext = os.path.splitext(os.path.basename(legacy))
    pattern = re.compile(r"^%s\.[0-9a-f]{16}%s(\.last)?$" % (re.escape(base), re.escape(ext or ".json")))
    used = {}
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if not pattern.match(name):
            continue
        stem = name[:-5] if name.endswith(".last") else name
        try:
            used[stem] = max(used.get(stem, 0), os.stat(os.path.join(folder, name)).st_mtime)
        except OSError:
            pass
    now = time.time()
    mine = os.path.basename(current)
    ranked = sorted((t, stem) for stem, t in used.items() if stem != mine)
    ranked.reverse()
    for i, (t, stem) in enumerate(ranked):
        if i + 1 < SHARDS_KEPT and now - t < SHARD_UNUSED_S:
            continue
        for name in (stem, stem + ".last"):
            try:
                os.remove(os.path.join(folder, name))
            except OSError:
                pass

def load_cache(path, key):
    try:
        with open(path, "r") as fh:
            data = json.load(fh)
        if data.get("key") == key:
            data.setdefault("files", {})
            data.setdefault("sklearn", {})
            return data
    except Exception:
        pass
    return {"key": key, "files": {}, "sklearn": {}}

def write_json(path, data):
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = "%s.%d.tmp" % (path, os.getpid())
        with open(tmp, "w") as fh:
            json.dump(data, fh, separators=(",", ":"))
        os.replace(tmp, path)
    except Exception:
        pass

def save_cache(path, data, used):
    files = data["files"]
    keep = dict((k, files[k]) for k in used if k in files)
    # a few entries beyond this scan's, so switching back to another branch re-parses little
    for k in files:
        if len(keep) >= max(2 * len(used), 2000):
            break
        keep.setdefault(k, files[k])
    data["files"] = keep
    write_json(path, data)
`;
