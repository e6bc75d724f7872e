//! Checks: each module takes packages and the policy and returns [`Finding`]s.
//! Checks never print; the `report` modules render what they return.
//!
//! # Finding ids live with their check
//!
//! Each check module declares the findings it raises as [`FindingDef`] constants,
//! next to its logic: the kebab-case id, summary, explanation, help, default
//! severity, the `[policy]` keys it reads, and its code-scanning calibration
//! (`security_severity`, `precision`). The crate-wide [`FindingId`] is built from
//! those constants by the `finding_ids!` list below, one row per id. `lockgate
//! explain`, the SARIF rules and docs/findings.md all read [`FindingId::def`].
//!
//! To add a finding to a check (e.g. `src/checks/deny.rs`):
//!
//! 1. declare it in the check module:
//!    ```ignore
//!    /// The `denied-version` finding.
//!    pub const DENIED_VERSION: FindingDef = FindingDef {
//!        id: "denied-version",
//!        summary: "One line: when it is raised.",
//!        explanation: "What it means (one paragraph).",
//!        help: "How to fix it (one paragraph).",
//!        severity: Severity::Error,       // under the default policy
//!        policy: &[],                     // the [policy] keys that change it
//!        security_severity: Some("7.0"),  // None: not a code-scanning alert
//!        precision: Precision::VeryHigh,  // Medium/Low for heuristics
//!    };
//!    ```
//! 2. add one row at the END of `finding_ids!` in this file:
//!    `DeniedVersion => deny::DENIED_VERSION,` (the row order is the order of
//!    `FindingId::ALL`, the SARIF rules and the sort tie-break);
//! 3. raise it with `FindingId::DeniedVersion` (its default severity is
//!    `FindingId::DeniedVersion.default_severity()`), and run
//!    `UPDATE_DOCS=1 cargo test --test findings_docs` to regenerate docs/findings.md.
//!
//! Never match over [`FindingId`] with a `_ =>` arm: the compiler must point at every
//! place a new id needs a decision.

pub mod actions;
pub mod allowlist;
pub mod change;
pub mod cooldown;
pub mod deny;
pub mod exceptions;
pub mod install_script;
pub mod installer_config;
pub mod names;
pub mod online;
pub mod pins;
pub mod runner;
pub mod source;
pub mod trust;
pub mod unpinned;

use crate::allowlist::{Allowlist, Level};
use crate::lockfile::ParseError;
use crate::model::{Ecosystem, Package};
use crate::resolve::Resolution;
pub use exceptions::apply_exceptions;
pub use runner::{Online, Options, RunError, run};
use serde::Serialize;
use std::fmt;
use std::path::PathBuf;

/// How serious a finding is, worst last (so `max()` is the worst).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Note,
    /// Should be looked at; does not fail the run at the default level.
    Warning,
    /// Fails the run at the default level.
    Error,
    /// Possible tampering: fails the run at every level but `never`.
    Critical,
}

impl Severity {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
            Severity::Critical => "critical",
        }
    }

    /// The severity a policy level gives, `None` for `allow`.
    pub fn from_level(level: Level) -> Option<Severity> {
        match level {
            Level::Deny => Some(Severity::Error),
            Level::Warn => Some(Severity::Warning),
            Level::Allow => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How likely a finding is to be a true positive (SARIF `precision`, which code
/// scanning uses to rank alerts): `very-high` for facts lockgate checks exactly (a hash,
/// a policy entry), lower for heuristics such as name similarity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Precision {
    /// Often wrong: a hint worth a look (a name unknown to the snapshot).
    Low,
    /// A heuristic that is right more often than not (a look-alike name).
    Medium,
    /// Rarely wrong (a match on a curated list, a registry's answer).
    High,
    /// An exact fact (a hash, an allowlist entry, a setting in a file).
    VeryHigh,
}

impl Precision {
    /// The SARIF spelling: `very-high`, `high`, `medium`, `low`.
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Low => "low",
            Precision::Medium => "medium",
            Precision::High => "high",
            Precision::VeryHigh => "very-high",
        }
    }
}

