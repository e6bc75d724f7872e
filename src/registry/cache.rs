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
//!
//! Beside each entry, a [`Versions`] record keeps only the versions runs asked about
//! (`{dir}/v1-versions/…`, same names): a warm `check --online` reads these few KB
//! instead of entries that reach megabytes for packages with thousands of versions.
//! A record is derived from its entry, follows the entry's freshness (the same
//! `fetched`), is removed whenever the entry is written, and is not written from an
//! entry whose file changed since it was read; a record that does not cover every
//! version asked sends the run back to the entry.

use super::VersionInfo;
use crate::model::{Ecosystem, Hash, NormalizedName};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The cache layout version (a folder name); bump when [`Entry`] changes incompatibly.
pub const LAYOUT: &str = "v1";

/// The folder of the [`Versions`] records (beside [`LAYOUT`]).
pub const VERSIONS_LAYOUT: &str = "v1-versions";

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
        fresh(self.fetched, now, ttl, offline)
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

/// The one freshness rule of the cache: fetched less than `ttl` ago, or any age when
/// `offline` forbids the network.
fn fresh(fetched: i64, now: i64, ttl: Duration, offline: bool) -> bool {
    let age = now.saturating_sub(fetched);
    offline || (age >= 0 && (age as u64) < ttl.as_secs())
}

/// What a run needs of an [`Entry`]: the versions it asked about, a few KB where the
/// entry of a package with thousands of versions is megabytes. Always derived from an
/// entry ([`Versions::from_entry`]) and written beside it in its own folder
/// (`{dir}/v1-versions/…`); writing the entry removes it first, so it is never newer
/// than the entry and never outlives it. It answers only when it is fresh by the
/// entry's rule (the same `fetched`) and lists every version asked; anything else goes
/// back to the entry (and, after the TTL, to the registry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Versions {
    /// The document's URL (as [`Entry::url`]).
    pub url: String,
    /// When the entry it came from was fetched or revalidated (Unix seconds).
    pub fetched: i64,
    /// False when the registry has no such package.
    pub found: bool,
    /// Each version as asked → the registry's record of it; `None` when the registry
    /// lists no such version.
    #[serde(default)]
    pub versions: BTreeMap<String, Option<VersionInfo>>,
    /// Versions as asked whose published hashes changed (see [`Entry::changed`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub changed: BTreeMap<String, Vec<String>>,
}

/// Most versions of one package kept in a [`Versions`] record; past this a new record
/// holds only the versions of the run that writes it.
pub const MAX_VERSIONS: usize = 1000;

impl Versions {
    /// The record of the versions `asked` (as a lockfile spells them), looked up in
    /// `entry` as [`super::PackageInfo::version`] does.
    pub fn from_entry<'a>(
        eco: Ecosystem,
        entry: &Entry,
        asked: impl IntoIterator<Item = &'a str>,
    ) -> Versions {
        let mut versions = BTreeMap::new();
        let mut changed = BTreeMap::new();
        if entry.found {
            for v in asked {
                let found = super::answer::find_version(eco, &entry.versions, v);
                if let Some(first) = found.and_then(|(key, _)| entry.changed.get(key)) {
                    changed.insert(v.to_string(), first.clone());
                }
                versions.insert(v.to_string(), found.map(|(_, info)| info.clone()));
            }
        }
        Versions {
            url: entry.url.clone(),
            fetched: entry.fetched,
            found: entry.found,
            versions,
            changed,
        }
    }

    /// Usable without the entry: fresh by the entry's rule ([`Entry::is_fresh`]).
    pub fn is_fresh(&self, now: i64, ttl: Duration, offline: bool) -> bool {
        fresh(self.fetched, now, ttl, offline)
    }

    /// Does it answer for every version in `asked`?
    pub fn covers<'a>(&self, mut asked: impl Iterator<Item = &'a str>) -> bool {
        !self.found || asked.all(|v| self.versions.contains_key(v))
    }
}

