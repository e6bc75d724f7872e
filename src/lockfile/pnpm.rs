//! `pnpm-lock.yaml`: pnpm's lockfile.
//!
//! # Versions
//!
//! - `lockfileVersion: 5.3` (pnpm 6) and `5.4` (pnpm 7): `importers` with bare version
//!   references (`react-dom: 18.3.1_react@18.3.1`) and `packages` keyed
//!   `/name/1.2.3` or `/name/1.2.3_peer@1.0.0` (the peer suffix starts at the first `_`
//!   after the name), with the edges in each entry, as in 6.0.
//! - `lockfileVersion: '6.0'` (pnpm 8): `importers` (one per workspace project, or the
//!   top-level `dependencies`/`devDependencies`/`optionalDependencies` of a single project),
//!   and `packages` keyed `/name@1.2.3` or `/name@1.2.3(peer@1.0.0)`, each with its
//!   `resolution`, its `dependencies`/`optionalDependencies` and (for non-registry
//!   packages) `name`/`version`.
//! - `lockfileVersion: '9.0'` (pnpm 9, 10 and 11; `'7.0'` from pnpm 9's pre-releases
//!   has the same shape): `importers`, `packages` keyed
//!   `name@1.2.3` (resolution, no edges) and `snapshots` keyed `name@1.2.3(peer@1.0.0)`
//!   (the dependency edges).
//! - Several YAML documents (pnpm 11): when a project has `configDependencies` (in
//!   pnpm-workspace.yaml) or asks for a pnpm version (`devEngines.packageManager`,
//!   `packageManager`), pnpm 11 writes its environment lockfile as a first document
//!   (`---`) before the project's: importer `.` with `configDependencies` and
//!   `packageManagerDependencies` (the pnpm it downloads and runs), and their
//!   `packages`/`snapshots`. pnpm installs both, so both are read: every document is
//!   parsed on its own (lines stay lines of the file), its packages are added to the
//!   list (one record per name, version and source), and those dependencies are direct
//!   dependencies of the project root. A broken document fails the file at its line.
//!
//! Any other version (`5.2` and older, `7.0`, `10.0`, …) is a [`ParseError`]: their
//! shapes differ and lockgate would misread them.
//!
//! # What comes from where
//!
//! - One [`Package`] per distinct (name, version, source): the peer-suffixed variants of
//!   one `name@version` (`react-dom@18.3.1(react@18.3.1)`) are one record; their edges
//!   are merged. Workspace projects (`importers`) are the graph's roots, not packages;
//!   a root is labelled with the `name` of its `package.json` when that file is beside
//!   the lockfile, else with its importer path (`.` is [`Context::root_label`]).
//! - hashes: `resolution.integrity` (SRI, every token).
//! - source: `resolution: {integrity}` alone is the default registry; `{tarball}` is a
//!   [`Source::Url`] unless the key names a plain version (then another registry's
//!   tarball: [`Source::Registry`] with the tarball's origin); `{type: directory}` is a
//!   [`Source::Path`]; `{type: git}` / `{repo, commit}` is a [`Source::Git`]. pnpm
//!   records no version for `file:` directories: it is read from the directory's
//!   `package.json` when present, else the lockfile's reference (`file:local-lib`) is
//!   used as the version.
//! - line: the line of the entry's key under `packages:` (from the YAML parser's spans).
//! - upload time: the `time:` section (`resolution-mode: time-based`) gives the publish
//!   time of the direct dependencies ([`Package::upload_time`]); pnpm 9 and 10 write
//!   it empty, so in practice only pnpm 8 lockfiles carry times.
//! - direct/dev/optional/path: [`graph::shortest_paths`] over the importers'
//!   `dependencies`, `devDependencies` and `optionalDependencies` (the `dev:`/`optional:`
//!   flags that v6 writes are not used; they say the same thing).
//!
//! Not verified: that the integrity matches any artifact, that `specifier`s match the
//! `package.json` files, the `settings`, `overrides` and `patchedDependencies`
//! sections (read as opaque), or that a dependency reference in a package that
//! names no entry (e.g. a `link:` to a workspace) is meant that way.
//!
//! # YAML
//!
//! Read by [`super::yaml::read`]: a fast reader for the YAML subset pnpm writes, and
//! `serde-saphyr` (pure Rust, panic-free, maintained; `serde_yaml` is deprecated and
//! unmaintained) for anything else, with the same reading. Both fill the same typed
//! structs (`Doc`, `Entry`, …), whose strings are `Cow`s borrowing from the text when
//! the fast reader read them; the records are built from those structs alone, so the
//! two readers can differ only in what the structs hold, which the differential tests
//! compare end to end. The full parser's
//! [`Budget`](serde_saphyr::Budget) bounds nesting depth, node and event counts, and
//! anchors and aliases are refused outright (pnpm and yarn never write them), so
//! "billion laughs" and deeply nested input fail with an error instead of exhausting
//! memory or the stack. The same helpers parse Yarn berry lockfiles.

