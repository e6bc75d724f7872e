#!/usr/bin/env bash
# Make data/names/npm-resolved.txt: npm names that real dependency trees reach but that the
# npm package list (packages/npm.tsv) lacks (`atob`, `bfj`, `hoopy`, platform binaries...).
#
# How: take the TOP (default 2000) most downloaded names of npm.tsv (the list has no
# dependents count; downloads are mostly driven by dependents, so this is the "most
# depended-upon" proxy), split them into groups of GROUP (default 40), and let npm itself
# resolve each group's whole dependency tree in a throw-away directory:
#     npm install --package-lock-only --ignore-scripts --legacy-peer-deps --force
# (no package is downloaded or run; only registry metadata is read). Every package path in
# the resulting package-lock.json names a package some popular package depends on
# (optional platform packages included: npm locks every platform's optionalDependencies).
# A group npm cannot resolve is retried one package at a time.
# Output: the names reached, minus those already in npm.tsv, sorted, one a line.
# Needs: node + npm and the npm registry. Rerunnable (~30-60 min with JOBS=3).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
pkgs="${LOCKGATE_PACKAGES:-/work/.library/env/packages}"
out="${OUT:-$here/../../data/names/npm-resolved.txt}"
top="${TOP:-2000}"
group="${GROUP:-40}"
jobs="${JOBS:-3}"
work="${WORK:-$(mktemp -d)}"
mkdir -p "$work"
export npm_config_cache="$work/cache"

# The TOP names by downloads a month (column 3), skipping names npm would not accept.
awk -F'\t' 'NR>1 && $3 ~ /^[0-9]+$/ {print $3 "\t" $1}' "$pkgs/npm.tsv" | sort -t$'\t' -k1,1nr |
  awk -F'\t' -v top="$top" 'NR <= top {print $2}'  | grep -E '^(@[a-z0-9._~-]+/)?[a-z0-9._~-]+$' >"$work/seeds"
split -l "$group" -d -a 4 "$work/seeds" "$work/group."

resolve() { # $1 = dir, rest = packages; writes $1/names
  local dir="$1"; shift
  mkdir -p "$dir"
  { printf '{"name":"lockgate-npm-probe","version":"0.0.0","private":true,"dependencies":{'
    local sep=""
    for p in "$@"; do printf '%s"%s":"*"' "$sep" "$p"; sep=","; done
    printf '}}\n'; } >"$dir/package.json"
  (cd "$dir" && timeout 600 npm install --package-lock-only --ignore-scripts --legacy-peer-deps --force \
    --no-audit --no-fund --loglevel=error >/dev/null 2>"$dir/err") || return 1
  node -e '
    const lock = require(process.argv[1]);
    const seen = new Set();
    for (const [k, v] of Object.entries(lock.packages || {})) {
      if (!k) continue;
      const i = k.lastIndexOf("node_modules/");
      if (i < 0 || v.link) continue;
      seen.add(v.name || k.slice(i + 13));
    }
    console.log([...seen].join("\n"));
  ' "$dir/package-lock.json" >"$dir/names"
}

one_group() {
  local g="$1" d="$1.d"
  [ -s "$d/names" ] && return 0
  mapfile -t ps <"$g"
  if ! resolve "$d" "${ps[@]}"; then
    local i=0
    for p in "${ps[@]}"; do
      if resolve "$d/$i" "$p"; then cat "$d/$i/names" >>"$d/names.part"; else echo "skip $p" >&2; fi
      i=$((i + 1))
    done
    mv "$d/names.part" "$d/names" 2>/dev/null || : >"$d/names"
  fi
  echo "done $g" >&2
}
export -f resolve one_group
ls "$work"/group.???? | xargs -P "$jobs" -I{} bash -c 'one_group {}'

cut -f1 "$pkgs/npm.tsv" | tail -n +2 | LC_ALL=C sort -u >"$work/listed"
cat "$work"/group.*.d/names | sed '/^$/d' | LC_ALL=C sort -u >"$work/reached"
LC_ALL=C comm -23 "$work/reached" "$work/listed" >"$out"
echo "reached $(wc -l <"$work/reached") names; $(wc -l <"$out") not in npm.tsv -> $out" >&2
