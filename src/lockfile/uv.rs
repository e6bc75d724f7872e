//! `uv.lock`, the universal lockfile uv writes for a project or workspace.
//!
//! # Versions
//!
//! `version = 1` (with any `revision`, which uv bumps for additive changes) is
//! `uv-v1`. A missing `version`, or any other, is a [`ParseError`].
//!
//! # What is read
//!
//! - **Packages**: one [`Package`] per `[[package]]` entry (uv writes one entry per
//!   distinct name, version and source; a forked resolution locks a name at several
//!   versions), except the project and the workspace members, which are the roots.
//!   The members are the `[manifest] members`; a single project has no `[manifest]`,
//!   and its root is the entry whose source is `editable = "."` or `virtual = "."`.
//! - **Hashes**: the `sdist` hash and every `wheels` hash of the entry.
//! - **Upload time**: the latest `upload-time` of the `sdist` and the `wheels`
//!   ([`crate::model::Package::upload_time`]); one that is not RFC 3339 is an error.
//! - **Sources**: `registry` is [`Source::Registry`] (`None` for
//!   `https://pypi.org/simple`), `git` is [`Source::Git`] (URL without query and
//!   fragment, the commit from the fragment), `url` is [`Source::Url`], `path`,
//!   `directory`, `editable` and `virtual` are [`Source::Path`]. Any other kind, or a
//!   source naming none or several, is an error. Local packages whose version is
//!   dynamic have no `version` in uv.lock; they get an empty version. A missing
//!   version on any other source is an error.
//! - **Edges**: `dependencies` of each entry, plus its `optional-dependencies` for
//!   the extras some entry requests (`extra = [...]`). A dependency resolves to the
//!   one entry with that name (and `version` / `source`, which uv writes when a name
//!   is locked more than once); a dependency that matches no entry, or several, is an
//!   error.
//! - **Roots**: each member's `dependencies` (production), `optional-dependencies`
//!   (optional) and `dev-dependencies` (dependency groups: dev). If no root can be
//!   found, every package no other package depends on is a direct dependency of a
//!   root named after the lockfile's directory.
//! - **Lines**: the line of each `[[package]]` header, from the `toml` parser's spans.
//!
//! # What is not verified
//!
//! Markers and `resolution-markers` are not evaluated (every fork's versions are
//! listed), `[package.metadata]` (the requirements as declared) is not compared with
//! the pins, `requires-python` and `options` are ignored, and the hashes are not
//! checked against the files.

use super::graph::Root;
use super::lines::LineIndex;
use super::python_lock::{self as shared, Node, Nodes};
use super::{Context, Lockfile, ParseError, Source, pep503};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use toml::Spanned;

/// The only `uv.lock` version lockgate understands.
pub const VERSION: i64 = 1;

#[derive(Deserialize)]
struct RawLock {
    version: Option<Spanned<toml::Value>>,
    #[serde(default)]
    package: Vec<Spanned<RawPackage>>,
    manifest: Option<RawManifest>,
}

#[derive(Deserialize)]
struct RawManifest {
    #[serde(default)]
    members: Vec<String>,
}

#[derive(Deserialize)]
struct RawPackage {
    name: Option<String>,
    version: Option<String>,
    source: Option<RawSource>,
    sdist: Option<RawArtifact>,
    #[serde(default)]
    wheels: Vec<RawArtifact>,
    #[serde(default)]
    dependencies: Vec<Spanned<RawDep>>,
    #[serde(default, rename = "optional-dependencies")]
    optional_dependencies: BTreeMap<String, Vec<Spanned<RawDep>>>,
    #[serde(default, rename = "dev-dependencies")]
    dev_dependencies: BTreeMap<String, Vec<Spanned<RawDep>>>,
}

/// A package's `source`: exactly one of these keys.
#[derive(Deserialize, PartialEq, Eq, Clone, Debug)]
#[serde(deny_unknown_fields)]
struct RawSource {
    registry: Option<String>,
    editable: Option<String>,
    #[serde(rename = "virtual")]
    virtual_: Option<String>,
    git: Option<String>,
    url: Option<String>,
    path: Option<String>,
    directory: Option<String>,
    subdirectory: Option<String>,
}

#[derive(Deserialize)]
struct RawArtifact {
    hash: Option<Spanned<String>>,
    url: Option<Spanned<String>>,
    filename: Option<String>,
    #[serde(rename = "upload-time")]
    upload_time: Option<Spanned<String>>,
}

#[derive(Deserialize)]
struct RawDep {
    name: String,
    version: Option<String>,
    source: Option<RawSource>,
    extra: Option<Vec<String>>,
}

