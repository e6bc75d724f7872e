//! Name checks: typosquats, hallucinated names and known-bad packages, offline.
//!
//! [`NameChecker::embedded`] loads the reference data compiled into the binary (popular
//! names per ecosystem, the PyPI and npm name snapshots, and the small known-bad lists the
//! project writes itself; see `data/names/README.md`). [`NameChecker::check`] returns a
//! [`NameVerdict`] (`ok`, `warn` or `deny`) with [`NameFinding`]s:
//!
//! - `known-malicious` / `known-hallucination`: exact (normalized) name, and version where
//!   the list gives versions; larger lists load at run time with
//!   [`NameChecker::load_known_bad`].
//! - `similar-name`: the name imitates a popular name (or a trusted name) by one or two
//!   edits, separators, homoglyphs, an affix, a plural, word order, an npm scope, or by
//!   gluing two popular names together. Candidates come from index lookups (exact
//!   skeleton, a one-deletion index queried with the name's deletions, an anagram index),
//!   never from a scan of the reference names.
//! - `cross-ecosystem`: unknown here but popular in another ecosystem.
//! - `unknown-name`: not in the embedded registry snapshot (PyPI, npm; cargo has none).
//!
//! A name that is itself popular, or trusted (the allowlist's names), is never flagged as
//! similar, cross-ecosystem or unknown; a trusted name is not flagged at all.
//! See `docs/names.md` for the rules, their false positives and measured quality.

pub mod data;
pub mod known;
pub mod text;

use crate::model::Ecosystem;
use data::{EcoData, TAG_ANAGRAM, TAG_DEL, TAG_SKEL, Target};
pub use known::{KnownBad, KnownBadError, KnownKind};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use text::{Edit, edits, osa_distance, plain_skeleton, skeleton, skeleton_folded, words};

/// The overall verdict on a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Nothing found.
    Ok,
    /// Suspicious: look before installing.
    Warn,
    /// Do not install.
    Deny,
}

/// How serious one finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Suspicious.
    Warn,
    /// Blocking.
    Deny,
}

impl Severity {
    fn verdict(self) -> Verdict {
        match self {
            Severity::Warn => Verdict::Warn,
            Severity::Deny => Verdict::Deny,
        }
    }
}

/// The kind of a finding (serialized as `similar-name`, `cross-ecosystem`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingId {
    /// Imitates a popular or trusted name.
    SimilarName,
    /// Popular in another ecosystem, unknown in this one.
    CrossEcosystem,
    /// Not in the embedded registry snapshot.
    UnknownName,
    /// On a list of names AI assistants invent.
    KnownHallucination,
    /// On a list of malicious packages.
    KnownMalicious,
    /// Online (`lockgate name --online`): the registry has no such package.
    NotOnRegistry,
}

impl FindingId {
    /// The id as written in output.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingId::SimilarName => "similar-name",
            FindingId::CrossEcosystem => "cross-ecosystem",
            FindingId::UnknownName => "unknown-name",
            FindingId::KnownHallucination => "known-hallucination",
            FindingId::KnownMalicious => "known-malicious",
            FindingId::NotOnRegistry => "not-on-registry",
        }
    }
}

/// One finding about a name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NameFinding {
    /// What was found.
    pub id: FindingId,
    /// The name it imitates (`similar-name`, `cross-ecosystem`), e.g. `requests`, or for a
    /// combination `numpy + requests`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The transformation from target to name: `transposition`, `omission`, `addition`,
    /// `substitution`, `plural`, `separator`, `homoglyph`, `scope`, `affix:-py`,
    /// `word-order`, `combination`, `cli-flag`, or two joined by `+`; for
    /// `cross-ecosystem` the ecosystem it is popular in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub how: Option<String>,
    /// The report or list id (known-bad findings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// One sentence for people.
    pub message: String,
    /// How serious it is.
    pub severity: Severity,
}

/// The result of checking one name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NameVerdict {
    /// The name as given.
    pub name: String,
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// `ok`, `warn` or `deny`: the most serious finding.
    pub verdict: Verdict,
    /// What was found, most serious first.
    pub findings: Vec<NameFinding>,
}

