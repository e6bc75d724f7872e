//! GitHub Actions: a `uses:` whose ref is not a full commit SHA (or a `docker://`
//! image without a `sha256:` digest) is `unpinned`; a pinned one is checked against
//! the allowlist by [`super::allowlist`] (a SHA it does not approve is `unlisted` or
//! `version-not-allowed`). No new finding id: `unpinned` is the existing one.

use super::{Finding, FindingId, Severity};
use crate::allowlist::Allowlist;
use crate::lockfile::github_actions::is_pinned;
use crate::model::{Ecosystem, Package};

/// True for an action package that the allowlist check should not look up: its ref
/// is a tag or a branch (reported here as `unpinned` instead).
pub fn is_unpinned_action(p: &Package) -> bool {
    p.ecosystem == Ecosystem::Actions && !is_pinned(&p.name, &p.version)
}

/// One `unpinned` finding per `uses:` by tag, branch or image tag.
pub fn check(packages: &[&Package], list: &Allowlist) -> Vec<Finding> {
    let Some(severity) = Severity::from_level(list.policy.unpinned) else {
        return Vec::new();
    };
    packages
        .iter()
        .filter(|p| is_unpinned_action(p))
        .map(|p| {
            let (message, help) = match p.name.strip_prefix("docker://") {
                Some(image) => (
                    format!(
                        "`uses: {}:{}` names a docker image by tag, which can be re-pushed with other content",
                        p.name, p.version
                    ),
                    format!(
                        "pin it by digest: `uses: docker://{image}@sha256:<digest> # {}` (`docker buildx imagetools inspect {image}:{}` prints the digest), then have the digest approved in the allowlist",
                        p.version, p.version
                    ),
                ),
                None => (
                    format!(
                        "`uses: {}@{}` runs the action by a tag or branch, which can be moved to other code at any time (tj-actions/changed-files, March 2025)",
                        p.name, p.version
                    ),
                    format!(
                        "pin it by commit SHA: `uses: {}@<sha> # {}` (`lockgate allowlist suggest --online` resolves the tag to its commit), then have the SHA approved in the allowlist",
                        p.name, p.version
                    ),
                ),
            };
            Finding::for_package(FindingId::Unpinned, severity, p, message, help)
        })
        .collect()
}
