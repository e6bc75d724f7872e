#!/usr/bin/env bash
# Regenerate every file under data/names/ that is made from the package lists:
#   0. data/names/npm-resolved.txt is made separately (slow, needs the npm registry):
#      TOP=4400 GROUP=100 scripts/names/gen-npm-resolved.sh
#   1. data/names/cargo-popular.txt and cargo-known.txt (skip with SKIP_CARGO=1; needs the
#      crates.io index)
#   2. {pypi,npm,cargo}-{index.fst,post.bin,targets.txt}, pypi-all.fst, npm-all.fst
#      from $LOCKGATE_PACKAGES/{pypi,npm}.tsv (default /work/.library/env/packages),
#      built by the ignored test `regenerate_names_data` in tests/names_data.rs so that the
#      index uses lockgate's own skeleton functions.
# Then update SNAPSHOT_DATE in src/names/data.rs if the package lists are newer.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "${SKIP_CARGO:-0}" != 1 ]; then
  scripts/names/gen-cargo-popular.sh
fi
cargo test --release --test names_data -- --ignored --nocapture regenerate_names_data
ls -l data/names