/// The size and modification time of a cache file, to tell whether another run
/// rewrote it meanwhile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp(u64, Option<std::time::SystemTime>);

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
        self.file(LAYOUT, eco, registry, name)
    }

    /// The file of the [`Versions`] record of one package of one registry.
    pub fn versions_path(&self, eco: Ecosystem, registry: &str, name: &str) -> PathBuf {
        self.file(VERSIONS_LAYOUT, eco, registry, name)
    }

    /// `<layout>/<ecosystem>/<registry digest>/<escaped normalised name>.json`.
    fn file(&self, layout: &str, eco: Ecosystem, registry: &str, name: &str) -> PathBuf {
        let digest = Sha256::digest(registry.as_bytes());
        let reg = crate::model::hash::to_hex(&digest[..8]);
        self.dir
            .join(layout)
            .join(eco.as_str())
            .join(reg)
            .join(format!("{}.json", escape(&NormalizedName::new(eco, name))))
    }

    /// The cached entry, if there is a readable one.
    pub fn load(&self, eco: Ecosystem, registry: &str, name: &str) -> Option<Entry> {
        self.load_stamped(eco, registry, name).map(|(e, _)| e)
    }

    /// The cached entry with the [`Stamp`] of its file as it was before reading.
    pub fn load_stamped(
        &self,
        eco: Ecosystem,
        registry: &str,
        name: &str,
    ) -> Option<(Entry, Stamp)> {
        let path = self.path(eco, registry, name);
        let stamp = stamp(&path)?;
        let bytes = std::fs::read(path).ok()?;
        Some((serde_json::from_slice(&bytes).ok()?, stamp))
    }

    /// The [`Stamp`] of an entry's file now (`None`: no file).
    pub fn stamp(&self, eco: Ecosystem, registry: &str, name: &str) -> Option<Stamp> {
        stamp(&self.path(eco, registry, name))
    }

    /// The cached [`Versions`] record, if there is a readable one.
    pub fn load_versions(&self, eco: Ecosystem, registry: &str, name: &str) -> Option<Versions> {
        let bytes = std::fs::read(self.versions_path(eco, registry, name)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Store a [`Versions`] record (atomically).
    pub fn store_versions(
        &self,
        eco: Ecosystem,
        registry: &str,
        name: &str,
        record: &Versions,
    ) -> std::io::Result<()> {
        let bytes = serde_json::to_vec(record).map_err(std::io::Error::other)?;
        write_atomically(&self.versions_path(eco, registry, name), &bytes)
    }

    /// Store an entry (atomically), removing its [`Versions`] record first so that
    /// none derived from an older entry survives. Errors are returned for the caller to
    /// ignore or report: a cache that cannot be written only costs speed.
    pub fn store(
        &self,
        eco: Ecosystem,
        registry: &str,
        name: &str,
        entry: &Entry,
    ) -> std::io::Result<()> {
        match std::fs::remove_file(self.versions_path(eco, registry, name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        let bytes = serde_json::to_vec(entry).map_err(std::io::Error::other)?;
        write_atomically(&self.path(eco, registry, name), &bytes)
    }
}

fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    Some(Stamp(m.len(), m.modified().ok()))
}

/// Write a file through a temporary file and a rename, so readers see the old file or
/// the new one, never half of one.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("entry"),
        std::process::id()
    ));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// A file name for a package name: ASCII letters, digits, `-`, `_`, `.`, `@` kept,
/// everything else (including `/`) as `%XX`, so no name can leave its folder.
pub fn escape(name: &str) -> String {
    // Lowercase hex: the names of files already cached must not change.
    let mut out = super::percent_encode(name, b"-_.@", false);
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
        crate::test_support::assert_maps(
            escape,
            &[
                ("@types/node", "@types%2fnode"),
                ("..", "%2e."),
                ("a b", "a%20b"),
            ],
        );
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
