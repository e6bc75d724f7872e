//! URL, VCS and local path requirements (editable or not): the package name from
//! `#egg=`, an archive's file name or the local project's own manifest.

use super::super::Source;
use super::super::hash::Hash;
use super::super::python_url::{ARCHIVE_EXTS, archive_name_version, redact};
use super::pep508::*;
use std::path::Path;

pub(super) const VCS_PREFIXES: [&str; 4] = ["git+", "hg+", "svn+", "bzr+"];

pub(super) fn is_url(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    VCS_PREFIXES.iter().any(|p| lower.starts_with(p))
        || ["http://", "https://", "file:", "ftp://"]
            .iter()
            .any(|p| lower.starts_with(p))
}

pub(super) fn is_archive(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    ARCHIVE_EXTS.iter().any(|e| lower.ends_with(e))
}

/// A URL, VCS or local path requirement (editable or not).
pub(super) fn parse_url_or_path(
    loc: &str,
    editable: bool,
    base: &Path,
    known_name: Option<&str>,
) -> Result<Req, String> {
    let loc = loc.trim();
    // Extras on a path: `./pkg[dev]`.
    let loc = match (loc.ends_with(']'), loc.rfind('[')) {
        (true, Some(i)) if !is_url(loc) => loc.get(..i).unwrap_or(loc),
        _ => loc,
    };
    let (main, fragment) = match loc.split_once('#') {
        Some((m, f)) => (m, Some(f)),
        None => (loc, None),
    };
    let mut egg: Option<String> = None;
    let mut hashes = Vec::new();
    for param in fragment.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = param.split_once('=').unwrap_or((param, ""));
        match k {
            "egg" => egg = Some(v.to_string()),
            "subdirectory" => {}
            "md5" | "sha1" | "sha224" | "sha256" | "sha384" | "sha512" => {
                hashes.push(
                    Hash::from_hex(k, v).map_err(|e| format!("bad hash in URL fragment: {e}"))?,
                );
            }
            _ => {}
        }
    }
    let lower = main.to_ascii_lowercase();
    let last_segment = main.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    let archive = archive_name_version(last_segment);
    let (source, version) = if let Some(vcs) = VCS_PREFIXES.iter().find(|p| lower.starts_with(*p)) {
        let url = main.get(vcs.len()..).unwrap_or("");
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| format!("`{loc}` is not a VCS URL pip understands"))?;
        let path_start = rest.find('/').unwrap_or(rest.len());
        let (auth, path) = rest.split_at(path_start);
        let (path, rev) = match path.rsplit_once('@') {
            Some((p, r)) => (p, Some(r.to_string())),
            None => (path, None),
        };
        let repo = redact(&format!("{scheme}://{auth}{path}"));
        let src = if *vcs == "git+" {
            Source::Git {
                url: repo,
                rev: rev.map(Into::into),
            }
        } else {
            Source::Url(redact(main))
        };
        (src, String::new())
    } else if lower.starts_with("file:") {
        let p = main.get(5..).unwrap_or("");
        let p = p.strip_prefix("//").unwrap_or(p);
        (
            Source::Path(p.to_string()),
            archive.as_ref().map(|a| a.1.clone()).unwrap_or_default(),
        )
    } else if is_url(main) {
        (
            Source::Url(redact(main)),
            archive.as_ref().map(|a| a.1.clone()).unwrap_or_default(),
        )
    } else {
        (
            Source::Path(main.to_string()),
            archive.as_ref().map(|a| a.1.clone()).unwrap_or_default(),
        )
    };
    let name = match (egg, &archive, &source) {
        _ if known_name.is_some() => known_name.unwrap_or_default().to_string(),
        (Some(e), _, _) if !e.is_empty() => {
            if !valid_name(&e) {
                return Err(format!("`#egg={e}` is not a valid project name"));
            }
            e
        }
        (_, Some((n, _)), _) => n.clone(),
        // pip builds a local project whatever its name: with no manifest to name it
        // (`-e .` in a repository checked out elsewhere), the path is its name.
        (_, None, Source::Path(p)) => {
            local_project_name(&base.join(p)).unwrap_or_else(|| p.clone())
        }
        _ => {
            return Err(format!(
                "cannot tell the package name of `{loc}`; write it as `name @ {loc}`{}",
                if editable { " or add `#egg=name`" } else { "" }
            ));
        }
    };
    Ok(Req {
        name,
        version: Some(version),
        spec: String::new(),
        source: Some(source),
        hashes,
    })
}

/// The project name a local directory declares (`pyproject.toml` `[project] name`,
/// else `setup.cfg` `[metadata] name`, else a literal `name="…"` in `setup.py`).
pub(super) fn local_project_name(dir: &Path) -> Option<String> {
    if let Ok(text) = std::fs::read_to_string(dir.join("pyproject.toml"))
        && let Ok(doc) = text.parse::<toml::Table>()
        && let Some(name) = doc
            .get("project")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
    {
        return Some(name.to_string());
    }
    let text = std::fs::read_to_string(dir.join("setup.cfg")).unwrap_or_default();
    let mut in_meta = false;
    for line in text.lines() {
        let l = line.trim();
        if l.starts_with('[') {
            in_meta = l == "[metadata]";
        } else if in_meta
            && let Some((k, v)) = l.split_once('=')
            && k.trim() == "name"
        {
            return Some(v.trim().to_string());
        }
    }
    setup_py_name(&std::fs::read_to_string(dir.join("setup.py")).ok()?)
}

/// The first `name="…"` (or `'…'`) keyword argument with a valid project name in a
/// `setup.py`; `None` when the name is computed.
pub(super) fn setup_py_name(text: &str) -> Option<String> {
    let mut rest = text;
    while let Some(i) = rest.find("name") {
        let (before, after) = rest.split_at(i);
        let after = after.get(4..).unwrap_or("");
        rest = after;
        if before
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '"' | '\''))
        {
            continue;
        }
        let Some(value) = after.trim_start().strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        let Some(quote) = value.chars().next().filter(|c| matches!(c, '"' | '\'')) else {
            continue;
        };
        let body = value.get(1..).unwrap_or("");
        if let Some((name, _)) = body.split_once(quote)
            && valid_name(name)
        {
            return Some(name.to_string());
        }
    }
    None
}
