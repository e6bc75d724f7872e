//! The npm install tree that `package-lock.json` and `bun.lock` both describe, and
//! what their readers share: order-keeping JSON maps (serde visitors), the lines of
//! keys, the sibling `package.json`, integrity hashes, registry and git sources, and
//! Node's module resolution over the tree (nested `node_modules`, or bun's keys) down
//! to packages with their dependency paths.

use super::graph::{self, Root};
use super::{Context, Ecosystem, Hash, Lockfile, Package, ParseError, Source};
use crate::model::artifacts::{Artifacts, is_npm_registry_tarball, npm_registry_tarball_url};
use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasher;
use std::path::Path;

/// The default registry, whose tarballs are [`Source::Registry`]`(None)`.
const NPMJS: &str = "https://registry.npmjs.org";

// ---------------------------------------------------------------------------
// Deserialization

/// A JSON object read key by key, so that a value (the format version) can be checked
/// as soon as it is read, before the rest is deserialized. [`deserialize_object`]
/// reads one, or [`deserialize_by_fields!`] gives it a `Deserialize` impl.
pub(crate) trait JsonObject<'de>: Default {
    /// What the document should be, for serde's "invalid type" message.
    const EXPECTING: &'static str;

    /// Read the value of `key` from `map` (every key must read or skip its value).
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error>;
}

/// A visitor of one JSON object that carries state (the lines of keys, the tree being
/// built); [`Seed`] makes it a serde seed.
pub(crate) trait ObjectSeed<'de> {
    /// What it reads.
    type Value;
    /// What the value should be, for serde's "invalid type" message.
    const EXPECTING: &'static str;
    /// Read the whole object from `map`.
    fn visit<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error>;
}

/// An [`ObjectSeed`] as a serde [`DeserializeSeed`].
pub(crate) struct Seed<T>(pub(crate) T);

impl<'de, T: ObjectSeed<'de>> DeserializeSeed<'de> for Seed<T> {
    type Value = T::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: ObjectSeed<'de>> Visitor<'de> for Seed<T> {
    type Value = T::Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T::Value, A::Error> {
        self.0.visit(map)
    }
}

/// Reads a [`JsonObject`] key by key.
struct Fields<T>(std::marker::PhantomData<T>);

impl<'de, T: JsonObject<'de>> ObjectSeed<'de> for Fields<T> {
    type Value = T;
    const EXPECTING: &'static str = T::EXPECTING;
    fn visit<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut object = T::default();
        while let Some(key) = map.next_key::<Str<'de>>()? {
            object.field(key.0.as_ref(), &mut map)?;
        }
        Ok(object)
    }
}

/// Deserialize a [`JsonObject`] from `d`.
pub(crate) fn deserialize_object<'de, D: Deserializer<'de>, T: JsonObject<'de>>(
    d: D,
) -> Result<T, D::Error> {
    Seed(Fields(std::marker::PhantomData)).deserialize(d)
}

/// `Deserialize` for [`JsonObject`]s (types with one lifetime, the input's).
macro_rules! deserialize_by_fields {
    ($($t:ident),+) => {$(
        impl<'de> serde::Deserialize<'de> for $t<'de> {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::lockfile::npm_tree::deserialize_object(d)
            }
        }
    )+};
}
pub(crate) use deserialize_by_fields;

/// Mark the field `name` (number `i` of at most 16) as read; a field read twice is
/// an error, as serde's derive has it.
pub(crate) fn first_time<E: serde::de::Error>(
    seen: &mut u16,
    i: usize,
    name: &'static str,
) -> Result<(), E> {
    if *seen & (1 << i) != 0 {
        return Err(E::duplicate_field(name));
    }
    *seen |= 1 << i;
    Ok(())
}

/// A JSON object kept in file order, with duplicate keys kept (and rejected later).
pub(crate) struct OrderedMap<'a, V>(pub(crate) Vec<(Cow<'a, str>, V)>);

impl<V> Default for OrderedMap<'_, V> {
    fn default() -> Self {
        OrderedMap(Vec::new())
    }
}

/// A string borrowed from the input when it has no escapes.
#[derive(Deserialize)]
pub(crate) struct Str<'a>(#[serde(borrow)] pub(crate) Cow<'a, str>);

impl Str<'_> {
    /// The string, owned (to outlive the input).
    pub(crate) fn into_owned(self) -> Str<'static> {
        Str(Cow::Owned(self.0.into_owned()))
    }
}

impl<V> OrderedMap<'_, V> {
    /// The map with its keys owned (to outlive the input).
    pub(crate) fn into_owned(self) -> OrderedMap<'static, V> {
        let owned = self.0.into_iter();
        OrderedMap(
            owned
                .map(|(k, v)| (Cow::Owned(k.into_owned()), v))
                .collect(),
        )
    }
}

impl<'de: 'a, 'a, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<'a, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MapVisitor<'a, V>(std::marker::PhantomData<(&'a (), V)>);
        impl<'de: 'a, 'a, V: Deserialize<'de>> Visitor<'de> for MapVisitor<'a, V> {
            type Value = OrderedMap<'a, V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096));
                while let Some(k) = map.next_key::<Str<'a>>()? {
                    out.push((k.0, map.next_value()?));
                }
                Ok(OrderedMap(out))
            }
        }
        d.deserialize_map(MapVisitor(std::marker::PhantomData))
    }
}

/// A dependency's spec as lockgate keeps it: whether it asks for a URL (a registry
/// tarball asked for by URL is a URL dependency). Reading it allocates nothing.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Spec {
    /// The spec is an `http://` or `https://` URL.
    pub(crate) url: bool,
}

impl Spec {
    /// The spec `s`.
    pub(crate) fn of(s: &str) -> Spec {
        Spec {
            url: s.starts_with("http://") || s.starts_with("https://"),
        }
    }
}

impl<'de> Deserialize<'de> for Spec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SpecVisitor;
        impl Visitor<'_> for SpecVisitor {
            type Value = Spec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Spec, E> {
                Ok(Spec::of(v))
            }
        }
        d.deserialize_str(SpecVisitor)
    }
}

