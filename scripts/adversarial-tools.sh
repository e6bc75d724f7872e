#!/usr/bin/env bash
# Install the real installers the adversarial suite (tests/adversarial.rs) runs,
# into one folder of executables named as the cases' `installer.tool`:
# npm, yarn1 (yarn 1.22), yarn4 (yarn berry), pnpm, bun, pip, uv, cargo.
# Idempotent: a second run only checks the versions. Usage:
#   scripts/adversarial-tools.sh DIR   # then LOCKGATE_ADVERSARIAL_TOOLS=DIR/bin
set -euo pipefail
dir=${1:?usage: adversarial-tools.sh DIR}
mkdir -p "$dir/bin"
dir=$(cd "$dir" && pwd)
if [ ! -x "$dir/node_modules/.bin/pnpm" ] || [ ! -f "$dir/node_modules/yarn/bin/yarn.js" ]; then
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error \
    yarn@1.22.22 @yarnpkg/cli-dist@4 pnpm@10 bun@1 >/dev/null
fi
if [ ! -x "$dir/venv/bin/uv" ]; then
  python3 -m venv "$dir/venv"
  "$dir/venv/bin/pip" install --quiet --disable-pip-version-check uv
fi
wrap() { # name command...
  local name=$1; shift
  printf '#!/bin/sh\nexec %s "$@"\n' "$*" >"$dir/bin/$name"
  chmod +x "$dir/bin/$name"
}
wrap npm "$(command -v npm)"
wrap yarn1 node "$dir/node_modules/yarn/bin/yarn.js"
wrap yarn4 node "$dir/node_modules/@yarnpkg/cli-dist/bin/yarn.js"
wrap pnpm "$dir/node_modules/.bin/pnpm"
wrap bun "$dir/node_modules/.bin/bun"
wrap pip "$dir/venv/bin/python" -m pip
wrap uv "$dir/venv/bin/uv"
wrap cargo "$(command -v cargo)"
for t in npm yarn1 yarn4 pnpm bun pip uv cargo; do
  printf '%-6s %s\n' "$t" "$("$dir/bin/$t" --version 2>&1 | head -1)"
done
