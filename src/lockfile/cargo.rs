//! `Cargo.lock`, the lockfile cargo writes for a package or workspace.
//!
//! # Versions
//!
//! | format          | how it is recognised                                             | checksums                     |
//! |-----------------|------------------------------------------------------------------|-------------------------------|
//! | `cargo-lock-v1` | no `version` key, no per-package `checksum` (often a `[root]`)   | `[metadata]`: `"checksum NAME VERSION (SOURCE)" = "hex"` |
//! | `cargo-lock-v2` | no `version` key, some `[[package]]` has `checksum`              | `checksum` per package        |
//! | `cargo-lock-v3` | `version = 3`                                                    | `checksum` per package        |
//! | `cargo-lock-v4` | `version = 4`                                                    | `checksum` per package        |
//!
//! Any other `version` (5 and up, or 0–2 written out, which cargo never does) is a
//! [`ParseError`]: lockgate does not guess at a layout it has not been taught.
//!
//! # What is read
//!
//! - **Packages**: one [`Package`] per `[[package]]` entry (`[root]` in very old v1
//!   files is the root package) except workspace members, which are the roots of the
//!   graph. Each `dependencies` entry (`"name"`, `"name version"` or
//!   `"name version (source)"`) must resolve to exactly one entry of the file, or the
//!   file is refused. The resolution is cargo's own (`lookup_id` in
//!   `src/cargo/core/resolver/encode.rs`): without a version, the name must have one
//!   version; without a source, the one path package of that name and version (a path
//!   package never has a source written), else the only entry. So a workspace member
//!   and a crates.io crate of the same name and version (`cargo-platform 0.3.3` in
//!   rust-lang/cargo) are told apart exactly as cargo does.
//! - **Hashes**: `checksum` (v2+) and `[metadata]` checksums (v1), sha256 hex, as
//!   `sha256:<hex>`. `"<none>"` (v1, for git and path packages) means no hash.
//! - **Sources**: `registry+https://github.com/rust-lang/crates.io-index` and
//!   `sparse+https://index.crates.io/` are crates.io ([`Source::Registry`]`(None)`);
//!   another `registry+URL` is `Registry(Some(URL))` and another sparse registry is
//!   `Registry(Some("sparse+URL"))` (the spelling cargo's `registries.*.index` uses);
//!   `git+URL?query#commit` is [`Source::Git`] with the URL (query dropped) and the
//!   locked commit (or, with no `#commit`, the `rev`/`tag`/`branch` of the query).
//!   An entry with no `source` is a workspace member or a path dependency; path
//!   dependencies become [`Source::Path`] holding the package name (the lockfile does
//!   not record the directory). Any other source kind is an error.
//! - **Lines**: the line of each entry's `[[package]]` header, from the spans the
//!   `toml` parser records (one pass over the text).
//! - **Roots and paths**: the workspace members. When a `Cargo.toml` sits beside the
//!   lockfile, its `[package]`, its `[workspace] members` (globs with `*` and `?`),
//!   minus `exclude`, and every path dependency of a member that lies inside the
//!   workspace directory (cargo's own rule) are the members. Without a readable
//!   manifest, every source-less package that no other package depends on is a root.
//!   Paths, `direct` come from [`graph::shortest_paths`] over the `dependencies` lists.
//!
//! # What is not verified
//!
//! `Cargo.lock` does not say which dependencies are dev- or build-only, so [`parse`]
//! marks nothing `dev`; [`parse_with_metadata`] asks `cargo metadata` for that and for
//! the exact workspace members. Nothing here checks that the checksums match the
//! crates (that is the allowlist's and the registry's job), nor that the lockfile is
//! up to date with the manifests. `[[patch.unused]]` and `replace` entries are ignored.

use super::graph::{self, Root};
use super::lines::LineIndex;
use super::{Context, Lockfile, ParseError};
use crate::lexical_path::lexical_normalize;
use crate::model::{Ecosystem, Hash, Package, Source};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The registry source string of crates.io as `Cargo.lock` writes it.
pub const CRATES_IO_REGISTRY: &str = "registry+https://github.com/rust-lang/crates.io-index";
/// The sparse-protocol source string of crates.io.
pub const CRATES_IO_SPARSE: &str = "sparse+https://index.crates.io/";

