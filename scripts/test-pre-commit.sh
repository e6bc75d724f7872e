#!/usr/bin/env bash
# Test .pre-commit-hooks.yaml with the real pre-commit client, offline apart from
# PyPI (pre-commit itself) and crates.io (pre-commit builds the hook with cargo).
#
# 1. pip-installs a pinned pre-commit into a temporary venv;
# 2. snapshots this checkout (tracked and untracked, non-ignored files: uncommitted
#    hook changes are tested too) into a temporary git repository, the hook repo;
# 3. makes a temporary project repository (the npm e2e fixture, with an allowlist
#    made by `lockgate allowlist init`) whose .pre-commit-config.yaml uses the hook
#    repo at its HEAD, and `pre-commit install`s it;
# 4. shows a commit that passes, a commit that is blocked (a new, unlisted
#    dependency), and a commit that only touches package.json and is blocked because
#    the lockfile beside it has a tampered hash.
#
# Environment: PRE_COMMIT_VERSION (default below), LOCKGATE (a lockgate binary for
# `allowlist init`; default target/debug/lockgate, built if missing),
# LOCKGATE_HOOK_TARGET_DIR (cargo target dir for the hook build, kept between runs
# to make them incremental; default target/pre-commit-hook).
set -euo pipefail

repo_root="$(cd "$(dirname "$0")/.." && pwd)"
pre_commit_version="${PRE_COMMIT_VERSION:-4.3.0}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

say() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

lockgate="${LOCKGATE:-$repo_root/target/debug/lockgate}"
if [ ! -x "$lockgate" ]; then
  say "building lockgate"
  cargo build --locked --manifest-path "$repo_root/Cargo.toml" --bin lockgate
fi

say "installing pre-commit $pre_commit_version into a temporary venv"
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check "pre-commit==$pre_commit_version"
pre_commit="$work/venv/bin/pre-commit"
"$pre_commit" --version
export PRE_COMMIT_HOME="$work/pre-commit-home"
export CARGO_TARGET_DIR="${LOCKGATE_HOOK_TARGET_DIR:-$repo_root/target/pre-commit-hook}"
export GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@example.invalid
export GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@example.invalid
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
unset LOCKGATE_ALLOWLIST NO_COLOR || true

say "snapshotting this checkout as the hook repository"
hook_repo="$work/hook-repo"
mkdir -p "$hook_repo"
(
  cd "$repo_root"
  git ls-files -co --exclude-standard -z \
    | while IFS= read -r -d '' f; do
        case "$f" in tests/*) continue ;; esac
        [ -f "$f" ] && printf '%s\0' "$f"
      done \
    | tar --null -T - -cf -
) | tar -xf - -C "$hook_repo"
git -C "$hook_repo" init -q
git -C "$hook_repo" add -A
git -C "$hook_repo" commit -qm "lockgate snapshot"
rev="$(git -C "$hook_repo" rev-parse HEAD)"

say "making a project repository that uses the hook"
project="$work/project"
mkdir -p "$project"
cp "$repo_root/tests/fixtures/e2e/npm-before/package.json" "$repo_root/tests/fixtures/e2e/npm-before/package-lock.json" "$project/"
git -C "$project" init -q
(cd "$project" && "$lockgate" allowlist init . 2>&1)
cat >"$project/.pre-commit-config.yaml" <<YAML
repos:
  - repo: $hook_repo
    rev: $rev
    hooks:
      - id: lockgate
YAML
(cd "$project" && "$pre_commit" install)

commit() { # message; prints pre-commit's output, returns git commit's status
  local msg="$1"
  (cd "$project" && git add -A && git commit -m "$msg" 2>&1)
}

say "commit 1: the project as the allowlist pins it: passes (the first run builds the hook with cargo)"
if ! out="$(commit "initial")"; then
  printf '%s\n' "$out"
  fail "the first commit was blocked"
fi
printf '%s\n' "$out"
grep -q "lockgate (lockfiles against the allowlist).*Passed" <<<"$out" || fail "the hook did not run on the first commit"

say "commit 2: a new dependency nobody approved: blocked"
cp "$repo_root/tests/fixtures/e2e/npm-after/package.json" "$repo_root/tests/fixtures/e2e/npm-after/package-lock.json" "$project/"
if out="$(commit "add left-pad")"; then
  printf '%s\n' "$out"
  fail "a commit adding an unlisted package passed"
fi
printf '%s\n' "$out"
grep -q "Failed" <<<"$out" || fail "pre-commit did not report the hook as failed"
grep -q "unlisted" <<<"$out" || fail "the unlisted finding is not shown"
git -C "$project" reset -q --hard HEAD

say "commit 3: only package.json changes, but the lockfile beside it was tampered with: blocked"
sed -i.bak '0,/"integrity": "sha512-./s//"integrity": "sha512-Z/' "$project/package-lock.json" && rm -f "$project/package-lock.json.bak"
(cd "$project" && git add package-lock.json && git commit -q --no-verify -m "tampered lockfile sneaks in")
sed -i.bak 's/"private": true/"private": true, "description": "x"/' "$project/package.json" && rm -f "$project/package.json.bak"
git -C "$project" diff --quiet -- package.json && fail "the package.json edit changed nothing"
if out="$(commit "touch the manifest only")"; then
  printf '%s\n' "$out"
  fail "a manifest change over a tampered lockfile passed"
fi
printf '%s\n' "$out"
grep -q "hash-mismatch" <<<"$out" || fail "the manifest change did not check the lockfile beside it"

printf "\npre-commit: 3 passed, 0 failed\n"
