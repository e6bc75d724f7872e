//! The package ecosystems lockgate reads.

use serde::Serialize;
use std::fmt;

/// The package ecosystems lockgate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    /// Rust crates (crates.io and other cargo registries).
    Cargo,
    /// JavaScript packages (the npm registry), whichever client locked them.
    Npm,
    /// Python distributions (PyPI and other simple-API indexes).
    Pypi,
    /// GitHub Actions (`uses:` in workflows and `action.yml`): `owner/repo[/path]`,
    /// pinned by commit SHA. No package registry: the forge's API resolves tags.
    Actions,
}

impl Ecosystem {
    /// Every ecosystem, in output order.
    pub const ALL: [Ecosystem; 4] = [
        Ecosystem::Cargo,
        Ecosystem::Npm,
        Ecosystem::Pypi,
        Ecosystem::Actions,
    ];

    /// The lowercase name used in output and in `allowlist.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Cargo => "cargo",
            Ecosystem::Npm => "npm",
            Ecosystem::Pypi => "pypi",
            Ecosystem::Actions => "actions",
        }
    }

    /// Parse `cargo`, `npm`, `pypi` or `actions` (also `crates.io`, `crates`, `PyPI`,
    /// `github-actions`).
    pub fn parse(s: &str) -> Option<Ecosystem> {
        match s.to_ascii_lowercase().as_str() {
            "cargo" | "crates" | "crates.io" | "crates-io" | "rust" => Some(Ecosystem::Cargo),
            "npm" | "node" | "js" => Some(Ecosystem::Npm),
            "pypi" | "python" | "pip" | "py" => Some(Ecosystem::Pypi),
            "actions" | "github-actions" | "gha" => Some(Ecosystem::Actions),
            _ => None,
        }
    }

    /// The name as the ecosystem compares it, as a plain string.
    ///
    /// A thin wrapper kept for code not yet converted to
    /// [`NormalizedName`](super::NormalizedName) / [`PackageKey`](super::PackageKey):
    /// prefer those, which cannot be built un-normalised.
    pub fn normalize(self, name: &str) -> String {
        super::NormalizedName::new(self, name).into_string()
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
