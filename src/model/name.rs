//! Package names as each ecosystem compares them.
//!
//! [`NormalizedName`] is a name in its ecosystem's normal form; the only ways to make
//! one normalise, so a value of the type is never un-normalised (as uv's
//! `PackageName`). [`PackageKey`] pairs it with the ecosystem: the key under which
//! the allowlist, the name data and the checks look a package up.

use super::Ecosystem;
use serde::{Serialize, Serializer};
use std::fmt;

/// PEP 503 normalization: lowercase, and every run of `-`, `_`, `.` becomes one `-`.
pub fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_sep {
                out.push('-');
            }
            in_sep = true;
        } else {
            out.extend(c.to_lowercase());
            in_sep = false;
        }
    }
    out
}

/// A package name in its ecosystem's normal form: PEP 503 for PyPI (lowercase, runs
/// of `-`, `_`, `.` become `-`), lowercase with `_` as `-` for cargo, unchanged for npm
/// (npm names are case-sensitive and already canonical).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NormalizedName(Box<str>);

impl NormalizedName {
    /// Normalise `name` the way `ecosystem` compares names.
    pub fn new(ecosystem: Ecosystem, name: &str) -> NormalizedName {
        let s = match ecosystem {
            Ecosystem::Pypi => pep503(name),
            Ecosystem::Cargo => name.to_ascii_lowercase().replace('_', "-"),
            Ecosystem::Npm => name.to_string(),
            // GitHub owner and repository names are case-insensitive; a path inside
            // the repository is not, but GitHub resolves it in the lowercased
            // repository all the same, so the whole `owner/repo[/path]` compares
            // lowercase.
            Ecosystem::Actions => name.trim().to_ascii_lowercase(),
        };
        NormalizedName(s.into_boxed_str())
    }

    /// The normalised name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The normalised name as an owned string.
    pub fn into_string(self) -> String {
        self.0.into_string()
    }
}

super::newtype::reads_as!(NormalizedName => str);

impl fmt::Display for NormalizedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for NormalizedName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// A package as lockgate looks it up: its ecosystem and its normalised name.
/// Ordered by ecosystem, then name (the order of `allowlist.toml` and of output).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PackageKey {
    /// The ecosystem.
    pub ecosystem: Ecosystem,
    /// The name, normalised for the ecosystem.
    pub name: NormalizedName,
}

impl PackageKey {
    /// The key of `name` (as written) in `ecosystem`.
    pub fn new(ecosystem: Ecosystem, name: &str) -> PackageKey {
        PackageKey {
            ecosystem,
            name: NormalizedName::new(ecosystem, name),
        }
    }
}

impl fmt::Display for PackageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.ecosystem, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep503_normalizes_runs_of_separators() {
        crate::test_support::assert_maps(
            pep503,
            &[
                ("Django_REST.framework", "django-rest-framework"),
                ("a__-.b", "a-b"),
            ],
        );
        assert_eq!(pep503(&pep503("Foo._Bar")), pep503("Foo._Bar"));
    }

    #[test]
    fn cargo_names_compare_with_dash_and_underscore_alike() {
        assert_eq!(
            NormalizedName::new(Ecosystem::Cargo, "Serde_JSON"),
            "serde-json"
        );
        assert_eq!(Ecosystem::Cargo.normalize("Serde_JSON"), "serde-json");
        assert_eq!(
            NormalizedName::new(Ecosystem::Npm, "@Types/Node"),
            "@Types/Node"
        );
    }

    #[test]
    fn keys_of_spellings_of_one_name_are_equal() {
        assert_eq!(
            PackageKey::new(Ecosystem::Pypi, "Typing.Extensions"),
            PackageKey::new(Ecosystem::Pypi, "typing_extensions")
        );
        assert_ne!(
            PackageKey::new(Ecosystem::Pypi, "requests"),
            PackageKey::new(Ecosystem::Npm, "requests")
        );
        assert_ne!(
            PackageKey::new(Ecosystem::Npm, "React"),
            PackageKey::new(Ecosystem::Npm, "react")
        );
    }
}
