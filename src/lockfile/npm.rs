//! npm's own lockfiles: `package-lock.json` and `npm-shrinkwrap.json`.
//!
//! Versions: `lockfileVersion` 1 (written by npm 5 and 6: a nested `dependencies` tree
//! with `requires`), 2 (npm 7 and 8: both `packages` and the v1 tree) and 3 (npm 9 and
//! later: `packages` only) are all read. A file with no version, a `dependencies` tree
//! and no `packages` (npm 3 and 4 shrinkwraps) is version 1, as npm reads it. Any other
//! version, a missing one or one that is not a number is a [`ParseError`].
//!
//! Which section: like npm 7 and later (arborist's `Shrinkwrap.load`), `packages` is
//! read whenever it is present, whatever `lockfileVersion` says; `dependencies` only
//! when there is no `packages`. A file with both is checked entry by entry: an install
//! path that `dependencies` has and `packages` lacks, or another version, `resolved`
//! or `integrity` for the same path, refuses the file (npm 6 would install from
//! `dependencies` what lockgate did not read). npm 6's `"resolved": false` (bundled
//! dependencies) is read as no `resolved`. A local folder whose package.json has no
//! `version` (npm 9+ writes its entry without one) is a [`Source::Path`] package with
//! an empty version, as `npm ls` shows it (`name@`).
//!
//! What is read, and where from:
//! - packages: each `packages` entry keyed by its install path (`node_modules/a`,
//!   `node_modules/a/node_modules/b`, ...). The root project (key `""`) and workspace
//!   members (entries outside `node_modules/` that the root's `workspaces` globs
//!   match, pointed at by `"link": true` entries) are the roots of the graph, not
//!   packages. Other linked directories (`file:` dependencies) are packages with a
//!   [`Source::Path`]. A version installed at several paths is one record, with the
//!   line of its first entry. The name is the entry's `name` (set for `npm:` aliases),
//!   else the part of the key after the last `node_modules/`.
//! - hashes: `integrity` (Subresource Integrity, possibly several tokens).
//! - source: from `resolved`: a registry tarball URL (`<registry>/<name>/-/<file>.tgz`)
//!   is [`Source::Registry`] (`None` for registry.npmjs.org), `git+`/`github:`/... is
//!   [`Source::Git`], `file:` is [`Source::Path`], another http(s) URL, or a registry
//!   tarball that a manifest asked for by URL, is [`Source::Url`]. An entry without
//!   `resolved` (npm's `omit-lockfile-registry-resolved`, bundled dependencies) is from
//!   the default registry.
//! - lines: the file is read as a stream, never held whole; the line of each entry
//!   is the line of its key, counted as the bytes are read. A file the stream cannot
//!   read (malformed JSON, bytes that are not UTF-8) is read again as text, and that
//!   reading's error (file:line) is the one reported.
//! - paths: Node's module resolution over the install paths (a dependency `d` of the
//!   package at `node_modules/a` is `node_modules/a/node_modules/d` if present, else
//!   the same one level up, ..., else `node_modules/d`), following `dependencies`,
//!   `optionalDependencies` and installed `peerDependencies`, plus the roots'
//!   `devDependencies`. Version 1 has no root entry: its direct dependencies come from
//!   the `package.json` beside the lockfile, or, when that cannot be read, every
//!   top-level entry counts as direct (dev/optional from its own flags).
//!
//! Not verified: that the hashes match the tarballs, that `version` satisfies the
//! ranges that ask for it, and the `requires` of a `dependencies` tree that sits beside
//! `packages`.

use super::json_stream::{
    BLOCK, Chunks, FileSource, LineReader, Lines, Parsed, TextLines, first_value,
};
use super::npm_tree::{
    Dep, DepKind, DepMaps, InstallTree, JsonObject, Node, NodeKind, ObjectSeed, OrderedMap,
    Resolution, Seed, Spec, Str, deserialize_by_fields, first_time, is_git, json_error,
    parse_hashes, read_manifest, source_of, tarball_version,
};
use super::{Context, Hash, Lockfile, ParseError, Source};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess};
use std::borrow::Cow;
use std::cell::Cell;
use std::collections::HashMap;
use std::io::Read;

/// The `npm` format: its file names, ecosystem, regenerate hint and parser.
pub static FORMAT: super::Format =
    super::Format::new("npm", module_path!(), super::Ecosystem::Npm, parse)
        .files(&["package-lock.json", "npm-shrinkwrap.json"], |name, _| {
            matches!(name, "package-lock.json" | "npm-shrinkwrap.json")
        })
        .hint("regenerate it with `npm install --package-lock-only` (or restore it from git)")
        .with_stream(stream);

/// Parse the text of a `package-lock.json` or `npm-shrinkwrap.json`.
pub fn parse(ctx: &Context<'_>, text: &str) -> Result<Lockfile, ParseError> {
    let lines = TextLines::new(text);
    let mut result = read(
        ctx,
        serde_json::Deserializer::from_str(text),
        Lines::Text(&lines),
    );
    if lines.lost() {
        // A key with escapes is not borrowed from the text: count the lines instead.
        let newlines = Cell::new(0);
        let reader = LineReader::new(text.as_bytes(), &newlines);
        let lines = reader.lines();
        result = read(ctx, serde_json::Deserializer::from_reader(reader), lines);
    }
    result.map_err(|failure| match failure {
        Failure::Json(e) => json_error(ctx, &e, text),
        Failure::Lockfile(e) => e,
    })
}

/// Read a `package-lock.json` or `npm-shrinkwrap.json` from `file` (at most `limit`
/// bytes) without holding its text: what [`parse`] reads from the same bytes, or
/// `None` when the file cannot be read so (then the caller reads it as text, which
/// gives the exact error, or reads what the file has become).
///
/// The file is read in blocks ([`Chunks`]): the top-level object and the `packages`
/// object are walked here, and each value in them is parsed in place by serde_json
/// with the same types as [`parse`] uses. Anything that [`parse`] would refuse, and
/// anything this walk is not sure of, is `None`.
pub fn stream(ctx: &Context<'_>, file: &mut dyn Read, limit: u64) -> Option<Lockfile> {
    // A streamed lockfile is a large one: the allocator may return freed memory at
    // once from now on (`model::memory`).
    crate::model::memory::large_input();
    stream_in_blocks(ctx, file, limit, BLOCK)
}

/// [`stream`], reading `block` bytes at a time.
fn stream_in_blocks(
    ctx: &Context<'_>,
    file: &mut dyn Read,
    limit: u64,
    block: usize,
) -> Option<Lockfile> {
    let mut src = Chunks::new(FileSource::new(file, limit), block);
    let lock = read_chunks(ctx, &mut src)?;
    (src.source().bytes_read() <= limit).then_some(lock)
}

/// [`stream`]'s walk of the document in `src`.
fn read_chunks<R: Read>(ctx: &Context<'_>, src: &mut Chunks<R>) -> Option<Lockfile> {
    // The lines of `packages` keys come from `src`, not from the reader's visitor.
    let unused = Cell::new(0);
    let mut packages = PackagesReader::new(ctx, Lines::Counted(&unused));
    let mut top = Top::default();
    // Each `dependencies` value (npm keeps the last), with the line it starts on.
    let mut v1_texts: Vec<(String, usize)> = Vec::new();
    if !src.eat(b'{') {
        return None;
    }
    if !src.eat(b'}') {
        loop {
            src.peek()?;
            let key = src.value(|b, eof| first_value::<String>(b, eof, 0))?;
            if !src.eat(b':') {
                return None;
            }
            src.peek()?;
            match key.as_str() {
                "packages" => {
                    packages.start_object();
                    read_packages_chunks(src, &mut packages)?;
                    top.packages = true;
                }
                "lockfileVersion" => {
                    let v = src.value(|b, eof| first_value::<serde_json::Value>(b, eof, 1))?;
                    top.version = Some(check_version(&v).ok()?);
                }
                "name" => {
                    let name = src.value(|b, eof| first_value::<Option<String>>(b, eof, 1))?;
                    top.name = name.map(|n| Str(Cow::Owned(n)));
                }
                "dependencies" => {
                    let line = src.line();
                    let text = src.value(|b, eof| match first_value::<IgnoredAny>(b, eof, 1) {
                        Parsed::Done(_, n) => match std::str::from_utf8(&b[..n]) {
                            Ok(text) => Parsed::Done(text.to_string(), n),
                            Err(_) => Parsed::Bad,
                        },
                        Parsed::More => Parsed::More,
                        Parsed::Bad => Parsed::Bad,
                    })?;
                    v1_texts.push((text, line));
                }
                _ => {
                    src.value(|b, eof| first_value::<IgnoredAny>(b, eof, 1))?;
                }
            }
            if src.eat(b'}') {
                break;
            }
            if !src.eat(b',') {
                return None;
            }
        }
    }
    if !src.at_end() {
        return None;
    }
    // Every `dependencies` tree is read as the text's reader reads it (an error in
    // any is an error); the last one is kept.
    for (text, line) in &v1_texts {
        let lines = TextLines::starting_at(text, *line);
        let mut de = serde_json::Deserializer::from_str(text);
        let deps = Seed(V1Seed(Lines::Text(&lines)))
            .deserialize(&mut de)
            .ok()?;
        if lines.lost() {
            return None;
        }
        top.dependencies = Some(deps);
    }
    build(ctx, top, packages).ok()
}

