#!/usr/bin/env bash
# Run every fuzz target for SECONDS (default 600) each, JOBS (default 2) at a time,
# at the lowest CPU priority. Crashes go to fuzz/artifacts/<target>/; logs to
# fuzz/logs/<target>.log (both gitignored). Needs cargo-fuzz
# (`cargo install cargo-fuzz --locked`); works on a stable toolchain through
# RUSTC_BOOTSTRAP=1. Usage: fuzz/run-all.sh [SECONDS] [JOBS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
jobs=${2:-2}
shift $(( $# > 2 ? 2 : $# ))
export RUSTC_BOOTSTRAP=1
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list)
fi
[ -d fuzz/corpus ] || fuzz/seed.sh
# Build once, then run the binaries directly: `cargo fuzz run` would rebuild the
# crate whenever its sources change while the fuzzers run.
nice -n 19 cargo fuzz build -s none
bin_dir=fuzz/target/x86_64-unknown-linux-gnu/release
mkdir -p fuzz/logs
run_one() {
    local t=$1
    mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
    # fork mode with ignore_*: keep fuzzing after a crash so every target gets its time.
    nice -n 19 "$bin_dir/$t" "fuzz/corpus/$t" \
        -max_total_time="$secs" -max_len=131072 -timeout=10 -rss_limit_mb=2048 \
        -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        -artifact_prefix="$PWD/fuzz/artifacts/$t/" > "fuzz/logs/$t.log" 2>&1 || true
    echo "$t: done, $(find "fuzz/artifacts/$t" -type f | wc -l) artifacts; $(grep -o 'cov: [0-9]*' "fuzz/logs/$t.log" | tail -1)"
}
export -f run_one
export secs bin_dir
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one {}'
