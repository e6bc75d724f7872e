//! The publisher check: `trust-downgrade`.
//!
//! A version is a trust downgrade when the registry's evidence of who published it
//! (see [`crate::registry::publisher`]) is weaker than that of a version of the same
//! package published before it (staged publish > trusted publisher > provenance >
//! none, ordered by publish time as pnpm's `trustPolicy: no-downgrade` does), when it
//! names another provider, repository, workflow or environment than the publisher the
//! allowlist pins for the package, or when a provenance statement does not name the
//! artifact being pinned (its subject digest is another hash).
//!
//! The same assessment ([`assess`]) is made by `allowlist add` (refused without
//! `--force --reason`), `check --online` ([`check`], through the runner), `lockgate
//! name --online` and the MCP server ([`settle_names`]) and `guard --online`.

use super::names::answer::{AnswerFinding, NameAnswer, OnlineError};
use super::{Finding, FindingDef, FindingId, Precision, Severity};
use crate::allowlist::{Allowlist, Level as PolicyLevel};
use crate::model::{Ecosystem, Package, Source};
use crate::names::Verdict;
use crate::registry::publisher::{Identity, PackageEvidence};
use crate::registry::{Client, RegistryError};
use std::collections::BTreeSet;

/// The `trust-downgrade` finding.
pub const TRUST_DOWNGRADE: FindingDef = FindingDef {
    id: "trust-downgrade",
    summary: "This version's publisher evidence is weaker than an earlier version's, or names another publisher than the pinned one (online; pylock.toml offline).",
    explanation: "Earlier releases came from a trusted publisher (a CI workflow) or carried provenance, and this one does not, or it was published from another repository or workflow than the allowlist approved: how releases published with a stolen token look (Nx, ultralytics' second round). A provenance statement that does not name the artifact is reported here too.",
    help: "Do not install it; compare with the package's usual release pipeline and ask its maintainers. Approving it needs `lockgate allowlist add --force --reason \"why\"`; a new pipeline is approved by re-pinning `publisher` for the version.",
    severity: Severity::Error,
    policy: &[],
    security_severity: Some("8.0"),
    precision: Precision::High,
};

/// One thing wrong with a version's publisher evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// What is wrong, one line.
    pub message: String,
    /// The next step, one line.
    pub help: String,
}

/// The publisher the allowlist pins for a package, for judging `version`: the pin of
/// `version` itself if it names one, else that of the newest approved version that
/// does. With the version it is pinned on.
pub fn pinned_publisher<'a>(
    list: &'a Allowlist,
    eco: Ecosystem,
    name: &str,
    version: &str,
) -> Option<(&'a str, &'a Identity)> {
    let entry = list.entry(eco, name)?;
    if let Some((v, pin)) = crate::version::lookup(eco, &entry.versions, version)
        && let Some(p) = &pin.publisher
    {
        return Some((v.as_str(), p));
    }
    let mut pinned: Vec<(&String, &Identity)> = entry
        .versions
        .iter()
        .filter_map(|(v, pin)| Some((v, pin.publisher.as_ref()?)))
        .collect();
    pinned.sort_by(|a, b| crate::allowlist::edit::compare_versions(a.0, b.0));
    pinned.last().map(|(v, p)| (v.as_str(), *p))
}

/// What is wrong with `version`'s publisher evidence: a downgrade from an earlier
/// version, a publisher other than `pinned` (a pin on another version binds only the
/// versions published after that one), a statement that names another artifact.
/// Empty when nothing is (or the registry does not list the version: other checks
/// say so).
pub fn assess(
    ev: &PackageEvidence,
    version: &str,
    pinned: Option<(&str, &Identity)>,
) -> Vec<Problem> {
    let mut out = Vec::new();
    let Some(this) = ev.version(version) else {
        return out;
    };
    let who = format!("{}@{version}", ev.name);
    for m in &this.digest_mismatches {
        out.push(Problem {
            message: format!("{who}: the provenance does not name the artifact being pinned: {m}"),
            help: "do not install it: the attestation belongs to another artifact (a swapped tarball or file); report it to the registry".into(),
        });
    }
    if let Some((prev, level)) = ev.strongest_before(version)
        && this.rank() < level
    {
        out.push(Problem {
            message: format!(
                "{who} was published with {}, but {prev}, published before it, had {level}: a release outside the package's usual pipeline, as with a stolen token",
                this.rank()
            ),
            help: format!(
                "do not install it; stay on {prev} and ask the maintainers whether {version} is theirs; approve it only with `lockgate allowlist add --force --reason \"why\"`"
            ),
        });
    }
    // A pin taken on another version binds the versions published after it; an older
    // release may predate the pipeline.
    let older = |pv: &str| {
        pv != version
            && ev
                .version(pv)
                .and_then(|e| e.published)
                .zip(this.published)
                .is_some_and(|(pinned_at, at)| at < pinned_at)
    };
    if let Some((pv, pin)) = pinned.filter(|(pv, _)| !older(pv)) {
        match &this.identity {
            None => out.push(Problem {
                message: format!(
                    "{who}: the allowlist pins publisher {pin} (on {pv}), but the registry names no publisher for this version ({})",
                    this.rank()
                ),
                help: "do not install it; it was not published by the approved pipeline".into(),
            }),
            Some(seen) => {
                let diff = pin.differs(seen);
                if !diff.is_empty() {
                    out.push(Problem {
                        message: format!(
                            "{who} was published by {seen}: {} (the allowlist pins {pin} on {pv})",
                            diff.join(", ")
                        ),
                        help: "do not install it unless the project really moved its release pipeline; then approve the version with its new `publisher` (`lockgate allowlist add --force --reason \"why\"`)".into(),
                    });
                }
            }
        }
    }
    out
}

