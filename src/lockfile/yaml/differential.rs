//! Differential tests: the fast reader's reading equals the full parser's.
//!
//! Every `pnpm-lock.yaml` and Yarn berry `yarn.lock` under `tests/` is parsed twice,
//! through the fast reader and with [`super::with_full_parser`]; the two results (the
//! whole [`Lockfile`], or the whole error) must be equal. Then the same on texts made by
//! mutating those files (quoting, flow mappings, comments, anchors, document markers,
//! indentation, duplicate keys, tabs, CR, BOM, nulls, numbers, …) and on small generated
//! lockfiles whose scalars take every style.

use super::with_full_parser;
use crate::lockfile::{Context, Lockfile, ParseError, pnpm, yarn};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// Every YAML lockfile under `tests/`: (path, text, is pnpm).
fn corpus() -> &'static Vec<(PathBuf, String, bool)> {
    static C: OnceLock<Vec<(PathBuf, String, bool)>> = OnceLock::new();
    C.get_or_init(|| {
        let mut out = Vec::new();
        let mut stack = vec![root()];
        while let Some(dir) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(&dir) else {
                continue;
            };
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    if !p.ends_with("node_modules") {
                        stack.push(p);
                    }
                    continue;
                }
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                let pnpm = name == "pnpm-lock.yaml";
                if !pnpm && name != "yarn.lock" {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&p) else {
                    continue;
                };
                if !pnpm && text.contains("# yarn lockfile v1") {
                    continue; // Yarn classic is not YAML
                }
                out.push((p, text, pnpm));
            }
        }
        out.sort();
        out
    })
}

fn parse(path: &Path, text: &str, pnpm: bool) -> Result<Lockfile, ParseError> {
    let ctx = Context {
        path,
        display: Path::new("lock"),
    };
    if pnpm {
        pnpm::parse(&ctx, text)
    } else {
        yarn::parse(&ctx, text)
    }
}

/// Fast and full readings of `text` (read as the file at `path`).
fn both(
    path: &Path,
    text: &str,
    pnpm: bool,
) -> (Result<Lockfile, ParseError>, Result<Lockfile, ParseError>) {
    let fast = parse(path, text, pnpm);
    let full = with_full_parser(|| parse(path, text, pnpm));
    (fast, full)
}

#[test]
fn fixtures_read_the_same_and_real_ones_take_the_fast_reader() {
    let corpus = corpus();
    assert!(corpus.len() >= 30, "found {} YAML lockfiles", corpus.len());
    let mut fast_count = 0;
    for (path, text, pnpm) in corpus {
        let (fast, full) = both(path, text, *pnpm);
        assert_eq!(fast, full, "{}", path.display());
        // the first read of the file went through `read`: was it the fast reader?
        let _ = parse(path, text, *pnpm);
        let was_fast = super::last_read_was_fast();
        let made_by_the_tool = path.starts_with(root().join("fixtures/npm"))
            && !path.to_string_lossy().contains("malformed");
        if made_by_the_tool && fast.is_ok() {
            assert!(was_fast, "{}: the fast reader gave up", path.display());
        }
        fast_count += usize::from(was_fast);
    }
    assert!(fast_count >= 20, "fast reader used on {fast_count} files");
}

#[test]
fn long_keys_read_the_same() {
    // YAML limits implicit keys to 1024 characters; the fast reader leaves long keys to
    // the full parser
    for n in [990, 1000, 1030, 2000] {
        let name = "a".repeat(n);
        let t = format!(
            "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      {name}:\n        specifier: ^1\n        version: 1.0.0\n\npackages:\n\n  {name}@1.0.0:\n    resolution: {{integrity: sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw==}}\n"
        );
        let path = root().join("fixtures/none/pnpm-lock.yaml");
        let (fast, full) = both(&path, &t, true);
        assert_eq!(fast, full, "key of {n} bytes");
    }
}

#[test]
fn full_parser_reads_plain_decimals_as_written() {
    // The fast reader keeps `8`, `5.4`, `10` as written in string fields: so does the
    // full parser.
    let m: std::collections::BTreeMap<String, String> = serde_saphyr::from_str_with_options(
        "a: 8\nb: 5.4\nc: 10\nd: 1.10\ne: 0.0\nf: 007\n",
        super::yaml_options(),
    )
    .unwrap();
    let got: Vec<&str> = m.values().map(String::as_str).collect();
    assert_eq!(got, ["8", "5.4", "10", "1.10", "0.0", "007"]);
}

