//! A fast, borrowing reader for the YAML that pnpm and Yarn berry write.
//!
//! pnpm (`js-yaml` with `lineWidth: 1000`, `noRefs`) and Yarn berry (`stringifySyml`)
//! write lockfiles of one deterministic shape: block mappings indented by two spaces,
//! block sequences of scalars (`- supports-color`), one-line flow mappings and sequences
//! of scalars (`resolution: {integrity: sha512-…}`, `cpu: [x64]`), one-line plain,
//! `'single'` or `"double"` quoted scalars, and `#` comment lines. This reader accepts
//! exactly that (any indentation width, as long as it is consistent) and returns `None`
//! for everything else, so that the caller uses the full YAML parser:
//!
//! - tabs, carriage returns, a byte-order mark, control characters, non-characters;
//! - document markers and directives (`---`, `...`, `%YAML`), anchors, aliases, tags,
//!   block scalars (`|`, `>`), multi-line scalars, complex keys (`?`), merge keys;
//! - nulls (`key:` with nothing under it, `~`, `null`), YAML 1.1 words (`yes`, `off`,
//!   …), any number other than a short plain decimal (`8`, `5.4`);
//! - trailing comments, nested flow collections, escapes other than `\\` and `\"`,
//!   keys over 1,000 bytes (YAML limits implicit keys to 1,024 characters);
//! - duplicate keys in any mapping, a root that is not a mapping, more than
//!   [`MAX_DEPTH`] levels or [`MAX_NODES`] nodes.
//!
//! Within the subset, the tree it builds is what the full parser reads: the
//! differential tests (`super::differential`) check it.

use std::borrow::Cow;
use std::collections::HashSet;

/// Deepest nesting accepted (the full parser's budget allows 32).
pub(crate) const MAX_DEPTH: usize = 24;
/// Most nodes accepted (the full parser's budget allows 20,000,000).
pub(crate) const MAX_NODES: usize = 5_000_000;

/// A scalar: its text (unescaped) and whether it was plain (unquoted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Scalar<'a> {
    /// The text, without quotes, escapes resolved.
    pub text: Cow<'a, str>,
    /// Unquoted: the YAML core schema may give it a type (number, bool).
    pub plain: bool,
}

/// One `key: value` of a mapping, with the key's 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pair<'a> {
    /// The key (always a string: other keys make the reader give up).
    pub key: Cow<'a, str>,
    /// 1-based line of the key.
    pub line: usize,
    /// The value.
    pub value: Node<'a>,
}

