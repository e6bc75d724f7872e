//! Bun's text lockfile, `bun.lock`.
//!
//! The file is JSONC: JSON plus comments and trailing commas. Versions read:
//! `lockfileVersion` 0 (bun 1.1.39 to 1.2.x with `--save-text-lockfile`), 1 (bun 1.2 and
//! 1.3) and 2 (bun 1.4, with a top-level `configVersion`: the entries have the same
//! shape as version 1; `configVersion` records which install defaults the project was
//! created with and is not read). Any other version, a missing one or one that is not a
//! number is a [`ParseError`]. The binary `bun.lockb` is refused in [`super::parse_file`].
//!
//! Reading: [`strip_jsonc`] blanks comments and trailing commas in one pass, keeping
//! every byte offset and line (so errors and entry lines stay exact), then serde_json
//! parses the result with its recursion limit. This avoids a JSONC crate that builds a
//! generic value tree (jsonc-parser, json5) and keeps the typed, borrowing parse.
//!
//! What is read, and where from:
//! - roots: `workspaces` — `""` is the project, other keys are workspace members
//!   (their `name` is their label). Their `dependencies`, `devDependencies`,
//!   `optionalDependencies` and `peerDependencies` are the roots' edges.
//! - packages: `packages`, keyed by install path (`a/b` is `b` installed under `a`),
//!   each an array whose first element is `name@resolution`:
//!   - registry: `["name@1.2.3", "<registry or empty>", {info}, "sha512-..."]`,
//!     [`Source::Registry`] (`None` for the default registry);
//!   - `name@workspace:<path>`: a workspace member, a root, not a package;
//!   - `name@file:<path>` / `name@link:<path>`: [`Source::Path`]; the version comes from
//!     that directory's `package.json` when it can be read, else it is the resolution;
//!   - `name@https://...tgz`: [`Source::Url`], version from the file name,
//!     `[res, {info}, "sha512-..."]` (older bun writes no integrity);
//!   - `name@github:...#sha`, `name@git+...#sha`: [`Source::Git`], version = the commit,
//!     `[res, {info}, "<bun tag>"]` (the tag is not a hash).
//!
//!   Anything else, or an element of the wrong type, is a [`ParseError`].
//! - hashes: the integrity string (SRI). A version installed under several keys is one
//!   record, with the line of its first key.
//! - paths: bun resolves `d` from `a/b` as `a/b/d`, then `a/d`, then `d`; workspace
//!   members resolve from their package name. Optional peers (`optionalPeers`) are not
//!   edges.
//!
//! Not verified: hashes against tarballs, that versions satisfy the ranges asking for
//! them, `trustedDependencies`, `overrides`, `patchedDependencies` and catalogs.

use super::json_stream::{Lines, TextLines};
use super::npm_tree::{
    self as npm, DepKind, DepMaps, InstallTree, Layout, Node, OrderedMap, Resolution, Str,
};
use super::{Context, Lockfile, ParseError, Source};
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// The `bun` format: its file names, ecosystem, regenerate hint and parser.
pub static FORMAT: super::Format =
    super::Format::new("bun", module_path!(), super::Ecosystem::Npm, parse)
        .files(&["bun.lock"], |name, _| name == "bun.lock")
        .hint("regenerate it with `bun install --lockfile-only` (or restore it from git)");

/// `bun.lockb`, Bun's binary lockfile: recognised so that it is never skipped in
/// silence, and always refused.
pub static BINARY_FORMAT: super::Format = super::Format::new(
    "bun-lockb",
    module_path!(),
    super::Ecosystem::Npm,
    parse,
)
.files(&[], |name, _| name == "bun.lockb")
.hint("convert it to the text format with `bun install --save-text-lockfile`, then commit bun.lock")
.refuse("bun.lockb is Bun's binary lockfile, which lockgate cannot read");