/// Small lockfile fixtures to mutate (the big ones make each case slow in debug builds).
fn small() -> &'static Vec<(PathBuf, String, bool)> {
    static S: OnceLock<Vec<(PathBuf, String, bool)>> = OnceLock::new();
    S.get_or_init(|| {
        corpus()
            .iter()
            .filter(|(p, t, _)| t.len() < 40_000 && !p.to_string_lossy().contains("hostile"))
            .cloned()
            .collect()
    })
}

/// Fragments that move a text in and out of the subset.
const FRAGMENTS: &[&str] = &[
    "'",
    "\"",
    "''",
    "{",
    "}",
    "[",
    "]",
    "{}",
    "[]",
    ": ",
    ":",
    ",",
    ", ",
    "#",
    " #c",
    "# c\n",
    "&a ",
    "*a",
    "!!str ",
    "!",
    "---\n",
    "...\n",
    "%YAML 1.2\n",
    "\t",
    "\r",
    "\u{feff}",
    "~",
    "null",
    "yes",
    "no",
    "True",
    "1e3",
    "0x1F",
    "-1",
    ".5",
    "007",
    "8",
    "5.4",
    " ",
    "  ",
    "- ",
    "-",
    "? ",
    "|",
    ">",
    "@",
    "`",
    "\\",
    "\\/",
    "\\u0041",
    "\\n",
    "\\\"",
    "\n",
    "\n  ",
    "a: b",
    "version: 1.0.0",
    "<<: ",
    "\u{a0}",
    "\u{85}",
    "\u{2028}",
    "é",
];

#[derive(Debug, Clone)]
enum Mutation {
    /// Insert a fragment at a byte offset (as a fraction of the text).
    Insert(f64, usize),
    /// Replace a byte range with a fragment.
    Replace(f64, usize, usize),
    /// Duplicate a line.
    DupLine(f64),
    /// Delete a line.
    DelLine(f64),
    /// Change a line's indentation by -2..=2 spaces.
    Indent(f64, i8),
    /// Quote a line's value with single or double quotes.
    Quote(f64, bool),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = 0.0..1.0f64;
    prop_oneof![
        (at.clone(), 0..FRAGMENTS.len()).prop_map(|(a, f)| Mutation::Insert(a, f)),
        (at.clone(), 0..FRAGMENTS.len(), 1..4usize)
            .prop_map(|(a, f, n)| Mutation::Replace(a, f, n)),
        at.clone().prop_map(Mutation::DupLine),
        at.clone().prop_map(Mutation::DelLine),
        (at.clone(), -2..=2i8).prop_map(|(a, d)| Mutation::Indent(a, d)),
        (at, any::<bool>()).prop_map(|(a, d)| Mutation::Quote(a, d)),
    ]
}

fn floor_char(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &str, m: &Mutation) -> String {
    let at = |f: f64| floor_char(text, (f * text.len() as f64) as usize);
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let line_at = |f: f64, n: usize| ((f * n as f64) as usize).min(n.saturating_sub(1));
    match *m {
        Mutation::Insert(f, frag) => {
            let i = at(f);
            format!("{}{}{}", &text[..i], FRAGMENTS[frag], &text[i..])
        }
        Mutation::Replace(f, frag, n) => {
            let i = at(f);
            let j = floor_char(text, i + n);
            format!("{}{}{}", &text[..i], FRAGMENTS[frag], &text[j..])
        }
        Mutation::DupLine(f) => {
            let i = line_at(f, lines.len());
            let l = lines[i].clone();
            lines.insert(i, l);
            lines.join("\n")
        }
        Mutation::DelLine(f) => {
            let i = line_at(f, lines.len());
            lines.remove(i);
            lines.join("\n")
        }
        Mutation::Indent(f, d) => {
            let i = line_at(f, lines.len());
            let l = &lines[i];
            lines[i] = if d >= 0 {
                format!("{}{l}", " ".repeat(d as usize))
            } else {
                let n = l.len() - l.trim_start_matches(' ').len();
                l[n.min((-d) as usize)..].to_string()
            };
            lines.join("\n")
        }
        Mutation::Quote(f, double) => {
            let i = line_at(f, lines.len());
            if let Some((k, v)) = lines[i].split_once(": ")
                && !v.is_empty()
            {
                let q = if double {
                    format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
                } else {
                    format!("'{}'", v.replace('\'', "''"))
                };
                lines[i] = format!("{k}: {q}");
            }
            lines.join("\n")
        }
    }
}

