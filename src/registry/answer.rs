//! What a registry says: [`Answer`] about a name, [`PackageInfo`] about a package,
//! [`VersionInfo`] about one version and [`FileInfo`] about one of its files. The
//! per-ecosystem readers ([`super::cargo`], [`super::npm`], [`super::pypi`]) produce
//! these; the checks read them.

use super::pypi;
use crate::model::{Ecosystem, Hash};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// One distribution file of a version (cargo and npm have one per version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileInfo {
    /// File name (`serde-1.0.0.crate`, `left-pad-1.3.0.tgz`, `six-1.16.0-py2.py3-none-any.whl`).
    pub filename: String,
    /// Where to download it (cargo: from `config.json`, see [`super::cargo::download_url`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The hashes the registry publishes for it.
    #[serde(with = "hash_strings")]
    pub hashes: Vec<Hash>,
    /// Upload time (Unix seconds), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uploaded: Option<i64>,
    /// Yanked (PyPI per file; cargo per version).
    #[serde(default)]
    pub yanked: bool,
    /// Why it was yanked, when the registry says (PEP 592).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yanked_reason: Option<String>,
}

/// What a registry says about one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionInfo {
    /// Its files and their hashes.
    pub files: Vec<FileInfo>,
    /// Code that runs when it is installed, as the registry's record says (npm:
    /// `scripts.preinstall`/`install`/`postinstall` and `gypfile`, one line each, e.g.
    /// `postinstall: node setup.js`): `Some(empty)` says none, `None` the registry
    /// does not tell (cargo, PyPI). See `checks::install_script`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install_scripts: Option<Vec<String>>,
    /// First publish time (Unix seconds), when the registry says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<i64>,
    /// Yanked (for PyPI: every file yanked).
    #[serde(default)]
    pub yanked: bool,
}

impl VersionInfo {
    /// Every hash of every file, sorted and deduplicated.
    pub fn hashes(&self) -> Vec<Hash> {
        let mut out: Vec<Hash> = self
            .files
            .iter()
            .flat_map(|f| f.hashes.iter().cloned())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The hashes to pin in an allowlist: every file's hashes, without sha1 and md5
    /// where the registry also publishes a stronger digest of the same file.
    pub fn pin_hashes(&self) -> Vec<Hash> {
        let mut out: Vec<Hash> = Vec::new();
        for f in &self.files {
            let strong = f
                .hashes
                .iter()
                .any(|h| !matches!(h.algorithm.as_str(), "sha1" | "md5"));
            out.extend(
                f.hashes
                    .iter()
                    .filter(|h| !strong || !matches!(h.algorithm.as_str(), "sha1" | "md5"))
                    .cloned(),
            );
        }
        out.sort();
        out.dedup();
        out
    }

    /// Does the registry publish any hash of this algorithm for the version?
    pub fn has_algorithm(&self, algorithm: &str) -> bool {
        self.files
            .iter()
            .flat_map(|f| &f.hashes)
            .any(|h| h.algorithm == algorithm)
    }
}

/// A package as the registry describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageInfo {
    /// Ecosystem.
    pub ecosystem: Ecosystem,
    /// The name asked for.
    pub name: String,
    /// The document's URL.
    pub url: String,
    /// Every published version, keyed as the registry writes it.
    pub versions: BTreeMap<String, VersionInfo>,
    /// Versions whose published hashes changed since lockgate first cached them:
    /// version → the hashes first seen.
    pub changed: BTreeMap<String, Vec<Hash>>,
    /// When the answer was fetched (Unix seconds).
    pub fetched: i64,
}

impl PackageInfo {
    /// A version, by exact spelling, else (PyPI) by its loose PEP 440 form.
    pub fn version(&self, v: &str) -> Option<&VersionInfo> {
        find_version(self.ecosystem, &self.versions, v).map(|(_, x)| x)
    }
}

/// A version in a registry's list, by exact spelling, else (PyPI) by its loose PEP 440
/// form; with the key the registry writes it under.
pub(super) fn find_version<'a, T>(
    eco: Ecosystem,
    versions: &'a BTreeMap<String, T>,
    v: &str,
) -> Option<(&'a String, &'a T)> {
    if eco == Ecosystem::Pypi {
        crate::version::lookup_by(versions, v, pypi::loose_version)
    } else {
        versions.get_key_value(v)
    }
}

/// The registry's answer about a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The package exists.
    Found(Arc<PackageInfo>),
    /// The registry has no such package (404 or 410), or the name cannot exist there.
    NotFound {
        /// What was asked.
        url: String,
    },
}

mod hash_strings {
    use crate::model::Hash;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(hashes: &[Hash], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(hashes.iter().map(|h| h.to_string()))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Hash>, D::Error> {
        let v: Vec<String> = Vec::deserialize(d)?;
        v.iter()
            .map(|s| Hash::parse(s).map_err(serde::de::Error::custom))
            .collect()
    }
}