/// A YAML node of the subset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node<'a> {
    /// A scalar.
    Scalar(Scalar<'a>),
    /// A mapping, keys in file order (no duplicates).
    Map(Vec<Pair<'a>>),
    /// A sequence.
    Seq(Vec<Node<'a>>),
}

/// What the YAML core schema makes of a plain scalar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plain {
    /// A string.
    Str,
    /// `true` / `false`.
    Bool(bool),
    /// A short decimal number (`8`, `5.4`): `[0-9]{1,15}(\.[0-9]{1,15})?`.
    Decimal,
}

/// Classify a plain scalar; `None` for those the reader does not interpret (nulls,
/// other booleans, YAML 1.1 words, other numbers).
pub(crate) fn classify(s: &str) -> Option<Plain> {
    match s {
        "true" => return Some(Plain::Bool(true)),
        "false" => return Some(Plain::Bool(false)),
        "" | "~" | "null" | "Null" | "NULL" | "True" | "TRUE" | "False" | "FALSE" | "y" | "Y"
        | "yes" | "Yes" | "YES" | "n" | "N" | "no" | "No" | "NO" | "on" | "On" | "ON" | "off"
        | "Off" | "OFF" => return None,
        _ => {}
    }
    let b = s.as_bytes();
    let first = b.first().copied().unwrap_or(b' ');
    let body = match first {
        b'+' | b'-' => b.get(1..).unwrap_or(&[]),
        _ => b,
    };
    // Most scalars (names, ranges, hashes, URLs) start with a letter that begins no
    // number and none of the words below: a string, without the checks.
    let unsigned = s.trim_start_matches(['+', '-']);
    let may_be_special = matches!(
        unsigned.as_bytes().first(),
        Some(b'.' | b'i' | b'I' | b'n' | b'N')
    );
    let numeric_start = body
        .first()
        .is_some_and(|c| c.is_ascii_digit() || *c == b'.');
    if !may_be_special && !numeric_start {
        return Some(Plain::Str);
    }
    // 0x…, 0o…, 0b… (YAML 1.1 and 1.2 integers), or digits with `._+-eE`
    let digits_of = |set: fn(&u8) -> bool| {
        let rest = body.get(2..).unwrap_or(&[]);
        !rest.is_empty() && rest.iter().all(|c| *c == b'_' || set(c))
    };
    let radix = body.first() == Some(&b'0')
        && match body.get(1) {
            Some(b'x' | b'X') => digits_of(u8::is_ascii_hexdigit),
            Some(b'o' | b'O') => digits_of(|c| (b'0'..=b'7').contains(c)),
            Some(b'b' | b'B') => digits_of(|c| *c == b'0' || *c == b'1'),
            _ => false,
        };
    let looks_numeric = radix
        || (body.iter().any(u8::is_ascii_digit)
            && body
                .first()
                .is_some_and(|c| c.is_ascii_digit() || *c == b'.')
            && body
                .iter()
                .all(|c| c.is_ascii_digit() || b"._+-eE".contains(c))
            && body.iter().filter(|c| **c == b'.').count() <= 1);
    let special = [".inf", ".nan", "inf", "nan", "infinity"]
        .iter()
        .any(|w| unsigned.eq_ignore_ascii_case(w));
    if special {
        return None;
    }
    if !looks_numeric {
        return Some(Plain::Str);
    }
    // numeric-looking: only short plain decimals are interpreted
    let mut parts = s.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    let digits = |p: &str| !p.is_empty() && p.len() <= 15 && p.bytes().all(|c| c.is_ascii_digit());
    if digits(int) && frac.is_none_or(digits) {
        Some(Plain::Decimal)
    } else {
        None
    }
}

/// One meaningful line: 1-based number, indentation, text after it (no trailing blanks).
struct Line<'a> {
    no: usize,
    indent: usize,
    body: &'a str,
}

struct Reader<'a> {
    lines: Vec<Line<'a>>,
    pos: usize,
    nodes: usize,
}

/// Read `text` if it is within the subset; `None` otherwise.
pub(crate) fn parse(text: &str) -> Option<Node<'_>> {
    if !chars_ok(text) {
        return None;
    }
    let mut lines = Vec::with_capacity(text.len() / 24);
    for (i, raw) in text.split('\n').enumerate() {
        // a document marker or directive line
        if raw.starts_with("---") || raw.starts_with("...") || raw.starts_with('%') {
            return None;
        }
        let body = raw.trim_start_matches(' ');
        let body = body.trim_end_matches(' ');
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let indent = raw.len() - raw.trim_start_matches(' ').len();
        lines.push(Line {
            no: i + 1,
            indent,
            body,
        });
    }
    let mut r = Reader {
        lines,
        pos: 0,
        nodes: 0,
    };
    let first = r.lines.first()?;
    if first.indent != 0 || first.body.starts_with('-') {
        return None;
    }
    let root = r.block_map(0, 0)?;
    (r.pos == r.lines.len()).then_some(root)
}

/// No tab, CR, BOM, control character or non-character anywhere (document markers and
/// directives are refused line by line, by [`parse`]).
fn chars_ok(text: &str) -> bool {
    let b = text.as_bytes();
    if b.iter().any(|&c| (c < 0x20 && c != b'\n') || c == 0x7f) {
        return false;
    }
    !(b.iter().any(|&c| c >= 0x80)
        && text.chars().any(|c| {
            c.is_control()
                || matches!(
                    c,
                    '\u{feff}' | '\u{2028}' | '\u{2029}' | '\u{fffe}' | '\u{ffff}' | '\u{85}'
                )
        }))
}

