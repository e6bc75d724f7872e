//! A fast reader for the TOML that lockfile tools write, with the `toml` crate as the
//! fallback for everything else.
//!
//! Cargo, uv, poetry, pdm and pip write their lockfiles in a small corner of TOML. This
//! module reads that corner in one pass over the text into a borrowed tree and
//! deserializes the readers' serde structs from it (including `toml::Spanned` fields,
//! with the `toml` crate's spans, and `toml::value::Datetime`). Anything outside the
//! corner makes [`from_str`] return `None` (it *declines*), and the caller
//! ([`super::lines::LineIndex::toml`]) then parses the text with `toml::from_str`, so that
//! errors, messages and every edge case stay exactly the `toml` crate's.
//!
//! **The subset** (everything else declines):
//! - lines: blank, comment, `key = value`, `[a.b]` and `[[a.b]]` headers (bare or quoted
//!   keys, dotted only in headers, white space around keys and dots), each ending in
//!   an optional comment and `\n`, `\r\n` or the end of the text;
//! - keys: bare (`A-Za-z0-9_-`), basic quoted without escapes, literal quoted;
//! - values: basic strings (escapes `\b \t \n \f \r \" \\ \uXXXX \UXXXXXXXX`), literal
//!   strings, decimal integers that fit an `i64` (signs, `_` between digits, no leading
//!   zero), `true`/`false`, offset date-times of the form `YYYY-MM-DDTHH:MM:SS[.f](Z|±HH:MM)`,
//!   arrays (over several lines, with comments and a trailing comma), one-line inline
//!   tables without a trailing comma;
//! - tables: the `toml` crate's rules for headers (a header may define a table that an
//!   earlier header created implicitly; `[[x]]` appends to an array of tables; anything
//!   else that meets an existing key declines), and no key twice in a table;
//! - at most 16 levels of nesting, at most 16 keys in a header.
//!
//! Declined: multi-line strings, floats, other integer forms, local dates and times,
//! dotted keys outside headers, escapes in keys, control characters (other than tab)
//! anywhere, a lone `\r`, a byte-order mark, duplicate keys, redefined tables. A serde
//! error while deserializing (a missing field, a wrong type) also declines, so the error
//! the user sees is the `toml` crate's.
//!
//! `differential.rs` checks that every TOML lockfile under `tests/`, mutated texts and
//! generated documents read the same through this module and through the `toml` crate.

mod de;
#[cfg(test)]
mod differential;

use std::borrow::Cow;
use toml::value::Datetime;

/// The fast path does not take this text (or failed on it): use the `toml` crate.
#[derive(Debug)]
pub(crate) struct Decline;

type R<T> = Result<T, Decline>;

/// Deepest nesting of arrays and inline tables, and most keys in a header.
const DEPTH: usize = 16;

/// Largest table searched for a header's key; bigger ones decline (no quadratic time).
const SCAN: usize = 512;

#[cfg(test)]
thread_local! {
    static FORCE_FULL: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Run `f` with the fast path switched off on this thread (differential tests).
#[cfg(test)]
pub(crate) fn with_full_parser<T>(f: impl FnOnce() -> T) -> T {
    FORCE_FULL.with(|c| c.set(true));
    let r = f();
    FORCE_FULL.with(|c| c.set(false));
    r
}

/// Deserialize `text` through the fast path; `None` when it declines (outside the
/// subset, or any error), so the caller must then use `toml::from_str`.
pub(crate) fn from_str<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    #[cfg(test)]
    if FORCE_FULL.with(|c| c.get()) {
        return None;
    }
    let root = parse(text).ok()?;
    let item = Item {
        start: 0,
        end: 0,
        value: Value::Table(root, Kind::Explicit),
    };
    T::deserialize(de::ValueDe { item: &item }).ok()
}

/// A value and its span (byte offsets, as the `toml` crate gives them; texts over
/// 4 GiB decline, so they fit a `u32`, which keeps the tree small).
#[derive(Debug)]
pub(crate) struct Item<'a> {
    start: u32,
    end: u32,
    value: Value<'a>,
}

