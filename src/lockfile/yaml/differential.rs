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