impl<'a> Reader<'a> {
    fn count(&mut self) -> Option<()> {
        self.nodes += 1;
        (self.nodes <= MAX_NODES).then_some(())
    }

    /// A block mapping whose keys are at `indent`.
    fn block_map(&mut self, indent: usize, depth: usize) -> Option<Node<'a>> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.count()?;
        let mut pairs: Vec<Pair<'a>> = Vec::new();
        let mut seen: Option<HashSet<Cow<'a, str>>> = None;
        // keys strictly increasing so far (the tools write most mappings sorted)
        let mut sorted = true;
        while let Some(line) = self.lines.get(self.pos) {
            if line.indent < indent {
                break;
            }
            if line.indent > indent || line.body.starts_with("- ") || line.body == "-" {
                return None;
            }
            let (no, body) = (line.no, line.body);
            self.pos += 1;
            let (key, rest) = key(body)?;
            let value = if rest.is_empty() {
                // a nested block (a null value is outside the subset)
                let next = self.lines.get(self.pos)?;
                if next.indent <= indent {
                    return None;
                }
                let child = next.indent;
                if next.body.starts_with("- ") {
                    self.block_seq(child, depth + 1)?
                } else {
                    self.block_map(child, depth + 1)?
                }
            } else {
                let v = inline_value(rest, depth + 1, &mut self.nodes)?;
                // a deeper line after a scalar would continue it: outside the subset
                if self.lines.get(self.pos).is_some_and(|n| n.indent > indent) {
                    return None;
                }
                v
            };
            // duplicate keys: none while the keys are strictly increasing; else a scan
            // for small maps, a set for large ones
            sorted = sorted && pairs.last().is_none_or(|p| p.key < key);
            if !sorted {
                if pairs.len() < 16 {
                    if pairs.iter().any(|p| p.key == key) {
                        return None;
                    }
                } else {
                    let set =
                        seen.get_or_insert_with(|| pairs.iter().map(|p| p.key.clone()).collect());
                    if !set.insert(key.clone()) {
                        return None;
                    }
                }
            }
            pairs.push(Pair {
                key,
                line: no,
                value,
            });
        }
        Some(Node::Map(pairs))
    }

    /// A block sequence of scalars whose `- ` is at `indent`.
    fn block_seq(&mut self, indent: usize, depth: usize) -> Option<Node<'a>> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.count()?;
        let mut items = Vec::new();
        while let Some(line) = self.lines.get(self.pos) {
            if line.indent < indent {
                break;
            }
            if line.indent > indent {
                return None;
            }
            let item = line.body.strip_prefix("- ")?.trim_start_matches(' ');
            self.pos += 1;
            let v = match item.as_bytes().first() {
                Some(b'{' | b'[') => inline_value(item, depth + 1, &mut self.nodes)?,
                _ => {
                    self.count()?;
                    Node::Scalar(block_scalar(item)?)
                }
            };
            if self.lines.get(self.pos).is_some_and(|n| n.indent > indent) {
                return None;
            }
            items.push(v);
        }
        Some(Node::Seq(items))
    }
}

/// Split `key: rest` / `key:` into the key and the (possibly empty) rest after `: `.
fn key(body: &str) -> Option<(Cow<'_, str>, &str)> {
    let (k, after) = match body.as_bytes().first()? {
        b'"' | b'\'' => {
            let (s, rest) = quoted(body)?;
            (s, rest)
        }
        _ => {
            let end = match body.find(": ") {
                Some(i) => i,
                None => body.strip_suffix(':').map(str::len)?,
            };
            let k = body.get(..end)?;
            if !plain_ok(k, false) || classify(k) != Some(Plain::Str) || k == "<<" {
                return None;
            }
            (Cow::Borrowed(k), body.get(end..)?)
        }
    };
    // YAML limits implicit keys to 1024 characters: leave long ones to the full parser
    if body.len() - after.len() > 1000 {
        return None;
    }
    let rest = after.strip_prefix(':')?;
    if rest.is_empty() {
        return Some((k, rest));
    }
    let rest = rest.strip_prefix(' ')?.trim_start_matches(' ');
    Some((k, rest))
}

