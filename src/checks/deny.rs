//! `denied`: packages on the allowlist's `[[deny]]` list.

use super::{Finding, FindingDef, FindingId, Precision, Severity};
use crate::allowlist::Allowlist;
use crate::model::Package;

/// The `denied` finding.
pub const DENIED: FindingDef = FindingDef {
    id: "denied",
    summary: "The package is on the allowlist's [[deny]] list.",
    explanation: "The security team has forbidden this package (or these versions of it); the finding carries their reason.",
    help: "Remove the dependency or replace it with the alternative the reason names, then regenerate the lockfile.",
    severity: Severity::Error,
    policy: &[],
    security_severity: Some("8.0"),
    precision: Precision::VeryHigh,
};

/// One `denied` finding per package that a deny rule matches.
pub fn check(packages: &[&Package], list: &Allowlist) -> Vec<Finding> {
    packages
        .iter()
        .filter_map(|p| {
            let rule = list.denied(p.ecosystem, &p.name, Some(&p.version))?;
            Some(Finding::about(
                FindingId::Denied,
                p,
                format!("{} {} is denied: {}", p.name, p.version, rule.reason),
                format!(
                    "remove `{}` (denied at {}:{}) and regenerate the lockfile",
                    p.name,
                    rule.file.display(),
                    rule.line
                ),
            ))
        })
        .collect()
}