#[derive(Debug)]
enum Value<'a> {
    Str(Cow<'a, str>),
    Int(i64),
    Bool(bool),
    /// A date-time's text (read by [`parse_datetime`] when it was parsed).
    Datetime(&'a str),
    /// Elements, and whether it is an array of tables (`[[x]]`).
    Array(Vec<Item<'a>>, bool),
    /// Entries, and how the table was made (beside the tag: the tree's nodes stay small).
    Table(Table<'a>, Kind),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Kind {
    /// Made by a header's path (`a` of `[a.b]`); a later `[a]` may define it.
    Implicit,
    /// The root, or defined by a header.
    #[default]
    Explicit,
    /// `{ … }`: closed.
    Inline,
}

/// A table's entries.
type Table<'a> = Vec<Entry<'a>>;

#[derive(Debug)]
struct Entry<'a> {
    key: Key<'a>,
    item: Item<'a>,
}

/// A key's text (without quotes) and the span of its token (with them).
#[derive(Debug, Clone, Copy)]
struct Key<'a> {
    name: &'a str,
    start: u32,
    end: u32,
}

struct Header<'a> {
    path: Vec<Key<'a>>,
    key: Key<'a>,
    start: u32,
    end: u32,
    array: bool,
}

/// Parse `text` into its root table, or decline.
fn parse(text: &str) -> R<Table<'_>> {
    if text.starts_with('\u{feff}') || u32::try_from(text.len()).is_err() {
        return Err(Decline);
    }
    let mut p = Parser {
        s: text,
        b: text.as_bytes(),
        i: 0,
    };
    let mut root = Table::default();
    let mut current = Table::default();
    let mut header: Option<Header<'_>> = None;
    loop {
        p.skip_ws();
        let Some(&c) = p.b.get(p.i) else { break };
        match c {
            b'\n' => p.i += 1,
            b'\r' | b'#' => p.end_of_line()?,
            b'[' => {
                let h = p.header()?;
                p.end_of_line()?;
                finish_table(&mut root, header.take(), std::mem::take(&mut current))?;
                start_table(&mut root, &h, &mut current)?;
                header = Some(h);
            }
            _ => {
                let key = p.key()?;
                p.skip_ws();
                p.expect(b'=')?;
                p.skip_ws();
                let item = p.value(0)?;
                p.end_of_line()?;
                current.push(Entry { key, item });
            }
        }
    }
    finish_table(&mut root, header, current)?;
    check_table(&mut root)?;
    Ok(root)
}

/// The index of `name` in `t` (keys are unique once [`check_table`] passed; before,
/// the first is as good as any since a duplicate declines in the end).
fn find(t: &Table<'_>, name: &str) -> R<Option<usize>> {
    if t.len() > SCAN {
        return Err(Decline);
    }
    Ok(t.iter().position(|e| e.key.name == name))
}

/// The `toml` crate's `descend_path` for headers: walk `path` from `t`, making implicit
/// tables, entering the last table of an array of tables; anything else declines.
fn descend<'t, 'a>(mut t: &'t mut Table<'a>, path: &[Key<'a>]) -> R<&'t mut Table<'a>> {
    for key in path {
        let idx = match find(t, key.name)? {
            Some(i) => i,
            None => {
                t.push(Entry {
                    key: *key,
                    item: Item {
                        start: key.start,
                        end: key.end,
                        value: Value::Table(Vec::new(), Kind::Implicit),
                    },
                });
                t.len() - 1
            }
        };
        let cur = t;
        t = match &mut cur[idx].item.value {
            Value::Array(v, true) => match v.last_mut() {
                Some(Item {
                    value: Value::Table(last, _),
                    ..
                }) => last,
                _ => return Err(Decline),
            },
            Value::Table(child, kind) if *kind != Kind::Inline => child,
            _ => return Err(Decline),
        };
    }
    Ok(t)
}

/// A header starts: `[x]` takes over an implicit table `x` (keeping its children).
fn start_table<'a>(root: &mut Table<'a>, h: &Header<'a>, current: &mut Table<'a>) -> R<()> {
    if !h.array {
        let parent = descend(root, &h.path)?;
        if let Some(idx) = find(parent, h.key.name)? {
            let old = parent.swap_remove(idx);
            match old.item.value {
                Value::Table(t, Kind::Implicit) => *current = t,
                _ => return Err(Decline),
            }
        }
    }
    Ok(())
}