/// Everything lockgate says about one kind of finding, written once, next to the
/// check that raises it: `lockgate explain`, SARIF rules and docs/findings.md are
/// made from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FindingDef {
    /// The stable kebab-case id (SARIF `ruleId`, docs anchor, `[[exception]] finding`).
    pub id: &'static str,
    /// One line: when this finding is raised.
    pub summary: &'static str,
    /// What it means (one paragraph).
    pub explanation: &'static str,
    /// How to fix it (one paragraph; each finding also carries its own `help`).
    pub help: &'static str,
    /// The severity under the default policy (a `[policy]` key may lower or raise it).
    pub severity: Severity,
    /// The `[policy]` keys that change whether and how seriously it is raised.
    pub policy: &'static [&'static str],
    /// The SARIF `security-severity` (a CVSS-like score, `"0.1"`-`"10.0"`) of the
    /// harm it points at; `None` for findings that are not security alerts (a registry
    /// that could not be asked): they fail the run but write no SARIF result.
    pub security_severity: Option<&'static str>,
    /// How likely a finding of this kind is to be right.
    pub precision: Precision,
}

/// Builds the crate-wide [`FindingId`] from the [`FindingDef`]s the checks declare.
/// One row per id, `Variant => module::CONST` (`self::` for ids declared here); the
/// row order is the order of `FindingId::ALL`, of the SARIF rules, and the tie-break
/// when findings are sorted: append new ids at the end.
macro_rules! finding_ids {
    ($( $variant:ident => $module:ident :: $def:ident, )*) => {
        /// The stable id of each kind of finding (the SARIF `ruleId`, the docs anchor).
        /// Its text, default severity and policy keys are in its [`FindingDef`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum FindingId {
            $(
                #[doc = concat!("See [`", stringify!($module), "::", stringify!($def), "`].")]
                $variant,
            )*
        }

        impl FindingId {
            /// Every id, in declaration order.
            pub const ALL: &'static [FindingId] = &[ $( FindingId::$variant, )* ];

            /// What lockgate says about this id (declared by the check that raises it).
            pub fn def(self) -> &'static FindingDef {
                match self {
                    $( FindingId::$variant => &$module::$def, )*
                }
            }
        }
    };
}

finding_ids! {
    HashMismatch => allowlist::HASH_MISMATCH,
    Denied => deny::DENIED,
    ParseError => self::PARSE_ERROR,
    SourceNotAllowed => source::SOURCE_NOT_ALLOWED,
    Unlisted => allowlist::UNLISTED,
    VersionNotAllowed => allowlist::VERSION_NOT_ALLOWED,
    MissingHash => allowlist::MISSING_HASH,
    Unpinned => unpinned::UNPINNED,
    SimilarName => names::SIMILAR_NAME,
    KnownHallucination => names::KNOWN_HALLUCINATION,
    KnownMalicious => names::KNOWN_MALICIOUS,
    CrossEcosystem => names::CROSS_ECOSYSTEM,
    UnknownName => names::UNKNOWN_NAME,
    NotOnRegistry => online::NOT_ON_REGISTRY,
    RegistryHashMismatch => online::REGISTRY_HASH_MISMATCH,
    Yanked => online::YANKED,
    TooNew => online::TOO_NEW,
    RegistryError => online::REGISTRY_ERROR,
    RegistryNotAllowed => installer_config::REGISTRY_NOT_ALLOWED,
    VerificationDisabled => installer_config::VERIFICATION_DISABLED,
    HashNotPinned => allowlist::HASH_NOT_PINNED,
    WeakPin => allowlist::WEAK_PIN,
    UnverifiedSource => allowlist::UNVERIFIED_SOURCE,
    ForeignArtifact => source::FOREIGN_ARTIFACT,
    ExceptionExpired => exceptions::EXCEPTION_EXPIRED,
    HashChanged => change::HASH_CHANGED,
    InstallScript => install_script::INSTALL_SCRIPT,
    TrustDowngrade => trust::TRUST_DOWNGRADE,
}

