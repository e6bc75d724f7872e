//! `exception-expired`, and the allowlist's `[[exception]]`s applied to every
//! check's findings.

use super::{Finding, FindingDef, FindingId, Precision, Severity};
use crate::allowlist::Allowlist;

/// The `exception-expired` finding.
pub const EXCEPTION_EXPIRED: FindingDef = FindingDef {
    id: "exception-expired",
    summary: "An allowlist [[exception]] that would waive this finding has expired.",
    explanation: "Exceptions waive one finding for one package until a date. After that day the finding applies again, and this note names the expired exception.",
    help: "Fix the dependency, or have the security team renew the exception with a new `until` (`lockgate allowlist except ... --until DATE --reason ...`) and remove the expired one.",
    severity: Severity::Note,
    policy: &[],
    security_severity: Some("2.0"),
    precision: Precision::VeryHigh,
};

/// Apply the allowlist's `[[exception]]`s: a finding waived by an exception that
/// is still in force (through its `until` day) is dropped; one waived only by an
/// expired exception stays, and an `exception-expired` note names the exception.
/// Every check's findings go through here (offline, names, online), so every check
/// honours exceptions the same way. Exceptions for `hash-mismatch` and
/// `known-malicious` are refused when the allowlist is loaded.
pub fn apply_exceptions(findings: &mut Vec<Finding>, list: &Allowlist, today: &str) {
    if list.exceptions.is_empty() {
        return;
    }
    let mut notes: Vec<Finding> = Vec::new();
    findings.retain(|f| {
        let (Some(eco), Some(name)) = (f.ecosystem, f.name.as_deref()) else {
            return true;
        };
        if crate::allowlist::NEVER_EXCEPTED.contains(&f.id.as_str()) {
            return true;
        }
        let matching: Vec<_> = list
            .exceptions
            .iter()
            .filter(|x| x.finding == f.id.as_str() && x.covers(eco, name, f.version.as_deref()))
            .collect();
        if matching.iter().any(|x| !x.expired(today)) {
            return false;
        }
        for x in matching {
            let note = Finding {
                id: FindingId::ExceptionExpired,
                severity: Severity::Note,
                ecosystem: Some(eco),
                name: Some(name.to_string()),
                version: f.version.clone(),
                lockfile: x.file.clone(),
                line: Some(x.line),
                path: Vec::new(),
                message: format!(
                    "the exception for `{}` on {eco} {}{} expired on {} ({}); the finding applies again",
                    x.finding,
                    x.name,
                    x.version.as_ref().map(|v| format!("@{v}")).unwrap_or_default(),
                    x.until,
                    crate::allowlist::history::describe(&x.approval)
                ),
                help: format!(
                    "fix the dependency, or renew the exception: `lockgate allowlist except {eco} {} {} --until YYYY-MM-DD --reason \"...\"`, and remove the expired one at {}:{}",
                    x.name,
                    x.finding,
                    x.file.display(),
                    x.line
                ),
            };
            notes.push(note);
        }
        true
    });
    for n in notes {
        let dup = findings.iter().any(|f| {
            f.id == n.id && f.lockfile == n.lockfile && f.line == n.line && f.name == n.name
        });
        if !dup {
            findings.push(n);
        }
    }
}