/// Parse the text of a `bun.lock`.
pub fn parse(ctx: &Context<'_>, text: &str) -> Result<Lockfile, ParseError> {
    let json =
        strip_jsonc(text).map_err(|line| ctx.error(Some(line), "unterminated /* comment"))?;
    let (version, workspaces, packages, earlier_entries) = read_document(ctx, &json)?;
    let lines = entry_lines(&json, &packages);
    // A second `packages` object after a non-empty first one: the keys in the text
    // are not the entries read (the last object's).
    if earlier_entries > 0 || lines.len() != packages.0.len() {
        return Err(ctx.error(None, "could not locate every `packages` entry in the text"));
    }
    // Each node goes into the compact install tree as soon as it is made.
    let mut tree = InstallTree::new(Resolution::Bun);
    let mut root_name = None;
    each_node(ctx, workspaces, packages, &lines, &mut root_name, |node| {
        tree.push(ctx, node)
    })?;
    tree.root_name = root_name;
    tree.finish(ctx, format!("bun-v{version}"))
}

/// What serde_json reads of the blanked text `json`: the version, the workspaces,
/// the (last) `packages` object and how many entries the ones before it had.
type Document<'j> = (
    u64,
    OrderedMap<'j, Workspace<'j>>,
    OrderedMap<'j, Vec<Elem<'j>>>,
    usize,
);

/// Read [`Document`] from `json`; a JSON error, or no version or workspaces, is an error.
fn read_document<'j>(ctx: &Context<'_>, json: &'j str) -> Result<Document<'j>, ParseError> {
    let lock: BunLock<'_> =
        serde_json::from_str(json).map_err(|e| npm::json_error(ctx, &e, json))?;
    let version = lock
        .version
        .ok_or_else(|| ctx.error(Some(1), "no `lockfileVersion`: not a bun.lock"))?;
    let workspaces = lock
        .workspaces
        .ok_or_else(|| ctx.error(Some(1), "no `workspaces`: bun.lock always has one"))?;
    let packages = lock.packages.unwrap_or_default();
    Ok((version, workspaces, packages, lock.earlier_entries))
}

/// Make each node of the install tree, in order (the roots, then the `packages`
/// entries, each on its line in `lines`), and hand it to `push`; `root_name` is the
/// project's `name`. The first entry that fails is the error.
fn each_node<'a>(
    ctx: &Context<'_>,
    workspaces: OrderedMap<'a, Workspace<'a>>,
    packages: OrderedMap<'a, Vec<Elem<'a>>>,
    lines: &[usize],
    root_name: &mut Option<String>,
    mut push: impl FnMut(Node<'a>),
) -> Result<(), ParseError> {
    if !workspaces.0.iter().any(|(k, _)| k.is_empty()) {
        return Err(ctx.error(Some(1), "`workspaces` has no root entry `\"\"`"));
    }
    for (key, ws) in workspaces.0 {
        if key.is_empty() {
            *root_name = ws.name.as_ref().map(|n| n.0.to_string());
        }
        push(workspace_node(ctx, key, ws));
    }
    let mut seen: crate::model::FastMap<Cow<'_, str>, usize> =
        crate::model::FastMap::with_capacity_and_hasher(packages.0.len(), Default::default());
    for ((key, entry), &line) in packages.0.into_iter().zip(lines) {
        if let Some(first) = seen.insert(key.clone(), line) {
            return Err(ctx.error(
                Some(line),
                format!("`packages` has the key `{key}` twice (first on line {first})"),
            ));
        }
        if let Some(node) = package_node(ctx, key, entry, line)? {
            push(node);
        }
    }
    Ok(())
}

/// The root node of the `workspaces` entry `key`: the project (`""`) or a member.
fn workspace_node<'a>(ctx: &Context<'_>, key: Cow<'a, str>, ws: Workspace<'a>) -> Node<'a> {
    let label = match (&ws.name, key.is_empty()) {
        (Some(n), _) => n.0.to_string(),
        (None, true) => ctx.root_label(),
        (None, false) => key.to_string(),
    };
    // Members resolve their own nested installs under their package name.
    let node_key: Cow<'_, str> = match (&ws.name, key.is_empty()) {
        (_, true) => Cow::Borrowed(""),
        (Some(n), false) => Cow::Owned(n.0.to_string()),
        (None, false) => key.clone(),
    };
    let deps = ws.deps.into_deps(
        &[
            DepKind::Prod,
            DepKind::Peer,
            DepKind::Optional,
            DepKind::Dev,
        ],
        |_| false,
    );
    let version = ws.version.map(|v| v.0.into_owned()).unwrap_or_default();
    let path = key.into_owned();
    Node::root(node_key, label, version, path, 1, deps)
}

