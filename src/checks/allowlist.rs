//! The allowlist checks: `unlisted`, `version-not-allowed`, `hash-mismatch`,
//! `hash-not-pinned`, `weak-pin`, `unverified-source` and `missing-hash`.
//!
//! One hash rule, as strict as the strictest installer: a version passes only if
//! every hash the lockfile lists for it, of every algorithm and for every file, is
//! pinned. pip, uv, poetry and pdm install an artifact that matches *any* listed
//! hash, and npm, yarn, pnpm and bun verify only the strongest algorithm an
//! integrity string lists, so a listed hash the pin does not hold is an artifact
//! nobody approved:
//!
//! - a hash of an algorithm the pin also has, but another value: `hash-mismatch`
//!   (critical);
//! - npm: a hash of an algorithm stronger than every pinned one (sha512 listed,
//!   sha1 pinned), which is the one the client verifies: `weak-pin`;
//! - any other unpinned hash, or a file listed without a hash: `hash-not-pinned`.
//!
//! Yarn berry checksums (a hash of Yarn's own archive) are compared only when the
//! pin holds one. A pin of `[]` approves the version without a hash (`missing-hash`
//! then applies to registry packages, as the policy says). A version pinned by hash
//! but taken from git or a path has nothing to compare: `unverified-source`.
//! Denied packages are reported once, as `denied`.

use super::{Finding, FindingDef, FindingId, Precision, Severity};
use crate::allowlist::{Allowlist, Pin};
use crate::model::hash::{YARN_BERRY, strength};
use crate::model::{Ecosystem, Hash, Package, Source};

/// The `hash-mismatch` finding.
pub const HASH_MISMATCH: FindingDef = FindingDef {
    id: "hash-mismatch",
    summary: "The lockfile's hash differs from the hash pinned in the allowlist.",
    explanation: "The artifact the lockfile will install is not the one the security team approved. This is what tampering looks like: a republished version, a compromised mirror, or an edited lockfile. It can also be a lockfile written against another registry that repackages artifacts.",
    help: "Do not merge. Compare the lockfile's hash with the registry's (`lockgate check --online`) and find out how the lockfile changed (`git log -p` on it). Only if the registry really publishes the new hash and the change is explained should the security team re-pin it with `lockgate allowlist add`.",
    severity: Severity::Critical,
    policy: &[],
    security_severity: Some("9.5"),
    precision: Precision::VeryHigh,
};

/// The `unlisted` finding.
pub const UNLISTED: FindingDef = FindingDef {
    id: "unlisted",
    summary: "The package is not in the allowlist.",
    explanation: "Every package that will be installed must be approved by the security team.",
    help: "Run `lockgate allowlist suggest` and send the snippet it prints to the security team (or add it yourself if you are on it). If you did not mean to add this dependency, remove it and regenerate the lockfile.",
    severity: Severity::Error,
    policy: &["unlisted"],
    security_severity: Some("4.0"),
    precision: Precision::VeryHigh,
};

/// The `version-not-allowed` finding.
pub const VERSION_NOT_ALLOWED: FindingDef = FindingDef {
    id: "version-not-allowed",
    summary: "The package is in the allowlist, but this version is not.",
    explanation: "Approval is per version: a new version is new code.",
    help: "Run `lockgate allowlist suggest` for the entry to send to the security team, or go back to an approved version (the message lists them).",
    severity: Severity::Error,
    policy: &["unlisted"],
    security_severity: Some("4.0"),
    precision: Precision::VeryHigh,
};

/// The `missing-hash` finding.
pub const MISSING_HASH: FindingDef = FindingDef {
    id: "missing-hash",
    summary: "The lockfile records no hash that can be compared with the pin.",
    explanation: "Without a hash, lockgate cannot tell the approved artifact from any other with the same name and version. Requirements files without `--hash`, lockfiles written with hashes turned off, and Yarn berry checksums (which hash Yarn's own archive, not the registry tarball) are common causes.",
    help: "Regenerate the lockfile with hashes (e.g. `pip-compile --generate-hashes`), pin the Yarn berry checksum in the allowlist, or run `lockgate check --online` to compare the registry's hash with the pin.",
    severity: Severity::Error,
    policy: &["missing-hash"],
    security_severity: Some("5.0"),
    precision: Precision::VeryHigh,
};

/// The `hash-not-pinned` finding.
pub const HASH_NOT_PINNED: FindingDef = FindingDef {
    id: "hash-not-pinned",
    summary: "The lockfile lists a hash (or a file without a hash) that the pin does not hold, of an algorithm the pin has none of.",
    explanation: "Installers accept an artifact that matches any hash the lockfile lists for it (pip, uv, poetry, pdm), or the one of the strongest algorithm listed (npm, yarn, pnpm, bun). A hash the allowlist does not pin, or a file the lockfile lists without a hash, is therefore an artifact nobody approved, even when another listed hash matches the pin.",
    help: "If the registry really publishes the file, the security team pins every hash of the version with `lockgate allowlist add ECOSYSTEM NAME@VERSION`, which fetches them from the registry. Otherwise remove the extra hash or file from the lockfile (regenerate it with its package manager).",
    severity: Severity::Error,
    policy: &[],
    security_severity: Some("8.0"),
    precision: Precision::VeryHigh,
};

