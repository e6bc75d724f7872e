//! The name checker: the reference data, the trusted names and the known-bad lists,
//! and [`NameChecker::check`], which runs every rule on one name and collects what
//! matched. The similarity rules are in `similar.rs`, the sentences in `message.rs`.

use super::data::{self, EcoData};
use super::finding::{NameFinding, NameVerdict, Rule, Verdict};
use super::known::{KnownBad, KnownBadError, KnownKind};
use super::shape::npm_scope;
use super::text::{self, skeleton};
use super::{imports, message};
use crate::lockfile::Ecosystem;
use crate::model::{NormalizedName, PackageKey};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// How the checker treats the name's own standing (for evaluation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Normal,
    /// Pretend the name is registered but in no popular list (a new, legit package).
    AsNew,
}

/// Checks package names against the embedded reference data, trusted names and
/// known-bad lists. Build once, check many names; `check` takes `&self` and is `Sync`.
pub struct NameChecker {
    data: [EcoData; 4],
    trusted: HashSet<PackageKey>,
    pub(super) trusted_targets: HashMap<Ecosystem, Vec<(String, String)>>,
    known: KnownBad,
}

fn slot(eco: Ecosystem) -> usize {
    match eco {
        Ecosystem::Cargo => 0,
        Ecosystem::Npm => 1,
        Ecosystem::Pypi => 2,
        // No name data for actions: an empty slot (see `EcoData::embedded`).
        Ecosystem::Actions => 3,
    }
}

impl NameChecker {
    /// The checker over the embedded data and the shipped known-bad lists.
    pub fn embedded() -> NameChecker {
        NameChecker {
            data: [
                EcoData::embedded(Ecosystem::Cargo),
                EcoData::embedded(Ecosystem::Npm),
                EcoData::embedded(Ecosystem::Pypi),
                EcoData::embedded(Ecosystem::Actions),
            ],
            trusted: HashSet::new(),
            trusted_targets: HashMap::new(),
            known: KnownBad::embedded(),
        }
    }