/// The `packages` object at the next byte of `src`, entry by entry into `packages`.
fn read_packages_chunks<R: Read>(
    src: &mut Chunks<R>,
    packages: &mut PackagesReader<'_, '_>,
) -> Option<()> {
    if !src.eat(b'{') {
        return None;
    }
    if src.eat(b'}') {
        return Some(());
    }
    loop {
        src.peek()?;
        let line = src.line();
        src.value(|b, eof| {
            let (key, mut at) = match first_value::<Str<'_>>(b, eof, 0) {
                Parsed::Done(key, n) => (key, n),
                Parsed::More => return Parsed::More,
                Parsed::Bad => return Parsed::Bad,
            };
            at += b[at..]
                .iter()
                .position(|b| !matches!(b, b' ' | b'\n' | b'\t' | b'\r'))
                .unwrap_or(b.len() - at);
            match b.get(at) {
                Some(b':') => at += 1,
                Some(_) => return Parsed::Bad,
                None if eof => return Parsed::Bad,
                None => return Parsed::More,
            }
            match first_value::<Entry<'_>>(&b[at..], eof, 2) {
                Parsed::Done(entry, n) => {
                    packages.entry(&key.0, entry, line);
                    Parsed::Done((), at + n)
                }
                Parsed::More => Parsed::More,
                Parsed::Bad => Parsed::Bad,
            }
        })?;
        if src.eat(b'}') {
            return Some(());
        }
        if !src.eat(b',') {
            return None;
        }
    }
}

/// Why [`read`] failed.
enum Failure {
    /// The JSON (the text is needed to name the line).
    Json(serde_json::Error),
    /// What the JSON says.
    Lockfile(ParseError),
}

impl From<ParseError> for Failure {
    fn from(e: ParseError) -> Failure {
        Failure::Lockfile(e)
    }
}

/// Read a package-lock with `de`, keeping per entry only what lockgate uses (a node
/// of the install tree) and the line of its key (from `lines`).
fn read<'de, R: serde_json::de::Read<'de>>(
    ctx: &Context<'_>,
    mut de: serde_json::Deserializer<R>,
    lines: Lines<'_>,
) -> Result<Lockfile, Failure> {
    let mut packages = PackagesReader::new(ctx, lines);
    let top = Seed(TopSeed(&mut packages))
        .deserialize(&mut de)
        .and_then(|top| de.end().map(|()| top))
        .map_err(Failure::Json)?;
    drop(de);
    build(ctx, top, packages)
}

/// The lockfile that the top level `top` and the `packages` read into `packages` make.
fn build(
    ctx: &Context<'_>,
    top: Top<'_>,
    packages: PackagesReader<'_, '_>,
) -> Result<Lockfile, Failure> {
    let version = match top.version {
        Some(v) => v,
        // npm 3 and 4 wrote shrinkwraps without a version; npm reads a `dependencies`
        // tree with no `packages` as an ancient version 1 lockfile.
        None if top.dependencies.is_some() && !top.packages => 1,
        None => {
            return Err(ctx
                .error(Some(1), "no `lockfileVersion`: not an npm lockfile")
                .into());
        }
    };
    let is_shrinkwrap = ctx
        .display
        .file_name()
        .is_some_and(|n| n == "npm-shrinkwrap.json");
    let format = format!(
        "{}-v{version}",
        if is_shrinkwrap {
            "npm-shrinkwrap"
        } else {
            "package-lock"
        }
    );
    let mut tree;
    if top.packages {
        // npm 7 and later install from `packages` whenever it is there, whatever
        // `lockfileVersion` says (arborist's Shrinkwrap.load reads `dependencies`
        // only when `packages` is missing); npm 6 reads only `dependencies`.
        tree = packages.finish()?;
        if let Some(deps) = top.dependencies {
            check_agreement(ctx, &tree, deps.0)?;
        }
        if version == 1 {
            tree.v1_manifest = read_manifest(ctx.dir());
        }
    } else if version == 1 {
        let deps = top
            .dependencies
            .ok_or_else(|| ctx.error(Some(1), "lockfileVersion 1 without `dependencies`"))?;
        tree = InstallTree::new(Resolution::NodeModules);
        tree.root_name = top.name.map(|n| n.0.into_owned());
        add_v1(ctx, &mut tree, "", deps.0)?;
        tree.v1_manifest = read_manifest(ctx.dir());
    } else {
        return Err(ctx
            .error(
                Some(1),
                format!("lockfileVersion {version} without `packages`"),
            )
            .into());
    }
    Ok(tree.finish(ctx, format)?)
}

/// The top level, with `packages` read into a [`PackagesReader`] entry by entry and
/// `dependencies` (the version 1 tree) with the line of every key.
#[derive(Default)]
struct Top<'a> {
    version: Option<u64>,
    name: Option<Str<'a>>,
    /// A `packages` object was read (into a [`PackagesReader`]).
    packages: bool,
    dependencies: Option<V1Map<'a>>,
}

/// The top level, read by a hand-written visitor so that the version is checked as
/// soon as it is read.
struct TopSeed<'r, 'c, 'x>(&'r mut PackagesReader<'c, 'x>);

impl<'de> ObjectSeed<'de> for TopSeed<'_, '_, '_> {
    type Value = Top<'de>;
    const EXPECTING: &'static str = "an npm lockfile (a JSON object)";
    fn visit<A: MapAccess<'de>>(self, mut map: A) -> Result<Top<'de>, A::Error> {
        let mut top = Top::default();
        while let Some(key) = map.next_key::<Str<'de>>()? {
            match key.0.as_ref() {
                "packages" => {
                    self.0.start_object();
                    map.next_value_seed(Seed(&mut *self.0))?;
                    top.packages = true;
                }
                "lockfileVersion" => {
                    let v: serde_json::Value = map.next_value()?;
                    top.version = Some(check_version(&v).map_err(de::Error::custom)?);
                }
                "name" => top.name = map.next_value::<Option<Str<'de>>>()?,
                "dependencies" => {
                    top.dependencies = Some(map.next_value_seed(Seed(V1Seed(self.0.lines)))?);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(top)
    }
}

impl<'de> ObjectSeed<'de> for &mut PackagesReader<'_, '_> {
    type Value = ();
    const EXPECTING: &'static str = "an object";
    fn visit<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Str<'de>>()? {
            let line = self.lines.of(&key.0);
            let entry: Entry<'de> = map.next_value()?;
            self.entry(&key.0, entry, line);
        }
        Ok(())
    }
}

fn check_version(v: &serde_json::Value) -> Result<u64, String> {
    match v.as_u64() {
        Some(n @ 1..=3) => Ok(n),
        Some(n) if n > 3 => Err(format!(
            "lockfileVersion {n} is newer than lockgate knows (1-3)"
        )),
        _ => Err(format!(
            "lockfileVersion {v} is not one lockgate knows (1-3)"
        )),
    }
}