/// The `weak-pin` finding.
pub const WEAK_PIN: FindingDef = FindingDef {
    id: "weak-pin",
    summary: "The pin holds only hashes of a weaker algorithm than one the lockfile lists (e.g. sha1 pinned, sha512 listed).",
    explanation: "npm, yarn, pnpm and bun verify only the strongest algorithm an integrity string lists, so a sha1 pin says nothing about the sha512 digest the installer will check; pip and uv accept any listed hash. The allowlist cannot vouch for the artifact.",
    help: "The security team re-pins the version with the registry's hashes: `lockgate allowlist add ECOSYSTEM NAME@VERSION` (it fetches and pins sha512 for npm, sha256 of every file for PyPI). Until then, do not merge.",
    severity: Severity::Error,
    policy: &[],
    security_severity: Some("7.0"),
    precision: Precision::VeryHigh,
};

/// The `unverified-source` finding.
pub const UNVERIFIED_SOURCE: FindingDef = FindingDef {
    id: "unverified-source",
    summary: "A version the allowlist pins by hash comes from git or a path, where there is no artifact hash to compare.",
    explanation: "The pin approves one artifact of a registry release. A git repository or a local folder (a cargo `[patch]` path, a `file:` dependency) can hold any code under the same name and version, and the source kind alone never satisfies a hash pin.",
    help: "Depend on the registry release, or, if the git or path dependency is intended, the security team approves the version without a hash (`versions.\"X\" = []`) after reviewing it.",
    severity: Severity::Error,
    policy: &[],
    security_severity: Some("6.0"),
    precision: Precision::VeryHigh,
};

const SUGGEST: &str = "run `lockgate allowlist suggest` and send the snippet to the security team";

/// True when the allowlist pins some version of the package's name by hash.
fn pinned_by_hash(list: &Allowlist, p: &Package) -> bool {
    list.entry(p.ecosystem, &p.name)
        .is_some_and(|e| e.versions.values().any(|pin| !pin.hashes.is_empty()))
}

/// Findings for every package the allowlist does not approve as it is.
pub fn check(packages: &[&Package], list: &Allowlist) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in packages {
        // Path and workspace packages carry no artifact: `sources` governs them
        // (`source-not-allowed`), and they need no per-version pin. A path package
        // under a name the allowlist pins by hash is another matter (a cargo
        // `[patch]` folder, a `file:` copy of a registry package): it is checked
        // like any other, so the pin is never satisfied by the source kind alone.
        if matches!(p.source, Source::Path(_)) && !pinned_by_hash(list, p) {
            continue;
        }
        if list
            .denied(p.ecosystem, &p.name, Some(&p.version))
            .is_some()
        {
            continue;
        }
        // An action by tag or branch is `unpinned` (checks::actions): no pin to look up.
        if super::actions::is_unpinned_action(p) {
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
                        entry.file.display(),
                        entry.line
                    ),
                    format!("use an allowed version, or {SUGGEST}"),
                ));
            }
            continue;
        };
        // An action's commit SHA (or image digest) is its version: the pin matched.
        if p.ecosystem == Ecosystem::Actions {
            continue;
        }
        out.extend(compare_hashes(p, pin, list, &entry.file));
    }
    out
}

/// The command that pins the registry's hashes of this version.
fn add_command(p: &Package) -> String {
    format!(
        "lockgate allowlist add {} {}@{}",
        p.ecosystem, p.name, p.version
    )
}