/// The value after `key: ` on the same line.
fn inline_value<'a>(s: &'a str, depth: usize, nodes: &mut usize) -> Option<Node<'a>> {
    *nodes += 1;
    if *nodes > MAX_NODES || depth > MAX_DEPTH {
        return None;
    }
    match s.as_bytes().first()? {
        b'{' => flow_map(s, nodes),
        b'[' => flow_seq(s, nodes),
        _ => Some(Node::Scalar(block_scalar(s)?)),
    }
}

/// A whole-line scalar in block context: quoted (nothing after it) or plain.
fn block_scalar(s: &str) -> Option<Scalar<'_>> {
    match s.as_bytes().first()? {
        b'"' | b'\'' => {
            let (text, rest) = quoted(s)?;
            rest.is_empty().then_some(Scalar { text, plain: false })
        }
        _ => (plain_ok(s, false) && classify(s).is_some()).then_some(Scalar {
            text: Cow::Borrowed(s),
            plain: true,
        }),
    }
}

/// A plain scalar the reader accepts: no indicator first, no `: ` / ` #` inside, no
/// `:` last; in flow context, none of `,[]{}`.
fn plain_ok(s: &str, flow: bool) -> bool {
    let b = s.as_bytes();
    let Some(&first) = b.first() else {
        return false;
    };
    if b"-?:,[]{}#&*!|>'\"%@`".contains(&first) || first == b' ' {
        return false;
    }
    if s.ends_with(':') || s.ends_with(' ') {
        return false;
    }
    // no `: ` or ` #` inside, and in flow context none of `,[]{}` (one pass)
    let mut prev = 0u8;
    for &c in b {
        if (prev == b':' && c == b' ')
            || (prev == b' ' && c == b'#')
            || (flow && matches!(c, b',' | b'[' | b']' | b'{' | b'}'))
        {
            return false;
        }
        prev = c;
    }
    true
}

/// A quoted scalar at the start of `s`: its text and the rest of the line after it.
fn quoted(s: &str) -> Option<(Cow<'_, str>, &str)> {
    let b = s.as_bytes();
    let q = *b.first()?;
    let body = s.get(1..)?;
    let mut owned: Option<String> = None;
    let mut start = 0; // start of the not yet copied run in `body`
    let bb = body.as_bytes();
    let mut i = 0;
    while let Some(&c) = bb.get(i) {
        if c == q {
            if q == b'\'' && bb.get(i + 1) == Some(&b'\'') {
                let o = owned.get_or_insert_with(String::new);
                o.push_str(body.get(start..i)?);
                o.push('\'');
                i += 2;
                start = i;
                continue;
            }
            let text = match owned {
                Some(mut o) => {
                    o.push_str(body.get(start..i)?);
                    Cow::Owned(o)
                }
                None => Cow::Borrowed(body.get(..i)?),
            };
            return Some((text, body.get(i + 1..)?));
        }
        if q == b'"' && c == b'\\' {
            let e = match bb.get(i + 1)? {
                b'\\' => '\\',
                b'"' => '"',
                _ => return None,
            };
            let o = owned.get_or_insert_with(String::new);
            o.push_str(body.get(start..i)?);
            o.push(e);
            i += 2;
            start = i;
            continue;
        }
        i += 1;
    }
    None
}

/// A one-line flow collection `open item, item close` filling the rest of the line:
/// `item` reads one item at the start of its argument and returns the rest after it.
fn flow_items<'a>(
    s: &'a str,
    open: char,
    close: char,
    mut item: impl FnMut(&'a str) -> Option<&'a str>,
) -> Option<()> {
    let mut rest = s.strip_prefix(open)?.trim_start_matches(' ');
    if let Some(r) = rest.strip_prefix(close) {
        return r.is_empty().then_some(());
    }
    loop {
        let r = item(rest)?.trim_start_matches(' ');
        if let Some(r) = r.strip_prefix(", ") {
            rest = r.trim_start_matches(' ');
            continue;
        }
        return r.strip_prefix(close)?.is_empty().then_some(());
    }
}

