//! Yarn berry (v2+) `yarn.lock`: YAML entries, resolutions, catalogs and patches (see [`super`]).

use super::builder::{Builder, FastMap, split_descriptor};
use super::manifest::read_manifest;
use crate::lockfile::graph::Root;
use crate::lockfile::yaml::node::{map, string};
use crate::lockfile::yaml::subset::Node;
use crate::lockfile::yaml::{FromNode, LinedMap};
use crate::lockfile::{Context, Hash, Lockfile, ParseError, Source};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// Newest berry `__metadata.version` lockgate knows.
const BERRY_NEWEST: u32 = 10;
/// Oldest berry `__metadata.version` lockgate knows.
const BERRY_OLDEST: u32 = 4;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct BerryEntry<'a> {
    version: Option<Cow<'a, str>>,
    resolution: Option<Cow<'a, str>>,
    checksum: Option<Cow<'a, str>>,
    #[serde(rename = "cacheKey")]
    cache_key: Option<Cow<'a, str>>,
    dependencies: BTreeMap<Cow<'a, str>, Cow<'a, str>>,
    #[serde(rename = "dependenciesMeta")]
    dependencies_meta: BTreeMap<Cow<'a, str>, DepMeta>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct DepMeta {
    optional: Option<bool>,
}

// The same structs read from the fast YAML reader's tree (see `crate::lockfile::yaml`),
// field by field as `serde` reads them above; `None` sends the file to the full parser.
// Their strings borrow from the text.