fn compare_hashes(
    p: &Package,
    pin: &Pin,
    list: &Allowlist,
    file: &std::path::Path,
) -> Option<Finding> {
    let at = format!("{}:{}", file.display(), pin.line);
    // A git or path package matches a hash pin only by a hash the lockfile records
    // for what will be built (Yarn berry checksums of `file:` folders), all pinned.
    let hash_matched = !p.hashes.is_empty() && p.hashes.iter().all(|h| pin.hashes.contains(h));
    if !pin.hashes.is_empty()
        && !hash_matched
        && matches!(p.source, Source::Git { .. } | Source::Path(_))
    {
        return Some(Finding::about(
            FindingId::UnverifiedSource,
            p,
            format!(
                "{} {} is pinned by hash ({at}), but the lockfile takes it from {} {}, which has no artifact hash to compare: any code could build under this name and version",
                p.name,
                p.version,
                p.source.kind(),
                p.source.location().unwrap_or_default()
            ),
            format!(
                "depend on the registry release of `{}`, or have the security team review the {} source and pin the version as `[]` ({at})",
                p.name,
                p.source.kind()
            ),
        ));
    }
    // 1. Same algorithm, another value: tampering.
    let same_alg = |h: &&Hash| pin.hashes.iter().any(|x| x.algorithm == h.algorithm);
    if let Some(bad) = p
        .hashes
        .iter()
        .filter(same_alg)
        .find(|h| !pin.hashes.contains(h))
    {
        let pinned: Vec<String> = pin
            .hashes
            .iter()
            .filter(|x| x.algorithm == bad.algorithm)
            .map(|x| short(&x.to_string()))
            .collect();
        return Some(Finding::about(
FindingId::HashMismatch, p,
            format!(
                "possible tampering: {} {} has {} in the lockfile, but the allowlist pins {} ({at})",
                p.name,
                p.version,
                short(&bad.to_string()),
                pinned.join(", "),
            ),
            "do not merge: compare with the registry (`lockgate check --online`) and inspect the lockfile's history (`git log -p`)".to_string(),
        ));
    }
    if pin.hashes.is_empty() {
        return missing_hash(p, pin, list);
    }
    // 2. Hashes of algorithms the pin has none of (Yarn berry checksums aside).
    let unpinned: Vec<&Hash> = p
        .hashes
        .iter()
        .filter(|h| h.algorithm != YARN_BERRY && !pin.hashes.contains(h))
        .collect();
    if !unpinned.is_empty() {
        let pinned_algs = algorithms(pin.hashes.iter());
        let strongest_pinned = pin
            .hashes
            .iter()
            .filter_map(|h| strength(&h.algorithm))
            .max();
        let strongest_listed = unpinned.iter().filter_map(|h| strength(&h.algorithm)).max();
        // npm's clients verify only the strongest algorithm listed: a weaker pin
        // cannot vouch for it. (pip and uv accept any listed hash: not pinned.)
        let weak = p.ecosystem == Ecosystem::Npm
            && match (strongest_listed, strongest_pinned) {
                (Some(l), Some(pinned)) => l > pinned,
                (Some(_), None) => true,
                _ => false,
            };
        let listed: Vec<String> = unpinned.iter().map(|h| short(&h.to_string())).collect();
        let algs = algorithms(unpinned.iter().copied());
        let (id, message) = if weak {
            (
                FindingId::WeakPin,
                format!(
                    "{} {}: the lockfile lists {} ({}), but the allowlist pins only {} ({at}), a weaker algorithm that cannot vouch for the artifact the installer will verify",
                    p.name,
                    p.version,
                    algs,
                    listed.join(", "),
                    pinned_algs
                ),
            )
        } else {
            (
                FindingId::HashNotPinned,
                format!(
                    "{} {}: the lockfile lists {} hash {}, which the allowlist does not pin (it pins {} at {at}); an installer accepts an artifact that matches it",
                    p.name,
                    p.version,
                    algs,
                    listed.join(", "),
                    pinned_algs
                ),
            )
        };
        return Some(Finding::for_package(
            id,
            Severity::Error,
            p,
            message,
            format!(
                "if the registry publishes this file, the security team pins the registry's hashes with `{}`; otherwise remove the hash from the lockfile and regenerate it",
                add_command(p)
            ),
        ));
    }
    // 3. A file the lockfile lists without any hash: the installer will not verify it.
    if matches!(p.source, Source::Registry(_) | Source::Url(_))
        && p.hashes.iter().any(Hash::is_registry_digest)
        && let Some(a) = p.files().find(|a| a.hashes.is_empty())
    {
        return Some(Finding::about(
FindingId::HashNotPinned, p,
            format!(
                "{} {}: the file {} (line {}) has no hash in the lockfile, so the installer will not verify it and the allowlist ({at}) cannot approve it",
                p.name,
                p.version,
                a.file_name().or(a.url.as_deref()).unwrap_or("(unnamed)"),
                a.line
            ),
            "remove the file from the lockfile, or regenerate the lockfile so that every file has its hash".to_string(),
        ));
    }
    if p.hashes.iter().any(|h| pin.hashes.contains(h)) {
        return None;
    }
    missing_hash(p, pin, list)
}

/// `sha1/sha512`: the distinct algorithms of some hashes.
fn algorithms<'h>(hashes: impl Iterator<Item = &'h Hash>) -> String {
    let mut algs: Vec<&str> = hashes.map(|h| h.algorithm.as_str()).collect();
    algs.sort_by_key(|a| strength(a));
    algs.dedup();
    algs.join("/")
}