/// The newest `Cargo.lock` version lockgate understands.
pub const NEWEST_VERSION: i64 = 4;

#[derive(Deserialize)]
struct RawLock {
    version: Option<Spanned<toml::Value>>,
    #[serde(default)]
    package: Vec<Spanned<RawPackage>>,
    root: Option<Spanned<RawPackage>>,
    metadata: Option<BTreeMap<String, Spanned<String>>>,
}

#[derive(Deserialize)]
struct RawPackage {
    name: String,
    version: String,
    source: Option<Spanned<String>>,
    checksum: Option<Spanned<String>>,
    #[serde(default)]
    dependencies: Vec<Spanned<String>>,
}

/// One lockfile entry, after the checks that need only the entry itself.
struct Entry {
    name: String,
    version: String,
    raw_source: Option<String>,
    source: Option<Source>,
    hashes: Vec<Hash>,
    line: usize,
    deps: Vec<(String, usize)>,
    has_checksum_field: bool,
}

/// A package's name and version.
type NameVersion = (String, String);
/// A package's name, version and source string as `Cargo.lock` writes it.
type PackageKey = (String, String, Option<String>);

/// Which entries are workspace members, and (from `cargo metadata`) which of a
/// member's dependencies are development-only.
enum Members {
    /// Work them out from the manifests beside the lockfile (or the graph).
    Auto,
    /// Exact, from `cargo metadata`: member (name, version), and for each member the
    /// (name, version, source) of its dev-only dependencies.
    Exact {
        members: HashSet<(String, String)>,
        dev_only: HashMap<NameVersion, HashSet<PackageKey>>,
    },
}

super::format::one_file_format!("cargo", Cargo, "Cargo.lock", "cargo generate-lockfile");

/// Parse the text of a `Cargo.lock`.
///
/// Needs no cargo: roots come from the `Cargo.toml` beside the lockfile when there is
/// one (see the module documentation), and nothing is marked `dev`.
pub fn parse(ctx: &Context<'_>, text: &str) -> Result<Lockfile, ParseError> {
    parse_inner(ctx, text, Members::Auto)
}

/// Parse a `Cargo.lock` and add what `cargo metadata` knows: the exact workspace
/// members and which packages only development dependencies lead to (`dev`).
///
/// Runs `cargo metadata --format-version 1 --locked --offline` in the lockfile's
/// directory (the `cargo` on `PATH`, or `$CARGO`). Fails closed: if cargo is missing,
/// fails (e.g. the crates are not downloaded, since it runs offline), or disagrees
/// with the lockfile, the error says so. Build dependencies count as normal ones.
pub fn parse_with_metadata(ctx: &Context<'_>, text: &str) -> Result<Lockfile, ParseError> {
    let members = metadata_members(ctx)?;
    parse_inner(ctx, text, members)
}

