#!/usr/bin/env python3
"""Write a package-lock.json (lockfileVersion 3) of N entries for the memory bound of
issue 13 (docs/performance.md, "2026-11-30: issue 13 targets").

    python3 scripts/bench/gen_npm_lock.py OUT_DIR [N]      (default N = 1000000)

Synthetic, not made by npm: it only has to be large and of npm's shape. Packages
`p0`..`pN-1` are hoisted under `node_modules/`, in chains of five (p5k -> p5k+1 -> ...
-> p5k+4); the root depends on each chain's head. Every entry has `version`,
`resolved` and an sha512 `integrity`, as npm writes them (about 250 bytes per entry).
Also writes the package.json beside it.
"""
import base64, hashlib, json, os, sys

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
os.makedirs(out, exist_ok=True)
heads = {f"p{i}": "1.0.0" for i in range(0, n, 5)}
with open(os.path.join(out, "package.json"), "w") as f:
    json.dump({"name": "big", "version": "1.0.0", "dependencies": heads}, f)
with open(os.path.join(out, "package-lock.json"), "w") as f:
    f.write('{\n  "name": "big",\n  "version": "1.0.0",\n  "lockfileVersion": 3,\n  "requires": true,\n  "packages": {\n')
    f.write('    "": ' + json.dumps({"name": "big", "version": "1.0.0", "dependencies": heads}))
    for i in range(n):
        sri = "sha512-" + base64.b64encode(hashlib.sha512(str(i).encode()).digest()).decode()
        e = {"version": "1.0.0", "resolved": f"https://registry.npmjs.org/p{i}/-/p{i}-1.0.0.tgz", "integrity": sri}
        if i % 5 != 4 and i + 1 < n:
            e["dependencies"] = {f"p{i + 1}": "1.0.0"}
        f.write(f',\n    "node_modules/p{i}": ' + json.dumps(e))
    f.write("\n  }\n}\n")