/// How the checker treats the name's own standing (for evaluation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Normal,
    /// Pretend the name is registered but in no popular list (a new, legit package).
    AsNew,
}

/// Checks package names against the embedded reference data, trusted names and
/// known-bad lists. Build once, check many names; `check` takes `&self` and is `Sync`.
pub struct NameChecker {
    data: [EcoData; 3],
    trusted: HashMap<Ecosystem, HashSet<String>>,
    trusted_targets: HashMap<Ecosystem, Vec<(String, String)>>,
    known: KnownBad,
}

fn slot(eco: Ecosystem) -> usize {
    match eco {
        Ecosystem::Cargo => 0,
        Ecosystem::Npm => 1,
        Ecosystem::Pypi => 2,
    }
}

fn display_eco(eco: Ecosystem) -> &'static str {
    match eco {
        Ecosystem::Cargo => "crates.io",
        Ecosystem::Npm => "npm",
        Ecosystem::Pypi => "PyPI",
    }
}

/// Word affixes that turn a popular name into a plausible-looking other name.
const PREFIXES: &[&str] = &["py", "python", "node", "js", "rust", "lib", "go"];
/// Affixes that name an ecosystem or language (allowed against registered names).
const ECO_WORDS: &[&str] = &["py", "python", "js", "node", "rs", "rust", "go"];
const SUFFIXES: &[&str] = &[
    "py", "python", "js", "node", "rs", "rust", "cli", "sdk", "api", "lib", "client",
];

/// npm downloads a month from which a registered name one edit from a popular name is
/// warned about rather than denied (`es-constants`, 7,000 a month, next to
/// `fs-constants`); squats rarely reach it before they are taken down.
const NPM_STANDING_DOWNLOADS: u64 = 5_000;

/// A similarity candidate before it becomes a finding.
#[derive(Debug, Clone)]
struct Cand {
    target: String,
    score: u64,
    how: String,
    severity: Severity,
    distance: usize,
}

