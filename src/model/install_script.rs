//! Whether code runs when a package is installed, as far as the artifacts a lockfile
//! names tell (see [`Package::install_script`]).

use super::{Ecosystem, Package, Source};

/// Why a PyPI entry with no wheel counts as an install script.
pub const SDIST_REASON: &str = "built from sdist: the build backend runs code";

/// True for a wheel file name (`*.whl`): installing a wheel runs no code.
pub fn is_wheel(file_name: &str) -> bool {
    file_name
        .rsplit('.')
        .next()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("whl"))
}

impl Package {
    /// What the files a lockfile names for a PyPI version say about code at install:
    /// `Some(true)` when the installer must build it (no wheel among the files, or a
    /// git source: the build backend runs code), `Some(false)` when every file is a
    /// wheel, `None` when it cannot be told (no file names, a local path, or wheels and
    /// an sdist: the platform decides). Other ecosystems: `None`.
    pub fn pypi_builds_from_source(&self) -> Option<bool> {
        if self.ecosystem != Ecosystem::Pypi {
            return None;
        }
        match self.source {
            Source::Git { .. } => return Some(true),
            Source::Path(_) => return None,
            Source::Registry(_) | Source::Url(_) => {}
        }
        if self.artifacts.is_empty() {
            return None;
        }
        // A "wheel" that carries the hash of one of the version's other files is not
        // a wheel: installers pick a file by its hash (poetry matches the index's
        // files by hash, not by name), and two real files never share one. Such an
        // entry (a pull request adding a fake wheel beside an sdist) does not count.
        let files: Vec<_> = self.files().collect();
        let mut other_hashes = Vec::new();
        for a in &files {
            match a.file_name() {
                None => return None,
                Some(f) if !is_wheel(f) => other_hashes.extend(a.hashes.iter()),
                Some(_) => {}
            }
        }
        let wheels = files
            .iter()
            .filter(|a| a.file_name().is_some_and(is_wheel))
            .filter(|a| !a.hashes.iter().any(|h| other_hashes.contains(&h)))
            .count();
        if wheels == 0 {
            Some(true)
        } else if wheels == files.len() {
            Some(false)
        } else {
            None
        }
    }

    /// Set [`Package::install_script`] from [`Package::pypi_builds_from_source`] when
    /// nothing else said it (the PyPI lockfile parsers call it once per package).
    pub fn infer_pypi_install_script(&mut self) {
        if self.install_script.is_none() {
            self.install_script = self.pypi_builds_from_source();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Artifact;

    fn pkg(files: &[&str]) -> Package {
        let mut p = Package::new(
            Ecosystem::Pypi,
            "x",
            "1.0",
            Source::Registry(None),
            "uv.lock",
            1,
        );
        p.artifacts = files
            .iter()
            .map(|f| Artifact::new(Some(format!("https://files.example/{f}")), Vec::new(), 1))
            .collect();
        p
    }

    #[test]
    fn no_wheel_builds_every_wheel_does_not_mixed_is_unknown() {
        assert_eq!(pkg(&["x-1.0.tar.gz"]).pypi_builds_from_source(), Some(true));
        assert_eq!(
            pkg(&["x-1.0-py3-none-any.whl"]).pypi_builds_from_source(),
            Some(false)
        );
        assert_eq!(
            pkg(&["x-1.0.tar.gz", "x-1.0-py3-none-any.WHL"]).pypi_builds_from_source(),
            None
        );
        assert_eq!(pkg(&[]).pypi_builds_from_source(), None);
        // ADVERSARIAL: a "wheel" beside the sdist that carries the sdist's own hash
        // (the installer fetches by hash: it gets the sdist and builds it).
        let h = crate::model::Hash::from_hex("sha256", &"ab".repeat(32)).unwrap();
        let mut fake = pkg(&["x-1.0.tar.gz", "x-1.0-cp39-cp39-win32.whl"]);
        let set_hashes = |p: &mut Package, hs: [&crate::model::Hash; 2]| {
            let files: Vec<Artifact> = (p.files().zip(hs))
                .map(|(a, h)| Artifact {
                    hashes: vec![h.clone()].into(),
                    ..a.into_owned()
                })
                .collect();
            p.artifacts = files.into();
        };
        set_hashes(&mut fake, [&h, &h]);
        assert_eq!(fake.pypi_builds_from_source(), Some(true));
        // Real files have hashes of their own: an sdist and a wheel stay undecided.
        let h2 = crate::model::Hash::from_hex("sha256", &"cd".repeat(32)).unwrap();
        set_hashes(&mut fake, [&h, &h2]);
        assert_eq!(fake.pypi_builds_from_source(), None);
        let mut git = pkg(&[]);
        git.source = Source::Git {
            url: "https://example/x".into(),
            rev: None,
        };
        assert_eq!(git.pypi_builds_from_source(), Some(true));
        let mut npm = pkg(&["x-1.0.tgz"]);
        npm.ecosystem = Ecosystem::Npm;
        assert_eq!(npm.pypi_builds_from_source(), None);
    }
}
