//! The allowlist: which packages, at which versions with which artifact hashes, a
//! security team has approved, which are denied outright, and the policy for
//! everything else. The file format is documented in `docs/allowlist.md`.
//!
//! - [`load`] reads and validates `allowlist.toml` (every error names its line).
//! - [`edit`] changes the file for the maintenance commands, keeping comments and
//!   unknown keys, sorting entries, and writing atomically.

pub mod edit;
pub mod load;
pub mod ops;

pub use load::{AllowlistError, load, parse};

use crate::lockfile::{Ecosystem, Hash};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

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
    /// Registry URLs allowed besides each ecosystem's default registry (prefix match).
    pub registries: Vec<String>,
    /// Lists of known-bad packages to load (OSV directories or TSV files),
    /// relative to the allowlist's folder.
    pub known_bad: Vec<PathBuf>,
    /// Online: minimum age in days of a version before it may be used.
    pub min_age_days: Option<u32>,
    /// Online: a registry that cannot be reached or answers garbage. `deny` (the
    /// default) fails the run with exit 2; `warn` reports a warning and goes on.
    pub registry_errors: Level,
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
            registry_errors: Level::Deny,
        }
    }
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
}

/// A loaded, validated allowlist.
#[derive(Debug, Clone, Default)]
pub struct Allowlist {
    /// Where it was read from.
    pub path: PathBuf,
    /// The `[policy]` table (defaults where absent).
    pub policy: Policy,
    /// Allowed packages, keyed by ecosystem and normalized name.
    pub entries: HashMap<(Ecosystem, String), Entry>,
    /// `[[deny]]` rules.
    pub deny: Vec<DenyRule>,
    /// Paths not to walk (top-level `exclude`, globs relative to the folder lockgate runs in).
    pub exclude: Vec<String>,
    /// Registry base URLs from `[registries]` (used online).
    pub registries: BTreeMap<String, String>,
}

impl Allowlist {
    /// The entry for a package name, matched the way its ecosystem compares names.
    pub fn entry(&self, ecosystem: Ecosystem, name: &str) -> Option<&Entry> {
        self.entries.get(&(ecosystem, ecosystem.normalize(name)))
    }

    /// The deny rule that matches a package, if any.
    pub fn denied(
        &self,
        ecosystem: Ecosystem,
        name: &str,
        version: Option<&str>,
    ) -> Option<&DenyRule> {
        let norm = ecosystem.normalize(name);
        self.deny.iter().find(|d| {
            d.ecosystem == ecosystem
                && ecosystem.normalize(&d.name) == norm
                && match (&d.versions, version) {
                    (None, _) => true,
                    (Some(vs), Some(v)) => vs
                        .iter()
                        .any(|x| crate::version::deny_covers(ecosystem, x, v)),
                    (Some(_), None) => false,
                }
        })
    }

    /// Is this registry URL allowed by `policy.registries`?
    pub fn registry_allowed(&self, url: &str) -> bool {
        let url = url.trim_end_matches('/');
        self.policy
            .registries
            .iter()
            .any(|r| url.starts_with(r.trim_end_matches('/')))
    }

    /// Number of pinned versions.
    pub fn pin_count(&self) -> usize {
        self.entries.values().map(|e| e.versions.len()).sum()
    }
}
