//! `registry-not-allowed` and `verification-disabled`: installer configuration in the
//! repository (read by [`crate::installer`]) that sends the installer to a registry
//! or source the policy does not allow, or turns its verification off.
//!
//! A registry setting passes when it names the ecosystem's default registry or a
//! `[policy] registries` entry (compared as parsed URLs, see
//! [`crate::allowlist::registry_url`]) and `registry` is among `[policy] sources`; a
//! folder (`path`) or `git` source passes only when its kind is among `[policy]
//! sources`. A setting that turns verification off (integrity, checksums, TLS) is
//! always an error: no policy allows it.

use super::{Finding, FindingDef, FindingId, Precision, Severity};
use crate::allowlist::{Allowlist, registry_url};
use crate::installer::{Found, Setting};
use crate::model::Ecosystem;

/// The `registry-not-allowed` finding.
pub const REGISTRY_NOT_ALLOWED: FindingDef = FindingDef {
    id: "registry-not-allowed",
    summary: "Installer configuration in the repository sends the installer to a registry or source the policy does not allow.",
    explanation: "A committed `.npmrc`, `.yarnrc`, `.yarnrc.yml`, `bunfig.toml`, `pnpm-workspace.yaml`, `.cargo/config.toml`, `uv.toml`, `pyproject.toml` (`[tool.uv]`, `[[tool.poetry.source]]`, `[[tool.pdm.source]]`) or `Pipfile` decides where the installer really fetches from, whatever the lockfile's URLs say: npm, for one, fetches every registry.npmjs.org tarball of the lockfile from the registry `.npmrc` names. A pull request that changes it can serve any code under approved names and versions.",
    help: "Remove the setting (the finding names the file and line), or have the security team add the registry to `[policy] registries` (or the source kind to `[policy] sources`). See docs/installer-config.md.",
    severity: Severity::Error,
    policy: &["registries", "sources"],
    security_severity: Some("8.0"),
    precision: Precision::VeryHigh,
};

/// The `verification-disabled` finding.
pub const VERIFICATION_DISABLED: FindingDef = FindingDef {
    id: "verification-disabled",
    summary: "Installer configuration in the repository turns off integrity, checksum or TLS verification.",
    explanation: "Settings such as `strict-ssl=false`, `checksumBehavior: ignore`, `enableStrictSsl: false`, `unsafeHttpWhitelist`, `allow-insecure-host` or `verify_ssl = false` make the installer accept what it fetched without checking it, so the hashes lockgate compares with the allowlist no longer protect the install. No policy allows this.",
    help: "Remove the setting (the finding names the file and line). See docs/installer-config.md.",
    severity: Severity::Error,
    policy: &[],
    security_severity: Some("8.0"),
    precision: Precision::VeryHigh,
};

/// The default registries of each ecosystem, allowed without a policy entry.
pub fn default_registries(ecosystem: Ecosystem) -> &'static [&'static str] {
    match ecosystem {
        Ecosystem::Actions => &[],
        Ecosystem::Npm => &[
            "https://registry.npmjs.org/",
            "https://registry.yarnpkg.com/",
        ],
        Ecosystem::Cargo => &[
            "https://github.com/rust-lang/crates.io-index",
            "sparse+https://index.crates.io/",
        ],
        Ecosystem::Pypi => &[
            "https://pypi.org/simple/",
            "https://files.pythonhosted.org/",
        ],
    }
}

/// Is this installer setting's source allowed by the policy?
pub fn source_allowed(list: &Allowlist, ecosystem: Ecosystem, kind: &str, location: &str) -> bool {
    if !list.policy.sources.iter().any(|s| s == kind) {
        return false;
    }
    match kind {
        "registry" => {
            default_registries(ecosystem)
                .iter()
                .any(|d| registry_url::matches(d, location))
                || list.registry_allowed(location)
        }
        _ => true,
    }
}

