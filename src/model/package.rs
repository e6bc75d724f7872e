//! One package version as a lockfile pins it, and the files it is made of.

use super::artifacts::{Artifacts, npm_registry_tarball_url};
use super::list::OneOrList;
use super::timestamp::UploadTime;
use super::{DepPath, Ecosystem, Hash, NormalizedName, PackageKey, SharedPath, Source};
use compact_str::CompactString;
use serde::{Serialize, Serializer};
use std::borrow::Cow;
use std::path::Path;

/// One distinct package version that a lockfile pins.
///
/// Kept compact: a 10^6-entry lockfile holds 10^6 of them (issue 13). Names and
/// versions are [`CompactString`]s (up to 24 bytes inline, no allocation: most
/// names and versions), the lists are [`List`]s sized exactly, the line a `u32` and
/// the upload time an 8-byte [`UploadTime`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    /// The ecosystem it belongs to.
    pub ecosystem: Ecosystem,
    /// The name as the lockfile writes it (npm scopes kept: `@types/node`).
    pub name: CompactString,
    /// The version as the lockfile writes it.
    pub version: CompactString,
    /// Every hash the lockfile records for this version, canonical and sorted.
    pub hashes: OneOrList<Hash>,
    /// `registry`, `git`, `path` or `url`.
    #[serde(rename = "source", serialize_with = "ser_source_kind")]
    pub source: Source,
    /// The lockfile, as a path relative to where the scan started (one allocation
    /// shared by every package of the lockfile).
    pub lockfile: SharedPath,
    /// 1-based line of the package's entry in the lockfile (a lockfile has at most
    /// [`MAX_LOCKFILE_BYTES`](crate::lockfile::MAX_LOCKFILE_BYTES) bytes, so it fits).
    pub line: u32,
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
    /// the JSON output (`hashes` is the union of their hashes). Read them with
    /// [`Package::files`] (an npm registry tarball at its default URL is kept as a
    /// flag and rebuilt there).
    #[serde(skip)]
    pub artifacts: Artifacts,
    /// When the version's files were uploaded, as the lockfile records it (Unix
    /// seconds): the LATEST upload time among the artifacts it names (a file added
    /// later to an old release is new code). `None` when the lockfile records none
    /// (uv.lock and pylock.toml `upload-time`, pnpm's `time:` carry it).
    #[serde(skip)]
    pub upload_time: UploadTime,
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
    pub hashes: OneOrList<Hash>,
    /// 1-based line in the lockfile where the file is named.
    pub line: u32,
}

impl Artifact {
    /// An artifact downloaded from `url` (if known), named at `line`, with its hashes.
    pub fn new(url: Option<String>, hashes: Vec<Hash>, line: usize) -> Artifact {
        Artifact {
            url,
            filename: None,
            hashes: hashes.into(),
            line: line_u32(line),
        }
    }

    /// The file name: the explicit one, else the last path segment of the URL
    /// (without query or fragment).
    pub fn file_name(&self) -> Option<&str> {
        if let Some(f) = &self.filename {
            return Some(f.as_str());
        }
        let url = self.url.as_deref()?;
        // up to the first `?` or `#`, then after the last `/` (byte searches: these
        // are ASCII, so each cut falls on a character boundary)
        let url = match memchr::memchr2(b'?', b'#', url.as_bytes()) {
            Some(cut) => url.get(..cut).unwrap_or(url),
            None => url,
        };
        let name = match memchr::memrchr(b'/', url.as_bytes()) {
            Some(slash) => url.get(slash + 1..).unwrap_or(""),
            None => url,
        };
        Some(name).filter(|f| !f.is_empty())
    }
}

/// A 1-based line as a package keeps it (a `u32`: no lockfile lockgate reads has
/// more lines; a larger number is kept as `u32::MAX`).
pub fn line_u32(line: usize) -> u32 {
    u32::try_from(line).unwrap_or(u32::MAX)
}

fn ser_source_kind<S: Serializer>(src: &Source, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(src.kind())
}