/// The 1-based line of each `packages` key, found from where serde_json borrowed it
/// in `json` (the keys are in file order, so the newlines are counted once); when a
/// key has escapes (serde_json then gives a copy), a scan of the whole text.
fn entry_lines(json: &str, packages: &OrderedMap<'_, Vec<Elem<'_>>>) -> Vec<usize> {
    let text = TextLines::new(json);
    let lines: Vec<usize> = (packages.0.iter())
        .map(|(key, _)| Lines::Text(&text).of(key))
        .collect();
    if text.lost() {
        return npm::key_lines(json, Layout::Packages);
    }
    lines
}

/// One `packages` entry as a node of the install tree; `None` for workspace members.
fn package_node<'a>(
    ctx: &Context<'_>,
    key: Cow<'a, str>,
    entry: Vec<Elem<'a>>,
    line: usize,
) -> Result<Option<Node<'a>>, ParseError> {
    let err = |msg: String| ctx.error(Some(line), format!("`{key}`: {msg}"));
    let mut elems = entry.into_iter();
    let res = match elems.next() {
        Some(Elem::S(s)) => s,
        Some(Elem::Info(_)) => return Err(err("first element must be \"name@version\"".into())),
        None => return Err(err("empty entry".into())),
    };
    let at = res
        .get(1..)
        .and_then(|s| s.find('@'))
        .map(|i| i + 1)
        .ok_or_else(|| err(format!("`{res}` is not \"name@version\"")))?;
    let name = res[..at].to_string();
    let spec = &res[at + 1..];
    if name.is_empty() || spec.is_empty() {
        return Err(err(format!("`{res}` is not \"name@version\"")));
    }
    let rest: Vec<Elem<'a>> = elems.collect();
    // The expected shape for each kind of resolution: which positions hold what.
    enum Shape {
        Registry,
        NoHash,
        Tarball,
        Git,
    }
    let (shape, version, source) = if spec.starts_with("workspace:") {
        if rest.len() > 1 || matches!(rest.first(), Some(Elem::S(_))) {
            return Err(err(
                "unexpected elements after a workspace resolution".into()
            ));
        }
        return Ok(None);
    } else if let Some(path) = spec
        .strip_prefix("file:")
        .or_else(|| spec.strip_prefix("link:"))
    {
        let version = npm::read_manifest(&ctx.dir().join(path))
            .and_then(|m| m.version)
            .unwrap_or_else(|| spec.to_string());
        (Shape::NoHash, version, Source::Path(path.to_string()))
    } else if npm::is_git(spec) {
        let (url, rev) = match spec.split_once('#') {
            Some((u, r)) => (u.to_string(), Some(r.to_string())),
            None => (spec.to_string(), None),
        };
        let version = rev.clone().unwrap_or_else(|| spec.to_string());
        (
            Shape::Git,
            version,
            Source::Git {
                url,
                rev: rev.map(Into::into),
            },
        )
    } else if spec.starts_with("https://") || spec.starts_with("http://") {
        let version = npm::tarball_version(spec, &name)
            .unwrap_or(spec)
            .to_string();
        (Shape::Tarball, version, Source::Url(spec.to_string()))
    } else if spec.contains(':') || spec.contains('/') {
        return Err(err(format!(
            "resolution `{spec}` is not one lockgate knows"
        )));
    } else {
        (Shape::Registry, spec.to_string(), Source::Registry(None))
    };
    let mut source = source;
    let mut info: Option<Info<'a>> = None;
    // The URL bun downloads the tarball from, when the lockfile names one.
    let mut tarball = None;
    let mut integrity: Option<Cow<'a, str>> = None;
    let mut it = rest.into_iter();
    match shape {
        Shape::Registry => {
            match it.next() {
                Some(Elem::S(reg)) if !reg.is_empty() => {
                    source = registry_source(&reg, &name, spec);
                    if (reg.starts_with("https://") || reg.starts_with("http://"))
                        && reg
                            .split(['?', '#'])
                            .next()
                            .is_some_and(|u| u.ends_with(".tgz"))
                    {
                        tarball = Some(reg);
                    }
                }
                Some(Elem::S(_)) => {}
                None => {}
                Some(Elem::Info(_)) => {
                    return Err(err("second element must be the registry (a string)".into()));
                }
            }
            match it.next() {
                Some(Elem::Info(i)) => info = Some(i),
                None => {}
                Some(Elem::S(_)) => return Err(err("third element must be an object".into())),
            }
            match it.next() {
                Some(Elem::S(s)) => integrity = Some(s),
                None => {}
                Some(Elem::Info(_)) => {
                    return Err(err("fourth element must be the integrity (a string)".into()));
                }
            }
        }
        Shape::NoHash | Shape::Tarball | Shape::Git => {
            match it.next() {
                Some(Elem::Info(i)) => info = Some(i),
                None => {}
                Some(Elem::S(_)) => return Err(err("second element must be an object".into())),
            }
            match (shape, it.next()) {
                (_, None) => {}
                (Shape::Tarball, Some(Elem::S(s))) => integrity = Some(s),
                // bun's own tag for the checkout, not a digest.
                (Shape::Git, Some(Elem::S(_))) => {}
                _ => return Err(err("unexpected third element".into())),
            }
        }
    }
    if it.next().is_some() {
        return Err(err("too many elements".into()));
    }
    let hashes = npm::parse_hashes(ctx, line, &key, integrity.as_deref())?;
    let deps = match info {
        Some(info) => {
            let optional_peers = info.optional_peers;
            info.deps
                .into_deps(&[DepKind::Prod, DepKind::Optional, DepKind::Peer], |n| {
                    optional_peers.iter().any(|p| p.0 == n)
                })
        }
        None => Vec::new(),
    };
    Ok(Some(Node {
        hashes,
        deps,
        ..Node::package(key, name, version, source, tarball, line)
    }))
}