fn metadata_members(ctx: &Context<'_>) -> Result<Members, ParseError> {
    use cargo_metadata::{DependencyKind, MetadataCommand};
    let manifest = ctx.dir().join("Cargo.toml");
    let hint = "run `cargo metadata --locked --offline` in that directory to see why (`cargo fetch` downloads what it needs), or parse without cargo metadata";
    let meta = MetadataCommand::new()
        .manifest_path(&manifest)
        .other_options(vec!["--locked".to_string(), "--offline".to_string()])
        .exec()
        .map_err(|e| {
            let why = e.to_string();
            let why = why.trim().lines().take(12).collect::<Vec<_>>().join(" / ");
            ctx.error(None, format!("`cargo metadata` failed: {why}"))
                .with_hint(hint)
        })?;
    let key_of = |p: &cargo_metadata::Package| {
        (
            p.name.to_string(),
            p.version.to_string(),
            p.source.as_ref().map(|s| s.repr.clone()),
        )
    };
    let by_id: HashMap<&cargo_metadata::PackageId, &cargo_metadata::Package> =
        meta.packages.iter().map(|p| (&p.id, p)).collect();
    let mut members = HashSet::new();
    for id in &meta.workspace_members {
        let p = by_id.get(id).ok_or_else(|| {
            ctx.error(
                None,
                format!("`cargo metadata` names member {id} but does not describe it"),
            )
        })?;
        members.insert((p.name.to_string(), p.version.to_string()));
    }
    let resolve = meta.resolve.as_ref().ok_or_else(|| {
        ctx.error(
            None,
            "`cargo metadata` returned no dependency graph (`resolve` is null)",
        )
    })?;
    let mut dev_only = HashMap::new();
    for node in &resolve.nodes {
        if !meta.workspace_members.contains(&node.id) {
            continue;
        }
        let Some(p) = by_id.get(&node.id) else {
            continue;
        };
        let mut devs = HashSet::new();
        for dep in &node.deps {
            let all_dev = !dep.dep_kinds.is_empty()
                && dep
                    .dep_kinds
                    .iter()
                    .all(|k| k.kind == DependencyKind::Development);
            if all_dev && let Some(d) = by_id.get(&dep.pkg) {
                devs.insert(key_of(d));
            }
        }
        dev_only.insert((p.name.to_string(), p.version.to_string()), devs);
    }
    Ok(Members::Exact { members, dev_only })
}