impl NameChecker {
    /// The checker over the embedded data and the shipped known-bad lists.
    pub fn embedded() -> NameChecker {
        NameChecker {
            data: [
                EcoData::embedded(Ecosystem::Cargo),
                EcoData::embedded(Ecosystem::Npm),
                EcoData::embedded(Ecosystem::Pypi),
            ],
            trusted: HashMap::new(),
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
        let n = eco.normalize(name);
        if self.trusted.entry(eco).or_default().insert(n.clone()) {
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
        self.trusted
            .get(&eco)
            .is_some_and(|s| s.contains(&eco.normalize(name)))
    }

    /// Whether the name is itself popular in `eco` (a similarity target): such a name is
    /// never flagged as imitating another.
    pub fn is_popular(&self, eco: Ecosystem, name: &str) -> bool {
        self.data(eco).target(&eco.normalize(name)).is_some()
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
        let norm = eco.normalize(name);
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
            let popular = mode == Mode::Normal && d.target(&norm).is_some();
            if !popular {
                let cands = self.similar(eco, name, &norm, own);
                for c in cands {
                    let message = if c.how == "cli-flag" {
                        format!("`{name}` looks like an npm command-line flag, not a package")
                    } else {
                        format!(
                            "`{name}` looks like {} `{}` ({})",
                            if c.target.contains(" + ") {
                                "a blend of"
                            } else {
                                "the popular"
                            },
                            c.target,
                            c.how
                        )
                    };
                    findings.push(NameFinding {
                        id: FindingId::SimilarName,
                        target: Some(c.target),
                        how: Some(c.how),
                        source: None,
                        message,
                        severity: c.severity,
                    });
                }
                if own.is_none() {
                    self.cross_findings(eco, name, &mut findings);
                    if d.has_snapshot() {
                        findings.push(NameFinding {
                            id: FindingId::UnknownName,
                            target: None,
                            how: None,
                            source: None,
                            message: format!(
                                "`{name}` is not in lockgate's {} snapshot of {} ({} names{}): \
                                 it may be hallucinated, or the snapshot may be behind the \
                                 registry; `--online` asks the registry and settles it",
                                display_eco(eco),
                                data::SNAPSHOT_DATE,
                                d.snapshot_len().unwrap_or(0),
                                if eco == Ecosystem::Npm {
                                    ": those with 480+ downloads a month and those the most \
                                     downloaded packages depend on"
                                } else {
                                    ""
                                }
                            ),
                            severity: Severity::Warn,
                        });
                    }
                }
            }
        }
        findings.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.id.cmp(&b.id)));
        let verdict = findings
            .iter()
            .map(|f| f.severity.verdict())
            .max()
            .unwrap_or(Verdict::Ok);
        NameVerdict {
            name: name.to_string(),
            ecosystem: eco,
            verdict,
            findings,
        }
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
                    id: FindingId::KnownHallucination,
                    target: None,
                    how: None,
                    source: Some(e.id.clone()),
                    message: format!(
                        "`{norm}` is a name AI assistants are known to invent ({})",
                        e.id
                    ),
                    severity: Severity::Deny,
                }),
                KnownKind::Malicious => {
                    let hit = version.and_then(|v| e.affected.contains(v));
                    let (severity, message) = match (hit, version) {
                        (Some(false), _) => continue,
                        (Some(true), Some(v)) => (
                            Severity::Deny,
                            format!("{norm} {v} is reported malicious ({})", e.id),
                        ),
                        _ if e.affected.all && !popular => (
                            Severity::Deny,
                            format!("`{norm}` is reported malicious ({})", e.id),
                        ),
                        _ => (
                            Severity::Warn,
                            format!(
                                "some versions of `{norm}` were reported malicious ({}); \
                                 check the version",
                                e.id
                            ),
                        ),
                    };
                    out.push(NameFinding {
                        id: FindingId::KnownMalicious,
                        target: None,
                        how: None,
                        source: Some(e.id.clone()),
                        message,
                        severity,
                    });
                }
            }
        }
    }

    fn cross_findings(&self, eco: Ecosystem, name: &str, out: &mut Vec<NameFinding>) {
        for other in Ecosystem::ALL {
            if other == eco {
                continue;
            }
            let on = other.normalize(name);
            let od = self.data(other);
            let Some(t) = od.target(&on) else { continue };
            // Cargo has no full snapshot: "unknown" there only means "not popular", and
            // many legit crates share a name with an npm or PyPI package.
            if eco == Ecosystem::Cargo {
                return;
            }
            let _ = t.score;
            out.push(NameFinding {
                id: FindingId::CrossEcosystem,
                target: Some(t.name.to_string()),
                how: Some(other.as_str().to_string()),
                source: None,
                message: format!(
                    "`{name}` is a popular {} package but unknown on {}: \
                     was the {} package meant?",
                    display_eco(other),
                    display_eco(eco),
                    display_eco(other)
                ),
                severity: Severity::Warn,
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

    /// Similar-name candidates, best first (at most 3). `own` is the name's own standing:
    /// its score in the snapshot, `None` when unknown.
    fn similar(&self, eco: Ecosystem, name: &str, norm: &str, own: Option<u64>) -> Vec<Cand> {
        let registered = own.is_some();
        // An established package (in the snapshot with downloads, dependents or a rank)
        // is not condemned for resembling a trusted name: `adler` next to an allowlisted
        // `adler2`, `idea` next to `idna`. npm's snapshot holds only packages with 480+
        // downloads a month or that popular packages depend on; PyPI's holds every name,
        // so there only ranked names count; cargo's known set is the resolved trees.
        let established = match eco {
            Ecosystem::Pypi => own.is_some_and(|s| s > 0),
            Ecosystem::Npm | Ecosystem::Cargo => registered,
        };
        // Standing enough that one edit from a popular name is a warning, not a denial:
        // npm names with 5,000+ downloads a month or that the dependency trees of the most
        // downloaded packages reach (score 0: listed from those trees, downloads unknown);
        // cargo crates of the known set (resolved trees). PyPI's ranked names are popular
        // themselves, hence never checked against popular names.
        let standing = match eco {
            Ecosystem::Npm => own.is_some_and(|s| s == 0 || s >= NPM_STANDING_DOWNLOADS),
            Ecosystem::Cargo => registered,
            Ecosystem::Pypi => false,
        };
        let d = self.data(eco);
        let mut out: Vec<Cand> = Vec::new();
        if eco == Ecosystem::Npm && name.starts_with('-') {
            out.push(Cand {
                target: "npm CLI flag".into(),
                score: u64::MAX,
                how: "cli-flag".into(),
                severity: Severity::Deny,
                distance: 0,
            });
        }
        let (skel, folded) = skeleton_folded(norm);
        let plain = plain_skeleton(norm);
        let qwords = words(norm);
        let is_self = |t: &str| t == norm;
        // Only a scope's owner can publish in it: a name in the scope of a popular package
        // is that owner's, never a squat of it.
        let qscope = npm_scope(norm);
        if let Some(sc) = qscope
            && d.has_scope(sc)
        {
            return out;
        }
        let same_scope = |t: &str| qscope.is_some() && npm_scope(t) == qscope;

        // 1. Same skeleton: separators, case, scope punctuation, homoglyphs.
        d.lookup(TAG_SKEL, skel.as_bytes(), |t| {
            if is_self(t.name) {
                return;
            }
            let how = if folded && plain_skeleton(t.name) != plain {
                "homoglyph"
            } else if registered {
                // Registered names that differ only by separators or scope are mostly the
                // old unscoped name of a package (`fastify-cookie`) or a long-standing
                // sibling (`file-saver`/`FileSaver`).
                return;
            } else if t.name.starts_with('@') != norm.starts_with('@') {
                "scope"
            } else {
                "separator"
            };
            out.push(Cand {
                target: t.name.into(),
                score: t.score,
                how: how.into(),
                severity: Severity::Deny,
                distance: 0,
            });
        });

        // 2. One or two edits, through the deletion index.
        for (t, dist) in edit_candidates(d, &skel) {
            if is_self(t.name) {
                continue;
            }
            let tskel = skeleton(t.name);
            // `framer-motion-3d`, `eslint-config-x-compat`: whole words added to a popular
            // name is how plugins and companions are named, not an edit (affixes that
            // squatters favour are caught by the affix rule below).
            let twords = words(t.name);
            if same_scope(t.name)
                || is_extension(&twords, &qwords)
                || (digits_only_difference(&plain_skeleton(t.name), &plain)
                    && (registered
                        || eco == Ecosystem::Cargo
                        || t.name.bytes().any(|c| c.is_ascii_digit())))
                || family_member(&twords, &qwords)
            {
                continue;
            }
            let plural = e_is_plural(&tskel, &skel);
            if tskel.len() < 5 && !plural {
                continue;
            }
            // Registered names must look like a typing mistake (transposition, omission,
            // doubled or neighbouring key, homoglyph), not a different word.
            if registered && !(folded || typo_like(tskel.as_bytes(), skel.as_bytes())) {
                continue;
            }
            // Cargo has no snapshot to tell registered names apart, so the same test applies
            // to every one-edit crate name (plurals allowed: `tracings`).
            if eco == Ecosystem::Cargo
                && dist == 1
                && !(folded || plural || typo_like(tskel.as_bytes(), skel.as_bytes()))
            {
                continue;
            }
            // A registered name (in the snapshot) needs a stronger case: one edit away from
            // a top-tier name. Cargo has no snapshot: two edits only to top-tier crates.
            if registered && (dist > 1 || t.score < d.top) {
                continue;
            }
            if eco == Ecosystem::Cargo && dist > 1 && t.score < d.top {
                continue;
            }
            let e = edits(tskel.as_bytes(), skel.as_bytes());
            if eco == Ecosystem::Cargo && dist > 1 && e.contains(&Edit::Substitution) {
                continue;
            }
            let mut ops: Vec<&str> = Vec::new();
            if folded
                && osa_distance(plain_skeleton(t.name).as_bytes(), plain.as_bytes(), 3)
                    != Some(dist)
            {
                ops.push("homoglyph");
            }
            if words(t.name).len() != qwords.len() {
                ops.push("separator");
            }
            let edit_names: Vec<&str> = e.iter().map(|x| x.as_str()).collect();
            ops.extend(edit_names);
            // A scope typo: the edits fall inside the npm scope.
            if norm.starts_with('@') && t.name.starts_with('@') {
                let qs = norm.split('/').nth(1);
                let ts = t.name.split('/').nth(1);
                if qs.is_some() && qs == ts {
                    ops = vec!["scope"];
                }
            }
            // Cargo has no complete snapshot, so an unlisted crate may well be an
            // established one (`unicode-id` next to `unicode-xid`, `dtparse` next to
            // `vtparse`): one edit is denied only against a top-tier (seed) crate, the
            // names squatters aim at; against the rest of the popular set it warns.
            let severity = if dist == 1
                && tskel.len() >= 5
                && !standing
                && !(eco == Ecosystem::Cargo && t.score < d.top)
            {
                Severity::Deny
            } else {
                Severity::Warn
            };
            out.push(Cand {
                target: t.name.into(),
                score: t.score,
                how: ops.join("+"),
                severity,
                distance: dist,
            });
        }

        // 3. Same letters in another order: word order, or a non-adjacent swap.
        if skel.len() >= 5 {
            d.lookup(TAG_ANAGRAM, &text::anagram_key(&skel), |t| {
                if is_self(t.name) {
                    return;
                }
                let tskel = skeleton(t.name);
                if tskel == skel || same_scope(t.name) || (registered && t.score < d.top) {
                    return;
                }
                let mut tw = words(t.name);
                let mut qw = qwords.clone();
                tw.sort();
                qw.sort();
                let (how, severity) = if tw == qw && qw.len() > 1 {
                    ("word-order", Severity::Warn)
                } else if osa_distance(tskel.as_bytes(), skel.as_bytes(), 2).is_none()
                    && tskel
                        .bytes()
                        .zip(skel.bytes())
                        .filter(|(a, b)| a != b)
                        .count()
                        == 2
                    && tskel.len() >= 6
                {
                    ("transposition", Severity::Warn)
                } else {
                    return;
                };
                out.push(Cand {
                    target: t.name.into(),
                    score: t.score,
                    how: how.into(),
                    severity,
                    distance: 2,
                });
            });
        }

        // 4. A popular name with an affix (`-py`, `python-`, `-js`, ...), possibly typo'd.
        if out.is_empty() {
            self.affix_candidates(d, norm, &qwords, &skel, registered, &mut out);
        }

        // 5. Two popular names glued together: only for names no registry lists (a blend
        // like `react-codeshift` is a hallucination shape; registered blends are mostly
        // plugins such as `django-redis`). Cargo has no snapshot, so never there.
        if out.is_empty() && !registered && eco != Ecosystem::Cargo && qscope.is_none() {
            combination(d, &qwords, &skel, &mut out);
        }

        // Trusted names are targets too (small list: scanned). A resemblance condemns only
        // names without standing: unknown names are denied (one edit), registered but
        // unranked ones warned about, established ones left alone. The exemptions of the
        // popular-name rule apply (plugins, version digits, family members, short names),
        // and where "unknown" is weak evidence (cargo, whose known set is not the whole
        // registry) or the name is registered, one edit must look like a typing mistake.
        if let Some(list) = self.trusted_targets.get(&eco).filter(|_| !established) {
            for (tskel, tname) in list {
                if tname == norm || tskel.len() < 4 {
                    continue;
                }
                let max = if tskel.len() >= 9 { 2 } else { 1 };
                let Some(dist) = osa_distance(tskel.as_bytes(), skel.as_bytes(), max) else {
                    continue;
                };
                let twords = words(tname);
                let plural = e_is_plural(tskel, &skel);
                if dist > 0
                    && (same_scope(tname)
                        || is_extension(&twords, &qwords)
                        || (digits_only_difference(&plain_skeleton(tname), &plain)
                            && (registered
                                || eco == Ecosystem::Cargo
                                || tname.bytes().any(|c| c.is_ascii_digit())))
                        || family_member(&twords, &qwords)
                        || (tskel.len() < 5 && !plural))
                {
                    continue;
                }
                let typo = dist == 0
                    || folded
                    || plural
                    || (dist == 1 && typo_like(tskel.as_bytes(), skel.as_bytes()));
                if !typo && (registered || eco == Ecosystem::Cargo) {
                    continue;
                }
                if registered && dist > 1 {
                    continue;
                }
                let how = if dist == 0 {
                    "separator".to_string()
                } else {
                    edits(tskel.as_bytes(), skel.as_bytes())
                        .iter()
                        .map(|e| e.as_str())
                        .collect::<Vec<_>>()
                        .join("+")
                };
                out.push(Cand {
                    target: tname.clone(),
                    score: u64::MAX / 2,
                    how,
                    // Cargo's "unknown" is weak (the known set is not the registry): a
                    // resemblance to a trusted crate warns, as to a non-seed popular one.
                    severity: if dist <= 1 && !registered && eco != Ecosystem::Cargo {
                        Severity::Deny
                    } else {
                        Severity::Warn
                    },
                    distance: dist,
                });
            }
        }

        out.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.distance.cmp(&b.distance))
                .then(b.score.cmp(&a.score))
        });
        let mut seen = HashSet::new();
        out.retain(|c| seen.insert(c.target.clone()));
        out.truncate(3);
        let _ = name;
        out
    }

    fn affix_candidates(
        &self,
        d: &EcoData,
        norm: &str,
        qwords: &[String],
        skel: &str,
        registered: bool,
        out: &mut Vec<Cand>,
    ) {
        let mut cores: Vec<(String, String)> = Vec::new();
        if qwords.len() >= 2 {
            let (first, last) = (&qwords[0], &qwords[qwords.len() - 1]);
            if PREFIXES.contains(&first.as_str()) {
                cores.push((qwords[1..].concat(), format!("affix:{first}-")));
            }
            if SUFFIXES.contains(&last.as_str()) || last.bytes().all(|b| b.is_ascii_digit()) {
                cores.push((
                    qwords[..qwords.len() - 1].concat(),
                    format!("affix:-{last}"),
                ));
            }
        }
        for p in PREFIXES {
            if let Some(rest) = skel.strip_prefix(p)
                && rest.len() >= 5
                && !norm.starts_with(&format!("{p}-"))
            {
                cores.push((skeleton(rest), format!("affix:{p}")));
            }
        }
        for s in SUFFIXES {
            if let Some(rest) = skel.strip_suffix(s)
                && rest.len() >= 5
            {
                cores.push((skeleton(rest), format!("affix:{s}")));
            }
        }
        let trimmed = skel.trim_end_matches(|c: char| c.is_ascii_digit());
        if trimmed.len() != skel.len() && trimmed.len() >= 5 {
            cores.push((trimmed.to_string(), "affix:digits".into()));
        }
        for (core, how) in cores {
            let core = skeleton(&core);
            if core.len() < 4 {
                continue;
            }
            // Registered names: only the ecosystem-word affixes (`-py`, `node-`, `-rs`...)
            // on a top-tier name; `-cli`, `-api`, digits are how companions are named.
            let eco_word = ECO_WORDS
                .iter()
                .any(|w| how.trim_start_matches("affix:").trim_matches('-') == *w);
            if registered && !eco_word {
                continue;
            }
            let mut hit = false;
            d.lookup(TAG_SKEL, core.as_bytes(), |t| {
                if t.name == norm || t.score < d.top {
                    return;
                }
                hit = true;
                out.push(Cand {
                    target: t.name.into(),
                    score: t.score,
                    how: how.clone(),
                    severity: Severity::Warn,
                    distance: 1,
                });
            });
            if hit || core.len() < 5 || registered || how == "affix:digits" {
                continue;
            }
            for (t, dist) in edit_candidates(d, &core) {
                let ts = skeleton(t.name);
                if dist != 1
                    || t.name == norm
                    || t.score < d.top
                    || !typo_like(ts.as_bytes(), core.as_bytes())
                {
                    continue;
                }
                let e = edits(ts.as_bytes(), core.as_bytes());
                out.push(Cand {
                    target: t.name.into(),
                    score: t.score,
                    how: format!("{how}+{}", e.first().map_or("edit", |x: &Edit| x.as_str())),
                    severity: Severity::Warn,
                    distance: 2,
                });
            }
        }
    }
}

