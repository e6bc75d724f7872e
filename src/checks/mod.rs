//! Checks: each module takes packages and the policy and returns [`Finding`]s.
//! Checks never print; the `report` modules render what they return.

pub mod allowlist;
pub mod deny;
pub mod installer_config;
pub mod names;
pub mod online;
pub mod source;
pub mod unpinned;

use crate::allowlist::{Allowlist, Level};
use crate::lockfile::ParseError;
use crate::model::{Ecosystem, Package};
use crate::resolve::Resolution;
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

macro_rules! finding_ids {
    ($( $variant:ident = $id:literal, $summary:literal, $explain:literal; )*) => {
        /// The stable id of each kind of finding (the SARIF `ruleId`, the docs anchor).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum FindingId { $( #[doc = $summary] $variant, )* }

        impl FindingId {
            /// Every id.
            pub const ALL: &'static [FindingId] = &[ $( FindingId::$variant, )* ];
            /// The kebab-case id.
            pub fn as_str(self) -> &'static str { match self { $( FindingId::$variant => $id, )* } }
            /// One line: when this finding is raised.
            pub fn summary(self) -> &'static str { match self { $( FindingId::$variant => $summary, )* } }
            /// What it means and how to fix it.
            pub fn explanation(self) -> &'static str { match self { $( FindingId::$variant => $explain, )* } }
            /// Look an id up by its kebab-case name.
            pub fn parse(s: &str) -> Option<FindingId> { match s { $( $id => Some(FindingId::$variant), )* _ => None } }
        }
    };
}