/// The lines after a header end: put the table in its place (spanning the header).
fn finish_table<'a>(root: &mut Table<'a>, h: Option<Header<'a>>, current: Table<'a>) -> R<()> {
    let Some(h) = h else {
        *root = current;
        return Ok(());
    };
    let parent = descend(root, &h.path)?;
    let item = Item {
        start: h.start,
        end: h.end,
        value: Value::Table(current, Kind::Explicit),
    };
    if !h.array {
        parent.push(Entry { key: h.key, item });
        return Ok(());
    }
    match find(parent, h.key.name)? {
        None => parent.push(Entry {
            key: h.key,
            item: Item {
                start: h.start,
                end: h.end,
                value: Value::Array(vec![item], true),
            },
        }),
        Some(idx) => match &mut parent[idx].item.value {
            Value::Array(v, true) => v.push(item),
            _ => return Err(Decline),
        },
    }
    Ok(())
}

/// Sort every table's keys (the `toml` crate hands them out in that order) and decline
/// on a key that is there twice.
fn check_table(t: &mut Table<'_>) -> R<()> {
    if t.len() > 1 {
        t.sort_unstable_by(|a, b| a.key.name.cmp(b.key.name));
        if t.windows(2).any(|w| w[0].key.name == w[1].key.name) {
            return Err(Decline);
        }
    }
    t.iter_mut().try_for_each(|e| check_item(&mut e.item))
}