use super::graph::{self, Root};
use super::yaml::node::{map, untyped_string};
use super::yaml::subset::Node;
use super::yaml::{FromNode, LinedMap};
use super::{Context, Ecosystem, Hash, Lockfile, Package, ParseError, Source};
use crate::model::source::origin;
use serde::Deserialize;
use serde::de;
use std::borrow::Cow;
use std::collections::{BTreeMap, hash_map};
use std::path::Path;

use crate::model::FastMap;

// The YAML helpers moved to `super::yaml`; these names stay for their users.
pub(crate) use super::yaml::{SpannedMap, top_level_scalar, yaml_options};

#[derive(Deserialize, Default)]
#[serde(default)]
struct Doc<'a> {
    #[serde(rename = "lockfileVersion")]
    _version: Option<de::IgnoredAny>,
    importers: Option<LinedMap<'a, Importer<'a>>>,
    // v6 single project: the importer's fields at the top level.
    dependencies: Option<Deps<'a, DepRef<'a>>>,
    #[serde(rename = "devDependencies")]
    dev_dependencies: Option<Deps<'a, DepRef<'a>>>,
    #[serde(rename = "optionalDependencies")]
    optional_dependencies: Option<Deps<'a, DepRef<'a>>>,
    packages: Option<LinedMap<'a, Entry<'a>>>,
    snapshots: Option<LinedMap<'a, Snapshot<'a>>>,
    /// `resolution-mode: time-based`: publish times of the direct dependencies, keyed
    /// like `packages` (pnpm 8 writes them; pnpm 9 and 10 write `time: {}`).
    time: Option<LinedMap<'a, Cow<'a, str>>>,
}

/// A dependency mapping, keys sorted (as `serde` reads it into a `BTreeMap`).
type Deps<'a, V = Cow<'a, str>> = BTreeMap<Cow<'a, str>, V>;

#[derive(Deserialize, Default)]
#[serde(default)]
struct Importer<'a> {
    /// pnpm 11's environment document: config dependencies (installed and loaded by
    /// pnpm itself) and the package manager pnpm downloads and runs.
    #[serde(rename = "configDependencies")]
    config_dependencies: Deps<'a, DepRef<'a>>,
    #[serde(rename = "packageManagerDependencies")]
    package_manager_dependencies: Deps<'a, DepRef<'a>>,
    dependencies: Deps<'a, DepRef<'a>>,
    #[serde(rename = "devDependencies")]
    dev_dependencies: Deps<'a, DepRef<'a>>,
    #[serde(rename = "optionalDependencies")]
    optional_dependencies: Deps<'a, DepRef<'a>>,
}

/// An importer's dependency: `{specifier, version}` (v6, v9) or a bare version (v5 style).
#[derive(Deserialize)]
#[serde(untagged)]
enum DepRef<'a> {
    Full { version: Cow<'a, str> },
    Bare(Cow<'a, str>),
}

impl DepRef<'_> {
    fn version(&self) -> &str {
        match self {
            DepRef::Full { version } | DepRef::Bare(version) => version,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Entry<'a> {
    resolution: Option<Resolution<'a>>,
    name: Option<Cow<'a, str>>,
    version: Option<Cow<'a, str>>,
    // v6 keeps the edges here; v9 in `snapshots`.
    dependencies: Deps<'a>,
    #[serde(rename = "optionalDependencies")]
    optional_dependencies: Deps<'a>,
    /// pnpm 6-8 (lockfile 5.3-6.0) write `requiresBuild: true` for a package with an
    /// install script or a `binding.gyp`; lockfile 9.0 no longer records it.
    #[serde(rename = "requiresBuild")]
    requires_build: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Snapshot<'a> {
    dependencies: Deps<'a>,
    #[serde(rename = "optionalDependencies")]
    optional_dependencies: Deps<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Resolution<'a> {
    integrity: Option<Cow<'a, str>>,
    tarball: Option<Cow<'a, str>>,
    directory: Option<Cow<'a, str>>,
    #[serde(rename = "type")]
    kind: Option<Cow<'a, str>>,
    repo: Option<Cow<'a, str>>,
    commit: Option<Cow<'a, str>>,
}

// The same structs read from the fast YAML reader's tree (see `super::yaml`): field by
// field as `serde` reads them above; `None` sends the file to the full parser. Their
// strings borrow from the text.

/// An optional field: absent is `None`, present must read.
fn opt<'a, T: FromNode<'a>>(slot: &mut Option<T>, value: &Node<'a>) -> Option<()> {
    *slot = Some(T::from_node(value)?);
    Some(())
}

/// A field: whatever `T` reads (a mapping absent stays empty).
fn field<'a, T: FromNode<'a>>(slot: &mut T, value: &Node<'a>) -> Option<()> {
    *slot = T::from_node(value)?;
    Some(())
}

/// A field only known to be there (`lockfileVersion`): present, whatever it holds.
fn present(slot: &mut Option<de::IgnoredAny>, _value: &Node<'_>) -> Option<()> {
    *slot = Some(de::IgnoredAny);
    Some(())
}

/// `impl FromNode` for a struct `serde` reads from a mapping: each listed key into its
/// field with its reader (`opt`, `field`, `present`), other keys ignored, the last of a
/// repeated key kept (as `serde` does).
macro_rules! from_map {
    ($ty:ident { $($key:literal => $field:ident: $read:ident),* $(,)? }) => {
        impl<'a> FromNode<'a> for $ty<'a> {
            fn from_node(node: &Node<'a>) -> Option<Self> {
                let mut out = $ty::default();
                for p in map(node)? {
                    match p.key.as_ref() {
                        $($key => $read(&mut out.$field, &p.value)?,)*
                        _ => {}
                    }
                }
                Some(out)
            }
        }
    };
}

from_map!(Doc {
    "lockfileVersion" => _version: present,
    "importers" => importers: opt,
    "dependencies" => dependencies: opt,
    "devDependencies" => dev_dependencies: opt,
    "optionalDependencies" => optional_dependencies: opt,
    "packages" => packages: opt,
    "snapshots" => snapshots: opt,
    "time" => time: opt,
});

from_map!(Importer {
    "configDependencies" => config_dependencies: field,
    "packageManagerDependencies" => package_manager_dependencies: field,
    "dependencies" => dependencies: field,
    "devDependencies" => dev_dependencies: field,
    "optionalDependencies" => optional_dependencies: field,
});

impl<'a> FromNode<'a> for DepRef<'a> {
    // untagged: `{version}` (other fields ignored), else a string; the scalars are
    // typed as `serde` buffers them, so only what reads as a string is taken (every
    // other node of the tree buffers cleanly: strings, booleans and short decimals)
    fn from_node(node: &Node<'a>) -> Option<Self> {
        match node {
            Node::Map(pairs) => {
                let v = pairs.iter().find(|p| p.key == "version")?;
                Some(DepRef::Full {
                    version: untyped_string(&v.value)?,
                })
            }
            _ => Some(DepRef::Bare(untyped_string(node)?)),
        }
    }
}

