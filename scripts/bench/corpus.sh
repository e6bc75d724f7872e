#!/usr/bin/env bash
# Assemble the "18 real lockfiles" folder of issue 13: one copy of real lockfiles (made
# by the real tools, from tests/fixtures/), every format lockgate reads, about 2 MB.
# Each lockfile keeps the files beside it that its reading needs (package.json, workspace
# members, .yarnrc.yml), so the folder reads exactly as the fixtures do.
#
#   scripts/bench/corpus.sh [OUT]      (default: target/bench-data/corpus)
#
# Used by `cargo bench --bench lockfiles` (corpus cases) and docs/performance.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$root/target/bench-data/corpus}"
f="$root/tests/fixtures"
rm -rf "$out"
mkdir -p "$out"
# <folder name in the corpus> <fixture folder> (one lockfile each)
while read -r name dir; do
  [ -n "$name" ] || continue
  mkdir -p "$out/$name"
  # the fixture folder without node_modules and expected readings
  (cd "$f/$dir" && find . -type f -not -path '*/node_modules/*' -not -name expected.txt \
     -not -name README.md -print0 | xargs -0 -I{} cp --parents {} "$out/$name/")
done <<'LIST'
01-package-lock-v2 npm/package-lock/v2
02-package-lock-v3 npm/package-lock/v3
03-package-lock-ws npm/package-lock/workspaces-v2
04-pnpm-v9 npm/pnpm/v9-pnpm11
05-pnpm-v6 npm/pnpm/v6-pnpm8
06-pnpm-v5 npm/pnpm/v5.4-pnpm7
07-yarn-berry-v8 npm/yarn-berry/resolutions
08-yarn-berry-v6 npm/yarn-berry/workspace-v6
09-yarn-classic npm/yarn-classic/resolutions
10-yarn-classic-ws npm/yarn-classic/workspace
11-bun npm/bun/v2
12-cargo cargo/cargo-lock/v1-converted
13-uv pypi/uv/project
14-poetry pypi/poetry/v2
15-pdm pypi/pdm/project
16-pipfile pypi/pipfile/pipenv
17-pylock pypi/pylock/uv-export
18-requirements pypi/requirements/uv-pip-compile
LIST
# keep only one lockfile per folder: fixtures with several (pylock.dev.toml, …) keep the main one
rm -f "$out/17-pylock/pylock.dev.toml" "$out/18-requirements/requirements-dev.txt"
echo "$out"
