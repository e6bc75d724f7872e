//! Allowlist pins from the registry rather than from lockfiles: what
//! `allowlist add`, `allowlist init --online` and `allowlist suggest --online` write.
//!
//! The pin of a version is every hash the registry publishes for every file of it
//! ([`super::VersionInfo::pin_hashes`]: for PyPI one sha256 per file, for npm the
//! `integrity` digest, for cargo the `cksum`; sha1 only where nothing stronger is
//! published). From the lockfile, only what the registry cannot publish is kept (Yarn
//! berry checksums) and sha1 digests the registry confirms (old lockfiles record only
//! those). A lockfile hash the registry does not publish is never pinned: the version
//! is reported instead.

use super::{Answer, RegistryError, VersionInfo};
use crate::model::{Ecosystem, Hash};

/// Why a version was not pinned from the registry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinProblem {
    /// The registry has no such package.
    #[error("{ecosystem} {name} is not on the registry ({url})")]
    NoSuchPackage {
        /// Ecosystem.
        ecosystem: Ecosystem,
        /// Name.
        name: String,
        /// What was asked.
        url: String,
    },
    /// The package exists, the version does not.
    #[error("{ecosystem} {name} has no version {version} on the registry (latest: {latest})")]
    NoSuchVersion {
        /// Ecosystem.
        ecosystem: Ecosystem,
        /// Name.
        name: String,
        /// The version asked for.
        version: String,
        /// A few of the newest versions the registry has.
        latest: String,
    },
    /// The lockfile records a hash the registry does not publish.
    #[error(
        "{ecosystem} {name} {version}: the lockfile's {lockfile} is not what the registry publishes ({registry}); not pinned"
    )]
    Mismatch {
        /// Ecosystem.
        ecosystem: Ecosystem,
        /// Name.
        name: String,
        /// Version.
        version: String,
        /// The lockfile's hashes that the registry does not publish.
        lockfile: String,
        /// What the registry publishes.
        registry: String,
    },
    /// The registry could not be asked.
    #[error("{ecosystem} {name}: {error}")]
    Registry {
        /// Ecosystem.
        ecosystem: Ecosystem,
        /// Name.
        name: String,
        /// What went wrong.
        error: RegistryError,
    },
}

/// The hashes to pin for a version, given what a lockfile records for it.
pub fn pin_for(v: &VersionInfo, lockfile: &[Hash]) -> Vec<Hash> {
    let published = v.hashes();
    let mut out = v.pin_hashes();
    for h in lockfile {
        if !h.is_registry_digest() || (published.contains(h) && !out.contains(h)) {
            out.push(h.clone());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The registry's data for one version, or why there is none.
pub fn resolve_version(
    ecosystem: Ecosystem,
    name: &str,
    version: &str,
    answer: Result<Answer, RegistryError>,
) -> Result<VersionInfo, PinProblem> {
    match answer {
        Err(error) => Err(PinProblem::Registry {
            ecosystem,
            name: name.to_string(),
            error,
        }),
        Ok(Answer::NotFound { url }) => Err(PinProblem::NoSuchPackage {
            ecosystem,
            name: name.to_string(),
            url,
        }),
        Ok(Answer::Found(info)) => match info.version(version) {
            Some(v) => Ok(v.clone()),
            None => {
                let mut vs: Vec<(&String, Option<i64>)> = info
                    .versions
                    .iter()
                    .map(|(k, v)| (k, v.published))
                    .collect();
                vs.sort_by_key(|(k, p)| (std::cmp::Reverse(*p), std::cmp::Reverse(k.to_string())));
                Err(PinProblem::NoSuchVersion {
                    ecosystem,
                    name: name.to_string(),
                    version: version.to_string(),
                    latest: if vs.is_empty() {
                        "none".to_string()
                    } else {
                        vs.iter()
                            .take(5)
                            .map(|(k, _)| k.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    },
                })
            }
        },
    }
}

/// Hashes as a comma-separated list, for messages.
pub fn list<'a>(hs: impl Iterator<Item = &'a Hash>) -> String {
    hs.map(|h| h.to_string()).collect::<Vec<_>>().join(", ")
}

impl crate::hint::Hint for PinProblem {
    fn hints(&self) -> Vec<String> {
        match self {
            PinProblem::NoSuchPackage { ecosystem, name, .. } => vec![format!(
                "check the spelling: `lockgate name {ecosystem} {name} --online` says whether the name exists and what it resembles"
            )],
            PinProblem::NoSuchVersion { .. } => {
                vec!["pin a version the registry has (see `latest`)".to_string()]
            }
            PinProblem::Mismatch { .. } => vec!["do not pin it: find out why the lockfile's artifact differs from the registry's (a tampered lockfile or another registry), then regenerate the lockfile from the registry".to_string()],
            PinProblem::Registry { error, .. } => crate::hint::Hint::hints(error),
        }
    }
}