from_map!(Entry {
    "resolution" => resolution: opt,
    "name" => name: opt,
    "version" => version: opt,
    "dependencies" => dependencies: field,
    "optionalDependencies" => optional_dependencies: field,
    "requiresBuild" => requires_build: field,
});

from_map!(Snapshot {
    "dependencies" => dependencies: field,
    "optionalDependencies" => optional_dependencies: field,
});

from_map!(Resolution {
    "integrity" => integrity: opt,
    "tarball" => tarball: opt,
    "directory" => directory: opt,
    "type" => kind: opt,
    "repo" => repo: opt,
    "commit" => commit: opt,
});

/// The shapes of `pnpm-lock.yaml` lockgate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavor {
    /// `5.3`, `5.4`: keys `/name/1.2.3_peer@1.0.0`, edges in `packages`.
    V5,
    /// `6.0`: keys `/name@1.2.3(peer@1.0.0)`, edges in `packages`.
    V6,
    /// `9.0`: keys `name@1.2.3`, edges in `snapshots`.
    V9,
}

/// The YAML documents of a file: (first line, text with every line before the
/// document blanked, so that spans are lines of the file). pnpm 11 writes its
/// environment lockfile (`configDependencies`, `packageManagerDependencies`) as a
/// first document, separated by `---`, before the project's. Documents holding
/// nothing (comments, blank lines) are left out.
fn documents(text: &str) -> Vec<(usize, String)> {
    let mut docs: Vec<(usize, String)> = Vec::new();
    let mut start = 0usize; // 0-based line where the current document's text begins
    let mut from = 0usize; // byte where the current document's text begins
    let mut has_content = false;
    // a document's text is the lines between two markers: one slice of `text`,
    // copied once behind a blank line for each line before it
    let flush = |docs: &mut Vec<(usize, String)>, start: usize, doc: &str, c: bool| {
        if c {
            let mut copy = String::with_capacity(start + doc.len());
            copy.extend(std::iter::repeat_n('\n', start));
            copy.push_str(doc);
            docs.push((start + 1, copy));
        }
    };
    let mut at = 0usize; // byte where the line `i` begins
    let mut i = 0usize;
    while at < text.len() {
        let end = memchr::memchr(b'\n', text.as_bytes().get(at..).unwrap_or(&[]))
            .map_or(text.len(), |k| at + k + 1);
        let line = text.get(at..end).unwrap_or("");
        // (only a line beginning `---` or `...` can be a marker)
        if line.starts_with("---") || line.starts_with("...") {
            let bare = line.trim_end();
            let marker = bare == "---"
                || bare.starts_with("--- ")
                || bare.starts_with("---\t")
                || bare == "..."
                || bare.starts_with("... ");
            if marker {
                flush(
                    &mut docs,
                    start,
                    text.get(from..at).unwrap_or(""),
                    has_content,
                );
                has_content = false;
                start = i + 1;
                from = end;
                at = end;
                i += 1;
                continue;
            }
        }
        if !has_content {
            let t = line.trim();
            has_content = !t.is_empty() && !t.starts_with('#');
        }
        at = end;
        i += 1;
    }
    flush(
        &mut docs,
        start,
        text.get(from..).unwrap_or(""),
        has_content,
    );
    docs
}

