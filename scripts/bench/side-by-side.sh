#!/usr/bin/env bash
# Time two lockgate builds side by side on the 18-lockfile folder (issue 13) and on one
# lockfile of each format, in one hyperfine run per case (the builds alternate, same
# data, same minute), and print per-format MB/s of lockfile.
#
#   scripts/bench/side-by-side.sh OLD_BINARY NEW_BINARY [RUNS]
#
# The corpus is assembled by scripts/bench/corpus.sh into a folder outside any git
# repository (so discovery does not ask git). Per-format MB/s = lockfile bytes / (CPU
# time, user + system, of `packages FILE` minus that of the same command on a 300-byte
# lockfile: the process start-up and output). CPU time, not wall time, because on a
# shared machine the wall time mostly measures the wait for a core. These are
# process-level figures; the divan cases in benches/lockfiles.rs (`corpus_format`)
# measure the parse alone.
set -euo pipefail
old="$1"; new="$2"; runs="${3:-40}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
data="$(mktemp -d)/corpus"
bash "$root/scripts/bench/corpus.sh" "$data" >/dev/null
out="$(mktemp -d)"
cd "$data"
small="$root/tests/fixtures/realworld/jestjs__jest/e2e/global-setup-node-modules/yarn.lock"
cases=("." "$small")
for d in 01-package-lock-v2 04-pnpm-v9 05-pnpm-v6 06-pnpm-v5 07-yarn-berry-v8 08-yarn-berry-v6 \
         09-yarn-classic 11-bun 12-cargo 13-uv 14-poetry 15-pdm 16-pipfile 17-pylock 18-requirements; do
  for f in "$d"/*; do
    case "$(basename "$f")" in
      package-lock.json|pnpm-lock.yaml|yarn.lock|bun.lock|Cargo.lock|uv.lock|poetry.lock|pdm.lock|Pipfile.lock|pylock.toml|requirements.txt)
        cases+=("$f");;
    esac
  done
done
i=0
for c in "${cases[@]}"; do
  hyperfine -N -w 3 -r "$runs" --export-json "$out/$i.json" \
    -n old "$old packages --format json $c" -n new "$new packages --format json $c" >/dev/null
  i=$((i+1))
done
python3 - "$out" "$data" "${cases[@]}" <<'PY'
import json, os, sys
out, data, cases = sys.argv[1], sys.argv[2], sys.argv[3:]
res = []
for i, c in enumerate(cases):
    r = json.load(open(f"{out}/{i}.json"))["results"]
    res.append({x["command"]: (x["mean"], x["median"], x["user"], x["system"]) for x in r})
base = res[1]
print(f"folder: old {res[0]['old'][0]*1e3:.1f} ms mean / {res[0]['old'][1]*1e3:.1f} median (user {res[0]['old'][2]*1e3:.1f}), "
      f"new {res[0]['new'][0]*1e3:.1f} ms / {res[0]['new'][1]*1e3:.1f} (user {res[0]['new'][2]*1e3:.1f})")
print(f"start-up (300-byte lockfile): old {base['old'][1]*1e3:.2f} ms wall median, CPU {(base['old'][2]+base['old'][3])*1e3:.2f} ms; "
      f"new {base['new'][1]*1e3:.2f} ms, CPU {(base['new'][2]+base['new'][3])*1e3:.2f} ms")
print("| lockfile | bytes | old CPU ms | new CPU ms | old MB/s | new MB/s |")
print("|---|---|---|---|---|---|")
for c, r in zip(cases[2:], res[2:]):
    size = os.path.getsize(os.path.join(data, c))
    row = [c, str(size)]
    mbs = []
    for k in ("old", "new"):
        cpu = r[k][2] + r[k][3]
        t = cpu - (base[k][2] + base[k][3])
        row.append(f"{cpu*1e3:.2f}")
        mbs.append(f"{size/t/1e6:.0f}" if t > 0 else "n/a")
    print("| " + " | ".join(row + mbs) + " |")
PY