/// How old a package must be on the registry (first version published this many days
/// ago) before `--online` takes its existence as settling an `unknown-name` finding.
pub const MIN_HISTORY_DAYS: i64 = 30;

/// What the registry's record says about a package that exists (for `--online`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum History {
    /// It has some history: a first version at least [`MIN_HISTORY_DAYS`] old, or (where
    /// the registry gives no dates, as cargo's index) at least two versions.
    Established,
    /// Too new to have a record: the first version is `days` old (`None`: no dates and a
    /// single version).
    New {
        /// Days since the first version, when the registry dates its versions.
        days: Option<i64>,
    },
}

/// The history of a package the registry has, measured at `now` (Unix seconds).
pub fn registry_history(info: &crate::registry::PackageInfo, now: i64) -> History {
    let first = info
        .versions
        .values()
        .filter_map(|v| {
            v.published
                .into_iter()
                .chain(v.files.iter().filter_map(|f| f.uploaded))
                .min()
        })
        .min();
    match first {
        Some(t) => {
            let days = (now - t).max(0) / 86_400;
            if days >= MIN_HISTORY_DAYS {
                History::Established
            } else {
                History::New { days: Some(days) }
            }
        }
        None if info.versions.len() >= 2 => History::Established,
        None => History::New { days: None },
    }
}