impl Package {
    /// A package with the facts every lockfile gives; the optional ones start empty
    /// (no hashes, no artifacts, not direct, not dev, not optional, no path).
    pub fn new(
        ecosystem: Ecosystem,
        name: impl Into<CompactString>,
        version: impl Into<CompactString>,
        source: Source,
        lockfile: impl AsRef<Path>,
        line: usize,
    ) -> Package {
        Package {
            ecosystem,
            name: name.into(),
            version: version.into(),
            hashes: OneOrList::new(),
            source,
            lockfile: SharedPath::new(lockfile.as_ref()),
            line: line_u32(line),
            direct: false,
            dev: false,
            optional: false,
            path: DepPath::EMPTY,
            artifacts: Artifacts::new(),
            upload_time: UploadTime::NONE,
            install_script: None,
        }
    }

    /// The name as the ecosystem compares it, as a string (see [`NormalizedName`];
    /// [`Package::key`] is the typed form).
    pub fn normalized_name(&self) -> String {
        NormalizedName::new(self.ecosystem, &self.name).into_string()
    }

    /// Release the spare capacity of its name and version (a long one built by
    /// pushes); its lists never keep any ([`List`]).
    pub fn shrink_to_fit(&mut self) {
        self.name.shrink_to_fit();
        self.version.shrink_to_fit();
    }

    /// Record one artifact's upload time: the package keeps the latest.
    pub fn note_upload_time(&mut self, t: i64) {
        self.upload_time = UploadTime::at(self.upload_time.get().map_or(t, |u| u.max(t)));
    }

