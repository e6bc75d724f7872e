//! The allowlist checks: `unlisted`, `version-not-allowed`, `hash-mismatch` and
//! `missing-hash`.
//!
//! Hashes are compared per algorithm: a lockfile hash whose algorithm the pin also
//! has must be one of the pinned hashes (for PyPI, every file hash a lockfile lists
//! must be pinned). A lockfile with no hash of a pinned algorithm is `missing-hash`.
//! Packages from git or a path carry no artifact hash and are governed by the
//! `sources` policy instead; denied packages are reported once, as `denied`.

use super::{Finding, FindingId, Severity};
use crate::allowlist::{Allowlist, Pin};
use crate::lockfile::{Package, Source, hash::YARN_BERRY};

const SUGGEST: &str = "run `lockgate allowlist suggest` and send the snippet to the security team";

/// Findings for every package the allowlist does not approve as it is.
pub fn check(packages: &[&Package], list: &Allowlist) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in packages {
        if list
            .denied(p.ecosystem, &p.name, Some(&p.version))
            .is_some()
        {
            continue;
        }
        let Some(entry) = list.entry(p.ecosystem, &p.name) else {
            if let Some(sev) = Severity::from_level(list.policy.unlisted) {
                out.push(Finding::for_package(
                    FindingId::Unlisted,
                    sev,
                    p,
                    format!("{} {} is not in the allowlist", p.name, p.version),
                    SUGGEST.to_string(),
                ));
            }
            continue;
        };
        let Some(pin) = entry.pin(p.ecosystem, &p.version) else {
            if let Some(sev) = Severity::from_level(list.policy.unlisted) {
                let allowed: Vec<&str> = entry.versions.keys().map(String::as_str).collect();
                out.push(Finding::for_package(
                    FindingId::VersionNotAllowed,
                    sev,
                    p,
                    format!(
                        "{} {} is not an allowed version (allowed: {}; {}:{})",
                        p.name,
                        p.version,
                        if allowed.is_empty() {
                            "none".to_string()
                        } else {
                            allowed.join(", ")
                        },
                        list.path.display(),
                        entry.line
                    ),
                    format!("use an allowed version, or {SUGGEST}"),
                ));
            }
            continue;
        };
        out.extend(compare_hashes(p, pin, list));
    }
    out
}

fn compare_hashes(p: &Package, pin: &Pin, list: &Allowlist) -> Option<Finding> {
    let comparable: Vec<_> = p
        .hashes
        .iter()
        .filter(|h| pin.hashes.iter().any(|x| x.algorithm == h.algorithm))
        .collect();
    if let Some(bad) = comparable.iter().find(|h| !pin.hashes.contains(h)) {
        let pinned: Vec<String> = pin
            .hashes
            .iter()
            .filter(|x| x.algorithm == bad.algorithm)
            .map(|x| short(&x.to_string()))
            .collect();
        return Some(Finding::for_package(
            FindingId::HashMismatch,
            Severity::Critical,
            p,
            format!(
                "possible tampering: {} {} has {} in the lockfile, but the allowlist pins {} ({}:{})",
                p.name,
                p.version,
                short(&bad.to_string()),
                pinned.join(", "),
                list.path.display(),
                pin.line
            ),
            "do not merge: compare with the registry (`lockgate check --online`) and inspect the lockfile's history (`git log -p`)".to_string(),
        ));
    }
    if !comparable.is_empty() || matches!(p.source, Source::Git { .. } | Source::Path(_)) {
        return None;
    }
    let sev = Severity::from_level(list.policy.missing_hash)?;
    let (message, help) = if p.hashes.is_empty() {
        (
            format!("{} {} has no hash in the lockfile to compare with the pin", p.name, p.version),
            "regenerate the lockfile with hashes (e.g. `pip-compile --generate-hashes`), or run `lockgate check --online`".to_string(),
        )
    } else if p.hashes.iter().all(|h| h.algorithm == YARN_BERRY) {
        (
            format!(
                "{} {} has only a Yarn berry checksum, which is not the registry's hash, and the allowlist pins none",
                p.name, p.version
            ),
            format!(
                "pin the checksum as \"{}\" next to the registry hash, or run `lockgate check --online`",
                p.hashes[0]
            ),
        )
    } else {
        let algs: Vec<&str> = p.hashes.iter().map(|h| h.algorithm.as_str()).collect();
        let pinned: Vec<&str> = pin.hashes.iter().map(|h| h.algorithm.as_str()).collect();
        (
            format!(
                "{} {}: the lockfile has {} hashes, the allowlist pins {}; nothing to compare",
                p.name,
                p.version,
                algs.join("/"),
                pinned.join("/")
            ),
            format!("{SUGGEST} (it pins the lockfile's algorithm)"),
        )
    };
    Some(Finding::for_package(
        FindingId::MissingHash,
        sev,
        p,
        message,
        help,
    ))
}

/// `sha512:0123456789ab…` for messages.
fn short(h: &str) -> String {
    match h
        .char_indices()
        .nth(h.find(':').map(|i| i + 17).unwrap_or(usize::MAX))
    {
        Some((i, _)) => format!("{}…", &h[..i]),
        None => h.to_string(),
    }
}
