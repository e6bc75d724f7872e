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
//!
//! # Cost
//!
//! One pass over the text for the characters it refuses, then one over the lines: a
//! cursor reads the next meaningful line when the one before it is taken (no vector of
//! lines), each scalar is scanned once for where it ends and whether it is within the
//! subset, and each scalar's type ([`Plain`]) is decided once, when it is read, and kept
//! in the tree. Every string borrows from the text unless it held an escape. The pairs of
//! the mappings being read wait on one stack and each mapping takes its own, exactly
//! sized, when it ends (likewise the items of sequences), so a mapping costs one
//! allocation whatever its length.

use std::borrow::Cow;
use std::collections::HashSet;

/// Deepest nesting accepted (the full parser's budget allows 32).
pub(crate) const MAX_DEPTH: usize = 24;
/// Most nodes accepted (the full parser's budget allows 20,000,000).
pub(crate) const MAX_NODES: usize = 5_000_000;

/// A scalar: its text (unescaped), whether it was plain (unquoted), and its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Scalar<'a> {
    /// The text, without quotes, escapes resolved.
    pub text: Cow<'a, str>,
    /// Unquoted: the YAML core schema may give it a type (number, bool).
    pub plain: bool,
    /// What the YAML core schema makes of it: [`classify`] of a plain scalar (the
    /// reader keeps only those it classifies), [`Plain::Str`] for a quoted one.
    pub class: Plain,
}

impl Scalar<'_> {
    /// Read into a string field: quoted, or plain text that is a string or a short
    /// decimal (read as written, as the full parser reads it into a `String`).
    pub(crate) fn as_string(&self) -> Option<&str> {
        match self.class {
            Plain::Bool(_) if self.plain => None,
            _ => Some(&self.text),
        }
    }

    /// A string to any reader (quoted, or plain and neither a number nor a boolean):
    /// what an untagged `serde` enum sees as a string.
    pub(crate) fn as_untyped_string(&self) -> Option<&str> {
        (!self.plain || self.class == Plain::Str).then_some(&self.text)
    }

    /// A plain `true` / `false`.
    pub(crate) fn as_bool(&self) -> Option<bool> {
        match self.class {
            Plain::Bool(b) if self.plain => Some(b),
            _ => None,
        }
    }
}

/// One `key: value` of a mapping, with the key's 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pair<'a> {
    /// The key (always a string: other keys make the reader give up).
    pub key: Cow<'a, str>,
    /// 1-based line of the key (0 in a flow mapping).
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
    // Most scalars (names, ranges, hashes, URLs) start with a letter that begins no
    // number, no special word (`.inf`, `nan`) and none of the words below: a string.
    if let Some(first) = s.as_bytes().first()
        && first.is_ascii_alphabetic()
        && !b"tTfFnNyYoOiI".contains(first)
    {
        return Some(Plain::Str);
    }
    classify_all(s)
}

/// [`classify`] without its shortcut.
fn classify_all(s: &str) -> Option<Plain> {
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
#[derive(Clone, Copy)]
struct Line<'a> {
    no: usize,
    indent: usize,
    body: &'a str,
}

/// The reader: a cursor over the lines and the stacks the collections wait on.
struct Reader<'a> {
    text: &'a str,
    /// Byte offset of the first line not read yet.
    at: usize,
    /// 1-based number of that line.
    no: usize,
    /// The next meaningful line (read ahead by one).
    next: Option<Line<'a>>,
    /// A document marker or directive was met: the text is outside the subset.
    marker: bool,
    nodes: usize,
    /// Pairs of the mappings being read.
    pairs: Vec<Pair<'a>>,
    /// Items of the sequences being read.
    items: Vec<Node<'a>>,
}

