#!/usr/bin/env bash
# pre-commit without a Rust toolchain: build lockgate's Python wheel (maturin,
# `bindings = "bin"` in pyproject.toml), install it into a fresh venv, and check that
# `pip install` put a working `lockgate` on PATH, then that the `lockgate-system` hook
# of .pre-commit-hooks.yaml runs that binary (the real pre-commit client).
#
# 1. pip-installs a pinned maturin into a venv under target/ (kept between runs);
# 2. `maturin build` (the dev profile by default, reusing target/: cheap after
#    `cargo build`) writes the wheel to a temporary folder;
# 3. installs the wheel into a fresh venv: `lockgate --version`, and `lockgate check`
#    on the e2e cargo fixture (allowlist made by `allowlist init`: passes) and after a
#    new dependency (blocked, exit 1);
# 4. a project repository whose .pre-commit-config.yaml uses `id: lockgate-system`:
#    a commit that passes and one that is blocked, with only the venv on PATH for
#    lockgate (no cargo involved).
#
# Environment: MATURIN_VERSION, PRE_COMMIT_VERSION (defaults below),
# MATURIN_PROFILE (cargo profile for the wheel; default dev).
set -euo pipefail

repo_root="$(cd "$(dirname "$0")/.." && pwd)"
maturin_version="${MATURIN_VERSION:-1.16.0}"
pre_commit_version="${PRE_COMMIT_VERSION:-4.3.0}"
profile="${MATURIN_PROFILE:-dev}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

say() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

say "maturin $maturin_version"
tools="$repo_root/target/wheel-tools"
if [ ! -x "$tools/bin/maturin" ] || [ "$("$tools/bin/maturin" --version)" != "maturin $maturin_version" ]; then
  rm -rf "$tools"
  python3 -m venv "$tools"
  "$tools/bin/python" -m pip install --quiet --disable-pip-version-check "maturin==$maturin_version"
fi
"$tools/bin/maturin" --version

say "building the wheel (profile $profile)"
(cd "$repo_root" && "$tools/bin/maturin" build --locked --profile "$profile" --out "$work/wheels")
wheel="$(ls "$work"/wheels/lockgate-*.whl)"
[ -f "$wheel" ] || fail "no wheel was built"
echo "built $(basename "$wheel")"

say "installing the wheel into a fresh venv"
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$wheel"
export PATH="$work/venv/bin:$PATH"
[ "$(command -v lockgate)" = "$work/venv/bin/lockgate" ] || fail "lockgate on PATH is $(command -v lockgate), not the wheel's"
version="$(lockgate --version)"
echo "$version"
grep -q "^lockgate $(sed -n 's/^version = "\(.*\)"/\1/p' "$repo_root/Cargo.toml" | head -1)$" <<<"$version" \
  || fail "lockgate --version says '$version', not Cargo.toml's version"

export GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@example.invalid
export GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@example.invalid
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
unset LOCKGATE_ALLOWLIST NO_COLOR || true

say "lockgate check on a fixture"
project="$work/project"
mkdir -p "$project"
cp -R "$repo_root/tests/fixtures/e2e/cargo-before/." "$project/"
(cd "$project" && lockgate allowlist init . 2>&1)
(cd "$project" && lockgate check .) || fail "check of the pinned fixture failed"
cp "$repo_root/tests/fixtures/e2e/cargo-after/Cargo.lock" "$project/Cargo.lock"
set +e
(cd "$project" && lockgate check .)
status=$?
set -e
[ "$status" = 1 ] || fail "check of a new, unlisted dependency exited $status, not 1"
cp "$repo_root/tests/fixtures/e2e/cargo-before/Cargo.lock" "$project/Cargo.lock"

say "the lockgate-system pre-commit hook runs the installed binary"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check "pre-commit==$pre_commit_version"
export PRE_COMMIT_HOME="$work/pre-commit-home"
hook_repo="$work/hook-repo"
mkdir -p "$hook_repo"
cp "$repo_root/.pre-commit-hooks.yaml" "$hook_repo/"
git -C "$hook_repo" init -q
git -C "$hook_repo" add -A
git -C "$hook_repo" commit -qm "hooks"
rev="$(git -C "$hook_repo" rev-parse HEAD)"
git -C "$project" init -q
cat >"$project/.pre-commit-config.yaml" <<YAML
repos:
  - repo: $hook_repo
    rev: $rev
    hooks:
      - id: lockgate-system
YAML
(cd "$project" && pre-commit install)
out="$(cd "$project" && git add -A && git commit -m initial 2>&1)" || { printf '%s\n' "$out"; fail "the first commit was blocked"; }
printf '%s\n' "$out"
grep -q "lockgate (installed binary).*Passed" <<<"$out" || fail "the hook did not run on the first commit"
cp "$repo_root/tests/fixtures/e2e/cargo-after/Cargo.lock" "$project/Cargo.lock"
if out="$(cd "$project" && git add -A && git commit -m "new dependency" 2>&1)"; then
  printf '%s\n' "$out"
  fail "a commit adding an unlisted crate passed"
fi
printf '%s\n' "$out"
grep -q "unlisted" <<<"$out" || fail "the unlisted finding is not shown"

printf "\nwheel: 4 passed, 0 failed\n"