/// One `[[package]]` entry, member or not.
struct Entry {
    name: String,
    norm: String,
    version: Option<String>,
    raw_source: Option<RawSource>,
    local_root: bool,
    line: usize,
}

super::format::one_file_format!("uv", Pypi, "uv.lock", "uv lock");

/// Parse the text of a `uv.lock`.
pub fn parse(ctx: &Context<'_>, text: &str) -> Result<Lockfile, ParseError> {
    let lines = LineIndex::new(text);
    let raw: RawLock = lines.toml(ctx, text, "is not a valid uv.lock")?;
    match &raw.version {
        None => {
            return Err(ctx.error(
                Some(1),
                "has no top-level `version` (truncated, or not a uv.lock)",
            ));
        }
        Some(v) => match lines.integer_version(ctx, v)? {
            (VERSION, _) => {}
            (n, line) => {
                let what = format!("uv.lock version {n}");
                let known = VERSION.to_string();
                return Err(shared::unknown_version(
                    ctx,
                    line,
                    &what,
                    n > VERSION,
                    &known,
                    "`uv lock`",
                ));
            }
        },
    }

    let members: HashSet<String> = raw
        .manifest
        .as_ref()
        .map(|m| m.members.iter().map(|n| pep503(n)).collect())
        .unwrap_or_default();

    // First pass: every entry, and which are roots.
    let mut entries: Vec<Entry> = Vec::with_capacity(raw.package.len());
    let mut packages: Vec<RawPackage> = Vec::with_capacity(raw.package.len());
    for sp in raw.package {
        let line = lines.line(sp.span().start);
        let p = sp.into_inner();
        let Some(name) = p.name.as_deref().filter(|n| !n.trim().is_empty()) else {
            return Err(ctx.error(Some(line), "package entry has no `name`"));
        };
        let norm = pep503(name);
        let local_root = match &p.source {
            Some(s) if members.is_empty() => {
                s.editable.as_deref() == Some(".") || s.virtual_.as_deref() == Some(".")
            }
            Some(s) => members.contains(&norm) && (s.editable.is_some() || s.virtual_.is_some()),
            None => false,
        };
        entries.push(Entry {
            name: name.to_string(),
            norm,
            version: p.version.clone(),
            raw_source: p.source.clone(),
            local_root,
            line,
        });
        packages.push(p);
    }

    let mut by_name: shared::FastMap<&str, Vec<usize>> =
        shared::FastMap::with_capacity_and_hasher(entries.len(), Default::default());
    for (i, e) in entries.iter().enumerate() {
        by_name.entry(e.norm.as_str()).or_default().push(i);
    }
    let resolve = |from: usize, dep: &Spanned<RawDep>| -> Result<usize, ParseError> {
        let d = dep.get_ref();
        let line = lines.line(dep.span().start);
        let from_name = entries.get(from).map(|e| e.name.as_str()).unwrap_or("?");
        let norm = pep503(&d.name);
        let candidates = by_name.get(norm.as_str()).map(Vec::as_slice).unwrap_or(&[]);
        let mut found = candidates.iter().copied().filter(|&i| {
            let e = &entries[i];
            d.version
                .as_ref()
                .is_none_or(|v| e.version.as_ref() == Some(v))
                && d.source
                    .as_ref()
                    .is_none_or(|s| e.raw_source.as_ref() == Some(s))
        });
        match (found.next(), found.next()) {
            (Some(i), None) => Ok(i),
            (None, _) => Err(ctx.error(
                Some(line),
                format!(
                    "`{from_name}` depends on `{}`{}, which the lockfile does not lock",
                    d.name,
                    d.version.as_ref().map(|v| format!(" {v}")).unwrap_or_default()
                ),
            )),
            (Some(_), Some(_)) => Err(ctx.error(
                Some(line),
                format!(
                    "`{from_name}` depends on `{}`, which is locked more than once, without a `version` or `source` saying which",
                    d.name
                ),
            )),
        }
    };

    // Resolve every dependency list to entry indices.
    let mut deps: Vec<Vec<usize>> = Vec::with_capacity(entries.len());
    let mut extras: Vec<BTreeMap<String, Vec<usize>>> = Vec::with_capacity(entries.len());
    let mut dev: Vec<Vec<usize>> = Vec::with_capacity(entries.len());
    let mut requested: HashSet<(usize, String)> = HashSet::new();
    for (i, p) in packages.iter().enumerate() {
        let mut ds = Vec::with_capacity(p.dependencies.len());
        let mut note = |target: usize, dep: &Spanned<RawDep>| {
            for x in dep.get_ref().extra.iter().flatten() {
                requested.insert((target, x.clone()));
            }
        };
        for d in &p.dependencies {
            let t = resolve(i, d)?;
            note(t, d);
            ds.push(t);
        }
        let mut xs = BTreeMap::new();
        for (extra, list) in &p.optional_dependencies {
            let mut v = Vec::with_capacity(list.len());
            for d in list {
                let t = resolve(i, d)?;
                note(t, d);
                v.push(t);
            }
            xs.insert(extra.clone(), v);
        }
        let mut dv = Vec::new();
        for list in p.dev_dependencies.values() {
            for d in list {
                let t = resolve(i, d)?;
                note(t, d);
                dv.push(t);
            }
        }
        deps.push(ds);
        extras.push(xs);
        dev.push(dv);
    }

    // Second pass: the packages (non-root entries), merged by (name, version, source).
    let mut node_of: Vec<Option<usize>> = vec![None; entries.len()];
    let mut nodes = Nodes::default();
    for (i, p) in packages.into_iter().enumerate() {
        let e = &entries[i];
        if e.local_root {
            continue;
        }
        let name = p.name.unwrap_or_default();
        let source = match &p.source {
            Some(s) => source_of(ctx, e, s)?,
            None => {
                return Err(ctx.error(Some(e.line), format!("package `{name}` has no `source`")));
            }
        };
        let version = match p.version.filter(|v| !v.trim().is_empty()) {
            Some(v) => v,
            None if matches!(source, Source::Path(_)) => String::new(),
            None => {
                return Err(ctx.error(Some(e.line), format!("package `{name}` has no `version`")));
            }
        };
        let mut artifacts = Vec::with_capacity(p.wheels.len() + 1);
        let mut upload_time: Option<i64> = None;
        for a in p.sdist.iter().chain(&p.wheels) {
            let mut own = Vec::new();
            if let Some(h) = &a.hash {
                own.push(shared::hash(ctx, &lines, h)?);
            }
            let line = match (&a.url, &a.hash) {
                (Some(u), _) => lines.line(u.span().start),
                (None, Some(h)) => lines.line(h.span().start),
                (None, None) => e.line,
            };
            if let Some(t) = &a.upload_time {
                let secs = crate::model::timestamp::parse_timestamp(t.get_ref()).ok_or_else(|| {
                    ctx.error(
                        Some(lines.line(t.span().start)),
                        format!(
                            "package `{name}`: `upload-time = \"{}\"` is not an RFC 3339 time (e.g. 2025-09-08T13:00:00Z); regenerate the lockfile with `uv lock`",
                            t.get_ref()
                        ),
                    )
                })?;
                upload_time = Some(upload_time.map_or(secs, |u: i64| u.max(secs)));
            }
            artifacts.push(crate::model::Artifact {
                url: a.url.as_ref().map(|u| u.get_ref().clone()),
                filename: a.filename.clone(),
                hashes: own.into(),
                line: crate::model::package::line_u32(line),
            });
        }
        let mut node = Node::new(name, version, source, e.line, artifacts);
        node.upload_time = upload_time;
        node_of[i] = Some(nodes.add(node).0);
    }
    let nodes = nodes.list;

    let to_nodes =
        |list: &[usize]| -> Vec<usize> { list.iter().filter_map(|&t| node_of[t]).collect() };
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    let mut roots: Vec<Root> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let (Some(ds), Some(xs), Some(dv)) = (deps.get(i), extras.get(i), dev.get(i)) else {
            continue;
        };
        match node_of[i] {
            Some(n) => {
                let mut out = to_nodes(ds);
                for (extra, list) in xs {
                    if requested.contains(&(i, extra.clone())) {
                        out.extend(to_nodes(list));
                    }
                }
                if let Some(slot) = edges.get_mut(n) {
                    slot.extend(out);
                }
            }
            None if e.local_root => roots.push(Root {
                label: e.name.clone(),
                deps: to_nodes(ds),
                optional_deps: xs.values().flat_map(|l| to_nodes(l)).collect(),
                dev_deps: to_nodes(dv),
            }),
            None => {}
        }
    }
    if roots.is_empty() {
        roots.push(Root {
            label: ctx.root_label(),
            deps: shared::unreferenced(nodes.len(), &edges),
            ..Root::default()
        });
    }
    Ok(shared::finish(
        ctx,
        format!("uv-v{VERSION}"),
        nodes,
        &edges,
        &roots,
    ))
}