fn check_item(item: &mut Item<'_>) -> R<()> {
    match &mut item.value {
        Value::Table(t, _) => check_table(t),
        Value::Array(v, _) => v.iter_mut().try_for_each(check_item),
        _ => Ok(()),
    }
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

/// A byte offset as the tree keeps it (`parse` declined texts over `u32::MAX` bytes).
fn pos(i: usize) -> u32 {
    i as u32
}

/// A byte TOML does not allow raw in strings and comments (controls other than tab).
fn is_control(c: u8) -> bool {
    (c < 0x20 && c != b'\t') || c == 0x7f
}

fn is_bare(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn expect(&mut self, c: u8) -> R<()> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(Decline)
        }
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t') = self.peek() {
            self.i += 1;
        }
    }

    /// After a line's content: white space, an optional comment, then a newline or the
    /// end of the text.
    fn end_of_line(&mut self) -> R<()> {
        self.skip_ws();
        if self.peek() == Some(b'#') {
            self.i += 1;
            while let Some(c) = self.peek() {
                if c == b'\n' || c == b'\r' {
                    break;
                }
                if is_control(c) {
                    return Err(Decline);
                }
                self.i += 1;
            }
        }
        match self.peek() {
            None => Ok(()),
            Some(b'\n') => {
                self.i += 1;
                Ok(())
            }
            Some(b'\r') if self.b.get(self.i + 1) == Some(&b'\n') => {
                self.i += 2;
                Ok(())
            }
            _ => Err(Decline),
        }
    }

    /// White space, newlines and comments between array elements.
    fn skip_array_space(&mut self) -> R<()> {
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'\n' | b'\r' | b'#') => self.end_of_line()?,
                _ => return Ok(()),
            }
        }
    }

    /// One key: bare, or quoted without escapes.
    fn key(&mut self) -> R<Key<'a>> {
        let start = self.i;
        match self.peek() {
            Some(q @ (b'"' | b'\'')) => {
                let from = start + 1;
                let mut j = from;
                loop {
                    let c = *self.b.get(j).ok_or(Decline)?;
                    if c == q {
                        break;
                    }
                    if is_control(c) || c == b'\\' && q == b'"' {
                        return Err(Decline);
                    }
                    j += 1;
                }
                if q == b'"' && j == from && self.b.get(j + 1) == Some(&b'"') {
                    return Err(Decline); // `"""`
                }
                self.i = j + 1;
                Ok(Key {
                    name: &self.s[from..j],
                    start: pos(start),
                    end: pos(self.i),
                })
            }
            _ => {
                while self.peek().is_some_and(is_bare) {
                    self.i += 1;
                }
                if self.i == start {
                    return Err(Decline);
                }
                Ok(Key {
                    name: &self.s[start..self.i],
                    start: pos(start),
                    end: pos(self.i),
                })
            }
        }
    }

    /// `[a.b]` or `[[a.b]]` (the cursor on the first `[`).
    fn header(&mut self) -> R<Header<'a>> {
        let start = self.i;
        let array = self.b.get(self.i + 1) == Some(&b'[');
        self.i += if array { 2 } else { 1 };
        let mut path = Vec::new();
        let key = loop {
            self.skip_ws();
            let key = self.key()?;
            self.skip_ws();
            if self.peek() == Some(b'.') {
                self.i += 1;
                path.push(key);
                if path.len() >= DEPTH {
                    return Err(Decline);
                }
            } else {
                break key;
            }
        };
        self.expect(b']')?;
        if array {
            self.expect(b']')?;
        }
        Ok(Header {
            path,
            key,
            start: pos(start),
            end: pos(self.i),
            array,
        })
    }

    /// A value (the cursor on its first byte).
    fn value(&mut self, depth: usize) -> R<Item<'a>> {
        let start = self.i;
        let value = match self.peek().ok_or(Decline)? {
            b'"' => Value::Str(self.basic_string()?),
            b'\'' => Value::Str(Cow::Borrowed(self.literal_string()?)),
            b'[' => {
                if depth >= DEPTH {
                    return Err(Decline);
                }
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_array_space()?;
                    if self.peek() == Some(b']') {
                        break;
                    }
                    items.push(self.value(depth + 1)?);
                    self.skip_array_space()?;
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b']') => break,
                        _ => return Err(Decline),
                    }
                }
                self.i += 1;
                Value::Array(items, false)
            }
            b'{' => {
                if depth >= DEPTH {
                    return Err(Decline);
                }
                self.i += 1;
                let mut entries = Vec::new();
                self.skip_ws();
                if self.peek() != Some(b'}') {
                    loop {
                        let key = self.key()?;
                        self.skip_ws();
                        self.expect(b'=')?;
                        self.skip_ws();
                        let item = self.value(depth + 1)?;
                        entries.push(Entry { key, item });
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => {
                                self.i += 1;
                                self.skip_ws();
                            }
                            Some(b'}') => break,
                            _ => return Err(Decline),
                        }
                    }
                }
                self.i += 1;
                Value::Table(entries, Kind::Inline)
            }
            b't' if self.b[start..].starts_with(b"true") => {
                self.i += 4;
                self.delimited()?;
                Value::Bool(true)
            }
            b'f' if self.b[start..].starts_with(b"false") => {
                self.i += 5;
                self.delimited()?;
                Value::Bool(false)
            }
            b'0'..=b'9' | b'+' | b'-' => {
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || b"_:.+-".contains(&c))
                {
                    self.i += 1;
                }
                let token = &self.s[start..self.i];
                if let Some(n) = integer(token) {
                    Value::Int(n)
                } else if is_offset_datetime(token) {
                    parse_datetime(token).map_err(|_| Decline)?;
                    Value::Datetime(token)
                } else {
                    return Err(Decline);
                }
            }
            _ => return Err(Decline),
        };
        Ok(Item {
            start: pos(start),
            end: pos(self.i),
            value,
        })
    }

    /// A bare word (`true`) must not run on into more bare characters.
    fn delimited(&self) -> R<()> {
        match self.peek() {
            Some(c) if is_bare(c) || c == b'.' || c == b':' || c == b'+' => Err(Decline),
            _ => Ok(()),
        }
    }

    /// `'…'` on one line (the cursor on the quote): its text.
    fn literal_string(&mut self) -> R<&'a str> {
        let from = self.i + 1;
        let mut j = skip_plain(self.b, from, b'\'');
        loop {
            let c = *self.b.get(j).ok_or(Decline)?;
            if c == b'\'' {
                break;
            }
            if is_control(c) {
                return Err(Decline);
            }
            j += 1;
        }
        if j == from && self.b.get(j + 1) == Some(&b'\'') {
            return Err(Decline); // `'''`
        }
        self.i = j + 1;
        Ok(&self.s[from..j])
    }

    /// `"…"` on one line (the cursor on the quote): its text, unescaped.
    fn basic_string(&mut self) -> R<Cow<'a, str>> {
        let from = self.i + 1;
        let mut j = skip_plain(self.b, from, b'"');
        loop {
            let c = *self.b.get(j).ok_or(Decline)?;
            match c {
                b'"' => break,
                b'\\' => return self.escaped_string(from, j),
                c if is_control(c) => return Err(Decline),
                _ => j += 1,
            }
        }
        if j == from && self.b.get(j + 1) == Some(&b'"') {
            return Err(Decline); // `"""`
        }
        self.i = j + 1;
        Ok(Cow::Borrowed(&self.s[from..j]))
    }

    /// The rest of a basic string from its first backslash at `j`.
    fn escaped_string(&mut self, from: usize, mut j: usize) -> R<Cow<'a, str>> {
        let mut out = String::with_capacity(j - from + 16);
        let mut run = from;
        loop {
            let c = *self.b.get(j).ok_or(Decline)?;
            match c {
                b'"' => break,
                b'\\' => {
                    out.push_str(&self.s[run..j]);
                    let e = *self.b.get(j + 1).ok_or(Decline)?;
                    j += 2;
                    let ch = match e {
                        b'b' => '\u{8}',
                        b't' => '\t',
                        b'n' => '\n',
                        b'f' => '\u{c}',
                        b'r' => '\r',
                        b'"' => '"',
                        b'\\' => '\\',
                        b'u' | b'U' => {
                            let n = if e == b'u' { 4 } else { 8 };
                            let hex = self.b.get(j..j + n).ok_or(Decline)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return Err(Decline);
                            }
                            let code =
                                u32::from_str_radix(&self.s[j..j + n], 16).map_err(|_| Decline)?;
                            j += n;
                            char::from_u32(code).ok_or(Decline)?
                        }
                        _ => return Err(Decline),
                    };
                    out.push(ch);
                    run = j;
                }
                c if is_control(c) => return Err(Decline),
                _ => j += 1,
            }
        }
        out.push_str(&self.s[run..j]);
        self.i = j + 1;
        Ok(Cow::Owned(out))
    }
}

