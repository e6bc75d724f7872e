#!/usr/bin/env python3
"""An independent reading of the real-world lockfile corpus.

For every lockfile under tests/fixtures/realworld/<owner>__<repo>/ this script
writes tests/fixtures/realworld/expected/<same path>.json: the set of packages
(name, version, hashes, source kind) the installer would fetch, as lockgate
should report them. tests/realworld.rs compares lockgate's own reading with it.

It is written from the formats' specifications and the package managers'
documented behaviour (Cargo's lockfile, npm's package-lock docs, Yarn's
lockfile parser and berry's YAML lockfile, pnpm's lockfile types, bun's
bun.lock, pip's requirements file format, poetry / Pipfile / uv / pdm /
PEP 751 lock formats), NOT from lockgate's source, so that a shared
misreading cannot hide. Python 3.11 standard library plus PyYAML (only for
pnpm-lock.yaml and Yarn berry's yarn.lock, loaded with BaseLoader so that no
scalar is reinterpreted: `version: 1.10` stays "1.10").

Conventions shared with lockgate's JSON output (docs/json.md):
  * one record per (name, version, source kind); hashes of duplicates merge;
  * hashes are "<algorithm>:<lowercase hex>" (SRI base64 decoded), sorted;
    Yarn berry's checksum is "yarn-berry:<cacheKey>/<hex>" (a bare checksum
    of a Yarn 2/3 lockfile gets the __metadata.cacheKey prefix);
  * source kinds: registry, git, path, url;
  * the project itself and workspace members are roots, not packages.

Usage: python3 scripts/realworld/independent_reader.py [--check]
  --check  compare with the committed expected files instead of writing them.
"""

from __future__ import annotations

import base64
import configparser
import fnmatch
import json
import os
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "realworld"
EXPECTED = ROOT / "expected"

# ---------------------------------------------------------------------------
# helpers


def sri_to_hashes(sri: str) -> list[str]:
    """Subresource Integrity ("sha512-<base64> sha1-<base64>") to alg:hex."""
    out = []
    for token in sri.split():
        if "-" not in token:
            continue
        alg, b64 = token.split("-", 1)
        b64 = b64.split("?", 1)[0]
        out.append(f"{alg.lower()}:{base64.b64decode(b64).hex()}")
    return out