/// A one-line flow mapping of scalars `{a: b, c: 'd'}` filling the rest of the line.
fn flow_map<'a>(s: &'a str, nodes: &mut usize) -> Option<Node<'a>> {
    let mut pairs: Vec<Pair<'a>> = Vec::new();
    flow_items(s, '{', '}', |rest| {
        let (key, r) = flow_scalar(rest)?;
        // quoted keys are strings; plain ones must read as strings
        if key.plain && classify(&key.text) != Some(Plain::Str) {
            return None;
        }
        let r = r.strip_prefix(": ")?.trim_start_matches(' ');
        let (value, r) = flow_scalar(r)?;
        *nodes += 2;
        if *nodes > MAX_NODES || pairs.iter().any(|p| p.key == key.text) {
            return None;
        }
        pairs.push(Pair {
            key: key.text,
            line: 0,
            value: Node::Scalar(value),
        });
        Some(r)
    })?;
    Some(Node::Map(pairs))
}

/// A one-line flow sequence of scalars `[a, 'b']` filling the rest of the line.
fn flow_seq<'a>(s: &'a str, nodes: &mut usize) -> Option<Node<'a>> {
    let mut items = Vec::new();
    flow_items(s, '[', ']', |rest| {
        let (v, r) = flow_scalar(rest)?;
        *nodes += 1;
        if *nodes > MAX_NODES {
            return None;
        }
        items.push(Node::Scalar(v));
        Some(r)
    })?;
    Some(Node::Seq(items))
}