/// The first offset from `j` of a word of eight bytes of `b` that may hold `quote`, a
/// backslash or a control character (the caller then reads byte by byte); `j` itself
/// when fewer than eight bytes are left.
fn skip_plain(b: &[u8], mut j: usize, quote: u8) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    while let Some(chunk) = b.get(j..j + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        // a byte below 0x20 (a control), or equal to the quote, `\` or DEL
        let below = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
        let hit = below
            | zero(x ^ (ONES * u64::from(quote)))
            | zero(x ^ (ONES * u64::from(b'\\')))
            | zero(x ^ (ONES * 0x7f));
        if hit != 0 {
            break;
        }
        j += 8;
    }
    j
}

/// A decimal TOML integer that fits an `i64`.
fn integer(token: &str) -> Option<i64> {
    let b = token.as_bytes();
    let (neg, digits) = match b.first()? {
        b'+' => (false, &b[1..]),
        b'-' => (true, &b[1..]),
        _ => (false, b),
    };
    match digits {
        [] => return None,
        [b'0', _, ..] => return None, // leading zero (or 0x…)
        _ => {}
    }
    let mut n: i64 = 0;
    let mut prev_digit = false;
    for &c in digits {
        if c == b'_' {
            if !prev_digit {
                return None;
            }
            prev_digit = false;
            continue;
        }
        if !c.is_ascii_digit() {
            return None;
        }
        let d = i64::from(c - b'0');
        n = n.checked_mul(10)?;
        n = if neg {
            n.checked_sub(d)?
        } else {
            n.checked_add(d)?
        };
        prev_digit = true;
    }
    prev_digit.then_some(n)
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`, upper-case `T` and `Z` only.
fn is_offset_datetime(token: &str) -> bool {
    let b = token.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if b.len() < 20
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
        || b[10] != b'T'
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let mut k = 19;
    if b[k] == b'.' {
        k += 1;
        let f = k;
        while b.get(k).is_some_and(u8::is_ascii_digit) {
            k += 1;
        }
        if k == f {
            return false;
        }
    }
    match &b[k..] {
        [b'Z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit()),
        _ => false,
    }
}

/// `token` read as a TOML date-time, as `token.parse::<Datetime>()` reads it: the two
/// shapes lockfiles write (`YYYY-MM-DDTHH:MM:SSZ` and `YYYY-MM-DDTHH:MM:SS±HH:MM`) are
/// read from their fixed positions with `toml_datetime`'s range checks (month, day of
/// the month with leap years, hour, minute, second up to 60, offset hours and
/// minutes); anything else (fractions, other forms) goes to `toml_datetime` itself.
/// `differential.rs` pins it against `toml_datetime` over the fixtures and generated
/// and mutated tokens.
pub(crate) fn parse_datetime(token: &str) -> Result<Datetime, ()> {
    match fast_datetime(token.as_bytes()) {
        Some(r) => r,
        None => token.parse().map_err(|_| ()),
    }
}

/// The fixed-position read of [`parse_datetime`]: `None` when `b` has another shape.
fn fast_datetime(b: &[u8]) -> Option<Result<Datetime, ()>> {
    use toml::value::{Date, Offset, Time};
    let offset_at = 19;
    if !(b.len() == 20 || b.len() == 25) {
        return None;
    }
    let d2 = |i: usize| -> Option<u8> {
        let (x, y) = (b[i].wrapping_sub(b'0'), b[i + 1].wrapping_sub(b'0'));
        if x < 10 && y < 10 {
            Some(x * 10 + y)
        } else {
            None
        }
    };
    if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let year = u16::from(d2(0)?) * 100 + u16::from(d2(2)?);
    let (month, day, hour, minute, second) = (d2(5)?, d2(8)?, d2(11)?, d2(14)?, d2(17)?);
    let offset = match &b[offset_at..] {
        [b'Z'] => Offset::Z,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (h, m) = (d2(offset_at + 1)?, d2(offset_at + 4)?);
            if h > 23 || m > 59 {
                return Some(Err(()));
            }
            let minutes = i16::from(h) * 60 + i16::from(m);
            Offset::Custom {
                minutes: if *sign == b'-' { -minutes } else { minutes },
            }
        }
        _ => return None,
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return Some(Err(())),
    };
    if day < 1 || day > days || hour > 23 || minute > 59 || second > 60 {
        return Some(Err(()));
    }
    Some(Ok(Datetime {
        date: Some(Date { year, month, day }),
        time: Some(Time {
            hour,
            minute,
            second: Some(second),
            nanosecond: None,
        }),
        offset: Some(offset),
    }))
}

/// A `toml::value::Datetime` field that reads its text with [`parse_datetime`]
/// (`Datetime`'s own `Deserialize` reads it with `toml_datetime`'s general parser).
/// It takes what `Datetime` takes, from this module and from the `toml` crate alike
/// (the `$__toml_private_datetime` map), refuses the rest with `Datetime`'s message
/// ("expected a TOML datetime"), and a text `parse_datetime` refuses fails with
/// `toml_datetime`'s error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TomlDatetime(pub(crate) Datetime);

/// `toml_datetime`'s private names for `Datetime`'s map.
const DATETIME_NAME: &str = "$__toml_private_Datetime";
const DATETIME_FIELD: &str = "$__toml_private_datetime";

impl<'de> serde::Deserialize<'de> for TomlDatetime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
        use std::fmt;

        struct Field;
        impl<'de> serde::Deserialize<'de> for Field {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl Visitor<'_> for V {
                    type Value = Field;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a valid datetime field")
                    }
                    fn visit_str<E: de::Error>(self, s: &str) -> Result<Field, E> {
                        if s == DATETIME_FIELD {
                            Ok(Field)
                        } else {
                            Err(E::custom("expected field with custom name"))
                        }
                    }
                }
                d.deserialize_identifier(V)
            }
        }

        struct Text;
        impl<'de> DeserializeSeed<'de> for Text {
            type Value = Datetime;
            fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Datetime, D::Error> {
                struct V;
                impl Visitor<'_> for V {
                    type Value = Datetime;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("string containing a datetime")
                    }
                    fn visit_str<E: de::Error>(self, s: &str) -> Result<Datetime, E> {
                        match parse_datetime(s) {
                            Ok(d) => Ok(d),
                            Err(()) => s.parse().map_err(E::custom),
                        }
                    }
                }
                d.deserialize_str(V)
            }
        }

        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TomlDatetime;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a TOML datetime")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TomlDatetime, A::Error> {
                if map.next_key::<Field>()?.is_none() {
                    return Err(de::Error::custom("datetime key not found"));
                }
                map.next_value_seed(Text).map(TomlDatetime)
            }
        }

        d.deserialize_struct(DATETIME_NAME, &[DATETIME_FIELD], V)
    }
}