/// The source a non-empty registry element names.
fn registry_source(reg: &str, name: &str, version: &str) -> Source {
    match npm::source_of(reg, name, version) {
        // A full tarball URL on a registry.
        Some(src @ Source::Registry(_)) => src,
        // A registry base URL.
        _ => {
            let base = reg.trim_end_matches('/');
            if base == "https://registry.npmjs.org" {
                Source::Registry(None)
            } else {
                Source::Registry(Some(base.to_string()))
            }
        }
    }
}

// ---------------------------------------------------------------------------
// JSONC

/// Blank out `//` and `/* */` comments and trailing commas (before `}` or `]`) with
/// spaces, keeping newlines, so that every byte offset and line is unchanged.
///
/// On an unterminated block comment, the 1-based line where it starts (a newline
/// escaped inside a string does not count, as serde_json does not count it).
///
/// The scan steps byte by byte between strings (the bytes there are few and most
/// matter) and jumps inside a string from one `"` or `\\` to the next (memchr);
/// lines are counted only when a comment is unterminated.
pub fn strip_jsonc(text: &str) -> Result<String, usize> {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    // Newlines right after a `\\` in a string, which the line count leaves out.
    let mut escaped_newlines = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                // To the closing quote (or the end), stepping over escapes.
                loop {
                    let quote_or_escape = b
                        .get(i..)
                        .and_then(|rest| memchr::memchr2(b'"', b'\\', rest))
                        .map(|p| i + p);
                    match quote_or_escape {
                        Some(q) if b[q] == b'\\' => {
                            if b.get(q + 1) == Some(&b'\n') {
                                escaped_newlines += 1;
                            }
                            i = q + 2;
                        }
                        Some(q) => {
                            i = q;
                            break;
                        }
                        None => {
                            i = b.len();
                            break;
                        }
                    }
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    out[i] = b' ';
                    i += 1;
                }
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let Some(end) = text
                    .get(i + 2..)
                    .and_then(|t| t.find("*/"))
                    .map(|p| i + 2 + p + 2)
                else {
                    let newlines = b[..i].iter().filter(|&&c| c == b'\n').count();
                    return Err(1 + newlines - escaped_newlines);
                };
                for k in i..end {
                    if b[k] != b'\n' {
                        out[k] = b' ';
                    }
                }
                i = end;
                continue;
            }
            b',' => {
                if matches!(b.get(skip_insignificant(text, i + 1)), Some(b'}' | b']')) {
                    out[i] = b' ';
                }
            }
            _ => {}
        }
        i += 1;
    }
    // Only ASCII bytes outside strings were replaced by ASCII spaces.
    String::from_utf8(out).map_err(|_| 1)
}

