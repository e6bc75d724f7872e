//! The files of a package version ([`Package::artifacts`](super::Package::artifacts)),
//! with the npm registry's tarball at its default URL kept as one bit.
//!
//! Almost every entry of a package-lock names its tarball at
//! `https://registry.npmjs.org/<name>/-/<unscoped name>-<version>.tgz`, with the
//! entry's own integrity and on the entry's line: an [`Artifact`] that is the
//! package's name, version, hashes and line over again (about 160 bytes a package
//! with its URL and hash list, issue 13). [`Artifacts`] keeps such a file as a flag
//! and [`Package::files`](super::Package::files) rebuilds it when it is read. The flag
//! is set only when the URL the lockfile wrote is byte for byte the one rebuilt
//! ([`is_npm_registry_tarball`]); any other URL is kept as written.
//!
//! There is no way to read the files from an [`Artifacts`] alone (no `iter`, no
//! slice): every reader goes through `Package::files`, so none can skip the rebuilt
//! one.

use super::Artifact;
use super::list::List;

/// The default npm registry's origin, as the tarball URLs that [`Artifacts`] rebuilds
/// start.
pub const NPM_REGISTRY: &str = "https://registry.npmjs.org";

/// The files of a package version: the npm registry tarball at its default URL
/// (a flag; see the module documentation), or the files as the lockfile lists them.
///
/// 16 bytes, no allocation for the flag: `None` is no file, an empty list the flag,
/// a non-empty list the files as written. The flag and listed files together are
/// never stored: [`Package::push_file`](super::Package::push_file) stores the
/// rebuilt tarball as a listed file first (it knows the name and version).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Artifacts(Option<List<Artifact>>);

impl Artifacts {
    /// No files.
    pub fn new() -> Artifacts {
        Artifacts(None)
    }

    /// One file: the npm registry tarball of the package at its default URL
    /// ([`npm_registry_tarball_url`]), with the package's hashes, on the package's
    /// line. Only for a file the lockfile names at exactly that URL
    /// ([`is_npm_registry_tarball`]), whose hashes are the package's.
    pub fn npm_registry_tarball() -> Artifacts {
        Artifacts(Some(List::new()))
    }

    /// True when the file is the rebuilt npm registry tarball.
    pub fn has_npm_registry_tarball(&self) -> bool {
        self.0.as_ref().is_some_and(|l| l.is_empty())
    }

    /// The number of files.
    pub fn len(&self) -> usize {
        match &self.0 {
            None => 0,
            Some(l) => l.len().max(1),
        }
    }

    /// True when there are no files.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// The files stored as written (none when the flag is set), for
    /// [`Package::files`](super::Package::files) and its kin.
    pub(super) fn listed(&self) -> &[Artifact] {
        self.0.as_deref().unwrap_or(&[])
    }

    /// The files stored as written (none when the flag is set).
    pub(super) fn into_listed(self) -> Vec<Artifact> {
        self.0.map(List::into_vec).unwrap_or_default()
    }
}

impl From<Vec<Artifact>> for Artifacts {
    fn from(v: Vec<Artifact>) -> Artifacts {
        Artifacts((!v.is_empty()).then(|| v.into()))
    }
}

impl From<List<Artifact>> for Artifacts {
    fn from(l: List<Artifact>) -> Artifacts {
        Artifacts::from(l.into_vec())
    }
}

impl FromIterator<Artifact> for Artifacts {
    fn from_iter<I: IntoIterator<Item = Artifact>>(iter: I) -> Artifacts {
        Artifacts::from(iter.into_iter().collect::<Vec<_>>())
    }
}

/// The part of a package's name its tarball's file name starts with (`node` for
/// `@types/node`).
fn unscoped(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// The URL of `name`'s `version` tarball on the default npm registry:
/// `https://registry.npmjs.org/<name>/-/<unscoped name>-<version>.tgz`.
pub fn npm_registry_tarball_url(name: &str, version: &str) -> String {
    format!("{NPM_REGISTRY}/{name}/-/{}-{version}.tgz", unscoped(name))
}

/// True when `url` is, byte for byte, [`npm_registry_tarball_url`]`(name, version)`
/// (compared without building it).
pub fn is_npm_registry_tarball(url: &str, name: &str, version: &str) -> bool {
    (|| {
        let rest = url.strip_prefix(NPM_REGISTRY)?.strip_prefix('/')?;
        let rest = rest.strip_prefix(name)?.strip_prefix("/-/")?;
        let rest = rest.strip_prefix(unscoped(name))?.strip_prefix('-')?;
        Some(rest.strip_prefix(version)? == ".tgz")
    })()
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rebuilt_url_is_recognised_exactly_and_nothing_else_is() {
        let cases = [
            ("left-pad", "1.3.0"),
            ("@types/node", "20.1.0"),
            ("a", ""),
            ("", "1.0.0"),
            ("@s/", "1"),
            ("x", "1.0.0-beta.1+build"),
        ];
        for (name, version) in cases {
            let url = npm_registry_tarball_url(name, version);
            assert!(is_npm_registry_tarball(&url, name, version), "{url}");
            // Any one byte changed, added or removed: not the rebuilt URL.
            for i in 0..url.len() {
                let mut cut = url.clone();
                cut.remove(i);
                assert!(!is_npm_registry_tarball(&cut, name, version), "{cut}");
                for c in ['x', '/', '-', '.', '%', 'N', '?', '#'] {
                    let mut longer = url.clone();
                    longer.insert(i, c);
                    assert!(!is_npm_registry_tarball(&longer, name, version), "{longer}");
                    let mut swapped = url.clone().into_bytes();
                    if swapped[i] != c as u8 {
                        swapped[i] = c as u8;
                        let swapped = String::from_utf8(swapped).unwrap();
                        assert!(
                            !is_npm_registry_tarball(&swapped, name, version),
                            "{swapped}"
                        );
                    }
                }
            }
            for tail in ["?x", "#x", "/", " "] {
                let longer = format!("{url}{tail}");
                assert!(!is_npm_registry_tarball(&longer, name, version));
            }
            let http = url.replacen("https:", "http:", 1);
            assert!(!is_npm_registry_tarball(&http, name, version));
            let upper = url.replacen("registry", "Registry", 1);
            assert!(!is_npm_registry_tarball(&upper, name, version));
        }
        assert_eq!(
            npm_registry_tarball_url("@types/node", "20.1.0"),
            "https://registry.npmjs.org/@types/node/-/node-20.1.0.tgz"
        );
        // Another package's or version's tarball is not this one's.
        let url = npm_registry_tarball_url("left-pad", "1.3.0");
        assert!(!is_npm_registry_tarball(&url, "left-pad", "1.3"));
        assert!(!is_npm_registry_tarball(&url, "left", "pad-1.3.0"));
        assert!(!is_npm_registry_tarball(&url, "left-pa", "1.3.0"));
    }

    #[test]
    fn the_flag_is_one_file_and_takes_no_room() {
        let a = Artifacts::npm_registry_tarball();
        assert_eq!((a.len(), a.is_empty()), (1, false));
        assert!(a.has_npm_registry_tarball());
        assert!(a.listed().is_empty());
        assert!(Artifacts::new().is_empty());
        assert_eq!(Artifacts::from(Vec::new()), Artifacts::new());
        let listed: Artifacts = vec![Artifact::default()].into();
        assert!(!listed.has_npm_registry_tarball());
        assert_eq!(listed.len(), 1);
        assert_eq!(std::mem::size_of::<Artifacts>(), 16);
    }
}
