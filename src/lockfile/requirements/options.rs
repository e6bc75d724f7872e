//! pip's options on a requirements line: where a line's options start, the shell-like
//! split of them, and `--hash=`.

use super::super::hash::Hash;
use std::borrow::Cow;

/// pip's `break_args_options`: the requirement part and the options part of a line.
///
/// pip splits the line at spaces and cuts before the first word that starts with
/// `-`; joining the words back with spaces gives the text on either side of that
/// cut, which is what is returned (borrowed; the requirement part trimmed).
pub(super) fn break_args_options(line: &str) -> (&str, &str) {
    let bytes = line.as_bytes();
    let cut = bytes
        .iter()
        .enumerate()
        .position(|(i, &b)| b == b'-' && (i == 0 || bytes.get(i - 1) == Some(&b' ')));
    match cut {
        // (The space before the option's word belongs to neither side.)
        Some(cut) => (
            line.get(..cut.saturating_sub(1)).unwrap_or("").trim(),
            line.get(cut..).unwrap_or(""),
        ),
        None => (line.trim(), ""),
    }
}

/// A POSIX-shell-like split (as Python's `shlex.split`): white space separates,
/// quotes group, backslash escapes. Words without quotes or backslashes are
/// borrowed from `s`.
pub(super) fn shlex(s: &str) -> Result<Vec<Cow<'_, str>>, String> {
    // (memchr3, not `contains([..])`, which decodes every character: that test was
    // most of the reader's time on a hashed file; rest8)
    if memchr::memchr3(b'\'', b'"', b'\\', s.as_bytes()).is_none() {
        return Ok(split_words(s));
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_tok = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_tok = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => cur.push(c),
                        None => return Err("unterminated single quote".to_string()),
                    }
                }
            }
            '"' => {
                in_tok = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c) => cur.push(c),
                            None => return Err("unterminated double quote".to_string()),
                        },
                        Some(c) => cur.push(c),
                        None => return Err("unterminated double quote".to_string()),
                    }
                }
            }
            '\\' => {
                in_tok = true;
                if let Some(c) = chars.next() {
                    cur.push(c);
                }
            }
            c if c.is_whitespace() => {
                if in_tok {
                    out.push(Cow::Owned(std::mem::take(&mut cur)));
                    in_tok = false;
                }
            }
            c => {
                in_tok = true;
                cur.push(c);
            }
        }
    }
    if in_tok {
        out.push(Cow::Owned(cur));
    }
    Ok(out)
}

/// `s.split_whitespace()` collected, split byte by byte when `s` is ASCII (the
/// ASCII characters `char::is_whitespace` accepts: space, `\t`, `\n`, `\x0b`,
/// `\x0c`, `\r`).
fn split_words(s: &str) -> Vec<Cow<'_, str>> {
    if !s.is_ascii() {
        return s.split_whitespace().map(Cow::Borrowed).collect();
    }
    let mut out = Vec::with_capacity(4);
    let mut start = None;
    for (i, b) in s.bytes().enumerate() {
        let space = matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r');
        match (space, start) {
            (true, Some(st)) => {
                out.push(Cow::Borrowed(s.get(st..i).unwrap_or("")));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(st) = start {
        out.push(Cow::Borrowed(s.get(st..).unwrap_or("")));
    }
    out
}

/// `--hash=<alg>:<hex>`, with the algorithms pip accepts.
pub(super) fn parse_pip_hash(value: &str) -> Result<Hash, String> {
    let (alg, _) = value
        .split_once(':')
        .ok_or_else(|| format!("`--hash={value}` is not `<algorithm>:<hex digest>`"))?;
    if !matches!(alg, "sha256" | "sha384" | "sha512") {
        return Err(format!(
            "`--hash={value}`: pip allows only sha256, sha384 and sha512"
        ));
    }
    // (`Hash::parse(value)` as it reads a value whose algorithm is one of these:
    // it trims the value, whose start is the algorithm, and `from_hex` trims the hex)
    let hex = value.get(alg.len() + 1..).unwrap_or("");
    Hash::from_hex(alg, hex).map_err(|e| format!("bad `--hash`: {e}"))
}
