//! `yarn.lock`: one file name, two formats, told apart by content.
//!
//! # Classic (Yarn 1, `# yarn lockfile v1`)
//!
//! Yarn 1's own indented syntax: entries keyed by the descriptors that resolved to them
//! (`"a@^1", a@^1.2:`), each with `version`, `resolved "url#<sha1>"`,
//! `integrity sha512-…` and `dependencies:` / `optionalDependencies:` blocks. It is
//! read by a small hand-written line parser rather than a crate: the format is simple
//! (three indentation levels, one token or quoted string per value), and reading it line
//! by line gives every entry's line and exact errors (line and what is wrong) for free;
//! the crates found (`yarn-lock-parser`) return neither lines nor positioned errors.
//!
//! - hashes: the `#<40 hex>` fragment of `resolved` (sha1 of the registry tarball) and
//!   every token of `integrity`.
//! - source: `file:`/`link:` descriptors are [`Source::Path`], `http(s):` descriptors
//!   [`Source::Url`], git descriptors (`git+…`, `github:…`, `…/….git`, and GitHub
//!   shorthand `owner/repo#ref`, which yarn fetches from codeload.github.com: url
//!   `github:owner/repo`, rev the commit in `resolved`) [`Source::Git`],
//!   everything else the registry `resolved` points at (default registry unless another
//!   host). An alias (`x-cjs@npm:string-width@^4`) is recorded under the real name.
//! - roots: classic records none. The `package.json` beside the lockfile gives them: its
//!   `dependencies`, `devDependencies`, `optionalDependencies` and its `workspaces`
//!   (array or `{packages}`; `*` segments are expanded), each member's manifest likewise.
//!   Without a `package.json`, the root is [`Context::root_label`] and its direct
//!   dependencies are the entries nothing else depends on. Manifest dependencies that
//!   the lockfile lacks (a stale lockfile, which `yarn install --frozen-lockfile` rejects)
//!   are skipped. `resolutions` need no handling: Yarn 1 writes the rewritten
//!   descriptors into the entry keys (`ms@2.0.0, ms@2.1.3:`).
//!
//! # Berry (Yarn 2+, `__metadata:`)
//!
//! YAML (read as pnpm's is, by the fast reader for the YAML subset Yarn writes with the
//! budgeted `serde-saphyr` parser for anything else, see [`super::pnpm`]): `__metadata: {version, cacheKey}` then entries keyed
//! `"name@npm:^1.0.0, name@npm:^1.1.0"` with `version`, `resolution`, `checksum`,
//! `dependencies`, `dependenciesMeta`, `languageName`, `linkType`. `__metadata.version`
//! 4 to 10 are read: Yarn 2 writes 4, Yarn 3.0 and 3.1 write 5, Yarn 3.2 to 3.8 write 6,
//! Yarn 4.0 writes 8 and Yarn 4.18 writes 10 (the fields read here have not changed;
//! fixtures from Yarn 2.4, 3.8, 4.5 and 4.18); a newer one is a [`ParseError`].
//!
//! - dependencies are resolved as Yarn resolves them: the root `package.json`'s
//!   `resolutions` first (`name`, `name@range`, `parent/name`, `parent@range/name`; Yarn
//!   berry ignores glob patterns such as `**/name`, and so does lockgate), then the
//!   descriptor as written, then with Yarn's default protocol: Yarn 2 and 3 write the
//!   range without `npm:` (`left-pad: ^1.3.0`) while the entry key has it
//!   (`left-pad@npm:^1.3.0`). Every entry is a package whether or not anything resolves
//!   to it, so a resolution lockgate misreads can change a dependency path, never which
//!   packages are checked. A `catalog:` / `catalog:<name>` range (Yarn 4.10+) is the
//!   range `.yarnrc.yml` beside the lockfile sets under `catalog` / `catalogs.<name>`;
//!   when that cannot be read, the only entry of the dependency's name (several: an
//!   error, as for any descriptor without an entry).
//!
//! - hashes: `checksum` is a digest of Yarn's own cache zip, not of the registry tarball,
//!   so it is kept as [`Hash::yarn_berry`] (`yarn-berry:10c0/<hex>`; a bare checksum of
//!   an older lockfile gets the `cacheKey` prefix, so equal archives compare equal).
//! - source: from the `resolution`: `npm:` registry, `file:`/`portal:`/`link:`
//!   [`Source::Path`], `http(s)://` tarballs [`Source::Url`] (`…#commit=` or `.git` are
//!   [`Source::Git`]), `workspace:` entries are roots, not packages. A protocol lockgate
//!   does not know (`exec:`, a plugin's `condition:`, …) cannot say what is fetched: the
//!   package is read as [`Source::Url`] with the resolution (without `::` parameters) as
//!   its URL, so the source policy reports it unless `url` sources are allowed, and its
//!   version must still be pinned with its checksum (reported per package rather than
//!   refusing the whole file). A resolution with no protocol is a [`ParseError`].
//! - `patch:` resolutions: a patched package is recorded under its base package's name
//!   and version. Yarn's built-in compatibility patches (`…#optional!builtin<compat/…>`,
//!   which Yarn applies to `typescript`, `fsevents`, `resolve` on its own) keep the base's
//!   source and merge into the base's record (their checksum is added to its hashes;
//!   Yarn 2 and 3 write them `…#~builtin<compat/…>`). A
//!   patch from a file in the repository (`…#~/.yarn/patches/x.patch`) changes the code,
//!   so it is its own record with source [`Source::Path`] `patch:<patch file>`.
//! - roots: the `workspace:` entries, labelled by name. A workspace's dependencies that
//!   its `package.json` (read beside the lockfile, when present) lists under
//!   `devDependencies` are dev; `dependenciesMeta.<name>.optional` marks optional ones.
//!   Workspace-to-workspace dependencies are not edges (both are roots).
//!
//! Lines: classic, the entry's key line (counted while scanning); berry, the key's line
//! from the YAML parser's spans.
//!
//! Not verified: any hash against an artifact, `languageName`/`linkType`/`conditions`,
//! `bin`, `peerDependencies` (read as opaque), that descriptors satisfy versions.

use super::graph::{self, Root};
use super::yaml::node::{map, string};
use super::yaml::subset::Node;
use super::yaml::{FromNode, SpannedMap, top_level_scalar};
use super::{Context, Ecosystem, Hash, Lockfile, Package, ParseError, Source};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Newest berry `__metadata.version` lockgate knows.
const BERRY_NEWEST: u32 = 10;
/// Oldest berry `__metadata.version` lockgate knows.
const BERRY_OLDEST: u32 = 4;