/// The `pnpm` format: its file names, ecosystem, regenerate hint and parser.
pub static FORMAT: super::Format =
    super::Format::new("pnpm", module_path!(), super::Ecosystem::Npm, parse)
        .files(&["pnpm-lock.yaml"], |name, _| name == "pnpm-lock.yaml")
        .hint("regenerate it with `pnpm install --lockfile-only` (or restore it from git)");

/// Parse the text of a `pnpm-lock.yaml` (lockfile 5.3, 5.4, 6.0 or 9.0; one YAML
/// document or several, as pnpm 11 writes).
pub fn parse(ctx: &Context<'_>, text: &str) -> Result<Lockfile, ParseError> {
    // no document marker at the start of a line: one document (no copy of the text)
    let marker = |m: &str| text.starts_with(m) || text.contains(&*format!("\n{m}"));
    if !marker("---") && !marker("...") {
        return parse_document(ctx, text);
    }
    let docs = documents(text);
    if docs.len() <= 1 {
        return parse_document(ctx, text);
    }
    let mut out: Option<Lockfile> = None;
    for (_, doc) in &docs {
        let lf = parse_document(ctx, doc)?;
        match &mut out {
            None => out = Some(lf),
            Some(all) => {
                if all.format != lf.format {
                    all.format = format!("{}+{}", all.format, lf.format);
                }
                for p in lf.packages {
                    let dup = all.packages.iter().any(|q| {
                        q.name == p.name && q.version == p.version && q.source == p.source
                    });
                    if !dup {
                        all.packages.push(p);
                    }
                }
            }
        }
    }
    out.ok_or_else(|| ctx.error(Some(1), "no YAML document"))
}

