//! The allowlist: which packages, at which versions with which artifact hashes, a
//! security team has approved, which are denied outright, and the policy for
//! everything else. The file format is documented in `docs/allowlist.md`.
//!
//! - [`load`] reads and validates `allowlist.toml` (every error names its line).
//! - [`edit`] changes the file for the maintenance commands, keeping comments and
//!   unknown keys, sorting entries, and writing atomically.

pub mod actions;
pub mod edit;
pub mod extends;
pub mod gate;
pub mod history;
pub mod load;
pub mod ops;
pub mod publisher;
pub mod registry_url;

pub use load::{AllowlistError, load, parse};

use crate::model::{Ecosystem, Hash, NormalizedName, PackageKey};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

/// A pinned hash as the allowlist writes it: npm's the way npm lockfiles write them
/// (SRI, `sha512-<base64>`), the other ecosystems' as `algorithm:hex`.
pub fn hash_text(ecosystem: Ecosystem, hash: &Hash) -> String {
    match ecosystem {
        Ecosystem::Npm => hash.to_sri().unwrap_or_else(|| hash.to_string()),
        Ecosystem::Cargo | Ecosystem::Pypi | Ecosystem::Actions => hash.to_string(),
    }
}

/// The newest allowlist schema this lockgate reads.
pub const SCHEMA: i64 = 1;

/// The default allowlist file name.
pub const DEFAULT_FILE: &str = "allowlist.toml";

/// What a policy does with a kind of problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Report it as an error (fails the run at the default fail level).
    Deny,
    /// Report it as a warning.
    Warn,
    /// Do not report it.
    Allow,
}

impl Level {
    /// Parse `deny`, `warn` or `allow`.
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "deny" => Some(Level::Deny),
            "warn" => Some(Level::Warn),
            "allow" => Some(Level::Allow),
            _ => None,
        }
    }
}

/// The `[policy]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// A package that is not in the allowlist, or a version of it that is not.
    pub unlisted: Level,
    /// A lockfile entry with no hash that can be compared with the pin.
    pub missing_hash: Level,
    /// A manifest with no lockfile, or a requirement not pinned to one version.
    pub unpinned: Level,
    /// Names that look like typosquats or hallucinations.
    pub similar_names: Level,
    /// Allowed source kinds: `registry`, `git`, `path`, `url`.
    pub sources: Vec<String>,
    /// Registry URLs allowed besides each ecosystem's default registry (matched by
    /// scheme, host, port and path prefix on a segment boundary).
    pub registries: Vec<String>,
    /// Lists of known-bad packages to load (OSV directories or TSV files),
    /// relative to the allowlist's folder.
    pub known_bad: Vec<PathBuf>,
    /// Minimum age in days of a version before it may be used (`min-age-days`).
    pub min_age_days: Option<u32>,
    /// Minimum age in seconds of a version before it may be used (`min-age = "36h"`);
    /// [`Policy::min_age_secs`] is the stricter of this and `min_age_days`.
    pub min_age: Option<i64>,
    /// Under `--online` with a minimum age, a version whose publish time neither the
    /// lockfile nor the registry gives: `deny` (the default) fails the run, `warn`
    /// reports a warning, `allow` lets it pass (`missing-publish-time`).
    pub missing_publish_time: Level,
    /// Online: a registry that cannot be reached or answers garbage. `deny` (the
    /// default) fails the run with exit 2; `warn` reports a warning and goes on.
    pub registry_errors: Level,
    /// A package whose install runs code (an npm install script or `binding.gyp`, a
    /// PyPI sdist, a crate's `build.rs`) in a version whose pin does not say
    /// `scripts = true`. A missing key is `warn` (allowlists written before the key
    /// existed keep passing); `allowlist init` writes `deny`.
    pub install_scripts: Level,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            unlisted: Level::Deny,
            missing_hash: Level::Deny,
            unpinned: Level::Deny,
            similar_names: Level::Deny,
            sources: vec!["registry".to_string()],
            registries: Vec::new(),
            known_bad: Vec::new(),
            min_age_days: None,
            min_age: None,
            missing_publish_time: Level::Deny,
            registry_errors: Level::Deny,
            install_scripts: Level::Warn,
        }
    }
}

