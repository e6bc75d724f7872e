//! The core the Python TOML lockfile parsers (poetry, uv, pdm) share: the sibling
//! `pyproject.toml`, requirement names, hashes, artifacts from `[metadata.files]`,
//! and the final assembly of packages with their dependency paths.

use super::graph::{self, Root};
use super::lines::LineIndex;
use super::{Artifact, Context, Ecosystem, Hash, Lockfile, Package, ParseError, Source, pep503};
use serde::Deserialize;
use std::collections::BTreeMap;

pub(crate) use crate::model::FastMap;
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
    /// The latest upload time of its files, when the lockfile records them (uv).
    pub(crate) upload_time: Option<i64>,
}

impl Node {
    /// A package whose hashes are those of its files.
    pub(crate) fn new(
        name: String,
        version: String,
        source: Source,
        line: usize,
        artifacts: Vec<Artifact>,
    ) -> Node {
        Node {
            norm: pep503(&name),
            name,
            version,
            source,
            line,
            hashes: artifacts.iter().flat_map(|a| a.hashes.clone()).collect(),
            artifacts,
            upload_time: None,
        }
    }
}

/// The packages of a lock, one per (normalized name, version, source): an entry
/// with the key of an earlier one (pdm's extras entries, a name written twice) is
/// the same package, merged into the first.
#[derive(Default)]
pub(crate) struct Nodes {
    /// The packages, in the order their first entry appears.
    pub(crate) list: Vec<Node>,
    index: FastMap<(String, String, Source), usize>,
}

impl Nodes {
    /// Add `node`, or merge its hashes, files and upload time into the package with
    /// its key (keeping that one's line): the package's index, and whether it is new.
    pub(crate) fn add(&mut self, node: Node) -> (usize, bool) {
        let key = (node.norm.clone(), node.version.clone(), node.source.clone());
        if let Some(&i) = self.index.get(&key) {
            let first = &mut self.list[i];
            first.hashes.extend(node.hashes);
            first.artifacts.extend(node.artifacts);
            first.upload_time = first.upload_time.max(node.upload_time);
            return (i, false);
        }
        self.index.insert(key, self.list.len());
        self.list.push(node);
        (self.list.len() - 1, true)
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
/// The error for a lock version lockgate does not read: `{what} is newer (or older)
/// than lockgate knows ({known})`, at `line`, with the hint to upgrade lockgate or to
/// regenerate the file with `command`.
pub(crate) fn unknown_version(
    ctx: &Context<'_>,
    line: usize,
    what: &str,
    newer: bool,
    known: &str,
    command: &str,
) -> ParseError {
    let age = if newer { "newer" } else { "older" };
    ctx.error(
        Some(line),
        format!("{what} is {age} than lockgate knows ({known})"),
    )
    .with_hint(format!(
        "upgrade lockgate, or regenerate the file with {command}"
    ))
}

/// A file's hash, or an error at its line.
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

impl RawFile {
    /// The file as an [`Artifact`] with its hash (at the line of its hash).
    pub(crate) fn read(
        &self,
        ctx: &Context<'_>,
        lines: &LineIndex,
    ) -> Result<Artifact, ParseError> {
        Ok(Artifact {
            url: self.url.clone(),
            filename: self.file.clone(),
            hashes: vec![hash(ctx, lines, &self.hash)?].into(),
            line: crate::model::package::line_u32(lines.line(self.hash.span().start)),
        })
    }

    /// Every file of a list, as [`RawFile::read`].
    pub(crate) fn read_all(
        files: &[RawFile],
        ctx: &Context<'_>,
        lines: &LineIndex,
    ) -> Result<Vec<Artifact>, ParseError> {
        files.iter().map(|f| f.read(ctx, lines)).collect()
    }
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
            let artifact = f.read(ctx, lines)?;
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
            assigned.push((target, artifact));
        }
    }
    drop(by_name);
    for (target, artifact) in assigned {
        if let Some(node) = nodes.get_mut(target) {
            node.hashes.extend(artifact.hashes.iter().cloned());
            node.artifacts.push(artifact);
        }
    }
    Ok(())
}

/// The `name` and `version` of a `[[package]]` entry starting at `line`: both
/// must be there and not blank.
pub(crate) fn name_and_version(
    ctx: &Context<'_>,
    line: usize,
    name: Option<String>,
    version: Option<String>,
) -> Result<(String, String), ParseError> {
    let name = name
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| ctx.error(Some(line), "package entry has no `name`"))?;
    let version = version
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| ctx.error(Some(line), format!("package `{name}` has no `version`")))?;
    Ok((name, version))
}

/// Normalized name -> indices of the nodes with that name, in file order.
pub(crate) fn index_by_name(nodes: &[Node]) -> FastMap<&str, Vec<usize>> {
    let mut map: FastMap<&str, Vec<usize>> =
        FastMap::with_capacity_and_hasher(nodes.len(), Default::default());
    for (i, n) in nodes.iter().enumerate() {
        map.entry(n.norm.as_str()).or_default().push(i);
    }
    map
}

