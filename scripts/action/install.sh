#!/usr/bin/env bash
# Install lockgate for the GitHub Action (action.yml, step "install").
#
# Order of preference:
#   1. LOCKGATE_BIN: an existing binary (tests, self-hosted runners): used as is.
#   2. The prebuilt release binary for this runner's OS and architecture, downloaded
#      from the action's own repository and verified against the release's
#      SHA256SUMS. A checksum that does not match is an error, never a fallback:
#      it means the download was tampered with.
#   3. If no prebuilt binary can be had (no release for this version, unsupported
#      platform, no network to the release host, LOCKGATE_VERSION=source):
#      `cargo install --locked` from the action's own source (GITHUB_ACTION_PATH).
#
# Inputs (environment):
#   LOCKGATE_VERSION            version to install: `1.2.3` or `v1.2.3`; empty = the
#                               version in the action's Cargo.toml; `source` = build
#   LOCKGATE_ACTION_REPOSITORY  owner/name of the action (github.action_repository)
#   LOCKGATE_DOWNLOAD_BASE      release download base URL (default
#                               https://github.com/$repo/releases/download); tests
#                               point it at a file:// folder
#   LOCKGATE_BIN                use this binary, skip the install
#   GITHUB_ACTION_PATH, RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_OUTPUT
# Output: `bin=<path of the lockgate binary>` in $GITHUB_OUTPUT (and on stdout).
set -euo pipefail

action_path="${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/../.." && pwd)}"
tmp_root="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
dest="$tmp_root/lockgate-install"
out="${GITHUB_OUTPUT:-/dev/null}"

emit() {
  echo "bin=$1" >>"$out"
  echo "lockgate: using $1 ($("$1" --version))"
}

if [ -n "${LOCKGATE_BIN:-}" ]; then
  if [ ! -x "$LOCKGATE_BIN" ]; then
    echo "::error title=lockgate install::LOCKGATE_BIN=$LOCKGATE_BIN is not an executable file"
    exit 2
  fi
  emit "$LOCKGATE_BIN"
  exit 0
fi

version="${LOCKGATE_VERSION:-}"
if [ -z "$version" ]; then
  version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$action_path/Cargo.toml" | head -n1)"
fi
version="${version#v}"

os="${RUNNER_OS:-$(uname -s)}"
arch="${RUNNER_ARCH:-$(uname -m)}"
case "$os/$arch" in
  Linux/X64 | Linux/x86_64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64 | Linux/aarch64 | Linux/arm64) target=aarch64-unknown-linux-musl ;;
  macOS/ARM64 | Darwin/arm64) target=aarch64-apple-darwin ;;
  macOS/X64 | Darwin/x86_64) target=x86_64-apple-darwin ;;
  Windows/X64 | MINGW*/x86_64 | MSYS*/x86_64) target=x86_64-pc-windows-msvc ;;
  *) target="" ;;
esac
exe=lockgate
case "$target" in *windows*) exe=lockgate.exe ;; esac

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

# Try the prebuilt binary. Returns 1 when it is unavailable (fall back to source);
# exits on a checksum mismatch.
prebuilt() {
  local repo="${LOCKGATE_ACTION_REPOSITORY:-}"
  local base="${LOCKGATE_DOWNLOAD_BASE:-}"
  if [ "$version" = "source" ] || [ -z "$target" ]; then
    return 1
  fi
  if [ -z "$base" ]; then
    [ -n "$repo" ] || return 1
    base="https://github.com/$repo/releases/download"
  fi
  local asset="lockgate-v$version-$target.tar.gz"
  local dir="$tmp_root/lockgate-download"
  rm -rf "$dir" && mkdir -p "$dir"
  echo "lockgate: downloading $asset"
  if ! curl -fsSL --retry 3 -o "$dir/SHA256SUMS" "$base/v$version/SHA256SUMS" \
    || ! curl -fsSL --retry 3 -o "$dir/$asset" "$base/v$version/$asset"; then
    echo "lockgate: no prebuilt binary for v$version on $target"
    return 1
  fi
  local expected actual
  expected="$(awk -v a="$asset" '$2 == a || $2 == "*" a { print $1 }' "$dir/SHA256SUMS" | head -n1)"
  actual="$(sha256_of "$dir/$asset")"
  if [ -z "$expected" ]; then
    echo "::error title=lockgate install::SHA256SUMS of v$version does not list $asset; refusing to run an unverified binary"
    exit 2
  fi
  if [ "$expected" != "$actual" ]; then
    echo "::error title=lockgate install::checksum mismatch for $asset: SHA256SUMS says $expected, the download is $actual. Refusing to run it."
    exit 2
  fi
  echo "lockgate: sha256 verified ($actual)"
  mkdir -p "$dest/bin"
  tar -xzf "$dir/$asset" -C "$dir"
  local found
  found="$(find "$dir" -type f -name "$exe" | head -n1)"
  [ -n "$found" ] || { echo "::error title=lockgate install::$asset holds no $exe"; exit 2; }
  cp "$found" "$dest/bin/$exe"
  chmod +x "$dest/bin/$exe"
  return 0
}

if prebuilt; then
  emit "$dest/bin/$exe"
  exit 0
fi

echo "lockgate: building from the action's source with cargo install --locked"
if ! command -v cargo >/dev/null 2>&1; then
  echo "::error title=lockgate install::no prebuilt binary and no cargo to build one; add a Rust toolchain step before this action or pin a released version"
  exit 2
fi
cargo install --locked --path "$action_path" --root "$dest" --bin lockgate
emit "$dest/bin/$exe"