/// The source of entry `e`.
fn source_of(ctx: &Context<'_>, e: &Entry, s: &RawSource) -> Result<Source, ParseError> {
    let (line, name) = (e.line, &e.name);
    let set: Vec<(&str, &String)> = [
        ("registry", &s.registry),
        ("editable", &s.editable),
        ("virtual", &s.virtual_),
        ("git", &s.git),
        ("url", &s.url),
        ("path", &s.path),
        ("directory", &s.directory),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
    .collect();
    let [(kind, value)] = set.as_slice() else {
        return Err(ctx.error(
            Some(line),
            format!(
                "package `{name}`: `source` must name exactly one of registry, editable, virtual, git, url, path, directory (found {})",
                set.len()
            ),
        ));
    };
    let value = value.to_string();
    Ok(match *kind {
        "registry" => shared::registry(&value),
        "git" => {
            let (url, rev) = super::git_url::url_and_rev(&value);
            Source::Git {
                url: url.to_string(),
                rev: rev.map(Into::into),
            }
        }
        "url" => Source::Url(value),
        _ => Source::Path(value),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Result<Lockfile, ParseError> {
        FORMAT.parse_at("/nonexistent-dir/uv.lock", text)
    }

    /// A hand-written uv.lock of `version = 1`, `revision = 3` and the entries `$body`.
    macro_rules! uv_lock {
        ($body:literal) => {
            concat!("version = 1\nrevision = 3\n\n", $body)
        };
    }

    const FORK: &str = uv_lock!(
        r#"[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "a", version = "1.0", source = { registry = "https://pypi.org/simple" } },
    { name = "a", version = "2.0", source = { registry = "https://pypi.org/simple" } },
    { name = "g" },
]

[[package]]
name = "a"
version = "1.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "a"
version = "2.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "g"
version = "0.1"
source = { git = "https://example.com/g.git?rev=main#0123abcd" }
"#
    );

    const TIMES: &str = uv_lock!(
        r#"[[package]]
name = "a"
version = "1.0"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://files.pythonhosted.org/a-1.0.tar.gz", hash = "sha256:13b2beaad985e05e2d6407ee4c4f35590b11f8d693a258a561055cac8f64cab7", upload-time = "2020-01-01T00:00:00Z" }
wheels = [
    { url = "https://files.pythonhosted.org/a-1.0-py3-none-any.whl", hash = "sha256:f072f4d804ea359e4eaf198b1af7a8b0943881a87f31bb764f8bf219bb9419e0", upload-time = "2025-09-08T13:16:00.5Z" },
]

[[package]]
name = "b"
version = "1.0"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://files.pythonhosted.org/b-1.0.tar.gz", hash = "sha256:13b2beaad985e05e2d6407ee4c4f35590b11f8d693a258a561055cac8f64cab7" }
"#
    );

    // Hand-written: a wheel uploaded years after its release's sdist.
    #[test]
    fn upload_time_is_the_latest_of_the_files() {
        let lock = run(TIMES).unwrap();
        let a = lock.packages.iter().find(|p| p.name == "a").unwrap();
        assert_eq!(a.upload_time, Some(1_757_337_360));
        let b = lock.packages.iter().find(|p| p.name == "b").unwrap();
        assert_eq!(b.upload_time, None);
    }

    // Hand-written malformed input.
    #[test]
    fn unreadable_upload_time_is_an_error_at_its_line() {
        let text = TIMES.replace("2025-09-08T13:16:00.5Z", "last tuesday");
        let e = run(&text).unwrap_err();
        assert_eq!(e.line, Some(10));
        assert!(e.message.contains("upload-time"), "{}", e.message);
    }

    #[test]
    fn forks_and_git() {
        let lock = run(FORK).unwrap();
        assert_eq!(lock.packages.len(), 3);
        assert_eq!(lock.packages[0].line, 14);
        assert_eq!(lock.packages[0].path, vec!["app", "a"]);
        assert!(lock.packages.iter().all(|p| p.direct));
    }

    #[test]
    fn ambiguous_dependency_is_an_error() {
        let text = FORK.replace(r#"{ name = "a", version = "2.0", source = { registry = "https://pypi.org/simple" } },"#, r#"{ name = "a" },"#);
        let err = run(&text).unwrap_err();
        assert_eq!(err.line, Some(10), "{err}");
    }

    #[test]
    fn unknown_source_kind_is_an_error() {
        let text = FORK.replace(r#"{ git = "#, r#"{ hg = "#);
        let err = run(&text).unwrap_err();
        assert_eq!(err.line, Some(27), "{err}");
    }
}