/// The `trust-downgrade` findings of `check --online`: for every registry package
/// whose allowlist entry pins a publisher, or (npm, PyPI) whose version the allowlist
/// does not approve (nobody reviewed its publisher), ask the registry for publisher
/// evidence.
/// An approved version without a pinned publisher was reviewed when it was approved
/// and is not asked about again (crates.io's API allows one request a second).
pub fn check(packages: &[&Package], list: &Allowlist, client: &Client) -> Vec<Finding> {
    let mut seen = BTreeSet::new();
    let mut asked: Vec<&Package> = Vec::new();
    for p in packages {
        let from_registry = match &p.source {
            Source::Registry(url) => client.config().serves(p.ecosystem, url.as_deref()),
            _ => false,
        };
        if !from_registry || !seen.insert((p.ecosystem, p.name.clone(), p.version.clone())) {
            continue;
        }
        let entry = list.entry(p.ecosystem, &p.name);
        let pins_publisher =
            entry.is_some_and(|e| e.versions.values().any(|pin| pin.publisher.is_some()));
        let approved = entry.is_some_and(|e| e.pin(p.ecosystem, &p.version).is_some());
        // crates.io's API takes one request a second: crates are asked about only
        // when their entry pins a publisher.
        if pins_publisher || (!approved && p.ecosystem != Ecosystem::Cargo) {
            asked.push(p);
        }
    }
    let queries: Vec<(Ecosystem, String, String)> = asked
        .iter()
        .map(|p| (p.ecosystem, p.name.to_string(), p.version.to_string()))
        .collect();
    let mut out = Vec::new();
    let mut errors: Vec<(&Package, RegistryError)> = Vec::new();
    for (p, r) in asked.iter().zip(client.publisher_evidence_all(&queries)) {
        match r {
            Ok(Some(ev)) => {
                let pinned = pinned_publisher(list, p.ecosystem, &p.name, &p.version);
                for problem in assess(&ev, &p.version, pinned) {
                    out.push(Finding::about(
                        FindingId::TrustDowngrade,
                        p,
                        problem.message,
                        problem.help,
                    ));
                }
            }
            Ok(None) => {}
            Err(e) => errors.push((p, e)),
        }
    }
    let severity = match list.policy.registry_errors {
        PolicyLevel::Warn => Severity::Warning,
        _ => Severity::Error,
    };
    for (p, e) in errors.iter().take(3) {
        out.push(Finding::for_package(
            FindingId::RegistryError,
            severity,
            p,
            format!("{} {}: publisher evidence could not be read: {e}", p.name, p.version),
            "retry; check the registry URL (LOCKGATE_* variables, `[registries]`, LOCKGATE_CRATES_API) and the network".into(),
        ));
    }
    if errors.len() > 3 {
        let mut f = Finding::for_package(
            FindingId::RegistryError,
            severity,
            errors[3].0,
            format!(
                "{} more packages: publisher evidence could not be read: {}",
                errors.len() - 3,
                errors[3].1
            ),
            "retry; check the registry URLs and the network".into(),
        );
        f.name = None;
        f.version = None;
        out.push(f);
    }
    out
}

