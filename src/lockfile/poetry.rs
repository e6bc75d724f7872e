//! `poetry.lock`, the lockfile Poetry writes.
//!
//! # Versions
//!
//! | format         | `[metadata]`                 | hashes                                                  |
//! |----------------|------------------------------|---------------------------------------------------------|
//! | `poetry-v1.0`  | no `lock-version`            | `[metadata.files]`: `name = [{file, hash}]`              |
//! | `poetry-v1.1`  | `lock-version = "1.1"`       | `[metadata.files]`: `name = [{file, hash}]`              |
//! | `poetry-v2.0`  | `lock-version = "2.0"`       | per package: `files = [{file, hash}]`                    |
//! | `poetry-v2.1`  | `lock-version = "2.1"`       | per package: `files = [{file, hash}]`                    |
//!
//! Any other major `lock-version` (0, 3 and up), a missing `[metadata]` table, and the
//! pre-1.0 `[metadata.hashes]` layout are [`ParseError`]s.
//!
//! # What is read
//!
//! - **Packages**: one [`Package`] per distinct (name, version, source) of the
//!   `[[package]]` entries, in file order (Poetry may lock one name at several
//!   versions, told apart by markers). The project itself is not in the file.
//! - **Hashes**: every `hash` of the version's files (sdist and wheels). In v1 the
//!   `[metadata.files]` list belongs to a *name*; when the name is locked at several
//!   versions, each file is given to the version its file name carries, and a file
//!   that matches none of them is an error.
//! - **Sources**: no `[package.source]` is PyPI; `legacy` (a simple-API index) is
//!   [`Source::Registry`] (`None` for `https://pypi.org/simple`), `git` is
//!   [`Source::Git`] (`resolved_reference`, else `reference`), `url` is [`Source::Url`],
//!   `file` and `directory` are [`Source::Path`]. Other types are an error.
//! - **Lines**: the line of each `[[package]]` header, from the spans the `toml`
//!   parser records.
//! - **Roots and paths**: the `pyproject.toml` beside the lockfile (PEP 621
//!   `[project] dependencies` and `optional-dependencies`, PEP 735
//!   `[dependency-groups]`, `[tool.poetry.dependencies]`,
//!   `[tool.poetry.group.*.dependencies]` and `[tool.poetry.dev-dependencies]`, the
//!   latter two as dev). Without a readable pyproject, every package no other package
//!   depends on is a direct dependency of the root, dev when its `category` (v1) or
//!   `groups` (v2) say only dev, optional when it is `optional`. Edges are the keys of
//!   `[package.dependencies]`, to every locked version of that name.
//!
//! # What is not verified
//!
//! Markers are not evaluated (every locked version is listed), optional dependencies
//! of a package count as edges whether or not their extra is requested, the
//! `content-hash` is not checked against the pyproject, and the hashes are not checked
//! against the files.

use super::lines::LineIndex;
use super::{Context, Lockfile, ParseError};
use crate::model::Source;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

use super::python_lock::{self as shared, MetadataFiles, Node, Nodes, RawFile};

/// The newest major `lock-version` lockgate understands.
pub const NEWEST_MAJOR: u32 = 2;

#[derive(Deserialize)]
struct RawLock {
    #[serde(default)]
    package: Vec<Spanned<RawPackage>>,
    metadata: Option<Spanned<RawMetadata>>,
}