impl FindingId {
    /// Every id, in declaration order.
    pub fn iter() -> impl Iterator<Item = FindingId> {
        FindingId::ALL.iter().copied()
    }
    /// The kebab-case id.
    pub fn as_str(self) -> &'static str {
        self.def().id
    }
    /// One line: when this finding is raised.
    pub fn summary(self) -> &'static str {
        self.def().summary
    }
    /// What it means (one paragraph).
    pub fn explanation(self) -> &'static str {
        self.def().explanation
    }
    /// How to fix it (one paragraph).
    pub fn help(self) -> &'static str {
        self.def().help
    }
    /// The severity under the default policy.
    pub fn default_severity(self) -> Severity {
        self.def().severity
    }
    /// The `[policy]` keys that change it.
    pub fn policy_keys(self) -> &'static [&'static str] {
        self.def().policy
    }
    /// Look an id up by its kebab-case name.
    pub fn parse(s: &str) -> Option<FindingId> {
        FindingId::iter().find(|id| id.as_str() == s)
    }
}

/// The `parse-error` finding.
pub const PARSE_ERROR: FindingDef = FindingDef {
    id: "parse-error",
    summary: "A lockfile could not be read completely. Always fails the run.",
    explanation: "lockgate could not understand a lockfile, so it cannot say what will be installed. It never passes a file it did not read whole.",
    help: "Fix the line the message names, or regenerate the lockfile with its package manager. A format version newer than lockgate knows needs a newer lockgate.",
    severity: Severity::Critical,
    policy: &[],
    security_severity: Some("7.0"),
    precision: Precision::VeryHigh,
};

impl fmt::Display for FindingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for FindingId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One problem found by a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable id.
    pub id: FindingId,
    /// How serious.
    pub severity: Severity,
    /// The package's ecosystem (absent for file-level findings).
    pub ecosystem: Option<Ecosystem>,
    /// Package name (absent for file-level findings).
    pub name: Option<String>,
    /// Package version.
    pub version: Option<String>,
    /// The lockfile (or manifest) the finding is about.
    pub lockfile: PathBuf,
    /// 1-based line in that file.
    pub line: Option<usize>,
    /// Why the package is there: root first.
    pub path: Vec<String>,
    /// What is wrong, one line.
    pub message: String,
    /// The next step, one line.
    pub help: String,
}

impl Finding {
    /// A finding about a package.
    pub fn for_package(
        id: FindingId,
        severity: Severity,
        p: &Package,
        message: String,
        help: String,
    ) -> Finding {
        Finding {
            id,
            severity,
            ecosystem: Some(p.ecosystem),
            name: Some(p.name.to_string()),
            version: Some(p.version.to_string()),
            lockfile: p.lockfile.to_path_buf(),
            line: Some(p.line as usize),
            path: p.path.to_vec(),
            message,
            help,
        }
    }

    /// A finding about a package, at its check's default severity.
    pub fn about(id: FindingId, p: &Package, message: String, help: String) -> Finding {
        Finding::for_package(id, id.default_severity(), p, message, help)
    }

    /// A `parse-error` finding.
    pub fn parse_error(e: &ParseError) -> Finding {
        Finding {
            id: FindingId::ParseError,
            severity: Severity::Critical,
            ecosystem: crate::lockfile::detect(&e.path).map(|k| k.ecosystem()),
            name: None,
            version: None,
            lockfile: e.path.clone(),
            line: e.line,
            path: Vec::new(),
            message: e.message.clone(),
            help: e.hint.clone(),
        }
    }
}

/// Every offline check on a resolution (and on the installer configuration next to
/// its lockfiles), findings sorted worst first, then by file and line.
pub fn run_offline(res: &Resolution, list: &Allowlist) -> Vec<Finding> {
    let mut out = offline_findings(res, list);
    apply_exceptions(&mut out, list, &crate::allowlist::today());
    sort(&mut out);
    out
}