/// `name --online`, the MCP server's `check_names`: a `trust-downgrade` (deny) for
/// every answer that names a version whose publisher evidence has a problem.
/// Answers without a version are not judged (which version would be installed depends
/// on the registry at install time).
pub fn settle_names(
    answers: &mut [NameAnswer],
    list: Option<&Allowlist>,
    client: &Client,
) -> Result<(), OnlineError> {
    let queries: Vec<(Ecosystem, String, String)> = answers
        .iter()
        .filter_map(|a| Some((a.ecosystem, a.name.clone(), a.version.clone()?)))
        .collect();
    let mut results = client.publisher_evidence_all(&queries).into_iter();
    for a in answers.iter_mut() {
        let Some(version) = a.version.clone() else {
            continue;
        };
        let Some(r) = results.next() else { break };
        let ev = match r {
            Ok(Some(ev)) => ev,
            Ok(None) => continue,
            Err(source) => {
                return Err(OnlineError {
                    name: a.name.clone(),
                    source,
                });
            }
        };
        let pinned = list.and_then(|l| pinned_publisher(l, a.ecosystem, &a.name, &version));
        for p in assess(&ev, &version, pinned) {
            a.findings.push(AnswerFinding {
                id: FindingId::TrustDowngrade,
                target: None,
                how: None,
                distance: None,
                source: Some(ev.url.clone()),
                versions: vec![version.clone()],
                message: p.message,
                help: p.help,
                instead: None,
                severity: Verdict::Deny,
            });
        }
        a.verdict = crate::names::settle(&mut a.findings, |f| f.severity, |f| f.id);
    }
    Ok(())
}

/// One version judged: its evidence (absent when the registry has none to give) and
/// what is wrong with it.
#[derive(Debug, Clone)]
pub struct Judged {
    /// What the registry says about the package.
    pub evidence: Option<PackageEvidence>,
    /// What is wrong with the version's evidence.
    pub problems: Vec<Problem>,
}

impl Judged {
    /// Who published the version, as the registry says.
    pub fn identity(&self, version: &str) -> Option<&Identity> {
        self.evidence.as_ref()?.version(version)?.identity.as_ref()
    }
}

/// Judge versions (`allowlist add`, `guard --online`): one result per query, in order.
/// A registry error is returned as is: the caller must not pass what it could not judge.
pub fn judge(
    client: &Client,
    list: Option<&Allowlist>,
    queries: &[(Ecosystem, String, String)],
) -> Vec<Result<Judged, RegistryError>> {
    client
        .publisher_evidence_all(queries)
        .into_iter()
        .zip(queries)
        .map(|(r, (eco, name, version))| {
            let evidence = r?;
            let pinned = list.and_then(|l| pinned_publisher(l, *eco, name, version));
            let problems = evidence
                .as_ref()
                .map(|ev| assess(ev, version, pinned))
                .unwrap_or_default();
            Ok(Judged { evidence, problems })
        })
        .collect()
}

/// `trust-downgrade` offline, from `pylock.toml`'s `[[packages.attestation-identities]]`:
/// a package whose allowlist entry pins a publisher for the locked version (or one
/// published before it) must list an identity that matches the pin. Packages without
/// identities are not judged offline (the field is optional; `--online` asks PyPI).
pub fn offline(res: &crate::resolve::Resolution, list: &Allowlist) -> Vec<Finding> {
    use crate::lockfile::pylock;
    let mut out = Vec::new();
    for lock in res
        .lockfiles
        .iter()
        .filter(|l| l.format.starts_with("pylock"))
    {
        let listed = match std::fs::read_to_string(&lock.path)
            .map_err(|e| e.to_string())
            .and_then(|t| pylock::attestation_identities(&t))
        {
            Ok(l) => l,
            Err(m) => {
                out.push(Finding::parse_error(&crate::lockfile::ParseError::new(
                    &lock.path,
                    None,
                    format!("attestation-identities: {m}"),
                )));
                continue;
            }
        };
        for (name, version, ids) in listed {
            let Some(p) = lock.packages.iter().find(|p| {
                crate::model::pep503(&p.name) == crate::model::pep503(&name)
                    && version.as_deref().is_none_or(|v| v == p.version)
            }) else {
                continue;
            };
            let Some((pv, pin)) = pinned_publisher(list, p.ecosystem, &p.name, &p.version) else {
                continue;
            };
            // A pin on a later version does not bind an older one.
            if pv != p.version && crate::allowlist::edit::compare_versions(&p.version, pv).is_lt() {
                continue;
            }
            let seen: Vec<Identity> = ids
                .iter()
                .map(|i| {
                    Identity::normalized(
                        &i.kind,
                        i.repository.as_deref(),
                        i.workflow.as_deref(),
                        i.environment.as_deref(),
                    )
                })
                .collect();
            if seen.iter().any(|s| pin.differs(s).is_empty()) {
                continue;
            }
            let named = seen
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join("; ");
            out.push(Finding::about(
                FindingId::TrustDowngrade,
                p,
                format!(
                    "{}@{}: the lockfile's attestation-identities name {named}, not the publisher the allowlist pins ({pin}, on {pv})",
                    p.name, p.version
                ),
                "do not install it unless the project really moved its release pipeline; then re-approve the version with its new `publisher` (`lockgate allowlist add --online --force --reason \"why\"`)".into(),
            ));
        }
    }
    out
}