finding_ids! {
    HashMismatch = "hash-mismatch", "The lockfile's hash differs from the hash pinned in the allowlist.",
        "The artifact the lockfile will install is not the one the security team approved. This is what tampering looks like: a republished version, a compromised mirror, or an edited lockfile. It can also be a lockfile written against another registry that repackages artifacts.\n\nDo not merge. Compare the lockfile's hash with the registry's (`lockgate check --online`) and find out how the lockfile changed (`git log -p` on it). Only if the registry really publishes the new hash and the change is explained should the security team re-pin it with `lockgate allowlist add`.";
    Denied = "denied", "The package is on the allowlist's [[deny]] list.",
        "The security team has forbidden this package (or these versions of it); the finding carries their reason.\n\nRemove the dependency or replace it with the alternative the reason names, then regenerate the lockfile.";
    ParseError = "parse-error", "A lockfile could not be read completely. Always fails the run.",
        "lockgate could not understand a lockfile, so it cannot say what will be installed. It never passes a file it did not read whole.\n\nFix the line the message names, or regenerate the lockfile with its package manager. A format version newer than lockgate knows needs a newer lockgate.";
    SourceNotAllowed = "source-not-allowed", "The package comes from git, a path, a URL or another registry, which the policy does not allow.",
        "The policy's `sources` (and `registries`) say where packages may come from. Code from elsewhere bypasses the registry's checks and the allowlist's hashes.\n\nDepend on the registry release instead, or ask the security team to allow the source in `[policy] sources` / `registries`.";
    Unlisted = "unlisted", "The package is not in the allowlist.",
        "Every package that will be installed must be approved by the security team.\n\nRun `lockgate allowlist suggest` and send the snippet it prints to the security team (or add it yourself if you are on it). If you did not mean to add this dependency, remove it and regenerate the lockfile.";
    VersionNotAllowed = "version-not-allowed", "The package is in the allowlist, but this version is not.",
        "Approval is per version: a new version is new code.\n\nRun `lockgate allowlist suggest` for the entry to send to the security team, or go back to an approved version (the message lists them).";
    MissingHash = "missing-hash", "The lockfile records no hash that can be compared with the pin.",
        "Without a hash, lockgate cannot tell the approved artifact from any other with the same name and version. Requirements files without `--hash`, lockfiles written with hashes turned off, and Yarn berry checksums (which hash Yarn's own archive, not the registry tarball) are common causes.\n\nRegenerate the lockfile with hashes (e.g. `pip-compile --generate-hashes`), pin the Yarn berry checksum in the allowlist, or run `lockgate check --online` to compare the registry's hash with the pin.";
    Unpinned = "unpinned", "A manifest has no lockfile, or a requirement is not pinned to one version.",
        "What gets installed from an unpinned requirement changes from one day to the next, so nothing can be checked.\n\nCreate the lockfile with the project's package manager (`npm install`, `cargo generate-lockfile`, `uv lock`, `poetry lock`, `pip-compile --generate-hashes`…) and commit it, or pin the requirement with `==` and `--hash`.";
    SimilarName = "similar-name", "The name is close to a popular or allowlisted package: a possible typosquat.",
        "Typosquatters publish near-copies of popular names (one letter off, swapped separators, an added `-py` or `-js`) and wait for a typo.\n\nCheck that you meant this package and not the one it imitates (the finding names it). If it is legitimate, the security team adds it to the allowlist, which silences the finding.";
    KnownHallucination = "known-hallucination", "The name is one that AI code assistants are known to invent.",
        "Assistants recommend packages that do not exist; attackers register those names (slopsquatting).\n\nFind the package you actually need (the finding may name it) and do not install this one.";
    KnownMalicious = "known-malicious", "The package (and version) is in a malicious-package database.",
        "The package or this version of it was reported as malicious (OSV `MAL-` records, RustSec).\n\nRemove it at once, regenerate the lockfile, and treat machines that installed it as compromised.";
    CrossEcosystem = "cross-ecosystem", "The name is popular in another ecosystem and unknown in this one.",
        "A name that is well known in npm but not on PyPI (or the reverse) is a classic confusion and a common hallucination.\n\nCheck that the package exists for this ecosystem and is the one you meant.";
    UnknownName = "unknown-name", "The name is not in lockgate's registry snapshot at all.",
        "Offline, the strongest sign of a hallucinated name that nobody registered yet, or that someone registered very recently.\n\nCheck it with `lockgate name --online` and on the registry before installing it.";
    NotOnRegistry = "not-on-registry", "Online: the registry has no such package.",
        "A hallucination nobody has registered yet, or a private name that is open to dependency confusion.\n\nDo not install it; register the name yourself if it is an internal package.";
    RegistryHashMismatch = "registry-hash-mismatch", "Online: the registry's hash for this version differs from the lockfile's or the allowlist's.",
        "The registry publishes another artifact than the one pinned: tampering, a republished version, or a wrong pin.\n\nDo not merge; investigate as for hash-mismatch.";
    Yanked = "yanked", "Online: this version has been yanked from the registry.",
        "Maintainers yank versions that are broken or dangerous.\n\nUpgrade to a version that is not yanked.";
    TooNew = "too-new", "Online: first published more recently than the policy's minimum age.",
        "New packages and versions are how slopsquats and compromised releases look on their first days.\n\nWait until it is older than `min-age-days`, or have the security team approve it explicitly.";
    RegistryError = "registry-error", "Online: a registry could not be reached or answered garbage.",
        "lockgate could not verify what it was asked to verify online, so it does not pass.\n\nRetry; check the registry URL settings (`LOCKGATE_*` variables, `[registries]`) and the network.";
    RegistryNotAllowed = "registry-not-allowed", "Installer configuration in the repository sends the installer to a registry or source the policy does not allow.",
        "A committed `.npmrc`, `.yarnrc`, `.yarnrc.yml`, `bunfig.toml`, `pnpm-workspace.yaml`, `.cargo/config.toml`, `uv.toml`, `pyproject.toml` (`[tool.uv]`, `[[tool.poetry.source]]`, `[[tool.pdm.source]]`) or `Pipfile` decides where the installer really fetches from, whatever the lockfile's URLs say: npm, for one, fetches every registry.npmjs.org tarball of the lockfile from the registry `.npmrc` names. A pull request that changes it can serve any code under approved names and versions.\n\nRemove the setting (the finding names the file and line), or have the security team add the registry to `[policy] registries` (or the source kind to `[policy] sources`). See docs/installer-config.md.";
    VerificationDisabled = "verification-disabled", "Installer configuration in the repository turns off integrity, checksum or TLS verification.",
        "Settings such as `strict-ssl=false`, `checksumBehavior: ignore`, `enableStrictSsl: false`, `unsafeHttpWhitelist`, `allow-insecure-host` or `verify_ssl = false` make the installer accept what it fetched without checking it, so the hashes lockgate compares with the allowlist no longer protect the install. No policy allows this.\n\nRemove the setting (the finding names the file and line). See docs/installer-config.md.";
    HashNotPinned = "hash-not-pinned", "The lockfile lists a hash (or a file without a hash) that the pin does not hold, of an algorithm the pin has none of.",
        "Installers accept an artifact that matches any hash the lockfile lists for it (pip, uv, poetry, pdm), or the one of the strongest algorithm listed (npm, yarn, pnpm, bun). A hash the allowlist does not pin, or a file the lockfile lists without a hash, is therefore an artifact nobody approved, even when another listed hash matches the pin.\n\nIf the registry really publishes the file, the security team pins every hash of the version with `lockgate allowlist add ECOSYSTEM NAME@VERSION`, which fetches them from the registry. Otherwise remove the extra hash or file from the lockfile (regenerate it with its package manager).";
    WeakPin = "weak-pin", "The pin holds only hashes of a weaker algorithm than one the lockfile lists (e.g. sha1 pinned, sha512 listed).",
        "npm, yarn, pnpm and bun verify only the strongest algorithm an integrity string lists, so a sha1 pin says nothing about the sha512 digest the installer will check; pip and uv accept any listed hash. The allowlist cannot vouch for the artifact.\n\nThe security team re-pins the version with the registry's hashes: `lockgate allowlist add ECOSYSTEM NAME@VERSION` (it fetches and pins sha512 for npm, sha256 of every file for PyPI). Until then, do not merge.";
    UnverifiedSource = "unverified-source", "A version the allowlist pins by hash comes from git or a path, where there is no artifact hash to compare.",
        "The pin approves one artifact of a registry release. A git repository or a local folder (a cargo `[patch]` path, a `file:` dependency) can hold any code under the same name and version, and the source kind alone never satisfies a hash pin.\n\nDepend on the registry release, or, if the git or path dependency is intended, the security team approves the version without a hash (`versions.\"X\" = []`) after reviewing it.";
    ForeignArtifact = "foreign-artifact", "A file URL or file name in the lockfile names another package or version than its entry.",
        "Lockfile entries name the file the installer downloads. When that file is another package's (or another version's) tarball, sdist or wheel, the installer puts other code under an approved name and version: yarn classic, for instance, installs whatever `resolved` points to.\n\nDo not merge: regenerate the lockfile with its package manager and inspect how the entry changed (`git log -p`).";
    ExceptionExpired = "exception-expired", "An allowlist [[exception]] that would waive this finding has expired.",
        "Exceptions waive one finding for one package until a date. After that day the finding applies again, and this note names the expired exception.\n\nFix the dependency, or have the security team renew the exception with a new `until` (`lockgate allowlist except ... --until DATE --reason ...`) and remove the expired one.";
}

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
            name: Some(p.name.clone()),
            version: Some(p.version.clone()),
            lockfile: p.lockfile.to_path_buf(),
            line: Some(p.line),
            path: p.path.to_vec(),
            message,
            help,
        }
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
    let mut out: Vec<Finding> = res.errors.iter().map(Finding::parse_error).collect();
    let packages: Vec<&Package> = res.packages().collect();
    out.extend(deny::check(&packages, list));
    out.extend(source::check(&packages, list));
    out.extend(allowlist::check(&packages, list));
    out.extend(unpinned::check(res, list));
    let configs = crate::installer::read(&res.lockfiles);
    out.extend(configs.errors.iter().map(Finding::parse_error));
    out.extend(installer_config::check(&configs.found, list));
    apply_exceptions(&mut out, list, &crate::allowlist::today());
    sort(&mut out);
    out
}

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