/// The `yarn` format: its file names, ecosystem, regenerate hint and parser.
pub static FORMAT: super::Format =
    super::Format::new("yarn", module_path!(), super::Ecosystem::Npm, parse)
        .files(&["yarn.lock"], |name, _| name == "yarn.lock")
        .hint("regenerate it with `yarn install` (or restore it from git)");

/// Parse the text of a `yarn.lock`, classic (v1) or berry (v2+).
pub fn parse(ctx: &Context<'_>, text: &str) -> Result<Lockfile, ParseError> {
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        if t == "# yarn lockfile v1" {
            return parse_classic(ctx, text);
        }
        if t.starts_with('#') {
            continue;
        }
        if line.starts_with("__metadata:") {
            return parse_berry(ctx, text);
        }
        break;
    }
    if top_level_scalar(text, "__metadata").is_some() {
        return parse_berry(ctx, text);
    }
    Err(ctx.error(
        Some(1),
        "neither a Yarn classic lockfile (no `# yarn lockfile v1` header) nor a Yarn berry one (no `__metadata`)",
    ))
}

/// Accumulates records, merging equal (name, version, source).
struct Builder<'c> {
    ctx: &'c Context<'c>,
    records: Vec<Package>,
    edges: Vec<Vec<usize>>,
    ids: HashMap<(String, String, Source), usize>,
}

impl<'c> Builder<'c> {
    fn new(ctx: &'c Context<'c>) -> Self {
        Builder {
            ctx,
            records: Vec::new(),
            edges: Vec::new(),
            ids: HashMap::new(),
        }
    }

    fn add(
        &mut self,
        name: String,
        version: String,
        source: Source,
        hashes: Vec<Hash>,
        line: usize,
    ) -> usize {
        let key = (name, version, source);
        let i = match self.ids.get(&key) {
            Some(&i) => i,
            None => {
                let i = self.records.len();
                let (name, version, source) = key.clone();
                self.ids.insert(key, i);
                self.records.push(Package::new(
                    Ecosystem::Npm,
                    name,
                    version,
                    source,
                    self.ctx.display,
                    line,
                ));
                self.edges.push(Vec::new());
                i
            }
        };
        if let Some(r) = self.records.get_mut(i) {
            r.hashes.extend(hashes);
        }
        i
    }

    fn edge(&mut self, from: usize, to: usize) {
        if let Some(e) = self.edges.get_mut(from)
            && !e.contains(&to)
        {
            e.push(to);
        }
    }

    fn finish(mut self, format: String, roots: &[Root]) -> Lockfile {
        let labels: Vec<String> = self.records.iter().map(|p| p.name.clone()).collect();
        let reach = graph::shortest_paths(&labels, &self.edges, roots);
        for (p, r) in self.records.iter_mut().zip(reach) {
            p.hashes.sort();
            p.hashes.dedup();
            p.direct = r.direct;
            p.dev = r.dev;
            p.optional = r.optional;
            p.path = r.path;
        }
        Lockfile {
            path: self.ctx.display.to_path_buf(),
            ecosystem: Ecosystem::Npm,
            format,
            packages: self.records,
            unpinned: Vec::new(),
        }
    }
}

/// Split `name@range` at the `@` that ends the name (a scope's `@` is part of the name).
fn split_descriptor(d: &str) -> Option<(&str, &str)> {
    let at = d.get(1..)?.find('@')? + 1;
    let name = d.get(..at)?;
    let range = d.get(at + 1..)?;
    (!name.is_empty()).then_some((name, range))
}

// ---------------------------------------------------------------------------------------
// Classic

struct ClassicEntry {
    keys: Vec<String>,
    line: usize,
    version: Option<String>,
    resolved: Option<(String, usize)>,
    integrity: Option<(String, usize)>,
    deps: Vec<(String, String, usize)>,
}

/// Read one token: a `"quoted string"` (JSON escapes) or a bare run up to white space,
/// `,` or a `:` that ends the line. Returns the token and the rest of the line.
fn token(s: &str) -> Option<(String, &str)> {
    if let Some(rest) = s.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = rest.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => return Some((out, rest.get(i + 1..)?)),
                '\\' => {
                    let (_, e) = chars.next()?;
                    out.push(match e {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        other => other,
                    });
                }
                c => out.push(c),
            }
        }
        None
    } else {
        let end = s
            .char_indices()
            .find(|&(i, c)| {
                c.is_whitespace()
                    || c == ','
                    || (c == ':'
                        && s.get(i + 1..)
                            .is_some_and(|r| r.is_empty() || r.starts_with(' ')))
            })
            .map_or(s.len(), |(i, _)| i);
        (end > 0).then(|| {
            (
                s.get(..end).unwrap_or(s).to_string(),
                s.get(end..).unwrap_or(""),
            )
        })
    }
}