/// A small pnpm v9 lockfile whose scalars take the given styles.
fn generated_pnpm(styles: &[u8], names: &[String]) -> String {
    let style = |i: usize, s: &str| -> String {
        match styles.get(i % styles.len().max(1)).copied().unwrap_or(0) % 4 {
            0 => s.to_string(),
            1 => format!("'{s}'"),
            2 => format!("\"{s}\""),
            _ => format!("'{}'", s.replace('\'', "''")),
        }
    };
    let mut t = String::from("lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n");
    for (i, n) in names.iter().enumerate() {
        t += &format!(
            "      {}:\n        specifier: {}\n        version: {}\n",
            style(i, n),
            style(i + 1, "^1.0.0"),
            style(i + 2, "1.0.0")
        );
    }
    t += "\npackages:\n\n";
    for (i, n) in names.iter().enumerate() {
        t += &format!(
            "  {}:\n    resolution: {{integrity: {}}}\n    engines: {{node: {}}}\n\n",
            style(i + 3, &format!("{n}@1.0.0")),
            style(
                i,
                "sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw=="
            ),
            style(i + 1, ">=14")
        );
    }
    t += "snapshots:\n\n";
    for (i, n) in names.iter().enumerate() {
        t += &format!("  {}: {{}}\n\n", style(i + 2, &format!("{n}@1.0.0")));
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn mutated_fixtures_read_the_same(
        pick in any::<prop::sample::Index>(),
        muts in prop::collection::vec(mutation(), 1..4),
    ) {
        let small = small();
        let (path, text, pnpm) = &small[pick.index(small.len())];
        let mut t = text.clone();
        for m in &muts {
            t = apply(&t, m);
        }
        let (fast, full) = both(path, &t, *pnpm);
        prop_assert_eq!(fast, full, "{} after {:?}", path.display(), muts);
    }

    #[test]
    fn generated_lockfiles_read_the_same(
        styles in prop::collection::vec(any::<u8>(), 1..6),
        names in prop::collection::vec("[a-z][a-z0-9._-]{0,8}|@[a-z]{1,4}/[a-z]{1,6}|[0-9]{1,3}|true|null|yes|~|[a-z]+ #x|[a-z]+: [a-z]", 1..6),
    ) {
        let t = generated_pnpm(&styles, &names);
        let path = root().join("fixtures/none/pnpm-lock.yaml");
        let (fast, full) = both(&path, &t, true);
        prop_assert_eq!(fast, full, "{}", t);
    }
}

// ---------------------------------------------------------------------------------------
// What the typed readers take from the fast reader's tree (the borrowed `FromNode`
// impls of pnpm and Yarn berry): keys they skip, unusual but valid values, repeated
// keys, missing fields. Each case is read both ways; the cases marked `fast` must be
// read by the fast reader (else the comparison would be of the full parser with
// itself), the others must leave it.

/// Fast and full readings of `text`, and whether the first took the fast reader.
fn both_noting(
    path: &Path,
    text: &str,
    pnpm: bool,
) -> (
    Result<Lockfile, ParseError>,
    Result<Lockfile, ParseError>,
    bool,
) {
    let fast = parse(path, text, pnpm);
    let was_fast = super::last_read_was_fast();
    let full = with_full_parser(|| parse(path, text, pnpm));
    (fast, full, was_fast)
}

const SRI: &str = "sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw==";

fn pnpm_v9_base() -> String {
    format!(
        "lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    dependencies:
      a:
        specifier: ^1.0.0
        version: 1.0.0
      l:
        specifier: link:../l
        version: link:../l
    devDependencies:
      b:
        specifier: ^2.0.0
        version: 2.0.0(a@1.0.0)

packages:

  a@1.0.0:
    resolution: {{integrity: {SRI}}}
    engines: {{node: '>=8'}}
    hasBin: true

  b@2.0.0:
    resolution: {{integrity: {SRI}, tarball: https://example.org/b-2.0.0.tgz}}
    peerDependencies:
      a: '*'
    cpu: [x64, arm64]

  c@https://codeload.github.com/o/c/tar.gz/abc:
    resolution: {{tarball: https://codeload.github.com/o/c/tar.gz/abc}}
    name: c
    version: 0.1.0

snapshots:

  a@1.0.0: {{}}

  b@2.0.0(a@1.0.0):
    dependencies:
      a: 1.0.0
      c: https://codeload.github.com/o/c/tar.gz/abc
    transitivePeerDependencies:
      - supports-color

  c@https://codeload.github.com/o/c/tar.gz/abc:
    optionalDependencies:
      a: 1.0.0
"
    )
}

fn pnpm_v6_base() -> String {
    format!(
        "lockfileVersion: '6.0'

settings:
  autoInstallPeers: true

dependencies:
  a:
    specifier: ^1.0.0
    version: 1.0.0

devDependencies:
  b:
    specifier: ^2.0.0
    version: 2.0.0

packages:

  /a@1.0.0:
    resolution: {{integrity: {SRI}}}
    requiresBuild: true
    dev: false

  /b@2.0.0:
    resolution: {{integrity: {SRI}}}
    dependencies:
      a: 1.0.0
    dev: true

  file:local:
    resolution: {{directory: local, type: directory}}
    name: local
    dev: false

time:
  /a@1.0.0: '2024-02-23T22:24:14.754Z'
"
    )
}

fn berry_base() -> String {
    let hex = "ab".repeat(64);
    format!(
        "# This file is generated by running \"yarn install\" inside your project.
# Manual changes might be lost - proceed with caution!

__metadata:
  version: 8
  cacheKey: 10c0

\"a@npm:^1.0.0\":
  version: 1.0.0
  resolution: \"a@npm:1.0.0\"
  dependencies:
    b: \"npm:^2.0.0\"
  checksum: 10c0/{hex}
  languageName: node
  linkType: hard

\"b@npm:^2.0.0\":
  version: 2.0.0
  resolution: \"b@npm:2.0.0\"
  bin:
    b: ./bin.js
  checksum: 10c0/{hex}
  conditions: os=darwin
  languageName: node
  linkType: hard

\"root@workspace:.\":
  version: 0.0.0-use.local
  resolution: \"root@workspace:.\"
  dependencies:
    a: \"npm:^1.0.0\"
    b: \"npm:^2.0.0\"
  dependenciesMeta:
    b:
      optional: true
  languageName: unknown
  linkType: soft
"
    )
}

/// `(what, from, to, fast)`: replace `from` by `to` in the base text; `fast`: whether
/// the result is within the fast reader's subset.
type Variant = (&'static str, &'static str, &'static str, bool);

fn check_variants(base: &str, pnpm: bool, variants: &[Variant]) {
    let owned: Vec<_> = variants
        .iter()
        .map(|(what, from, to, fast)| (*what, from.to_string(), to.to_string(), *fast))
        .collect();
    check_owned_variants(base, pnpm, &owned);
}

#[test]
fn pnpm_v9_values_and_skipped_keys_read_the_same() {
    let base = pnpm_v9_base();
    let (fast, _, was_fast) =
        both_noting(&root().join("fixtures/none/pnpm-lock.yaml"), &base, true);
    assert!(
        was_fast && fast.as_ref().is_ok_and(|l| l.packages.len() == 3),
        "{fast:?}"
    );
    check_variants(
        &base,
        true,
        &[
            ("as written", "lockfileVersion", "lockfileVersion", true),
            (
                "a skipped key holding a block",
                "    hasBin: true\n",
                "    hasBin: true\n    bin:\n      a: ./a.js\n      x:\n        - yy\n",
                true,
            ),
            (
                "a skipped key holding a number",
                "    hasBin: true\n",
                "    hasBin: true\n    deprecated: 8\n",
                true,
            ),
            (
                "a skipped key holding a word the reader leaves",
                "    hasBin: true\n",
                "    hasBin: true\n    deprecated: yes\n",
                false,
            ),
            (
                "a quoted name with an escape",
                "    name: c\n",
                "    name: \"c\\\\d\"\n",
                true,
            ),
            (
                "a single-quoted version with a quote",
                "    version: 0.1.0\n",
                "    version: '0.1.0''x'\n",
                true,
            ),
            (
                "a decimal version",
                "    version: 0.1.0\n",
                "    version: 0.1\n",
                true,
            ),
            (
                "a boolean version",
                "    version: 0.1.0\n",
                "    version: true\n",
                false,
            ),
            (
                "a null version",
                "    version: 0.1.0\n",
                "    version: null\n",
                false,
            ),
            (
                "an importer version as a bare string",
                "      a:\n        specifier: ^1.0.0\n        version: 1.0.0\n",
                "      a: 1.0.0\n",
                true,
            ),
            (
                "an importer version quoted",
                "        version: 1.0.0\n",
                "        version: '1.0.0'\n",
                true,
            ),
            (
                "an importer entry without version",
                "        specifier: ^1.0.0\n        version: 1.0.0\n",
                "        specifier: ^1.0.0\n",
                false,
            ),
            (
                "a repeated entry key",
                "    hasBin: true\n",
                "    hasBin: true\n    engines: {node: '>=9'}\n",
                false,
            ),
            (
                "a repeated dependency",
                "      c: https://codeload.github.com/o/c/tar.gz/abc\n",
                "      c: https://codeload.github.com/o/c/tar.gz/abc\n      a: 1.0.0\n",
                false,
            ),
            (
                "a repeated flow key",
                "{integrity: sha512",
                "{integrity: x, integrity: sha512",
                false,
            ),
            (
                "no resolution",
                "    resolution: {tarball: https://codeload.github.com/o/c/tar.gz/abc}\n",
                "",
                true,
            ),
            (
                "an empty resolution",
                "{tarball: https://codeload.github.com/o/c/tar.gz/abc}",
                "{}",
                true,
            ),
            (
                "a git resolution",
                "{tarball: https://codeload.github.com/o/c/tar.gz/abc}",
                "{type: git, repo: 'https://github.com/o/c.git', commit: abc}",
                true,
            ),
            (
                "a git resolution without repo",
                "{tarball: https://codeload.github.com/o/c/tar.gz/abc}",
                "{type: git, commit: abc}",
                true,
            ),
            (
                "an unknown resolution type",
                "{tarball: https://codeload.github.com/o/c/tar.gz/abc}",
                "{type: variations}",
                true,
            ),
            (
                "a directory resolution",
                "{tarball: https://codeload.github.com/o/c/tar.gz/abc}",
                "{directory: packages/c, type: directory}",
                true,
            ),
            (
                "a bad integrity",
                "{integrity: sha512-5m4",
                "{integrity: sha512-!!",
                true,
            ),
            ("no name for a non-registry key", "    name: c\n", "", true),
            (
                "a missing snapshot target",
                "      a: 1.0.0\n      c:",
                "      a: 9.9.9\n      c:",
                true,
            ),
            (
                "a snapshot without entry",
                "  a@1.0.0: {}\n",
                "  z@1.0.0: {}\n",
                true,
            ),
            (
                "an importer dependency without entry",
                "        version: 2.0.0(a@1.0.0)\n",
                "        version: 3.0.0\n",
                true,
            ),
            (
                "a key without version",
                "  a@1.0.0:\n    resolution",
                "  a:\n    resolution",
                true,
            ),
            (
                "requiresBuild quoted",
                "    hasBin: true\n",
                "    requiresBuild: 'true'\n",
                false,
            ),
            (
                "requiresBuild as a word",
                "    hasBin: true\n",
                "    requiresBuild: yes\n",
                false,
            ),
            (
                "requiresBuild false",
                "    hasBin: true\n",
                "    requiresBuild: false\n",
                true,
            ),
            (
                "a time section",
                "snapshots:\n",
                "time:\n  a@1.0.0: '2024-02-23T22:24:14.754Z'\n\nsnapshots:\n",
                true,
            ),
            (
                "a bad time",
                "snapshots:\n",
                "time:\n  a@1.0.0: soon\n\nsnapshots:\n",
                true,
            ),
            (
                "a time section as a flow mapping",
                "snapshots:\n",
                "time: {a@1.0.0: '2024-02-23T22:24:14.754Z'}\n\nsnapshots:\n",
                false,
            ),
            (
                "a dependency mapping as a flow mapping",
                "    dependencies:\n      a: 1.0.0\n      c: https://codeload.github.com/o/c/tar.gz/abc\n",
                "    dependencies: {a: 1.0.0}\n",
                true,
            ),
            (
                "a dependency reference as a number",
                "      a: 1.0.0\n      c:",
                "      a: 1.0\n      c:",
                true,
            ),
            (
                "packages as a sequence",
                "packages:\n\n  a@1.0.0:",
                "packages:\n  - x\n\nzz:\n  a@1.0.0:",
                false,
            ),
            (
                "a root key repeated",
                "settings:\n",
                "snapshots: {}\nsettings:\n",
                false,
            ),
        ],
    );
}

#[test]
fn pnpm_v6_values_and_skipped_keys_read_the_same() {
    let base = pnpm_v6_base();
    let (fast, _, was_fast) =
        both_noting(&root().join("fixtures/none/pnpm-lock.yaml"), &base, true);
    assert!(
        was_fast && fast.as_ref().is_ok_and(|l| l.packages.len() == 3),
        "{fast:?}"
    );
    check_variants(
        &base,
        true,
        &[
            (
                "requiresBuild false",
                "    requiresBuild: true\n",
                "    requiresBuild: false\n",
                true,
            ),
            (
                "requiresBuild quoted",
                "    requiresBuild: true\n",
                "    requiresBuild: \"true\"\n",
                false,
            ),
            (
                "requiresBuild as a number",
                "    requiresBuild: true\n",
                "    requiresBuild: 1\n",
                false,
            ),
            (
                "an optional dependency",
                "    dependencies:\n      a: 1.0.0\n",
                "    optionalDependencies:\n      a: 1.0.0\n",
                true,
            ),
            (
                "a dependency without entry",
                "    dependencies:\n      a: 1.0.0\n",
                "    dependencies:\n      a: 1.0.1\n",
                true,
            ),
            (
                "an aliased dependency",
                "    dependencies:\n      a: 1.0.0\n",
                "    dependencies:\n      x: /a@1.0.0\n",
                true,
            ),
            (
                "a linked dependency",
                "    dependencies:\n      a: 1.0.0\n",
                "    dependencies:\n      x: link:../x\n",
                true,
            ),
            (
                "a top-level optional dependency",
                "devDependencies:\n",
                "optionalDependencies:\n",
                true,
            ),
            (
                "a bad time",
                "'2024-02-23T22:24:14.754Z'",
                "'23 Feb 2024'",
                true,
            ),
            (
                "a time with a peer suffix",
                "  /a@1.0.0: '2024",
                "  /a@1.0.0(b@2.0.0): '2024",
                true,
            ),
            (
                "a non-registry entry with a version",
                "    name: local\n",
                "    name: local\n    version: 3.0.0\n",
                true,
            ),
            ("an empty name", "    name: local\n", "    name: ''\n", true),
            (
                "an empty version",
                "    name: local\n",
                "    name: local\n    version: \"\"\n",
                true,
            ),
        ],
    );
}

#[test]
fn berry_values_and_skipped_keys_read_the_same() {
    let base = berry_base();
    let (fast, _, was_fast) = both_noting(&root().join("fixtures/none/yarn.lock"), &base, false);
    assert!(
        was_fast && fast.as_ref().is_ok_and(|l| l.packages.len() == 2),
        "{fast:?}"
    );
    check_variants(
        &base,
        false,
        &[
            (
                "a cacheKey as a number",
                "  cacheKey: 10c0\n",
                "  cacheKey: 8\n",
                true,
            ),
            ("a bare checksum", "  checksum: 10c0/", "  checksum: ", true),
            (
                "a bare checksum, no cacheKey",
                "  cacheKey: 10c0\n",
                "",
                true,
            ),
            (
                "a checksum with a blank",
                "  checksum: 10c0/",
                "  checksum: 10c0 x/",
                true,
            ),
            (
                "a short checksum",
                "  checksum: 10c0/abab",
                "  checksum: 10c0/ab",
                true,
            ),
            (
                "a version as a number",
                "  version: 8\n",
                "  version: '8'\n",
                true,
            ),
            (
                "a metadata version not a number",
                "  version: 8\n",
                "  version: eight\n",
                true,
            ),
            (
                "a metadata version too new",
                "  version: 8\n",
                "  version: 99\n",
                true,
            ),
            (
                "a metadata version as a word",
                "  version: 8\n",
                "  version: yes\n",
                false,
            ),
            (
                "an entry version as a number",
                "  version: 2.0.0\n",
                "  version: 2.0\n",
                true,
            ),
            ("an entry without version", "  version: 2.0.0\n", "", true),
            (
                "an entry without resolution",
                "  resolution: \"b@npm:2.0.0\"\n",
                "",
                true,
            ),
            (
                "a resolution with an escape",
                "  resolution: \"b@npm:2.0.0\"\n",
                "  resolution: \"b@npm:2.0.0\\\\x\"\n",
                true,
            ),
            (
                "an unknown protocol",
                "  resolution: \"b@npm:2.0.0\"\n",
                "  resolution: \"b@exec:./gen.js\"\n",
                true,
            ),
            (
                "no protocol",
                "  resolution: \"b@npm:2.0.0\"\n",
                "  resolution: \"b@2.0.0\"\n",
                true,
            ),
            (
                "optional false",
                "      optional: true\n",
                "      optional: false\n",
                true,
            ),
            (
                "optional quoted",
                "      optional: true\n",
                "      optional: 'true'\n",
                false,
            ),
            (
                "optional as a word",
                "      optional: true\n",
                "      optional: on\n",
                false,
            ),
            (
                "a skipped key as a flow mapping",
                "  conditions: os=darwin\n",
                "  peerDependencies: {a: '*'}\n",
                true,
            ),
            (
                "a repeated entry key",
                "  conditions: os=darwin\n",
                "  conditions: os=darwin\n  bin: {}\n",
                false,
            ),
            (
                "a repeated dependency",
                "    b: \"npm:^2.0.0\"\n  checksum",
                "    b: \"npm:^2.0.0\"\n    b: \"npm:^2.1.0\"\n  checksum",
                false,
            ),
            (
                "a dependency without entry",
                "    b: \"npm:^2.0.0\"\n  checksum",
                "    b: \"npm:^3.0.0\"\n  checksum",
                true,
            ),
            (
                "a dependency without protocol",
                "    b: \"npm:^2.0.0\"\n  checksum",
                "    b: ^2.0.0\n  checksum",
                true,
            ),
            (
                "a descriptor twice",
                "\"b@npm:^2.0.0\":\n",
                "\"b@npm:^2.0.0, a@npm:^1.0.0\":\n",
                true,
            ),
            (
                "an empty descriptor",
                "\"b@npm:^2.0.0\":\n",
                "\"b@npm:^2.0.0, \":\n",
                true,
            ),
            (
                "dependencies as a flow mapping",
                "  dependencies:\n    b: \"npm:^2.0.0\"\n",
                "  dependencies: {b: \"npm:^2.0.0\"}\n",
                true,
            ),
            (
                "no metadata",
                "__metadata:\n  version: 8\n  cacheKey: 10c0\n",
                "",
                false,
            ),
        ],
    );
}

/// A small Yarn berry lockfile whose scalars take the given styles.
fn generated_berry(styles: &[u8], names: &[String]) -> String {
    let style = |i: usize, s: &str| -> String {
        match styles.get(i % styles.len().max(1)).copied().unwrap_or(0) % 3 {
            0 => s.to_string(),
            1 => format!("'{}'", s.replace('\'', "''")),
            _ => format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")),
        }
    };
    let hex = "0f".repeat(64);
    let mut t = String::from("__metadata:\n  version: 8\n  cacheKey: 10c0\n\n");
    let mut root_deps = String::new();
    for (i, n) in names.iter().enumerate() {
        t += &format!(
            "{}:\n  version: {}\n  resolution: {}\n  checksum: {}\n  languageName: node\n  linkType: hard\n\n",
            style(i, &format!("{n}@npm:^1.0.0")),
            style(i + 1, "1.0.0"),
            style(i + 2, &format!("{n}@npm:1.0.0")),
            style(i + 3, &format!("10c0/{hex}")),
        );
        root_deps += &format!("    {}: {}\n", style(i + 4, n), style(i, "npm:^1.0.0"));
    }
    t += &format!(
        "\"root@workspace:.\":\n  version: 0.0.0-use.local\n  resolution: \"root@workspace:.\"\n  dependencies:\n{root_deps}  languageName: unknown\n  linkType: soft\n"
    );
    t
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn generated_berry_lockfiles_read_the_same(
        styles in prop::collection::vec(any::<u8>(), 1..6),
        names in prop::collection::vec("[a-z][a-z0-9._-]{0,8}|@[a-z]{1,4}/[a-z]{1,6}|[0-9]{1,3}|true|null|yes|~|[a-z]+ #x|[a-z]+: [a-z]|[a-z]+'[a-z]|[a-z]+\"[a-z]|[a-z]+\\\\[a-z]", 1..6),
    ) {
        let t = generated_berry(&styles, &names);
        let path = root().join("fixtures/none/yarn.lock");
        let (fast, full) = both(&path, &t, false);
        prop_assert_eq!(fast, full, "{}", t);
    }
}

/// `check_variants` with owned texts: each `(what, from, to, fast)` replaces the first
/// `from` of `base`; both readers must agree, and the fast one must be taken or not.
fn check_owned_variants(base: &str, pnpm: bool, variants: &[(&str, String, String, bool)]) {
    let name = if pnpm { "pnpm-lock.yaml" } else { "yarn.lock" };
    let path = root().join("fixtures/none").join(name);
    for (what, from, to, want_fast) in variants {
        assert!(
            base.contains(from.as_str()),
            "{what}: `{from}` is not in the base"
        );
        let text = base.replacen(from.as_str(), to, 1);
        let (fast, full, was_fast) = both_noting(&path, &text, pnpm);
        assert_eq!(fast, full, "{what}:\n{text}");
        assert_eq!(was_fast, *want_fast, "{what}: fast reader taken?\n{text}");
    }
}

#[test]
fn integrity_lists_read_the_same() {
    // the one-token shortcut of `Hash::from_sri_list` (and the `base64` decode),
    // and the lists and errors that take the split on JavaScript spaces
    let base = pnpm_v9_base();
    let sha1 = "sha1-2jmJBrPVjdVA6xzfyp0mXi4m1Bk=";
    let from = format!("{{integrity: {SRI}}}\n    engines");
    let lists = [
        ("one token, quoted (the shortcut)", SRI.to_string(), true),
        ("two tokens", format!("{sha1} {SRI}"), true),
        ("two tokens around NBSP", format!("{sha1}\u{a0}{SRI}"), true),
        ("two tokens around a tab", format!("{sha1}\t{SRI}"), false),
        ("blanks around the token", format!("  {SRI}  "), true),
        (
            "unpadded base64",
            SRI.trim_end_matches('=').to_string(),
            true,
        ),
        ("trailing bits set", SRI.replace("Iw==", "Ix=="), true),
        ("options", format!("{SRI}?foo"), true),
        ("sha1 alone", sha1.to_string(), true),
        (
            "a URL-safe digest",
            SRI.replace('+', "-").replace('/', "_"),
            true,
        ),
        ("over-padded", format!("{SRI}="), true),
        ("padding inside", SRI.replacen('5', "=", 1), true),
        ("an unknown algorithm", "sha224-AAAA".to_string(), true),
        (
            "an uppercase algorithm",
            SRI.replace("sha512", "SHA512"),
            true,
        ),
        ("a short digest", "sha512-AAAA".to_string(), true),
        ("blank", " ".to_string(), true),
    ];
    let variants: Vec<_> = lists
        .iter()
        .map(|(what, list, fast)| {
            let to = format!("{{integrity: '{list}'}}\n    engines");
            (*what, from.clone(), to, *fast)
        })
        .collect();
    check_owned_variants(&base, true, &variants);
    // the shortcut and the split read lists the same way on the fast path
    let plain = |list: &str| {
        (
            "plain",
            from.clone(),
            format!("{{integrity: {list}}}\n    engines"),
            true,
        )
    };
    check_owned_variants(
        &base,
        true,
        &[
            plain(SRI),
            plain(&format!("{sha1} {SRI}")),
            plain("sha512-!!"),
        ],
    );
}

#[test]
fn key_and_plain_scalar_scans_read_the_same() {
    // the `memchr` scans for `: ` in keys and for `: ` / ` #` in plain scalars
    let base = pnpm_v9_base();
    let at = "    hasBin: true\n";
    let v = |what, add: &str, fast| (what, at.to_string(), format!("{at}{add}"), fast);
    check_owned_variants(
        &base,
        true,
        &[
            v("a `#` in a key", "    x#y: 1\n", true),
            v("a ` #` in a key", "    x #y: 1\n", false),
            v("a `:` in a key", "    x:y: 1\n", true),
            v("a `::` ending a key", "    xy:: 1\n", false),
            v("a `:` ending a key's line", "    xy:\n      - a\n", true),
            v("a `#` in a value", "    deprecated: a#b\n", true),
            v("a ` #` in a value", "    deprecated: a #b\n", false),
            v("a `:` in a value", "    deprecated: a:b\n", true),
            v("a `: ` in a value", "    deprecated: a: b\n", false),
            v("a `:` ending a value", "    deprecated: ab:\n", false),
            v(
                "a value starting with `#`",
                "    deprecated: '#a: b #c'\n",
                true,
            ),
            v(
                "a sequence item with ` #`",
                "    os:\n      - a #b\n",
                false,
            ),
            v("a sequence item with `:`", "    os:\n      - a:b\n", true),
            v("an indicator first", "    deprecated: '@a'\n", true),
            v("an indicator first, plain", "    deprecated: '%a'\n", true),
        ],
    );
}

#[test]
fn documents_read_the_same() {
    // pnpm 11's several documents, split in one pass and copied once each
    let base = pnpm_v9_base();
    let path = root().join("fixtures/none/pnpm-lock.yaml");
    let env = "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    configDependencies:\n      a:\n        specifier: 1.0.0\n        version: 1.0.0\n\npackages:\n\n  a@1.0.0:\n    resolution: {integrity: sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw==}\n\nsnapshots:\n\n  a@1.0.0: {}\n";
    // (a single document behind a marker is read whole, marker and all: by the
    // full parser)
    for (text, want_fast) in [
        (format!("---\n{base}"), false),
        (format!("---\n{env}\n---\n{base}"), true),
        (format!("{env}---\n{base}...\n"), true),
        (
            format!("--- # env\n{env}--- \n# only a comment\n---\n{base}"),
            true,
        ),
        (format!("---\n{env}----\n{base}"), false),
    ] {
        let (fast, full, was_fast) = both_noting(&path, &text, true);
        assert_eq!(fast, full, "{text}");
        assert_eq!(was_fast, want_fast, "{text}");
    }
    // a broken second document fails the file at its line, read either way
    let broken = base.replacen(
        "  a@1.0.0:\n    resolution",
        "  a@1.0.0:\n    x: [\n    resolution",
        1,
    );
    let (fast, full, _) = both_noting(&path, &format!("---\n{env}---\n{broken}"), true);
    assert_eq!(fast, full);
    assert!(fast.is_err());
}