/// Parse one YAML document of a `pnpm-lock.yaml`.
fn parse_document(ctx: &Context<'_>, text: &str) -> Result<Lockfile, ParseError> {
    let (version, vline) = top_level_scalar(text, "lockfileVersion").ok_or_else(|| {
        ctx.error(
            Some(1),
            "no `lockfileVersion`: not a pnpm lockfile, or truncated",
        )
    })?;
    let flavor = match version {
        "5.3" | "5.4" => Flavor::V5,
        "6.0" => Flavor::V6,
        // pnpm 9's pre-releases wrote the 9.0 shape as '7.0'; pnpm's own test
        // fixtures still carry it, and pnpm reads it as 9.0.
        "9.0" | "7.0" => Flavor::V9,
        other => {
            let newer = other
                .split('.')
                .next()
                .and_then(|m| m.parse::<u32>().ok())
                .is_some_and(|m| m > 9);
            let what = if newer {
                "is newer than lockgate knows"
            } else {
                "is not supported"
            };
            return Err(ctx.error(
                Some(vline),
                format!("lockfileVersion '{other}' {what} (supported: 5.3 from pnpm 6, 5.4 from pnpm 7, '6.0' from pnpm 8, '7.0' from pnpm 9 pre-releases, '9.0' from pnpm 9 to 11)"),
            ));
        }
    };
    let v9 = flavor == Flavor::V9;
    let doc: Doc<'_> = super::yaml::read(ctx, text)?;
    let packages = doc.packages.unwrap_or_default();
    let n = packages.0.len();

    let mut records: Vec<Package> = Vec::with_capacity(n);
    let mut by_identity: FastMap<(Cow<'_, str>, Cow<'_, str>, Source), usize> =
        FastMap::with_capacity_and_hasher(n, Default::default());
    // packages key (peer suffix removed) -> record index
    let mut by_key: FastMap<&str, usize> = FastMap::with_capacity_and_hasher(n, Default::default());
    let mut edges: Vec<Vec<usize>> = Vec::with_capacity(n);
    // the record of each `packages` entry
    let mut entry_records: Vec<usize> = Vec::with_capacity(n);

    for (key, line, entry) in &packages.0 {
        let (name, spec) = split_key(key, flavor).ok_or_else(|| {
            ctx.error(
                Some(*line),
                format!("package key `{key}` is not `name@version`"),
            )
        })?;
        let name: &str = match &entry.name {
            Some(n) if !v9 || name.is_empty() => n,
            _ => name,
        };
        if name.is_empty() {
            return Err(ctx.error(Some(*line), format!("package `{key}` has no name")));
        }
        let res = entry.resolution.as_ref().ok_or_else(|| {
            ctx.error(Some(*line), format!("package `{key}` has no `resolution`"))
        })?;
        let source = source_of(res, spec, *line, ctx)?;
        let version: Cow<'_, str> = match (&entry.version, spec) {
            (Some(v), _) => Cow::Borrowed(v),
            (None, s) if starts_with_digit(s) => Cow::Borrowed(s),
            (None, s) => match (&source, &res.directory) {
                (Source::Path(_), Some(dir)) => {
                    read_version(&ctx.dir().join(dir.as_ref())).map_or(Cow::Borrowed(s), Cow::Owned)
                }
                _ => Cow::Borrowed(s),
            },
        };
        if version.is_empty() {
            return Err(ctx.error(Some(*line), format!("package `{key}` has no version")));
        }
        let mut hashes = Vec::new();
        if let Some(sri) = &res.integrity {
            hashes = Hash::from_sri_list(sri).map_err(|e| {
                ctx.error(Some(*line), format!("package `{key}`: bad integrity: {e}"))
            })?;
        }
        let idx = match by_identity.entry((Cow::Borrowed(name), version, source)) {
            hash_map::Entry::Occupied(o) => *o.get(),
            hash_map::Entry::Vacant(v) => {
                let i = records.len();
                let (name, version, source) = v.key();
                records.push(Package::new(
                    Ecosystem::Npm,
                    name.to_string(),
                    version.to_string(),
                    source.clone(),
                    ctx.display,
                    *line,
                ));
                v.insert(i);
                edges.push(Vec::new());
                i
            }
        };
        if let Some(rec) = records.get_mut(idx) {
            // `true` is the lockfile's word; its absence is not proof of none.
            if entry.requires_build {
                rec.install_script = Some(true);
            }
            if let Some(t) = res
                .tarball
                .as_ref()
                .filter(|t| t.starts_with("https://") || t.starts_with("http://"))
            {
                rec.push_file(crate::model::Artifact::new(
                    Some(t.to_string()),
                    hashes.clone(),
                    *line,
                ));
            }
            rec.hashes.extend(hashes);
        }
        by_key.insert(strip_peers(key, flavor), idx);
        entry_records.push(idx);
    }
    // Where the edges are: (record, line, dependencies, optional dependencies).
    let snapshots = if v9 {
        doc.snapshots.unwrap_or_default()
    } else {
        LinedMap::default()
    };
    let mut edge_lists: Vec<(usize, usize, &Deps<'_>, &Deps<'_>)> = Vec::with_capacity(n);
    if v9 {
        for (key, line, snap) in &snapshots.0 {
            let idx = *by_key.get(strip_peers(key, flavor)).ok_or_else(|| {
                ctx.error(
                    Some(*line),
                    format!("snapshot `{key}` has no entry under `packages`"),
                )
            })?;
            edge_lists.push((idx, *line, &snap.dependencies, &snap.optional_dependencies));
        }
    } else {
        for ((_, line, entry), &idx) in packages.0.iter().zip(&entry_records) {
            edge_lists.push((
                idx,
                *line,
                &entry.dependencies,
                &entry.optional_dependencies,
            ));
        }
    }
    let mut buf = String::new();
    for (idx, line, deps, optional) in edge_lists {
        for (dep, reference) in deps.iter().chain(optional) {
            match lookup(&by_key, dep, reference, flavor, &mut buf) {
                Lookup::Found(d) => {
                    if let Some(e) = edges.get_mut(idx)
                        && !e.contains(&d)
                    {
                        e.push(d);
                    }
                }
                Lookup::Link => {}
                Lookup::Missing => {
                    return Err(ctx.error(
                        Some(line),
                        format!("dependency `{dep}: {reference}` has no entry under `packages`"),
                    ));
                }
            }
        }
    }

    for (key, line, when) in doc.time.unwrap_or_default().0 {
        let secs = crate::model::timestamp::parse_timestamp(&when).ok_or_else(|| {
            ctx.error(
                Some(line),
                format!("`time` of `{key}`: \"{when}\" is not an RFC 3339 time (e.g. 2025-09-08T13:00:00.000Z); regenerate the lockfile with `pnpm install`"),
            )
        })?;
        // pnpm 8 keys `/name@1.0.0`; a lockfile 9.0 key has no leading slash.
        let bare = strip_peers(&key, flavor);
        let alt = match bare.strip_prefix('/') {
            Some(b) => b.to_string(),
            None => format!("/{bare}"),
        };
        if let Some(&i) = by_key.get(bare).or_else(|| by_key.get(alt.as_str()))
            && let Some(rec) = records.get_mut(i)
        {
            rec.note_upload_time(secs);
        }
    }

    // Roots.
    let mut importers: Vec<(Cow<'_, str>, usize, Importer<'_>)> = match doc.importers {
        Some(m) => m.0,
        None => Vec::new(),
    };
    if importers.is_empty()
        && (doc.dependencies.is_some()
            || doc.dev_dependencies.is_some()
            || doc.optional_dependencies.is_some())
    {
        importers.push((
            Cow::Borrowed("."),
            1,
            Importer {
                config_dependencies: BTreeMap::new(),
                package_manager_dependencies: BTreeMap::new(),
                dependencies: doc.dependencies.unwrap_or_default(),
                dev_dependencies: doc.dev_dependencies.unwrap_or_default(),
                optional_dependencies: doc.optional_dependencies.unwrap_or_default(),
            },
        ));
    }
    let mut roots = Vec::new();
    for (path, line, imp) in &importers {
        let label = read_name(&ctx.dir().join(path.as_ref())).unwrap_or_else(|| {
            if path == "." {
                ctx.root_label()
            } else {
                path.to_string()
            }
        });
        let mut root = Root {
            label,
            ..Root::default()
        };
        let (mut config_deps, mut pm_deps) = (Vec::new(), Vec::new());
        for (list, out) in [
            (&imp.config_dependencies, &mut config_deps),
            (&imp.package_manager_dependencies, &mut pm_deps),
            (&imp.dependencies, &mut root.deps),
            (&imp.dev_dependencies, &mut root.dev_deps),
            (&imp.optional_dependencies, &mut root.optional_deps),
        ] {
            for (dep, r) in list {
                match lookup(&by_key, dep, r.version(), flavor, &mut buf) {
                    Lookup::Found(d) => out.push(d),
                    Lookup::Link => {}
                    Lookup::Missing => {
                        return Err(ctx.error(
                            Some(*line),
                            format!("importer `{path}`: dependency `{dep}: {}` has no entry under `packages`", r.version()),
                        ));
                    }
                }
            }
        }
        root.deps.extend(config_deps);
        root.deps.extend(pm_deps);
        roots.push(root);
    }

    graph::place(&mut records, &edges, &roots);
    Ok(Lockfile {
        path: ctx.display.to_path_buf(),
        ecosystem: Ecosystem::Npm,
        format: match (flavor, version) {
            (Flavor::V9, _) => "pnpm-v9".to_string(),
            (Flavor::V6, _) => "pnpm-v6".to_string(),
            (Flavor::V5, v) => format!("pnpm-v{v}"),
        },
        packages: records,
        unpinned: Vec::new(),
    })
}

