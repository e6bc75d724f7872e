#!/usr/bin/env bash
# Time the lockgate CLI on a large generated monorepo (docs/performance.md).
#
#   bash scripts/bench/time-cli.sh            # uses hyperfine when installed, else a loop
#
# Builds the release binary, generates target/bench-data/mono (200 lockfiles, 50,000
# package entries) and mono-big/package-lock.json (~5 MB), pins everything in an
# allowlist, then times `packages`, `check` and the single big file.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --locked -q
bin=target/release/lockgate
data=target/bench-data
if [ ! -d "$data/mono/svc-199" ]; then
  python3 scripts/bench/gen_monorepo.py "$data/mono" --big-npm 15000
fi
if [ ! -f "$data/cli-allowlist.toml" ]; then
  # Generated names may look like popular ones: approve them anyway (benchmark data).
  "$bin" allowlist init "$data/mono" --allowlist "$data/cli-allowlist.toml" --force --reason "benchmark data" 2>/dev/null
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem/{print $2}') GiB"
echo "allowlist: $(grep -c '^\[' "$data/cli-allowlist.toml") tables, $(wc -c < "$data/cli-allowlist.toml") bytes"
names="$data/names10k.txt"
if [ ! -f "$names" ] && [ -f /work/.library/env/packages/npm.tsv ]; then
  python3 - "$names" <<'PY'
import random, sys
names = [l.split("\t")[0] for l in open("/work/.library/env/packages/npm.tsv").read().splitlines()[1:]]
random.seed(1)
def typo(n):
    if len(n) < 4:
        return n + "x"
    i = random.randrange(1, len(n) - 1)
    return n[:i] + n[i + 1] + n[i] + n[i + 2:]
out = random.sample(names, 5000) + [typo(n) for n in random.sample(names, 5000)]
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PY
fi
cmds=(
  "$bin packages $data/mono --format json"
  "$bin check $data/mono --allowlist $data/cli-allowlist.toml"
  "$bin packages $data/mono-big --format json"
)
if command -v hyperfine >/dev/null; then
  [ -f "$names" ] && hyperfine --warmup 3 --runs 20 -i "$bin name npm - < $names"
  hyperfine --warmup 3 --runs 20 -N "${cmds[@]}" --export-markdown "$data/cli-times.md" --ignore-failure
  cat "$data/cli-times.md"
else
  for c in "${cmds[@]}"; do
    best=999999
    for _ in $(seq 10); do
      s=$(date +%s%N); $c >/dev/null || true; e=$(date +%s%N)
      t=$(( (e - s) / 1000000 )); [ "$t" -lt "$best" ] && best=$t
    done
    echo "best of 10: ${best} ms  $c"
  done
fi
