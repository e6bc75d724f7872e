//! `hash-changed`: what pull-request mode (`check --baseline REF`) finds by comparing
//! the head's lockfiles with REF's. The comparison itself is in
//! [`crate::baseline::package_changes`]; this module declares the finding and builds it.

use super::{Finding, FindingDef, FindingId, Precision, Severity};
use crate::model::Ecosystem;
use std::path::PathBuf;

/// The `hash-changed` finding.
pub const HASH_CHANGED: FindingDef = FindingDef {
    id: "hash-changed",
    summary: "Pull requests: a version pinned at the baseline is pinned with a different hash now.",
    explanation: "Registries never serve other bytes under a published version (npm, PyPI and crates.io refuse a re-upload), so the same version with another hash means the lockfile was edited, the artifact comes from somewhere else, or it was tampered with. Raised by `check --baseline` whatever the allowlist says (an exception cannot waive it), for every hash algorithm the baseline and the head both record.",
    help: "Do not merge: find out where the new artifact comes from. If the change is intended (a rebuilt private package), have the security team re-pin the version in the allowlist and regenerate the lockfile in a separate, reviewed change.",
    severity: Severity::Critical,
    policy: &[],
    security_severity: Some("9.0"),
    precision: Precision::VeryHigh,
};

/// One version pinned with other hashes at the head than at the baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashChange {
    /// The ecosystem.
    pub ecosystem: Ecosystem,
    /// The name as the head's lockfile writes it.
    pub name: String,
    /// The version as the head's lockfile writes it.
    pub version: String,
    /// The head's lockfile (as findings name it) and the line of the entry.
    pub lockfile: PathBuf,
    /// 1-based line of the entry in the head's lockfile.
    pub line: usize,
    /// The baseline's hashes, of the algorithms both sides record.
    pub before: Vec<String>,
    /// The head's hashes, of the same algorithms.
    pub after: Vec<String>,
}

impl HashChange {
    /// The `hash-changed` finding for it; `rev` is the baseline as given.
    pub fn finding(&self, rev: &str) -> Finding {
        let (name, version) = (&self.name, &self.version);
        Finding {
            id: FindingId::HashChanged,
            severity: FindingId::HashChanged.default_severity(),
            ecosystem: Some(self.ecosystem),
            name: Some(name.clone()),
            version: Some(version.clone()),
            lockfile: self.lockfile.clone(),
            line: Some(self.line),
            path: Vec::new(),
            message: format!(
                "{name} {version} is pinned with another hash than at {rev}: {} before, {} now",
                self.before.join(", "),
                self.after.join(", ")
            ),
            help: format!(
                "do not merge: the same version cannot have other bytes on its registry; restore the entry from {rev} (e.g. `git checkout {rev} -- {}` and lock again), or find out where the new artifact comes from",
                self.lockfile.display()
            ),
        }
    }
}