impl Policy {
    /// The cooldown in seconds: the stricter of `min-age` and `min-age-days`, `None`
    /// when neither is set.
    pub fn min_age_secs(&self) -> Option<i64> {
        let days = self.min_age_days.map(|d| i64::from(d) * 86_400);
        days.max(self.min_age)
    }

    /// The setting that gives the cooldown, as written in the allowlist, for
    /// messages: `min-age-days = 14` or `min-age = "36h"` (the stricter one).
    pub fn min_age_setting(&self) -> Option<String> {
        let days = self.min_age_days.map(|d| i64::from(d) * 86_400);
        match (days, self.min_age) {
            (Some(d), m) if m.is_none_or(|m| d >= m) => {
                Some(format!("min-age-days = {}", d / 86_400))
            }
            (_, Some(m)) => Some(format!("min-age = \"{}\"", duration_text(m))),
            _ => None,
        }
    }
}

/// Seconds as the largest whole unit of `d`, `h`, `m`: `7d`, `36h`, `90m` (weeks are
/// written in days: `2w` is `14d`).
pub fn duration_text(secs: i64) -> String {
    for (unit, n) in [("d", 86_400), ("h", 3600), ("m", 60)] {
        if secs != 0 && secs % n == 0 {
            return format!("{}{unit}", secs / n);
        }
    }
    format!("{secs}s")
}

/// Parse a `min-age` duration: a whole number and a unit, `m` (minutes), `h` (hours),
/// `d` (days) or `w` (weeks): `"90m"`, `"36h"`, `"7d"`, `"2w"`. Returns seconds.
pub fn parse_duration(text: &str) -> Option<i64> {
    let t = text.trim();
    let unit = t.chars().last()?;
    let mult = match unit {
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        'w' => 604_800,
        _ => return None,
    };
    let num = &t[..t.len() - 1];
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = num.parse().ok()?;
    // a century at most: anything longer is a typo
    n.checked_mul(mult).filter(|s| *s <= 36_500 * 86_400)
}

/// Who approved a package, when and why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Approval {
    /// Who approved it.
    pub by: Option<String>,
    /// When (a date, as written).
    pub on: Option<String>,
    /// The ticket that records the decision.
    pub ticket: Option<String>,
    /// Why the package is allowed.
    pub reason: Option<String>,
}

/// The pinned hashes of one allowed version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    /// The hashes of the version's artifacts (for PyPI, one per file).
    pub hashes: Vec<Hash>,
    /// 1-based line in the allowlist.
    pub line: usize,
    /// Who approved this version, when and why
    /// (`versions."X" = { hashes = [...], approved = {...} }`).
    pub approval: Option<Approval>,
    /// `scripts = true`: the version's install scripts are approved; `false`: it was
    /// approved knowing it has none; `None`: not recorded.
    pub scripts: Option<bool>,
    /// Who publishes this version, as approved
    /// (`publisher = { kind = "github", repository = "o/r", workflow = "w.yml" }`).
    pub publisher: Option<crate::registry::publisher::Identity>,
}

/// One allowed package: its versions and their pins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The name as written in the allowlist.
    pub name: String,
    /// 1-based line of the package's table.
    pub line: usize,
    /// Approval metadata, if recorded.
    pub approval: Option<Approval>,
    /// Allowed versions and their pins.
    pub versions: BTreeMap<String, Pin>,
    /// The file the entry was read from (the allowlist itself, or a file it extends).
    pub file: PathBuf,
}

