//! Differential tests: the fast TOML reader's reading equals the `toml` crate's.
//!
//! Every TOML lockfile under `tests/` (Cargo.lock, uv.lock, poetry.lock, pdm.lock,
//! pylock*.toml) is read by its reader twice, through the fast path and with
//! [`super::with_full_parser`]; the two results (the whole [`Lockfile`], or the whole
//! error) must be equal. Every `.toml`/`.lock` file is also read as generic values (a
//! `serde_json::Value`, and a tree of `toml::Spanned` values with spanned keys): when
//! the fast path accepts a text, the `toml` crate must give the same values and spans.
//! Then the same on mutated texts (quoting, escapes, literal and multi-line strings,
//! comments, tabs, CRLF, inline tables, dotted keys, duplicate keys and tables, numbers,
//! dates, BOM, NUL, truncation) and on small generated documents.

use super::with_full_parser;
use crate::lockfile::{Context, Lockfile, ParseError, cargo, pdm, poetry, pylock, uv};
use proptest::prelude::*;
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use toml::Spanned;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// A lockfile reader.
type Read = fn(&Context<'_>, &str) -> Result<Lockfile, ParseError>;

/// Which reader reads a file named `name`, if any.
fn reader(name: &str) -> Option<Read> {
    Some(match name {
        "Cargo.lock" => cargo::parse,
        "uv.lock" => uv::parse,
        "poetry.lock" => poetry::parse,
        "pdm.lock" => pdm::parse,
        n if n.starts_with("pylock.") && n.ends_with(".toml") => pylock::parse,
        _ => return None,
    })
}

/// Every TOML file under `tests/`: (path, text).
fn corpus() -> &'static Vec<(PathBuf, String)> {
    static C: OnceLock<Vec<(PathBuf, String)>> = OnceLock::new();
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        for p in std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
        {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if p.is_dir() {
                if name != "node_modules" {
                    walk(&p, out);
                }
            } else if (reader(name).is_some() || name.ends_with(".toml"))
                && let Ok(text) = std::fs::read_to_string(&p)
            {
                out.push((p, text));
            }
        }
    }
    C.get_or_init(|| {
        let mut out = Vec::new();
        walk(&root(), &mut out);
        out.sort();
        out
    })
}

/// Fast and full readings of `text` by the reader of `path`.
fn both(
    path: &Path,
    text: &str,
) -> Option<(Result<Lockfile, ParseError>, Result<Lockfile, ParseError>)> {
    let read = reader(path.file_name()?.to_str()?)?;
    let ctx = Context {
        path,
        display: Path::new("lock"),
    };
    let fast = read(&ctx, text);
    let full = with_full_parser(|| read(&ctx, text));
    Some((fast, full))
}

/// A TOML value with the span of every value and key (`toml::Spanned`'s own `==`
/// ignores spans, so they are kept here as numbers).
#[derive(Debug, PartialEq)]
enum Tree {
    Leaf(String),
    Array(Vec<Sp>),
    Table(BTreeMap<(String, usize, usize), Sp>),
}

/// A [`Tree`] and its span.
#[derive(Debug, PartialEq)]
struct Sp(usize, usize, Tree);

impl<'de> Deserialize<'de> for Sp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Sp, D::Error> {
        let s = Spanned::<Tree>::deserialize(d)?;
        let span = s.span();
        Ok(Sp(span.start, span.end, s.into_inner()))
    }
}