/// The dependency maps that npm's `packages` entries, bun's workspaces and bun's
/// package metadata share: `dependencies`, `optionalDependencies`,
/// `peerDependencies` and `devDependencies`, read by [`DepMaps::field`] inside
/// each format's own object visitor.
#[derive(Default)]
pub(crate) struct DepMaps<'a> {
    prod: OrderedMap<'a, Spec>,
    optional: OrderedMap<'a, Spec>,
    peer: OrderedMap<'a, Spec>,
    dev: OrderedMap<'a, Spec>,
    /// The maps read so far ([`first_time`]).
    seen: u16,
}

impl<'a> DepMaps<'a> {
    /// Read `key`'s value from `map` if `key` is one of the four maps, else skip it.
    pub(crate) fn field<'de: 'a, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let (i, name, slot) = match key {
            "dependencies" => (0, "dependencies", &mut self.prod),
            "optionalDependencies" => (1, "optionalDependencies", &mut self.optional),
            "peerDependencies" => (2, "peerDependencies", &mut self.peer),
            "devDependencies" => (3, "devDependencies", &mut self.dev),
            _ => {
                map.next_value::<IgnoredAny>()?;
                return Ok(());
            }
        };
        first_time(&mut self.seen, i, name)?;
        *slot = map.next_value()?;
        Ok(())
    }

    /// The maps with their names owned (to outlive the input).
    pub(crate) fn into_owned(self) -> DepMaps<'static> {
        DepMaps {
            prod: self.prod.into_owned(),
            optional: self.optional.into_owned(),
            peer: self.peer.into_owned(),
            dev: self.dev.into_owned(),
            seen: self.seen,
        }
    }

    /// How many dependencies the maps of `kinds` hold.
    pub(crate) fn len(&self, kinds: &[DepKind]) -> usize {
        kinds.iter().map(|&k| self.map(k).0.len()).sum()
    }

    fn map(&self, kind: DepKind) -> &OrderedMap<'a, Spec> {
        match kind {
            DepKind::Prod => &self.prod,
            DepKind::Optional => &self.optional,
            DepKind::Peer => &self.peer,
            DepKind::Dev => &self.dev,
        }
    }

    /// The dependencies of the maps of `kinds`, in that order, each map in file
    /// order, leaving out the peers that `optional_peer` names (not edges).
    pub(crate) fn into_deps(
        mut self,
        kinds: &[DepKind],
        optional_peer: impl Fn(&str) -> bool,
    ) -> Vec<Dep<'a>> {
        let mut deps = Vec::with_capacity(self.len(kinds));
        for &kind in kinds {
            let map = std::mem::take(match kind {
                DepKind::Prod => &mut self.prod,
                DepKind::Optional => &mut self.optional,
                DepKind::Peer => &mut self.peer,
                DepKind::Dev => &mut self.dev,
            });
            deps.extend(
                map.0
                    .into_iter()
                    .filter(|(n, _)| kind != DepKind::Peer || !optional_peer(n))
                    .map(|(name, spec)| Dep {
                        name,
                        kind,
                        url: spec.url,
                    }),
            );
        }
        deps
    }
}

/// The parts of a `package.json` used for version 1 roots.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Manifest {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    pub(crate) version: Option<String>,
    #[serde(default)]
    dependencies: HashMap<String, serde_json::Value>,
    #[serde(default)]
    dev_dependencies: HashMap<String, serde_json::Value>,
    #[serde(default)]
    optional_dependencies: HashMap<String, serde_json::Value>,
    #[serde(default)]
    peer_dependencies: HashMap<String, serde_json::Value>,
}

pub(crate) fn read_manifest(dir: &Path) -> Option<Manifest> {
    let text = std::fs::read_to_string(dir.join("package.json")).ok()?;
    serde_json::from_str(&text).ok()
}

/// A serde_json error as a [`ParseError`] naming its line.
///
/// The line is clamped to the last line of `text` (a truncated file ending in a newline
/// fails "on" the empty line after it).
pub(crate) fn json_error(ctx: &Context<'_>, e: &serde_json::Error, text: &str) -> ParseError {
    let msg = e.to_string();
    let msg = match msg.rfind(" at line ") {
        Some(i) if e.line() > 0 => msg[..i].to_string(),
        _ => msg,
    };
    let what = match e.classify() {
        serde_json::error::Category::Eof => "truncated JSON",
        serde_json::error::Category::Syntax => "malformed JSON",
        serde_json::error::Category::Data => "unexpected content",
        serde_json::error::Category::Io => "cannot read",
    };
    let line = (e.line() > 0).then(|| e.line().min(text.lines().count().max(1)));
    ctx.error(line, format!("{what}: {msg}"))
}

// ---------------------------------------------------------------------------
// Lines

/// Which object keys [`key_lines`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// Keys of the top-level `packages` object (npm v2/v3, bun.lock).
    Packages,
    /// Keys of the top-level `dependencies` object and, recursively, of each entry's
    /// own `dependencies` (npm v1), in document order (pre-order).
    NpmV1,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Frame {
    Root,
    Entries,
    Entry,
    Other,
    Array,
}

/// The 1-based line of every entry key, in document order, in one pass over `text`.
///
/// `text` must be valid JSON (parse it with serde first); comments and trailing commas
/// must have been blanked out.
pub(crate) fn key_lines(text: &str, layout: Layout) -> Vec<usize> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut stack: Vec<Frame> = Vec::with_capacity(16);
    let mut expect_key = false;
    let mut last_key: &[u8] = b"";
    let mut line = 1usize;
    let mut i = 0usize;
    while i < b.len() {
        match b[i] {
            b' ' => {
                // indentation: skip the run
                i += b[i..]
                    .iter()
                    .position(|&c| c != b' ')
                    .unwrap_or(b.len() - i);
                continue;
            }
            b'\n' => line += 1,
            b'"' => {
                let start = i + 1;
                i = start;
                // JSON strings hold no raw newlines: only `"` and `\\` matter here.
                while let Some(p) = b
                    .get(i..)
                    .and_then(|r| r.iter().position(|&c| c == b'"' || c == b'\\'))
                {
                    i += p;
                    if b[i] == b'"' {
                        break;
                    }
                    i += 2;
                }
                i = i.min(b.len());
                let s = b.get(start..i).unwrap_or(b"");
                if expect_key {
                    last_key = s;
                    expect_key = false;
                    if stack.last() == Some(&Frame::Entries) {
                        out.push(line);
                    }
                }
            }
            b'{' => {
                let parent = stack.last().copied();
                let kind = match parent {
                    None => Frame::Root,
                    Some(Frame::Root) if layout == Layout::Packages && last_key == b"packages" => {
                        Frame::Entries
                    }
                    Some(Frame::Root) if layout == Layout::NpmV1 && last_key == b"dependencies" => {
                        Frame::Entries
                    }
                    Some(Frame::Entries) => Frame::Entry,
                    Some(Frame::Entry)
                        if layout == Layout::NpmV1 && last_key == b"dependencies" =>
                    {
                        Frame::Entries
                    }
                    _ => Frame::Other,
                };
                stack.push(kind);
                expect_key = true;
            }
            b'[' => {
                stack.push(Frame::Array);
                expect_key = false;
            }
            b'}' | b']' => {
                stack.pop();
                expect_key = false;
            }
            b',' => expect_key = !matches!(stack.last(), Some(Frame::Array) | None),
            _ => {}
        }
        i += 1;
    }
    out
}