impl Entry {
    /// The pin for a lockfile version: the same release by the ecosystem's rules
    /// (`1.16` finds a PyPI pin written `1.16.0`; see [`crate::version`]).
    pub fn pin(&self, ecosystem: Ecosystem, version: &str) -> Option<&Pin> {
        crate::version::lookup(ecosystem, &self.versions, version).map(|(_, pin)| pin)
    }
}

/// A `[[deny]]` rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DenyRule {
    /// Ecosystem.
    pub ecosystem: Ecosystem,
    /// Name as written.
    pub name: String,
    /// Denied versions; `None` denies every version.
    pub versions: Option<Vec<String>>,
    /// Why.
    pub reason: String,
    /// 1-based line of the rule.
    pub line: usize,
    /// Who decided it, when, and the ticket (`by`, `on`, `ticket` keys of the rule).
    pub approval: Option<Approval>,
    /// The file the rule was read from.
    pub file: PathBuf,
}

/// An `[[exception]]`: one finding id waived for one package (and optionally one
/// version) until a date, with who decided it and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    /// Ecosystem.
    pub ecosystem: Ecosystem,
    /// Name as written.
    pub name: String,
    /// Only this version; `None` is every version.
    pub version: Option<String>,
    /// The finding id it waives (never `hash-mismatch` or `known-malicious`).
    pub finding: String,
    /// Who decided it, when, the ticket and why (`by` and `reason` are required).
    pub approval: Approval,
    /// The last day it applies (`YYYY-MM-DD`, inclusive).
    pub until: String,
    /// 1-based line of the rule.
    pub line: usize,
    /// The file the rule was read from.
    pub file: PathBuf,
}

impl Exception {
    /// `name@version`, or `name` when it covers every version (for messages).
    pub fn name_at_version(&self) -> String {
        match &self.version {
            Some(v) => format!("{}@{v}", self.name),
            None => self.name.clone(),
        }
    }

    /// Does it cover this package (name compared the ecosystem's way) and version?
    pub fn covers(&self, ecosystem: Ecosystem, name: &str, version: Option<&str>) -> bool {
        self.ecosystem == ecosystem
            && NormalizedName::new(ecosystem, &self.name) == NormalizedName::new(ecosystem, name)
            && match (&self.version, version) {
                (None, _) => true,
                (Some(v), Some(x)) => v == x,
                (Some(_), None) => false,
            }
    }

    /// Has it expired on `today` (`YYYY-MM-DD`)? It applies through its `until` day.
    pub fn expired(&self, today: &str) -> bool {
        today > self.until.as_str()
    }
}

/// The finding ids an exception may never waive: tampering and malware (and
/// unreadable input), and what an approval or a deny rule decides (`unlisted`,
/// `version-not-allowed`, `denied`: approve the version, or remove the rule), and
/// what lets an unapproved artifact through the hash rule or the installer's own
/// verification (`hash-not-pinned`, `weak-pin`, `foreign-artifact`,
/// `verification-disabled`): pin the registry's hashes or remove the setting.
pub const NEVER_EXCEPTED: &[&str] = &[
    "hash-mismatch",
    "hash-changed",
    "hash-not-pinned",
    "weak-pin",
    "foreign-artifact",
    "verification-disabled",
    "known-malicious",
    "registry-hash-mismatch",
    "parse-error",
    "registry-error",
    "unlisted",
    "version-not-allowed",
    "denied",
];

/// A file the allowlist extends (`extends = [{ path = ..., sha256 = ... }]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extended {
    /// The local path or URL as written.
    pub location: String,
    /// Where it was read from (the path, or the cache file for a URL).
    pub file: PathBuf,
    /// The pinned sha256 (hex).
    pub sha256: String,
}

