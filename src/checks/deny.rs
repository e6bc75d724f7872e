//! `denied`: packages on the allowlist's `[[deny]]` list.

use super::{Finding, FindingId, Severity};
use crate::allowlist::Allowlist;
use crate::model::Package;

/// One `denied` finding per package that a deny rule matches.
pub fn check(packages: &[&Package], list: &Allowlist) -> Vec<Finding> {
    packages
        .iter()
        .filter_map(|p| {
            let rule = list.denied(p.ecosystem, &p.name, Some(&p.version))?;
            Some(Finding::for_package(
                FindingId::Denied,
                Severity::Error,
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