/// The graph of a lock whose dependencies are names (poetry, pdm): a name is an
/// edge to every locked version of it; `self_edges` false leaves out a node's
/// edge to itself. The roots come from the project's `pyproject.toml`; without
/// one, every package no other depends on is a dependency of one root: a dev
/// one when `dev_only[i]`, else an optional one when `optional[i]` (an index
/// past the end of either is false).
pub(crate) fn name_graph(
    ctx: &Context<'_>,
    nodes: &[Node],
    deps_of: &[Vec<String>],
    self_edges: bool,
    dev_only: &[bool],
    optional: &[bool],
) -> (Vec<Vec<usize>>, Vec<Root>) {
    let by_name = index_by_name(nodes);
    let edges: Vec<Vec<usize>> = deps_of
        .iter()
        .enumerate()
        .map(|(i, ds)| {
            ds.iter()
                .flat_map(|d| by_name.get(d.as_str()).into_iter().flatten().copied())
                .filter(|&t| self_edges || t != i)
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
            for i in unreferenced(nodes.len(), &edges) {
                if dev_only.get(i) == Some(&true) {
                    root.dev_deps.push(i);
                } else if optional.get(i) == Some(&true) {
                    root.optional_deps.push(i);
                } else {
                    root.deps.push(i);
                }
            }
            vec![root]
        }
    };
    (edges, roots)
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
            n.hashes.sort_unstable();
            n.hashes.dedup();
            let mut p = Package {
                hashes: n.hashes.into(),
                artifacts: n.artifacts.into(),
                upload_time: n.upload_time.into(),
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
            };
            p.infer_pypi_install_script();
            p
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
        let keys =
            |v: Option<&toml::Value>, out: &mut Vec<String>, optional: Option<&mut Vec<String>>| {
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
            for list in entries(project, "optional-dependencies") {
                reqs(Some(list), &mut py.optional);
            }
        }
        for list in entries(doc, "dependency-groups") {
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
            for group in entries(poetry, "group") {
                keys(group.get("dependencies"), &mut py.dev, None);
            }
        }
        if let Some(pdm) = tool
            .and_then(|t| t.get("pdm"))
            .and_then(toml::Value::as_table)
        {
            for list in entries(pdm, "dev-dependencies") {
                reqs(Some(list), &mut py.dev);
            }
        }
        py
    }

    /// The graph root: the project, with its dependencies resolved to nodes by name.
    pub(crate) fn root(&self, ctx: &Context<'_>, by_name: &FastMap<&str, Vec<usize>>) -> Root {
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

/// The values of the table `key` of `table` (`[project.optional-dependencies]`,
/// `[dependency-groups]`, `[tool.poetry.group]`, ...): none when it is absent or
/// not a table.
fn entries<'a>(table: &'a toml::Table, key: &str) -> impl Iterator<Item = &'a toml::Value> {
    table
        .get(key)
        .and_then(toml::Value::as_table)
        .into_iter()
        .flat_map(|t| t.values())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lockfile::{Format, pdm, poetry, test_support, uv};

    /// Read hand-written `text` (no git host is reachable where the fixtures are made)
    /// as `file` of `format`.
    fn read(format: &Format, file: &str, text: &str) -> Result<Lockfile, ParseError> {
        format.parse_at(&format!("/nonexistent-dir/{file}"), text)
    }

    #[test]
    fn git_sources_keep_the_locked_commit() {
        let cases = [
            (
                &pdm::FORMAT,
                "pdm.lock",
                "pdm-v4.4",
                "[metadata]\nlock_version = \"4.4\"\n\n[[package]]\nname = \"g\"\nversion = \"1.0\"\ngit = \"https://example.com/g.git\"\nref = \"main\"\nrevision = \"0123abcd\"\n",
            ),
            (
                &poetry::FORMAT,
                "poetry.lock",
                "poetry-v2.0",
                "[[package]]\nname = \"g\"\nversion = \"1.0\"\nfiles = []\n\n[package.source]\ntype = \"git\"\nurl = \"https://example.com/g.git\"\nreference = \"main\"\nresolved_reference = \"0123abcd\"\n\n[metadata]\nlock-version = \"2.0\"\n",
            ),
            (
                &uv::FORMAT,
                "uv.lock",
                "uv-v1",
                "version = 1\n\n[[package]]\nname = \"g\"\nversion = \"0.1\"\nsource = { git = \"https://example.com/g.git?rev=main#0123abcd\" }\n",
            ),
        ];
        for (format, file, id, text) in cases {
            let lock = read(format, file, text).unwrap();
            assert_eq!(lock.format, id);
            assert_eq!(
                lock.packages[0].source,
                test_support::hand_written_git(),
                "{id}"
            );
        }
    }

    #[test]
    fn newer_lock_versions_are_refused_at_their_line() {
        let cases = [
            (
                &pdm::FORMAT,
                "pdm.lock",
                "[metadata]\n\nlock_version = \"5.0\"\n",
                3,
            ),
            (
                &poetry::FORMAT,
                "poetry.lock",
                "[metadata]\nlock-version = \"3.0\"\n",
                2,
            ),
            (&uv::FORMAT, "uv.lock", "version = 2\n", 1),
        ];
        for (format, file, text, line) in cases {
            let err = read(format, file, text).unwrap_err();
            assert_eq!(err.line, Some(line), "{err}");
            assert!(err.message.contains("newer"), "{}", err.message);
        }
    }

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
