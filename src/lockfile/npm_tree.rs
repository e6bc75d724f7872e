//! The npm install tree that `package-lock.json` and `bun.lock` both describe, and
//! what their readers share: order-keeping JSON maps (serde visitors), the lines of
//! keys, the sibling `package.json`, integrity hashes, registry and git sources, and
//! Node's module resolution over the tree (nested `node_modules`, or bun's keys) down
//! to packages with their dependency paths.

use super::graph::{self, Root};
use super::{Context, Ecosystem, Hash, Lockfile, Package, ParseError, Source};
use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
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

/// The install tree of one lockfile (shared with the bun.lock parser).
#[derive(Default)]
pub(crate) struct Tree<'a> {
    pub(crate) nodes: Vec<Node<'a>>,
    pub(crate) root_name: Option<String>,
    /// Version 1 only: the `package.json` beside the lockfile.
    pub(crate) v1_manifest: Option<Manifest>,
    pub(crate) layout: Resolution,
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
            rev,
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

/// bun.lock keys: `a/d` for `d` installed under `a`; candidates are the key's
/// prefixes (whole package names, `@scope/name` counted as one) followed by `dep`.
fn resolve_bun(index: &HashMap<&str, usize>, from: &str, dep: &str) -> Option<usize> {
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
    let mut cand = String::with_capacity(from.len() + dep.len() + 1);
    for &end in ends.iter().rev() {
        cand.clear();
        if end > 0 {
            cand.push_str(&from[..end]);
            cand.push('/');
        }
        cand.push_str(dep);
        if let Some(&i) = index.get(cand.as_str()) {
            return Some(i);
        }
    }
    None
}

impl<'a> Tree<'a> {
    /// Each node's position by its key.
    pub(crate) fn index(&self) -> HashMap<&str, usize> {
        let mut index = HashMap::with_capacity(self.nodes.len());
        for (i, n) in self.nodes.iter().enumerate() {
            index.insert(n.key.as_ref(), i);
        }
        index
    }