/// `missing-hash` (per policy): nothing in the lockfile to compare with the pin.
fn missing_hash(p: &Package, pin: &Pin, list: &Allowlist) -> Option<Finding> {
    if matches!(p.source, Source::Git { .. } | Source::Path(_)) {
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
                if pinned.is_empty() {
                    "none".to_string()
                } else {
                    pinned.join("/")
                }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Ecosystem;
    use std::path::Path;

    const SHA1: &str = "sha1:da398906b3d58dd540eb1cdfca9d265e2e26d419";
    const SHA512: &str = "sha512:5d1720961877a7694702ee20160ef98b9a30677feeb6d219875d622a3f96d9fa9ce08bbc3afc081e40d27ed6b0e20511a34580d9f4f6a20bb04dae070a12f027";
    const SHA256: &str = "sha256:5f0e2c6ed6606019b4e29e69dbaba95b11854410e5347d525002456dbbb786b6";

    fn list(pin: &str) -> Allowlist {
        let text = format!(
            "schema = 1\n[npm.left-pad]\nversions.\"1.3.0\" = {pin}\n[pypi.six]\nversions.\"1.16.0\" = {pin}\n"
        );
        crate::allowlist::load::parse(Path::new("allowlist.toml"), &text).unwrap()
    }

    fn pkg(eco: Ecosystem, source: Source, hashes: &[&str]) -> Package {
        let name = if eco == Ecosystem::Npm {
            "left-pad"
        } else {
            "six"
        };
        let version = if eco == Ecosystem::Npm {
            "1.3.0"
        } else {
            "1.16.0"
        };
        Package {
            hashes: hashes.iter().map(|h| Hash::parse(h).unwrap()).collect(),
            ..Package::new(eco, name, version, source, "lock", 3)
        }
    }

    fn ids(list: &Allowlist, p: &Package) -> Vec<FindingId> {
        check(&[p], list).iter().map(|f| f.id).collect()
    }

    #[test]
    fn every_listed_hash_must_be_pinned() {
        let reg = Source::Registry(None);
        let l = list(&format!("\"{SHA1}\""));
        assert!(ids(&l, &pkg(Ecosystem::Npm, reg.clone(), &[SHA1])).is_empty());
        // npm: a stronger algorithm beside a sha1 pin is what npm verifies.
        assert_eq!(
            ids(&l, &pkg(Ecosystem::Npm, reg.clone(), &[SHA1, SHA512])),
            [FindingId::WeakPin]
        );
        // PyPI: any listed hash is accepted by pip.
        let l = list(&format!("\"{SHA256}\""));
        assert_eq!(
            ids(&l, &pkg(Ecosystem::Pypi, reg.clone(), &[SHA256, SHA512])),
            [FindingId::HashNotPinned]
        );
        // A weaker extra hash is not pinned either.
        let l = list(&format!("\"{SHA512}\""));
        assert_eq!(
            ids(&l, &pkg(Ecosystem::Npm, reg, &[SHA1, SHA512])),
            [FindingId::HashNotPinned]
        );
    }

    #[test]
    fn a_hash_pin_is_never_satisfied_by_a_path_or_git_source() {
        let path = Source::Path("../left-pad".into());
        let l = list(&format!("\"{SHA512}\""));
        assert_eq!(
            ids(&l, &pkg(Ecosystem::Npm, path.clone(), &[])),
            [FindingId::UnverifiedSource]
        );
        let git = Source::Git {
            url: "https://example.com/x.git".into(),
            rev: None,
        };
        assert_eq!(
            ids(&l, &pkg(Ecosystem::Npm, git, &[])),
            [FindingId::UnverifiedSource]
        );
        // A hash of what will be built, pinned, matches.
        assert!(ids(&l, &pkg(Ecosystem::Npm, path.clone(), &[SHA512])).is_empty());
        // `[]` approves the version without a hash, as before.
        let l = list("[]");
        assert!(ids(&l, &pkg(Ecosystem::Npm, path, &[])).is_empty());
        assert_eq!(
            ids(&l, &pkg(Ecosystem::Npm, Source::Registry(None), &[SHA512])),
            [FindingId::MissingHash]
        );
    }

    #[test]
    fn a_file_without_a_hash_beside_hashed_ones_is_not_pinned() {
        let l = list(&format!("\"{SHA256}\""));
        let mut p = pkg(Ecosystem::Pypi, Source::Registry(None), &[SHA256]);
        p.artifacts = vec![
            crate::model::Artifact::new(
                Some("https://files.pythonhosted.org/six-1.16.0.tar.gz".into()),
                p.hashes.to_vec(),
                4,
            ),
            crate::model::Artifact::new(
                Some("https://files.pythonhosted.org/six-1.16.0-py3-none-any.whl".into()),
                Vec::new(),
                5,
            ),
        ]
        .into();
        assert_eq!(ids(&l, &p), [FindingId::HashNotPinned]);
    }
}