/// From `j`, skip white space and comments: the index of the next significant byte
/// (the end of the text inside an unterminated block comment).
fn skip_insignificant(text: &str, mut j: usize) -> usize {
    let b = text.as_bytes();
    loop {
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if b.get(j) == Some(&b'/') && b.get(j + 1) == Some(&b'/') {
            while j < b.len() && b[j] != b'\n' {
                j += 1;
            }
        } else if b.get(j) == Some(&b'/') && b.get(j + 1) == Some(&b'*') {
            match text.get(j + 2..).and_then(|t| t.find("*/")) {
                Some(p) => j = j + 2 + p + 2,
                None => return b.len(),
            }
        } else {
            return j;
        }
    }
}

// ---------------------------------------------------------------------------
// Deserialization

#[derive(Default)]
struct BunLock<'a> {
    version: Option<u64>,
    workspaces: Option<OrderedMap<'a, Workspace<'a>>>,
    packages: Option<OrderedMap<'a, Vec<Elem<'a>>>>,
    /// Entries of the `packages` objects before the last one (a key repeated).
    earlier_entries: usize,
}

npm::deserialize_by_fields!(BunLock, Workspace, Info);

impl<'de> npm::JsonObject<'de> for BunLock<'de> {
    const EXPECTING: &'static str = "a bun.lock (a JSON object)";
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "lockfileVersion" => {
                let v: serde_json::Value = map.next_value()?;
                self.version = Some(match v.as_u64() {
                    Some(n @ 0..=2) => n,
                    Some(n) => {
                        return Err(de::Error::custom(format!(
                            "lockfileVersion {n} is newer than lockgate knows (0-2)"
                        )));
                    }
                    None => {
                        return Err(de::Error::custom(format!(
                            "lockfileVersion {v} is not one lockgate knows (0-2)"
                        )));
                    }
                });
            }
            "workspaces" => self.workspaces = Some(map.next_value()?),
            "packages" => {
                let earlier = self.packages.replace(map.next_value()?);
                self.earlier_entries += earlier.map_or(0, |p| p.0.len());
            }
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// A `workspaces` entry.
#[derive(Default)]
struct Workspace<'a> {
    name: Option<Str<'a>>,
    version: Option<Str<'a>>,
    deps: DepMaps<'a>,
    /// `name` and `version` read so far ([`npm::first_time`]).
    seen: u16,
}

impl<'de> npm::JsonObject<'de> for Workspace<'de> {
    const EXPECTING: &'static str = "struct Workspace";
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        let (i, name, slot) = match key {
            "name" => (0, "name", &mut self.name),
            "version" => (1, "version", &mut self.version),
            _ => return self.deps.field(key, map),
        };
        npm::first_time(&mut self.seen, i, name)?;
        *slot = map.next_value()?;
        Ok(())
    }
}

