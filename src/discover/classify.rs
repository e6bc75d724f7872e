//! Which file names are manifests, lockfiles lockgate reads, or lockfiles of other tools.

use crate::lockfile::{self};
use crate::model::Ecosystem;
use std::path::Path;

/// The manifest ecosystem for a file name, if it is a manifest lockgate tracks.
pub fn manifest_ecosystem(path: &Path) -> Option<Ecosystem> {
    let name = path.file_name()?.to_str()?;
    match name {
        "package.json" => Some(Ecosystem::Npm),
        "Cargo.toml" => Some(Ecosystem::Cargo),
        "pyproject.toml" | "Pipfile" => Some(Ecosystem::Pypi),
        _ if name.starts_with("requirements") && name.ends_with(".in") => Some(Ecosystem::Pypi),
        _ if name.ends_with(".in") && lockfile::in_requirements_folder(path) => {
            Some(Ecosystem::Pypi)
        }
        _ => None,
    }
}

/// Lockfiles of tools whose formats lockgate does not read (listed by
/// `--explain-skips` so that nobody believes them checked).
pub(super) const OTHER_LOCKFILES: &[&str] = &[
    "deno.lock",
    "Gemfile.lock",
    "composer.lock",
    "flake.lock",
    "Podfile.lock",
    "mix.lock",
    "pubspec.lock",
    "packages.lock.json",
    "gradle.lockfile",
    "Package.resolved",
    "go.sum",
    "conan.lock",
    "pixi.lock",
    "conda-lock.yml",
    "Manifest.toml",
];

/// Is this file named like a lockfile or manifest, whether lockgate reads it or
/// not (for `--explain-skips`)? `Gemfile.lock`, `deno.lock`, `yarn.lock.orig`,
/// `requirements.txt.orig`, `constraints.txt` are; `notes.txt` and
/// `requirements.rs` are not.
pub fn looks_like_lockfile(path: &Path) -> bool {
    if lockfile::detect(path).is_some() || manifest_ecosystem(path).is_some() {
        return true;
    }
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    if OTHER_LOCKFILES.contains(&name) {
        return true;
    }
    // Copies of a lockfile lockgate reads (`yarn.lock.orig`): the exact names of
    // the format list (not the patterns such as `requirements*.txt`).
    if lockfile::file_names()
        .filter(|n| !n.contains('*'))
        .any(|n| name.len() > n.len() && name.starts_with(n) && name[n.len()..].starts_with('.'))
    {
        return true;
    }
    let lower = name.to_ascii_lowercase();
    (lower.starts_with("requirements") || lower.starts_with("constraints"))
        && (lower.contains(".txt") || lower.ends_with(".in") || lower.contains(".lock"))
}
