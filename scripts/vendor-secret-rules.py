#!/usr/bin/python3
# Regenerates shared/snapshot/secret-rules.json from gitleaks' default rule set (config/gitleaks.toml, MIT License,
# Copyright (c) 2019 Zachary Rice, https://github.com/gitleaks/gitleaks), rewriting Go RE2 syntax as JavaScript's:
# inline flags become regex flags, (?P<name> becomes a plain group, \z becomes $, POSIX classes are spelled out.
# Usage: /usr/bin/python3 scripts/vendor-secret-rules.py path/to/gitleaks.toml <commit> > shared/snapshot/secret-rules.json
import json
import re
import sys
import tomllib

POSIX = {
    "[:alnum:]": "A-Za-z0-9",
    "[:alpha:]": "A-Za-z",
    "[:digit:]": "0-9",
    "[:xdigit:]": "0-9A-Fa-f",
    "[:upper:]": "A-Z",
    "[:lower:]": "a-z",
    "[:space:]": "\\s",
    "[:punct:]": "!-/:-@\\[-`{-~",
}


def to_js(rx):
    flags = set()
    if rx.startswith("(?i)"):
        flags.add("i")
        rx = rx[4:]
    if "(?i)" in rx or "(?i:" in rx:
        # JavaScript (Node 20) has no inline flags: the whole pattern becomes case-insensitive (a wider net).
        flags.add("i")
        rx = rx.replace("(?i)", "").replace("(?i:", "(?:")
    if "(?s:" in rx:
        flags.add("s")
        rx = rx.replace("(?s:", "(?:")
    rx = rx.replace("(?-i:", "(?:")
    rx = re.sub(r"\(\?P<\w+>", "(", rx)
    rx = rx.replace("\\z", "$")
    for k, v in POSIX.items():
        rx = rx.replace(k, v)
    return rx, "".join(sorted(flags))


def allowlist(a):
    out = {"target": a.get("regexTarget", "secret")}
    if a.get("regexes"):
        out["regexes"] = [dict(zip(("source", "flags"), to_js(r))) for r in a["regexes"]]
    if a.get("stopwords"):
        out["stopwords"] = a["stopwords"]
    return out


def main():
    doc = tomllib.load(open(sys.argv[1], "rb"))
    rules = []
    for r in doc["rules"]:
        if "regex" not in r:
            continue  # path-only rules (e.g. pkcs12 files) have nothing to match in a string
        source, flags = to_js(r["regex"])
        rule = {"id": r["id"], "source": source, "flags": flags, "keywords": [k.lower() for k in r.get("keywords", [])]}
        if "secretGroup" in r:
            rule["secretGroup"] = r["secretGroup"]
        if "entropy" in r:
            rule["entropy"] = r["entropy"]
        if r.get("allowlists"):
            rule["allowlists"] = [allowlist(a) for a in r["allowlists"]]
        rules.append(rule)
    g = doc["allowlist"]
    out = {
        "provenance": f"gitleaks config/gitleaks.toml at {sys.argv[2]} (https://github.com/gitleaks/gitleaks), MIT License, Copyright (c) 2019 Zachary Rice; converted by scripts/vendor-secret-rules.py",
        "globalAllowlist": allowlist({"regexes": g.get("regexes", []), "stopwords": g.get("stopwords", [])}),
        "rules": rules,
    }
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


main()
