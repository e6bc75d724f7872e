//! Comparing a lockfile's or an allowlist's hashes with what the registry publishes,
//! shared by the online checks and by pinning from the registry.

use super::VersionInfo;
use crate::model::Hash;

/// The hashes in `hashes` that can be compared with the registry's (same algorithm)
/// but are not among them.
pub fn unpublished<'a>(hashes: &'a [Hash], v: &VersionInfo) -> Vec<&'a Hash> {
    let published = v.hashes();
    hashes
        .iter()
        .filter(|h| {
            h.is_registry_digest() && v.has_algorithm(&h.algorithm) && !published.contains(h)
        })
        .collect()
}