impl<'a> FromNode<'a> for BerryEntry<'a> {
    fn from_node(node: &Node<'a>) -> Option<Self> {
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

impl<'a> FromNode<'a> for DepMeta {
    fn from_node(node: &Node<'a>) -> Option<Self> {
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
pub(super) fn percent_decode(s: &str) -> String {
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
#[cfg(test)]
pub(super) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    percent_encode_into(s, &mut out);
    out
}

/// encodeURIComponent (`percent_encode`), appended to `out`.
fn percent_encode_into(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}

pub(super) enum BerryKind {
    Workspace(String),
    Package { name: String, source: Source },
}

/// Classify a berry resolution (`name@npm:1.2.3`, `name@workspace:.`, `name@patch:…`).
pub(super) fn berry_kind(resolution: &str) -> Result<BerryKind, String> {
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
            source: Source::Git {
                url,
                rev: rev.map(Into::into),
            },
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

pub(super) fn parse_berry(ctx: &Context<'_>, text: &str) -> Result<Lockfile, ParseError> {
    let doc: LinedMap<'_, BerryEntry<'_>> = crate::lockfile::yaml::read(ctx, text)?;
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
    let cache_key = meta.cache_key.as_deref().unwrap_or_default();

    let mut b = Builder::new(ctx);
    let entries: Vec<&(Cow<'_, str>, usize, BerryEntry<'_>)> =
        doc.0.iter().filter(|(k, _, _)| k != "__metadata").collect();
    // descriptor -> entry position; entry position -> record or workspace root
    let mut by_descriptor: FastMap<&str, usize> =
        FastMap::with_capacity_and_hasher(entries.len() * 2, Default::default());
    let mut by_unbound: FastMap<&str, Option<usize>> =
        FastMap::with_capacity_and_hasher(entries.len() * 2, Default::default());
    enum Node {
        Rec(usize),
        Ws,
    }
    let mut nodes: Vec<Node> = Vec::with_capacity(entries.len());
    let mut workspaces: Vec<(String, String, usize)> = Vec::new(); // (name, path, entry pos)
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
                let version = e
                    .version
                    .as_deref()
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| {
                        ctx.error(Some(line), format!("entry `{key}` has no version"))
                    })?;
                let mut hashes = Vec::new();
                if let Some(c) = &e.checksum {
                    hashes.push(
                        berry_checksum(c, cache_key)
                            .map_err(|m| ctx.error(Some(line), format!("entry `{key}`: {m}")))?,
                    );
                }
                let rec = b.add(name, version.to_string(), source, hashes, line);
                nodes.push(Node::Rec(rec));
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
            if by_descriptor.insert(d, pos).is_some() {
                return Err(ctx.error(Some(line), format!("descriptor `{d}` has two entries")));
            }
            let unbound = d.split("::").next().unwrap_or(d);
            by_unbound
                .entry(unbound)
                .and_modify(|v| *v = None)
                .or_insert(Some(pos));
        }
    }

    let has_locator = by_descriptor.keys().any(|d| d.contains("::locator="));
    // `dep@range`, else `dep@range::locator=<parent>`, else the only `dep@range::…`;
    // `protocol` is put before `range` (Yarn's default one, or none). `buf` is scratch.
    let lookup = |dep: &str,
                  protocol: &str,
                  range: &str,
                  parent_resolution: &str,
                  buf: &mut String|
     -> Option<usize> {
        buf.clear();
        buf.extend([dep, "@", protocol, range]);
        if let Some(&p) = by_descriptor.get(buf.as_str()) {
            return Some(p);
        }
        let plain = buf.len();
        // (no descriptor bound to a locator: none to look up)
        if has_locator {
            buf.push_str("::locator=");
            percent_encode_into(parent_resolution, buf);
            if let Some(&p) = by_descriptor.get(buf.as_str()) {
                return Some(p);
            }
            buf.truncate(plain);
        }
        by_unbound.get(buf.as_str()).copied().flatten()
    };
    // The root manifest's `resolutions` rewrite descriptors before they are resolved.
    let overrides = read_manifest(ctx, ctx.dir(), ".")?
        .map(|m| parse_overrides(&m.resolutions))
        .unwrap_or_default();
    // A dependency as Yarn resolves it: `resolutions` first, then the range as
    // written, then with Yarn's default protocol: Yarn 2 and 3 write `left-pad: ^1.3.0`
    // for the entry `left-pad@npm:^1.3.0`.
    // `catalog:` ranges (Yarn 4.10+) name a range in `.yarnrc.yml`'s `catalog` /
    // `catalogs.<name>`; without that file, the only entry of that name, if there is one.
    // The file is read when the first `catalog:` range is met.
    let catalogs = std::cell::OnceCell::new();
    let mut only_entry: FastMap<&str, Option<usize>> =
        FastMap::with_capacity_and_hasher(entries.len(), Default::default());
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
    let resolve = |dep: &str, range: &str, parent_key: &str, parent_res: &str, buf: &mut String| {
        let range = apply_overrides(&overrides, dep, range, parent_key).unwrap_or(range);
        let with_default = |r: &str, buf: &mut String| {
            needs_default_protocol(r)
                .then(|| lookup(dep, "npm:", r, parent_res, buf))
                .flatten()
        };
        if let Some(catalog) = range.strip_prefix("catalog:") {
            let catalogs = catalogs.get_or_init(|| read_catalogs(ctx.dir()));
            return match catalogs.range(catalog, dep) {
                Some(r) => lookup(dep, "", r, parent_res, buf).or_else(|| with_default(r, buf)),
                None => only_entry.get(dep).copied().flatten(),
            };
        }
        lookup(dep, "", range, parent_res, buf).or_else(|| with_default(range, buf))
    };
    // Every dependency names an entry of the lockfile, or the file is refused.
    let mut buf = String::new();
    let mut entry_of = |dep: &str, range: &str, key: &str, res: &str, line: usize| {
        resolve(dep, range, key, res, &mut buf).ok_or_else(|| {
            ctx.error(
                Some(line),
                format!("dependency `{dep}@{range}` has no entry in yarn.lock"),
            )
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
            let target = entry_of(dep, range, key, res, *line)?;
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
            } else if dev.contains(dep.as_ref()) {
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
            let target = entry_of(dep, range, key, res, *line)?;
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
pub(super) struct Catalogs {
    catalog: BTreeMap<String, String>,
    catalogs: BTreeMap<String, BTreeMap<String, String>>,
}

impl Catalogs {
    /// The range `catalog:<name>` (`name` empty: the default catalog) sets for `dep`.
    pub(super) fn range(&self, name: &str, dep: &str) -> Option<&str> {
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
pub(super) fn read_catalogs(dir: &Path) -> Catalogs {
    let Ok(text) = std::fs::read_to_string(dir.join(".yarnrc.yml")) else {
        return Catalogs::default();
    };
    serde_saphyr::from_str_with_options(&text, crate::lockfile::yaml::yaml_options())
        .unwrap_or_default()
}

/// The range with Yarn's default protocol (`npm:`) when it has none, as Yarn's
/// `normalizeDependency` does for a semver range or a tag; `None` when it has one.
pub(super) fn with_default_protocol(range: &str) -> Option<String> {
    needs_default_protocol(range).then(|| format!("npm:{range}"))
}

/// Whether Yarn gives `range` its default protocol: a semver range or a tag (no
/// protocol, not a path).
fn needs_default_protocol(range: &str) -> bool {
    let has_protocol = range.contains(':');
    let path_like = range.contains('/') || range.starts_with('.');
    !has_protocol && !path_like && !range.is_empty()
}

/// One `resolutions` entry: `[from/]name[@range]` and the range it sets. Yarn berry
/// ignores glob patterns (`**/name`: "Glob patterns have been removed", YN0057) and so
/// does lockgate.
pub(super) struct Override {
    from: Option<(String, Option<String>)>,
    name: String,
    range: Option<String>,
    to: String,
}

/// `name` or `name@range` (`@scope/name@range` included).
pub(super) fn name_and_range(s: &str) -> (String, Option<String>) {
    match split_descriptor(s) {
        Some((n, r)) => (n.to_string(), Some(r.to_string())),
        None => (s.to_string(), None),
    }
}

/// The root manifest's `resolutions` (Yarn berry's syntax), most specific first. A
/// pattern lockgate cannot parse is left out: a descriptor it would rewrite then has no
/// entry, an error.
pub(super) fn parse_overrides(resolutions: &BTreeMap<String, String>) -> Vec<Override> {
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
pub(super) fn apply_overrides<'o>(
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

/// True when every byte of `s` is a hex digit (either case); without an early exit,
/// so that the compiler checks many bytes at a time.
pub(super) fn all_hex_digits(s: &str) -> bool {
    s.bytes().fold(true, |ok, b| {
        ok & (b.wrapping_sub(b'0') < 10 || (b | 0x20).wrapping_sub(b'a') < 6)
    })
}

/// A berry checksum: `<cacheKey>/<128 hex>` or bare hex (older lockfiles; the
/// lockfile's `cacheKey` is prefixed).
pub(super) fn berry_checksum(c: &str, cache_key: &str) -> Result<Hash, String> {
    let (prefix, hex, whole) = match c.split_once('/') {
        Some((p, h)) => (p, h, true),
        None => (cache_key, c, false),
    };
    if hex.len() != 128 || !all_hex_digits(hex) || prefix.contains(char::is_whitespace) {
        return Err(format!(
            "checksum `{c}` is not `<cacheKey>/<128 hex digits>`"
        ));
    }
    Ok(if prefix.is_empty() {
        Hash::yarn_berry(hex)
    } else if whole {
        // `<prefix>/<hex>` as written
        Hash::yarn_berry(c)
    } else {
        Hash::yarn_berry(&format!("{prefix}/{hex}"))
    })
}