    /// The date of the embedded PyPI and npm name snapshots.
    pub fn snapshot_date(&self) -> &'static str {
        data::SNAPSHOT_DATE
    }

    /// The reference data of one ecosystem.
    pub fn data(&self, eco: Ecosystem) -> &EcoData {
        &self.data[slot(eco)]
    }

    /// Add a trusted name (e.g. from the allowlist): never flagged, and used as an extra
    /// similarity target.
    pub fn add_trusted(&mut self, eco: Ecosystem, name: &str) {
        let key = PackageKey::new(eco, name);
        if self.trusted.insert(key.clone()) {
            let n = key.name.into_string();
            self.trusted_targets
                .entry(eco)
                .or_default()
                .push((skeleton(&n), n));
        }
    }

    /// Load a known-bad list (an OSV directory or file, or a TSV); returns the number of
    /// entries added.
    pub fn load_known_bad(&mut self, path: &Path) -> Result<usize, KnownBadError> {
        self.known.load(path)
    }

    /// The known-bad lists in use (read-only).
    pub fn known_bad(&self) -> &KnownBad {
        &self.known
    }

    /// The known-bad lists in use.
    pub fn known_bad_mut(&mut self) -> &mut KnownBad {
        &mut self.known
    }

    /// Whether the name is trusted.
    pub fn is_trusted(&self, eco: Ecosystem, name: &str) -> bool {
        self.trusted.contains(&PackageKey::new(eco, name))
    }

    /// Whether the name is itself popular in `eco` (a similarity target): such a name is
    /// never flagged as imitating another.
    pub fn is_popular(&self, eco: Ecosystem, name: &str) -> bool {
        self.data(eco)
            .target(&NormalizedName::new(eco, name))
            .is_some()
    }

    /// Check one name; `version` narrows known-malicious matches to affected versions.
    pub fn check(&self, eco: Ecosystem, name: &str, version: Option<&str>) -> NameVerdict {
        self.check_mode(eco, name, version, Mode::Normal)
    }

    /// Check a name as if it were a new package: registered, but neither popular nor
    /// trusted (so only the similarity and known-bad rules apply). This measures the similarity rules on real names (see the evaluation in
    /// `tests/names_eval.rs`); `lockgate` itself uses [`NameChecker::check`].
    pub fn check_as_new(&self, eco: Ecosystem, name: &str) -> NameVerdict {
        self.check_mode(eco, name, None, Mode::AsNew)
    }

    fn check_mode(
        &self,
        eco: Ecosystem,
        name: &str,
        version: Option<&str>,
        mode: Mode,
    ) -> NameVerdict {
        let mut findings = Vec::new();
        let norm = NormalizedName::new(eco, name);
        let trusted = mode == Mode::Normal && self.is_trusted(eco, name);
        if !trusted {
            self.known_findings(eco, &norm, version, mode, &mut findings);
            let d = self.data(eco);
            let own = match mode {
                Mode::Normal => d
                    .snapshot_score(&norm)
                    .or_else(|| self.platform_family(eco, &norm).map(|_| 0)),
                // Registered, but in no popular list.
                // (cargo has no snapshot, so there a new crate is simply unknown).
                Mode::AsNew => d.has_snapshot().then_some(0),
            };
            let import = imports::lookup(eco, &norm).filter(|_| mode == Mode::Normal);
            if let Some(import) = import {
                let provider = import.package;
                findings.push(NameFinding {
                    rule: Rule::ImportName,
                    target: Some(provider.to_string()),
                    how: Some(Rule::ImportName.as_str().to_string()),
                    distance: None,
                    source: Some(imports::SOURCE.to_string()),
                    versions: Vec::new(),
                    message: message::import_name(name, provider, import.is_import),
                    // Nobody owns an unregistered import name yet: anyone may take it.
                    severity: if own.is_none() && d.has_snapshot() {
                        Verdict::Deny
                    } else {
                        Verdict::Warn
                    },
                });
            }
            // A known import name is explained by its package: look-alikes of it
            // (`yaml` ~ `pyaml`) would only suggest the wrong thing.
            let popular = mode == Mode::Normal && d.target(&norm).is_some();
            if !popular {
                let similar = if import.is_some() {
                    Vec::new()
                } else {
                    self.similar(eco, name, &norm, own)
                };
                for c in similar {
                    findings.push(NameFinding {
                        rule: Rule::SimilarName,
                        message: message::similar(name, &c.target, &c.how),
                        target: Some(c.target),
                        how: Some(c.how),
                        distance: Some(c.distance),
                        source: None,
                        versions: Vec::new(),
                        severity: c.severity,
                    });
                }
                if own.is_none() {
                    if import.is_none() {
                        self.cross_findings(eco, name, &mut findings);
                    }
                    if d.has_snapshot() {
                        findings.push(NameFinding {
                            rule: Rule::UnknownName,
                            target: None,
                            how: None,
                            distance: None,
                            source: None,
                            versions: Vec::new(),
                            message: message::unknown(name, eco, d.snapshot_len().unwrap_or(0)),
                            severity: Verdict::Warn,
                        });
                    }
                }
            }
        }
        let mut verdict = NameVerdict {
            name: name.to_string(),
            ecosystem: eco,
            verdict: Verdict::Ok,
            findings,
        };
        verdict.settle();
        verdict
    }

    fn known_findings(
        &self,
        eco: Ecosystem,
        norm: &str,
        version: Option<&str>,
        mode: Mode,
        out: &mut Vec<NameFinding>,
    ) {
        let popular = mode == Mode::Normal && self.data(eco).target(norm).is_some();
        let mut seen = HashSet::new();
        for e in self.known.get(eco, norm) {
            if !seen.insert((e.kind, e.id.as_str())) {
                continue;
            }
            match e.kind {
                KnownKind::Hallucination => out.push(NameFinding {
                    rule: Rule::KnownHallucination,
                    target: None,
                    how: None,
                    distance: None,
                    source: Some(e.id.clone()),
                    versions: Vec::new(),
                    message: message::hallucination(norm, &e.id),
                    severity: Verdict::Deny,
                }),
                KnownKind::Malicious => {
                    let hit = version.and_then(|v| e.affected.contains(v));
                    let versions = e.affected.describe();
                    let (severity, message) = match (hit, version) {
                        (Some(false), _) => continue,
                        (Some(true), Some(v)) => {
                            (Verdict::Deny, message::malicious_version(norm, v, &e.id))
                        }
                        _ if e.affected.all && !popular => {
                            (Verdict::Deny, message::malicious_all(norm, &e.id))
                        }
                        _ => (
                            Verdict::Warn,
                            message::malicious_some(norm, &e.id, &versions),
                        ),
                    };
                    out.push(NameFinding {
                        rule: Rule::KnownMalicious,
                        target: None,
                        how: None,
                        distance: None,
                        source: Some(e.id.clone()),
                        versions,
                        message,
                        severity,
                    });
                }
            }
        }
    }

    fn cross_findings(&self, eco: Ecosystem, name: &str, out: &mut Vec<NameFinding>) {
        // Cargo has no full snapshot: "unknown" there only means "not popular", and
        // many legit crates share a name with an npm or PyPI package.
        if eco == Ecosystem::Cargo {
            return;
        }
        for other in Ecosystem::ALL {
            if other == eco {
                continue;
            }
            let Some(t) = self.data(other).target(&NormalizedName::new(other, name)) else {
                continue;
            };
            out.push(NameFinding {
                rule: Rule::CrossEcosystem,
                target: Some(t.name.to_string()),
                how: Some(other.as_str().to_string()),
                distance: None,
                source: None,
                versions: Vec::new(),
                message: message::cross(name, eco, other),
                severity: Verdict::Warn,
            });
            break;
        }
    }

    /// The family of an npm platform package: `@scope/base-linux-x64-gnu` (or
    /// `@scope/linux-x64`) whose scope also holds a known member of the family (the base
    /// package `@scope/base`, or another platform build `@scope/base-<platform>`). Only the
    /// scope's owner can publish in a scope, so a known family member there means the
    /// platform build is that owner's; an unknown scope (`@attacker/core-linux-x64-gnu`)
    /// or an unscoped name proves nothing and gets no family. Returns the family's base.
    pub fn platform_family(&self, eco: Ecosystem, norm: &str) -> Option<String> {
        if eco != Ecosystem::Npm {
            return None;
        }
        let scope = npm_scope(norm)?;
        let rest = &norm[scope.len() + 2..];
        let base = text::strip_platform_suffix(rest)?;
        let d = self.data(eco);
        let prefix = format!("@{scope}/{base}");
        // Another platform build of the same family: `@scope/base` + separator + platform.
        let sibling = |k: &str| {
            k != norm
                && k.strip_prefix(&prefix).is_some_and(|tail| {
                    let tail = if base.is_empty() {
                        Some(tail)
                    } else {
                        tail.strip_prefix(['-', '.'])
                    };
                    tail.is_some_and(|t| {
                        !t.is_empty() && text::strip_platform_suffix(t) == Some("")
                    })
                })
        };
        let known = (!base.is_empty() && d.snapshot_score(&prefix).is_some())
            || d.any_known_with_prefix(&prefix, sibling);
        known.then(|| prefix.trim_end_matches('/').to_string())
    }
}
