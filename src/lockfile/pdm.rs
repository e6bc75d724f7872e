//! `pdm.lock`, the lockfile PDM writes.
//!
//! # Versions
//!
//! `[metadata] lock_version = "4.x"` (PDM 2.x) is read and reported as `pdm-v4.<x>`
//! (major and minor). Another major (the `3.x` of PDM 1, with hashes under
//! `[metadata.files]`, or a future `5.x`), or a missing `[metadata]` or
//! `lock_version`, is a [`ParseError`].
//!
//! # What is read
//!
//! - **Packages**: one [`Package`] per distinct (name, version, source) of the
//!   `[[package]]` entries, in file order. PDM writes a second entry for a package
//!   locked with extras (`extras = [...]`); it is the same package, so it is merged
//!   into the first (hashes and dependencies joined, the first entry's line kept).
//!   The project itself is not in the file.
//! - **Hashes**: every `hash` of the entry's `files` (`{file, hash}` or, with
//!   `--static-urls`, `{url, hash}`), and of its `[metadata.files]` list keyed
//!   `"name version"` (where `lock_version` 4.0 kept them).
//! - **Sources**: `git` (with `revision`, else `ref`) is [`Source::Git`], `url` is
//!   [`Source::Url`], `path` (editable or not) is [`Source::Path`], anything else the
//!   index, [`Source::Registry`]`(None)` (pdm.lock does not record which index).
//!   Other version control systems (`hg`, `svn`, `bzr`) are an error.
//! - **Edges**: the names of the `dependencies` requirement strings; names the file
//!   does not lock (excluded by markers) are skipped. A string that is not a
//!   requirement is an error.
//! - **Roots**: the `pyproject.toml` beside the lockfile (PEP 621 dependencies and
//!   optional dependencies, PEP 735 `[dependency-groups]` and
//!   `[tool.pdm.dev-dependencies]` as dev). Without one, every package no other
//!   package depends on is a direct dependency of the root, dev when its `groups` do
//!   not include `default`.
//! - **Lines**: the line of each `[[package]]` header, from the `toml` parser's spans.
//!
//! # What is not verified
//!
//! Markers, `requires_python` and `[[metadata.targets]]` are not evaluated, the
//! `content_hash` is not compared with the pyproject, and the hashes are not checked
//! against the files.

use super::lines::LineIndex;
use super::python_lock::{self as shared, Node, Nodes, RawFile};
use super::{Context, Lockfile, ParseError, Source, pep503};
use serde::Deserialize;
use toml::Spanned;

/// The only major `lock_version` lockgate understands.
pub const MAJOR: u32 = 4;

#[derive(Deserialize)]
struct RawLock {
    metadata: Option<RawMetadata>,
    #[serde(default)]
    package: Vec<Spanned<RawPackage>>,
}

#[derive(Deserialize)]
struct RawMetadata {
    lock_version: Option<Spanned<String>>,
    files: Option<shared::MetadataFiles>,
}

#[derive(Deserialize)]
struct RawPackage {
    name: Option<String>,
    version: Option<String>,
    #[serde(default)]
    files: Vec<RawFile>,
    #[serde(default)]
    dependencies: Vec<Spanned<String>>,
    groups: Option<Vec<String>>,
    path: Option<String>,
    url: Option<String>,
    git: Option<String>,
    hg: Option<String>,
    svn: Option<String>,
    bzr: Option<String>,
    #[serde(rename = "ref")]
    reference: Option<String>,
    revision: Option<String>,
}

super::format::one_file_format!("pdm", Pypi, "pdm.lock", "pdm lock");

