//! `source-not-allowed`: packages from git, a path, a URL or a registry the policy
//! does not allow.

use super::{Finding, FindingId, Severity};
use crate::allowlist::Allowlist;
use crate::lockfile::{Package, Source};

/// One finding per package whose source the policy does not allow.
pub fn check(packages: &[&Package], list: &Allowlist) -> Vec<Finding> {
    packages
        .iter()
        .filter_map(|p| {
            let kind = p.source.kind();
            let allowed_kind = list.policy.sources.iter().any(|s| s == kind);
            let (ok, what) = match &p.source {
                Source::Registry(None) => (allowed_kind, "the default registry".to_string()),
                Source::Registry(Some(url)) => (
                    allowed_kind && list.registry_allowed(url),
                    format!("the registry {url}"),
                ),
                other => (allowed_kind, format!("{kind} {}", other.location().unwrap_or_default())),
            };
            if ok {
                return None;
            }
            let help = match &p.source {
                Source::Registry(Some(url)) => format!(
                    "install `{}` from the default registry, or have the security team add \"{url}\" to [policy] registries",
                    p.name
                ),
                _ => format!(
                    "depend on a registry release of `{}`, or have the security team add \"{kind}\" to [policy] sources",
                    p.name
                ),
            };
            Some(Finding::for_package(
                FindingId::SourceNotAllowed,
                Severity::Error,
                p,
                format!("{} {} comes from {what}, which the policy does not allow", p.name, p.version),
                help,
            ))
        })
        .collect()
}
