#!/usr/bin/env bash
# Measure lockgate's peak memory and time against input size (docs/reliability.md).
# Needs a release build (cargo build --release), python3 and GNU time (/usr/bin/time).
# Data goes to target/bench-data/ (regenerated only when missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=target/release/lockgate
data=target/bench-data
[ -x "$bin" ] || { echo "build first: cargo build --release" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs GNU time at /usr/bin/time" >&2; exit 1; }
mkdir -p "$data"

gen() { # name lockfiles packages-per-lockfile
    [ -d "$data/$1" ] || python3 scripts/bench/gen_monorepo.py "$data/$1" --lockfiles "$2" --packages "$3" --big-npm 1000 >/dev/null
}
gen mono 200 250
gen scale-1x 200 25
gen scale-10x 200 250
gen scale-100x 200 2500
gen files-10x 2000 250
for n in 10000 100000 1000000; do
    d="$data/req-$n"
    [ -f "$d/requirements.txt" ] || {
        mkdir -p "$d"
        python3 - "$d/requirements.txt" "$n" <<'PY'
import hashlib, sys
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        f.write(f"p{i}==1.0.{i % 7} --hash=sha256:{hashlib.sha256(str(i).encode()).hexdigest()}\n")
PY
    }
done

measure() { # label, args...
    local label=$1
    shift
    local best=
    local rss=
    for _ in 1 2 3; do
        /usr/bin/time -f "%e %M" -o /tmp/lockgate-rb.$$ "$bin" "$@" >/dev/null 2>&1 || true
        # (GNU time puts "Command exited with non-zero status N" first on failure.)
        read -r secs kib < <(tail -n 1 /tmp/lockgate-rb.$$)
        if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then best=$secs; fi
        rss=$kib
    done
    local pkgs
    pkgs=$("$bin" "$@" 2>/dev/null | tail -n 1 | grep -o '[0-9]* packages' || true)
    printf '| %s | %s | %s s | %s MiB |\n' "$label" "${pkgs:-refused}" "$best" "$((rss / 1024))"
}

echo "| input | packages | time (best of 3) | peak RSS |"
echo "|---|---|---|---|"
measure "200 lockfiles x 25 (1x)" packages "$data/scale-1x"
measure "200 lockfiles x 250 (10x)" packages "$data/scale-10x"
measure "200 lockfiles x 2500 (100x)" packages "$data/scale-100x"
measure "2000 lockfiles x 250" packages "$data/files-10x"
measure "200-lockfile tree (gen_monorepo.py defaults)" packages "$data/mono"
measure "requirements.txt, 10^4 hashed entries" packages "$data/req-10000"
measure "requirements.txt, 10^5 hashed entries" packages "$data/req-100000"
measure "requirements.txt, 10^6 hashed entries (94 MB)" packages "$data/req-1000000"
# The largest hostile case: a 1 GiB sparse lockfile, refused before reading.
mkdir -p "$data/sparse-1g"
python3 -c "open('$data/sparse-1g/Cargo.lock', 'wb').truncate(1 << 30)"
measure "1 GiB sparse Cargo.lock (refused)" packages "$data/sparse-1g"
rm -f /tmp/lockgate-rb.$$
