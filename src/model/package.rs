//! One package version as a lockfile pins it, and the files it is made of.

use super::{DepPath, Ecosystem, Hash, NormalizedName, PackageKey, SharedPath, Source};
use serde::{Serialize, Serializer};
use std::path::Path;

/// One distinct package version that a lockfile pins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    /// The ecosystem it belongs to.
    pub ecosystem: Ecosystem,
    /// The name as the lockfile writes it (npm scopes kept: `@types/node`).
    pub name: String,
    /// The version as the lockfile writes it.
    pub version: String,
    /// Every hash the lockfile records for this version, canonical and sorted.
    pub hashes: Vec<Hash>,
    /// `registry`, `git`, `path` or `url`.
    #[serde(rename = "source", serialize_with = "ser_source_kind")]
    pub source: Source,
    /// The lockfile, as a path relative to where the scan started (one allocation
    /// shared by every package of the lockfile).
    pub lockfile: SharedPath,
    /// 1-based line of the package's entry in the lockfile.
    pub line: usize,
    /// True when a root (the project or a workspace member) depends on it directly.
    pub direct: bool,
    /// True when only development dependencies lead to it.
    pub dev: bool,
    /// True when only optional dependencies lead to it.
    pub optional: bool,
    /// The shortest chain of names from a root to this package, root first.
    pub path: DepPath,
    /// The files the lockfile names for this version (a tarball, an sdist, each
    /// wheel), each with its own URL: the source policy applies to every one. Not in
    /// the JSON output (`hashes` is the union of their hashes).
    #[serde(skip)]
    pub artifacts: Vec<Artifact>,
    /// When the version's files were uploaded, as the lockfile records it (Unix
    /// seconds): the LATEST upload time among the artifacts it names (a file added
    /// later to an old release is new code). `None` when the lockfile records none
    /// (uv.lock and pylock.toml `upload-time`, pnpm's `time:` carry it).
    #[serde(skip)]
    pub upload_time: Option<i64>,
    /// Whether code runs when it is installed, as the lockfile (or the registry, or the
    /// artifact in deep mode) says: `Some(true)` an install script (npm `preinstall`/
    /// `install`/`postinstall`, a `binding.gyp`, a PyPI sdist built by its backend, a
    /// crate's `build.rs` or proc-macro), `Some(false)` the source says there is none,
    /// `None` unknown (the format does not record it). See `checks::install_script`.
    #[serde(skip)]
    pub install_script: Option<bool>,
}

/// One file of a package version as the lockfile names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Artifact {
    /// The URL the installer downloads it from, as written (`None` when the lockfile
    /// gives only a file name, or the file comes from the package's registry by name).
    pub url: Option<String>,
    /// The file name, when the lockfile gives one apart from the URL
    /// (poetry's `file`, pdm's `file`, pylock's `name`).
    pub filename: Option<String>,
    /// The hashes the lockfile gives for this file (empty when it gives none).
    pub hashes: Vec<Hash>,
    /// 1-based line in the lockfile where the file is named.
    pub line: usize,
}

impl Artifact {
    /// An artifact downloaded from `url` (if known), named at `line`, with its hashes.
    pub fn new(url: Option<String>, hashes: Vec<Hash>, line: usize) -> Artifact {
        Artifact {
            url,
            filename: None,
            hashes,
            line,
        }
    }

    /// The file name: the explicit one, else the last path segment of the URL
    /// (without query or fragment).
    pub fn file_name(&self) -> Option<&str> {
        if let Some(f) = &self.filename {
            return Some(f.as_str());
        }
        let url = self.url.as_deref()?;
        let url = url.split(['?', '#']).next().unwrap_or(url);
        url.rsplit('/').next().filter(|f| !f.is_empty())
    }
}

fn ser_source_kind<S: Serializer>(src: &Source, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(src.kind())
}

impl Package {
    /// A package with the facts every lockfile gives; the optional ones start empty
    /// (no hashes, no artifacts, not direct, not dev, not optional, no path).
    pub fn new(
        ecosystem: Ecosystem,
        name: impl Into<String>,
        version: impl Into<String>,
        source: Source,
        lockfile: impl AsRef<Path>,
        line: usize,
    ) -> Package {
        Package {
            ecosystem,
            name: name.into(),
            version: version.into(),
            hashes: Vec::new(),
            source,
            lockfile: SharedPath::new(lockfile.as_ref()),
            line,
            direct: false,
            dev: false,
            optional: false,
            path: DepPath::EMPTY,
            artifacts: Vec::new(),
            upload_time: None,
            install_script: None,
        }
    }

    /// The name as the ecosystem compares it, as a string (see [`NormalizedName`];
    /// [`Package::key`] is the typed form).
    pub fn normalized_name(&self) -> String {
        NormalizedName::new(self.ecosystem, &self.name).into_string()
    }

    /// Release the spare capacity of its lists (a parser grows them one push at a
    /// time; a list of one hash would otherwise keep room for four).
    pub fn shrink_to_fit(&mut self) {
        self.name.shrink_to_fit();
        self.version.shrink_to_fit();
        self.hashes.shrink_to_fit();
        self.artifacts.shrink_to_fit();
        for a in &mut self.artifacts {
            a.hashes.shrink_to_fit();
        }
    }

    /// Record one artifact's upload time: the package keeps the latest.
    pub fn note_upload_time(&mut self, t: i64) {
        self.upload_time = Some(self.upload_time.map_or(t, |u| u.max(t)));
    }

    /// The key the allowlist and the checks look the package up by.
    pub fn key(&self) -> PackageKey {
        PackageKey::new(self.ecosystem, &self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_package_stays_small() {
        // A 10^6-entry lockfile keeps 10^6 of these (issue 13: at most 350 bytes a
        // package, heap included). 200 bytes before the lockfile path became a thin
        // pointer (`SharedPath`); the four strings and lists and the 48-byte
        // `Source` make up 144 of what is left.
        let size = std::mem::size_of::<Package>();
        assert!(size <= 192, "Package is {size} bytes");
    }
}