fn parse_classic(ctx: &Context<'_>, text: &str) -> Result<Lockfile, ParseError> {
    let mut entries: Vec<ClassicEntry> = Vec::new();
    // the block (field name) open at indent 2, if any
    let mut block: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim_end();
        if line.trim_start().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let body = line.trim_start_matches(' ');
        let indent = line.len() - body.len();
        if body.starts_with('\t') {
            return Err(ctx.error(Some(n), "tab in indentation"));
        }
        match indent {
            0 => {
                // `key, key:`
                let mut keys = Vec::new();
                let mut rest = body;
                loop {
                    let (k, r) =
                        token(rest).ok_or_else(|| ctx.error(Some(n), "malformed entry key"))?;
                    keys.push(k);
                    if let Some(r) = r.strip_prefix(',') {
                        rest = r.trim_start();
                        continue;
                    }
                    if r != ":" {
                        return Err(ctx.error(Some(n), "an entry key line must end with `:`"));
                    }
                    break;
                }
                entries.push(ClassicEntry {
                    keys,
                    line: n,
                    version: None,
                    resolved: None,
                    integrity: None,
                    deps: Vec::new(),
                });
                block = None;
            }
            2 | 4 => {
                let entry = entries
                    .last_mut()
                    .ok_or_else(|| ctx.error(Some(n), "indented line outside an entry"))?;
                let (key, rest) =
                    token(body).ok_or_else(|| ctx.error(Some(n), "malformed line"))?;
                let rest = rest.trim_start();
                if indent == 4 {
                    let Some(b) = &block else {
                        return Err(ctx.error(Some(n), "unexpected indentation"));
                    };
                    let (value, tail) = token(rest).ok_or_else(|| {
                        ctx.error(
                            Some(n),
                            format!("`{key}` has no value, or an unterminated string"),
                        )
                    })?;
                    if !tail.trim().is_empty() {
                        return Err(ctx.error(Some(n), format!("unexpected text after `{key}`")));
                    }
                    if b == "dependencies" || b == "optionalDependencies" {
                        entry.deps.push((key, value, n));
                    }
                    continue;
                }
                if rest == ":" {
                    block = Some(key);
                    continue;
                }
                block = None;
                let (value, tail) = token(rest).ok_or_else(|| {
                    ctx.error(
                        Some(n),
                        format!("`{key}` has no value, or an unterminated string"),
                    )
                })?;
                if !tail.trim().is_empty() {
                    return Err(ctx.error(Some(n), format!("unexpected text after `{key}`")));
                }
                match key.as_str() {
                    "version" => entry.version = Some(value),
                    "resolved" => entry.resolved = Some((value, n)),
                    "integrity" => entry.integrity = Some((value, n)),
                    _ => {}
                }
            }
            _ => {
                return Err(ctx.error(
                    Some(n),
                    format!("unexpected indentation of {indent} spaces"),
                ));
            }
        }
    }

    let mut b = Builder::new(ctx);
    let mut by_descriptor: HashMap<String, usize> = HashMap::new();
    let mut entry_record = Vec::with_capacity(entries.len());
    for e in &entries {
        let first = e.keys.first().map(String::as_str).unwrap_or("");
        let (alias, range) = split_descriptor(first).ok_or_else(|| {
            ctx.error(
                Some(e.line),
                format!("entry key `{first}` is not `name@range`"),
            )
        })?;
        let name = match range.strip_prefix("npm:").and_then(split_descriptor) {
            Some((real, _)) => real,
            None => alias,
        };
        let version =
            e.version.clone().filter(|v| !v.is_empty()).ok_or_else(|| {
                ctx.error(Some(e.line), format!("entry `{first}` has no version"))
            })?;
        let (source, sha1_ok) = classic_source(range, e.resolved.as_ref().map(|r| r.0.as_str()));
        let mut hashes = Vec::new();
        if let Some((url, line)) = &e.resolved
            && sha1_ok
            && let Some((_, frag)) = url.split_once('#')
        {
            hashes.push(Hash::from_hex("sha1", frag).map_err(|err| {
                ctx.error(
                    Some(*line),
                    format!("entry `{first}`: bad sha1 in `resolved`: {err}"),
                )
            })?);
        }
        if let Some((sri, line)) = &e.integrity {
            hashes.extend(Hash::from_sri_list(sri).map_err(|err| {
                ctx.error(
                    Some(*line),
                    format!("entry `{first}`: bad integrity: {err}"),
                )
            })?);
        }
        let artifact = e
            .resolved
            .as_ref()
            .filter(|(u, _)| u.starts_with("https://") || u.starts_with("http://"))
            .map(|(u, l)| crate::model::Artifact::new(Some(u.clone()), hashes.clone(), *l));
        let idx = b.add(name.to_string(), version, source, hashes, e.line);
        if let (Some(a), Some(r)) = (artifact, b.records.get_mut(idx)) {
            r.artifacts.push(a);
        }
        for k in &e.keys {
            if by_descriptor.insert(k.clone(), idx).is_some() {
                return Err(ctx.error(Some(e.line), format!("`{k}` has two entries")));
            }
        }
        entry_record.push(idx);
    }

    let manifest_dir = ctx.dir();
    let projects = read_workspace_manifests(ctx, manifest_dir)?;
    let members: HashSet<&str> = projects.iter().filter_map(|p| p.name.as_deref()).collect();

    let mut has_parent = vec![false; b.records.len()];
    for (e, &from) in entries.iter().zip(&entry_record) {
        for (dep, range, line) in &e.deps {
            match by_descriptor.get(&format!("{dep}@{range}")) {
                Some(&to) => {
                    b.edge(from, to);
                    if let Some(h) = has_parent.get_mut(to) {
                        *h = true;
                    }
                }
                None if members.contains(dep.as_str()) => {}
                None => {
                    return Err(ctx.error(
                        Some(*line),
                        format!("dependency `{dep}@{range}` has no entry in yarn.lock"),
                    ));
                }
            }
        }
    }

    let roots: Vec<Root> = if projects.is_empty() {
        vec![Root {
            label: ctx.root_label(),
            deps: (0..b.records.len())
                .filter(|&i| !has_parent.get(i).copied().unwrap_or(true))
                .collect(),
            ..Root::default()
        }]
    } else {
        projects
            .iter()
            .map(|p| {
                let find = |m: &BTreeMap<String, String>| -> Vec<usize> {
                    m.iter()
                        .filter_map(|(n, r)| by_descriptor.get(&format!("{n}@{r}")).copied())
                        .collect()
                };
                Root {
                    label: p.label(ctx),
                    deps: find(&p.dependencies),
                    dev_deps: find(&p.dev_dependencies),
                    optional_deps: find(&p.optional_dependencies),
                }
            })
            .collect()
    };
    Ok(b.finish("yarn-classic-v1".to_string(), &roots))
}