/// One `packages` entry (lockfile versions 2 and 3): what lockgate uses of it.
#[derive(Default)]
struct Entry<'a> {
    name: Option<Str<'a>>,
    version: Option<Str<'a>>,
    resolved: Option<Str<'a>>,
    integrity: Option<Str<'a>>,
    link: bool,
    dev: bool,
    optional: bool,
    dev_optional: bool,
    /// npm writes `hasInstallScript: true` when the package has a `preinstall`,
    /// `install` or `postinstall` script (or a `binding.gyp`); absent means none.
    has_install_script: bool,
    deps: DepMaps<'a>,
    peer_dependencies_meta: OrderedMap<'a, PeerMeta>,
    workspaces: Option<Workspaces>,
    /// The fields above read so far, in [`ENTRY_FIELDS`] order.
    seen: u16,
}

/// The fields of an [`Entry`] besides the dependency maps.
const ENTRY_FIELDS: [&str; 11] = [
    "name",
    "version",
    "resolved",
    "integrity",
    "link",
    "dev",
    "optional",
    "devOptional",
    "hasInstallScript",
    "peerDependenciesMeta",
    "workspaces",
];

deserialize_by_fields!(Entry);

impl Entry<'_> {
    /// The entry with its strings owned (to outlive the input).
    fn into_owned(self) -> Entry<'static> {
        Entry {
            name: self.name.map(Str::into_owned),
            version: self.version.map(Str::into_owned),
            resolved: self.resolved.map(Str::into_owned),
            integrity: self.integrity.map(Str::into_owned),
            link: self.link,
            dev: self.dev,
            optional: self.optional,
            dev_optional: self.dev_optional,
            has_install_script: self.has_install_script,
            deps: self.deps.into_owned(),
            peer_dependencies_meta: self.peer_dependencies_meta.into_owned(),
            workspaces: self.workspaces,
            seen: self.seen,
        }
    }
}

impl<'de> JsonObject<'de> for Entry<'de> {
    const EXPECTING: &'static str = "struct Entry";
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        let Some(i) = ENTRY_FIELDS.iter().position(|f| *f == key) else {
            return self.deps.field(key, map);
        };
        first_time(&mut self.seen, i, ENTRY_FIELDS[i])?;
        match i {
            0 => self.name = map.next_value()?,
            1 => self.version = map.next_value()?,
            2 => self.resolved = map.next_value()?,
            3 => self.integrity = map.next_value()?,
            4 => self.link = map.next_value()?,
            5 => self.dev = map.next_value()?,
            6 => self.optional = map.next_value()?,
            7 => self.dev_optional = map.next_value()?,
            8 => self.has_install_script = map.next_value()?,
            9 => self.peer_dependencies_meta = map.next_value()?,
            _ => self.workspaces = map.next_value()?,
        }
        Ok(())
    }
}

/// `peerDependenciesMeta` values: an optional peer is not an edge (npm installs it
/// only when something else depends on it).
#[derive(Deserialize, Default)]
struct PeerMeta {
    #[serde(default)]
    optional: bool,
}

/// The root's `workspaces`: a list of globs, or yarn's `{ "packages": [...] }`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Workspaces {
    List(Vec<String>),
    Object {
        #[serde(default)]
        packages: Vec<String>,
    },
}

/// A version 1 `dependencies` object: (name, line of the key, entry) in file order.
struct V1Map<'a>(Vec<(Cow<'a, str>, usize, V1Entry<'a>)>);

/// Reads a [`V1Map`], noting the line of every key.
#[derive(Clone, Copy)]
struct V1Seed<'c>(Lines<'c>);

impl<'de> ObjectSeed<'de> for V1Seed<'_> {
    type Value = V1Map<'de>;
    const EXPECTING: &'static str = "an object";
    fn visit<A: MapAccess<'de>>(self, mut map: A) -> Result<V1Map<'de>, A::Error> {
        let mut out = Vec::new();
        while let Some(key) = map.next_key::<Str<'de>>()? {
            let line = self.0.of(&key.0);
            out.push((key.0, line, map.next_value_seed(Seed(V1EntrySeed(self.0)))?));
        }
        Ok(V1Map(out))
    }
}

/// One entry of the version 1 `dependencies` tree.
#[derive(Default)]
struct V1Entry<'a> {
    version: Option<Str<'a>>,
    /// npm 6 wrote `"resolved": false` for bundled dependencies: the same as absent.
    resolved: Option<Str<'a>>,
    integrity: Option<Str<'a>>,
    dev: bool,
    optional: bool,
    requires: OrderedMap<'a, Spec>,
    dependencies: Option<V1Map<'a>>,
}

impl V1Entry<'_> {
    /// Its `integrity`, read (`name` on `line`, for errors).
    fn hashes(&self, ctx: &Context<'_>, line: usize, name: &str) -> Result<Vec<Hash>, ParseError> {
        parse_hashes(
            ctx,
            line,
            name,
            self.integrity.as_ref().map(|i| i.0.as_ref()),
        )
    }
}

/// Reads a [`V1Entry`] and, with the lines of their keys, its nested dependencies.
struct V1EntrySeed<'c>(Lines<'c>);

/// The fields of a [`V1Entry`].
const V1_FIELDS: [&str; 7] = [
    "version",
    "resolved",
    "integrity",
    "dev",
    "optional",
    "requires",
    "dependencies",
];

impl<'de> ObjectSeed<'de> for V1EntrySeed<'_> {
    type Value = V1Entry<'de>;
    const EXPECTING: &'static str = "struct V1Entry";
    fn visit<A: MapAccess<'de>>(self, mut map: A) -> Result<V1Entry<'de>, A::Error> {
        let mut e = V1Entry::default();
        let mut seen = 0;
        while let Some(key) = map.next_key::<Str<'de>>()? {
            let Some(i) = V1_FIELDS.iter().position(|f| *f == key.0) else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            first_time(&mut seen, i, V1_FIELDS[i])?;
            match i {
                0 => e.version = map.next_value()?,
                1 => e.resolved = map.next_value::<StrOrFalse<'de>>()?.0,
                2 => e.integrity = map.next_value()?,
                3 => e.dev = map.next_value()?,
                4 => e.optional = map.next_value()?,
                5 => e.requires = map.next_value()?,
                _ => e.dependencies = Some(map.next_value_seed(Seed(V1Seed(self.0)))?),
            }
        }
        Ok(e)
    }
}

/// A string, or `false` (read as absent); `true` or another type is an error.
struct StrOrFalse<'a>(Option<Str<'a>>);

impl<'de> Deserialize<'de> for StrOrFalse<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum StrOrBool<'a> {
            #[serde(borrow)]
            Str(Str<'a>),
            Bool(bool),
        }
        match Option::<StrOrBool<'de>>::deserialize(d)? {
            None | Some(StrOrBool::Bool(false)) => Ok(StrOrFalse(None)),
            Some(StrOrBool::Str(s)) => Ok(StrOrFalse(Some(s))),
            Some(StrOrBool::Bool(true)) => Err(de::Error::custom(
                "`resolved` is `true`: expected a URL, or `false` for a bundled dependency",
            )),
        }
    }
}

/// The package name in an install path: the part after the last `node_modules/`.
fn name_from_key(key: &str) -> &str {
    match key.rfind("node_modules/") {
        Some(i) => &key[i + "node_modules/".len()..],
        None => key.rsplit('/').next().unwrap_or(key),
    }
}

/// Glob match used for `workspaces` (`*` within a path segment, `**` for any number of
/// segments), with globset (ripgrep's, linear time: a hostile pattern in a
/// package.json cannot make lockgate backtrack). An invalid pattern matches nothing.
fn glob_match(pattern: &str, path: &str) -> bool {
    let pattern = pattern.trim_start_matches("./").trim_end_matches('/');
    let path = path.trim_start_matches("./").trim_end_matches('/');
    globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map(|g| g.compile_matcher().is_match(path))
        .unwrap_or(false)
}

