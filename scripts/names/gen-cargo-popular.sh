#!/usr/bin/env bash
# Make data/names/cargo-popular.txt: the popular-crate set lockgate ships for cargo.
#
# How: the seed list (cargo-seed.txt, hand-picked well-known crates) is split into groups;
# for each group, cargo itself resolves a Cargo.lock for a throw-away manifest that depends on
# those crates ("*" = newest). Every package in the resolved lockfiles (seeds and their whole
# dependency trees) is a crate that real projects pull in, so the union is the popular set.
# The score written next to each name is how many resolved groups contain it (fan-in),
# plus 1000 for a seed. Needs only cargo and the crates.io index (no scraping: one resolve
# per group). Rerunnable; output sorted.
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

n=0
split -l 15 "$work/seeds" "$work/group."
for g in "$work"/group.*; do
  mapfile -t crates <"$g"
  if resolve "$work/p$n" "${crates[@]}" >"$work/names.$n"; then
    n=$((n + 1))
  else
    for c in "${crates[@]}"; do # a group that does not resolve together: one crate at a time
      if resolve "$work/p$n" "$c" >"$work/names.$n"; then n=$((n + 1)); else echo "skip $c" >&2; fi
    done
  fi
done
# The known set: the same seeds again, each with all its features (optional dependencies),
# one group at a time; written to cargo-known.txt (names the strict rules treat as
# registered crates, never targets). KNOWN=0 skips it.
if [ "${KNOWN:-1}" = 1 ]; then
  k=0
  for g in "$work"/group.*; do
    mapfile -t crates <"$g"
    if FEATURES=1 resolve "$work/k$k" "${crates[@]}" >"$work/known.$k"; then
      k=$((k + 1))
    else
      for c in "${crates[@]}"; do
        if FEATURES=1 resolve "$work/k$k" "$c" >"$work/known.$k"; then k=$((k + 1)); else echo "skip (all features) $c" >&2; fi
      done
    fi
  done
  cat "$work"/names.* "$work"/known.* | tr 'A-Z_' 'a-z-' | sort | uniq -c | awk '{print $2 "\t" $1}' |
    LC_ALL=C sort >"$here/../../data/names/cargo-known.txt"
  echo "wrote $(wc -l <"$here/../../data/names/cargo-known.txt") crates to data/names/cargo-known.txt" >&2
fi
# name <TAB> score, names normalized the cargo way (lowercase, _ as -)
cat "$work"/names.* | tr 'A-Z_' 'a-z-' | sort | uniq -c | awk '{print $2 "\t" $1}' >"$work/fanin"
tr 'A-Z_' 'a-z-' <"$work/seeds" | sort -u >"$work/seeds.norm"
awk -F'\t' 'NR==FNR{seed[$1]=1; next} {print $1 "\t" ($2 + (seed[$1] ? 1000 : 0))}' \
  "$work/seeds.norm" "$work/fanin" | LC_ALL=C sort >"$out"
echo "wrote $(wc -l <"$out") crates to $out" >&2