/// The source of a classic entry, and whether a `#<hex>` fragment of `resolved` is a sha1.
fn classic_source(range: &str, resolved: Option<&str>) -> (Source, bool) {
    let is_git = |s: &str| {
        s.starts_with("git+")
            || s.starts_with("git:")
            || s.starts_with("github:")
            || s.starts_with("gitlab:")
            || s.starts_with("bitbucket:")
            || s.contains(".git#")
            || s.ends_with(".git")
    };
    if let Some(p) = range
        .strip_prefix("file:")
        .or_else(|| range.strip_prefix("link:"))
    {
        return (Source::Path(p.to_string()), true);
    }
    // GitHub shorthand (`webpack/tooling#v1.28.1`): yarn fetches the commit's tarball
    // from codeload.github.com. A git source, not a registry on another host.
    let codeload = resolved.and_then(|r| r.strip_prefix("https://codeload.github.com/"));
    if is_github_shorthand(range) || codeload.is_some() {
        let repo = range.split('#').next().unwrap_or(range);
        let (url, rev) = match codeload {
            // `<owner>/<repo>/tar.gz/<commit>`
            Some(rest) => {
                let mut parts = rest.splitn(4, '/');
                let (owner, name, _, commit) =
                    (parts.next(), parts.next(), parts.next(), parts.next());
                (
                    format!("github:{}/{}", owner.unwrap_or(""), name.unwrap_or("")),
                    commit.map(|c| c.split(['#', '?']).next().unwrap_or(c).to_string()),
                )
            }
            None => (
                format!("github:{repo}"),
                range.split_once('#').map(|(_, r)| r.to_string()),
            ),
        };
        return (Source::Git { url, rev }, false);
    }
    if is_git(range) || resolved.is_some_and(is_git) {
        let r = resolved.unwrap_or(range);
        let (url, rev) = match r.split_once('#') {
            Some((u, rev)) => (u.to_string(), Some(rev.to_string())),
            None => (r.to_string(), None),
        };
        return (Source::Git { url, rev }, false);
    }
    if range.starts_with("http://") || range.starts_with("https://") {
        let url = resolved.unwrap_or(range);
        let url = url.split_once('#').map_or(url, |(u, _)| u);
        return (Source::Url(url.to_string()), true);
    }
    let origin = resolved.map(origin).unwrap_or("");
    if origin.is_empty()
        || origin == "https://registry.yarnpkg.com"
        || origin == "https://registry.npmjs.org"
    {
        (Source::Registry(None), true)
    } else {
        (Source::Registry(Some(origin.to_string())), true)
    }
}

/// `owner/repo` or `owner/repo#ref`: a range Yarn reads as a GitHub repository (no
/// protocol, not a path, not a scoped name).
fn is_github_shorthand(range: &str) -> bool {
    let repo = range.split('#').next().unwrap_or(range);
    let Some((owner, name)) = repo.split_once('/') else {
        return false;
    };
    let ok = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    };
    !range.contains(':') && !owner.starts_with(['.', '@', '~']) && ok(owner) && ok(name)
}

fn origin(url: &str) -> &str {
    let after = url.find("://").map_or(0, |i| i + 3);
    let end = url
        .get(after..)
        .and_then(|r| r.find('/'))
        .map_or(url.len(), |i| after + i);
    url.get(..end).unwrap_or(url)
}

// ---------------------------------------------------------------------------------------
// package.json (roots)

