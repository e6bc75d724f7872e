//! The vocabulary of finding ids: the kebab-case words (`hash-mismatch`,
//! `too-new`, ...) that name each kind of finding in reports, in `[[exception]]`
//! entries of the allowlist and in `lockgate explain`.
//!
//! The ids are defined by the checks that raise them (`checks::FindingId`, built
//! from each check's `FindingDef`); this list is the same words on the ground floor,
//! so that the allowlist loader (which is below the checks) can tell a known id from
//! a typo without importing upward. `tests/architecture.rs` holds the two equal: a
//! new `FindingDef` adds its id here too.

/// Every finding id (the ids of `checks::FindingId::ALL`, in its order).
pub const FINDING_IDS: &[&str] = &[
    "hash-mismatch",
    "denied",
    "parse-error",
    "source-not-allowed",
    "unlisted",
    "version-not-allowed",
    "missing-hash",
    "unpinned",
    "similar-name",
    "known-hallucination",
    "known-malicious",
    "cross-ecosystem",
    "unknown-name",
    "not-on-registry",
    "registry-hash-mismatch",
    "yanked",
    "too-new",
    "registry-error",
    "registry-not-allowed",
    "verification-disabled",
    "hash-not-pinned",
    "weak-pin",
    "unverified-source",
    "foreign-artifact",
    "exception-expired",
    "hash-changed",
    "install-script",
    "trust-downgrade",
];

/// Is `id` the id of a kind of finding lockgate raises?
pub fn is_finding_id(id: &str) -> bool {
    FINDING_IDS.contains(&id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_ids() {
        crate::test_support::assert_classifies(
            is_finding_id,
            &["too-new", "exception-expired"],
            &["no-such-id", "Too-New"],
        );
    }
}