/// The top-level `packages` object, read entry by entry: each entry becomes a node of
/// the compact install tree ([`InstallTree`]) as soon as serde has read it, so no map
/// of every entry is held beside the tree. What it reports is what reading the whole
/// map first reported: the same nodes in the same order, and the same error (the
/// first in file order: a JSON error, then a count of entries that the text does not
/// match, then the first entry that fails).
pub(crate) struct PackagesReader<'c, 'x> {
    ctx: &'c Context<'x>,
    /// The line of the key read last.
    lines: Lines<'c>,
    /// Entries read so far (of every `packages` object).
    count: usize,
    /// A second `packages` object after a non-empty first one: npm reads the last,
    /// and the lines of the keys no longer match the entries.
    mismatch: bool,
    tree: InstallTree,
    /// Workspace globs of the root entry (`""`; the last one if repeated).
    globs: Vec<String>,
    /// Entries outside `node_modules/` (roots, workspace members, linked folders),
    /// read once the root's globs are known: (entry index, node, key, entry, line).
    deferred: Vec<(usize, usize, String, Entry<'static>, usize)>,
    /// The first failing entry (index in file order) and its error.
    error: Option<(usize, ParseError)>,
}

impl<'c, 'x> PackagesReader<'c, 'x> {
    fn new(ctx: &'c Context<'x>, lines: Lines<'c>) -> Self {
        PackagesReader {
            ctx,
            lines,
            count: 0,
            mismatch: false,
            tree: InstallTree::new(Resolution::NodeModules),
            globs: Vec::new(),
            deferred: Vec::new(),
            error: None,
        }
    }

    /// A `packages` key was met (its object is read next).
    fn start_object(&mut self) {
        if self.count > 0 {
            self.mismatch = true;
        }
    }

    /// Keep `err` if entry `i` comes before the failing entry kept so far.
    fn fail(&mut self, i: usize, err: ParseError) {
        if self.error.as_ref().is_none_or(|(k, _)| i < *k) {
            self.error = Some((i, err));
        }
    }

    /// One entry, in file order.
    fn entry(&mut self, key: &str, e: Entry<'_>, line: usize) {
        let i = self.count;
        self.count += 1;
        if self.mismatch || self.error.is_some() {
            // Only an earlier entry could fail before the one that did.
            return;
        }
        let node = match self.tree.open(key, line) {
            Ok(node) => node,
            Err(first) => {
                let first = self.tree.line(first);
                let err = self.ctx.error(
                    Some(line),
                    format!("`packages` has the key `{key}` twice (first on line {first})"),
                );
                self.fail(i, err);
                return;
            }
        };
        if key.is_empty() {
            // Workspace globs come from the root entry.
            self.globs = match &e.workspaces {
                Some(Workspaces::List(l)) => l.clone(),
                Some(Workspaces::Object { packages }) => packages.clone(),
                None => Vec::new(),
            };
        }
        // The root entry (`""`) needs no globs: read now, not held as an owned entry
        // to the end (a root that depends on 200,000 packages is a 10 MB map).
        if key.is_empty() || key.starts_with("node_modules/") || key.contains("/node_modules/") {
            if let Err(err) = add(self.ctx, &mut self.tree, node, (key, e, line), false) {
                self.fail(i, err);
            }
        } else {
            // Filled by `finish` (its node keeps the file order).
            (self.deferred).push((i, node, key.to_string(), e.into_owned(), line));
        }
    }