fn parse_inner(ctx: &Context<'_>, text: &str, members: Members) -> Result<Lockfile, ParseError> {
    let lines = LineIndex::new(text);
    let line_of = |span: std::ops::Range<usize>| lines.line(span.start);
    let raw: RawLock = lines.toml(ctx, text, "is not a valid Cargo.lock")?;

    // The format version.
    let explicit = match &raw.version {
        None => None,
        Some(v) => match lines.integer_version(ctx, v)? {
            (n, line) if n > NEWEST_VERSION => {
                return Err(ctx.error(
                    Some(line),
                    format!("Cargo.lock version {n} is newer than lockgate knows (1-{NEWEST_VERSION})"),
                )
                .with_hint("upgrade lockgate, or check that the file really is a Cargo.lock"));
            }
            (n @ (3 | 4), _) => Some(n),
            (n, line) => {
                return Err(ctx.error(
                    Some(line),
                    format!("unknown Cargo.lock version {n}: cargo writes no `version` for v1 and v2, and 3 or 4 after"),
                ));
            }
        },
    };

    // Entries in file order ([root] first: it precedes [[package]] in old files).
    let mut entries: Vec<Entry> = Vec::with_capacity(raw.package.len() + 1);
    let root_index = raw.root.is_some().then_some(0);
    for sp in raw.root.into_iter().chain(raw.package) {
        let line = line_of(sp.span());
        let p = sp.into_inner();
        entries.push(entry(ctx, &lines, p, line)?);
    }

    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        by_name.entry(e.name.as_str()).or_default().push(i);
    }
    let mut seen = HashSet::new();
    for e in &entries {
        if !seen.insert((e.name.as_str(), e.version.as_str(), e.raw_source.as_deref())) {
            return Err(ctx.error(
                Some(e.line),
                format!("package `{} {}` is listed twice", e.name, e.version),
            ));
        }
    }

    // Resolve dependencies to indices.
    let mut edges: Vec<Vec<usize>> = Vec::with_capacity(entries.len());
    for e in &entries {
        let mut out = Vec::with_capacity(e.deps.len());
        for (dep, line) in &e.deps {
            let i = resolve_dep(&entries, &by_name, dep).map_err(|why| {
                ctx.error(
                    Some(*line),
                    format!("dependency \"{dep}\" of `{} {}` {why}", e.name, e.version),
                )
            })?;
            out.push(i);
        }
        edges.push(out);
    }

    // v1 checksums under [metadata].
    let mut metadata_checksums = false;
    let mut extra_hashes: Vec<(usize, Hash)> = Vec::new();
    for (key, value) in raw.metadata.iter().flatten() {
        let Some(spec) = key.strip_prefix("checksum ") else {
            continue;
        };
        metadata_checksums = true;
        let line = line_of(value.span());
        let i = resolve_dep(&entries, &by_name, spec)
            .map_err(|why| ctx.error(Some(line), format!("[metadata] entry \"{key}\" {why}")))?;
        let hex = value.get_ref();
        if hex == "<none>" {
            continue;
        }
        let h = Hash::from_hex("sha256", hex).map_err(|e| {
            ctx.error(
                Some(line),
                format!("[metadata] checksum for \"{spec}\": {e}"),
            )
        })?;
        if entries
            .get(i)
            .is_some_and(|e| !e.hashes.is_empty() && !e.hashes.contains(&h))
        {
            return Err(ctx.error(
                Some(line),
                format!(
                    "[metadata] checksum for \"{spec}\" differs from the package's own `checksum`"
                ),
            ));
        }
        extra_hashes.push((i, h));
    }
    for (i, h) in extra_hashes {
        if let Some(e) = entries.get_mut(i) {
            e.hashes.push(h);
            e.hashes.sort();
            e.hashes.dedup();
        }
    }

    let format_version = match explicit {
        Some(n) => n,
        None if entries.iter().any(|e| e.has_checksum_field) && !metadata_checksums => 2,
        None if entries.iter().any(|e| e.has_checksum_field) => {
            return Err(ctx.error(
                None,
                "mixes v1 `[metadata]` checksums with v2 per-package `checksum` fields",
            ));
        }
        None => 1,
    };

    // Roots.
    let mut is_root = vec![false; entries.len()];
    let mut dev_only: Vec<HashSet<usize>> = vec![HashSet::new(); entries.len()];
    match &members {
        Members::Exact {
            members,
            dev_only: devs,
        } => {
            let mut found = 0;
            for (i, e) in entries.iter().enumerate() {
                let key = (e.name.clone(), e.version.clone());
                if e.raw_source.is_none() && members.contains(&key) {
                    is_root[i] = true;
                    found += 1;
                    if let Some(d) = devs.get(&key) {
                        for &j in &edges[i] {
                            let Some(t) = entries.get(j) else { continue };
                            if d.contains(&(
                                t.name.clone(),
                                t.version.clone(),
                                t.raw_source.clone(),
                            )) {
                                dev_only[i].insert(j);
                            }
                        }
                    }
                }
            }
            if found != members.len() {
                return Err(ctx.error(
                    None,
                    format!(
                        "`cargo metadata` lists {} workspace members but the lockfile has {found} of them",
                        members.len()
                    ),
                ));
            }
        }
        Members::Auto => {
            if let Some(i) = root_index {
                is_root[i] = true;
            }
            match manifest_members(ctx.dir()) {
                Some(names) => {
                    for (i, e) in entries.iter().enumerate() {
                        if e.raw_source.is_none() && names.contains(&e.name) {
                            is_root[i] = true;
                        }
                    }
                }
                None => {
                    let mut depended = vec![false; entries.len()];
                    for out in &edges {
                        for &j in out {
                            if let Some(d) = depended.get_mut(j) {
                                *d = true;
                            }
                        }
                    }
                    for (i, e) in entries.iter().enumerate() {
                        if e.raw_source.is_none() && !depended[i] {
                            is_root[i] = true;
                        }
                    }
                }
            }
        }
    }

    // Number the packages (non-roots) and build the graph.
    let mut pkg_index = vec![usize::MAX; entries.len()];
    let mut labels = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if !is_root[i] {
            pkg_index[i] = labels.len();
            labels.push(e.name.clone());
        }
    }
    let mut pkg_edges = Vec::with_capacity(labels.len());
    let mut roots = Vec::new();
    for (i, out) in edges.iter().enumerate() {
        let mapped = out.iter().filter(|&&j| !is_root[j]).map(|&j| pkg_index[j]);
        if is_root[i] {
            let (dev, prod): (Vec<usize>, Vec<usize>) = out
                .iter()
                .filter(|&&j| !is_root[j])
                .partition(|j| dev_only[i].contains(j));
            roots.push(Root {
                label: entries[i].name.clone(),
                deps: prod.into_iter().map(|j| pkg_index[j]).collect(),
                dev_deps: dev.into_iter().map(|j| pkg_index[j]).collect(),
                optional_deps: Vec::new(),
            });
        } else {
            pkg_edges.push(mapped.collect());
        }
    }
    let reach = graph::shortest_paths(&labels, &pkg_edges, &roots);

    let mut packages = Vec::with_capacity(labels.len());
    let mut reach = reach.into_iter();
    for (i, e) in entries.into_iter().enumerate() {
        if is_root[i] {
            continue;
        }
        let r = reach.next().unwrap_or_default();
        let source = e.source.unwrap_or_else(|| Source::Path(e.name.clone()));
        packages.push(Package {
            hashes: e.hashes.into(),
            direct: r.direct,
            dev: r.dev,
            optional: r.optional,
            path: r.path,
            ..Package::new(
                Ecosystem::Cargo,
                e.name,
                e.version,
                source,
                ctx.display,
                e.line,
            )
        });
    }
    Ok(Lockfile {
        path: ctx.display.to_path_buf(),
        ecosystem: Ecosystem::Cargo,
        format: format!("cargo-lock-v{format_version}"),
        packages,
        unpinned: Vec::new(),
    })
}