/// The metadata object of a `packages` entry (its `devDependencies`, which bun
/// does not install, are not read).
#[derive(Default)]
struct Info<'a> {
    deps: DepMaps<'a>,
    optional_peers: Vec<Str<'a>>,
    /// `optionalPeers` read ([`npm::first_time`]).
    seen: u16,
}

impl<'de> npm::JsonObject<'de> for Info<'de> {
    const EXPECTING: &'static str = "struct Info";
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "optionalPeers" => {
                npm::first_time(&mut self.seen, 0, "optionalPeers")?;
                self.optional_peers = map.next_value()?;
            }
            "devDependencies" => {
                map.next_value::<IgnoredAny>()?;
            }
            _ => self.deps.field(key, map)?,
        }
        Ok(())
    }
}

/// One element of a `packages` array after the first: a string or the info object.
enum Elem<'a> {
    S(Cow<'a, str>),
    Info(Info<'a>),
}

impl<'de: 'a, 'a> Deserialize<'de> for Elem<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ElemVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for ElemVisitor<'a> {
            type Value = Elem<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an object")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Elem<'a>, E> {
                Ok(Elem::S(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Elem<'a>, E> {
                Ok(Elem::S(Cow::Owned(v.to_string())))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Elem<'a>, A::Error> {
                Info::deserialize(de::value::MapAccessDeserializer::new(map)).map(Elem::Info)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<Elem<'a>, A::Error> {
                Err(de::Error::invalid_type(de::Unexpected::Seq, &self))
            }
        }
        d.deserialize_any(ElemVisitor(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn parse_str(text: &str) -> Result<Lockfile, ParseError> {
        FORMAT.parse_at("/nonexistent/bun.lock", text)
    }

    /// The former byte-by-byte [`strip_jsonc`], kept as the oracle of its property test.
    /// Blank out `//` and `/* */` comments and trailing commas (before `}` or `]`) with
    /// spaces, keeping newlines, so that every byte offset and line is unchanged.
    ///
    /// On an unterminated block comment, the 1-based line where it starts.
    fn strip_jsonc_byte_by_byte(text: &str) -> Result<String, usize> {
        let b = text.as_bytes();
        let mut out = b.to_vec();
        let mut i = 0;
        let mut line = 1;
        while i < b.len() {
            match b[i] {
                b'\n' => line += 1,
                b'"' => {
                    i += 1;
                    while i < b.len() && b[i] != b'"' {
                        match b[i] {
                            b'\\' => i += 1,
                            b'\n' => line += 1,
                            _ => {}
                        }
                        i += 1;
                    }
                }
                b'/' if b.get(i + 1) == Some(&b'/') => {
                    let end = b[i..]
                        .iter()
                        .position(|&c| c == b'\n')
                        .map_or(b.len(), |p| i + p);
                    out[i..end].fill(b' ');
                    i = end;
                    continue;
                }
                b'/' if b.get(i + 1) == Some(&b'*') => {
                    let start_line = line;
                    let Some(end) = text
                        .get(i + 2..)
                        .and_then(|t| t.find("*/"))
                        .map(|p| i + 2 + p + 2)
                    else {
                        return Err(start_line);
                    };
                    line += b[i..end].iter().filter(|&&c| c == b'\n').count();
                    out[i..end]
                        .iter_mut()
                        .filter(|c| **c != b'\n')
                        .for_each(|c| *c = b' ');
                    i = end;
                    continue;
                }
                b',' if matches!(b.get(skip_insignificant(text, i + 1)), Some(b'}' | b']')) => {
                    out[i] = b' '
                }
                _ => {}
            }
            i += 1;
        }
        Ok(String::from_utf8(out).expect("only ASCII bytes were replaced"))
    }

    proptest::proptest! {
        /// The jumping scan blanks exactly what the byte-by-byte one did, and reports
        /// the same line for an unterminated comment (escaped newlines included).
        #[test]
        fn the_jumping_scan_equals_the_byte_by_byte_one(t in "[\"\\\\/*,\\]}\\n a{\\[é]{0,60}") {
            proptest::prop_assert_eq!(strip_jsonc(&t), strip_jsonc_byte_by_byte(&t));
        }
    }

    /// The reading before `bunfast` (lines by [`npm::key_lines`], a second scan of the
    /// text; a `Vec` of every node, then the install tree), kept as the oracle of
    /// [`parse`].
    fn parse_before(ctx: &Context<'_>, text: &str) -> Result<Lockfile, ParseError> {
        let json =
            strip_jsonc(text).map_err(|line| ctx.error(Some(line), "unterminated /* comment"))?;
        let (version, workspaces, packages, _) = read_document(ctx, &json)?;
        let lines = npm::key_lines(&json, Layout::Packages);
        if lines.len() != packages.0.len() {
            return Err(ctx.error(None, "could not locate every `packages` entry in the text"));
        }
        let mut nodes: Vec<Node<'_>> = Vec::new();
        let mut root_name = None;
        each_node(ctx, workspaces, packages, &lines, &mut root_name, |node| {
            nodes.push(node)
        })?;
        // What `npm_tree::Tree::finish` did with them.
        let mut tree = InstallTree::new(Resolution::Bun);
        tree.root_name = root_name;
        for node in nodes {
            tree.push(ctx, node);
        }
        tree.finish(ctx, format!("bun-v{version}"))
    }

    /// Every bun.lock under tests/fixtures (made by bun, hand-edited and malformed).
    fn bun_fixtures() -> Vec<(std::path::PathBuf, String)> {
        let files = crate::lockfile::test_support::fixture_files(&|name, path| {
            name == "bun.lock" && path.to_string_lossy().contains("/bun/")
        });
        assert!(files.len() >= 10, "{files:?}");
        (files.into_iter())
            .map(|f| {
                let text = std::fs::read_to_string(&f).unwrap();
                (f, text)
            })
            .collect()
    }

    /// `text` read by [`parse`] and by [`parse_before`] as the file `path`.
    fn both(path: &std::path::Path, text: &str) -> [Result<Lockfile, ParseError>; 2] {
        let ctx = Context {
            path,
            display: Path::new("bun.lock"),
        };
        [parse(&ctx, text), parse_before(&ctx, text)]
    }

    /// Variants of `text` that break it in every way a byte edit can: cut short,
    /// a byte dropped, a byte doubled, a quote or brace inserted, a key escaped (so
    /// that serde_json copies it and the lines are counted by a scan), a second
    /// `packages` object.
    fn mutations(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let b = text.as_bytes();
        let step = (b.len() / 41).max(1);
        for at in (0..b.len()).step_by(step) {
            out.push(String::from_utf8_lossy(&b[..at]).into_owned());
            let mut dropped = b.to_vec();
            dropped.remove(at);
            out.push(String::from_utf8_lossy(&dropped).into_owned());
            let mut doubled = b.to_vec();
            doubled.insert(at, b[at]);
            out.push(String::from_utf8_lossy(&doubled).into_owned());
            for extra in [b'"', b'{', b']', b','] {
                let mut inserted = b.to_vec();
                inserted.insert(at, extra);
                out.push(String::from_utf8_lossy(&inserted).into_owned());
            }
        }
        // Each key of `packages` escaped in turn (`"a` -> `"\u0061`).
        let start = text.find("\"packages\"").map_or(0, |p| p + 12);
        for (k, _) in text[start..].match_indices("\n    \"").take(40) {
            let at = start + k + 6;
            let c = text[at..].chars().next().unwrap();
            if c.is_ascii_alphanumeric() {
                let mut escaped = text.to_string();
                escaped.replace_range(at..at + 1, &format!("\\u{:04x}", c as u32));
                out.push(escaped);
            }
        }
        // A second `packages` object, empty or not, before or after the first.
        let top = text.find('{').map_or(0, |p| p + 1);
        for second in [
            "\"packages\": {},",
            "\"packages\": {\"x\": [\"x@1.0.0\", \"\", {}]},",
        ] {
            let mut before = text.to_string();
            before.insert_str(top, second);
            out.push(before);
            if let Some(end) = text.rfind('}') {
                let mut after = text.to_string();
                after.insert_str(end, &format!(",{}", second.trim_end_matches(',')));
                out.push(after);
            }
        }
        out
    }

    #[test]
    fn the_reading_equals_the_former_one_on_every_fixture_and_mutation() {
        let mut errors = 0;
        let mut read = 0;
        for (path, text) in bun_fixtures() {
            for t in std::iter::once(text.clone()).chain(mutations(&text)) {
                let [new, old] = both(&path, &t);
                assert_eq!(new, old, "{}: {t}", path.display());
                match new {
                    Ok(_) => read += 1,
                    Err(_) => errors += 1,
                }
            }
        }
        // Both outcomes are exercised.
        assert!(read > 50 && errors > 300, "read {read}, errors {errors}");
    }

    #[test]
    fn entry_lines_equal_the_scan_of_the_text() {
        let mut lost = 0;
        for (path, text) in bun_fixtures() {
            for t in std::iter::once(text.clone()).chain(mutations(&text)) {
                let Ok(json) = strip_jsonc(&t) else { continue };
                let Ok(lock) = serde_json::from_str::<BunLock<'_>>(&json) else {
                    continue;
                };
                let packages = lock.packages.unwrap_or_default();
                let scan = npm::key_lines(&json, Layout::Packages);
                if lock.earlier_entries > 0 {
                    assert_ne!(scan.len(), packages.0.len(), "{}: {t}", path.display());
                    continue;
                }
                let text_lines = TextLines::new(&json);
                for (key, _) in &packages.0 {
                    Lines::Text(&text_lines).of(key);
                }
                lost += usize::from(text_lines.lost());
                assert_eq!(
                    entry_lines(&json, &packages),
                    scan,
                    "{}: {t}",
                    path.display()
                );
            }
        }
        // The escaped keys took the scan.
        assert!(lost > 10, "{lost}");
    }

    #[test]
    fn jsonc_is_blanked_in_place() {
        let t = "{\n // c \"x\",\n \"a\": [1, 2,], /* b\n */ \"s\": \"//,]\",\n}";
        let s = strip_jsonc(t).unwrap();
        assert_eq!(s.len(), t.len());
        assert_eq!(s.lines().count(), t.lines().count());
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["s"], "//,]");
        assert_eq!(strip_jsonc("{\n/* open"), Err(2));
    }

    #[test]
    fn nested_keys_resolve_up_the_tree() {
        let t = r#"{
  "lockfileVersion": 1,
  "workspaces": { "": { "name": "app", "dependencies": { "a": "1", "b": "1", }, }, },
  "packages": {
    "a": ["a@1.0.0", "", { "dependencies": { "c": "1" } }, "sha512-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="],
    "b": ["b@1.0.0", "", { "dependencies": { "c": "2" } }],
    "c": ["c@2.0.0", "", {}],
    "a/c": ["c@1.0.0", "", {}],
  },
}"#;
        let lf = parse_str(t).unwrap();
        assert_eq!(lf.format, "bun-v1");
        let c1 = lf
            .packages
            .iter()
            .find(|p| p.version == "1.0.0" && p.name == "c")
            .unwrap();
        assert_eq!(c1.path, vec!["app", "a", "c"]);
        assert_eq!(c1.line, 8);
        let c2 = lf.packages.iter().find(|p| p.version == "2.0.0").unwrap();
        assert_eq!(c2.path, vec!["app", "b", "c"]);
        assert_eq!(lf.packages[0].hashes.len(), 1);
    }

    #[test]
    fn bad_versions_and_shapes() {
        let e = parse_str("{\n\"lockfileVersion\": 3,\n\"workspaces\": {}}").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(
            e.message
                .contains("lockfileVersion 3 is newer than lockgate knows (0-2)"),
            "{e}"
        );
        let e = parse_str("{\"lockfileVersion\": 1, \"workspaces\": {\"\": {}},\n\"packages\": {\n\"a\": [\"a@1.0.0\", {}]}}")
            .unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
    }
}