#[derive(Deserialize)]
struct RawMetadata {
    #[serde(rename = "lock-version")]
    lock_version: Option<Spanned<String>>,
    files: Option<MetadataFiles>,
    hashes: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
struct RawPackage {
    name: Option<String>,
    version: Option<String>,
    category: Option<String>,
    #[serde(default)]
    optional: bool,
    groups: Option<Vec<String>>,
    files: Option<Vec<RawFile>>,
    #[serde(default)]
    dependencies: BTreeMap<String, toml::Value>,
    source: Option<RawSource>,
}

#[derive(Deserialize)]
struct RawSource {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    url: String,
    reference: Option<String>,
    resolved_reference: Option<String>,
}

super::format::one_file_format!("poetry", Pypi, "poetry.lock", "poetry lock");

/// Parse the text of a `poetry.lock`.
pub fn parse(ctx: &Context<'_>, text: &str) -> Result<Lockfile, ParseError> {
    let lines = LineIndex::new(text);
    let raw: RawLock = lines.toml(ctx, text, "is not a valid poetry.lock")?;
    let Some(metadata) = raw.metadata else {
        return Err(ctx.error(
            None,
            "has no [metadata] table (truncated, or not a poetry.lock)",
        ));
    };
    let meta_line = lines.line(metadata.span().start);
    let metadata = metadata.into_inner();
    if let Some(h) = &metadata.hashes {
        return Err(ctx.error(
            Some(lines.line(h.span().start)),
            "[metadata.hashes] is the pre-1.0 poetry.lock layout, which lockgate does not read",
        ));
    }
    let lock_version = match &metadata.lock_version {
        None => "1.0".to_string(),
        Some(v) => {
            let line = lines.line(v.span().start);
            let major = v
                .get_ref()
                .split('.')
                .next()
                .and_then(|m| m.trim().parse::<u32>().ok())
                .ok_or_else(|| {
                    ctx.error(
                        Some(line),
                        format!("lock-version `{}` is not a version number", v.get_ref()),
                    )
                })?;
            if major > NEWEST_MAJOR || major == 0 {
                return Err(shared::unknown_version(
                    ctx,
                    line,
                    &format!("lock-version {}", v.get_ref()),
                    major != 0,
                    &format!("1.x-{NEWEST_MAJOR}.x"),
                    "a current `poetry lock`",
                ));
            }
            v.get_ref().clone()
        }
    };
    let v1 = !lock_version.starts_with('2');
    if !v1 && metadata.files.is_some() {
        return Err(ctx.error(
            Some(meta_line),
            format!("[metadata.files] is the v1 layout, but lock-version is {lock_version}"),
        ));
    }

    let mut nodes = Nodes::default();
    let mut deps_of: Vec<Vec<String>> = Vec::with_capacity(raw.package.len());
    // Which packages say they are dev-only / optional (for the fallback roots).
    let mut dev_only: Vec<bool> = Vec::new();
    let mut optional: Vec<bool> = Vec::new();
    for sp in raw.package {
        let line = lines.line(sp.span().start);
        let p = sp.into_inner();
        let (name, version) = shared::name_and_version(ctx, line, p.name, p.version)?;
        let source = match &p.source {
            None => Source::Registry(None),
            Some(s) => source_of(ctx, line, &name, s)?,
        };
        if v1 && p.files.is_some() {
            return Err(ctx.error(
                Some(line),
                format!("package `{name}` has `files`, which lock-version {lock_version} keeps in [metadata.files]"),
            ));
        }
        let mut artifacts = RawFile::read_all(p.files.as_deref().unwrap_or_default(), ctx, &lines)?;
        // poetry's own `files` name a file, never a URL: a `url` there is not read
        for a in &mut artifacts {
            a.url = None;
        }
        let dev = match (&p.category, &p.groups) {
            (Some(c), _) => c == "dev",
            (None, Some(g)) => !g.is_empty() && !g.iter().any(|g| g == "main"),
            (None, None) => false,
        };
        let mut deps = Vec::with_capacity(p.dependencies.len());
        for (dep, spec) in &p.dependencies {
            if !matches!(
                spec,
                toml::Value::String(_) | toml::Value::Table(_) | toml::Value::Array(_)
            ) {
                return Err(ctx.error(
                    Some(line),
                    format!(
                        "dependency `{dep}` of `{name}` must be a string, table or array, found {}",
                        spec.type_str()
                    ),
                ));
            }
            deps.push(crate::model::pep503(dep));
        }
        match nodes.add(Node::new(name, version, source, line, artifacts)) {
            (_, true) => {
                deps_of.push(deps);
                dev_only.push(dev);
                optional.push(p.optional);
            }
            (i, false) => {
                // The same version twice (should not happen): one record, all hashes and edges.
                deps_of[i].extend(deps);
                dev_only[i] &= dev;
                optional[i] &= p.optional;
            }
        }
    }
    let mut nodes = nodes.list;

    if let Some(files) = metadata.files {
        shared::assign_metadata_files(ctx, &lines, &mut nodes, files)?;
    }

    let (edges, roots) = shared::name_graph(ctx, &nodes, &deps_of, true, &dev_only, &optional);
    Ok(shared::finish(
        ctx,
        format!("poetry-v{lock_version}"),
        nodes,
        &edges,
        &roots,
    ))
}

fn source_of(
    ctx: &Context<'_>,
    line: usize,
    name: &str,
    s: &RawSource,
) -> Result<Source, ParseError> {
    let need_url = || {
        if s.url.trim().is_empty() {
            Err(ctx.error(
                Some(line),
                format!("package `{name}`: source of type `{}` has no `url`", s.kind),
            ))
        } else {
            Ok(s.url.clone())
        }
    };
    Ok(match s.kind.as_str() {
        "legacy" => shared::registry(&need_url()?),
        "git" => Source::Git {
            url: need_url()?,
            rev: s
                .resolved_reference
                .clone()
                .or_else(|| s.reference.clone())
                .filter(|r| !r.is_empty())
                .map(Into::into),
        },
        "url" => Source::Url(need_url()?),
        "file" | "directory" => Source::Path(need_url()?),
        other => {
            return Err(ctx.error(
                Some(line),
                format!(
                    "package `{name}` has a source of type `{other}`, which lockgate does not know (git, url, file, directory, legacy)"
                ),
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lockfile::test_support;

    fn run(text: &str) -> Result<Lockfile, ParseError> {
        FORMAT.parse_at("/nonexistent-dir/poetry.lock", text)
    }

    const V1: &str = r#"[[package]]
name = "a"
version = "1.0"
description = ""
category = "main"
optional = false
python-versions = "*"

[package.dependencies]
B = ">=1"

[[package]]
name = "b"
version = "1.0"
description = ""
category = "main"
optional = false
python-versions = "*"

[[package]]
name = "b"
version = "2.0"
description = ""
category = "dev"
optional = false
python-versions = "*"

[metadata]
lock-version = "1.1"
python-versions = "*"
content-hash = "x"

[metadata.files]
a = []
b = [
    {file = "b-1.0.tar.gz", hash = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
    {file = "b-2.0-py3-none-any.whl", hash = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"},
]
"#;

    #[test]
    fn v1_files_go_to_the_version_in_their_name() {
        let lock = run(V1).unwrap();
        assert_eq!(lock.format, "poetry-v1.1");
        assert_eq!(
            test_support::where_read(&lock.packages),
            [("a", "1.0", 1), ("b", "1.0", 12), ("b", "2.0", 20)]
        );
        assert_eq!(lock.packages[1].hashes[0].value, "a".repeat(64));
        assert_eq!(lock.packages[2].hashes[0].value, "b".repeat(64));
        assert_eq!(lock.packages[1].path, vec!["(root)", "a", "b"]);
        assert!(lock.packages[0].direct);
    }

    #[test]
    fn v1_file_of_no_locked_version_is_an_error() {
        let text = V1.replace("b-2.0-py3", "b-3.0-py3");
        let err = run(&text).unwrap_err();
        assert_eq!(err.line, Some(37), "{err}");
    }

    #[test]
    fn unknown_source_type_is_refused() {
        let text = "[[package]]\nname = \"a\"\nversion = \"1\"\nfiles = []\n[package.source]\ntype = \"hg\"\nurl = \"x\"\n\n[metadata]\nlock-version = \"2.0\"\n";
        let err = run(text).unwrap_err();
        assert_eq!(err.line, Some(1));
    }
}
