//! pip's options on a requirements line: where a line's options start, the shell-like
//! split of them, and `--hash=`.

use super::super::hash::Hash;

/// pip's `break_args_options`: the requirement part and the options part of a line.
pub(super) fn break_args_options(line: &str) -> (String, String) {
    let tokens: Vec<&str> = line.split(' ').collect();
    let cut = tokens
        .iter()
        .position(|t| t.starts_with('-'))
        .unwrap_or(tokens.len());
    let args = tokens.get(..cut).unwrap_or(&[]).join(" ");
    let opts = tokens.get(cut..).unwrap_or(&[]).join(" ");
    (args.trim().to_string(), opts)
}

/// A POSIX-shell-like split (as Python's `shlex.split`): white space separates,
/// quotes group, backslash escapes.
pub(super) fn shlex(s: &str) -> Result<Vec<String>, String> {
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
                    out.push(std::mem::take(&mut cur));
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
        out.push(cur);
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