    /// The tree, once every `packages` object is read; or the first error.
    fn finish(mut self) -> Result<InstallTree, ParseError> {
        let ctx = self.ctx;
        if self.mismatch {
            // npm reads the last `packages` object; lockgate refuses the file rather
            // than guess which one the lines should name.
            return Err(ctx.error(None, "could not locate every `packages` entry in the text"));
        }
        let globs = std::mem::take(&mut self.globs);
        let is_member = |key: &str| {
            let mut member = false;
            for g in &globs {
                if let Some(neg) = g.strip_prefix('!') {
                    if glob_match(neg, key) {
                        return false;
                    }
                } else if glob_match(g, key) {
                    member = true;
                }
            }
            member
        };
        for (i, node, key, e, line) in std::mem::take(&mut self.deferred) {
            if self.error.as_ref().is_some_and(|(k, _)| *k < i) {
                break;
            }
            let member = is_member(&key);
            match add(ctx, &mut self.tree, node, (&key, e, line), member) {
                Ok(()) => {}
                Err(err) => {
                    self.fail(i, err);
                    break;
                }
            }
        }
        match self.error {
            Some((_, err)) => Err(err),
            None => Ok(self.tree),
        }
    }
}

/// Make `node` of `tree` entry `key` (on `line`; `member`: a workspace member).
fn add(
    ctx: &Context<'_>,
    tree: &mut InstallTree,
    node: usize,
    (key, e, line): (&str, Entry<'_>, usize),
    member: bool,
) -> Result<(), ParseError> {
    let in_node_modules = key.starts_with("node_modules/") || key.contains("/node_modules/");
    let optional_peers: Vec<Cow<'_, str>> = e
        .peer_dependencies_meta
        .0
        .into_iter()
        .filter(|(_, m)| m.optional)
        .map(|(n, _)| n)
        .collect();
    let root = key.is_empty() || (!in_node_modules && member);
    // Only roots install their devDependencies.
    let kinds: &[DepKind] = match root {
        true => &[
            DepKind::Prod,
            DepKind::Optional,
            DepKind::Peer,
            DepKind::Dev,
        ],
        false => &[DepKind::Prod, DepKind::Optional, DepKind::Peer],
    };
    let deps = e
        .deps
        .into_deps(kinds, |n| optional_peers.iter().any(|p| p == n));
    let name = match &e.name {
        Some(n) => n.0.to_string(),
        None if key.is_empty() => String::new(),
        None => name_from_key(key).to_string(),
    };
    if e.link {
        let target = e.resolved.as_ref().ok_or_else(|| {
            ctx.error(Some(line), format!("`{key}` is a link without `resolved`"))
        })?;
        let kind = NodeKind::Link(target.0.trim_start_matches("file:").to_string());
        let node_ = Node {
            dev: e.dev,
            optional: e.optional,
            ..Node::new(Cow::Borrowed(""), kind, name, line)
        };
        tree.fill(ctx, node, node_);
        return Ok(());
    }
    if root {
        if key.is_empty() {
            tree.root_name = e.name.as_ref().map(|n| n.0.to_string());
        }
        let label = if name.is_empty() {
            ctx.root_label()
        } else {
            name
        };
        let version = e.version.map(|v| v.0.into_owned()).unwrap_or_default();
        let path = key.to_string();
        let root = Node::root(Cow::Borrowed(""), label, version, path, line, deps);
        tree.fill(ctx, node, root);
        return Ok(());
    }
    if name.is_empty() {
        return Err(ctx.error(Some(line), format!("`{key}`: no package name")));
    }
    let version = match &e.version {
        Some(v) if !v.0.is_empty() => v.0.to_string(),
        // A local folder whose package.json has no version (npm ls shows `name@`).
        _ if !in_node_modules => String::new(),
        _ => return Err(ctx.error(Some(line), format!("`{key}` ({name}) has no `version`"))),
    };
    let source = if !in_node_modules {
        Source::Path(key.to_string())
    } else {
        let resolved = e.resolved.as_ref().map(|r| r.0.as_ref());
        resolved_source(ctx, line, key, resolved, &name, &version)?
    };
    let hashes = parse_hashes(ctx, line, key, e.integrity.as_ref().map(|i| i.0.as_ref()))?;
    let resolved = e.resolved.map(|r| r.0);
    let package = Node {
        hashes,
        dev: e.dev || e.dev_optional,
        optional: e.optional || e.dev_optional,
        deps,
        install_script: Some(e.has_install_script),
        ..Node::package(Cow::Borrowed(""), name, version, source, resolved, line)
    };
    tree.fill(ctx, node, package);
    Ok(())
}

/// The source a `resolved` value names (absent: the default registry); one that
/// is not recognised is an error naming `what` at `line`.
fn resolved_source(
    ctx: &Context<'_>,
    line: usize,
    what: &str,
    resolved: Option<&str>,
    name: &str,
    version: &str,
) -> Result<Source, ParseError> {
    match resolved {
        None => Ok(Source::Registry(None)),
        Some(r) => source_of(r, name, version).ok_or_else(|| {
            ctx.error(
                Some(line),
                format!("`{what}`: unrecognised `resolved` value `{r}`"),
            )
        }),
    }
}

/// Flatten the version 1 tree into install-path keys, in document order.
fn add_v1<'a>(
    ctx: &Context<'_>,
    tree: &mut InstallTree,
    parent: &str,
    deps: Vec<(Cow<'a, str>, usize, V1Entry<'a>)>,
) -> Result<(), ParseError> {
    let mut seen: HashMap<Cow<'a, str>, usize> = HashMap::new();
    for (dep_name, line, e) in deps {
        if let Some(first) = seen.insert(dep_name.clone(), line) {
            return Err(ctx.error(
                Some(line),
                format!("`dependencies` has the key `{dep_name}` twice (first on line {first})"),
            ));
        }
        let key = if parent.is_empty() {
            format!("node_modules/{dep_name}")
        } else {
            format!("{parent}/node_modules/{dep_name}")
        };
        let spec = match &e.version {
            Some(v) if !v.0.is_empty() => v.0.as_ref(),
            _ => return Err(ctx.error(Some(line), format!("`{dep_name}` has no `version`"))),
        };
        let mut name = dep_name.to_string();
        let resolved = e.resolved.as_ref().map(|r| r.0.as_ref());
        let (version, source) = if let Some(alias) = spec.strip_prefix("npm:") {
            // "npm:lodash@3.10.1": an alias.
            let at = alias
                .get(1..)
                .and_then(|s| s.find('@'))
                .map(|i| i + 1)
                .ok_or_else(|| {
                    ctx.error(Some(line), format!("`{dep_name}`: bad alias `{spec}`"))
                })?;
            name = alias[..at].to_string();
            let version = alias[at + 1..].to_string();
            let source = match resolved {
                None => Source::Registry(None),
                Some(r) => source_of(r, &name, &version).ok_or_else(|| {
                    ctx.error(
                        Some(line),
                        format!("`{dep_name}`: unrecognised `resolved` value `{r}`"),
                    )
                })?,
            };
            (version, source)
        } else if let Some(path) = spec.strip_prefix("file:") {
            // The version is in the directory's package.json, if it can be read.
            let version = read_manifest(&ctx.dir().join(path))
                .and_then(|m| m.version)
                .unwrap_or_else(|| spec.to_string());
            (version, Source::Path(path.to_string()))
        } else if spec.starts_with("http://") || spec.starts_with("https://") {
            let version = tarball_version(spec, &name).unwrap_or(spec).to_string();
            (version, Source::Url(spec.to_string()))
        } else if is_git(spec) {
            let src = source_of(resolved.filter(|r| is_git(r)).unwrap_or(spec), &name, spec)
                .unwrap_or_else(|| Source::Url(spec.to_string()));
            let version = match &src {
                Source::Git { rev: Some(rev), .. } => rev.to_string(),
                _ => spec.to_string(),
            };
            (version, src)
        } else {
            let source = resolved_source(ctx, line, &dep_name, resolved, &name, spec)?;
            (spec.to_string(), source)
        };
        let hashes = e.hashes(ctx, line, &dep_name)?;
        let requires = e.requires.0.into_iter();
        let deps = requires.map(|(name, spec)| Dep {
            name,
            kind: DepKind::Prod,
            url: spec.url,
        });
        let node_key = Cow::Owned(key.clone());
        let resolved = e.resolved.map(|r| r.0);
        tree.push(
            ctx,
            Node {
                hashes,
                dev: e.dev,
                optional: e.optional,
                deps: deps.collect(),
                ..Node::package(node_key, name, version, source, resolved, line)
            },
        );
        if let Some(deps) = e.dependencies {
            add_v1(ctx, tree, &key, deps.0)?;
        }
    }
    Ok(())
}

/// Refuse a lockfile whose `dependencies` tree (what npm 5 and 6 install from) says
/// something else than its `packages` (what npm 7 and later install from, and what
/// lockgate reads): another version, `resolved` or `integrity` at the same install
/// path, or an install path that `packages` does not have. npm writes both from the
/// same tree, so a real lockfile never disagrees; a hand edit can make the two
/// generations of npm install different things.
fn check_agreement<'a>(
    ctx: &Context<'_>,
    tree: &InstallTree,
    deps: Vec<(Cow<'a, str>, usize, V1Entry<'a>)>,
) -> Result<(), ParseError> {
    type Level<'a> = (
        String,
        std::vec::IntoIter<(Cow<'a, str>, usize, V1Entry<'a>)>,
    );
    let mut stack: Vec<Level<'a>> = vec![(String::new(), deps.into_iter())];
    while let Some((parent, iter)) = stack.last_mut() {
        let Some((dep_name, line, e)) = iter.next() else {
            stack.pop();
            continue;
        };
        let key = if parent.is_empty() {
            format!("node_modules/{dep_name}")
        } else {
            format!("{parent}/node_modules/{dep_name}")
        };
        let disagree = |what: String| {
            ctx.error(
                Some(line),
                format!(
                    "`dependencies` and `packages` disagree about `{key}`: {what}; npm 7 and \
                     later install from `packages`, npm 5 and 6 from `dependencies`"
                ),
            )
            .with_hint(
                "a lockfile written by npm never disagrees with itself: regenerate it \
                 (`rm package-lock.json && npm install --package-lock-only`) and review \
                 the change",
            )
        };
        let Some(i) = tree.find(&key) else {
            return Err(disagree("`packages` has no such entry".to_string()));
        };
        // The children of a linked folder (a workspace member) are under its target.
        let child_parent = match tree.link_target(i) {
            Some(target) => target.to_string(),
            None => key.clone(),
        };
        if let Some(node) = tree.package(i) {
            let spec = e.version.as_ref().map(|v| v.0.as_ref()).unwrap_or("");
            let (name, version) = match spec.strip_prefix("npm:") {
                Some(alias) => match alias.get(1..).and_then(|s| s.find('@')) {
                    Some(at) => (&alias[..at + 1], Some(&alias[at + 2..])),
                    None => (alias, None),
                },
                None => (dep_name.as_ref(), Some(spec)),
            };
            // `file:`, git and URL specs: `version` is the spec, compared via `resolved`.
            let plain = version.filter(|v| !v.contains(':') && !v.contains('/'));
            if name != node.name {
                return Err(disagree(format!(
                    "`packages` installs `{}`, `dependencies` `{name}`",
                    node.name
                )));
            }
            if let Some(v) = plain
                && v != node.version
            {
                return Err(disagree(format!(
                    "version {} in `packages`, {v} in `dependencies`",
                    node.version
                )));
            }
            // A URL, git or `file:` spec stands for `resolved` when that is left out.
            let v1_resolved = e
                .resolved
                .as_ref()
                .map(|r| r.0.as_ref())
                .or_else(|| (plain.is_none() && !spec.starts_with("npm:")).then_some(spec));
            if !tree.resolved_is(i, v1_resolved) {
                let resolved = tree.resolved(i);
                return Err(disagree(format!(
                    "`resolved` is {} in `packages`, {} in `dependencies`",
                    shown(resolved.as_deref()),
                    shown(v1_resolved)
                )));
            }
            let hashes = e.hashes(ctx, line, &dep_name)?;
            if hashes[..] != node.hashes[..] {
                return Err(disagree(
                    "`integrity` differs between `packages` and `dependencies`".to_string(),
                ));
            }
        }
        let children = e.dependencies.map(|d| d.0).unwrap_or_default();
        stack.push((child_parent, children.into_iter()));
    }
    Ok(())
}

