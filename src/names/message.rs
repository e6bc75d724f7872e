//! The sentences of the name findings, one function per rule.

use super::data;
use crate::lockfile::Ecosystem;

/// The registry's name as people say it.
pub(crate) fn display_eco(eco: Ecosystem) -> &'static str {
    match eco {
        Ecosystem::Cargo => "crates.io",
        Ecosystem::Npm => "npm",
        Ecosystem::Pypi => "PyPI",
        Ecosystem::Actions => "GitHub Actions",
    }
}

/// `similar-name`.
pub(crate) fn similar(name: &str, target: &str, how: &str) -> String {
    if how == "cli-flag" {
        format!("`{name}` looks like an npm command-line flag, not a package")
    } else {
        format!(
            "`{name}` looks like {} `{target}` ({how})",
            if target.contains(" + ") {
                "a blend of"
            } else {
                "the popular"
            },
        )
    }
}

/// `unknown-name`.
pub(crate) fn unknown(name: &str, eco: Ecosystem, snapshot_len: usize) -> String {
    format!(
        "`{name}` is not in lockgate's {} snapshot of {} ({snapshot_len} names{}): \
         it may be hallucinated, or the snapshot may be behind the \
         registry; `--online` asks the registry and settles it",
        display_eco(eco),
        data::SNAPSHOT_DATE,
        if eco == Ecosystem::Npm {
            ": those with 480+ downloads a month and those the most \
             downloaded packages depend on"
        } else {
            ""
        }
    )
}

/// `known-hallucination`.
pub(crate) fn hallucination(norm: &str, id: &str) -> String {
    format!("`{norm}` is a name AI assistants are known to invent ({id})")
}

/// `known-malicious` for an affected version.
pub(crate) fn malicious_version(norm: &str, version: &str, id: &str) -> String {
    format!("{norm} {version} is reported malicious ({id})")
}

/// `known-malicious` for a name whose every version is affected.
pub(crate) fn malicious_all(norm: &str, id: &str) -> String {
    format!("`{norm}` is reported malicious ({id})")
}

/// `known-malicious` for a name without a version, when only some versions are affected.
pub(crate) fn malicious_some(norm: &str, id: &str, versions: &[String]) -> String {
    if versions.is_empty() {
        format!("some versions of `{norm}` were reported malicious ({id}); check the version")
    } else {
        format!(
            "some versions of `{norm}` were reported malicious ({id}): {}; check the version",
            versions.join(", ")
        )
    }
}

/// `cross-ecosystem`.
pub(crate) fn cross(name: &str, eco: Ecosystem, other: Ecosystem) -> String {
    format!(
        "`{name}` is a popular {} package but unknown on {}: was the {} package meant?",
        display_eco(other),
        display_eco(eco),
        display_eco(other)
    )
}

/// `import-name`: `is_import` for a module name (`cv2`), else a misname (`opencv`).
pub(crate) fn import_name(name: &str, provider: &str, is_import: bool) -> String {
    if is_import {
        format!(
            "`{name}` is a Python import name, not the package that provides it: `import {name}` comes from the PyPI package `{provider}`"
        )
    } else {
        format!(
            "`{name}` is not the name of the PyPI package; the project is published as `{provider}`"
        )
    }
}