/// One finding per setting the policy does not allow.
pub fn check(found: &[Found], list: &Allowlist) -> Vec<Finding> {
    found
        .iter()
        .filter_map(|f| {
            let (id, message, help) = match &f.setting {
                Setting::Source { kind, location } => {
                    if source_allowed(list, f.ecosystem, kind, location) {
                        return None;
                    }
                    let env = if location.contains('$') {
                        " (its value depends on an environment variable lockgate cannot see)"
                    } else {
                        ""
                    };
                    let redirect = if f.ecosystem == Ecosystem::Npm && f.key.eq_ignore_ascii_case("registry") && f.installer.starts_with("npm") {
                        " (npm also fetches from it every tarball the lockfile places on registry.npmjs.org)"
                    } else {
                        ""
                    };
                    let what = match *kind {
                        "registry" => format!("the registry {location}"),
                        "path" => format!("the folder `{location}`"),
                        other => format!("{other} {location}"),
                    };
                    let help = match *kind {
                        "registry" => format!(
                            "remove `{}` from {} to use the default registry, or have the security team add \"{location}\" to [policy] registries",
                            f.key,
                            f.file.display()
                        ),
                        other => format!(
                            "remove `{}` from {}, or have the security team add \"{other}\" to [policy] sources (code from a {other} source is not covered by the allowlist's registry hashes)",
                            f.key,
                            f.file.display()
                        ),
                    };
                    (
                        FindingId::RegistryNotAllowed,
                        format!(
                            "`{}` makes {} fetch packages from {what}{env}, which the policy does not allow{redirect}",
                            f.key, f.installer
                        ),
                        help,
                    )
                }
                Setting::VerificationOff { effect } => (
                    FindingId::VerificationDisabled,
                    format!("`{}` turns off {effect} in {}", f.key, f.installer),
                    format!(
                        "remove `{}` from {}: lockgate's hashes only protect installs that the installer verifies",
                        f.key,
                        f.file.display()
                    ),
                ),
            };
            Some(Finding {
                id,
                severity: id.default_severity(),
                ecosystem: Some(f.ecosystem),
                name: None,
                version: None,
                lockfile: f.file.clone(),
                line: Some(f.line),
                path: Vec::new(),
                message,
                help,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn found(eco: Ecosystem, key: &str, kind: &'static str, loc: &str) -> Found {
        Found {
            file: PathBuf::from(".npmrc"),
            line: 3,
            ecosystem: eco,
            installer: "npm, pnpm, yarn classic and bun",
            key: key.into(),
            setting: Setting::Source {
                kind,
                location: loc.into(),
            },
        }
    }

    fn list(registries: &[&str], sources: &[&str]) -> Allowlist {
        let mut l = Allowlist::default();
        l.policy.registries = registries.iter().map(|s| s.to_string()).collect();
        l.policy.sources = sources.iter().map(|s| s.to_string()).collect();
        l
    }

    #[test]
    fn registries_outside_the_policy_are_findings() {
        let l = list(&["https://npm.acme.example/"], &["registry"]);
        let f = check(
            &[found(
                Ecosystem::Npm,
                "registry",
                "registry",
                "http://other-host/",
            )],
            &l,
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].id, FindingId::RegistryNotAllowed);
        assert_eq!(
            (f[0].lockfile.to_str(), f[0].line),
            (Some(".npmrc"), Some(3))
        );
        assert!(
            f[0].message.contains("http://other-host/"),
            "{}",
            f[0].message
        );
        for ok in [
            "https://npm.acme.example/",
            "https://registry.npmjs.org/",
            "https://registry.npmjs.org",
            "https://registry.yarnpkg.com",
        ] {
            assert!(
                check(&[found(Ecosystem::Npm, "registry", "registry", ok)], &l).is_empty(),
                "{ok}"
            );
        }
        for bad in [
            "https://npm.acme.example.attacker.test/",
            "http://registry.npmjs.org/",
            "https://registry.npmjs.org@evil.test/",
            "${REGISTRY}",
        ] {
            assert_eq!(
                check(&[found(Ecosystem::Npm, "registry", "registry", bad)], &l).len(),
                1,
                "{bad}"
            );
        }
        // The default registry of another ecosystem is not this one's.
        assert_eq!(
            check(
                &[found(
                    Ecosystem::Cargo,
                    "source.x.registry",
                    "registry",
                    "https://registry.npmjs.org/"
                )],
                &l
            )
            .len(),
            1
        );
        assert!(
            check(
                &[found(
                    Ecosystem::Pypi,
                    "index-url",
                    "registry",
                    "https://pypi.org/simple"
                )],
                &l
            )
            .is_empty()
        );
    }

    #[test]
    fn path_and_git_follow_policy_sources() {
        let strict = list(&[], &["registry"]);
        let loose = list(&[], &["registry", "path"]);
        let v = found(
            Ecosystem::Cargo,
            "source.vendored.directory",
            "path",
            "vendor",
        );
        assert_eq!(check(std::slice::from_ref(&v), &strict).len(), 1);
        assert!(check(std::slice::from_ref(&v), &loose).is_empty());
        let g = found(
            Ecosystem::Cargo,
            "patch.crates-io.serde",
            "git",
            "https://x/y",
        );
        assert_eq!(check(&[g], &loose).len(), 1);
    }

    #[test]
    fn verification_off_is_always_an_error() {
        let l = list(&[], &["registry", "git", "path", "url"]);
        let f = Found {
            setting: Setting::VerificationOff {
                effect: "TLS certificate verification".into(),
            },
            ..found(Ecosystem::Npm, "strict-ssl", "registry", "")
        };
        let out = check(&[f], &l);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].id, FindingId::VerificationDisabled);
        assert_eq!(out[0].severity, Severity::Error);
    }
}