/// The message of an `unknown-name` finding that `--online` could not settle because
/// the package, though on the registry, is too new to have a record.
pub fn new_package_message(name: &str, history: History) -> String {
    match history {
        History::New { days: Some(d) } => format!(
            "`{name}` is on the registry, but its first version is only {d} day{} old: \
             too new to have a record; look at who publishes it before installing",
            if d == 1 { "" } else { "s" }
        ),
        _ => format!(
            "`{name}` is on the registry with a single undated version: too new to have a \
             record; look at who publishes it before installing"
        ),
    }
}

/// Whether `q` is `t` with whole words added (`t`'s words a subsequence of `q`'s).
fn is_extension(t: &[String], q: &[String]) -> bool {
    if q.len() <= t.len() || t.is_empty() {
        return false;
    }
    let mut it = q.iter();
    t.iter().all(|w| it.any(|x| x == w))
}

/// Whether two skeletons differ only in digits (`blake2`/`blake3`, `pkcs1`/`pkcs8`,
/// `avro-gen`/`avro-gen3`): version and variant numbers, not typos.
fn digits_only_difference(a: &str, b: &str) -> bool {
    let strip = |s: &str| {
        s.bytes()
            .filter(|c| !c.is_ascii_digit())
            .collect::<Vec<u8>>()
    };
    strip(a) == strip(b)
}