/// A loaded, validated allowlist.
#[derive(Debug, Clone, Default)]
pub struct Allowlist {
    /// Where it was read from.
    pub path: PathBuf,
    /// The `[policy]` table (defaults where absent).
    pub policy: Policy,
    /// Allowed packages, keyed by ecosystem and normalized name.
    pub entries: HashMap<PackageKey, Entry>,
    /// `[[deny]]` rules.
    pub deny: Vec<DenyRule>,
    /// Paths not to walk (top-level `exclude`, globs relative to the allowlist's folder,
    /// rewritten on load to be relative to the folder lockgate runs in).
    pub exclude: Vec<String>,
    /// Registry base URLs from `[registries]` (used online).
    pub registries: BTreeMap<String, String>,
    /// `[[exception]]` rules.
    pub exceptions: Vec<Exception>,
    /// The files this allowlist extends, in order.
    pub extends: Vec<Extended>,
    /// The `[policy]` keys the file sets itself (for merging with extended files).
    pub policy_keys: Vec<String>,
}

impl Allowlist {
    /// The entry for a package name, matched the way its ecosystem compares names.
    pub fn entry(&self, ecosystem: Ecosystem, name: &str) -> Option<&Entry> {
        self.entries.get(&PackageKey::new(ecosystem, name))
    }

    /// The deny rule that matches a package, if any.
    pub fn denied(
        &self,
        ecosystem: Ecosystem,
        name: &str,
        version: Option<&str>,
    ) -> Option<&DenyRule> {
        let norm = NormalizedName::new(ecosystem, name);
        self.deny.iter().find(|d| {
            d.ecosystem == ecosystem
                && NormalizedName::new(ecosystem, &d.name) == norm
                && match (&d.versions, version) {
                    (None, _) => true,
                    (Some(vs), Some(v)) => vs
                        .iter()
                        .any(|x| crate::version::deny_covers(ecosystem, x, v)),
                    (Some(_), None) => false,
                }
        })
    }

    /// Is this registry URL allowed by `policy.registries`? URLs are compared parsed
    /// (scheme, host, port, path on a segment boundary; userinfo never admitted), see
    /// [`registry_url`].
    pub fn registry_allowed(&self, url: &str) -> bool {
        self.policy
            .registries
            .iter()
            .any(|r| registry_url::matches(r, url))
    }

    /// The approval recorded for a version (its own, else the package's).
    pub fn approval_of(
        &self,
        ecosystem: Ecosystem,
        name: &str,
        version: &str,
    ) -> Option<&Approval> {
        let e = self.entry(ecosystem, name)?;
        e.versions
            .get(version)
            .and_then(|p| p.approval.as_ref())
            .or(e.approval.as_ref())
    }

    /// The exception that waives `finding` for a package, active or not.
    pub fn exception(
        &self,
        ecosystem: Ecosystem,
        name: &str,
        version: Option<&str>,
        finding: &str,
    ) -> Option<&Exception> {
        self.exceptions
            .iter()
            .filter(|x| x.finding == finding && x.covers(ecosystem, name, version))
            // a version-specific exception first, then the latest `until`
            .max_by(|a, b| {
                a.version
                    .is_some()
                    .cmp(&b.version.is_some())
                    .then(a.until.cmp(&b.until))
            })
    }

    /// Number of pinned versions.
    pub fn pin_count(&self) -> usize {
        self.entries.values().map(|e| e.versions.len()).sum()
    }
}

/// Today's date (UTC) as `YYYY-MM-DD`, by the checks' clock (`LOCKGATE_NOW` when set,
/// see [`crate::model::timestamp::clock`]).
pub fn today() -> String {
    let secs =
        crate::model::timestamp::clock().unwrap_or_else(|_| crate::model::timestamp::system_now());
    civil_date(secs.div_euclid(86_400))
}

/// The `YYYY-MM-DD` date of a day number (days since 1970-01-01).
pub fn civil_date(days: i64) -> String {
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!("{y:04}-{m:02}-{d:02}")
}

/// Is `s` a `YYYY-MM-DD` date?
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&s[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&s[8..10].parse::<u32>().unwrap_or(0))
}