    /// Resolve `dep` from the entry at `from` as Node does, following links.
    fn resolve(&self, index: &HashMap<&str, usize>, from: &str, dep: &str) -> Option<usize> {
        if self.layout == Resolution::Bun {
            return resolve_bun(index, from, dep);
        }
        let mut base = from;
        let mut cand = String::with_capacity(from.len() + dep.len() + 16);
        loop {
            if !(base == "node_modules" || base.ends_with("/node_modules")) {
                cand.clear();
                if !base.is_empty() {
                    cand.push_str(base);
                    cand.push('/');
                }
                cand.push_str("node_modules/");
                cand.push_str(dep);
                if let Some(&i) = index.get(cand.as_str()) {
                    return match &self.nodes[i].kind {
                        NodeKind::Link(target) => index.get(target.as_str()).copied(),
                        _ => Some(i),
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
        let index = self.index();
        // Resolve every dependency to a node: the edges of node `i` are
        // `edge_to[edge_start[i]..edge_start[i + 1]]` (one list for the whole tree).
        let mut edge_start: Vec<usize> = Vec::with_capacity(self.nodes.len() + 1);
        let mut edge_to: Vec<(usize, DepKind)> = Vec::new();
        let mut url_requested = vec![false; self.nodes.len()];
        for n in &self.nodes {
            edge_start.push(edge_to.len());
            if !matches!(n.kind, NodeKind::Link(_)) {
                for dep in &n.deps {
                    if let Some(t) = self.resolve(&index, &n.key, &dep.name) {
                        if dep.url {
                            url_requested[t] = true;
                        }
                        edge_to.push((t, dep.kind));
                    }
                }
            }
        }
        edge_start.push(edge_to.len());
        let node_edges = |i: usize| &edge_to[edge_start[i]..edge_start[i + 1]];
        drop(index);
        // The edges are resolved: free the dependency lists (the tree's largest part
        // after the text on a large lockfile) before the packages are built, and the
        // keys too unless a lockfile without roots needs them (`v1_root`).
        let keep_keys = !(self.nodes.iter()).any(|n| matches!(n.kind, NodeKind::Root));
        for n in &mut self.nodes {
            n.deps = Vec::new();
            if !keep_keys {
                n.key = Cow::Borrowed("");
            }
        }
        // A registry tarball that a manifest asked for by URL is a URL dependency.
        for (i, n) in self.nodes.iter_mut().enumerate() {
            if url_requested[i]
                && let (Source::Registry(_), NodeKind::Package) = (&n.source, &n.kind)
            {
                let url = match &n.resolved {
                    Some(r) => r.to_string(),
                    None => format!(
                        "{NPMJS}/{}/-/{}-{}.tgz",
                        n.name,
                        n.name.rsplit('/').next().unwrap_or(&n.name),
                        n.version
                    ),
                };
                n.source = Source::Url(url);
            }
        }
        // One package per distinct (name, version, source): `first[p]` is the first
        // node of package `p`.
        let count = (self.nodes.iter())
            .filter(|n| matches!(n.kind, NodeKind::Package))
            .count();
        let mut first: Vec<usize> = Vec::with_capacity(count);
        let mut pkg_of: Vec<Option<usize>> = vec![None; self.nodes.len()];
        let mut by_id: HashMap<(&str, &str, &Source), usize> = HashMap::with_capacity(count);
        let mut flags: Vec<(bool, bool)> = Vec::with_capacity(count);
        for (i, n) in self.nodes.iter().enumerate() {
            if !matches!(n.kind, NodeKind::Package) {
                continue;
            }
            let p = *by_id
                .entry((n.name.as_str(), n.version.as_str(), &n.source))
                .or_insert_with(|| {
                    first.push(i);
                    flags.push((true, true));
                    first.len() - 1
                });
            flags[p].0 &= n.dev;
            flags[p].1 &= n.optional;
            pkg_of[i] = Some(p);
        }
        drop(by_id);
        // The package takes its name, version and source from its first node (the
        // other nodes of the package no longer need theirs).
        let mut packages: Vec<Package> = Vec::with_capacity(first.len());
        for i in first {
            let n = &mut self.nodes[i];
            let source = std::mem::replace(&mut n.source, Source::Registry(None));
            let (name, version) = (std::mem::take(&mut n.name), std::mem::take(&mut n.version));
            let mut p = Package::new(Ecosystem::Npm, name, version, source, ctx.display, n.line);
            p.install_script = n.install_script;
            packages.push(p);
        }
        // Every hash of every install of the version.
        for (n, p) in self.nodes.iter_mut().zip(&pkg_of) {
            let Some(pkg) = p.and_then(|p| packages.get_mut(p)) else {
                continue;
            };
            if let Some(r) =
                (n.resolved).take_if(|r| r.starts_with("https://") || r.starts_with("http://"))
            {
                pkg.artifacts.push(super::Artifact::new(
                    Some(r.into_owned()),
                    n.hashes.clone(),
                    n.line,
                ));
            }
            // Two installs of one version: a script either says is there.
            pkg.install_script = match (pkg.install_script, n.install_script) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            };
            if pkg.hashes.is_empty() {
                pkg.hashes = std::mem::take(&mut n.hashes).into();
            } else if n.hashes.iter().any(|h| !pkg.hashes.contains(h)) {
                pkg.hashes.append(&mut n.hashes);
                pkg.hashes.sort();
                pkg.hashes.dedup();
            }
        }
        // Edges between packages, and the roots.
        let mut edges: Vec<Vec<usize>> = vec![Vec::new(); packages.len()];
        let mut roots: Vec<Root> = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            match n.kind {
                NodeKind::Package => {
                    if let Some(p) = pkg_of[i] {
                        for &(t, _) in node_edges(i) {
                            if let Some(q) = pkg_of[t]
                                && q != p
                                && !edges[p].contains(&q)
                            {
                                edges[p].push(q);
                            }
                        }
                    }
                }
                NodeKind::Root => {
                    let mut root = Root {
                        label: n.name.clone(),
                        ..Root::default()
                    };
                    for &(t, kind) in node_edges(i) {
                        let Some(q) = pkg_of[t] else { continue };
                        match kind {
                            DepKind::Prod | DepKind::Peer => root.deps.push(q),
                            DepKind::Optional => root.optional_deps.push(q),
                            DepKind::Dev => root.dev_deps.push(q),
                        }
                    }
                    roots.push(root);
                }
                NodeKind::Link(_) => {}
            }
        }
        if roots.is_empty() {
            roots.push(self.v1_root(ctx, &pkg_of, &flags));
        }
        // The install tree is done with: free it before the paths are computed.
        self.nodes = Vec::new();
        drop((edge_start, edge_to, pkg_of));
        let labels: Vec<String> = packages.iter().map(|p| p.name.to_string()).collect();
        let reach = graph::shortest_paths_owned(labels, &edges, &roots);
        for (i, (p, r)) in packages.iter_mut().zip(reach).enumerate() {
            // The graph has no optional edges below the roots (`a` -> optional `b`);
            // npm's own `optional` flag (on every install of the version) covers them.
            p.optional = r.optional || (r.path.len() > 1 && !r.dev && flags[i].1);
            p.path = r.path;
            p.direct = r.direct;
            p.dev = r.dev;
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
        let top_level: HashMap<&str, usize> = self
            .nodes
            .iter()
            .enumerate()
            .filter_map(|(i, n)| {
                let name = n.key.strip_prefix("node_modules/")?;
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
    fn lines_of_keys_in_one_pass() {
        let t = "{\n \"packages\": {\n  \"\": {\"a\": [1, {\"b\": 2}]},\n  \"node_modules/x\": {\n  \"v\": \"}\\\"{\"\n }\n }\n}";
        assert_eq!(key_lines(t, Layout::Packages), vec![3, 4]);
        let v1 = "{\"dependencies\": {\n\"a\": {\"dependencies\": {\n\"b\": {}}},\n\"c\": {\"requires\": {\"x\": \"1\"}}}}";
        assert_eq!(key_lines(v1, Layout::NpmV1), vec![2, 3, 4]);
    }
}