    /// Every file the lockfile names for this version, in order: the npm registry
    /// tarball rebuilt from the name and version when [`Package::artifacts`] keeps it
    /// as a flag ([`Artifacts::npm_registry_tarball`]; its URL is then exactly the one
    /// the lockfile wrote), then the files stored as written.
    pub fn files(&self) -> impl Iterator<Item = Cow<'_, Artifact>> {
        let tarball =
            (self.artifacts.has_npm_registry_tarball()).then(|| Cow::Owned(self.rebuilt_tarball()));
        tarball
            .into_iter()
            .chain(self.artifacts.listed().iter().map(Cow::Borrowed))
    }

    /// The npm registry tarball that the flag of [`Package::artifacts`] stands for.
    fn rebuilt_tarball(&self) -> Artifact {
        Artifact {
            url: Some(npm_registry_tarball_url(&self.name, &self.version)),
            filename: None,
            hashes: self.hashes.clone(),
            line: self.line,
        }
    }

    /// Store the rebuilt npm registry tarball as a file like the others (before the
    /// package's hashes change, or its files are moved to another package).
    pub fn store_rebuilt_files(&mut self) {
        if self.artifacts.has_npm_registry_tarball() {
            self.artifacts = vec![self.rebuilt_tarball()].into();
        }
    }

    /// Add a file after the others.
    pub fn push_file(&mut self, file: Artifact) {
        self.extend_files([file]);
    }

    /// Add files after the others.
    pub fn extend_files(&mut self, files: impl IntoIterator<Item = Artifact>) {
        let files: Vec<Artifact> = files.into_iter().collect();
        if files.is_empty() {
            return;
        }
        self.store_rebuilt_files();
        let mut all = std::mem::take(&mut self.artifacts).into_listed();
        all.extend(files);
        self.artifacts = all.into();
    }

    /// Move every file of `other` (another install of this version) after this
    /// package's own, leaving `other` with none.
    pub fn take_files_of(&mut self, other: &mut Package) {
        // Both rebuilt tarballs are stored with the hashes they have now: the caller
        // may merge the hashes of the two next.
        self.store_rebuilt_files();
        other.store_rebuilt_files();
        let theirs = std::mem::take(&mut other.artifacts).into_listed();
        self.extend_files(theirs);
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
    fn file_name_cuts_the_url_as_the_string_splits_did() {
        let by_splits = |url: &str| -> Option<String> {
            let url = url.split(['?', '#']).next().unwrap_or(url);
            url.rsplit('/')
                .next()
                .filter(|f| !f.is_empty())
                .map(str::to_string)
        };
        let parts = [
            "", "/", "?", "#", "a", "é", "x.whl", "//", "?/", "#?", "/é/",
        ];
        for a in parts {
            for b in parts {
                for c in parts {
                    let url = format!("https://h{a}{b}{c}");
                    let art = Artifact::new(Some(url.clone()), Vec::new(), 1);
                    assert_eq!(
                        art.file_name().map(str::to_string),
                        by_splits(&url),
                        "{url}"
                    );
                    let bare = format!("{a}{b}{c}");
                    let art = Artifact::new(Some(bare.clone()), Vec::new(), 1);
                    assert_eq!(
                        art.file_name().map(str::to_string),
                        by_splits(&bare),
                        "{bare}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_rebuilt_tarball_reads_as_the_file_it_stands_for() {
        let h = Hash::from_hex("sha256", &"ab".repeat(32)).unwrap();
        let mut p = Package::new(
            Ecosystem::Npm,
            "@types/node",
            "20.1.0",
            Source::Registry(None),
            "package-lock.json",
            7,
        );
        p.hashes = vec![h.clone()].into();
        p.artifacts = Artifacts::npm_registry_tarball();
        let url = "https://registry.npmjs.org/@types/node/-/node-20.1.0.tgz";
        let as_written = Artifact::new(Some(url.to_string()), vec![h.clone()], 7);
        let files: Vec<Artifact> = p.files().map(Cow::into_owned).collect();
        assert_eq!(files, std::slice::from_ref(&as_written));
        assert_eq!(files[0].file_name(), Some("node-20.1.0.tgz"));
        // Stored as written before another file joins, or the hashes change.
        let other = Artifact::new(Some("https://x.example/n.tgz".into()), Vec::new(), 9);
        let mut q = p.clone();
        q.push_file(other.clone());
        assert!(!q.artifacts.has_npm_registry_tarball());
        assert_eq!(
            q.files().map(Cow::into_owned).collect::<Vec<_>>(),
            [as_written.clone(), other.clone()]
        );
        let mut dup = p.clone();
        dup.hashes = Vec::new().into();
        let mut merged = p.clone();
        merged.take_files_of(&mut dup);
        merged.hashes = Vec::new().into();
        let rebuilt_without_hashes = Artifact::new(Some(url.to_string()), Vec::new(), 7);
        assert_eq!(
            merged.files().map(Cow::into_owned).collect::<Vec<_>>(),
            [as_written, rebuilt_without_hashes]
        );
        assert!(dup.artifacts.is_empty());
        let mut none = p.clone();
        none.extend_files([]);
        assert!(none.artifacts.has_npm_registry_tarball());
    }

    #[test]
    fn a_package_stays_small() {
        // A 10^6-entry lockfile keeps 10^6 of these (issue 13: at most 350 bytes a
        // package, heap included). 200 bytes before the lockfile path became a thin
        // pointer (`SharedPath`), 192 before the lists became boxed slices, the line
        // a `u32` and the upload time 8 bytes; the two 24-byte inline strings and
        // the 48-byte `Source` make up 96 of what is left. 168 and 72 before one
        // hash was kept in place (`OneOrList`): 8 bytes more here, and no 24-byte
        // block for the list of one hash beside it; 8 more since the path is a node
        // of its lockfile's `PathTree` (16 bytes here, about 15 in the tree, against
        // 8 here and a 48-byte node); 8 fewer since a git revision is a `Box<str>`.
        let size = std::mem::size_of::<Package>();
        assert!(size <= 176, "Package is {size} bytes");
        let size = std::mem::size_of::<Artifact>();
        assert!(size <= 80, "Artifact is {size} bytes");
    }

    #[test]
    fn a_short_name_and_version_take_no_allocation() {
        let p = Package::new(
            Ecosystem::Pypi,
            "a-package-name-of-24-ch",
            "1.0.0.post1",
            Source::Registry(None),
            "requirements.txt",
            1,
        );
        assert!(!p.name.is_heap_allocated());
        assert!(!p.version.is_heap_allocated());
        assert_eq!(p.line, 1);
        assert_eq!(line_u32(usize::MAX), u32::MAX);
    }
}