fn entry(
    ctx: &Context<'_>,
    lines: &LineIndex,
    p: RawPackage,
    line: usize,
) -> Result<Entry, ParseError> {
    if p.name.trim().is_empty() {
        return Err(ctx.error(Some(line), "package has an empty `name`"));
    }
    if p.version.trim().is_empty() {
        return Err(ctx.error(
            Some(line),
            format!("package `{}` has an empty `version`", p.name),
        ));
    }
    let (raw_source, source) = match p.source {
        None => (None, None),
        Some(s) => {
            let src = parse_source(s.get_ref()).map_err(|why| {
                ctx.error(
                    Some(lines.line(s.span().start)),
                    format!("package `{} {}`: {why}", p.name, p.version),
                )
            })?;
            (Some(s.into_inner()), Some(src))
        }
    };
    let has_checksum_field = p.checksum.is_some();
    let mut hashes = Vec::new();
    if let Some(c) = &p.checksum {
        let h = Hash::from_hex("sha256", c.get_ref()).map_err(|e| {
            ctx.error(
                Some(lines.line(c.span().start)),
                format!("package `{} {}`: bad checksum: {e}", p.name, p.version),
            )
        })?;
        hashes.push(h);
    }
    let deps = p
        .dependencies
        .into_iter()
        .map(|d| {
            let l = lines.line(d.span().start);
            (d.into_inner(), l)
        })
        .collect();
    Ok(Entry {
        name: p.name,
        version: p.version,
        raw_source,
        source,
        hashes,
        line,
        deps,
        has_checksum_field,
    })
}

/// Why a `Cargo.lock` `source` string is not one lockgate reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// `registry+`, `sparse+` or `git+` with nothing after it.
    #[error("source `{0}` has no URL")]
    NoUrl(String),
    /// Not `registry+`, `sparse+` or `git+`.
    #[error("unknown source `{0}` (expected `registry+`, `sparse+` or `git+`)")]
    Unknown(String),
}

impl crate::hint::Hint for SourceError {
    fn hints(&self) -> Vec<String> {
        vec![super::Kind::CargoLock.regenerate_hint().to_string()]
    }
}