/// The offline checks' findings, before exceptions and sorting.
fn offline_findings(res: &Resolution, list: &Allowlist) -> Vec<Finding> {
    let mut out: Vec<Finding> = res.errors.iter().map(Finding::parse_error).collect();
    let packages: Vec<&Package> = res.packages().collect();
    out.extend(deny::check(&packages, list));
    out.extend(source::check(&packages, list));
    out.extend(allowlist::check(&packages, list));
    out.extend(install_script::check(&packages, list));
    out.extend(unpinned::check(res, list));
    out.extend(cooldown::check(&packages, list));
    out.extend(actions::check(&packages, list));
    let configs = crate::installer::read(&res.lockfiles);
    out.extend(configs.errors.iter().map(Finding::parse_error));
    out.extend(installer_config::check(&configs.found, list));
    out.extend(trust::offline(res, list));
    out
}

/// Sort findings worst first, then by file, line, id and name.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.lockfile.cmp(&b.lockfile))
            .then_with(|| a.line.cmp(&b.line))
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| a.name.cmp(&b.name))
    });
}

/// The result of `lockgate check`: the findings and what they were found in.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Findings, worst first.
    pub findings: Vec<Finding>,
    /// Lockfiles read.
    pub lockfiles: usize,
    /// Packages checked.
    pub packages: usize,
    /// False when a lockfile could not be read (the run fails with exit 2).
    pub complete: bool,
    /// The lowest severity that fails the run; `None` never fails on findings.
    pub fail_on: Option<Severity>,
    /// The allowlist used.
    pub allowlist: PathBuf,
}

impl Outcome {
    /// Check a resolution against an allowlist (offline checks).
    pub fn offline(res: &Resolution, list: &Allowlist, fail_on: Option<Severity>) -> Outcome {
        let findings = run_offline(res, list);
        // An installer configuration file that cannot be read is a parse error too.
        let complete = res.is_complete() && !findings.iter().any(|f| f.id == FindingId::ParseError);
        Outcome {
            findings,
            lockfiles: res.lockfiles.len(),
            packages: res.packages().count(),
            complete,
            fail_on,
            allowlist: list.path.clone(),
        }
    }

    /// Findings at or above the fail level.
    pub fn failing(&self) -> usize {
        match self.fail_on {
            None => 0,
            Some(level) => self.findings.iter().filter(|f| f.severity >= level).count(),
        }
    }

    /// Number of findings of a severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// True when a registry could not be asked and the policy does not downgrade
    /// that to a warning (`registry-error` at error level): nothing was verified online.
    pub fn registry_failed(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.id == FindingId::RegistryError && f.severity >= Severity::Error)
    }

    /// 2 when the input could not be read whole or a registry could not be asked
    /// (see [`Outcome::registry_failed`]), 1 when findings reach the fail level, 0 otherwise.
    pub fn exit_code(&self) -> u8 {
        if !self.complete || self.registry_failed() {
            2
        } else if self.failing() > 0 {
            1
        } else {
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_is_declared_once_with_complete_text() {
        let mut seen = std::collections::HashSet::new();
        for id in FindingId::iter() {
            let d = id.def();
            assert!(seen.insert(d.id), "{} is declared twice", d.id);
            assert!(
                d.id.split('-')
                    .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase())),
                "{} is not kebab-case",
                d.id
            );
            assert_eq!(FindingId::parse(d.id), Some(id));
            for (what, text) in [
                ("summary", d.summary),
                ("explanation", d.explanation),
                ("help", d.help),
            ] {
                assert!(!text.trim().is_empty(), "{}: empty {what}", d.id);
                assert!(!text.contains("\n\n"), "{}: {what} is one paragraph", d.id);
            }
            for key in d.policy {
                assert!(
                    crate::allowlist::load::POLICY_KEYS.contains(key),
                    "{}: `{key}` is not a [policy] key",
                    d.id
                );
            }
            if let Some(score) = d.security_severity {
                let v: f64 = score.parse().unwrap();
                assert!((0.1..=10.0).contains(&v), "{}: {score}", d.id);
            }
        }
        assert_eq!(FindingId::parse("no-such-id"), None);
    }
}