/// A value or its absence, for messages.
fn shown(v: Option<&str>) -> String {
    v.map_or_else(|| "absent".to_string(), |v| format!("`{v}`"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn parse_str(text: &str) -> Result<Lockfile, ParseError> {
        FORMAT.parse_at("/nonexistent/package-lock.json", text)
    }

    #[test]
    fn registry_urls_are_told_from_other_urls() {
        assert_eq!(
            source_of(
                "https://registry.npmjs.org/@types/node/-/node-22.10.2.tgz",
                "@types/node",
                "22.10.2"
            ),
            Some(Source::Registry(None))
        );
        assert_eq!(
            source_of(
                "https://npm.example.com/repo/lodash/-/lodash-4.17.21.tgz",
                "lodash",
                "4.17.21"
            ),
            Some(Source::Registry(Some(
                "https://npm.example.com/repo".into()
            )))
        );
        assert_eq!(
            source_of("https://example.com/x.tgz", "x", "1.0.0"),
            Some(Source::Url("https://example.com/x.tgz".into()))
        );
        assert_eq!(
            source_of("git+ssh://git@github.com/a/b.git#abc", "b", "1.0.0"),
            Some(Source::Git {
                url: "git+ssh://git@github.com/a/b.git".into(),
                rev: Some("abc".into())
            })
        );
        assert_eq!(source_of("weird:thing", "x", "1"), None);
    }

    #[test]
    fn every_file_url_reads_as_written_whether_rebuilt_or_kept() {
        // The default registry tarball is kept as a flag and rebuilt; any URL that
        // differs from the rebuilt one in a byte is kept verbatim. Each package's
        // files read as the old representation had them: one file per install, URL as
        // written, the install's hashes, on its line.
        let default = "https://registry.npmjs.org/{n}/-/{u}-1.0.0.tgz";
        let urls = [
            default.to_string(),
            default.replace("https:", "http:"),
            default.replace("registry.npmjs", "registry.yarnpkg"),
            format!("{default}?x=1"),
            format!("{default}#frag"),
            default.replace(".tgz", ".TGZ"),
            default.replace("/-/", "/-//"),
            default.replace("npmjs.org/", "npmjs.org//"),
            default.replace("-1.0.0", "-1.0.00"),
            "https://example.com/{n}.tgz".to_string(),
        ];
        for name in ["a", "@s/a"] {
            let unscoped = name.rsplit('/').next().unwrap();
            let mut entries = Vec::new();
            let mut expected = Vec::new();
            for (i, url) in urls.iter().enumerate() {
                let url = url.replace("{n}", name).replace("{u}", unscoped);
                // Two installs of the version: the first with a default URL and the
                // second with `url`, and the other way round (merged in one package).
                let sri = |k: usize| {
                    let h = Hash::from_hex("sha512", &format!("{k:02x}").repeat(64)).unwrap();
                    h.to_sri().unwrap()
                };
                let dflt = default.replace("{n}", name).replace("{u}", unscoped);
                entries.push((
                    format!("node_modules/x{i}/node_modules/{name}"),
                    url.clone(),
                    sri(i),
                ));
                entries.push((
                    format!("node_modules/y{i}/node_modules/{name}"),
                    dflt.clone(),
                    sri(100 + i),
                ));
                entries.push((
                    format!("node_modules/z{i}/node_modules/{name}"),
                    url.clone(),
                    sri(i),
                ));
                expected.push(url);
            }
            let mut text = String::from(
                "{\n\"lockfileVersion\": 3,\n\"packages\": {\n\"\": {\"name\": \"r\"}",
            );
            for (key, url, sri) in &entries {
                text.push_str(&format!(
                    ",\n\"{key}\": {{\"version\": \"1.0.0\", \"resolved\": \"{url}\", \"integrity\": \"{sri}\"}}"
                ));
            }
            text.push_str("\n}\n}\n");
            let lock = parse_str(&text).unwrap();
            // Every URL of every install, in file order, as written.
            let mut seen: Vec<(u32, String, Vec<String>)> = lock
                .packages
                .iter()
                .flat_map(|p| p.files().map(|a| a.into_owned()).collect::<Vec<_>>())
                .map(|a| {
                    let hashes = a.hashes.iter().map(|h| h.to_string()).collect();
                    (a.line, a.url.unwrap(), hashes)
                })
                .collect();
            seen.sort();
            assert_eq!(seen.len(), entries.len());
            for (k, (line, url, hashes)) in seen.iter().enumerate() {
                let (_, written, sri) = &entries[k];
                assert_eq!(*line as usize, k + 5, "{name}");
                assert_eq!(url, written, "{name}");
                assert_eq!(hashes, &[Hash::from_sri(sri).unwrap().to_string()]);
            }
            // The default URL, and only it, is kept as a flag.
            for p in &lock.packages {
                let first = p.files().next().unwrap();
                let is_default = first.url.as_deref()
                    == Some(
                        default
                            .replace("{n}", name)
                            .replace("{u}", unscoped)
                            .as_str(),
                    );
                assert_eq!(
                    p.artifacts.has_npm_registry_tarball(),
                    is_default && p.files().count() == 1
                );
            }
        }
    }

    #[test]
    fn workspace_globs() {
        assert!(glob_match("packages/*", "packages/a"));
        assert!(glob_match("./packages/*/", "packages/a"));
        assert!(!glob_match("packages/*", "packages/a/b"));
        assert!(glob_match("packages/**", "packages/a/b"));
        assert!(glob_match("apps/web-*", "apps/web-x"));
        assert!(!glob_match("apps/web-*", "apps/api"));
    }

    #[test]
    fn version_errors() {
        let e = parse_str("{\n\"lockfileVersion\": 4,\n\"packages\": {}}").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(
            e.message
                .contains("lockfileVersion 4 is newer than lockgate knows (1-3)"),
            "{e}"
        );
        for bad in ["0", "\"3\"", "null", "2.5"] {
            let e = parse_str(&format!(
                "{{\"lockfileVersion\": {bad}, \"packages\": {{}}}}"
            ))
            .unwrap_err();
            assert!(e.message.contains("lockfileVersion"), "{bad}: {e}");
        }
        assert!(
            parse_str("{\"packages\": {}}")
                .unwrap_err()
                .message
                .contains("lockfileVersion")
        );
    }

    #[test]
    fn shrinkwrap_without_version_is_read_as_npm_does() {
        // npm 3 wrote no `lockfileVersion`; npm 11 reads the tree as version 1.
        let t = "{\n\"name\": \"x\",\n\"dependencies\": {\n\"a\": {\"version\": \"2.0.2\", \"from\": \"a@>=2\", \"resolved\": \"https://registry.npmjs.org/a/-/a-2.0.2.tgz\"}}}";
        let lock = parse_str(t).unwrap();
        let names: Vec<_> = lock
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.line))
            .collect();
        assert_eq!(names, vec![("a", "2.0.2", 4)]);
        assert_eq!(lock.packages[0].source, Source::Registry(None));
        // Without a `dependencies` tree, or with `packages`, it is still refused.
        for bad in [
            "{}",
            "{\"name\": \"x\", \"version\": \"1.0.0\"}",
            "{\"dependencies\": {}, \"packages\": {}}",
        ] {
            let e = parse_str(bad).unwrap_err();
            assert!(e.message.contains("no `lockfileVersion`"), "{bad}: {e}");
        }
    }

    #[test]
    fn minimal_v3_with_duplicate_install() {
        let t = r#"{"lockfileVersion": 3, "packages": {
"": {"name": "app", "dependencies": {"a": "1", "b": "1"}},
"node_modules/a": {"version": "1.0.0", "dependencies": {"c": "1"}},
"node_modules/a/node_modules/c": {"version": "1.0.0"},
"node_modules/b": {"version": "1.0.0", "dependencies": {"c": "2"}},
"node_modules/b/node_modules/c": {"version": "1.0.0"},
"node_modules/c": {"version": "2.0.0"}
}}"#;
        let lf = parse_str(t).unwrap();
        let got: Vec<(String, String, usize)> = lf
            .packages
            .iter()
            .map(|p| (p.name.to_string(), p.version.to_string(), p.line as usize))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a".into(), "1.0.0".into(), 3),
                ("c".into(), "1.0.0".into(), 4),
                ("b".into(), "1.0.0".into(), 5),
                ("c".into(), "2.0.0".into(), 7),
            ]
        );
        assert_eq!(lf.packages[1].path, vec!["app", "a", "c"]);
        assert!(lf.packages[3].path.is_empty() || lf.packages[3].path == vec!["c"]);
    }

    /// The entry-by-entry reader of `packages` (`PackagesReader`) reports what reading
    /// the whole map first did: a root entry after its workspace members still makes
    /// them roots, and of two failing entries the first in the file is reported, even
    /// when the first is read last (an entry outside `node_modules/`).
    #[test]
    fn packages_read_entry_by_entry_keep_file_order() {
        // Hand-written (adversarial order): the root entry `""` comes last.
        let text = r#"{
  "lockfileVersion": 3,
  "packages": {
    "node_modules/a": {"version": "1.0.0"},
    "packages/w": {"name": "w", "version": "0.1.0", "dependencies": {"a": "1"}},
    "node_modules/w": {"resolved": "packages/w", "link": true},
    "": {"name": "root", "workspaces": ["packages/*"]}
  }
}"#;
        let lock = parse_str(text).expect("parses");
        let names: Vec<&str> = lock.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            ["a"],
            "the member `packages/w` is a root, not a package"
        );
        assert_eq!(lock.packages[0].path.to_vec(), ["w", "a"]);
        assert!(lock.packages[0].direct);

        // Two failing entries: the link without a target (line 4, outside
        // `node_modules/`, so read at the end) is reported, not the later package
        // without a version (line 5).
        let text = r#"{
  "lockfileVersion": 3,
  "packages": {
    "lib/x": {"link": true},
    "node_modules/b": {"resolved": "https://registry.npmjs.org/b/-/b-1.0.0.tgz"}
  }
}"#;
        let err = parse_str(text).expect_err("two bad entries");
        assert_eq!(err.line, Some(4), "{err}");
        // With the link mended, the package without a version is reported.
        let text = text.replace(r#""link": true}"#, r#""link": true, "resolved": "y"}"#);
        let err = parse_str(&text).expect_err("one bad entry");
        assert_eq!(err.line, Some(5), "{err}");

        // The root entry `""` is read when it is met (not held to the end), and of it
        // and another failing entry the first in the file is still reported, either
        // way round.
        let root_bad = r#""": {"link": true}"#;
        let pkg_bad =
            r#""node_modules/b": {"resolved": "https://registry.npmjs.org/b/-/b-1.0.0.tgz"}"#;
        for (first, second) in [(root_bad, pkg_bad), (pkg_bad, root_bad)] {
            let text = format!(
                "{{\n  \"lockfileVersion\": 3,\n  \"packages\": {{\n    {first},\n    {second}\n  }}\n}}"
            );
            let err = parse_str(&text).expect_err("two bad entries");
            assert_eq!(err.line, Some(4), "{err}");
            let want = if first == root_bad {
                "link without"
            } else {
                "no `version`"
            };
            assert!(err.to_string().contains(want), "{err}");
        }
    }

    /// A file large enough to be streamed (padded with white space past
    /// `STREAM_FROM_BYTES`, as an attacker can pad one) is refused where its text is:
    /// npm's `JSON.parse` keeps the LAST of two equal keys, so an entry or a
    /// `packages` object written twice could hide what npm installs; both readers
    /// refuse it with the same error.
    #[test]
    fn a_padded_file_with_a_key_twice_is_refused_as_its_text_is() {
        let sri = format!("sha512-{}", "YWFh".repeat(21) + "YQ==");
        let entry = |url: &str| {
            format!(r#"{{"version": "1.3.0", "resolved": "{url}", "integrity": "{sri}"}}"#)
        };
        let good = entry("https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz");
        let evil = entry("https://evil.example/left-pad-1.3.0.tgz");
        let root = r#""": {"dependencies": {"left-pad": "1.3.0"}}"#;
        let texts = [
            format!(
                "{{\"lockfileVersion\": 3, \"packages\": {{\n{root},\n\"node_modules/left-pad\": {good},\n\"node_modules/left-pad\": {evil}\n}}}}"
            ),
            format!(
                "{{\"lockfileVersion\": 3, \"packages\": {{\n{root},\n\"node_modules/left-pad\": {good}}},\n\"packages\": {{{root},\n\"node_modules/left-pad\": {evil}}}}}"
            ),
        ];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("package-lock.json");
        for text in texts {
            let expected = parse_str(&text).expect_err("a key twice");
            let padding = " ".repeat(super::super::STREAM_FROM_BYTES as usize);
            let padded = format!("{}{padding}}}", &text[..text.len() - 1]);
            std::fs::write(&path, padded).unwrap();
            let err = super::super::parse_file(&path, Path::new("package-lock.json"))
                .expect_err("streamed, a key twice");
            assert_eq!((err.line, &err.message), (expected.line, &expected.message));
        }
    }

    /// The malformed package-lock fixtures, padded to be streamed: each is refused
    /// with the error its text gets (the stream gives up, the text names the line).
    #[test]
    fn padded_malformed_fixtures_are_refused_as_their_text_is() {
        let root =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/npm/package-lock/malformed");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("package-lock.json");
        let padding = " ".repeat(super::super::STREAM_FROM_BYTES as usize);
        // (A few: a padded file takes a while in a debug build. Every fixture, not
        // padded, is streamed in `streamed_files_read_as_their_text`.)
        for name in ["truncated", "duplicate-key", "bad-hash", "version-4"] {
            let fixture = root.join(name).join("package-lock.json");
            let text = std::fs::read_to_string(&fixture).unwrap();
            // Leading white space moves no line.
            let expected = parse_str(&text).expect_err("malformed");
            let padded = format!("{padding}{text}");
            std::fs::write(&path, &padded).unwrap();
            let err = super::super::parse_file(&path, Path::new("package-lock.json"))
                .expect_err("malformed, streamed");
            assert_eq!(
                (err.line, &err.message),
                (expected.line, &expected.message),
                "{}",
                fixture.display()
            );
        }
    }

    /// Every package-lock fixture reads the same streamed from its file as parsed
    /// from its text, and a file that the stream cannot read falls back to the text
    /// (whose error names the line): bytes that are not UTF-8 in a field lockgate
    /// skips, a file past the size limit.
    #[test]
    fn streamed_files_read_as_their_text() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut files = Vec::new();
        let mut dirs = vec![root];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if FORMAT.names.iter().any(|n| path.ends_with(n)) {
                    files.push(path);
                }
            }
        }
        assert!(files.len() >= 30, "{files:?}");
        for path in &files {
            let ctx = Context {
                path,
                display: Path::new("package-lock.json"),
            };
            let text = std::fs::read_to_string(path).unwrap();
            let file = &mut std::fs::File::open(path).unwrap();
            let streamed = stream(&ctx, file, super::super::MAX_LOCKFILE_BYTES);
            let expected = parse(&ctx, &text).ok();
            assert_eq!(streamed, expected, "{}", path.display());
            // Read in small blocks, every value is cut somewhere: read again.
            for block in [1, 7, 100, 4096] {
                let streamed = streamed_in(text.as_bytes(), block, &ctx);
                assert_eq!(
                    streamed,
                    expected,
                    "{} in blocks of {block}",
                    path.display()
                );
            }
            let file = &mut std::fs::File::open(path).unwrap();
            assert_eq!(stream(&ctx, file, 10), None, "{}", path.display());
        }

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("package-lock.json");
        let good = "\u{feff}{\"lockfileVersion\": 3, \"packages\": {\n\"\": {\"license\": \"é\"},\n\"node_modules/a\": {\"version\": \"1.0.0\"}}}\n";
        std::fs::write(&path, good).unwrap();
        let ctx = Context {
            path: &path,
            display: Path::new("package-lock.json"),
        };
        let file = &mut std::fs::File::open(&path).unwrap();
        let lock = stream(&ctx, file, 1000).expect("streamed");
        assert_eq!(lock.packages[0].line, 3);
        let bad = good
            .as_bytes()
            .iter()
            .map(|&b| if b == 0xa9 { 0xff } else { b });
        std::fs::write(&path, bad.collect::<Vec<u8>>()).unwrap();
        let file = &mut std::fs::File::open(&path).unwrap();
        assert_eq!(stream(&ctx, file, 1000), None);
        let err = super::super::parse_file(&path, Path::new("package-lock.json")).unwrap_err();
        assert_eq!(err.line, Some(2), "{err}");
        assert!(err.message.contains("not valid UTF-8"), "{err}");
    }

    /// [`stream`] of `bytes`, read `block` bytes at a time.
    fn streamed_in(bytes: &[u8], block: usize, ctx: &Context<'_>) -> Option<Lockfile> {
        stream_in_blocks(
            ctx,
            &mut &bytes[..],
            super::super::MAX_LOCKFILE_BYTES,
            block,
        )
    }

    /// Check that streaming `bytes` reads what [`parse`] reads from its text, or
    /// gives up (`None`: the text is read then); true when it did not give up.
    fn stream_agrees(bytes: &[u8], ctx: &Context<'_>) -> bool {
        let text = super::super::decode_text(bytes).ok();
        let expected = text.map(|t| parse(ctx, t));
        let mut read = true;
        for block in [1, 5, 64, BLOCK] {
            match (streamed_in(bytes, block, ctx), &expected) {
                (Some(lock), Some(Ok(want))) => assert!(
                    &lock == want,
                    "read otherwise in blocks of {block}: {:?}",
                    String::from_utf8_lossy(bytes)
                ),
                (Some(_), _) => panic!(
                    "streamed in blocks of {block}, refused as text: {:?}",
                    String::from_utf8_lossy(bytes)
                ),
                (None, _) => read = false,
            }
        }
        read
    }

    /// Hand-written (malformed and adversarial variants of a small lockfile): every
    /// truncation, every byte left out, and JSON's structural characters put in at
    /// every place are read by the stream exactly as from the text, or refused by
    /// both (the stream gives up and the text's reader names the error).
    #[test]
    fn streaming_malformed_lockfiles_agrees_with_the_text() {
        let sri = format!("sha512-{}", "YWFh".repeat(21) + "YQ==");
        let base = format!(
            "{{\n  \"name\": \"app\",\r\n  \"lockfileVersion\": 2,\n  \"packages\": {{\n    \"\": {{\"name\": \"app\", \"dependencies\": {{\"a\": \"1\"}}, \"devDependencies\": {{\"b\": \"2\"}}}},\n    \"node_modules/a\": {{\n      \"version\": \"1.0.0\",\n      \"resolved\": \"https://registry.npmjs.org/a/-/a-1.0.0.tgz\",\n      \"integrity\": \"{sri}\",\n      \"dependencies\": {{\"b\": \"^2\"}}, \"x\": [1, {{\"y\": null}}, true, -2.5e3]\n    }},\n    \"node_modules/b\": {{\"version\": \"2.0.0\", \"dev\": true}}\n  }},\n  \"dependencies\": {{\n    \"a\": {{\"version\": \"1.0.0\", \"resolved\": \"https://registry.npmjs.org/a/-/a-1.0.0.tgz\", \"integrity\": \"{sri}\", \"requires\": {{\"b\": \"^2\"}}}},\n    \"b\": {{\"version\": \"2.0.0\", \"dev\": true}}\n  }}\n}}\n"
        );
        let ctx = Context {
            path: Path::new("/nonexistent/package-lock.json"),
            display: Path::new("package-lock.json"),
        };
        assert!(parse(&ctx, &base).is_ok());
        assert!(stream_agrees(base.as_bytes(), &ctx), "the stream reads it");
        let bytes = base.as_bytes();
        let mut variants: Vec<Vec<u8>> = Vec::new();
        for at in 0..=bytes.len() {
            variants.push(bytes[..at].to_vec());
            if at < bytes.len() {
                variants.push([&bytes[..at], &bytes[at + 1..]].concat());
            }
            for &b in b",:{}[]\"\\ \nx0" {
                variants.push([&bytes[..at], &[b][..], &bytes[at..]].concat());
            }
        }
        let (mut read, mut valid) = (0, 0);
        for v in &variants {
            let ok = std::str::from_utf8(v).is_ok_and(|t| parse(&ctx, t).is_ok());
            valid += usize::from(ok);
            read += usize::from(stream_agrees(v, &ctx) && ok);
        }
        // White space put in, for one: the stream reads what the text reads.
        assert!(valid > 1000 && read == valid, "{read} of {valid} read");
    }

    /// Hand-written: nesting at serde_json's depth limit, keys with escapes, a BOM, a
    /// key or a section twice: the stream reads these as the text is read, or gives up.
    #[test]
    fn streaming_edge_cases_agrees_with_the_text() {
        let ctx = Context {
            path: Path::new("/nonexistent/package-lock.json"),
            display: Path::new("package-lock.json"),
        };
        let entry = r#""node_modules/a": {"version": "1.0.0"}"#;
        let doc = |packages: &str, rest: &str| {
            format!("{{\"lockfileVersion\": 3, \"packages\": {{{packages}}}{rest}}}")
        };
        let nest = |k: usize| format!("{}1{}", "[".repeat(k), "]".repeat(k));
        let mut cases: Vec<(String, bool)> = vec![
            (doc(entry, ""), true),
            (format!("\u{feff}{}", doc(entry, "")), true),
            (
                doc(r#""node_modules/\u0061": {"version": "1.0.0"}"#, ""),
                true,
            ),
            (doc(&format!("{entry},\n{entry}"), ""), false),
            (doc(entry, r#", "packages": {}"#), false),
            (doc("", &format!(r#", "packages": {{{entry}}}"#)), true),
            (
                doc(
                    entry,
                    r#", "lockfileVersion": 2, "name": "x", "name": null"#,
                ),
                true,
            ),
            (
                doc(entry, r#", "dependencies": 5, "dependencies": {}"#),
                false,
            ),
            (
                doc(entry, r#", "dependencies": {"a": {"version": "1.0.0"}}"#),
                true,
            ),
            (
                doc(
                    entry,
                    r#", "dependencies": {"\u0061": {"version": "1.0.0"}}"#,
                ),
                true,
            ),
            (doc(entry, "") + " x", false),
            (doc(entry, ", "), false),
            (doc(entry, r#", "lockfileVersion": 3 4"#), false),
        ];
        for k in 120..=130 {
            let deep = nest(k);
            cases.push((
                doc(
                    &format!(r#"{entry}, "node_modules/b": {{"version": "1.0.0", "x": {deep}}}"#),
                    "",
                ),
                true,
            ));
            cases.push((doc(&format!(r#""": {{"workspaces": {deep}}}"#), ""), true));
            cases.push((doc(entry, &format!(r#", "x": {deep}"#)), true));
            cases.push((doc(entry, &format!(r#", "lockfileVersion": {deep}"#)), true));
        }
        for (text, _) in &cases {
            stream_agrees(text.as_bytes(), &ctx);
        }
        // The usual ones are read by the stream itself.
        for (text, _) in cases.iter().filter(|(_, usual)| *usual).take(3) {
            assert!(stream_agrees(text.as_bytes(), &ctx), "{text}");
        }
    }

    /// A key with escapes (hand-written) is not borrowed from the text, so its line
    /// is counted by reading the text again: every line is still the line of its key.
    #[test]
    fn a_key_with_escapes_keeps_its_line() {
        let t = "{\"lockfileVersion\": 3, \"packages\": {\n\"\": {},\n\"node_modules/\\u0061\": {\"version\": \"1.0.0\"},\n\n\"node_modules/b\": {\"version\": \"2.0.0\"}}}";
        let lock = parse_str(t).unwrap();
        let got = crate::lockfile::test_support::where_read(&lock.packages);
        assert_eq!(got, [("a", "1.0.0", 3), ("b", "2.0.0", 5)]);
    }

    /// Two `packages` objects (hand-written, adversarial): npm keeps the last, and the
    /// first being non-empty makes the lines of the keys disagree: refused, as before.
    #[test]
    fn a_second_packages_object_is_refused_unless_the_first_is_empty() {
        let two = r#"{"lockfileVersion": 3, "packages": {"node_modules/a": {"version": "1.0.0"}},
 "packages": {"node_modules/b": {"version": "2.0.0"}}}"#;
        let err = parse_str(two).expect_err("refused");
        assert!(
            err.to_string()
                .contains("could not locate every `packages` entry"),
            "{err}"
        );
        let empty_first = r#"{"lockfileVersion": 3, "packages": {},
 "packages": {"node_modules/b": {"version": "2.0.0"}}}"#;
        let lock = parse_str(empty_first).expect("parses");
        assert_eq!(lock.packages.len(), 1);
        assert_eq!(lock.packages[0].name, "b");
    }
}