/// Turn a `Cargo.lock` source string into a [`Source`] (see the module documentation).
pub fn parse_source(s: &str) -> Result<Source, SourceError> {
    if s == CRATES_IO_REGISTRY || s == CRATES_IO_SPARSE {
        return Ok(Source::Registry(None));
    }
    if let Some(url) = s.strip_prefix("registry+") {
        if url.is_empty() {
            return Err(SourceError::NoUrl(s.to_string()));
        }
        return Ok(Source::Registry(Some(url.to_string())));
    }
    if let Some(url) = s.strip_prefix("sparse+") {
        if url.is_empty() {
            return Err(SourceError::NoUrl(s.to_string()));
        }
        return Ok(Source::Registry(Some(s.to_string())));
    }
    if let Some(rest) = s.strip_prefix("git+") {
        let (url, rev) = super::git_url::url_and_rev(rest);
        if url.is_empty() {
            return Err(SourceError::NoUrl(s.to_string()));
        }
        return Ok(Source::Git {
            url: url.to_string(),
            rev: rev.map(Into::into),
        });
    }
    Err(SourceError::Unknown(s.to_string()))
}

/// Resolve a dependency string to the index of the one entry it names.
fn resolve_dep(
    entries: &[Entry],
    by_name: &HashMap<&str, Vec<usize>>,
    dep: &str,
) -> Result<usize, String> {
    let (name, rest) = match dep.split_once(' ') {
        Some((n, r)) => (n, Some(r)),
        None => (dep, None),
    };
    let (version, source) = match rest {
        None => (None, None),
        Some(r) => match r.split_once(' ') {
            None => (Some(r), None),
            Some((v, s)) => {
                let s = s
                    .strip_prefix('(')
                    .and_then(|s| s.strip_suffix(')'))
                    .ok_or_else(|| "is malformed: expected `name version (source)`".to_string())?;
                (Some(v), Some(s))
            }
        },
    };
    if name.is_empty() || version == Some("") {
        return Err(
            "is malformed: expected `name`, `name version` or `name version (source)`".into(),
        );
    }
    // Cargo's own lookup (src/cargo/core/resolver/encode.rs, `lookup_id`): the
    // entries of that name; without a version there must be only one version;
    // with a source, the entry of that source; without one, the one `path` entry
    // (a path package never has a source written) if there is exactly one, else
    // the only entry; anything else is ambiguous.
    let candidates: Vec<usize> = by_name
        .get(name)
        .map(Vec::as_slice)
        .unwrap_or(&[])
        .iter()
        .copied()
        .filter(|&i| entries.get(i).is_some())
        .collect();
    if candidates.is_empty() {
        return Err("is not in the lockfile".into());
    }
    let version = match version {
        Some(v) => v,
        None => {
            let first = &entries[candidates[0]].version;
            if candidates.iter().any(|&i| &entries[i].version != first) {
                return Err(
                    "is ambiguous: it names no version and the lockfile has several".into(),
                );
            }
            first.as_str()
        }
    };
    let same_version: Vec<usize> = candidates
        .into_iter()
        .filter(|&i| entries[i].version == version)
        .collect();
    if let Some(s) = source {
        let mut it = same_version
            .iter()
            .filter(|&&i| entries[i].raw_source.as_deref() == Some(s));
        return match (it.next(), it.next()) {
            (Some(&i), None) => Ok(i),
            (Some(_), Some(_)) => Err("is ambiguous: it matches more than one entry".into()),
            (None, _) => Err("is not in the lockfile".into()),
        };
    }
    let paths: Vec<usize> = same_version
        .iter()
        .copied()
        .filter(|&i| entries[i].raw_source.is_none())
        .collect();
    match (paths.as_slice(), same_version.as_slice()) {
        ([i], _) => Ok(*i),
        ([], [i]) => Ok(*i),
        ([], []) => Err("is not in the lockfile".into()),
        _ => Err("is ambiguous: it matches more than one entry".into()),
    }
}

// ---- workspace members from the manifests -------------------------------------------

/// Most manifests lockgate reads to find workspace members.
const MAX_MANIFESTS: usize = 10_000;