/// Parse the text of a `pdm.lock`.
pub fn parse(ctx: &Context<'_>, text: &str) -> Result<Lockfile, ParseError> {
    let lines = LineIndex::new(text);
    let raw: RawLock = lines.toml(ctx, text, "is not a valid pdm.lock")?;
    let (lock_version, metadata_files) = raw
        .metadata
        .map_or((None, None), |m| (m.lock_version, m.files));
    let Some(lock_version) = lock_version else {
        return Err(ctx.error(
            None,
            "has no [metadata] lock_version (truncated, or not a pdm.lock)",
        ));
    };
    let line = lines.line(lock_version.span().start);
    let lock_version = lock_version.into_inner();
    let mut parts = lock_version.split('.').map(|p| p.trim().parse::<u32>());
    let (major, minor) = match (parts.next(), parts.next()) {
        (Some(Ok(major)), Some(Ok(minor))) => (major, minor),
        (Some(Ok(major)), None) => (major, 0),
        _ => {
            return Err(ctx.error(
                Some(line),
                format!("lock_version `{lock_version}` is not a version number"),
            ));
        }
    };
    if major != MAJOR {
        return Err(shared::unknown_version(
            ctx,
            line,
            &format!("lock_version {lock_version}"),
            major > MAJOR,
            &format!("{MAJOR}.x"),
            "a current `pdm lock`",
        ));
    }

    let mut nodes = Nodes::default();
    let mut deps_of: Vec<Vec<String>> = Vec::with_capacity(raw.package.len());
    let mut dev_only: Vec<bool> = Vec::with_capacity(raw.package.len());
    for sp in raw.package {
        let line = lines.line(sp.span().start);
        let p = sp.into_inner();
        let (name, version) = shared::name_and_version(ctx, line, p.name, p.version)?;
        if let Some(kind) = [("hg", &p.hg), ("svn", &p.svn), ("bzr", &p.bzr)]
            .into_iter()
            .find_map(|(k, v)| v.as_ref().map(|_| k))
        {
            return Err(ctx.error(
                Some(line),
                format!("package `{name}` comes from {kind}, which lockgate does not support"),
            ));
        }
        let source = if let Some(git) = p.git {
            Source::Git {
                url: git,
                rev: p
                    .revision
                    .or(p.reference)
                    .filter(|r| !r.is_empty())
                    .map(Into::into),
            }
        } else if let Some(url) = p.url {
            Source::Url(url)
        } else if let Some(path) = p.path {
            Source::Path(path)
        } else {
            Source::Registry(None)
        };
        let artifacts = RawFile::read_all(&p.files, ctx, &lines)?;
        let mut deps = Vec::with_capacity(p.dependencies.len());
        for d in &p.dependencies {
            let dep = shared::requirement_name(d.get_ref()).ok_or_else(|| {
                ctx.error(
                    Some(lines.line(d.span().start)),
                    format!(
                        "dependency `{}` of `{name}` is not a requirement",
                        d.get_ref()
                    ),
                )
            })?;
            deps.push(pep503(dep));
        }
        let dev = p
            .groups
            .as_ref()
            .is_some_and(|g| !g.is_empty() && !g.iter().any(|g| g == "default"));
        match nodes.add(Node::new(name, version, source, line, artifacts)) {
            (_, true) => {
                deps_of.push(deps);
                dev_only.push(dev);
            }
            (i, false) => {
                deps_of[i].extend(deps);
                dev_only[i] &= dev;
            }
        }
    }
    let mut nodes = nodes.list;

    if let Some(files) = metadata_files {
        // lock_version 4.0 (early PDM 2 releases) keeps the files here, keyed "name version".
        shared::assign_metadata_files(ctx, &lines, &mut nodes, files)?;
    }

    // An extras entry lists its base package (`name==version`): not an edge.
    let (edges, roots) = shared::name_graph(ctx, &nodes, &deps_of, false, &dev_only, &[]);
    Ok(shared::finish(
        ctx,
        format!("pdm-v{major}.{minor}"),
        nodes,
        &edges,
        &roots,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Result<Lockfile, ParseError> {
        FORMAT.parse_at("/nonexistent-dir/pdm.lock", text)
    }

    /// A `[[package]]` entry: name, version, other lines (`more`), `groups`.
    fn entry(name: &str, version: &str, more: &str, groups: &str) -> String {
        format!(
            "[[package]]\nname = \"{name}\"\nversion = \"{version}\"\n{more}groups = [{groups}]\n"
        )
    }

    /// Hand-written: `a` locked twice (once for an extra), dev-only `c` and `t`.
    fn lock() -> String {
        let file = |name: &str, c: &str| {
            format!(
                "files = [{{file = \"{name}\", hash = \"sha256:{}\"}}]\n",
                c.repeat(64)
            )
        };
        [
            "[metadata]\ngroups = [\"default\", \"dev\"]\nlock_version = \"4.5.0\"\n".to_string(),
            entry("a", "1.0", "", "\"default\"")
                + r#"dependencies = ["b>=1; python_version < \"3.9\"", "missing>=1"]"#
                + "\n"
                + &file("a-1.0.tar.gz", "a"),
            entry("b", "1.0", "", "\"default\""),
            entry("a", "1.0", "extras = [\"x\"]\n", "\"default\"")
                + "dependencies = [\"a==1.0\", \"c\"]\n"
                + &file("a-1.0-py3-none-any.whl", "b"),
            entry("c", "3.0", "", "\"dev\""),
            entry("t", "1.0", "", "\"dev\""),
        ]
        .join("\n")
    }

    #[test]
    fn extras_entries_merge_and_fallback_roots() {
        let lock = run(&lock()).unwrap();
        assert_eq!(lock.format, "pdm-v4.5");
        let names: Vec<_> = lock.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c", "t"]);
        assert_eq!(lock.packages[0].hashes.len(), 2);
        assert_eq!(lock.packages[0].line, 5);
        assert_eq!(lock.packages[2].path, vec!["(root)", "a", "c"]);
        assert!(lock.packages[3].dev && lock.packages[3].direct);
        assert!(!lock.packages[0].dev);
    }

    #[test]
    fn lock_version_4_0_hashes_in_metadata_files() {
        // Hand-written in the layout of lock_version 4.0 (the corpus holds a real one):
        // one name at two versions, each key `"name version"` goes to its own.
        let h = |c: char| format!("sha256:{}", c.to_string().repeat(64));
        let text = format!(
            "[[package]]\nname = \"a\"\nversion = \"1.0\"\n\n[[package]]\nname = \"A\"\nversion = \"2.0\"\n\n[metadata]\nlock_version = \"4.0\"\n\n[metadata.files]\n\"a 1.0\" = [{{url = \"https://x/a-1.0.tar.gz\", hash = \"{}\"}}]\n\"a 2.0\" = [{{url = \"https://x/a-2.0.tar.gz\", hash = \"{}\"}}]\n",
            h('1'),
            h('2')
        );
        let lock = run(&text).unwrap();
        assert_eq!(lock.format, "pdm-v4.0");
        let got: Vec<_> = lock
            .packages
            .iter()
            .map(|p| (p.version.as_str(), p.hashes.len()))
            .collect();
        assert_eq!(got, [("1.0", 1), ("2.0", 1)]);
        assert_ne!(lock.packages[0].hashes, lock.packages[1].hashes);
        // Files for a version no [[package]] locks are an error, with their line.
        let err = run(&text.replace("\"a 2.0\"", "\"a 3.0\"")).unwrap_err();
        assert_eq!(err.line, Some(14), "{err}");
    }

    #[test]
    fn older_lock_version_is_refused() {
        // (the newer one: in python_lock's tests, with poetry's and uv's)
        let err = run(&lock().replace("4.5.0", "3.1")).unwrap_err();
        assert_eq!(err.line, Some(3), "{err}");
    }

    #[test]
    fn non_requirement_dependency_is_an_error() {
        let err = run(&lock().replace("\"missing>=1\"", "\"-e .\"")).unwrap_err();
        assert_eq!(err.line, Some(9), "{err}");
    }
}