// ---------------------------------------------------------------------------
// The install tree

/// How a dependency edge was declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DepKind {
    /// `dependencies`
    Prod,
    Optional,
    Peer,
    Dev,
}

/// What an entry of the install tree is.
#[derive(Debug)]
pub(crate) enum NodeKind {
    /// A package to report.
    Package,
    /// The project (`""`) or a workspace member.
    Root,
    /// `"link": true`: resolves to the entry at this key.
    Link(String),
}

/// One entry of the install tree (shared with the bun.lock parser).
#[derive(Debug)]
pub(crate) struct Node<'a> {
    /// Install path (npm: `node_modules/a/node_modules/b`; bun: `a/b`).
    pub(crate) key: Cow<'a, str>,
    pub(crate) kind: NodeKind,
    /// Package name; for roots, their label.
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) source: Source,
    /// `resolved` as written, when there is one.
    pub(crate) resolved: Option<Cow<'a, str>>,
    pub(crate) hashes: Vec<Hash>,
    pub(crate) line: usize,
    /// The lockfile's own `dev` flag.
    pub(crate) dev: bool,
    /// The lockfile's own `optional` flag.
    pub(crate) optional: bool,
    /// Its dependencies.
    pub(crate) deps: Vec<Dep<'a>>,
    /// Whether the lockfile says code runs at install (package-lock `hasInstallScript`;
    /// `None`: the format does not record it).
    pub(crate) install_script: Option<bool>,
}

impl<'a> Node<'a> {
    /// A node of `kind` at `key`, named `name`, from `line`, with nothing else known.
    pub(crate) fn new(key: Cow<'a, str>, kind: NodeKind, name: String, line: usize) -> Node<'a> {
        Node {
            key,
            kind,
            name,
            version: String::new(),
            source: Source::Registry(None),
            resolved: None,
            hashes: Vec::new(),
            line,
            dev: false,
            optional: false,
            deps: Vec::new(),
            install_script: None,
        }
    }

    /// The project or a workspace member in the folder `path`, labelled `label`.
    pub(crate) fn root(
        key: Cow<'a, str>,
        label: String,
        version: String,
        path: String,
        line: usize,
        deps: Vec<Dep<'a>>,
    ) -> Node<'a> {
        Node {
            version,
            source: Source::Path(path),
            deps,
            ..Node::new(key, NodeKind::Root, label, line)
        }
    }

    /// A package: `name` at `version` from `source` (`resolved` as written).
    pub(crate) fn package(
        key: Cow<'a, str>,
        name: String,
        version: String,
        source: Source,
        resolved: Option<Cow<'a, str>>,
        line: usize,
    ) -> Node<'a> {
        Node {
            version,
            source,
            resolved,
            ..Node::new(key, NodeKind::Package, name, line)
        }
    }
}

/// One dependency of a node of the install tree.
#[derive(Debug)]
pub(crate) struct Dep<'a> {
    /// The name it is installed under.
    pub(crate) name: Cow<'a, str>,
    pub(crate) kind: DepKind,
    /// Its spec is a URL ([`Spec`]).
    pub(crate) url: bool,
}

/// How dependencies resolve to install paths.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Resolution {
    /// npm: `node_modules/a/node_modules/d`, then up the tree.
    #[default]
    NodeModules,
    /// bun.lock: `a/d`, then up the tree (`d`).
    Bun,
}

pub(crate) fn parse_hashes(
    ctx: &Context<'_>,
    line: usize,
    key: &str,
    sri: Option<&str>,
) -> Result<Vec<Hash>, ParseError> {
    let Some(sri) = sri else {
        return Ok(Vec::new());
    };
    let mut h = Hash::from_sri_list(sri)
        .map_err(|e| ctx.error(Some(line), format!("`{key}`: bad integrity: {e}")))?;
    h.sort();
    h.dedup();
    // The list is kept by the package: no room for more (it was collected with
    // room for four).
    h.shrink_to_fit();
    Ok(h)
}

/// The source that a `resolved` value names, for the package `name` at `version`.
pub(crate) fn source_of(resolved: &str, name: &str, version: &str) -> Option<Source> {
    if let Some(rest) = resolved.strip_prefix("file:") {
        return Some(Source::Path(rest.to_string()));
    }
    if is_git(resolved) {
        let (url, rev) = match resolved.split_once('#') {
            Some((u, r)) => (u, Some(r.to_string())),
            None => (resolved, None),
        };
        return Some(Source::Git {
            url: url.to_string(),
            rev: rev.map(Into::into),
        });
    }
    if resolved.starts_with("https://") || resolved.starts_with("http://") {
        return Some(match registry_base(resolved, name, version) {
            Some(base) if base == NPMJS || base == "http://registry.npmjs.org" => {
                Source::Registry(None)
            }
            Some(base) => Source::Registry(Some(base.to_string())),
            None => Source::Url(resolved.to_string()),
        });
    }
    None
}

/// The version in a tarball URL's file name `<unscoped name>-<version>.tgz`.
pub(crate) fn tarball_version<'u>(url: &'u str, name: &str) -> Option<&'u str> {
    let file = url.split(['?', '#']).next()?.rsplit('/').next()?;
    let unscoped = name.rsplit('/').next().unwrap_or(name);
    file.strip_suffix(".tgz")?
        .strip_prefix(unscoped)?
        .strip_prefix('-')
        .filter(|v| !v.is_empty())
}