/// The names of the workspace members (or the root package) the `Cargo.toml` in `dir`
/// declares; `None` when there is no readable manifest there or a member glob uses
/// syntax lockgate does not expand.
pub fn manifest_members(dir: &Path) -> Option<HashSet<String>> {
    let root = read_manifest(&dir.join("Cargo.toml"))?;
    let mut names = HashSet::new();
    if let Some(n) = package_name(&root) {
        names.insert(n);
    }
    let Some(ws) = root.get("workspace").and_then(toml::Value::as_table) else {
        return Some(names);
    };
    let strs = |key: &str| -> Vec<String> {
        ws.get(key)
            .and_then(toml::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let excludes: Vec<PathBuf> = strs("exclude")
        .iter()
        .map(|e| lexical_normalize(Path::new(e)))
        .collect();
    let ws_deps = ws.get("dependencies").and_then(toml::Value::as_table);
    let excluded = |rel: &Path| excludes.iter().any(|e| rel.starts_with(e));

    let mut todo: Vec<PathBuf> = Vec::new();
    for glob in strs("members") {
        todo.extend(expand_glob(dir, &glob)?);
    }
    todo.extend(path_deps(&root, Path::new(""), ws_deps));
    let mut seen: HashSet<PathBuf> = HashSet::new();
    while let Some(rel) = todo.pop() {
        let rel = lexical_normalize(&rel);
        if rel.as_os_str().is_empty()
            || rel.starts_with("..")
            || excluded(&rel)
            || !seen.insert(rel.clone())
            || seen.len() > MAX_MANIFESTS
        {
            continue;
        }
        let Some(m) = read_manifest(&dir.join(&rel).join("Cargo.toml")) else {
            continue;
        };
        if let Some(n) = package_name(&m) {
            names.insert(n);
        }
        todo.extend(path_deps(&m, &rel, ws_deps));
    }
    Some(names)
}

fn read_manifest(path: &Path) -> Option<toml::Table> {
    let text = std::fs::read_to_string(path).ok()?;
    toml::from_str(&text).ok()
}

fn package_name(m: &toml::Table) -> Option<String> {
    m.get("package")?.get("name")?.as_str().map(str::to_string)
}

/// Directories (relative to the workspace root) of the path dependencies of the
/// manifest at `rel`, in every dependency table, including `workspace = true` ones.
fn path_deps(m: &toml::Table, rel: &Path, ws_deps: Option<&toml::Table>) -> Vec<PathBuf> {
    const KINDS: [&str; 3] = ["dependencies", "dev-dependencies", "build-dependencies"];
    let mut tables: Vec<&toml::Table> =
        KINDS.iter().filter_map(|k| m.get(*k)?.as_table()).collect();
    if let Some(targets) = m.get("target").and_then(toml::Value::as_table) {
        for t in targets.values() {
            tables.extend(KINDS.iter().filter_map(|k| t.get(*k)?.as_table()));
        }
    }
    let mut out = Vec::new();
    for table in tables {
        for (name, spec) in table {
            if let Some(p) = spec.get("path").and_then(toml::Value::as_str) {
                out.push(rel.join(p));
            } else if spec.get("workspace").and_then(toml::Value::as_bool) == Some(true)
                && let Some(p) = ws_deps
                    .and_then(|w| w.get(name))
                    .and_then(|s| s.get("path"))
                    .and_then(toml::Value::as_str)
            {
                out.push(PathBuf::from(p));
            }
        }
    }
    out
}

/// Expand a `members` entry (relative to `dir`) with `*` and `?` wildcards into the
/// directories it names, relative to `dir`. `None` for `[`-classes or `**`.
fn expand_glob(dir: &Path, glob: &str) -> Option<Vec<PathBuf>> {
    if glob.contains('[') || glob.contains("**") {
        return None;
    }
    let mut current = vec![PathBuf::new()];
    for part in glob.split('/').filter(|p| !p.is_empty() && *p != ".") {
        let mut next = Vec::new();
        for base in &current {
            if part.contains('*') || part.contains('?') {
                let Ok(rd) = std::fs::read_dir(dir.join(base)) else {
                    continue;
                };
                let mut found: Vec<PathBuf> = rd
                    .filter_map(Result::ok)
                    .filter(|d| d.file_type().is_ok_and(|t| t.is_dir()))
                    .filter_map(|d| d.file_name().to_str().map(str::to_string))
                    .filter(|n| wildcard(part.as_bytes(), n.as_bytes()))
                    .map(|n| base.join(n))
                    .collect();
                found.sort();
                next.extend(found);
            } else {
                next.push(base.join(part));
            }
        }
        current = next;
        if current.len() > MAX_MANIFESTS {
            return None;
        }
    }
    Some(current)
}

/// Shell-style match of `*` and `?` (iterative, linear in practice).
fn wildcard(pat: &[u8], s: &[u8]) -> bool {
    let (mut p, mut i) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        match pat.get(p) {
            Some(b'*') => {
                star = Some((p, i));
                p += 1;
            }
            Some(&c) if c == b'?' || c == s[i] => {
                p += 1;
                i += 1;
            }
            _ => match star {
                Some((sp, si)) => {
                    p = sp + 1;
                    i = si + 1;
                    star = Some((sp, si + 1));
                }
                None => return false,
            },
        }
    }
    pat[p.min(pat.len())..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(p: &Path) -> Context<'_> {
        Context {
            path: p,
            display: p,
        }
    }

    const SUM: &str = "c982642fa9e8606056828ee9a8505737230110bb1099153c79efe865c59d12ba";

    #[test]
    fn sources() {
        assert_eq!(parse_source(CRATES_IO_REGISTRY), Ok(Source::Registry(None)));
        assert_eq!(parse_source(CRATES_IO_SPARSE), Ok(Source::Registry(None)));
        assert_eq!(
            parse_source("sparse+https://my.example/index/"),
            Ok(Source::Registry(Some(
                "sparse+https://my.example/index/".into()
            )))
        );
        assert_eq!(
            parse_source("git+https://example.com/a/b?branch=main#0123abc"),
            Ok(Source::Git {
                url: "https://example.com/a/b".into(),
                rev: Some("0123abc".into())
            })
        );
        assert!(parse_source("path+file:///x").is_err());
    }

    #[test]
    fn wildcards() {
        assert!(wildcard(b"crates/*", b"crates/x"));
        assert!(wildcard(b"a*c", b"abbc"));
        assert!(wildcard(b"a?c", b"abc"));
        assert!(!wildcard(b"a?c", b"abbc"));
        assert!(wildcard(b"*", b""));
    }

    #[test]
    fn v3_graph_without_manifest() {
        let text = format!(
            "version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"a 1.0.0\",\n \"b\",\n]\n\n\
             [[package]]\nname = \"a\"\nversion = \"1.0.0\"\nsource = \"{CRATES_IO_REGISTRY}\"\nchecksum = \"{SUM}\"\ndependencies = [\"c\"]\n\n\
             [[package]]\nname = \"a\"\nversion = \"2.0.0\"\nsource = \"{CRATES_IO_REGISTRY}\"\nchecksum = \"{SUM}\"\n\n\
             [[package]]\nname = \"b\"\nversion = \"0.1.0\"\n\n\
             [[package]]\nname = \"c\"\nversion = \"1.0.0\"\nsource = \"{CRATES_IO_REGISTRY}\"\nchecksum = \"{SUM}\"\n"
        );
        let p = Path::new("/nonexistent-lockgate-dir/Cargo.lock");
        let lock = parse(&ctx(p), &text).unwrap();
        assert_eq!(lock.format, "cargo-lock-v3");
        let names: Vec<_> = lock
            .packages
            .iter()
            .map(|p| format!("{} {}", p.name, p.version))
            .collect();
        assert_eq!(names, ["a 1.0.0", "a 2.0.0", "b 0.1.0", "c 1.0.0"]);
        assert_eq!(lock.packages[0].line, 11);
        assert_eq!(lock.packages[3].path, ["app", "a", "c"]);
        assert_eq!(lock.packages[2].source, Source::Path("b".into()));
        assert!(lock.packages[0].direct && !lock.packages[1].direct);
    }

    #[test]
    fn newer_version_is_refused() {
        let p = Path::new("Cargo.lock");
        let e = parse(&ctx(p), "# c\nversion = 5\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(
            e.message.contains("newer than lockgate knows"),
            "{}",
            e.message
        );
    }
}