/// Whether the names are members of one family: same number of words (at least 3),
/// exactly one differing, and that word short (`aws-cdk-aws-efs` / `aws-cdk-aws-ecs`).
fn family_member(t: &[String], q: &[String]) -> bool {
    if t.len() != q.len() || t.len() < 3 {
        return false;
    }
    let diff: Vec<usize> = (0..t.len()).filter(|&i| t[i] != q[i]).collect();
    diff.len() == 1 && t[diff[0]].len() <= 3
}

/// Whether `q` is `t` with an `s` added or removed at the end.
fn e_is_plural(t: &str, q: &str) -> bool {
    q.strip_suffix('s') == Some(t) || t.strip_suffix('s') == Some(q)
}

/// Whether one edit from `t` to `q` looks like a typing mistake: a transposition, an
/// omission (not of a final `s`), a doubled or keyboard-neighbour character added, or a
/// keyboard-neighbour substitution.
fn typo_like(t: &[u8], q: &[u8]) -> bool {
    let i = t.iter().zip(q).take_while(|(a, b)| a == b).count();
    let near = |c: u8, j: usize, s: &[u8]| {
        let l = j.checked_sub(1).and_then(|k| s.get(k));
        let r = s.get(j + 1);
        [l, r]
            .into_iter()
            .flatten()
            .any(|&n| n == c || text::keyboard_adjacent(n, c))
    };
    match q.len().cmp(&t.len()) {
        std::cmp::Ordering::Equal => {
            if t.get(i + 1) == q.get(i)
                && t.get(i) == q.get(i + 1)
                && t.get(i + 2..) == q.get(i + 2..)
            {
                return true;
            }
            match (t.get(i), q.get(i)) {
                (Some(&a), Some(&b)) => text::keyboard_adjacent(a, b),
                _ => false,
            }
        }
        std::cmp::Ordering::Greater => q.get(i).is_some_and(|&c| near(c, i, q)),
        std::cmp::Ordering::Less => !(i + 1 == t.len() && t[i] == b's'),
    }
}