fn starts_with_digit(s: &str) -> bool {
    s.bytes().next().is_some_and(|b| b.is_ascii_digit())
}

/// The key without its peer suffix: `react-dom@18.3.1(react@18.3.1)` → `react-dom@18.3.1`;
/// v5: `/react-dom/18.3.1_react@18.3.1` → `/react-dom/18.3.1` (the suffix starts at the
/// first `_` after the name: semver versions hold none).
fn strip_peers(key: &str, flavor: Flavor) -> &str {
    if flavor != Flavor::V5 {
        return memchr::memchr(b'(', key.as_bytes()).map_or(key, |i| key.get(..i).unwrap_or(key));
    }
    let Some(name_end) = v5_name_end(key) else {
        return key;
    };
    match key.get(name_end..).and_then(|r| r.find('_')) {
        Some(i) => key.get(..name_end + i).unwrap_or(key),
        None => key,
    }
}

/// Where the name ends in a v5 key `/name/version` or `/@scope/name/version` (the index
/// of the `/` before the version).
fn v5_name_end(key: &str) -> Option<usize> {
    let rest = key.strip_prefix('/')?;
    let skip = if rest.starts_with('@') {
        rest.find('/')? + 1
    } else {
        0
    };
    Some(1 + skip + rest.get(skip..)?.find('/')?)
}

/// Split a `packages` key into (name, version or reference). v5 and v6 registry keys
/// start with `/`; other keys (`file:…`, git hosts, tarball hosts) have no name (it is in
/// the entry's `name`).
fn split_key(key: &str, flavor: Flavor) -> Option<(&str, &str)> {
    let key = strip_peers(key, flavor);
    if flavor == Flavor::V5 {
        if !key.starts_with('/') {
            return Some(("", key));
        }
        let end = v5_name_end(key)?;
        let (name, spec) = (key.get(1..end)?, key.get(end + 1..)?);
        return (!name.is_empty() && !spec.is_empty()).then_some((name, spec));
    }
    let key = if flavor == Flavor::V9 {
        key
    } else {
        match key.strip_prefix('/') {
            Some(k) => k,
            None => return Some(("", key)),
        }
    };
    let at = key.get(1..)?.find('@')? + 1;
    let (name, spec) = (key.get(..at)?, key.get(at + 1..)?);
    (!name.is_empty() && !spec.is_empty()).then_some((name, spec))
}

enum Lookup {
    Found(usize),
    Link,
    Missing,
}

/// Resolve a dependency reference (`1.2.3`, `1.2.3(peer@1)`, an alias `/other@1.0.0` or
/// `other@1.0.0`, `file:dir`, `link:../b`) to a record. `buf` is scratch space for the
/// key the reference makes with the dependency's name.
fn lookup(
    by_key: &FastMap<&str, usize>,
    dep: &str,
    reference: &str,
    flavor: Flavor,
    buf: &mut String,
) -> Lookup {
    if reference.starts_with("link:") {
        return Lookup::Link;
    }
    buf.clear();
    let bare = strip_peers(reference, flavor);
    match flavor {
        Flavor::V9 => buf.extend([dep, "@", bare]),
        Flavor::V6 => buf.extend(["/", dep, "@", bare]),
        Flavor::V5 => {
            // `1.2.3_peer@1`, or a whole key (`/other/1.0.0` for an alias, `file:dir`)
            buf.extend(["/", dep, "/", reference]);
            let keep = strip_peers(buf, flavor).len();
            buf.truncate(keep);
        }
    }
    match by_key.get(buf.as_str()).or_else(|| by_key.get(bare)) {
        Some(&i) => Lookup::Found(i),
        None => Lookup::Missing,
    }
}

