#!/usr/bin/env bash
# Seed the fuzz corpora (fuzz/corpus/<target>/, gitignored) from tests/fixtures:
# every lockfile fixture (real and malformed) goes to the target for its format,
# allowlists to `allowlist`, and popular names plus fixture package names to `names`.
# Rerunnable; existing corpus entries are kept (libFuzzer adds to them).
set -euo pipefail
cd "$(dirname "$0")/.."
fx=tests/fixtures
corpus=fuzz/corpus

seed() { # target, find -name patterns...
    local target=$1
    shift
    mkdir -p "$corpus/$target"
    local args=() first=1
    for pat in "$@"; do
        if [ $first = 1 ]; then first=0; else args+=(-o); fi
        args+=(-name "$pat")
    done
    find "$fx" examples -type f \( "${args[@]}" \) -not -path '*/node_modules/*' -print0 |
        while IFS= read -r -d '' f; do
            cp "$f" "$corpus/$target/$(sha256sum "$f" | cut -c1-16)"
        done
    echo "$target: $(find "$corpus/$target" -type f | wc -l) inputs"
}

seed cargo_lock 'Cargo.lock'
seed package_lock 'package-lock.json' 'npm-shrinkwrap.json'
seed yarn_lock 'yarn.lock'
seed pnpm_lock 'pnpm-lock.yaml'
seed bun_lock 'bun.lock'
seed requirements 'requirements*.txt'
seed poetry_lock 'poetry.lock'
seed pipfile_lock 'Pipfile.lock'
seed uv_lock 'uv.lock'
seed pdm_lock 'pdm.lock'
seed pylock 'pylock*.toml'
seed allowlist 'allowlist*.toml'

# The allowlist template and an allowlist using every feature.
cat > "$corpus/allowlist/template-and-more" <<'TOML'
# header comment
schema = 1
exclude = ["tests/fixtures"]

[policy]
unlisted = "deny"
missing-hash = "warn"
unpinned = "allow"
similar-names = "deny"
sources = ["registry", "path"]
registries = ["https://example.org/simple"]
known-bad = ["bad.tsv"]
min-age-days = 14
registry-errors = "warn"

[registries]
npm = "https://registry.example.org"

[[deny]]
ecosystem = "pypi"
name = "huggingface-cli"
versions = ["1.0"]
reason = "hallucinated"

[cargo.serde]
approved = { by = "sec", on = 2026-01-10, ticket = "SEC-1", reason = "core" }
notes = "kept"
versions."1.0.219" = "sha256:5f0e2c6ed6606019b4e29e69dbaba95b11854410e5347d525002456dbbb786b6"

[npm."@types/node"]
versions."20.1.0" = ["sha512-XRcglhh3p2lHAu4gFg75i5owZ3/uttIZh11iKj+W2fqc4Iu8OvwIHkDSftaw4gURo0WA2fT2oguwTa4HChLwJw=="]

[pypi.Django_REST]
versions."3.0" = { hashes = ["sha256:5f0e2c6ed6606019b4e29e69dbaba95b11854410e5347d525002456dbbb786b6"] }
versions."3.1" = []
TOML

# Names: some popular names of each ecosystem, and odd spellings.
mkdir -p "$corpus/names"
i=0
for f in data/names/cargo-popular.txt data/names/npm-targets.txt data/names/pypi-targets.txt; do
    head -n 200 "$f" | cut -f1 | while IFS= read -r n; do
        printf '%s' "$n" > "$corpus/names/$(basename "$f" .txt)-$i-$(printf '%s' "$n" | sha256sum | cut -c1-12)"
    done
done
for n in 'Django_REST.framework' '@types/node' 'a__-.b' ' requests ' 'İstanbul' 'ǅemal' 'reqeusts' 'python-dateutil'; do
    printf '%s' "$n" > "$corpus/names/odd-$(printf '%s' "$n" | sha256sum | cut -c1-12)"
done
echo "names: $(find "$corpus/names" -type f | wc -l) inputs"
