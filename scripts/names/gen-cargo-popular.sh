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
grep -v '^#' "$here/cargo-seed.txt" | tr -s ' \t' '\n\n' | sed '/^$/d' >"$work/seeds"

resolve() { # $1 = dir, rest = crates; prints crate names of the resolved lockfile
  local dir="$1"; shift
  mkdir -p "$dir/src"; : >"$dir/src/lib.rs"
  { printf '[package]\nname = "lockgate-popular-probe"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\n'
    for c in "$@"; do printf '%s = "*"\n' "$c"; done; } >"$dir/Cargo.toml"
  (cd "$dir" && cargo generate-lockfile -q >/dev/null 2>&1) || return 1
  grep '^name = ' "$dir/Cargo.lock" | sed 's/^name = "\(.*\)"$/\1/' | grep -vx lockgate-popular-probe
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
# name <TAB> score, names normalized the cargo way (lowercase, _ as -)
cat "$work"/names.* | tr 'A-Z_' 'a-z-' | sort | uniq -c | awk '{print $2 "\t" $1}' >"$work/fanin"
tr 'A-Z_' 'a-z-' <"$work/seeds" | sort -u >"$work/seeds.norm"
awk -F'\t' 'NR==FNR{seed[$1]=1; next} {print $1 "\t" ($2 + (seed[$1] ? 1000 : 0))}' \
  "$work/seeds.norm" "$work/fanin" | LC_ALL=C sort >"$out"
echo "wrote $(wc -l <"$out") crates to $out" >&2
