//! One requirement as pip reads it: a PEP 508 line (`name[extras] (specifiers | @ url)
//! ; marker`), or a URL, VCS or path requirement handed to [`super::url`].

use super::super::Source;
use super::super::hash::Hash;
use super::url::*;
use std::path::Path;

/// A requirement as read from one line.
#[derive(Debug, Default)]
pub(super) struct Req {
    pub(super) name: String,
    /// The exact version pinned (`==`/`===`), or the archive's version for URL/path
    /// requirements (empty when unknown).
    pub(super) version: Option<String>,
    /// The specifier as written (for unpinned entries).
    pub(super) spec: String,
    /// `None` for registry requirements.
    pub(super) source: Option<Source>,
    pub(super) hashes: Vec<Hash>,
}

pub(super) fn valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'))
}

/// Parse a requirement (the part of a line before its options).
pub(super) fn parse_requirement(args: &str, base: &Path) -> Result<Req, String> {
    if args.contains("${") && !args.contains('@') && !is_url(args) {
        // A version (or name) from the environment: not known offline.
        let name_end = args
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
            .unwrap_or(args.len());
        let name = args.get(..name_end).unwrap_or("");
        if !valid_name(name) || args.get(name_end..).is_some_and(|r| r.starts_with("${")) {
            return Err(format!(
                "`{args}`: the package name uses an environment variable, which lockgate does not expand"
            ));
        }
        return Ok(Req {
            name: name.to_string(),
            spec: args.get(name_end..).unwrap_or("").trim().to_string(),
            ..Req::default()
        });
    }
    let first = args.split([' ', ';']).next().unwrap_or("");
    let looks_like_path = first.starts_with('.')
        || first.starts_with('/')
        || first.starts_with('~')
        || (first.contains('/') && !first.contains('@'))
        || first.contains('\\')
        || (is_archive(first) && !first.contains("=="));
    if is_url(args) || looks_like_path {
        // pip: a URL's marker must follow `; ` (with white space).
        let (loc, marker) = match args.split_once("; ").or_else(|| args.split_once(" ;")) {
            Some((l, m)) => (l.trim(), Some(m.trim())),
            None => (args.trim(), None),
        };
        if marker.is_some_and(str::is_empty) {
            return Err(format!("`{args}`: empty environment marker"));
        }
        return parse_url_or_path(loc, false, base, None);
    }
    parse_pep508(args, base)
}

/// A PEP 508 requirement: `name[extras] (specifiers | @ url) ; marker`.
pub(super) fn parse_pep508(s: &str, base: &Path) -> Result<Req, String> {
    let s = s.trim();
    let name_end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
        .unwrap_or(s.len());
    let name = s.get(..name_end).unwrap_or("");
    if !valid_name(name) {
        return Err(format!(
            "`{s}` is not a requirement pip understands (expected a package name first)"
        ));
    }
    let mut rest = s.get(name_end..).unwrap_or("").trim_start();
    if let Some(r) = rest.strip_prefix('[') {
        let close = r
            .find(']')
            .ok_or_else(|| format!("`{s}`: unclosed `[` of extras"))?;
        let extras = r.get(..close).unwrap_or("");
        for x in extras.split(',') {
            let x = x.trim();
            if !x.is_empty() && !valid_name(x) {
                return Err(format!("`{s}`: `{x}` is not a valid extra name"));
            }
        }
        rest = r.get(close + 1..).unwrap_or("").trim_start();
    }
    let (body, marker) = match rest.split_once(';') {
        Some((b, m)) => (b.trim(), Some(m.trim())),
        None => (rest.trim(), None),
    };
    if let Some(m) = marker {
        check_marker(m).map_err(|e| format!("`{s}`: {e}"))?;
    }
    if let Some(url) = body.strip_prefix('@') {
        let url = url.trim();
        if url.is_empty() || url.contains(char::is_whitespace) {
            return Err(format!("`{s}`: expected one URL after `@`"));
        }
        return parse_url_or_path(url, false, base, Some(name)).map_err(|e| format!("`{s}`: {e}"));
    }
    let spec = body
        .strip_prefix('(')
        .map(|b| {
            b.strip_suffix(')')
                .ok_or_else(|| format!("`{s}`: unclosed `(`"))
        })
        .transpose()?
        .unwrap_or(body)
        .trim();
    let mut exact: Option<String> = None;
    if !spec.is_empty() {
        for clause in spec.split(',') {
            let clause = clause.trim();
            let op_len = ["===", "~=", "==", "!=", "<=", ">=", "<", ">"]
                .iter()
                .find(|op| clause.starts_with(*op))
                .map(|op| op.len())
                .ok_or_else(|| format!("`{s}`: `{clause}` is not a version specifier"))?;
            let (op, ver) = clause.split_at(op_len);
            let ver = ver.trim();
            let ok = !ver.is_empty()
                && if op == "===" {
                    !ver.contains(char::is_whitespace)
                } else {
                    ver.bytes().all(|b| {
                        b.is_ascii_alphanumeric()
                            || matches!(b, b'.' | b'+' | b'!' | b'-' | b'_' | b'*')
                    }) && (!ver.contains('*') || (matches!(op, "==" | "!=") && ver.ends_with(".*")))
                };
            if !ok {
                return Err(format!("`{s}`: `{ver}` is not a valid version for `{op}`"));
            }
            if (op == "==" && !ver.contains('*')) || op == "===" {
                if let Some(prev) = &exact
                    && prev != ver
                {
                    return Err(format!("`{s}`: pinned to two versions ({prev} and {ver})"));
                }
                exact = Some(ver.to_string());
            }
        }
    }
    Ok(Req {
        name: name.to_string(),
        version: exact,
        spec: spec.to_string(),
        ..Req::default()
    })
}

/// Light check of an environment marker: non-empty, balanced quotes and parentheses.
pub(super) fn check_marker(m: &str) -> Result<(), String> {
    if m.is_empty() {
        return Err("empty environment marker after `;`".to_string());
    }
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for c in m.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth -= 1;
                if depth < 0 {
                    return Err(format!("unbalanced `)` in marker `{m}`"));
                }
            }
            _ => {}
        }
    }
    if quote.is_some() || depth != 0 {
        return Err(format!("unbalanced quotes or parentheses in marker `{m}`"));
    }
    Ok(())
}