/// The scope of an npm name (`@types/node` → `types`).
fn npm_scope(name: &str) -> Option<&str> {
    name.strip_prefix('@')?.split_once('/').map(|(s, _)| s)
}

/// Targets within the allowed edit distance of `skel` (OSA, on skeletons), found through
/// the deletion index: the index holds each target's skeleton and its one-deletion
/// variants (two-deletion for top-tier targets of 7+ characters); the query looks up
/// itself, its one-deletion and (for 6-10 characters) its two-deletion variants. Allowed distance:
/// 1 for targets of 4-6 characters, 2 for longer.
fn edit_candidates(d: &EcoData, skel: &str) -> Vec<(Target, usize)> {
    let mut found: Vec<Target> = Vec::new();
    let q = skel.as_bytes();
    if q.len() < 3 {
        return Vec::new();
    }
    let mut visit = |v: &[u8]| {
        d.lookup(TAG_DEL, v, |t| {
            if !found.iter().any(|f| f.name == t.name) {
                found.push(t);
            }
        });
    };
    visit(q);
    let mut level1: Vec<Vec<u8>> = Vec::new();
    text::for_each_deletion(q, |v| level1.push(v.to_vec()));
    for v in &level1 {
        visit(v);
    }
    // Two deletions of the query (for two additions) only for names of 6-10 characters:
    // the variants grow with the square of the length, and long names get their
    // two-edit matches from the top-tier targets' two-deletion keys instead.
    if (6..=10).contains(&q.len()) {
        let mut seen: HashSet<Vec<u8>> = HashSet::new();
        for v in &level1 {
            text::for_each_deletion(v, |w| {
                if seen.insert(w.to_vec()) {
                    visit(w);
                }
            });
        }
    }
    found
        .into_iter()
        .filter_map(|t| {
            let ts = skeleton(t.name);
            let max = match ts.len() {
                0..=3 => return None,
                4..=6 => 1,
                _ => 2,
            };
            let dist = osa_distance(ts.as_bytes(), q, max)?;
            (dist > 0).then_some((t, dist))
        })
        .collect()
}