fn source_of(
    res: &Resolution<'_>,
    spec: &str,
    line: usize,
    ctx: &Context<'_>,
) -> Result<Source, ParseError> {
    if let Some(dir) = &res.directory {
        return Ok(Source::Path(dir.to_string()));
    }
    if res.kind.as_deref() == Some("git") || res.repo.is_some() {
        let url = res
            .repo
            .as_deref()
            .map(str::to_string)
            .ok_or_else(|| ctx.error(Some(line), "git resolution without `repo`"))?;
        return Ok(Source::Git {
            url,
            rev: res.commit.as_deref().map(Into::into),
        });
    }
    if let Some(kind) = &res.kind
        && kind != "directory"
    {
        return Err(ctx.error(Some(line), format!("unknown resolution type `{kind}`")));
    }
    if let Some(tarball) = &res.tarball {
        if tarball.starts_with("file:") {
            return Ok(Source::Path(
                tarball.trim_start_matches("file:").to_string(),
            ));
        }
        if starts_with_digit(spec) {
            let origin = origin(tarball);
            return Ok(
                if origin == "https://registry.npmjs.org"
                    || origin == "https://registry.yarnpkg.com"
                {
                    Source::Registry(None)
                } else {
                    Source::Registry(Some(origin.to_string()))
                },
            );
        }
        return Ok(Source::Url(tarball.to_string()));
    }
    if res.integrity.is_some() {
        return Ok(Source::Registry(None));
    }
    Err(ctx.error(
        Some(line),
        "resolution has neither `integrity`, `tarball`, `directory` nor `repo`",
    ))
}

#[derive(Deserialize)]
struct Manifest {
    name: Option<String>,
    version: Option<String>,
}

fn read_manifest(dir: &Path) -> Option<Manifest> {
    let text = std::fs::read_to_string(dir.join("package.json")).ok()?;
    serde_json::from_str(&text).ok()
}

fn read_name(dir: &Path) -> Option<String> {
    read_manifest(dir)?.name.filter(|n| !n.is_empty())
}

