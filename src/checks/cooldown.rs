//! The cooldown: `too-new` for a version younger than the policy's minimum age
//! (`[policy] min-age = "7d"` or `min-age-days = 7`, the stricter of the two).
//!
//! - Offline ([`check`]): from the upload times the lockfile records
//!   ([`Package::upload_time`]: uv.lock and pylock.toml `upload-time`, pnpm's `time:`),
//!   the latest among the files the lockfile names (a wheel added last week to a
//!   release from last year is new code).
//! - Online ([`too_new_online`]): from the registry's upload times of the files the
//!   lockfile names (when the lockfile names none by hash, every file of the
//!   version), else the version's publish time. A version whose age neither the
//!   lockfile nor the registry gives is `too-new` too (it cannot be shown old enough),
//!   unless `[policy] missing-publish-time` says `warn` or `allow`.
//!
//! Ages are measured against [`crate::model::timestamp::clock`] (`LOCKGATE_NOW` when
//! set). Exceptions (`[[exception]] finding = "too-new"` with an `until` date) waive
//! the finding for one package or version until that day.

use super::{Finding, FindingId, Severity};
use crate::allowlist::{Allowlist, Level};
use crate::model::Package;
use crate::model::timestamp;
use crate::registry::VersionInfo;

/// The offline `too-new` findings: every package whose lockfile upload time is
/// younger than the policy's minimum age. Nothing when the policy sets none.
pub fn check(packages: &[&Package], list: &Allowlist) -> Vec<Finding> {
    let Some(min) = list.policy.min_age_secs() else {
        return Vec::new();
    };
    let now = match timestamp::clock() {
        Ok(now) => now,
        Err(message) => {
            return vec![Finding {
                id: FindingId::TooNew,
                severity: Severity::Error,
                ecosystem: None,
                name: None,
                version: None,
                lockfile: list.path.clone(),
                line: None,
                path: Vec::new(),
                message: format!("cannot measure package ages: {message}"),
                help: format!(
                    "unset {} to use the system clock, or set it to a time such as 2026-01-31T12:00:00Z",
                    timestamp::NOW_VAR
                ),
            }];
        }
    };
    packages
        .iter()
        .filter_map(|p| {
            let uploaded = p.upload_time.get()?;
            (now - uploaded < min).then(|| too_new(p, list, now - uploaded, "uploaded"))
        })
        .collect()
}

/// Whether the offline check already reports this package as too new (so the online
/// check does not say it twice).
fn offline_too_new(p: &Package, min: i64, now: i64) -> bool {
    p.upload_time.get().is_some_and(|t| now - t < min)
}

/// When the files of `v` that `p` installs were uploaded: the latest registry upload
/// time among the files whose hashes the lockfile names; when it names none of
/// them, the latest of every file of the version (the installer may take any); else
/// the version's publish time.
pub fn registry_upload_time(p: &Package, v: &VersionInfo) -> Option<i64> {
    let named = v
        .files
        .iter()
        .filter(|f| f.hashes.iter().any(|h| p.hashes.contains(h)))
        .filter_map(|f| f.uploaded)
        .max();
    named
        .or_else(|| v.files.iter().filter_map(|f| f.uploaded).max())
        .or(v.published)
}

/// The online `too-new` finding for one version the registry describes: younger
/// than the minimum age by the registry's times or the lockfile's (the later wins),
/// or of no known age (per `missing-publish-time`). `None` when the policy sets no
/// minimum age, the offline check already reports it, or it is old enough.
pub fn too_new_online(p: &Package, v: &VersionInfo, list: &Allowlist, now: i64) -> Option<Finding> {
    let min = list.policy.min_age_secs()?;
    if offline_too_new(p, min, now) {
        return None;
    }
    let Some(uploaded) = registry_upload_time(p, v).max(p.upload_time.get()) else {
        let severity = match list.policy.missing_publish_time {
            Level::Allow => return None,
            Level::Warn => Severity::Warning,
            Level::Deny => Severity::Error,
        };
        return Some(Finding::for_package(
            FindingId::TooNew,
            severity,
            p,
            format!(
                "{} {}: neither the lockfile nor the registry gives a publish time, so lockgate cannot tell whether it is older than the policy's {}",
                p.name,
                p.version,
                list.policy.min_age_setting().unwrap_or_default()
            ),
            format!(
                "have the security team approve it: `lockgate allowlist except {} {}@{} too-new --until YYYY-MM-DD --reason \"...\"`; or set `[policy] missing-publish-time = \"warn\"` (or \"allow\")",
                p.ecosystem, p.name, p.version
            ),
        ));
    };
    (now - uploaded < min).then(|| too_new(p, list, now - uploaded, "published"))
}

fn too_new(p: &Package, list: &Allowlist, age: i64, verb: &str) -> Finding {
    let setting = list.policy.min_age_setting().unwrap_or_default();
    let wait = list
        .policy
        .min_age_secs()
        .map(|m| age_text(m - age))
        .unwrap_or_default();
    let when = if age < 0 {
        format!(
            "{verb} {} after now by lockgate's clock (clock skew, or {} set in the past?)",
            age_text(-age),
            timestamp::NOW_VAR
        )
    } else {
        format!("{verb} {} ago", age_text(age))
    };
    Finding::about(
        FindingId::TooNew,
        p,
        format!(
            "{} {} was {when}, less than the policy's {setting}",
            p.name, p.version
        ),
        format!(
            "wait {wait} more, use an older version, or have the security team approve it: `lockgate allowlist except {} {}@{} too-new --until YYYY-MM-DD --reason \"...\"`",
            p.ecosystem, p.name, p.version
        ),
    )
}

/// A non-negative age in the largest unit that reads well: `42 minutes`, `5 hours`,
/// `12 days`.
pub fn age_text(secs: i64) -> String {
    let n = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if secs < 3600 {
        n(secs / 60, "minute")
    } else if secs < 2 * 86_400 {
        n(secs / 3600, "hour")
    } else {
        n(secs / 86_400, "day")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_in_the_largest_unit() {
        assert_eq!(age_text(59 * 60), "59 minutes");
        assert_eq!(age_text(3600), "1 hour");
        assert_eq!(age_text(3 * 86_400), "3 days");
    }
}