/// A scalar inside a flow collection and the rest after it.
fn flow_scalar(s: &str) -> Option<(Scalar<'_>, &str)> {
    match s.as_bytes().first()? {
        b'"' | b'\'' => {
            let (text, rest) = quoted(s)?;
            Some((Scalar { text, plain: false }, rest))
        }
        _ => {
            // a plain scalar ends at `,`, `}`, `]`, or a `:` followed by a space, one
            // of those or the end
            let b = s.as_bytes();
            let end = (0..b.len())
                .find(|&i| match b.get(i) {
                    Some(b',' | b'}' | b']') => true,
                    Some(b':') => matches!(b.get(i + 1), None | Some(b' ' | b',' | b'}' | b']')),
                    _ => false,
                })
                .unwrap_or(s.len());
            let text = s.get(..end)?.trim_end_matches(' ');
            if !plain_ok(text, true) || classify(text).is_none() {
                return None;
            }
            Some((
                Scalar {
                    text: Cow::Borrowed(text),
                    plain: true,
                },
                s.get(end..)?,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_plain_scalars() {
        assert_eq!(classify("18.3.1"), Some(Plain::Str));
        assert_eq!(classify("10c0"), Some(Plain::Str));
        assert_eq!(
            classify("0b1a70"),
            Some(Plain::Str),
            "a checksum, not a binary number"
        );
        assert_eq!(classify("^1.2.0"), Some(Plain::Str));
        assert_eq!(classify("8"), Some(Plain::Decimal));
        assert_eq!(classify("5.4"), Some(Plain::Decimal));
        assert_eq!(classify("true"), Some(Plain::Bool(true)));
        for other in [
            "1e3", "0x1F", "0o17", "-1", ".5", "1_000", ".inf", "~", "null", "yes", "Off", "1.",
            "True",
        ] {
            assert_eq!(classify(other), None, "{other}");
        }
    }

    #[test]
    fn classify_shortcut_keeps_words_and_numbers() {
        // letters that begin no number and no special word: strings
        for s in [
            "info", "nano", "Nope", "index", "a1", "z.5", "sha512-x", "x64", "@a/b",
        ] {
            assert_eq!(classify(s), Some(Plain::Str), "{s}");
        }
        // words and numbers behind the shortcut: as the YAML core schema reads them
        for s in [
            "inf", "-inf", "+.inf", ".NaN", "Infinity", "nan", "N", "n", "y", "NULL",
        ] {
            assert_eq!(classify(s), None, "{s}");
        }
        for (s, want) in [
            ("1.5", Some(Plain::Decimal)),
            ("12", Some(Plain::Decimal)),
            (".5", None),
            ("0x1F", None),
            ("12abc", Some(Plain::Str)),
            ("1.2.3", Some(Plain::Str)),
            ("-1", None),
            ("--x", Some(Plain::Str)),
            ("-", Some(Plain::Str)),
        ] {
            assert_eq!(classify(s), want, "{s}");
        }
    }

    #[test]
    fn plain_ok_reads_every_scalar_as_the_searches_did() {
        let searched = |s: &str, flow: bool| {
            let b = s.as_bytes();
            let Some(&first) = b.first() else {
                return false;
            };
            !(b"-?:,[]{}#&*!|>'\"%@`".contains(&first)
                || first == b' '
                || s.ends_with(':')
                || s.contains(": ")
                || s.contains(" #")
                || s.ends_with(' ')
                || (flow && b.iter().any(|c| b",[]{}".contains(c))))
        };
        let alphabet = [":", " ", "#", ",", "[", "]", "}", "a", "-", "{"];
        let mut words = vec![String::new()];
        for _ in 0..4 {
            words = words
                .iter()
                .flat_map(|w| alphabet.iter().map(move |c| format!("{w}{c}")))
                .collect();
            for w in &words {
                for flow in [false, true] {
                    assert_eq!(plain_ok(w, flow), searched(w, flow), "{w:?} {flow}");
                }
            }
        }
    }

    #[test]
    fn duplicate_keys_are_found_in_sorted_and_unsorted_maps() {
        let map = |keys: &[String]| keys.iter().map(|k| format!("{k}: x\n")).collect::<String>();
        let sorted: Vec<String> = (0..40).map(|i| format!("k{i:02}")).collect();
        assert!(parse(&map(&sorted)).is_some());
        for at in [1, 10, 15, 16, 17, 39] {
            // the same key again right after, later out of order, and in a small map
            let mut again = sorted.clone();
            again.insert(at, sorted[at - 1].clone());
            assert!(parse(&map(&again)).is_none(), "after {at}");
            let mut late = sorted.clone();
            late.push(sorted[at].clone());
            assert!(parse(&map(&late)).is_none(), "late {at}");
            let mut shuffled: Vec<String> = sorted.iter().rev().cloned().collect();
            shuffled.push(sorted[at].clone());
            assert!(parse(&map(&shuffled)).is_none(), "reversed {at}");
            let small: Vec<String> = vec!["b".into(), "a".into(), sorted[at].clone(), "b".into()];
            assert!(parse(&map(&small)).is_none(), "small {at}");
        }
        let unsorted: Vec<String> = sorted.iter().rev().cloned().collect();
        assert!(parse(&map(&unsorted)).is_some());
    }

    #[test]
    fn reads_the_pnpm_shape() {
        let t = "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      a:\n        specifier: ^1\n        version: 1.0.0\n\npackages:\n\n  a@1.0.0:\n    resolution: {integrity: sha512-x, tarball: https://h/a.tgz}\n    cpu: [x64]\n    hasBin: true\n\nsnapshots:\n\n  a@1.0.0:\n    transitivePeerDependencies:\n      - supports-color\n";
        let Node::Map(root) = parse(t).unwrap() else {
            panic!()
        };
        assert_eq!(root.len(), 4);
        assert_eq!((root[2].key.as_ref(), root[2].line), ("packages", 11));
    }

    #[test]
    fn gives_up_outside_the_subset() {
        for t in [
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a:\n\tb: 1\n",
            "a: 1\r\n",
            "---\na: 1\n",
            "a: |\n  x\n",
            "a: b\n  c\n",
            "a:\nb: 1\n",
            "a: 1\na: 2\n",
            "a: {b: {c: 1}}\n",
            "a: 1 # c\n",
            "a: \"\\u0041\"\n",
            "- a\n",
            "? a\n: b\n",
            "\u{feff}a: 1\n",
            "a: 'x\n  y'\n",
            "a: {b:c}\n",
            "a: yes\n",
        ] {
            assert!(parse(t).is_none(), "{t:?}");
        }
        assert!(parse("a: 'it''s'\nb: \"q\\\"\"\n").is_some());
    }
}