/// Two popular names glued together (`beautifulsoup-numpy`, `reactlodash`).
fn combination(d: &EcoData, qwords: &[String], skel: &str, out: &mut Vec<Cand>) {
    let exact = |s: &str| {
        let mut best: Option<Target> = None;
        d.lookup(TAG_SKEL, s.as_bytes(), |t| {
            if best.is_none_or(|b| t.score > b.score) {
                best = Some(t);
            }
        });
        best
    };
    let mut splits: Vec<(String, String)> = Vec::new();
    if qwords.len() >= 2 {
        for k in 1..qwords.len() {
            splits.push((qwords[..k].concat(), qwords[k..].concat()));
        }
    } else if skel.len() >= 8 {
        for i in 4..=skel.len().saturating_sub(4) {
            if skel.is_char_boundary(i) {
                splits.push((skel[..i].to_string(), skel[i..].to_string()));
            }
        }
    }
    for (a, b) in splits {
        if a.len() < 4 || b.len() < 4 {
            continue;
        }
        if let (Some(x), Some(y)) = (exact(&skeleton(&a)), exact(&skeleton(&b))) {
            out.push(Cand {
                target: format!("{} + {}", x.name, y.name),
                score: x.score.min(y.score),
                how: "combination".into(),
                severity: Severity::Warn,
                distance: 2,
            });
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_orders_by_severity() {
        assert!(Verdict::Deny > Verdict::Warn && Verdict::Warn > Verdict::Ok);
        assert_eq!(Severity::Deny.verdict(), Verdict::Deny);
    }
}