/// True for the git forms of `resolved` / specs (`git+https:`, `github:`, ...).
pub(crate) fn is_git(s: &str) -> bool {
    [
        "git+",
        "git:",
        "git@",
        "github:",
        "gitlab:",
        "bitbucket:",
        "gist:",
    ]
    .iter()
    .any(|p| s.starts_with(p))
}

/// The registry base of a registry tarball URL `<base>/<name>/-/<unscoped>-<version>.tgz`.
fn registry_base<'u>(url: &'u str, name: &str, version: &str) -> Option<&'u str> {
    let url = url.split(['?', '#']).next().unwrap_or(url);
    let (before, file) = url.rsplit_once("/-/")?;
    let unscoped = name.rsplit('/').next().unwrap_or(name);
    let stem = file.strip_suffix(".tgz")?;
    if stem.strip_prefix(unscoped)?.strip_prefix('-')? != version {
        return None;
    }
    let base = match before.strip_suffix(name) {
        Some(b) => b,
        None => before
            .strip_suffix(&name.replace('/', "%2f"))
            .or_else(|| before.strip_suffix(&name.replace('/', "%2F")))?,
    };
    base.strip_suffix('/')
}

/// Reorder `items` so that `items[k]` is what `items[order[k]]` was (`order` is a
/// permutation), in place.
fn permute<T>(items: &mut [T], order: &[u32]) {
    if order.iter().enumerate().all(|(k, &o)| o as usize == k) {
        return;
    }
    let mut done = vec![false; order.len()];
    for start in 0..order.len() {
        let mut k = start;
        while !done[k] {
            done[k] = true;
            let from = order[k] as usize;
            if from == start {
                break;
            }
            items.swap(k, from);
            k = from;
        }
    }
}

/// bun.lock keys: `a/d` for `d` installed under `a`; candidates are the key's
/// prefixes (whole package names, `@scope/name` counted as one) followed by `dep`.
fn resolve_bun(tree: &InstallTree, from: &str, dep: &str, cand: &mut String) -> Option<usize> {
    let mut ends = vec![0usize];
    let bytes = from.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let scoped = bytes[i] == b'@';
        let mut j = from[i..].find('/').map_or(bytes.len(), |p| i + p);
        if scoped && j < bytes.len() {
            j = from[j + 1..].find('/').map_or(bytes.len(), |p| j + 1 + p);
        }
        ends.push(j);
        i = j + 1;
    }
    for &end in ends.iter().rev() {
        cand.clear();
        if end > 0 {
            cand.push_str(&from[..end]);
            cand.push('/');
        }
        cand.push_str(dep);
        if let Some(i) = tree.find(cand) {
            return Some(i);
        }
    }
    None
}

// ---------------------------------------------------------------------------
// The compact install tree

/// What a node of an [`InstallTree`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A package to report: [`InstallTree::package`].
    Package,
    /// The project or a workspace member.
    Root,
    /// A link: [`InstallTree::link_target`].
    Link,
    /// Opened ([`InstallTree::open`]), not yet filled.
    Open,
}

/// One node of an [`InstallTree`]: spans into the tree's shared buffers.
#[derive(Clone, Copy)]
struct Slot {
    /// The key: `keys[key_start..]`, up to the next slot's key (keys are stored in
    /// slot order) or the end; after `node_modules/` when `nm` (most keys: 13 bytes
    /// an entry not stored, issue 13).
    key_start: u32,
    /// The dependencies: `deps[deps_start..deps_start + deps_len]`.
    deps_start: u32,
    deps_len: u32,
    /// The index in `packages`, `labels` or `links`, by kind.
    item: u32,
    line: u32,
    kind: Kind,
    /// The lockfile's own `dev` and `optional` flags.
    dev: bool,
    optional: bool,
    /// The key starts with `node_modules/`, which is not stored.
    nm: bool,
}

/// The prefix of most install tree keys, stored as [`Slot::nm`].
const NM: &str = "node_modules/";

/// One dependency of a node, in four bytes: where its name ends in `dep_names` (it
/// starts where the one before it ends) in the low 29 bits, its kind in the next
/// two, and whether its spec is a URL in the top bit.
#[derive(Clone, Copy)]
struct DepRec(u32);

/// The most bytes of dependency names a [`DepRec`] can point into: more than a
/// lockfile of at most [`super::MAX_LOCKFILE_BYTES`] holds (each name is in its text).
const MAX_DEP_NAMES: usize = (1 << 29) - 1;

impl DepRec {
    fn new(name_end: usize, kind: DepKind, url: bool) -> DepRec {
        DepRec(small(name_end.min(MAX_DEP_NAMES)) | kind_bits(kind) << 29 | u32::from(url) << 31)
    }

    fn name_end(self) -> usize {
        (self.0 & ((1 << 29) - 1)) as usize
    }

    fn kind(self) -> DepKind {
        kind_of(self.0 >> 29)
    }

    fn url(self) -> bool {
        self.0 >> 31 == 1
    }
}

/// A [`DepKind`] in two bits.
fn kind_bits(kind: DepKind) -> u32 {
    match kind {
        DepKind::Prod => 0,
        DepKind::Optional => 1,
        DepKind::Peer => 2,
        DepKind::Dev => 3,
    }
}

/// The [`DepKind`] of the two low bits of `bits`.
fn kind_of(bits: u32) -> DepKind {
    match bits & 3 {
        0 => DepKind::Prod,
        1 => DepKind::Optional,
        2 => DepKind::Peer,
        _ => DepKind::Dev,
    }
}

/// The most nodes an [`InstallTree`] resolves: an edge holds its target node in the
/// low 30 bits of a `u32` (a lockfile of at most [`super::MAX_LOCKFILE_BYTES`] has
/// far fewer entries: each is a key and an object).
const MAX_NODES: usize = (1 << 30) - 2;

/// A dependency that resolves to no node.
const NO_EDGE: u32 = u32::MAX;

/// A resolved dependency: the target node (below [`MAX_NODES`]) and the kind in the
/// two high bits.
fn edge(target: usize, kind: DepKind) -> u32 {
    small(target) | kind_bits(kind) << 30
}

/// The target node and the kind of an [`edge`].
fn edge_parts(e: u32) -> (usize, DepKind) {
    ((e & ((1 << 30) - 1)) as usize, kind_of(e >> 30))
}

