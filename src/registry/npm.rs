//! The npm registry's package documents (the "packument", `GET {registry}/{name}`).
//!
//! A scoped name is asked for with its slash encoded (`@types%2fnode`), as the npm
//! client does. From the document lockgate reads `versions[v].dist.integrity` (an SRI
//! string, usually `sha512-…`), `versions[v].dist.shasum` (sha1 hex), and
//! `versions[v].dist.tarball` (for deep mode), `versions[v].scripts` install hooks and
//! `gypfile` (code run at install), and `time[v]`, the publish time of
//! each version. npm has no yank: an unpublished version disappears from `versions`
//! (and a fully unpublished package keeps only `time.unpublished`). Deprecation
//! messages are not read.

use super::{FileInfo, VersionInfo, parse_timestamp};
use crate::model::Hash;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// The public npm registry.
pub const DEFAULT_REGISTRY: &str = "https://registry.npmjs.org/";

/// True when a name can be asked for: `name` or `@scope/name`, without characters
/// that npm forbids in names (spaces, `~)('!*` and other URL-unsafe characters).
pub fn valid_name(name: &str) -> bool {
    let body = match name.strip_prefix('@') {
        Some(rest) => match rest.split_once('/') {
            Some((scope, n)) if !scope.is_empty() && !n.is_empty() && !n.contains('/') => {
                return ok_part(scope) && ok_part(n);
            }
            _ => return false,
        },
        None => name,
    };
    ok_part(body)
}

fn ok_part(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 214
        && !s.starts_with('.')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// The URL of a package document under `base` (which ends with `/`): `@scope/name`
/// becomes `@scope%2fname`.
pub fn document_url(base: &str, name: &str) -> String {
    format!("{base}{}", name.replacen('/', "%2f", 1))
}

/// A package document's `versions` (each read as `V`) and `time`: what both the
/// hash reader here and the publisher reader (`registry::publisher::npm`) take from it.
#[derive(Deserialize)]
#[serde(bound(deserialize = "V: Deserialize<'de>"))]
pub(crate) struct Document<V> {
    /// Version → its record.
    #[serde(default)]
    pub(crate) versions: HashMap<String, V>,
    #[serde(default)]
    time: HashMap<String, serde_json::Value>,
}

impl<V: serde::de::DeserializeOwned> Document<V> {
    /// Read a package document; an error says it is not one.
    pub(crate) fn read(body: &[u8]) -> Result<Self, String> {
        serde_json::from_slice(body).map_err(|e| format!("not an npm package document: {e}"))
    }

    /// The publish time of `version` (`time[version]`), if the document has one; an
    /// unreadable time is an error.
    pub(crate) fn published(&self, version: &str) -> Result<Option<i64>, String> {
        match self.time.get(version).and_then(|t| t.as_str()) {
            Some(t) => parse_timestamp(t)
                .map(Some)
                .ok_or_else(|| format!("time[{version}] {t:?} is not an ISO 8601 time")),
            None => Ok(None),
        }
    }
}

#[derive(Deserialize)]
struct Version {
    dist: Dist,
    /// The published package.json's `scripts` (install hooks read; others ignored).
    #[serde(default)]
    scripts: Option<serde_json::Value>,
    /// `true` when the package has a `binding.gyp` (npm runs node-gyp for it).
    #[serde(default)]
    gypfile: Option<serde_json::Value>,
}

/// The npm lifecycle scripts that run when a package is installed.
pub const INSTALL_HOOKS: &[&str] = &["preinstall", "install", "postinstall"];

/// The install-time code a version record declares: one line per hook
/// (`postinstall: node setup.js`), and `gypfile` (node-gyp builds a binding.gyp).
fn install_scripts(v: &Version) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(scripts) = v.scripts.as_ref().and_then(|s| s.as_object()) {
        for hook in INSTALL_HOOKS {
            if let Some(cmd) = scripts.get(*hook) {
                let cmd = cmd.as_str().unwrap_or("(not a string)");
                out.push(format!("{hook}: {cmd}"));
            }
        }
    }
    if v.gypfile.as_ref().and_then(|g| g.as_bool()) == Some(true) {
        out.push("gypfile: node-gyp builds its binding.gyp".to_string());
    }
    out
}

#[derive(Deserialize)]
struct Dist {
    #[serde(default)]
    integrity: Option<String>,
    #[serde(default)]
    shasum: Option<String>,
    #[serde(default)]
    tarball: Option<String>,
}

/// Parse a package document into its versions. A version whose `dist` carries a
/// malformed hash, or a document that is not JSON of this shape, is an error.
pub fn parse(body: &[u8], name: &str) -> Result<BTreeMap<String, VersionInfo>, String> {
    let mut doc = Document::<Version>::read(body)?;
    let mut out = BTreeMap::new();
    for (v, ver) in std::mem::take(&mut doc.versions) {
        let mut hashes = Vec::new();
        if let Some(sri) = ver
            .dist
            .integrity
            .as_deref()
            .filter(|s| !s.trim().is_empty())
        {
            hashes.extend(
                Hash::from_sri_list(sri).map_err(|e| format!("{name}@{v}: dist.integrity: {e}"))?,
            );
        }
        if let Some(sha1) = ver.dist.shasum.as_deref().filter(|s| !s.trim().is_empty()) {
            hashes.push(
                Hash::from_hex("sha1", sha1)
                    .map_err(|e| format!("{name}@{v}: dist.shasum: {e}"))?,
            );
        }
        hashes.sort();
        hashes.dedup();
        let published = doc.published(&v).map_err(|e| format!("{name}: {e}"))?;
        let filename = ver
            .dist
            .tarball
            .as_deref()
            .and_then(|t| t.rsplit('/').next())
            .unwrap_or("")
            .to_string();
        out.insert(
            v,
            VersionInfo {
                install_scripts: Some(install_scripts(&ver)),
                files: vec![FileInfo {
                    filename,
                    url: ver.dist.tarball,
                    hashes,
                    uploaded: published,
                    yanked: false,
                    yanked_reason: None,
                }],
                published,
                yanked: false,
            },
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scoped_names_are_encoded() {
        assert_eq!(
            document_url("https://registry.npmjs.org/", "@types/node"),
            "https://registry.npmjs.org/@types%2fnode"
        );
        assert_eq!(
            document_url("http://h/npm/", "left-pad"),
            "http://h/npm/left-pad"
        );
        assert!(valid_name("@types/node"));
        assert!(!valid_name("../etc"));
        assert!(!valid_name("@a/b/c"));
    }

    #[test]
    fn install_hooks_and_gypfile_are_read_other_scripts_are_not() {
        let v = parse(br#"{"versions":{"1.0.0":{"dist":{},"scripts":{"test":"mocha","postinstall":"node x.js"},"gypfile":true},"2.0.0":{"dist":{},"scripts":{"build":"tsc"}}}}"#, "x").unwrap();
        assert_eq!(
            v["1.0.0"].install_scripts.as_deref(),
            Some(
                &[
                    "postinstall: node x.js".to_string(),
                    "gypfile: node-gyp builds its binding.gyp".to_string()
                ][..]
            )
        );
        assert_eq!(v["2.0.0"].install_scripts.as_deref(), Some(&[][..]));
    }

    #[test]
    fn unpublished_document_has_no_versions() {
        let v = parse(br#"{"name":"x","time":{"created":"2020-01-01T00:00:00.000Z","unpublished":{"time":"2020-01-02T00:00:00.000Z"}}}"#, "x").unwrap();
        assert!(v.is_empty());
        assert!(parse(b"[1,2]", "x").is_err());
    }
}