def pep503(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


class Collector:
    """Packages keyed by (name, version, source); hashes merge."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str, str], set[str]] = {}

    def add(self, name: str, version: str, source: str, hashes=()) -> None:
        assert source in ("registry", "git", "path", "url"), source
        key = (name, str(version), source)
        self.items.setdefault(key, set()).update(hashes)

    def result(self) -> list[dict]:
        return [
            {"name": n, "version": v, "source": s, "hashes": sorted(h)}
            for (n, v, s), h in sorted(self.items.items())
        ]


def yaml_docs(text: str):
    import yaml  # PyYAML; only needed when (re)generating

    return [d for d in yaml.load_all(text, Loader=yaml.BaseLoader) if d is not None]


# ---------------------------------------------------------------------------
# cargo: Cargo.lock v1..v4 (https://doc.rust-lang.org/cargo/ , cargo's
# src/cargo/core/resolver/encode.rs documents the encoding)


def read_cargo(path: Path, text: str) -> list[dict]:
    doc = tomllib.loads(text)
    pkgs = list(doc.get("package", []))
    if "root" in doc:  # very old v1: the root package is its own table
        pkgs.append(dict(doc["root"], _root=True))
    meta = doc.get("metadata", {})
    # which (name, version) does any package depend on?
    referenced: set[tuple[str, str | None]] = set()
    for p in pkgs:
        for d in p.get("dependencies", []):
            parts = d.split(" ")
            referenced.add((parts[0], parts[1] if len(parts) > 1 else None))
    c = Collector()
    for p in pkgs:
        name, version, source = p["name"], p["version"], p.get("source")
        hashes = []
        if "checksum" in p:
            hashes.append("sha256:" + p["checksum"].lower())
        elif source is not None:
            key = f"checksum {name} {version} ({source})"
            value = meta.get(key)
            if value and value != "<none>":
                hashes.append("sha256:" + value.lower())
        if source is None:
            # No source: a workspace member or a path dependency. Without the
            # manifest only the dependency graph tells them apart: what nothing
            # depends on is a root; what something depends on is local code,
            # reported as a path package.
            if p.get("_root") or not (
                (name, version) in referenced or (name, None) in referenced
            ):
                continue
            c.add(name, version, "path", hashes)
        elif source.startswith(("registry+", "sparse+")):
            c.add(name, version, "registry", hashes)
        elif source.startswith("git+"):
            c.add(name, version, "git", hashes)
        else:
            raise ValueError(f"{path}: unknown cargo source {source}")
    return c.result()


# ---------------------------------------------------------------------------
# npm: package-lock.json / npm-shrinkwrap.json
# (https://docs.npmjs.com/cli/configuring-npm/package-lock-json)

GIT_PREFIXES = ("git+", "git:", "git@", "github:", "gitlab:", "bitbucket:", "gist:")


def npm_source_of(spec: str | None) -> str:
    if not spec:
        return "registry"
    if spec.startswith(GIT_PREFIXES):
        return "git"
    if spec.startswith(("file:", "link:")):
        return "path"
    if spec.startswith(("http://", "https://")):
        # a registry tarball: <registry>/<name>/-/<name>-<version>.tgz
        if "/-/" in spec and spec.split("?")[0].endswith(".tgz"):
            return "registry"
        return "url"
    return "registry"


def read_package_lock(path: Path, text: str) -> list[dict]:
    doc = json.loads(text)
    c = Collector()
    if "packages" in doc:  # v2, v3
        pk = doc["packages"]
        root = pk.get("", {})
        ws = root.get("workspaces", [])
        if isinstance(ws, dict):
            ws = ws.get("packages", [])
        for key, e in pk.items():
            if key == "" or "node_modules/" not in key and not key.startswith("node_modules"):
                continue  # the root, workspace folders and file: targets
            name = e.get("name") or key.rsplit("node_modules/", 1)[1]
            if e.get("link"):
                target = e.get("resolved", "")
                if any(fnmatch.fnmatch(target, g) for g in ws):
                    continue  # a workspace member: a root
                tgt = pk.get(target, {})
                c.add(name, tgt.get("version", f"file:{target}"), "path")
                continue
            hashes = sri_to_hashes(e.get("integrity", "")) if e.get("integrity") else []
            resolved = e.get("resolved")
            c.add(name, e.get("version", ""), npm_source_of(resolved if isinstance(resolved, str) else None), hashes)
        return c.result()

    # v1: nested dependencies tree
    def walk(deps: dict) -> None:
        for name, e in deps.items():
            version = e.get("version", "")
            hashes = sri_to_hashes(e["integrity"]) if e.get("integrity") else []
            resolved = e.get("resolved")
            if not isinstance(resolved, str):
                resolved = None
            if version.startswith(GIT_PREFIXES) or version.startswith(("file:", "http:", "https:")):
                src = npm_source_of(version)
                # git: the version names the commit; keep it as written
            else:
                src = npm_source_of(resolved)
            c.add(name, version, src, hashes)
            walk(e.get("dependencies", {}))

    walk(doc.get("dependencies", {}))
    return c.result()


# ---------------------------------------------------------------------------
# Yarn classic (yarn.lock v1) -- Yarn 1's own syntax (src/lockfile/parse.js)


def split_descriptor(desc: str) -> tuple[str, str]:
    at = desc.find("@", 1)
    return (desc[:at], desc[at + 1 :]) if at > 0 else (desc, "")


def yarn_classic_entries(text: str):
    entries, cur, block = [], None, None
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        line = raw.strip()
        if indent == 0:
            keys = [k.strip().strip('"') for k in re.findall(r'"[^"]*"|[^,]+', line.rstrip(":"))]
            cur = {"keys": [k for k in keys if k]}
            entries.append(cur)
            block = None
        elif indent == 2:
            if line.endswith(":"):
                block = line[:-1]
                continue
            block = None
            k, _, v = line.partition(" ")
            cur[k.strip('"')] = v.strip().strip('"')
    return entries


def yarn_classic_source(range_: str, resolved: str) -> str:
    if range_.startswith(("file:", "link:")):
        return "path"
    if range_.startswith(GIT_PREFIXES) or range_.endswith(".git") or re.match(r"^[\w.-]+/[\w.-]+(#.*)?$", range_):
        return "git"
    if range_.startswith(("http://", "https://")):
        if ".git" in range_ or "codeload.github.com" in range_:
            return "git"
        return "url"
    if resolved.startswith(GIT_PREFIXES) or "codeload.github.com" in resolved:
        return "git"
    return "registry"


def read_yarn_classic(path: Path, text: str) -> list[dict]:
    c = Collector()
    for e in yarn_classic_entries(text):
        name, range_ = split_descriptor(e["keys"][0])
        if range_.startswith("npm:"):  # alias: x@npm:real@^1
            name, range_ = split_descriptor(range_[4:])
        resolved = e.get("resolved", "")
        hashes = []
        m = re.search(r"#([0-9a-f]{40})$", resolved)
        if m:
            hashes.append("sha1:" + m.group(1))
        if e.get("integrity"):
            hashes += sri_to_hashes(e["integrity"])
        c.add(name, e["version"], yarn_classic_source(range_, resolved), hashes)
    return c.result()


# ---------------------------------------------------------------------------
# Yarn berry (yarn.lock with __metadata) -- YAML; Yarn's Project.generateLockfile


def read_yarn_berry(path: Path, text: str) -> list[dict]:
    (doc,) = yaml_docs(text)
    meta = doc.pop("__metadata")
    cache_key = meta.get("cacheKey")
    c = Collector()
    for key, e in doc.items():
        resolution = e["resolution"]
        name, ref = split_descriptor(resolution)
        proto = ref.split(":", 1)[0]
        hashes = []
        if e.get("checksum"):
            ck = e["checksum"]
            hashes.append("yarn-berry:" + (ck if "/" in ck else f"{cache_key}/{ck}"))
        if proto == "workspace":
            continue
        if proto == "patch":
            # patch:<base descriptor, url-encoded>#<patch>
            inner = ref[len("patch:") :]
            base, _, patch = inner.partition("#")
            from urllib.parse import unquote

            base = unquote(base)
            bname, bref = split_descriptor(base)
            if "builtin<compat/" in patch:
                c.add(bname, e["version"], "registry", hashes)
            else:
                c.add(bname, e["version"], "path", hashes)
            continue
        if proto == "npm":
            c.add(name, e["version"], "registry", hashes)
        elif proto in ("file", "portal", "link"):
            c.add(name, e["version"], "path", hashes)
        elif proto in ("http", "https"):
            src = "git" if ("#commit=" in ref or ".git" in ref) else "url"
            c.add(name, e["version"], src, hashes)
        elif proto in ("git", "git+ssh", "git+https", "github"):
            c.add(name, e["version"], "git", hashes)
        else:
            raise ValueError(f"{path}: unknown yarn protocol {proto} in {resolution}")
    return c.result()


# ---------------------------------------------------------------------------
# pnpm-lock.yaml 5.x, 6.0, 7.0, 9.0 (pnpm's @pnpm/lockfile.types)


def pnpm_key(key: str, v5: bool) -> tuple[str, str]:
    k = key[1:] if key.startswith("/") else key
    if v5:
        # /name/1.2.3 or /@scope/name/1.2.3_peer@1.0.0
        name, _, version = k.rpartition("/")
        version = version.split("_", 1)[0]
        return name, version
    k = k.split("(", 1)[0]
    at = k.find("@", 1)
    return k[:at], k[at + 1 :]


def read_pnpm(path: Path, text: str) -> list[dict]:
    docs = [d for d in yaml_docs(text) if isinstance(d, dict)]
    c = Collector()
    for doc in docs:
        version = str(doc.get("lockfileVersion", ""))
        v5 = version.startswith("5")
        for key, e in (doc.get("packages") or {}).items():
            name, key_ver = pnpm_key(key, v5)
            name = e.get("name", name)
            ver = e.get("version", key_ver)
            res = e.get("resolution", {})
            hashes = sri_to_hashes(res["integrity"]) if res.get("integrity") else []
            if res.get("type") == "directory":
                c.add(name, ver, "path", hashes)
            elif res.get("type") == "git" or "commit" in res:
                c.add(name, ver, "git", hashes)
            elif "tarball" in res:
                # The key names what was resolved: `name@1.2.3` is a registry
                # package (a tarball there is another registry's URL for it);
                # `name@https://...` (a tarball or github: dependency, fetched
                # over HTTP) is a URL, whatever `version` its package.json has.
                plain = re.fullmatch(r"\d+\.\d+\.\d+([-+][\w.+-]*)?", key_ver or "") is not None
                src = "registry" if plain and not res["tarball"].startswith("file:") else (
                    "path" if res["tarball"].startswith("file:") else "url")
                c.add(name, ver, src, hashes)
            else:
                c.add(name, ver, "registry", hashes)
    return c.result()


# ---------------------------------------------------------------------------
# bun.lock (text lockfile; JSON with trailing commas)


def strip_jsonc(text: str) -> str:
    out, i, n, in_str = [], 0, len(text), False
    while i < n:
        ch = text[i]
        if in_str:
            out.append(ch)
            if ch == "\\":
                out.append(text[i + 1])
                i += 2
                continue
            if ch == '"':
                in_str = False
            i += 1
            continue
        if ch == '"':
            in_str = True
            out.append(ch)
        elif text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
            continue
        elif text.startswith("/*", i):
            i = text.index("*/", i) + 2
            continue
        elif ch == ",":
            j = i + 1
            while j < n and text[j] in " \t\r\n":
                j += 1
            if j < n and text[j] in "}]":
                i += 1
                continue
            out.append(ch)
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def read_bun(path: Path, text: str) -> list[dict]:
    doc = json.loads(strip_jsonc(text))
    c = Collector()
    for key, arr in doc.get("packages", {}).items():
        name, res = split_descriptor(arr[0])
        if res.startswith("workspace:"):
            continue
        if res.startswith(("file:", "link:")):
            c.add(name, res, "path")
        elif res.startswith(GIT_PREFIXES):
            c.add(name, res, "git")
        elif res.startswith(("http://", "https://")):
            c.add(name, res, "url")
        else:
            integrity = arr[3] if len(arr) > 3 and isinstance(arr[3], str) else ""
            c.add(name, res, "registry", sri_to_hashes(integrity) if integrity else [])
    return c.result()


# ---------------------------------------------------------------------------
# requirements files (pip's "Requirements File Format")

REQ = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")


def logical_lines(text: str):
    buf, start = "", None
    for no, raw in enumerate(text.splitlines(), 1):
        line = raw
        if re.match(r"^\s*#", line):
            line = ""
        else:
            line = re.sub(r"(^|\s)#.*$", "", line)
        if start is None:
            start = no
        if line.rstrip().endswith("\\"):
            buf += line.rstrip()[:-1] + " "
            continue
        buf += line
        if buf.strip():
            yield start, buf.strip()
        buf, start = "", None
    if buf.strip():
        yield start, buf.strip()


def local_project_name(d: Path) -> str | None:
    """[project] name of d/pyproject.toml, else [metadata] name of d/setup.cfg."""
    try:
        name = tomllib.loads((d / "pyproject.toml").read_text()).get("project", {}).get("name")
        if name:
            return name
    except (OSError, tomllib.TOMLDecodeError):
        pass
    cfg = configparser.ConfigParser()
    try:
        cfg.read_string((d / "setup.cfg").read_text())
        return cfg.get("metadata", "name", fallback=None)
    except (OSError, configparser.Error):
        return None


def read_requirements(path: Path, text: str, seen=None) -> list[dict]:
    seen = seen if seen is not None else set()
    seen.add(path.resolve())
    c = Collector()
    for _, line in logical_lines(text):
        tokens = line.split()
        if tokens[0] in ("-r", "--requirement", "-c", "--constraint"):
            inc = (path.parent / tokens[1]).resolve()
            if inc not in seen and inc.exists():
                for p in read_requirements(inc, inc.read_text(), seen):
                    c.add(p["name"], p["version"], p["source"], p["hashes"])
            continue
        if tokens[0].startswith("-") and tokens[0] not in ("-e", "--editable"):
            continue  # --index-url, --find-links, ...
        editable = tokens[0] in ("-e", "--editable")
        if editable:
            tokens = tokens[1:]
        hashes = [t.split("=", 1)[1].lower() for t in tokens if t.startswith("--hash=")]
        spec = " ".join(t for t in tokens if not t.startswith("--"))
        spec = spec.split(";", 1)[0].strip()
        m = re.match(r"^(git\+|hg\+|svn\+|bzr\+)(\S+)$", spec)
        if m:
            egg = re.search(r"[#&]egg=([^&]+)", spec)
            name = egg.group(1) if egg else spec
            name, _, ver = name.partition("==")
            c.add(name, ver or spec, "git", hashes)
            continue
        if " @ " in spec or re.match(r"^[\w.-]+(\[[^\]]*\])?\s*@\s*\S", spec):
            name, _, url = spec.partition("@")
            name = name.split("[", 1)[0].strip()
            url = url.strip()
            src = "git" if url.startswith(("git+", "hg+", "svn+", "bzr+")) else (
                "path" if url.startswith("file:") else "url")
            # a direct reference names no version: the URL (or commit) is the pin
            c.add(name, "", src, hashes)
            continue
        if spec.startswith((".", "/", "file:")) or editable:
            # a local project (`-e .[extra]`: the project at `.`): pip builds it; the
            # file names no version (as for a direct reference), and the project is
            # named by the manifest in its directory, else by its path
            local = spec.split("[", 1)[0]
            c.add(local_project_name(path.parent / local) or local, "", "path", hashes)
            continue
        m = REQ.match(spec)
        if not m:
            raise ValueError(f"{path}: cannot read {line!r}")
        name, _, rest = m.groups()
        pin = re.fullmatch(r"===?\s*([^\s,*]+)", rest.strip())
        if pin:
            c.add(name, pin.group(1), "registry", hashes)
        # anything else is not pinned: not a locked package
    return c.result()


# ---------------------------------------------------------------------------
# poetry.lock 1.x / 2.x


def read_poetry(path: Path, text: str) -> list[dict]:
    doc = tomllib.loads(text)
    meta_files = doc.get("metadata", {}).get("files", {})
    c = Collector()
    for p in doc.get("package", []):
        files = p.get("files")
        if files is None:
            files = meta_files.get(p["name"], [])
        hashes = [f["hash"].lower() for f in files if f.get("hash")]
        kind = (p.get("source") or {}).get("type")
        src = {None: "registry", "legacy": "registry", "git": "git", "directory": "path",
               "file": "path", "url": "url"}[kind]
        c.add(p["name"], p["version"], src, hashes)
    return c.result()


# ---------------------------------------------------------------------------
# Pipfile.lock (pipenv)


def read_pipfile_lock(path: Path, text: str) -> list[dict]:
    doc = json.loads(text)
    c = Collector()
    for section, entries in doc.items():
        if section == "_meta":
            continue
        for name, e in entries.items():
            hashes = [h.lower() for h in e.get("hashes", [])]
            version = e.get("version", "")
            version = version[2:] if version.startswith("==") else version
            if "git" in e:
                c.add(name, version or e.get("ref", ""), "git", hashes)
            elif "path" in e:
                c.add(name, version or e["path"], "path", hashes)
            elif "file" in e:
                c.add(name, version or e["file"], "url", hashes)
            else:
                c.add(name, version, "registry", hashes)
    return c.result()


# ---------------------------------------------------------------------------
# uv.lock


def read_uv(path: Path, text: str) -> list[dict]:
    doc = tomllib.loads(text)
    members = set(doc.get("manifest", {}).get("members", []))
    c = Collector()
    for p in doc.get("package", []):
        src = p.get("source", {})
        if p["name"] in members or src.get("virtual") == "." or src.get("editable") == ".":
            continue
        hashes = []
        if "sdist" in p and p["sdist"].get("hash"):
            hashes.append(p["sdist"]["hash"].lower())
        for w in p.get("wheels", []):
            if w.get("hash"):
                hashes.append(w["hash"].lower())
        if "registry" in src:
            kind = "registry"
        elif "git" in src:
            kind = "git"
        elif "url" in src:
            kind = "url"
        else:
            kind = "path"  # path, directory, editable, virtual
        c.add(p["name"], p.get("version", ""), kind, hashes)
    return c.result()


# ---------------------------------------------------------------------------
# pdm.lock


def read_pdm(path: Path, text: str) -> list[dict]:
    doc = tomllib.loads(text)
    # lock_version 4.0 kept the files in [metadata.files], keyed "name version"
    meta_files = doc.get("metadata", {}).get("files", {})
    c = Collector()
    for p in doc.get("package", []):
        files = p.get("files") or meta_files.get(f"{p['name']} {p.get('version', '')}", [])
        hashes = [f["hash"].lower() for f in files if f.get("hash")]
        if "git" in p or "hg" in p:
            kind = "git"
        elif "path" in p:
            kind = "path"
        elif "url" in p:
            kind = "url"
        else:
            kind = "registry"
        c.add(p["name"], p.get("version", ""), kind, hashes)
    return c.result()


# ---------------------------------------------------------------------------
# pylock.toml (PEP 751)


def read_pylock(path: Path, text: str) -> list[dict]:
    doc = tomllib.loads(text)
    c = Collector()
    for p in doc.get("packages", []):
        hashes = []
        for art in [p.get("sdist"), p.get("archive"), *p.get("wheels", [])]:
            if art:
                hashes += [f"{alg}:{h.lower()}" for alg, h in art.get("hashes", {}).items()]
        if "vcs" in p:
            kind = "git"
        elif "directory" in p:
            kind = "path"
        elif "archive" in p and p["archive"].get("path"):
            kind = "path"
        elif "archive" in p:
            kind = "url"
        else:
            kind = "registry"
        c.add(p["name"], p.get("version", ""), kind, hashes)
    return c.result()


# ---------------------------------------------------------------------------


def reader_for(path: Path, text: str):
    n = path.name
    if n == "Cargo.lock":
        return "cargo", read_cargo
    if n in ("package-lock.json", "npm-shrinkwrap.json"):
        return "npm", read_package_lock
    if n == "yarn.lock":
        return ("npm", read_yarn_berry) if "__metadata:" in text else ("npm", read_yarn_classic)
    if n == "pnpm-lock.yaml":
        return "npm", read_pnpm
    if n == "bun.lock":
        return "npm", read_bun
    if n == "poetry.lock":
        return "pypi", read_poetry
    if n == "Pipfile.lock":
        return "pypi", read_pipfile_lock
    if n == "uv.lock":
        return "pypi", read_uv
    if n == "pdm.lock":
        return "pypi", read_pdm
    if n == "pylock.toml" or re.fullmatch(r"pylock\.[^.]+\.toml", n):
        return "pypi", read_pylock
    if n.endswith(".txt"):
        return "pypi", read_requirements
    return None, None


def lockfiles():
    for dirpath, dirnames, filenames in os.walk(ROOT):
        rel = Path(dirpath).relative_to(ROOT)
        if rel.parts[:1] == ("expected",):
            continue
        for f in filenames:
            p = Path(dirpath) / f
            if p.parent == ROOT:
                continue  # README.md, SOURCES.tsv
            text = p.read_text()
            eco, fn = reader_for(p, text)
            if fn is not None:
                yield p, eco, fn, text


def main() -> int:
    check = "--check" in sys.argv
    bad = 0
    count = 0
    for p, eco, fn, text in sorted(lockfiles()):
        rel = p.relative_to(ROOT).as_posix()
        packages = fn(p, text)
        doc = {"lockfile": rel, "ecosystem": eco, "packages": packages}
        out = EXPECTED / (rel + ".json")
        body = json.dumps(doc, indent=1, sort_keys=True) + "\n"
        count += 1
        if check:
            if not out.exists() or out.read_text() != body:
                print(f"differs: {out}")
                bad += 1
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(body)
    print(f"{count} lockfiles {'checked' if check else 'written'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
