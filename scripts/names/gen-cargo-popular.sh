#!/usr/bin/env bash
# Make data/names/cargo-popular.txt: the popular-crate set lockgate ships for cargo, and
# data/names/cargo-known.txt: the larger set of crates known to be in use (issue 12).
#
# How: the seed list (cargo-seed.txt, hand-picked well-known crates) is split into groups;
# for each group, cargo itself resolves a Cargo.lock for a throw-away manifest that depends on
# those crates ("*" = newest). Every package in the resolved lockfiles (seeds and their whole
# dependency trees) is a crate that real projects pull in, so the union is the popular set.
# The score written next to each name is how many resolved groups contain it (fan-in),
# plus 1000 for a seed. Needs only cargo and the crates.io index (no scraping: one resolve
# per group). Rerunnable; output sorted. The known set (cargo-known.txt) adds the seeds of
# cargo-seed-extra.txt and, for every seed, the crates behind its optional features (all
# features of the newest version, read from cargo's own index cache); it is not a
# similarity target list, only "this crate is in use". ~25 minutes with KNOWN=1.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../../data/names/cargo-popular.txt"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat "$here/cargo-seed.txt" "$here/cargo-seed-extra.txt" | grep -v '^#' | tr -s ' \t' '\n\n' | sed '/^$/d' |
  awk '!seen[$0]++' >"$work/seeds"

resolve() { # $1 = dir, rest = crates; prints crate names of the resolved lockfile
  local dir="$1"; shift
  mkdir -p "$dir/src"; : >"$dir/src/lib.rs"
  { printf '[package]\nname = "lockgate-popular-probe"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\n'
    for c in "$@"; do
      if [ -n "${FEATURES:-}" ]; then
        printf '%s = { version = "*", features = [%s] }\n' "$c" "$(features "$c")"
      else
        printf '%s = "*"\n' "$c"
      fi
    done; } >"$dir/Cargo.toml"
  (cd "$dir" && cargo generate-lockfile -q >/dev/null 2>&1) || return 1
  grep '^name = ' "$dir/Cargo.lock" | sed 's/^name = "\(.*\)"$/\1/' | grep -vx lockgate-popular-probe
}

# Every feature of a crate's newest version, as a TOML list body, read from cargo's own
# cache of the sparse index (filled by the default-features resolve of the same crate).
features() {
  python3 - "$1" <<'PY'
import glob, json, os, sys
name = sys.argv[1].lower()
n = len(name)
sub = {1: "1", 2: "2", 3: "3/" + name[:1]}.get(n, name[:2] + "/" + name[2:4])
best = None
for base in glob.glob(os.path.expanduser("~/.cargo/registry/index/*/.cache")):
    for path in (os.path.join(base, sub, name),):
        try:
            raw = open(path, "rb").read()
        except OSError:
            continue
        for part in raw.split(b"\0"):
            if part.startswith(b"{"):
                try:
                    rec = json.loads(part)
                except ValueError:
                    continue
                if not rec.get("yanked") and "-" not in rec.get("vers", "-"):
                    best = rec
if best:
    feats = set(best.get("features", {})) | set(best.get("features2") or {})
    used = " ".join(" ".join(v) for v in list(best.get("features", {}).values()) + list((best.get("features2") or {}).values()))
    for d in best.get("deps", []):
        if d.get("optional") and f"dep:{d['name']}" not in used:
            feats.add(d["name"])
    print(", ".join(json.dumps(f) for f in sorted(feats)))
PY
}

# resolve_groups SEEDFILE PREFIX [FEATURES]: resolve the seeds 15 at a time (a group that
# does not resolve together: one crate at a time); writes $work/PREFIX.N name lists.
resolve_groups() {
  local seeds="$1" prefix="$2" n=0
  rm -f "$work"/grp.*
  split -l 15 "$seeds" "$work/grp."
  for g in "$work"/grp.*; do
    mapfile -t crates <"$g"
    if resolve "$work/d.$prefix.$n" "${crates[@]}" >"$work/$prefix.$n"; then
      n=$((n + 1))
    else
      for c in "${crates[@]}"; do
        if resolve "$work/d.$prefix.$n" "$c" >"$work/$prefix.$n"; then n=$((n + 1)); else echo "skip ($prefix) $c" >&2; fi
      done
    fi
  done
}

# The popular set (similarity targets): cargo-seed.txt with default features.
grep -v '^#' "$here/cargo-seed.txt" | tr -s ' \t' '\n\n' | sed '/^$/d' | awk '!seen[$0]++' >"$work/main"
resolve_groups "$work/main" names
# The known set (names the strict rules treat as registered crates, never targets): the
# seeds of both lists with default features, then each with all its features (optional
# dependencies); written to cargo-known.txt with fan-in. KNOWN=0 skips it.
if [ "${KNOWN:-1}" = 1 ]; then
  resolve_groups "$work/seeds" extra
  FEATURES=1 resolve_groups "$work/seeds" known
  cat "$work"/names.* "$work"/extra.* "$work"/known.* | tr 'A-Z_' 'a-z-' | sort | uniq -c |
    awk '{print $2 "\t" $1}' | LC_ALL=C sort >"$here/../../data/names/cargo-known.txt"
  echo "wrote $(wc -l <"$here/../../data/names/cargo-known.txt") crates to data/names/cargo-known.txt" >&2
fi
# name <TAB> score, names normalized the cargo way (lowercase, _ as -)
cat "$work"/names.* | tr 'A-Z_' 'a-z-' | sort | uniq -c | awk '{print $2 "\t" $1}' >"$work/fanin"
tr 'A-Z_' 'a-z-' <"$work/main" | sort -u >"$work/seeds.norm"
awk -F'\t' 'NR==FNR{seed[$1]=1; next} {print $1 "\t" ($2 + (seed[$1] ? 1000 : 0))}' \
  "$work/seeds.norm" "$work/fanin" | LC_ALL=C sort >"$out"
echo "wrote $(wc -l <"$out") crates to $out" >&2
