//! The on-disk cache of registry answers.
//!
//! Storage and policy: what is kept, when it is fresh ([`Entry::is_fresh`]), and how
//! a refreshed document is merged with the cached one ([`Entry::refreshed`]).
//!
//! One JSON file per registry and package:
//! `{dir}/v1/{ecosystem}/{first 16 hex of sha256(registry URL)}/{escaped name}.json`,
//! holding what lockgate read from the document (per version: file names, URLs, hashes,
//! publish times, yanked flags), whether the package exists, when it was fetched, and
//! the response's `ETag` / `Last-Modified`.
//!
//! Lifetimes: within the TTL an entry is used as is (no request). After it, the entry
//! is revalidated with a conditional request (`If-None-Match` / `If-Modified-Since`;
//! `304 Not Modified` costs no body) because existence and yanked state change. The
//! hashes of a published version never change: when a refreshed document gives a
//! version other hashes than the cached one, the first-seen hashes are kept alongside
//! and reported (see [`Entry::changed`]). Writes are atomic (temporary file, rename),
//! so concurrent runs never read half an entry; an unreadable entry is ignored.

use super::VersionInfo;
use crate::lockfile::{Ecosystem, Hash};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The cache layout version (a folder name); bump when [`Entry`] changes incompatibly.
pub const LAYOUT: &str = "v1";

/// One cached registry answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The document's URL.
    pub url: String,
    /// When it was fetched or last revalidated (Unix seconds).
    pub fetched: i64,
    /// `ETag` of the response, for revalidation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// `Last-Modified` of the response, for revalidation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// False when the registry answered 404/410 (no such package).
    pub found: bool,
    /// Every version the document lists.
    #[serde(default)]
    pub versions: BTreeMap<String, VersionInfo>,
    /// Versions whose published hashes changed between two fetches: version →
    /// the hashes first seen (canonical strings). Kept for good once recorded.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub changed: BTreeMap<String, Vec<String>>,
}

impl Entry {
    /// Usable without asking the registry: fetched (or revalidated) less than `ttl`
    /// ago, or any age when `offline` forbids the network.
    pub fn is_fresh(&self, now: i64, ttl: Duration, offline: bool) -> bool {
        let age = now.saturating_sub(self.fetched);
        offline || (age >= 0 && (age as u64) < ttl.as_secs())
    }

    /// The entry after the registry answered `304 Not Modified` at `now`.
    pub fn revalidated(mut self, now: i64) -> Entry {
        self.fetched = now;
        self
    }

    /// The entry of a name the registry does not have (`404`/`410` at `now`).
    pub fn not_found(
        url: String,
        now: i64,
        etag: Option<String>,
        last_modified: Option<String>,
    ) -> Entry {
        Entry {
            url,
            fetched: now,
            etag,
            last_modified,
            found: false,
            versions: BTreeMap::new(),
            changed: BTreeMap::new(),
        }
    }

    /// The entry of a document read at `now`. Hashes of a published version never
    /// change: a version that `previous` knew with other hashes is recorded in
    /// [`Entry::changed`] with the first-seen hashes, and stays there.
    pub fn refreshed(
        previous: Option<&Entry>,
        url: String,
        now: i64,
        etag: Option<String>,
        last_modified: Option<String>,
        versions: BTreeMap<String, VersionInfo>,
    ) -> Entry {
        let mut changed = previous.map(|c| c.changed.clone()).unwrap_or_default();
        if let Some(old) = previous {
            for (v, info) in &old.versions {
                if let Some(new) = versions.get(v)
                    && !changed.contains_key(v)
                    && !info.hashes().is_empty()
                    && info.hashes() != new.hashes()
                {
                    changed.insert(
                        v.clone(),
                        info.hashes().iter().map(Hash::to_string).collect(),
                    );
                }
            }
        }
        Entry {
            url,
            fetched: now,
            etag,
            last_modified,
            found: true,
            versions,
            changed,
        }
    }
}

/// The cache folder.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// A cache rooted at `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Cache {
        Cache { dir: dir.into() }
    }

    /// The root folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of one package of one registry.
    pub fn path(&self, eco: Ecosystem, registry: &str, name: &str) -> PathBuf {
        let digest = Sha256::digest(registry.as_bytes());
        let reg = crate::lockfile::hash::to_hex(&digest[..8]);
        self.dir
            .join(LAYOUT)
            .join(eco.as_str())
            .join(reg)
            .join(format!("{}.json", escape(&eco.normalize(name))))
    }

    /// The cached entry, if there is a readable one.
    pub fn load(&self, eco: Ecosystem, registry: &str, name: &str) -> Option<Entry> {
        let bytes = std::fs::read(self.path(eco, registry, name)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Store an entry (atomically). Errors are returned for the caller to ignore or
    /// report: a cache that cannot be written only costs speed.
    pub fn store(
        &self,
        eco: Ecosystem,
        registry: &str,
        name: &str,
        entry: &Entry,
    ) -> std::io::Result<()> {
        let path = self.path(eco, registry, name);
        let dir = path.parent().unwrap_or(&self.dir);
        std::fs::create_dir_all(dir)?;
        let bytes = serde_json::to_vec(entry).map_err(std::io::Error::other)?;
        let tmp = dir.join(format!(
            ".{}.{}.tmp",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("entry"),
            std::process::id()
        ));
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, &path).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    }
}

/// A file name for a package name: ASCII letters, digits, `-`, `_`, `.`, `@` kept,
/// everything else (including `/`) as `%XX`, so no name can leave its folder.
pub fn escape(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'@') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02x}"));
        }
    }
    if out.starts_with('.') {
        out.replace_range(0..1, "%2e");
    }
    out
}

/// The default cache folder: `LOCKGATE_CACHE_DIR`, else `$XDG_CACHE_HOME/lockgate`,
/// else `~/.cache/lockgate` (`%LOCALAPPDATA%\lockgate` on Windows).
pub fn default_dir() -> Option<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(d) = env("LOCKGATE_CACHE_DIR") {
        return Some(d);
    }
    if let Some(d) = env("XDG_CACHE_HOME") {
        return Some(d.join("lockgate"));
    }
    if cfg!(windows)
        && let Some(d) = env("LOCALAPPDATA")
    {
        return Some(d.join("lockgate"));
    }
    env("HOME").map(|h| h.join(".cache").join("lockgate"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_escape_the_folder() {
        assert_eq!(escape("@types/node"), "@types%2fnode");
        assert_eq!(escape(".."), "%2e.");
        assert_eq!(escape("a b"), "a%20b");
    }

    #[test]
    fn store_then_load() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        let e = Entry {
            url: "u".into(),
            fetched: 5,
            etag: Some("\"x\"".into()),
            last_modified: None,
            found: false,
            versions: BTreeMap::new(),
            changed: BTreeMap::new(),
        };
        cache
            .store(Ecosystem::Npm, "https://r/", "@a/b", &e)
            .unwrap();
        assert_eq!(cache.load(Ecosystem::Npm, "https://r/", "@a/b"), Some(e));
        assert_eq!(cache.load(Ecosystem::Npm, "https://other/", "@a/b"), None);
    }
}