#[derive(Deserialize, Default)]
#[serde(default)]
struct Manifest {
    name: Option<String>,
    dependencies: BTreeMap<String, String>,
    #[serde(rename = "devDependencies")]
    dev_dependencies: BTreeMap<String, String>,
    #[serde(rename = "optionalDependencies")]
    optional_dependencies: BTreeMap<String, String>,
    workspaces: Option<Workspaces>,
    /// Yarn's `resolutions` (root manifest only).
    resolutions: BTreeMap<String, String>,
    #[serde(skip)]
    rel: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Workspaces {
    List(Vec<String>),
    Object {
        #[serde(default)]
        packages: Vec<String>,
    },
}

impl Manifest {
    fn label(&self, ctx: &Context<'_>) -> String {
        match &self.name {
            Some(n) if !n.is_empty() => n.clone(),
            _ if self.rel.is_empty() || self.rel == "." => ctx.root_label(),
            _ => self.rel.clone(),
        }
    }
}

/// `dir/package.json`: `Ok(None)` when there is none; an error when it is unreadable.
fn read_manifest(ctx: &Context<'_>, dir: &Path, rel: &str) -> Result<Option<Manifest>, ParseError> {
    let path = dir.join("package.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(ctx.error(None, format!("cannot read {}: {e}", path.display()))),
    };
    let display = ctx
        .display
        .with_file_name(Path::new(rel).join("package.json"));
    let mut m: Manifest = serde_json::from_str(&text).map_err(|e| {
        ParseError::new(
            &display,
            Some(e.line()),
            format!("malformed package.json next to the lockfile: {e}"),
        )
        .with_hint("fix package.json; lockgate reads it to find the lockfile's roots")
    })?;
    m.rel = rel.to_string();
    Ok(Some(m))
}

/// The root manifest and every workspace member's manifest (empty without a root one).
fn read_workspace_manifests(ctx: &Context<'_>, dir: &Path) -> Result<Vec<Manifest>, ParseError> {
    let Some(root) = read_manifest(ctx, dir, ".")? else {
        return Ok(Vec::new());
    };
    let patterns = match &root.workspaces {
        Some(Workspaces::List(l)) => l.clone(),
        Some(Workspaces::Object { packages }) => packages.clone(),
        None => Vec::new(),
    };
    let mut out = vec![root];
    let mut seen = HashSet::new();
    for pat in patterns {
        for rel in expand_glob(dir, &pat) {
            if seen.insert(rel.clone())
                && let Some(m) = read_manifest(ctx, &dir.join(&rel), &rel.to_string_lossy())?
            {
                out.push(m);
            }
        }
    }
    Ok(out)
}

/// Expand a workspace pattern: literal segments and `*` (or `**`, treated as `*`)
/// wildcards within one segment. Directories named `node_modules` are skipped.
fn expand_glob(base: &Path, pattern: &str) -> Vec<PathBuf> {
    let mut current = vec![PathBuf::new()];
    for seg in pattern
        .trim_start_matches("./")
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
    {
        let mut next = Vec::new();
        for rel in &current {
            if seg.contains('*') {
                let Ok(rd) = std::fs::read_dir(base.join(rel)) else {
                    continue;
                };
                let mut names: Vec<String> = rd
                    .filter_map(|e| e.ok())
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter(|n| n != "node_modules" && wildcard(seg, n))
                    .collect();
                names.sort();
                next.extend(names.into_iter().map(|n| rel.join(n)));
            } else {
                next.push(rel.join(seg));
            }
        }
        current = next;
    }
    current
        .into_iter()
        .filter(|p| !p.as_os_str().is_empty())
        .collect()
}

fn wildcard(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').filter(|p| !p.is_empty()).collect();
    if name.starts_with('.') {
        return false;
    }
    let mut rest = name;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 && !pattern.starts_with('*') {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else {
            match rest.find(part) {
                Some(at) => rest = rest.get(at + part.len()..).unwrap_or(""),
                None => return false,
            }
        }
    }
    pattern.ends_with('*') || rest.is_empty() || parts.is_empty()
}

// ---------------------------------------------------------------------------------------
// Berry

#[derive(Deserialize, Default)]
#[serde(default)]
struct BerryEntry {
    version: Option<String>,
    resolution: Option<String>,
    checksum: Option<String>,
    #[serde(rename = "cacheKey")]
    cache_key: Option<String>,
    dependencies: BTreeMap<String, String>,
    #[serde(rename = "dependenciesMeta")]
    dependencies_meta: BTreeMap<String, DepMeta>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DepMeta {
    optional: Option<bool>,
}

// The same structs read from the fast YAML reader's tree (see `super::yaml`), field by
// field as `serde` reads them above; `None` sends the file to the full parser.

impl FromNode for BerryEntry {
    fn from_node(node: &Node<'_>) -> Option<Self> {
        let mut e = BerryEntry::default();
        for p in map(node)? {
            let v = &p.value;
            match p.key.as_ref() {
                "version" => e.version = Some(string(v)?),
                "resolution" => e.resolution = Some(string(v)?),
                "checksum" => e.checksum = Some(string(v)?),
                "cacheKey" => e.cache_key = Some(string(v)?),
                "dependencies" => e.dependencies = FromNode::from_node(v)?,
                "dependenciesMeta" => e.dependencies_meta = FromNode::from_node(v)?,
                _ => {}
            }
        }
        Some(e)
    }
}

impl FromNode for DepMeta {
    fn from_node(node: &Node<'_>) -> Option<Self> {
        let mut m = DepMeta::default();
        for p in map(node)? {
            if p.key == "optional" {
                m.optional = Some(bool::from_node(&p.value)?);
            }
        }
        Some(m)
    }
}

/// Percent-decoding as Yarn writes locators (`npm%3A1.0.0`).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%'
            && let Some(h) = s.get(i + 1..i + 3)
            && let Ok(v) = u8::from_str_radix(h, 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// encodeURIComponent, as Yarn writes `::locator=` bindings.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

enum BerryKind {
    Workspace(String),
    Package { name: String, source: Source },
}

/// Classify a berry resolution (`name@npm:1.2.3`, `name@workspace:.`, `name@patch:…`).
fn berry_kind(resolution: &str) -> Result<BerryKind, String> {
    let (name, range) = split_descriptor(resolution)
        .ok_or_else(|| format!("resolution `{resolution}` is not `name@reference`"))?;
    let name = name.to_string();
    let strip_params = |r: &str| r.split("::").next().unwrap_or(r).to_string();
    if let Some(path) = range.strip_prefix("workspace:") {
        return Ok(BerryKind::Workspace(path.to_string()));
    }
    if range.starts_with("npm:") {
        return Ok(BerryKind::Package {
            name,
            source: Source::Registry(None),
        });
    }
    if let Some(inner) = range.strip_prefix("patch:") {
        // patch:<base locator, percent-encoded>#<patch>::version=…&hash=…
        let (base, patch) = inner
            .split_once('#')
            .ok_or_else(|| format!("patch resolution `{resolution}` has no `#<patch>`"))?;
        let base = percent_decode(base);
        let patch = strip_params(patch);
        let base_kind = berry_kind(&base)?;
        let BerryKind::Package {
            name: base_name,
            source,
            ..
        } = base_kind
        else {
            return Err(format!(
                "patch resolution `{resolution}` patches a workspace"
            ));
        };
        let builtin = patch
            .split('&')
            // Yarn 4 writes `optional!builtin<…>`, Yarn 2 and 3 `~builtin<…>`
            .all(|p| {
                p.trim_start_matches("optional!")
                    .trim_start_matches('~')
                    .starts_with("builtin<")
            });
        return Ok(if builtin {
            BerryKind::Package {
                name: base_name,
                source,
            }
        } else {
            BerryKind::Package {
                name: base_name,
                source: Source::Path(format!("patch:{patch}")),
            }
        });
    }
    for proto in ["file:", "portal:", "link:"] {
        if let Some(p) = range.strip_prefix(proto) {
            let p = p.split("::").next().unwrap_or(p);
            let p = p.split('#').next().unwrap_or(p);
            return Ok(BerryKind::Package {
                name,
                source: Source::Path(p.to_string()),
            });
        }
    }
    let git_like = range.starts_with("git+")
        || range.starts_with("git:")
        || range.starts_with("github:")
        || range.contains("#commit=")
        || range.split('#').next().is_some_and(|u| u.ends_with(".git"));
    if git_like {
        let r = strip_params(range);
        let (url, rev) = match r.split_once('#') {
            Some((u, frag)) => {
                let rev = frag
                    .split('&')
                    .find_map(|kv| kv.strip_prefix("commit="))
                    .unwrap_or(frag);
                (u.to_string(), Some(rev.to_string()))
            }
            None => (r.clone(), None),
        };
        return Ok(BerryKind::Package {
            name,
            source: Source::Git { url, rev },
        });
    }
    if range.starts_with("https://") || range.starts_with("http://") {
        return Ok(BerryKind::Package {
            name,
            source: Source::Url(strip_params(range)),
        });
    }
    // A protocol lockgate does not know (`exec:`, a plugin's `condition:`, ...): what it
    // fetches cannot be told, so the package is read with the resolution as a URL
    // source. The source policy flags it unless `url` sources are allowed, and its
    // version must still be pinned with its checksum: reported per package, not a
    // refusal of the whole file, and never a silent pass.
    if range.contains(':') {
        return Ok(BerryKind::Package {
            name,
            source: Source::Url(strip_params(range)),
        });
    }
    Err(format!(
        "resolution `{resolution}` has no protocol, which Yarn never writes"
    ))
}

fn parse_berry(ctx: &Context<'_>, text: &str) -> Result<Lockfile, ParseError> {
    let doc: SpannedMap<BerryEntry> = super::yaml::read(ctx, text)?;
    let Some((_, meta_line, meta)) = doc.0.iter().find(|(k, _, _)| k == "__metadata") else {
        return Err(ctx.error(Some(1), "no `__metadata`: not a Yarn berry lockfile"));
    };
    let meta_version = meta
        .version
        .as_deref()
        .ok_or_else(|| ctx.error(Some(*meta_line), "`__metadata` has no `version`"))?;
    let version: u32 = meta_version.trim().parse().map_err(|_| {
        ctx.error(
            Some(*meta_line + 1),
            format!("`__metadata.version` `{meta_version}` is not a number"),
        )
    })?;
    if version > BERRY_NEWEST {
        return Err(ctx.error(
            Some(*meta_line + 1),
            format!("Yarn lockfile version {version} is newer than lockgate knows ({BERRY_OLDEST}-{BERRY_NEWEST})"),
        ));
    }
    if version < BERRY_OLDEST {
        return Err(ctx.error(
            Some(*meta_line + 1),
            format!("Yarn lockfile version {version} is older than lockgate knows ({BERRY_OLDEST}-{BERRY_NEWEST})"),
        ));
    }
    let cache_key = meta.cache_key.clone().unwrap_or_default();

    let mut b = Builder::new(ctx);
    // descriptor -> entry position; entry position -> record or workspace root
    let mut by_descriptor: HashMap<String, usize> = HashMap::new();
    let mut by_unbound: HashMap<String, Option<usize>> = HashMap::new();
    enum Node {
        Rec(usize),
        Ws,
    }
    let mut nodes: Vec<Node> = Vec::new();
    let mut workspaces: Vec<(String, String, usize)> = Vec::new(); // (name, path, entry pos)
    let entries: Vec<&(String, usize, BerryEntry)> =
        doc.0.iter().filter(|(k, _, _)| k != "__metadata").collect();
    for (pos, (key, line, e)) in entries.iter().enumerate() {
        let line = *line;
        let resolution = e
            .resolution
            .as_deref()
            .ok_or_else(|| ctx.error(Some(line), format!("entry `{key}` has no `resolution`")))?;
        let kind = berry_kind(resolution).map_err(|m| ctx.error(Some(line), m))?;
        match kind {
            BerryKind::Workspace(path) => {
                let (name, _) = split_descriptor(resolution).unwrap_or((resolution, ""));
                nodes.push(Node::Ws);
                workspaces.push((name.to_string(), path, pos));
            }
            BerryKind::Package { name, source } => {
                let version = e.version.clone().filter(|v| !v.is_empty()).ok_or_else(|| {
                    ctx.error(Some(line), format!("entry `{key}` has no version"))
                })?;
                let mut hashes = Vec::new();
                if let Some(c) = &e.checksum {
                    hashes.push(
                        berry_checksum(c, &cache_key)
                            .map_err(|m| ctx.error(Some(line), format!("entry `{key}`: {m}")))?,
                    );
                }
                nodes.push(Node::Rec(b.add(name, version, source, hashes, line)));
            }
        }
        for d in key.split(", ") {
            let d = d.trim();
            if d.is_empty() {
                return Err(ctx.error(
                    Some(line),
                    format!("entry key `{key}` has an empty descriptor"),
                ));
            }
            if by_descriptor.insert(d.to_string(), pos).is_some() {
                return Err(ctx.error(Some(line), format!("descriptor `{d}` has two entries")));
            }
            let unbound = d.split("::").next().unwrap_or(d).to_string();
            by_unbound
                .entry(unbound)
                .and_modify(|v| *v = None)
                .or_insert(Some(pos));
        }
    }

    let lookup = |dep: &str, range: &str, parent_resolution: &str| -> Option<usize> {
        let d = format!("{dep}@{range}");
        if let Some(&p) = by_descriptor.get(&d) {
            return Some(p);
        }
        let bound = format!("{d}::locator={}", percent_encode(parent_resolution));
        if let Some(&p) = by_descriptor.get(&bound) {
            return Some(p);
        }
        by_unbound.get(&d).copied().flatten()
    };
    // The root manifest's `resolutions` rewrite descriptors before they are resolved.
    let overrides = read_manifest(ctx, ctx.dir(), ".")?
        .map(|m| parse_overrides(&m.resolutions))
        .unwrap_or_default();
    // A dependency as Yarn resolves it: `resolutions` first, then the range as
    // written, then with Yarn's default protocol (Yarn 2 and 3 write `left-pad: ^1.3.0`
    // for the entry `left-pad@npm:^1.3.0`).
    // `catalog:` ranges (Yarn 4.10+) name a range in `.yarnrc.yml`'s `catalog` /
    // `catalogs.<name>`; without that file, the only entry of that name, if there is one.
    let catalogs = read_catalogs(ctx.dir());
    let mut only_entry: HashMap<&str, Option<usize>> = HashMap::new();
    for (d, &pos) in &by_descriptor {
        if let Some((name, _)) = split_descriptor(d) {
            only_entry
                .entry(name)
                .and_modify(|v| {
                    if *v != Some(pos) {
                        *v = None
                    }
                })
                .or_insert(Some(pos));
        }
    }
    let resolve = |dep: &str, range: &str, parent_key: &str, parent_resolution: &str| {
        let range = apply_overrides(&overrides, dep, range, parent_key).unwrap_or(range);
        if let Some(catalog) = range.strip_prefix("catalog:") {
            return match catalogs.range(catalog, dep) {
                Some(r) => lookup(dep, r, parent_resolution)
                    .or_else(|| lookup(dep, &with_default_protocol(r)?, parent_resolution)),
                None => only_entry.get(dep).copied().flatten(),
            };
        }
        lookup(dep, range, parent_resolution).or_else(|| {
            let normalized = with_default_protocol(range)?;
            lookup(dep, &normalized, parent_resolution)
        })
    };

    let mut roots: Vec<Root> = Vec::new();
    for (ws_name, ws_path, pos) in &workspaces {
        let mut root = Root {
            label: ws_name.clone(),
            ..Root::default()
        };
        let dir = ctx.dir().join(ws_path);
        let manifest = read_manifest(ctx, &dir, ws_path)?;
        let dev: HashSet<&str> = manifest
            .as_ref()
            .map(|m| m.dev_dependencies.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let Some((key, line, e)) = entries.get(*pos) else {
            continue;
        };
        let res = e.resolution.as_deref().unwrap_or("");
        for (dep, range) in &e.dependencies {
            let target = resolve(dep, range, key, res).ok_or_else(|| {
                ctx.error(
                    Some(*line),
                    format!("dependency `{dep}@{range}` has no entry in yarn.lock"),
                )
            })?;
            let Some(Node::Rec(r)) = nodes.get(target) else {
                continue;
            };
            let optional = e
                .dependencies_meta
                .get(dep)
                .and_then(|m| m.optional)
                .unwrap_or(false);
            if optional {
                root.optional_deps.push(*r);
            } else if dev.contains(dep.as_str()) {
                root.dev_deps.push(*r);
            } else {
                root.deps.push(*r);
            }
        }
        roots.push(root);
    }
    for (pos, (key, line, e)) in entries.iter().enumerate() {
        let Some(Node::Rec(from)) = nodes.get(pos) else {
            continue;
        };
        let from = *from;
        let res = e.resolution.as_deref().unwrap_or("");
        for (dep, range) in &e.dependencies {
            let target = resolve(dep, range, key, res).ok_or_else(|| {
                ctx.error(
                    Some(*line),
                    format!("dependency `{dep}@{range}` has no entry in yarn.lock"),
                )
            })?;
            if let Some(Node::Rec(to)) = nodes.get(target) {
                b.edge(from, *to);
            }
        }
    }
    Ok(b.finish(format!("yarn-berry-v{version}"), &roots))
}

/// `catalog` and `catalogs` of the project's `.yarnrc.yml` (Yarn 4.10+).
#[derive(Deserialize, Default)]
#[serde(default)]
struct Catalogs {
    catalog: BTreeMap<String, String>,
    catalogs: BTreeMap<String, BTreeMap<String, String>>,
}

impl Catalogs {
    /// The range `catalog:<name>` (`name` empty: the default catalog) sets for `dep`.
    fn range(&self, name: &str, dep: &str) -> Option<&str> {
        let map = if name.is_empty() || name == "default" {
            &self.catalog
        } else {
            self.catalogs.get(name)?
        };
        map.get(dep).map(String::as_str)
    }
}

/// The catalogs of `dir/.yarnrc.yml`; none when there is no such file or it cannot be
/// read (a `catalog:` dependency then falls back to the only entry of its name).
fn read_catalogs(dir: &Path) -> Catalogs {
    let Ok(text) = std::fs::read_to_string(dir.join(".yarnrc.yml")) else {
        return Catalogs::default();
    };
    serde_saphyr::from_str_with_options(&text, super::yaml::yaml_options()).unwrap_or_default()
}

/// The range with Yarn's default protocol (`npm:`) when it has none, as Yarn's
/// `normalizeDependency` does for a semver range or a tag; `None` when it has one.
fn with_default_protocol(range: &str) -> Option<String> {
    let has_protocol = range.contains(':');
    let path_like = range.contains('/') || range.starts_with('.');
    (!has_protocol && !path_like && !range.is_empty()).then(|| format!("npm:{range}"))
}

/// One `resolutions` entry: `[from/]name[@range]` and the range it sets. Yarn berry
/// ignores glob patterns (`**/name`: "Glob patterns have been removed", YN0057) and so
/// does lockgate.
struct Override {
    from: Option<(String, Option<String>)>,
    name: String,
    range: Option<String>,
    to: String,
}

/// `name` or `name@range` (`@scope/name@range` included).
fn name_and_range(s: &str) -> (String, Option<String>) {
    match split_descriptor(s) {
        Some((n, r)) => (n.to_string(), Some(r.to_string())),
        None => (s.to_string(), None),
    }
}

/// The root manifest's `resolutions` (Yarn berry's syntax), most specific first. A
/// pattern lockgate cannot parse is left out: a descriptor it would rewrite then has no
/// entry, an error.
fn parse_overrides(resolutions: &BTreeMap<String, String>) -> Vec<Override> {
    let mut out = Vec::new();
    for (pattern, to) in resolutions {
        let p = pattern.as_str();
        if p.contains('*') {
            continue;
        }
        // Split into package patterns; a scoped name spans two segments.
        let segs: Vec<&str> = p.split('/').collect();
        let mut parts: Vec<String> = Vec::new();
        let mut i = 0;
        while i < segs.len() {
            if segs[i].starts_with('@') && i + 1 < segs.len() {
                parts.push(format!("{}/{}", segs[i], segs[i + 1]));
                i += 2;
            } else {
                parts.push(segs[i].to_string());
                i += 1;
            }
        }
        let (from, target) = match parts.as_slice() {
            [t] => (None, t),
            [f, t] => (Some(name_and_range(f)), t),
            _ => continue,
        };
        let (name, range) = name_and_range(target);
        if name.is_empty() {
            continue;
        }
        out.push(Override {
            from,
            name,
            range,
            to: to.clone(),
        });
    }
    out.sort_by_key(|o| std::cmp::Reverse((o.from.is_some(), o.range.is_some())));
    out
}

/// The range `resolutions` sets for `dep@range` asked for by the entry keyed
/// `parent_key`, if one applies.
fn apply_overrides<'o>(
    overrides: &'o [Override],
    dep: &str,
    range: &str,
    parent_key: &str,
) -> Option<&'o str> {
    let norm = |r: &str| with_default_protocol(r).unwrap_or_else(|| r.to_string());
    overrides
        .iter()
        .find(|o| {
            o.name == dep
                && o.range.as_deref().is_none_or(|r| norm(r) == norm(range))
                && o.from.as_ref().is_none_or(|(from_name, from_range)| {
                    parent_key.split(", ").any(|d| {
                        let d = d.split("::").next().unwrap_or(d);
                        split_descriptor(d).is_some_and(|(n, r)| {
                            n == from_name
                                && from_range.as_deref().is_none_or(|fr| norm(fr) == norm(r))
                        })
                    })
                })
        })
        .map(|o| o.to.as_str())
}

/// A berry checksum: `<cacheKey>/<128 hex>` or bare hex (older lockfiles; the
/// lockfile's `cacheKey` is prefixed).
fn berry_checksum(c: &str, cache_key: &str) -> Result<Hash, String> {
    let (prefix, hex) = match c.split_once('/') {
        Some((p, h)) => (p.to_string(), h),
        None => (cache_key.to_string(), c),
    };
    if hex.len() != 128
        || !hex.bytes().all(|b| b.is_ascii_hexdigit())
        || prefix.contains(char::is_whitespace)
    {
        return Err(format!(
            "checksum `{c}` is not `<cacheKey>/<128 hex digits>`"
        ));
    }
    Ok(Hash::yarn_berry(&if prefix.is_empty() {
        hex.to_string()
    } else {
        format!("{prefix}/{hex}")
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Lockfile, ParseError> {
        let p = Path::new("/nonexistent/yarn.lock");
        parse(
            &Context {
                path: p,
                display: Path::new("yarn.lock"),
            },
            text,
        )
    }

    const CLASSIC: &str = r#"# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@scope/a@^1.0.0", "@scope/a@^1.1":
  version "1.2.0"
  resolved "https://registry.yarnpkg.com/@scope/a/-/a-1.2.0.tgz#b37667b7bc181c168782259bab42474fbf52b550"
  integrity sha512-O8jcjabXaleOG9DQ0+ARXWZBTfnP4WNAqzuiJK7ll44AmxGKv/J2M4TPjxjY3znBCfvBXFzucm1twdyFybFqEA==
  dependencies:
    b-cjs "npm:b@^2"

b-cjs@npm:b@^2, b@^2.0.0:
  version "2.0.1"
  resolved "https://example.org/b/-/b-2.0.1.tgz#a77ea742fab25775145434eb1d2328cf5013ac33"
"#;

    #[test]
    fn classic_entries_hashes_and_aliases() {
        let lf = parse_str(CLASSIC).unwrap();
        assert_eq!(lf.format, "yarn-classic-v1");
        assert_eq!(lf.packages.len(), 2);
        let a = &lf.packages[0];
        assert_eq!(
            (a.name.as_str(), a.version.as_str(), a.line),
            ("@scope/a", "1.2.0", 5)
        );
        assert_eq!(a.hashes.len(), 2);
        assert_eq!(
            a.hashes[0].to_string(),
            "sha1:b37667b7bc181c168782259bab42474fbf52b550"
        );
        let b = &lf.packages[1];
        assert_eq!(b.name, "b", "an alias is recorded under the real name");
        assert_eq!(
            b.source,
            Source::Registry(Some("https://example.org".into()))
        );
        assert_eq!(b.path, ["(root)", "@scope/a", "b"]);
        assert!(a.direct && !b.direct);
    }

    #[test]
    fn classic_errors_name_the_line() {
        let e = parse_str(&CLASSIC.replace("  version \"2.0.1\"\n", "")).unwrap_err();
        assert_eq!(e.line, Some(12));
        let e = parse_str(&CLASSIC.replace("#a77ea742", "#zz")).unwrap_err();
        assert_eq!(e.line, Some(14));
        let e = parse_str(&CLASSIC.replace("b-cjs \"npm:b@^2\"", "c \"^1\"")).unwrap_err();
        assert_eq!(e.line, Some(10));
        let e = parse_str(&CLASSIC.replace("  version \"1.2.0\"", "      version \"1.2.0\""))
            .unwrap_err();
        assert_eq!(e.line, Some(6));
    }

    #[test]
    fn github_shorthand() {
        assert!(is_github_shorthand("webpack/tooling#v1.28.1"));
        assert!(is_github_shorthand("user/repo"));
        for not in [
            "^1.2.0",
            "@scope/name",
            "./a/b",
            "~/a/b",
            "github:a/b",
            "npm:a/b",
            "a/b/c",
        ] {
            assert!(!is_github_shorthand(not), "{not}");
        }
    }

    #[test]
    fn resolutions_patterns() {
        let m: BTreeMap<String, String> = [
            ("trim", "0.0.3"),
            ("**/ms", "2.1.3"),
            ("a/left-pad", "1.1.0"),
            ("@s/b@^1/@t/c@npm:^2", "2.5.0"),
            ("d@1.0.0", "1.0.1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let o = parse_overrides(&m);
        assert_eq!(o.len(), 4, "glob patterns are ignored, as Yarn berry does");
        assert_eq!(
            apply_overrides(&o, "trim", "0.0.1", "x@npm:1"),
            Some("0.0.3")
        );
        assert_eq!(apply_overrides(&o, "ms", "2.0.0", "x@npm:1"), None);
        assert_eq!(
            apply_overrides(&o, "left-pad", "^1", "a@npm:^2, a@npm:^2.1"),
            Some("1.1.0")
        );
        assert_eq!(apply_overrides(&o, "left-pad", "^1", "b@npm:^2"), None);
        assert_eq!(
            apply_overrides(&o, "@t/c", "^2", "@s/b@npm:^1"),
            Some("2.5.0")
        );
        assert_eq!(apply_overrides(&o, "@t/c", "^2", "@s/b@npm:^3"), None);
        assert_eq!(
            apply_overrides(&o, "d", "npm:1.0.0", "x@npm:1"),
            Some("1.0.1")
        );
        assert_eq!(apply_overrides(&o, "d", "1.0.2", "x@npm:1"), None);
        assert_eq!(with_default_protocol("^1.2.0"), Some("npm:^1.2.0".into()));
        assert_eq!(with_default_protocol("~8.9.0"), Some("npm:~8.9.0".into()));
        assert_eq!(with_default_protocol("npm:^1"), None);
        assert_eq!(with_default_protocol("./local"), None);
        assert_eq!(with_default_protocol("user/repo"), None);
    }

    #[test]
    fn berry_resolutions() {
        let k = berry_kind("typescript@patch:typescript@npm%3A5.6.3#optional!builtin<compat/typescript>::version=5.6.3&hash=8c6c40").unwrap();
        assert!(
            matches!(k, BerryKind::Package { ref name, source: Source::Registry(None) } if name == "typescript")
        );
        let k = berry_kind("left-pad@patch:left-pad@npm%3A1.3.0#~/.yarn/patches/left-pad-npm-1.3.0-abc.patch::version=1.3.0&hash=1").unwrap();
        assert!(
            matches!(k, BerryKind::Package { source: Source::Path(ref p), .. } if p == "patch:~/.yarn/patches/left-pad-npm-1.3.0-abc.patch")
        );
        let k = berry_kind("x@https://github.com/a/x.git#commit=abc").unwrap();
        assert!(
            matches!(k, BerryKind::Package { source: Source::Git { ref rev, .. }, .. } if rev.as_deref() == Some("abc"))
        );
        let k = berry_kind("x@condition:os=linux?a:b::hash=1").unwrap();
        assert!(
            matches!(k, BerryKind::Package { source: Source::Url(ref u), .. } if u == "condition:os=linux?a:b")
        );
        assert!(berry_kind("x@just-text").is_err());
        assert_eq!(
            percent_encode("fixture-app@workspace:."),
            "fixture-app%40workspace%3A."
        );
    }
}