/// Read `text` if it is within the subset; `None` otherwise.
pub(crate) fn parse(text: &str) -> Option<Node<'_>> {
    if !chars_ok(text) {
        return None;
    }
    let mut r = Reader {
        text,
        at: 0,
        no: 1,
        next: None,
        marker: false,
        nodes: 0,
        pairs: Vec::new(),
        items: Vec::new(),
    };
    r.advance();
    let first = r.next?;
    if first.indent != 0 || first.body.starts_with('-') {
        return None;
    }
    let root = r.block_map(0, 0)?;
    (r.next.is_none() && !r.marker).then_some(root)
}

/// No tab, CR, BOM, control character or non-character anywhere (document markers and
/// directives are refused line by line, by [`Reader::advance`]).
fn chars_ok(text: &str) -> bool {
    let b = text.as_bytes();
    // no early exit: the compiler turns the folds into a vector loop
    let control = b.iter().fold(false, |acc, &c| {
        acc | ((c < 0x20 && c != b'\n') | (c == 0x7f))
    });
    if control {
        return false;
    }
    let non_ascii = b.iter().fold(0u8, |acc, &c| acc | c) >= 0x80;
    !(non_ascii
        && text.chars().any(|c| {
            // (`'\n'` is a control character too: the lines' ends are allowed)
            (c.is_control() && c != '\n')
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

    /// Read ahead to the next meaningful line (`None` at the end, or at a document
    /// marker or directive, which also sets `marker`).
    fn advance(&mut self) {
        self.next = None;
        let text = self.text;
        while let Some(rest) = text.get(self.at..).filter(|r| !r.is_empty()) {
            let len = memchr::memchr(b'\n', rest.as_bytes()).unwrap_or(rest.len());
            let raw = rest.get(..len).unwrap_or("");
            let no = self.no;
            self.at += len + 1;
            self.no += 1;
            if raw.starts_with("---") || raw.starts_with("...") || raw.starts_with('%') {
                self.marker = true;
                return;
            }
            let body = raw.trim_start_matches(' ');
            let indent = raw.len() - body.len();
            let body = body.trim_end_matches(' ');
            if body.is_empty() || body.starts_with('#') {
                continue;
            }
            self.next = Some(Line { no, indent, body });
            return;
        }
    }

    /// A block mapping whose keys are at `indent`.
    fn block_map(&mut self, indent: usize, depth: usize) -> Option<Node<'a>> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.count()?;
        let start = self.pairs.len();
        let mut seen: Option<HashSet<Cow<'a, str>>> = None;
        // keys strictly increasing so far (the tools write most mappings sorted)
        let mut sorted = true;
        while let Some(line) = self.next {
            if line.indent < indent {
                break;
            }
            if line.indent > indent || line.body.starts_with("- ") || line.body == "-" {
                return None;
            }
            self.advance();
            let (key, rest) = key(line.body)?;
            let value = if rest.is_empty() {
                // a nested block (a null value is outside the subset)
                let next = self.next?;
                if next.indent <= indent {
                    return None;
                }
                if next.body.starts_with("- ") {
                    self.block_seq(next.indent, depth + 1)?
                } else {
                    self.block_map(next.indent, depth + 1)?
                }
            } else {
                let v = self.inline_value(rest, depth + 1)?;
                // a deeper line after a scalar would continue it: outside the subset
                if self.next.is_some_and(|n| n.indent > indent) {
                    return None;
                }
                v
            };
            // duplicate keys: none while the keys are strictly increasing; else a scan
            // for small maps, a set for large ones
            let pairs = self.pairs.get(start..).unwrap_or(&[]);
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
            self.pairs.push(Pair {
                key,
                line: line.no,
                value,
            });
        }
        Some(Node::Map(self.pairs.drain(start..).collect()))
    }

    /// A block sequence of scalars whose `- ` is at `indent`.
    fn block_seq(&mut self, indent: usize, depth: usize) -> Option<Node<'a>> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.count()?;
        let start = self.items.len();
        while let Some(line) = self.next {
            if line.indent < indent {
                break;
            }
            if line.indent > indent {
                return None;
            }
            let item = line.body.strip_prefix("- ")?.trim_start_matches(' ');
            self.advance();
            let v = match item.as_bytes().first() {
                Some(b'{' | b'[') => self.inline_value(item, depth + 1)?,
                _ => {
                    self.count()?;
                    Node::Scalar(block_scalar(item)?)
                }
            };
            if self.next.is_some_and(|n| n.indent > indent) {
                return None;
            }
            self.items.push(v);
        }
        Some(Node::Seq(self.items.drain(start..).collect()))
    }

    /// The value after `key: ` on the same line.
    fn inline_value(&mut self, s: &'a str, depth: usize) -> Option<Node<'a>> {
        self.count()?;
        if depth > MAX_DEPTH {
            return None;
        }
        match s.as_bytes().first()? {
            b'{' => self.flow_map(s),
            b'[' => self.flow_seq(s),
            _ => Some(Node::Scalar(block_scalar(s)?)),
        }
    }

    /// A one-line flow mapping of scalars `{a: b, c: 'd'}` filling the rest of the line.
    fn flow_map(&mut self, s: &'a str) -> Option<Node<'a>> {
        let start = self.pairs.len();
        let mut rest = s.strip_prefix('{')?.trim_start_matches(' ');
        if let Some(r) = rest.strip_prefix('}') {
            return r.is_empty().then_some(Node::Map(Vec::new()));
        }
        loop {
            let (key, r) = flow_scalar(rest)?;
            // quoted keys are strings; plain ones must read as strings
            if key.class != Plain::Str {
                return None;
            }
            let r = r.strip_prefix(": ")?.trim_start_matches(' ');
            let (value, r) = flow_scalar(r)?;
            self.nodes += 2;
            let pairs = self.pairs.get(start..).unwrap_or(&[]);
            if self.nodes > MAX_NODES || pairs.iter().any(|p| p.key == key.text) {
                return None;
            }
            self.pairs.push(Pair {
                key: key.text,
                line: 0,
                value: Node::Scalar(value),
            });
            let r = r.trim_start_matches(' ');
            match r.strip_prefix(", ") {
                Some(r) => rest = r.trim_start_matches(' '),
                None if r.strip_prefix('}')?.is_empty() => break,
                None => return None,
            }
        }
        Some(Node::Map(self.pairs.drain(start..).collect()))
    }

    /// A one-line flow sequence of scalars `[a, 'b']` filling the rest of the line.
    fn flow_seq(&mut self, s: &'a str) -> Option<Node<'a>> {
        let start = self.items.len();
        let mut rest = s.strip_prefix('[')?.trim_start_matches(' ');
        if let Some(r) = rest.strip_prefix(']') {
            return r.is_empty().then_some(Node::Seq(Vec::new()));
        }
        loop {
            let (v, r) = flow_scalar(rest)?;
            self.count()?;
            self.items.push(Node::Scalar(v));
            let r = r.trim_start_matches(' ');
            match r.strip_prefix(", ") {
                Some(r) => rest = r.trim_start_matches(' '),
                None if r.strip_prefix(']')?.is_empty() => break,
                None => return None,
            }
        }
        Some(Node::Seq(self.items.drain(start..).collect()))
    }
}

/// Split `key: rest` / `key:` into the key and the (possibly empty) rest after `: `.
fn key(body: &str) -> Option<(Cow<'_, str>, &str)> {
    let (k, after) = match body.as_bytes().first()? {
        b'"' | b'\'' => quoted(body)?,
        _ => {
            // the first `: `, else a `:` ending the line (`:` found by `memchr`)
            let b = body.as_bytes();
            let mut end = None;
            for i in memchr::memchr_iter(b':', b) {
                if matches!(b.get(i + 1), Some(b' ') | None) {
                    end = Some(i);
                    break;
                }
            }
            let end = end?;
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

/// A whole-line scalar in block context: quoted (nothing after it) or plain.
fn block_scalar(s: &str) -> Option<Scalar<'_>> {
    match s.as_bytes().first()? {
        b'"' | b'\'' => {
            let (text, rest) = quoted(s)?;
            rest.is_empty().then_some(Scalar {
                text,
                plain: false,
                class: Plain::Str,
            })
        }
        _ => {
            if !plain_ok(s, false) {
                return None;
            }
            Some(Scalar {
                text: Cow::Borrowed(s),
                plain: true,
                class: classify(s)?,
            })
        }
    }
}

/// Bytes that may not begin a plain scalar.
const INDICATORS: &[u8] = b"-?:,[]{}#&*!|>'\"%@`";

/// [`INDICATORS`] and the space, as a table: one load instead of a search of the list.
static NO_PLAIN_START: [bool; 256] = {
    let mut t = [false; 256];
    let mut k = 0;
    while k < INDICATORS.len() {
        t[INDICATORS[k] as usize] = true;
        k += 1;
    }
    t[b' ' as usize] = true;
    t
};

/// A plain scalar the reader accepts: no indicator first, no `: ` / ` #` inside, no
/// `:` last; in flow context, none of `,[]{}`.
fn plain_ok(s: &str, flow: bool) -> bool {
    let b = s.as_bytes();
    let Some(&first) = b.first() else {
        return false;
    };
    if NO_PLAIN_START[usize::from(first)] {
        return false;
    }
    if s.ends_with(':') || s.ends_with(' ') {
        return false;
    }
    if !flow {
        // no `: ` or ` #` inside: only the `:` and `#` bytes are looked at
        return memchr::memchr2_iter(b':', b'#', b).all(|i| match b.get(i) {
            Some(b':') => b.get(i + 1) != Some(&b' '),
            _ => i == 0 || b.get(i - 1) != Some(&b' '),
        });
    }
    // no `: ` or ` #` inside, and none of `,[]{}` (one pass)
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

/// A scalar inside a flow collection and the rest after it.
/// The bytes [`flow_scalar`] stops at: `,`, `}`, `]`, `:`, `[`, `{` and `#`.
static FLOW_STOP: [bool; 256] = {
    let mut t = [false; 256];
    let stops = *b",}]:[{#";
    let mut k = 0;
    while k < stops.len() {
        t[stops[k] as usize] = true;
        k += 1;
    }
    t
};

fn flow_scalar(s: &str) -> Option<(Scalar<'_>, &str)> {
    let b = s.as_bytes();
    let first = *b.first()?;
    if first == b'"' || first == b'\'' {
        let (text, rest) = quoted(s)?;
        let scalar = Scalar {
            text,
            plain: false,
            class: Plain::Str,
        };
        return Some((scalar, rest));
    }
    if NO_PLAIN_START[usize::from(first)] {
        return None;
    }
    // One pass: a plain scalar ends at `,`, `}`, `]`, or a `:` followed by a space, one
    // of those or the end; within it, `[`, `{` or ` #` put it outside the subset (as
    // `plain_ok` in flow context would say of the text).
    // The bytes between the ones that matter are skipped through a table (most of a
    // scalar is letters, digits and base64).
    let mut end = b.len();
    let mut i = 0;
    while let Some(off) = b
        .get(i..)
        .and_then(|t| t.iter().position(|&c| FLOW_STOP[c as usize]))
    {
        i += off;
        match b.get(i) {
            Some(b',' | b'}' | b']') => {
                end = i;
                break;
            }
            Some(b':') if matches!(b.get(i + 1), None | Some(b' ' | b',' | b'}' | b']')) => {
                end = i;
                break;
            }
            Some(b'[' | b'{') => return None,
            Some(b'#') if i > 0 && b.get(i - 1) == Some(&b' ') => return None,
            _ => {}
        }
        i += 1;
    }
    let text = s.get(..end)?.trim_end_matches(' ');
    // `a::}`: the first `:` is in the text, and may not end it
    if text.ends_with(':') {
        return None;
    }
    let class = classify(text)?;
    let scalar = Scalar {
        text: Cow::Borrowed(text),
        plain: true,
        class,
    };
    Some((scalar, s.get(end..)?))
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

    /// Every word of up to `n` characters of `alphabet`.
    fn words(alphabet: &[&str], n: usize) -> Vec<String> {
        let mut all = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..n {
            last = last
                .iter()
                .flat_map(|w| alphabet.iter().map(move |c| format!("{w}{c}")))
                .collect();
            all.extend(last.iter().cloned());
        }
        all
    }

    #[test]
    fn classify_shortcut_agrees_with_the_whole_test() {
        let alphabet = [
            "a", "t", "T", "f", "n", "N", "y", "o", "O", "i", "I", "e", "x", "b", "0", "1", ".",
            "-", "+", "_", "r", "u", "l", "s", "@",
        ];
        for w in words(&alphabet, 3) {
            assert_eq!(classify(&w), classify_all(&w), "{w:?}");
        }
        for w in [
            "true", "false", "null", "Null", "True", "yes", "Yes", "no", "on", "Off", "inf",
            "Infinity", "nan", "NaN", "zebra", "xyz", "alpha", "bool",
        ] {
            assert_eq!(classify(w), classify_all(w), "{w:?}");
        }
    }

    #[test]
    fn flow_scalar_reads_plain_scalars_as_the_end_search_and_checks_did() {
        // the reading before the one-pass scan: find the end, then `plain_ok` in flow
        // context and `classify` on the text
        let reference = |s: &str| -> Option<(String, Plain, String)> {
            let b = s.as_bytes();
            let end = (0..b.len())
                .find(|&i| match b[i] {
                    b',' | b'}' | b']' => true,
                    b':' => matches!(b.get(i + 1), None | Some(b' ' | b',' | b'}' | b']')),
                    _ => false,
                })
                .unwrap_or(s.len());
            let text = s[..end].trim_end_matches(' ');
            if !plain_ok(text, true) {
                return None;
            }
            let class = classify(text)?;
            Some((text.to_string(), class, s[end..].to_string()))
        };
        let alphabet = [
            ":", " ", "#", ",", "[", "]", "}", "{", "a", "-", "1", "/", "t",
        ];
        for w in words(&alphabet, 5) {
            if w.starts_with(['\'', '"']) {
                continue;
            }
            let got = flow_scalar(&w).map(|(s, r)| {
                assert!(s.plain);
                (s.text.to_string(), s.class, r.to_string())
            });
            assert_eq!(got, reference(&w), "{w:?}");
        }
    }

    #[test]
    fn the_indicator_table_holds_the_indicators_and_the_space() {
        for c in 0..=255u8 {
            assert_eq!(
                NO_PLAIN_START[usize::from(c)],
                INDICATORS.contains(&c) || c == b' ',
                "{c}"
            );
        }
    }

    #[test]
    fn key_scan_splits_as_the_byte_loop_did() {
        // the reading before `memchr`: a byte loop for the first `: ` or a last `:`
        let reference = |body: &str| -> Option<(String, String)> {
            let b = body.as_bytes();
            if matches!(b.first()?, b'"' | b'\'') {
                let (k, r) = key(body)?;
                return Some((k.into_owned(), r.to_string()));
            }
            let end = (0..b.len())
                .find(|&i| b[i] == b':' && matches!(b.get(i + 1), Some(b' ') | None))?;
            let k = &body[..end];
            if !plain_ok(k, false) || classify(k) != Some(Plain::Str) || k == "<<" {
                return None;
            }
            if end > 1000 {
                return None;
            }
            let rest = &body[end + 1..];
            let rest = if rest.is_empty() {
                rest
            } else {
                rest.strip_prefix(' ')?.trim_start_matches(' ')
            };
            Some((k.to_string(), rest.to_string()))
        };
        let alphabet = [":", " ", "#", "a", "-", "1", "/", "<", "'"];
        for w in words(&alphabet, 6) {
            let got = key(&w).map(|(k, r)| (k.into_owned(), r.to_string()));
            assert_eq!(got, reference(&w), "{w:?}");
        }
        let long = format!("{}: x", "k".repeat(1001));
        assert_eq!(key(&long), None);
        let edge = format!("{}: x", "k".repeat(1000));
        assert!(key(&edge).is_some());
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