fn read_version(dir: &Path) -> Option<String> {
    read_manifest(dir)?.version.filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Lockfile, ParseError> {
        FORMAT.parse_at("/nonexistent/pnpm-lock.yaml", text)
    }

    const V9: &str = "lockfileVersion: '9.0'

importers:

  .:
    dependencies:
      react-dom:
        specifier: ^18
        version: 18.3.1(react@18.3.1)
      ui:
        specifier: ^1
        version: 1.0.0(react@17.0.2)

packages:

  react-dom@18.3.1:
    resolution: {integrity: sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw==}

  react@17.0.2:
    resolution: {integrity: sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw==}

  react@18.3.1:
    resolution: {integrity: sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw==}

  ui@1.0.0:
    resolution: {integrity: sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw==}

snapshots:

  react-dom@18.3.1(react@17.0.2):
    dependencies:
      react: 17.0.2

  react-dom@18.3.1(react@18.3.1):
    dependencies:
      react: 18.3.1

  react@17.0.2: {}

  react@18.3.1: {}

  ui@1.0.0(react@17.0.2):
    dependencies:
      react-dom: 18.3.1(react@17.0.2)
";

    #[test]
    fn peer_variants_are_one_record() {
        let lf = parse_str(V9).unwrap();
        let names: Vec<_> = lf
            .packages
            .iter()
            .map(|p| format!("{}@{}:{}", p.name, p.version, p.line))
            .collect();
        assert_eq!(
            names,
            [
                "react-dom@18.3.1:16",
                "react@17.0.2:19",
                "react@18.3.1:22",
                "ui@1.0.0:25"
            ]
        );
        assert_eq!(lf.format, "pnpm-v9");
        let r17 = &lf.packages[1];
        assert_eq!(r17.path, ["(root)", "react-dom", "react"]);
        assert!(!r17.direct);
    }

    #[test]
    fn documents_keep_file_lines() {
        let docs = documents("---\na: 1\n\n---\n# only a comment\n---\nb: 2\n...\n");
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].0, 2);
        assert_eq!(docs[0].1, "\na: 1\n\n");
        assert_eq!(docs[1].0, 7);
        assert_eq!(docs[1].1.lines().nth(6), Some("b: 2"));
        assert_eq!(documents("a: 1\n").len(), 1);
    }

    /// `documents` before it found lines by `memchr` and copied each document once
    /// (every line split, trimmed and appended).
    fn documents_before(text: &str) -> Vec<(usize, String)> {
        let mut docs: Vec<(usize, String)> = Vec::new();
        let mut start = 0usize;
        let mut current = String::new();
        let mut has_content = false;
        let flush = |docs: &mut Vec<(usize, String)>, start: usize, cur: &mut String, c: bool| {
            if c {
                docs.push((start + 1, "\n".repeat(start) + cur.as_str()));
            }
            cur.clear();
        };
        for (i, line) in text.split_inclusive('\n').enumerate() {
            let bare = line.trim_end();
            let marker = bare == "---"
                || bare.starts_with("--- ")
                || bare.starts_with("---\t")
                || bare == "..."
                || bare.starts_with("... ");
            if marker {
                flush(&mut docs, start, &mut current, has_content);
                has_content = false;
                start = i + 1;
                continue;
            }
            let t = bare.trim_start();
            if !t.is_empty() && !t.starts_with('#') {
                has_content = true;
            }
            current.push_str(line);
        }
        flush(&mut docs, start, &mut current, has_content);
        docs
    }

    #[test]
    fn documents_split_as_before() {
        let lines = [
            "---",
            "--- x",
            "---\t",
            "---  ",
            "----",
            "--",
            "...",
            "... x",
            "....",
            "# c",
            "",
            "  ",
            "\u{a0}",
            "a: 1",
            " b: 2",
            "\r",
            "---\r",
            "...\u{2003}",
        ];
        // every text of up to three of these lines, with and without a last newline
        let mut texts = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..3 {
            last = last
                .iter()
                .flat_map(|t| lines.iter().map(move |l| format!("{t}{l}\n")))
                .collect();
            texts.extend(last.iter().cloned());
        }
        for t in &texts {
            assert_eq!(documents(t), documents_before(t), "{t:?}");
            let open = t.trim_end_matches('\n');
            assert_eq!(documents(open), documents_before(open), "{open:?}");
        }
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/npm/pnpm/v9-pnpm11/pnpm-lock.yaml"),
        )
        .unwrap();
        assert_eq!(documents(&text), documents_before(&text));
        assert_eq!(documents(&text).len(), 2);
    }

    #[test]
    fn peer_suffix_is_cut_at_the_first_parenthesis_as_before() {
        for key in [
            "a@1.0.0",
            "a@1.0.0(b@2.0.0)",
            "a@1.0.0(b@2.0.0)(c@3.0.0)",
            "(x",
            "",
            "@s/a@1.0.0(@s/b@2.0.0(c@1))",
            "é@1(ü)",
        ] {
            let before = key.find('(').map_or(key, |i| &key[..i]);
            assert_eq!(strip_peers(key, Flavor::V9), before, "{key}");
            assert_eq!(strip_peers(key, Flavor::V6), before, "{key}");
        }
    }

    #[test]
    fn v5_keys() {
        assert_eq!(
            strip_peers("/react-dom/18.3.1_react@18.3.1", Flavor::V5),
            "/react-dom/18.3.1"
        );
        assert_eq!(
            strip_peers("/snake_case/1.0.0_a@1", Flavor::V5),
            "/snake_case/1.0.0"
        );
        assert_eq!(
            split_key("/@types/node/22.0.0", Flavor::V5),
            Some(("@types/node", "22.0.0"))
        );
        assert_eq!(
            split_key("file:local_lib", Flavor::V5),
            Some(("", "file:local_lib"))
        );
    }

    #[test]
    fn other_versions_fail() {
        let e = parse_str("lockfileVersion: 5.2\n").unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(
            e.message.contains("'5.2' is not supported"),
            "{}",
            e.message
        );
        let e = parse_str("# c\nlockfileVersion: '10.0'\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("newer"), "{}", e.message);
    }

    #[test]
    fn anchors_and_deep_nesting_fail() {
        let bomb = "lockfileVersion: '9.0'\na: &a [x, x]\nb: [*a, *a]\n";
        assert!(parse_str(bomb).is_err());
        let deep = format!(
            "lockfileVersion: '9.0'\nimporters: {}{}\n",
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        assert!(parse_str(&deep).is_err());
    }

    #[test]
    fn missing_snapshot_target_fails() {
        let t = V9.replace("      react: 17.0.2\n", "      react: 16.0.0\n");
        let e = parse_str(&t).unwrap_err();
        assert!(e.message.contains("react: 16.0.0"), "{}", e.message);
        assert_eq!(e.line, Some(30), "the snapshot's line");
    }
}

#[cfg(test)]
mod time_tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Lockfile, ParseError> {
        FORMAT.parse_at("/nonexistent/proj/pnpm-lock.yaml", text)
    }

    const SRI: &str = "sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==";

    // Hand-written: the shape pnpm 8 writes (see tests/fixtures/npm/pnpm/time-based-pnpm8).
    fn v6(time: &str) -> String {
        format!(
            "lockfileVersion: '6.0'\n\ndependencies:\n  ms:\n    specifier: ^2.1.3\n    version: 2.1.3\n\npackages:\n\n  /ms@2.1.3:\n    resolution: {{integrity: {SRI}}}\n    dev: false\n\ntime:\n  /ms@2.1.3: {time}\n"
        )
    }

    #[test]
    fn time_section_gives_the_upload_time() {
        let lf = parse_str(&v6("'2024-02-23T22:24:14.754000+00:00'")).unwrap();
        assert_eq!(lf.packages[0].upload_time, Some(1_708_727_054));
        // a lockfile 9.0 key has no leading slash
        let v9 = format!(
            "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      ms:\n        specifier: ^2.1.3\n        version: 2.1.3\n\npackages:\n\n  ms@2.1.3:\n    resolution: {{integrity: {SRI}}}\n\nsnapshots:\n\n  ms@2.1.3: {{}}\n\ntime:\n  ms@2.1.3: '2024-02-23T22:24:14.754Z'\n"
        );
        let lf = parse_str(&v9).unwrap();
        assert_eq!(lf.packages[0].upload_time, Some(1_708_727_054));
    }

    // Hand-written malformed input.
    #[test]
    fn unreadable_time_is_an_error_at_its_line() {
        let e = parse_str(&v6("'soon'")).unwrap_err();
        assert_eq!(e.line, Some(15));
        assert!(e.message.contains("time"), "{}", e.message);
    }
}
