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
    if !s.contains(['\'', '"', '\\']) {
        return Ok(s.split_whitespace().map(Cow::Borrowed).collect());
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
    Hash::parse(value).map_err(|e| format!("bad `--hash`: {e}"))
}