/// A number that fits the tree's 32-bit spans: the lockfile is at most
/// [`super::MAX_LOCKFILE_BYTES`], so no count or offset in it reaches `u32::MAX`.
fn small(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The install tree of one lockfile, built node by node as its entries are read,
/// with per node only what the walk needs beside the package it becomes: its key
/// and its dependency names in two shared strings (not a `String` each), a hash
/// index of the keys that holds node numbers (4 bytes a slot), and the package itself
/// (its final record, built as the entry is read). Dependencies resolve, entries
/// merge and paths are computed in [`InstallTree::finish`].
pub(crate) struct InstallTree {
    /// How dependencies resolve to keys.
    pub(crate) layout: Resolution,
    /// The root entry's `name` (the label of a version 1 lockfile's root).
    pub(crate) root_name: Option<String>,
    /// Version 1 only: the `package.json` beside the lockfile.
    pub(crate) v1_manifest: Option<Manifest>,
    /// Every node's key, one after the other.
    keys: String,
    slots: Vec<Slot>,
    /// Open addressing over `keys`: node number + 1 (0: free); a power of two long.
    table: Vec<u32>,
    hasher: std::hash::RandomState,
    /// Every dependency's name, one after the other.
    dep_names: String,
    deps: Vec<DepRec>,
    /// The package of each package node, in node order (merged in `finish`).
    packages: Vec<Package>,
    /// The label of each root node.
    labels: Vec<String>,
    /// The target key of each link node.
    links: Vec<String>,
    /// `resolved` of a package node when it is not an http(s) URL (an http(s) one is
    /// its artifact's URL).
    other_resolved: HashMap<u32, String>,
}

impl InstallTree {
    /// An empty tree.
    pub(crate) fn new(layout: Resolution) -> Self {
        InstallTree {
            layout,
            root_name: None,
            v1_manifest: None,
            keys: String::new(),
            slots: Vec::new(),
            table: Vec::new(),
            hasher: std::hash::RandomState::new(),
            dep_names: String::new(),
            deps: Vec::new(),
            packages: Vec::new(),
            labels: Vec::new(),
            links: Vec::new(),
            other_resolved: HashMap::new(),
        }
    }

    /// Whether key `i` starts with `node_modules/`, and what is stored of it.
    fn stored_key(&self, i: usize) -> (bool, &str) {
        let s = &self.slots[i];
        let start = s.key_start as usize;
        let end = (self.slots.get(i + 1)).map_or(self.keys.len(), |n| n.key_start as usize);
        (s.nm, &self.keys[start..end])
    }

    /// Key `i` (put together when stored without its `node_modules/`).
    #[cfg(test)]
    fn key(&self, i: usize) -> Cow<'_, str> {
        match self.stored_key(i) {
            (true, rest) => Cow::Owned(format!("{NM}{rest}")),
            (false, key) => Cow::Borrowed(key),
        }
    }

    /// Key `i` written into `buf` (in place of what it held).
    fn key_into(&self, i: usize, buf: &mut String) {
        let (nm, stored) = self.stored_key(i);
        buf.clear();
        if nm {
            buf.push_str(NM);
        }
        buf.push_str(stored);
    }

    /// True when key `i` is `key`.
    fn key_is(&self, i: usize, key: &str) -> bool {
        match self.stored_key(i) {
            (true, rest) => key.strip_prefix(NM) == Some(rest),
            (false, stored) => key == stored,
        }
    }

    /// The table position of `key`: where it is, or the free position it goes to.
    fn position(&self, key: &str) -> (usize, Option<usize>) {
        let mask = self.table.len() - 1;
        // The low bits of a keyed hash: colliding keys cannot be chosen.
        let mut at = (self.hasher.hash_one(key) as usize) & mask;
        loop {
            match self.table[at] {
                0 => return (at, None),
                n if self.key_is(n as usize - 1, key) => return (at, Some(n as usize - 1)),
                _ => at = (at + 1) & mask,
            }
        }
    }

    /// The node at `key` (the last one pushed there).
    pub(crate) fn find(&self, key: &str) -> Option<usize> {
        if self.table.is_empty() {
            return None;
        }
        self.position(key).1
    }

    /// Room in the index for one more key (at most half full).
    fn grow(&mut self) {
        if (self.slots.len() + 1) * 2 <= self.table.len() {
            return;
        }
        let size = (self.table.len() * 2).max(64);
        let old = std::mem::replace(&mut self.table, vec![0; size]);
        let mut key = String::new();
        for n in old.into_iter().filter(|&n| n != 0) {
            self.key_into(n as usize - 1, &mut key);
            let (at, _) = self.position(&key);
            self.table[at] = n;
        }
    }

    /// A new node at `key` from `line`, to be filled by [`InstallTree::fill`]; or,
    /// when a node has that key already, that node's number.
    pub(crate) fn open(&mut self, key: &str, line: usize) -> Result<usize, usize> {
        self.grow();
        let (at, found) = self.position(key);
        if let Some(i) = found {
            return Err(i);
        }
        let i = self.add_slot(key, line);
        self.table[at] = small(i + 1);
        Ok(i)
    }

    fn add_slot(&mut self, key: &str, line: usize) -> usize {
        let i = self.slots.len();
        let (nm, stored) = match key.strip_prefix(NM) {
            Some(rest) => (true, rest),
            None => (false, key),
        };
        self.slots.push(Slot {
            key_start: small(self.keys.len()),
            deps_start: 0,
            deps_len: 0,
            item: 0,
            line: small(line),
            kind: Kind::Open,
            dev: false,
            optional: false,
            nm,
        });
        self.keys.push_str(stored);
        i
    }

    /// Add `node`; a node already at its key is no longer found by it (the last
    /// node at a key is the one a dependency resolves to).
    pub(crate) fn push(&mut self, ctx: &Context<'_>, node: Node<'_>) {
        self.grow();
        let (at, _) = self.position(&node.key);
        let i = self.add_slot(&node.key, node.line);
        self.table[at] = small(i + 1);
        self.fill(ctx, i, node);
    }

    /// Make node `i` (opened at its key) `node` (whose own key is not used).
    pub(crate) fn fill(&mut self, ctx: &Context<'_>, i: usize, node: Node<'_>) {
        let deps_start = small(self.deps.len());
        for dep in &node.deps {
            self.dep_names.push_str(&dep.name);
            self.deps
                .push(DepRec::new(self.dep_names.len(), dep.kind, dep.url));
        }
        let (kind, item) = match node.kind {
            NodeKind::Package => {
                let mut p = Package::new(
                    Ecosystem::Npm,
                    node.name,
                    node.version,
                    node.source,
                    ctx.display,
                    node.line,
                );
                p.install_script = node.install_script;
                match node.resolved {
                    // The registry tarball at its default URL (byte for byte the one
                    // rebuilt from the name and version), with the package's hashes on
                    // its line: kept as a flag, rebuilt by `Package::files`.
                    Some(r) if is_npm_registry_tarball(&r, &p.name, &p.version) => {
                        p.artifacts = Artifacts::npm_registry_tarball();
                    }
                    Some(r) if r.starts_with("https://") || r.starts_with("http://") => {
                        let artifact = super::Artifact::new(
                            Some(r.into_owned()),
                            node.hashes.clone(),
                            node.line,
                        );
                        // Most versions are installed once: room for one, not four.
                        p.artifacts = vec![artifact].into();
                    }
                    Some(r) => {
                        self.other_resolved.insert(small(i), r.into_owned());
                    }
                    None => {}
                }
                p.hashes = node.hashes.into();
                self.packages.push(p);
                (Kind::Package, self.packages.len() - 1)
            }
            NodeKind::Root => {
                self.labels.push(node.name);
                (Kind::Root, self.labels.len() - 1)
            }
            NodeKind::Link(target) => {
                self.links.push(target);
                (Kind::Link, self.links.len() - 1)
            }
        };
        let s = &mut self.slots[i];
        s.deps_start = deps_start;
        s.deps_len = small(node.deps.len());
        s.item = small(item);
        s.kind = kind;
        s.dev = node.dev;
        s.optional = node.optional;
    }

    /// The line of node `i`.
    pub(crate) fn line(&self, i: usize) -> usize {
        self.slots[i].line as usize
    }

    /// The package of package node `i`, as read (before entries merge).
    pub(crate) fn package(&self, i: usize) -> Option<&Package> {
        let s = &self.slots[i];
        (s.kind == Kind::Package).then(|| &self.packages[s.item as usize])
    }

    /// `resolved` of package node `i`, as written.
    pub(crate) fn resolved(&self, i: usize) -> Option<Cow<'_, str>> {
        let p = self.package(i)?;
        match p.files().next() {
            // The tarball rebuilt from the flag: its URL is the one written.
            Some(Cow::Owned(a)) => a.url.map(Cow::Owned),
            Some(Cow::Borrowed(super::Artifact { url: Some(url), .. })) => {
                Some(Cow::Borrowed(url.as_str()))
            }
            _ => (self.other_resolved.get(&small(i))).map(|r| Cow::Borrowed(r.as_str())),
        }
    }

    /// True when `resolved` of package node `i` is `want` (without building the URL
    /// of a tarball kept as a flag).
    pub(crate) fn resolved_is(&self, i: usize, want: Option<&str>) -> bool {
        match self.package(i) {
            Some(p) if p.artifacts.has_npm_registry_tarball() => {
                want.is_some_and(|w| is_npm_registry_tarball(w, &p.name, &p.version))
            }
            _ => self.resolved(i).as_deref() == want,
        }
    }

    /// The key that link node `i` points to.
    pub(crate) fn link_target(&self, i: usize) -> Option<&str> {
        let s = &self.slots[i];
        (s.kind == Kind::Link).then(|| self.links[s.item as usize].as_str())
    }

    /// The dependencies of node `i`: (name, kind, spec is a URL).
    fn deps_of(&self, i: usize) -> impl Iterator<Item = (&str, DepKind, bool)> {
        let s = &self.slots[i];
        let range = s.deps_start as usize..(s.deps_start + s.deps_len) as usize;
        let mut start = match range.start {
            0 => 0,
            k => self.deps[k - 1].name_end(),
        };
        self.deps[range].iter().map(move |d| {
            let name = self.dep_names.get(start..d.name_end()).unwrap_or("");
            start = d.name_end();
            (name, d.kind(), d.url())
        })
    }

    /// Resolve `dep` from the node at `from` as Node does, following links.
    fn resolve(&self, from: &str, dep: &str, cand: &mut String) -> Option<usize> {
        if self.layout == Resolution::Bun {
            return resolve_bun(self, from, dep, cand);
        }
        let mut base = from;
        loop {
            if !(base == "node_modules" || base.ends_with("/node_modules")) {
                cand.clear();
                if !base.is_empty() {
                    cand.push_str(base);
                    cand.push('/');
                }
                cand.push_str("node_modules/");
                cand.push_str(dep);
                if let Some(i) = self.find(cand) {
                    return match self.link_target(i) {
                        Some(target) => self.find(target),
                        None => Some(i),
                    };
                }
            }
            if base.is_empty() {
                return None;
            }
            base = base.rfind('/').map_or("", |p| &base[..p]);
        }
    }

    /// Resolve every edge, merge entries into packages and compute their paths.
    pub(crate) fn finish(
        mut self,
        ctx: &Context<'_>,
        format: String,
    ) -> Result<Lockfile, ParseError> {
        let n = self.slots.len();
        if n > MAX_NODES || self.dep_names.len() > MAX_DEP_NAMES {
            return Err(ctx.error(
                None,
                format!(
                    "{n} entries and {} bytes of dependency names: more than lockgate reads in one lockfile",
                    self.dep_names.len()
                ),
            ));
        }
        // Resolve every dependency to a node: dependency `j` (of the node whose
        // `deps_start..deps_start + deps_len` holds it) goes to `edge_to[j]` (an
        // `Edge`, 4 bytes; the ranges of the slots serve both lists).
        let mut edge_to: Vec<u32> = vec![NO_EDGE; self.deps.len()];
        let mut url_requested = vec![false; n];
        let mut cand = String::new();
        let mut from = String::new();
        for i in 0..n {
            let s = self.slots[i];
            if s.kind == Kind::Link {
                continue;
            }
            self.key_into(i, &mut from);
            let deps = self.deps_of(i);
            for (j, (name, kind, url)) in (s.deps_start as usize..).zip(deps) {
                if let Some(t) = self.resolve(&from, name, &mut cand) {
                    if url {
                        url_requested[t] = true;
                    }
                    edge_to[j] = edge(t, kind);
                }
            }
        }
        // The edges are resolved: free the index and the dependency names before the
        // packages merge, and the keys too unless a lockfile without roots needs them
        // (`v1_root`).
        let has_roots = self.slots.iter().any(|s| s.kind == Kind::Root);
        self.table = Vec::new();
        self.deps = Vec::new();
        self.dep_names = String::new();
        self.other_resolved = HashMap::new();
        if has_roots {
            self.keys = String::new();
        }
        // A registry tarball that a manifest asked for by URL is a URL dependency.
        for (i, s) in self.slots.iter().enumerate() {
            if !url_requested[i] || s.kind != Kind::Package {
                continue;
            }
            let p = &mut self.packages[s.item as usize];
            if let Source::Registry(_) = p.source {
                // The first file's URL (the rebuilt tarball's when it is kept as a
                // flag), else the default registry's tarball.
                let url = match p.files().next().and_then(|a| a.url.clone()) {
                    Some(r) => r,
                    None => npm_registry_tarball_url(&p.name, &p.version),
                };
                p.source = Source::Url(url);
            }
        }
        drop(url_requested);
        // The package records in node order (a node filled after later ones, an entry
        // outside `node_modules/` read once the root's globs are known, has its record
        // after theirs).
        let mut order: Vec<u32> = Vec::new();
        for s in self.slots.iter_mut().filter(|s| s.kind == Kind::Package) {
            order.push(s.item);
            s.item = small(order.len() - 1);
        }
        permute(&mut self.packages, &order);
        drop(order);
        // One package per distinct (name, version, source): `first[j]` is the first
        // package node's record equal to record `j` (found by sorting keyed hashes).
        let mut packages = std::mem::take(&mut self.packages);
        let count = packages.len();
        let mut first: Vec<u32> = (0..small(count)).collect();
        {
            let mut ids: Vec<(u64, u32)> = (packages.iter().enumerate())
                .map(|(j, p)| {
                    let id = (&p.name, &p.version, &p.source);
                    (self.hasher.hash_one(id), small(j))
                })
                .collect();
            ids.sort_unstable();
            let same = |a: &Package, b: &Package| {
                a.name == b.name && a.version == b.version && a.source == b.source
            };
            for run in ids.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
                for (k, &(_, j)) in run.iter().enumerate().skip(1) {
                    let earlier = run[..k].iter().map(|&(_, e)| e);
                    let rep = earlier
                        .filter(|&e| first[e as usize] == e)
                        .find(|&e| same(&packages[e as usize], &packages[j as usize]));
                    if let Some(e) = rep {
                        first[j as usize] = e;
                    }
                }
            }
        }
        // Every hash and artifact of every install of the version, in node order
        // (package records are in node order).
        for (j, &e) in first.iter().enumerate() {
            let e = e as usize;
            if e == j {
                continue;
            }
            let (head, tail) = packages.split_at_mut(j);
            let (pkg, dup) = (&mut head[e], &mut tail[0]);
            // (stored as written first: the hashes below may change)
            pkg.take_files_of(dup);
            // Two installs of one version: a script either says is there.
            pkg.install_script = match (pkg.install_script, dup.install_script) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            };
            if pkg.hashes.is_empty() {
                pkg.hashes = std::mem::take(&mut dup.hashes);
            } else if dup.hashes.iter().any(|h| !pkg.hashes.contains(h)) {
                pkg.hashes
                    .append(&mut std::mem::take(&mut dup.hashes).into_vec());
                pkg.hashes.sort();
                pkg.hashes.dedup();
            }
        }
        // Keep each package's first record, then number the packages: `first[j]`
        // becomes the package of record `j`.
        let mut j = 0;
        packages.retain(|_| {
            j += 1;
            first[j - 1] as usize == j - 1
        });
        // The records grew by doubling: give back what is not used (in place when
        // little is, as is usual: most versions are installed once).
        packages.shrink_to_fit();
        let mut kept = 0u32;
        for j in 0..count {
            let e = first[j] as usize;
            first[j] = if e == j {
                kept += 1;
                kept - 1
            } else {
                first[e]
            };
        }
        let pkg_of = |i: usize| -> Option<usize> {
            let s = &self.slots[i];
            (s.kind == Kind::Package).then(|| first[s.item as usize] as usize)
        };
        // npm's own dev/optional flags, on every install of the version.
        let mut flags: Vec<(bool, bool)> = vec![(true, true); kept as usize];
        for (i, s) in self.slots.iter().enumerate() {
            if let Some(p) = pkg_of(i) {
                flags[p].0 &= s.dev;
                flags[p].1 &= s.optional;
            }
        }
        // Edges between packages (as pairs, in node order), and the roots.
        let slots = &self.slots;
        let node_edges = |i: usize| {
            let s = &slots[i];
            let range = s.deps_start as usize..(s.deps_start + s.deps_len) as usize;
            (edge_to[range].iter())
                .filter(|&&e| e != NO_EDGE)
                .map(|&e| edge_parts(e))
        };
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        let mut roots: Vec<Root> = Vec::new();
        for (i, s) in self.slots.iter().enumerate() {
            match s.kind {
                Kind::Package => {
                    let Some(p) = pkg_of(i) else { continue };
                    for (t, _) in node_edges(i) {
                        if let Some(q) = pkg_of(t)
                            && q != p
                        {
                            pairs.push((small(p), small(q)));
                        }
                    }
                }
                Kind::Root => {
                    let mut root = Root {
                        label: std::mem::take(&mut self.labels[s.item as usize]),
                        ..Root::default()
                    };
                    for (t, kind) in node_edges(i) {
                        let Some(q) = pkg_of(t) else {
                            continue;
                        };
                        match kind {
                            DepKind::Prod | DepKind::Peer => root.deps.push(q),
                            DepKind::Optional => root.optional_deps.push(q),
                            DepKind::Dev => root.dev_deps.push(q),
                        }
                    }
                    roots.push(root);
                }
                Kind::Link | Kind::Open => {}
            }
        }
        if roots.is_empty() {
            let pkg_of: Vec<Option<usize>> = (0..n).map(pkg_of).collect();
            roots.push(self.v1_root(ctx, &pkg_of, &flags));
        }
        // The install tree is done with: free it before the paths are computed.
        drop((edge_to, first));
        self.slots = Vec::new();
        self.keys = String::new();
        // Each package's dependencies in the order first met, without repeats.
        let edges = graph::EdgeList::from_pairs(packages.len(), pairs);
        graph::place_by(&mut packages, &edges, &roots);
        drop(edges);
        for (i, p) in packages.iter_mut().enumerate() {
            // The graph has no optional edges below the roots (`a` -> optional `b`);
            // npm's own `optional` flag (on every install of the version) covers them.
            p.optional = p.optional || (p.path.len() > 1 && !p.dev && flags[i].1);
        }
        Ok(Lockfile {
            path: ctx.display.to_path_buf(),
            ecosystem: Ecosystem::Npm,
            format,
            packages,
            unpinned: Vec::new(),
        })
    }

    /// The root of a lockfile without a root entry (version 1): direct dependencies
    /// from `package.json`, else every top-level entry by its own flags.
    fn v1_root(&self, ctx: &Context<'_>, pkg_of: &[Option<usize>], flags: &[(bool, bool)]) -> Root {
        let manifest = self.v1_manifest.as_ref();
        let label = manifest
            .and_then(|m| m.name.clone())
            .or_else(|| self.root_name.clone())
            .unwrap_or_else(|| ctx.root_label());
        let mut root = Root {
            label,
            ..Root::default()
        };
        let top_level: crate::model::FastMap<&str, usize> = (0..self.slots.len())
            .filter_map(|i| {
                let name = match self.stored_key(i) {
                    (true, name) => name,
                    (false, _) => return None,
                };
                (!name.contains("/node_modules/")).then_some((name, pkg_of[i]?))
            })
            .collect();
        match manifest {
            Some(m) => {
                for (map, kind) in [
                    (&m.dependencies, DepKind::Prod),
                    (&m.peer_dependencies, DepKind::Peer),
                    (&m.optional_dependencies, DepKind::Optional),
                    (&m.dev_dependencies, DepKind::Dev),
                ] {
                    let mut names: Vec<&String> = map.keys().collect();
                    names.sort();
                    for name in names {
                        let Some(&p) = top_level.get(name.as_str()) else {
                            continue;
                        };
                        match kind {
                            DepKind::Prod | DepKind::Peer => root.deps.push(p),
                            DepKind::Optional => root.optional_deps.push(p),
                            DepKind::Dev => root.dev_deps.push(p),
                        }
                    }
                }
            }
            None => {
                let mut tops: Vec<usize> = top_level.values().copied().collect();
                tops.sort_unstable();
                tops.dedup();
                for p in tops {
                    let (dev, optional) = flags.get(p).copied().unwrap_or_default();
                    if dev {
                        root.dev_deps.push(p);
                    } else if optional {
                        root.optional_deps.push(p);
                    } else {
                        root.deps.push(p);
                    }
                }
            }
        }
        root
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permute_reorders_in_place() {
        for order in [
            vec![0u32, 1, 2, 3],
            vec![3, 0, 1, 2],
            vec![1, 0, 3, 2],
            vec![2, 3, 1, 0],
        ] {
            let mut items: Vec<u32> = vec![10, 11, 12, 13];
            permute(&mut items, &order);
            let want: Vec<u32> = order.iter().map(|&o| 10 + o).collect();
            assert_eq!(items, want, "{order:?}");
        }
    }

    #[test]
    fn an_edge_reads_back_its_target_and_kind() {
        let kinds = [
            DepKind::Prod,
            DepKind::Optional,
            DepKind::Peer,
            DepKind::Dev,
        ];
        for t in [0, 1, 77, 1 << 20, MAX_NODES - 1] {
            for kind in kinds {
                let e = edge(t, kind);
                assert_ne!(e, NO_EDGE);
                assert_eq!(edge_parts(e), (t, kind));
                for url in [false, true] {
                    let d = DepRec::new(t.min(MAX_DEP_NAMES), kind, url);
                    assert_eq!(
                        (d.name_end(), d.kind(), d.url()),
                        (t.min(MAX_DEP_NAMES), kind, url)
                    );
                }
            }
        }
        assert_eq!(std::mem::size_of::<DepRec>(), 4);
    }

    #[test]
    fn a_slot_is_small_and_keys_read_back() {
        // Issue 13: one slot per entry beside each package while the tree is built.
        assert!(std::mem::size_of::<Slot>() <= 24);
        let mut tree = InstallTree::new(Resolution::NodeModules);
        // Keys stored with and without their `node_modules/` (which is kept as a
        // flag): each reads back and is found as written, and no other is found.
        let keys = [
            "",
            "node_modules/a",
            "node_modules/a/node_modules/é",
            "x",
            "a",
            "node_modules/",
            "node_modules",
            "node_modules/node_modules/a",
            "x/node_modules/a",
            "Node_modules/a",
            "node_modules//a",
        ];
        for (n, k) in keys.iter().enumerate() {
            assert_eq!(tree.open(k, n + 1), Ok(n));
        }
        for (n, k) in keys.iter().enumerate() {
            assert_eq!(tree.key(n), *k);
            assert_eq!(tree.find(k), Some(n));
            assert_eq!(tree.open(k, 9), Err(n));
        }
        for k in ["node_modules/b", "b", "/a", "node_modules/a/", "modules/a"] {
            assert_eq!(tree.find(k), None, "{k}");
        }
        // Through the index's growth (rehashed from the stored keys).
        for n in 0..300 {
            let k = format!("node_modules/p{n}");
            assert!(tree.open(&k, n + 1).is_ok());
        }
        for (n, k) in keys.iter().enumerate() {
            assert_eq!((tree.find(k), tree.key(n)), (Some(n), Cow::Borrowed(*k)));
        }
        assert_eq!(tree.find("node_modules/p299"), Some(keys.len() + 299));
    }

    #[test]
    fn lines_of_keys_in_one_pass() {
        let t = "{\n \"packages\": {\n  \"\": {\"a\": [1, {\"b\": 2}]},\n  \"node_modules/x\": {\n  \"v\": \"}\\\"{\"\n }\n }\n}";
        assert_eq!(key_lines(t, Layout::Packages), vec![3, 4]);
        let v1 = "{\"dependencies\": {\n\"a\": {\"dependencies\": {\n\"b\": {}}},\n\"c\": {\"requires\": {\"x\": \"1\"}}}}";
        assert_eq!(key_lines(v1, Layout::NpmV1), vec![2, 3, 4]);
    }
}
