#!/usr/bin/env bash
# Warm `check --online` of 459 npm packages (docs/performance.md, "Online").
#
#   bash scripts/bench/online-warm.sh BIN [BIN...]
#
# Makes target/bench-data/online/package-lock.json with `npm install
# --package-lock-only` (webpack, eslint, jest, @babel/preset-env at fixed versions) and
# an allowlist with `unlisted = "allow"`, fills one cache per binary with a cold run
# (the registry is LOCKGATE_NPM_REGISTRY, else registry.npmjs.org), then times the
# warm runs side by side with hyperfine. No request is made by a warm run.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -ge 1 ] || { echo "usage: $0 BIN [BIN...]" >&2; exit 2; }
data=$PWD/target/bench-data/online
mkdir -p "$data"
if [ ! -f "$data/package-lock.json" ]; then
  cat > "$data/package.json" <<'JSON'
{"name": "perf", "version": "1.0.0", "dependencies": {"webpack": "5.97.1", "eslint": "9.17.0", "jest": "29.7.0", "@babel/preset-env": "7.26.0"}}
JSON
  (cd "$data" && npm install --package-lock-only --ignore-scripts --no-audit --no-fund >/dev/null)
fi
printf 'schema = 1\n[policy]\nunlisted = "allow"\n' > "$data/allowlist.toml"
cmds=()
for bin in "$@"; do
  bin=$(realpath "$bin")
  cache="$data/cache-$(echo "$bin" | sha256sum | cut -c1-8)"
  rm -rf "$cache"
  start=$(date +%s.%N)
  LOCKGATE_CACHE_DIR="$cache" "$bin" check --online --allowlist "$data/allowlist.toml" "$data" >/dev/null
  echo "$bin: cold run $(echo "$(date +%s.%N) - $start" | bc) s, cache $(du -sh "$cache" | cut -f1)"
  for d in "$cache"/*; do echo "  $(basename "$d"): $(find "$d" -type f | wc -l) files, $(find "$d" -type f -print0 | du -cb --files0-from=- | tail -1 | cut -f1) bytes"; done
  cmds+=("env LOCKGATE_CACHE_DIR=$cache $bin check --online --allowlist $data/allowlist.toml $data")
done
hyperfine -N --warmup 3 --runs 30 "${cmds[@]}"
