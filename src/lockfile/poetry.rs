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

use super::graph::Root;
use super::lines::LineIndex;
use super::{Context, Lockfile, ParseError};
use crate::model::Source;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use toml::Spanned;

use shared::{MetadataFiles, Node, PyProject, RawFile};

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

/// Parse the text of a `poetry.lock`.
pub fn parse(ctx: &Context<'_>, text: &str) -> Result<Lockfile, ParseError> {
    let lines = LineIndex::new(text);
    let raw: RawLock = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| lines.line(s.start));
        ctx.error(line, format!("is not a valid poetry.lock: {}", e.message()))
    })?;
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
                return Err(ctx
                    .error(
                        Some(line),
                        format!(
                            "lock-version {} is {} than lockgate knows (1.x-{NEWEST_MAJOR}.x)",
                            v.get_ref(),
                            if major == 0 { "older" } else { "newer" }
                        ),
                    )
                    .with_hint(
                        "upgrade lockgate, or regenerate the file with a current `poetry lock`",
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

    let mut nodes: Vec<Node> = Vec::with_capacity(raw.package.len());
    let mut deps_of: Vec<Vec<String>> = Vec::with_capacity(raw.package.len());
    let mut key_index: HashMap<(String, String, Source), usize> = HashMap::new();
    // Which packages say they are dev-only / optional (for the fallback roots).
    let mut dev_only: Vec<bool> = Vec::new();
    let mut optional: Vec<bool> = Vec::new();
    for sp in raw.package {
        let line = lines.line(sp.span().start);
        let p = sp.into_inner();
        let name = p
            .name
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(|| ctx.error(Some(line), "package entry has no `name`"))?;
        let version = p
            .version
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| ctx.error(Some(line), format!("package `{name}` has no `version`")))?;
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
        let mut hashes = Vec::new();
        let mut artifacts = Vec::new();
        for f in p.files.unwrap_or_default() {
            let hash = shared::hash(ctx, &lines, &f.hash)?;
            artifacts.push(crate::model::Artifact {
                url: None,
                filename: f.file.clone(),
                hashes: vec![hash.clone()],
                line: lines.line(f.hash.span().start),
            });
            hashes.push(hash);
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
        let key = (crate::model::pep503(&name), version.clone(), source.clone());
        if let Some(&i) = key_index.get(&key) {
            // The same version twice (should not happen): one record, all hashes and edges.
            nodes[i].hashes.extend(hashes);
            nodes[i].artifacts.extend(artifacts);
            deps_of[i].extend(deps);
            dev_only[i] &= dev;
            optional[i] &= p.optional;
            continue;
        }
        key_index.insert(key, nodes.len());
        let mut node = Node::new(name, version, source, line, hashes);
        node.artifacts = artifacts;
        nodes.push(node);
        deps_of.push(deps);
        dev_only.push(dev);
        optional.push(p.optional);
    }

    if let Some(files) = metadata.files {
        shared::assign_metadata_files(ctx, &lines, &mut nodes, files)?;
    }

    let by_name = shared::index_by_name(&nodes);
    let edges: Vec<Vec<usize>> = deps_of
        .iter()
        .map(|ds| {
            ds.iter()
                .flat_map(|d| by_name.get(d.as_str()).into_iter().flatten().copied())
                .collect()
        })
        .collect();

    let roots = match PyProject::read(ctx) {
        Some(py) => vec![py.root(ctx, &by_name)],
        None => {
            let mut root = Root {
                label: ctx.root_label(),
                ..Root::default()
            };
            for i in shared::unreferenced(nodes.len(), &edges) {
                if dev_only[i] {
                    root.dev_deps.push(i);
                } else if optional[i] {
                    root.optional_deps.push(i);
                } else {
                    root.deps.push(i);
                }
            }
            vec![root]
        }
    };
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
                .filter(|r| !r.is_empty()),
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

/// Helpers shared by the Python TOML lockfile parsers (poetry, uv, pdm): the
/// sibling `pyproject.toml`, requirement names, hashes and the final assembly.
pub(crate) mod shared {
    use super::super::graph::{self, Root};
    use super::super::lines::LineIndex;
    use super::super::{Context, Lockfile, ParseError};
    use crate::model::{Artifact, Ecosystem, Hash, Package, Source, pep503};
    use serde::Deserialize;
    use std::collections::{BTreeMap, HashMap};
    use toml::Spanned;

    /// The index URL of PyPI as the tools write it.
    pub(crate) const PYPI_SIMPLE: &str = "https://pypi.org/simple";

    /// A package being assembled.
    pub(crate) struct Node {
        pub(crate) name: String,
        pub(crate) norm: String,
        pub(crate) version: String,
        pub(crate) source: Source,
        pub(crate) line: usize,
        pub(crate) hashes: Vec<Hash>,
        /// The files the lockfile names (URL or file name), for the source policy.
        pub(crate) artifacts: Vec<Artifact>,
    }

    impl Node {
        pub(crate) fn new(
            name: String,
            version: String,
            source: Source,
            line: usize,
            hashes: Vec<Hash>,
        ) -> Node {
            Node {
                norm: pep503(&name),
                name,
                version,
                source,
                line,
                hashes,
                artifacts: Vec::new(),
            }
        }
    }

    /// A registry source: `None` for PyPI itself.
    pub(crate) fn registry(url: &str) -> Source {
        let trimmed = url.trim().trim_end_matches('/');
        if trimmed.eq_ignore_ascii_case(PYPI_SIMPLE) {
            Source::Registry(None)
        } else {
            Source::Registry(Some(url.to_string()))
        }
    }

    /// A `sha256:<hex>` hash with the line of the string on error.
    pub(crate) fn hash(
        ctx: &Context<'_>,
        lines: &LineIndex,
        s: &Spanned<String>,
    ) -> Result<Hash, ParseError> {
        Hash::parse(s.get_ref())
            .map_err(|e| ctx.error(Some(lines.line(s.span().start)), format!("bad hash: {e}")))
    }

    /// One file of a package: `{file, hash}` (poetry) or `{url, hash}` (pdm).
    #[derive(Deserialize)]
    pub(crate) struct RawFile {
        pub(crate) file: Option<String>,
        pub(crate) url: Option<String>,
        pub(crate) hash: Spanned<String>,
    }

    /// `[metadata.files]` of poetry 1.x (keyed `name`) and pdm `lock_version` 4.0
    /// (keyed `"name version"`).
    pub(crate) type MetadataFiles = BTreeMap<Spanned<String>, Vec<RawFile>>;

    /// Give each `[metadata.files]` list to the packages its key names. A `name` key
    /// (poetry 1.x) belongs to every locked version of that name: each file goes to the
    /// version its file name carries, and a file that matches none is an error. A
    /// `"name version"` key (pdm 4.0) belongs to that version.
    pub(crate) fn assign_metadata_files(
        ctx: &Context<'_>,
        lines: &LineIndex,
        nodes: &mut [Node],
        files: MetadataFiles,
    ) -> Result<(), ParseError> {
        let by_name = index_by_name(nodes);
        let mut assigned = Vec::new();
        for (key, list) in files {
            let name_line = lines.line(key.span().start);
            let key = key.into_inner();
            let (name, version) = match key.trim().split_once(char::is_whitespace) {
                Some((n, v)) => (n, Some(v.trim())),
                None => (key.trim(), None),
            };
            let norm = pep503(name.split('[').next().unwrap_or(name));
            let candidates: Vec<usize> = by_name
                .get(norm.as_str())
                .into_iter()
                .flatten()
                .copied()
                .filter(|&i| version.is_none_or(|v| same_version(v, &nodes[i].version)))
                .collect();
            if candidates.is_empty() {
                if list.is_empty() {
                    continue;
                }
                return Err(ctx.error(
                    Some(name_line),
                    format!(
                        "[metadata.files] lists files for `{key}`, which no [[package]] entry locks"
                    ),
                ));
            }
            for f in list {
                let h = hash(ctx, lines, &f.hash)?;
                let target = if let [only] = candidates.as_slice() {
                    *only
                } else {
                    let file = f.file.as_deref().or(f.url.as_deref()).unwrap_or("");
                    let version = version_in_filename(file);
                    candidates
                        .iter()
                        .copied()
                        .find(|&i| version.is_some_and(|v| same_version(v, &nodes[i].version)))
                        .ok_or_else(|| {
                            ctx.error(
                                Some(lines.line(f.hash.span().start)),
                                format!(
                                    "[metadata.files] entry `{file}` of `{key}` matches none of its locked versions"
                                ),
                            )
                        })?
                };
                let artifact = Artifact {
                    url: f.url.clone(),
                    filename: f.file.clone(),
                    hashes: vec![h.clone()],
                    line: lines.line(f.hash.span().start),
                };
                assigned.push((target, h, artifact));
            }
        }
        drop(by_name);
        for (target, h, artifact) in assigned {
            if let Some(node) = nodes.get_mut(target) {
                node.hashes.push(h);
                node.artifacts.push(artifact);
            }
        }
        Ok(())
    }

    /// Normalized name -> indices of the nodes with that name, in file order.
    pub(crate) fn index_by_name(nodes: &[Node]) -> HashMap<&str, Vec<usize>> {
        let mut map: HashMap<&str, Vec<usize>> = HashMap::with_capacity(nodes.len());
        for (i, n) in nodes.iter().enumerate() {
            map.entry(n.norm.as_str()).or_default().push(i);
        }
        map
    }

    /// Packages that no other package depends on, in file order.
    pub(crate) fn unreferenced(n: usize, edges: &[Vec<usize>]) -> Vec<usize> {
        let mut referenced = vec![false; n];
        for (from, ds) in edges.iter().enumerate() {
            for &d in ds {
                if d != from
                    && let Some(r) = referenced.get_mut(d)
                {
                    *r = true;
                }
            }
        }
        (0..n).filter(|&i| !referenced[i]).collect()
    }

    /// The name of a PEP 508 requirement (`name[extra] >=1; marker`, `name @ url`).
    pub(crate) fn requirement_name(req: &str) -> Option<&str> {
        let s = req.trim_start();
        let end = s
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .unwrap_or(s.len());
        let name = s.get(..end)?;
        let rest = s.get(end..)?.trim_start();
        let ok_start = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        let ok_rest =
            rest.is_empty() || rest.starts_with(['[', '(', '<', '>', '=', '!', '~', ';', '@', ',']);
        (ok_start && ok_rest).then_some(name)
    }

    /// The version part of a wheel (`name-ver-…whl`) or sdist (`name-ver.tar.gz`) file name.
    pub(crate) fn version_in_filename(file: &str) -> Option<&str> {
        let file = file.rsplit('/').next().unwrap_or(file);
        if let Some(stem) = file.strip_suffix(".whl") {
            return stem.split('-').nth(1);
        }
        let stem = [
            ".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".zip", ".tar", ".egg",
        ]
        .iter()
        .find_map(|ext| file.strip_suffix(ext))?;
        stem.rsplit_once('-').map(|(_, v)| v)
    }

    /// Versions compare equal ignoring case and `_`/`-` (file names escape `-` as `_`).
    pub(crate) fn same_version(a: &str, b: &str) -> bool {
        let norm = |s: &str| s.to_ascii_lowercase().replace(['_', '-'], ".");
        norm(a) == norm(b)
    }

    /// Turn the nodes into a [`Lockfile`]: canonical hashes, reachability from the roots.
    pub(crate) fn finish(
        ctx: &Context<'_>,
        format: String,
        nodes: Vec<Node>,
        edges: &[Vec<usize>],
        roots: &[Root],
    ) -> Lockfile {
        let labels: Vec<String> = nodes.iter().map(|n| n.name.clone()).collect();
        let reach = graph::shortest_paths(&labels, edges, roots);
        let packages = nodes
            .into_iter()
            .zip(reach)
            .map(|(mut n, r)| {
                n.hashes.sort();
                n.hashes.dedup();
                Package {
                    hashes: n.hashes,
                    artifacts: n.artifacts,
                    direct: r.direct,
                    dev: r.dev,
                    optional: r.optional,
                    path: r.path,
                    ..Package::new(
                        Ecosystem::Pypi,
                        n.name,
                        n.version,
                        n.source,
                        ctx.display,
                        n.line,
                    )
                }
            })
            .collect();
        Lockfile {
            path: ctx.display.to_path_buf(),
            ecosystem: Ecosystem::Pypi,
            format,
            packages,
            unpinned: Vec::new(),
        }
    }

    /// What the `pyproject.toml` beside a lockfile says the project depends on
    /// (normalized names).
    #[derive(Debug, Default)]
    pub(crate) struct PyProject {
        pub(crate) name: Option<String>,
        pub(crate) deps: Vec<String>,
        pub(crate) optional: Vec<String>,
        pub(crate) dev: Vec<String>,
    }

    impl PyProject {
        /// Read `pyproject.toml` beside the lockfile; `None` when it is missing or not TOML.
        pub(crate) fn read(ctx: &Context<'_>) -> Option<PyProject> {
            let text = std::fs::read_to_string(ctx.dir().join("pyproject.toml")).ok()?;
            let doc: toml::Table = toml::from_str(&text).ok()?;
            Some(PyProject::from_table(&doc))
        }

        /// Collect the dependencies of a parsed pyproject.
        pub(crate) fn from_table(doc: &toml::Table) -> PyProject {
            let mut py = PyProject::default();
            let reqs = |v: Option<&toml::Value>, out: &mut Vec<String>| {
                for r in v.and_then(toml::Value::as_array).into_iter().flatten() {
                    if let Some(name) = r.as_str().and_then(requirement_name) {
                        out.push(pep503(name));
                    }
                }
            };
            let keys = |v: Option<&toml::Value>,
                        out: &mut Vec<String>,
                        optional: Option<&mut Vec<String>>| {
                let Some(t) = v.and_then(toml::Value::as_table) else {
                    return;
                };
                let mut optional = optional;
                for (k, spec) in t {
                    if k == "python" {
                        continue;
                    }
                    let is_opt = spec
                        .as_table()
                        .and_then(|t| t.get("optional"))
                        .and_then(toml::Value::as_bool)
                        .unwrap_or(false);
                    match (&mut optional, is_opt) {
                        (Some(o), true) => o.push(pep503(k)),
                        _ => out.push(pep503(k)),
                    }
                }
            };
            if let Some(project) = doc.get("project").and_then(toml::Value::as_table) {
                py.name = project
                    .get("name")
                    .and_then(toml::Value::as_str)
                    .map(str::to_string);
                reqs(project.get("dependencies"), &mut py.deps);
                for (_, list) in project
                    .get("optional-dependencies")
                    .and_then(toml::Value::as_table)
                    .into_iter()
                    .flatten()
                {
                    reqs(Some(list), &mut py.optional);
                }
            }
            for (_, list) in doc
                .get("dependency-groups")
                .and_then(toml::Value::as_table)
                .into_iter()
                .flatten()
            {
                reqs(Some(list), &mut py.dev);
            }
            let tool = doc.get("tool").and_then(toml::Value::as_table);
            if let Some(poetry) = tool
                .and_then(|t| t.get("poetry"))
                .and_then(toml::Value::as_table)
            {
                if py.name.is_none() {
                    py.name = poetry
                        .get("name")
                        .and_then(toml::Value::as_str)
                        .map(str::to_string);
                }
                keys(
                    poetry.get("dependencies"),
                    &mut py.deps,
                    Some(&mut py.optional),
                );
                keys(poetry.get("dev-dependencies"), &mut py.dev, None);
                for (_, group) in poetry
                    .get("group")
                    .and_then(toml::Value::as_table)
                    .into_iter()
                    .flatten()
                {
                    keys(group.get("dependencies"), &mut py.dev, None);
                }
            }
            if let Some(pdm) = tool
                .and_then(|t| t.get("pdm"))
                .and_then(toml::Value::as_table)
            {
                for (_, list) in pdm
                    .get("dev-dependencies")
                    .and_then(toml::Value::as_table)
                    .into_iter()
                    .flatten()
                {
                    reqs(Some(list), &mut py.dev);
                }
            }
            py
        }

        /// The graph root: the project, with its dependencies resolved to nodes by name.
        pub(crate) fn root(&self, ctx: &Context<'_>, by_name: &HashMap<&str, Vec<usize>>) -> Root {
            let resolve = |names: &[String]| -> Vec<usize> {
                names
                    .iter()
                    .flat_map(|n| by_name.get(n.as_str()).into_iter().flatten().copied())
                    .collect()
            };
            Root {
                label: self.name.clone().unwrap_or_else(|| ctx.root_label()),
                deps: resolve(&self.deps),
                dev_deps: resolve(&self.dev),
                optional_deps: resolve(&self.optional),
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn requirement_names() {
            assert_eq!(requirement_name("requests>=2"), Some("requests"));
            assert_eq!(
                requirement_name("  Foo_Bar[x] ; python_version<'3'"),
                Some("Foo_Bar")
            );
            assert_eq!(requirement_name("six @ https://x/six.whl"), Some("six"));
            assert_eq!(requirement_name("zope.interface"), Some("zope.interface"));
            assert_eq!(requirement_name("-e ."), None);
            assert_eq!(requirement_name("a b"), None);
        }

        #[test]
        fn versions_in_file_names() {
            assert_eq!(
                version_in_filename("six-1.17.0-py2.py3-none-any.whl"),
                Some("1.17.0")
            );
            assert_eq!(
                version_in_filename("python_dateutil-3.0.0.tar.gz"),
                Some("3.0.0")
            );
            assert_eq!(version_in_filename("foo.txt"), None);
            assert!(same_version("1.0_post1", "1.0.post1"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn run(text: &str) -> Result<Lockfile, ParseError> {
        let p = Path::new("/nonexistent-dir/poetry.lock");
        parse(
            &Context {
                path: p,
                display: Path::new("poetry.lock"),
            },
            text,
        )
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
        assert_eq!(lock.packages.len(), 3);
        assert_eq!(lock.packages[0].line, 1);
        assert_eq!(lock.packages[1].line, 12);
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
    fn newer_lock_version_is_refused() {
        let err = run("[metadata]\nlock-version = \"3.0\"\n").unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("newer"), "{}", err.message);
    }

    #[test]
    fn git_source_keeps_the_resolved_commit() {
        // Hand-written: no git host is reachable where the fixtures were made.
        let text = "[[package]]\nname = \"g\"\nversion = \"1.0\"\nfiles = []\n\n[package.source]\ntype = \"git\"\nurl = \"https://example.com/g.git\"\nreference = \"main\"\nresolved_reference = \"0123abcd\"\n\n[metadata]\nlock-version = \"2.0\"\n";
        let lock = run(text).unwrap();
        assert_eq!(lock.format, "poetry-v2.0");
        assert_eq!(
            lock.packages[0].source,
            Source::Git {
                url: "https://example.com/g.git".into(),
                rev: Some("0123abcd".into())
            }
        );
    }

    #[test]
    fn unknown_source_type_is_refused() {
        let text = "[[package]]\nname = \"a\"\nversion = \"1\"\nfiles = []\n[package.source]\ntype = \"hg\"\nurl = \"x\"\n\n[metadata]\nlock-version = \"2.0\"\n";
        let err = run(text).unwrap_err();
        assert_eq!(err.line, Some(1));
    }
}