impl<'de> Deserialize<'de> for Tree {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Tree, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Tree;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a TOML value")
            }
            fn visit_str<E>(self, v: &str) -> Result<Tree, E> {
                Ok(Tree::Leaf(format!("str {v}")))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Tree, E> {
                Ok(Tree::Leaf(format!("int {v}")))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Tree, E> {
                Ok(Tree::Leaf(format!("uint {v}")))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Tree, E> {
                Ok(Tree::Leaf(format!("float {v:?}")))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Tree, E> {
                Ok(Tree::Leaf(format!("bool {v}")))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Tree, A::Error> {
                let mut v = Vec::new();
                while let Some(x) = a.next_element()? {
                    v.push(x);
                }
                Ok(Tree::Array(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Tree, A::Error> {
                // a datetime is a map whose key has no span: such texts fail both ways
                let mut m = BTreeMap::new();
                while let Some(k) = a.next_key::<Spanned<String>>()? {
                    let span = k.span();
                    let v = a.next_value()?;
                    m.insert((k.into_inner(), span.start, span.end), v);
                }
                Ok(Tree::Table(m))
            }
        }
        d.deserialize_any(V)
    }
}

/// A datetime-free value read with every span, or an ordinary value as JSON.
fn generic_same(text: &str) -> Result<bool, String> {
    let mut accepted = false;
    if let Some(fast) = super::from_str::<serde_json::Value>(text) {
        accepted = true;
        let full = toml::from_str::<serde_json::Value>(text).map_err(|e| e.to_string())?;
        if fast != full {
            return Err(format!("values differ: fast {fast:?}\nfull {full:?}"));
        }
    }
    if let Some(fast) = super::from_str::<Sp>(text) {
        let full = toml::from_str::<Sp>(text).map_err(|e| e.to_string())?;
        if fast != full {
            return Err(format!("spans differ: fast {fast:?}\nfull {full:?}"));
        }
    }
    if super::from_str::<IgnoredAny>(text).is_some() {
        toml::from_str::<IgnoredAny>(text).map_err(|e| e.to_string())?;
    }
    Ok(accepted)
}

#[test]
fn fixtures_read_the_same_and_real_ones_take_the_fast_path() {
    let corpus = corpus();
    assert!(corpus.len() >= 100, "found {} TOML files", corpus.len());
    let mut lockfiles = 0;
    let mut fast_count = 0;
    for (path, text) in corpus {
        let accepted = generic_same(text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        fast_count += usize::from(accepted);
        let Some((fast, full)) = both(path, text) else {
            continue;
        };
        lockfiles += 1;
        assert_eq!(fast, full, "{}", path.display());
        let made_by_the_tool = path.starts_with(root().join("fixtures"))
            && !path.to_string_lossy().contains("malformed")
            && full.is_ok();
        if made_by_the_tool {
            assert!(
                super::parse(text).is_ok(),
                "{}: the fast path declined a lockfile the tool wrote",
                path.display()
            );
        }
    }
    assert!(lockfiles >= 60, "found {lockfiles} TOML lockfiles");
    assert!(fast_count >= 100, "fast path took {fast_count} files");
}

#[test]
fn spans_equal_the_toml_crate_on_every_shape() {
    let docs = [
        "a = 1\nb = 'x'\nc = \"y\"\n[t]\nk = [1, 2]\n[[p]]\nn = { a = 1, b = [] }\n[[p]]\n[p.d]\nx = true\n",
        "[a.b.c]\nx = 1\n[a]\ny = 2\n[a.b]\nz = 3\n",
        "[[a.b]]\nx = 1\n[[a.b]]\n[a.b.c]\nq = 1\n[[c]]\n[c.d]\n[[c]]\n",
        "[ \"q k\" . 'l' ]\n\"\" = 1\n'x y' = 2\n",
        "v = [\n  1, # one\n  2,\n]\n# end",
        "v = \"\\u00e9\\U0001F600\\t\\\"\\\\\"\r\nw = 'a\\b'\r\n",
        "d = 1979-05-27T07:32:00Z\ne = 1979-05-27T07:32:00.999-07:00\n",
        "d = [1979-05-27T07:32:00-00:00, 1979-05-27T07:32:00+00:00, 1979-05-27T07:32:00.500Z]\n",
        "i = [+1, -0, 1_000, 9223372036854775807, -9223372036854775808]\n",
        "t = {}\nu = { a = { b = { c = [ { d = 1 } ] } } }\n",
        "",
        "# only a comment",
    ];
    for d in docs {
        assert!(super::parse(d).is_ok(), "declined {d:?}");
        assert_eq!(generic_same(d), Ok(true), "{d:?}");
    }
}

#[test]
fn toml_errors_and_odd_forms_are_declined() {
    let docs = [
        "a = 1\na = 2\n",
        "[a]\n[a]\n",
        "[a]\nb = 1\n[a.b]\n",
        "[a.b]\n[a]\nb = 1\n",
        "[[a]]\n[a]\n",
        "[a]\n[[a]]\n",
        "[[a.b]]\n[[a]]\n",
        "a = [1]\n[[a]]\n",
        "a = {}\n[a.b]\n",
        "a.b = 1\n",
        "a = { b = 1, }\n",
        "a = { b = 1,\n c = 2 }\n",
        "a = { b = 1, b = 2 }\n",
        "a = \"\"\"x\"\"\"\n",
        "a = '''x'''\n",
        "a = 1.5\n",
        "a = 0x1F\n",
        "a = 01\n",
        "a = 1__0\n",
        "a = 9223372036854775808\n",
        "a = 1979-05-27\n",
        "a = 07:32:00\n",
        "a = 1979-05-27 07:32:00Z\n",
        "a = inf\n",
        "a = \"\\e\"\n",
        "a = \"\\x41\"\n",
        "a = \"\\ud800\"\n",
        "a = \"\0\"\n",
        "a = 1 # \u{7f}\n",
        "a = 1\rb = 2\n",
        "\u{feff}a = 1\n",
        "\"a\\u0041\" = 1\n",
        "a = \"x\nb = 1\n",
        "a = [1 2]\n",
        "a = 1 b = 2\n",
        "[a\n",
        "[[a]\n",
        "a = truex\n",
    ];
    for d in docs {
        assert!(super::parse(d).is_err(), "accepted {d:?}");
        assert_eq!(generic_same(d), Ok(false), "{d:?}");
    }
}

#[test]
fn long_strings_with_a_special_byte_anywhere_read_the_same() {
    // the string scan skips eight bytes at a time: put each kind of byte at each place;
    // (byte, valid in a basic string, valid in a literal string)
    let cases = [
        ("\t", true, true),
        ("é", true, true),
        ("\u{80}", true, true),
        ("\\u00e9", true, true),
        ("'", true, false),
        ("\"", false, true),
        ("\u{1}", false, false),
        ("\u{1f}", false, false),
        ("\u{7f}", false, false),
        ("\n", false, false),
    ];
    for (special, in_basic, in_literal) in cases {
        for at in 0..24 {
            let body: String = (0..24)
                .map(|i| if i == at { special } else { "x" })
                .collect();
            for (t, valid) in [
                (format!("a = \"{body}\"\n"), in_basic),
                (format!("a = '{body}'\n"), in_literal),
            ] {
                assert_eq!(generic_same(&t), Ok(valid), "{t:?}");
            }
        }
    }
}

#[test]
fn truncating_a_lockfile_anywhere_reads_the_same() {
    let text = "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"0000000000000000000000000000000000000000000000000000000000000000\"\ndependencies = [\n \"b\",\n]\n\n[[package]]\nname = \"b\"\nversion = \"2.0.0\"\n\n[metadata]\n\"x y\" = 'z'\n";
    let path = root().join("fixtures/none/Cargo.lock");
    for i in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
        let t = &text[..i];
        let (fast, full) = both(&path, t).unwrap();
        assert_eq!(fast, full, "cut at {i}");
        generic_same(t).unwrap_or_else(|e| panic!("cut at {i}: {e}"));
    }
}

/// Small lockfile fixtures to mutate (the big ones make each case slow in debug builds).
fn small() -> Vec<&'static (PathBuf, String)> {
    let is_lockfile = |p: &Path| reader(p.file_name().unwrap().to_str().unwrap()).is_some();
    let small = corpus()
        .iter()
        .filter(|(p, t)| t.len() < 40_000 && is_lockfile(p));
    small.collect()
}

/// Fragments that move a text in and out of the subset.
const FRAGMENTS: &[&str] = &[
    "'",
    "\"",
    "''",
    "\"\"",
    "\"\"\"",
    "'''",
    "{",
    "}",
    "[",
    "]",
    "[[",
    "]]",
    "{}",
    "[]",
    "{ a = 1 }",
    "{ a = 1, }",
    " = ",
    "=",
    ",",
    ", ",
    ".",
    "a.b",
    "#",
    " # c",
    "# c\n",
    "\t",
    "\r",
    "\r\n",
    "\n",
    "\n\n",
    "\u{feff}",
    "\0",
    "\u{7f}",
    "\u{1b}",
    "\\",
    "\\\\",
    "\\\"",
    "\\n",
    "\\t",
    "\\u00e9",
    "\\u0041",
    "\\U0001F600",
    "\\ud800",
    "\\e",
    "\\x41",
    "\\/",
    "1",
    "+1",
    "-1",
    "1_000",
    "1__0",
    "0x1F",
    "0o7",
    "0b1",
    "007",
    "1.5",
    "1e3",
    "inf",
    "nan",
    "true",
    "false",
    "1979-05-27",
    "1979-05-27T07:32:00Z",
    "1979-05-27T07:32:00.5+01:00",
    "1979-05-27 07:32:00Z",
    "07:32:00",
    "name = \"x\"\n",
    "version = \"1.0.0\"\n",
    "[package]\n",
    "[[package]]\n",
    "[metadata]\n",
    "[package.dependencies]\n",
    "é",
    "\u{a0}",
    " ",
];

/// An edit of a lockfile text; positions are fractions of the text's length.
#[derive(Debug, Clone)]
enum Mutation {
    /// Put `FRAGMENTS[frag]` in place of `len` bytes (0: an insertion) at `at`.
    Splice { at: f64, len: usize, frag: usize },
    /// Write the line at `at` twice (a duplicate key, a table defined twice, …).
    CopyLine(f64),
    /// Drop the line at `at`.
    DropLine(f64),
    /// Write the string value on the line at `at` as a basic string full of escapes,
    /// or as a literal string.
    Quote(f64, bool),
    /// CRLF line ends.
    Crlf,
    /// Cut the text at `at`.
    Truncate(f64),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = 0.0..1.0f64;
    prop_oneof![
        6 => (at.clone(), 0..FRAGMENTS.len(), prop_oneof![2 => Just(0usize), 1 => 1..4usize])
            .prop_map(|(at, frag, len)| Mutation::Splice { at, len, frag }),
        1 => at.clone().prop_map(Mutation::CopyLine),
        1 => at.clone().prop_map(Mutation::DropLine),
        2 => (at.clone(), any::<bool>()).prop_map(|(a, d)| Mutation::Quote(a, d)),
        1 => Just(Mutation::Crlf),
        1 => at.prop_map(Mutation::Truncate),
    ]
}

/// The char boundary at or before byte `i` of `s`.
fn boundary(s: &str, i: usize) -> usize {
    (0..=i.min(s.len()))
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(0)
}

/// The byte range of the line at fraction `f` of `text`, with its newline.
fn line_range(text: &str, f: f64) -> (usize, usize) {
    let i = boundary(text, (f * text.len() as f64) as usize);
    let start = text[..i].rfind('\n').map_or(0, |n| n + 1);
    let end = text[i..].find('\n').map_or(text.len(), |n| i + n + 1);
    (start, end)
}

/// `text` with `m` applied: the byte range it replaces and what it puts there.
fn apply(text: &str, m: &Mutation) -> String {
    let at = |f: f64| boundary(text, (f * text.len() as f64) as usize);
    let (from, to, with) = match *m {
        Mutation::Splice { at: f, len, frag } => {
            let from = at(f);
            (
                from,
                boundary(text, from + len),
                FRAGMENTS[frag].to_string(),
            )
        }
        Mutation::CopyLine(f) => {
            let (a, b) = line_range(text, f);
            let line = &text[a..b];
            let nl = if line.ends_with('\n') { "" } else { "\n" };
            (a, a, format!("{line}{nl}"))
        }
        Mutation::DropLine(f) => {
            let (a, b) = line_range(text, f);
            (a, b, String::new())
        }
        Mutation::Quote(f, basic) => {
            let (a, b) = line_range(text, f);
            let line = &text[a..b];
            let requoted = line.split_once(" = \"").and_then(|(k, v)| {
                let (v, nl) = v.strip_suffix('\n').map_or((v, ""), |v| (v, "\n"));
                let v = v.strip_suffix('"')?;
                let q = if basic {
                    // every third character as \u, every third as \U
                    let mut s = String::new();
                    for (n, c) in v.chars().enumerate() {
                        match n % 3 {
                            0 => s += &format!("\\u{:04X}", c as u32),
                            1 => s += &format!("\\U{:08x}", c as u32),
                            _ => s.push(c),
                        }
                    }
                    format!("\"{s}\"")
                } else {
                    format!("'{v}'")
                };
                Some(format!("{k} = {q}{nl}"))
            });
            (a, b, requoted.unwrap_or_else(|| line.to_string()))
        }
        Mutation::Crlf => (0, text.len(), text.replace('\n', "\r\n")),
        Mutation::Truncate(f) => (at(f), text.len(), String::new()),
    };
    format!("{}{with}{}", &text[..from], &text[to..])
}

/// A small uv.lock-like document from generated pieces.
fn generated(keys: &[String], values: &[String], headers: &[u8]) -> String {
    let mut t = String::from("version = 1\n");
    for (i, k) in keys.iter().enumerate() {
        match headers.get(i).copied().unwrap_or(0) % 6 {
            0 => t += "\n[[package]]\n",
            1 => t += &format!("[package.{k}]\n"),
            2 => t += &format!("[[package.{k}]]\n"),
            3 => t += &format!("[{k}]\n"),
            _ => {}
        }
        let v = &values[i % values.len()];
        t += &format!("{k} = {v}\n");
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn mutated_fixtures_read_the_same(
        pick in any::<prop::sample::Index>(),
        muts in prop::collection::vec(mutation(), 1..4),
    ) {
        let small = small();
        let (path, text) = &small[pick.index(small.len())];
        let mut t = text.clone();
        for m in &muts {
            t = apply(&t, m);
        }
        let (fast, full) = both(path, &t).unwrap();
        prop_assert_eq!(fast, full, "{} after {:?}", path.display(), muts);
        let same = generic_same(&t);
        prop_assert!(same.is_ok(), "{} after {:?}: {:?}", path.display(), muts, same);
    }

    #[test]
    fn generated_documents_read_the_same(
        keys in prop::collection::vec(
            "[a-z][a-z0-9_-]{0,6}|\"[a-z .]{0,4}\"|'[a-z .]{0,4}'|[a-z]{1,3}\\.[a-z]{1,3}|name|version|source",
            1..8,
        ),
        values in prop::collection::vec(
            "\"[a-z0-9 .\\\\\"]{0,6}\"|'[a-z \"]{0,5}'|[+-]?[0-9_]{1,5}|true|false|\\[( ?[0-9], ?){0,3}\\]|\\{ ?([a-z] = [0-9],? ?){0,3}\\}|\"\\\\u[0-9a-fA-F]{4}\"|\"\\\\U000[0-9a-fA-F]{5}\"|19[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9](\\.[0-9]{1,3})?(Z|[+-][01][0-9]:[0-5][0-9])",
            1..6,
        ),
        headers in prop::collection::vec(any::<u8>(), 0..8),
    ) {
        let t = generated(&keys, &values, &headers);
        let same = generic_same(&t);
        prop_assert!(same.is_ok(), "{}: {:?}", t, same);
        let path = root().join("fixtures/none/uv.lock");
        let (fast, full) = both(&path, &t).unwrap();
        prop_assert_eq!(fast, full, "{}", t);
    }
}

/// Every date-time-shaped token of the fixtures (`YYYY-MM-DDTHH:MM:SS…` after `= `).
fn fixture_datetimes() -> Vec<String> {
    let mut out = Vec::new();
    for (_, text) in corpus() {
        let b = text.as_bytes();
        for (i, w) in b.windows(11).enumerate() {
            if w[4] == b'-'
                && w[7] == b'-'
                && w[10] == b'T'
                && w[..4].iter().all(u8::is_ascii_digit)
            {
                let end = b[i..]
                    .iter()
                    .position(|&c| !(c.is_ascii_alphanumeric() || b"_:.+-".contains(&c)))
                    .map_or(b.len(), |n| i + n);
                out.push(text[i..end].to_string());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// `parse_datetime` reads `token` as `toml_datetime` does (the value, or an error).
fn datetime_same(token: &str) {
    let fast = super::parse_datetime(token);
    let full = token.parse::<toml::value::Datetime>().map_err(|_| ());
    assert_eq!(fast, full, "{token:?}");
}

#[test]
fn fast_datetimes_read_as_toml_datetime_does() {
    let fixtures = fixture_datetimes();
    assert!(fixtures.len() > 100, "{}", fixtures.len());
    for t in &fixtures {
        datetime_same(t);
        // and every one-byte change of it: digits, separators, signs, letters
        for i in 0..t.len() {
            for c in b"0123456789+-:.TZtz _\x00" {
                let mut m = t.as_bytes().to_vec();
                m[i] = *c;
                datetime_same(&String::from_utf8(m).unwrap());
            }
        }
    }
    // every month and day (leap years, days past the month's end), each time field at
    // and past its limit, and offsets at and past theirs
    for year in ["0000", "1900", "2000", "2023", "2024", "2100", "9999"] {
        for month in 0..=13 {
            for day in [0, 1, 28, 29, 30, 31, 32] {
                datetime_same(&format!("{year}-{month:02}-{day:02}T12:00:00Z"));
            }
        }
    }
    for (h, m, s) in [
        (0, 0, 0),
        (23, 59, 59),
        (23, 59, 60),
        (24, 0, 0),
        (0, 60, 0),
        (0, 0, 61),
        (99, 99, 99),
    ] {
        for off in [
            "Z", "+00:00", "-00:00", "+23:59", "-23:59", "+24:00", "-00:60", "+99:99", "+0530", "z",
        ] {
            datetime_same(&format!("2025-06-30T{h:02}:{m:02}:{s:02}{off}"));
            datetime_same(&format!("2025-06-30T{h:02}:{m:02}:{s:02}.123{off}"));
        }
    }
}

proptest! {
    #[test]
    fn generated_datetimes_read_as_toml_datetime_does(
        fields in proptest::collection::vec(0u8..64, 5),
        year in 0u16..10000,
        seps in proptest::collection::vec(prop_oneof![3 => Just(None), 1 => proptest::char::any().prop_map(Some)], 5),
        off in prop_oneof![Just("Z".to_string()), "[+-][0-9]{2}:[0-9]{2}", "[+-Zz0-9:.]{0,7}"],
    ) {
        let sep = |i: usize, d: char| seps[i].unwrap_or(d);
        let token = format!(
            "{year:04}{}{:02}{}{:02}{}{:02}{}{:02}{}{:02}{off}",
            sep(0, '-'), fields[0], sep(1, '-'), fields[1], sep(2, 'T'), fields[2],
            sep(3, ':'), fields[3], sep(4, ':'), fields[4]
        );
        datetime_same(&token);
    }
}

/// `TomlDatetime` reads what `Datetime` reads, through this module and through the
/// `toml` crate, and refuses what it refuses with the same message.
#[test]
fn toml_datetime_field_reads_as_datetime_does() {
    use super::TomlDatetime;
    use toml::value::Datetime;
    #[derive(serde::Deserialize, Debug)]
    struct Fast {
        t: Option<TomlDatetime>,
    }
    #[derive(serde::Deserialize, Debug)]
    struct Full {
        t: Option<Datetime>,
    }
    let mut docs = vec!["".to_string()];
    for v in [
        "2026-07-23T20:16:13Z",
        "2026-07-23T20:16:13.250Z",
        "2026-07-23T20:16:13-00:00",
        "2026-07-23T20:16:13+05:30",
        "2024-02-29T23:59:60Z",
        "2026-07-23 20:16:13Z",
        "2026-07-23T20:16:13",
        "2026-07-23",
        "20:16:13",
        "\"2026-07-23T20:16:13Z\"",
        "1",
        "[2026-07-23T20:16:13Z]",
        "{ a = 1 }",
    ] {
        docs.push(format!("t = {v}\n"));
    }
    for doc in &docs {
        let full = toml::from_str::<Full>(doc)
            .map(|f| f.t)
            .map_err(|e| e.to_string());
        let via_toml = toml::from_str::<Fast>(doc)
            .map(|f| f.t.map(|t| t.0))
            .map_err(|e| e.to_string());
        assert_eq!(via_toml, full, "{doc}");
        if let Some(fast) = super::from_str::<Fast>(doc) {
            assert_eq!(Ok(fast.t.map(|t| t.0)), full, "{doc}");
        }
    }
}

/// The tree's nodes stay small (they are moved and copied for every value).
#[test]
fn tree_nodes_are_small() {
    let (item, entry) = (
        std::mem::size_of::<super::Item<'_>>(),
        std::mem::size_of::<super::Entry<'_>>(),
    );
    assert!(item <= 40, "Item is {item} bytes");
    assert!(entry <= 64, "Entry is {entry} bytes");
}
