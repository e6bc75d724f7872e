//! The name checks in `check`: `known-malicious` for every package (name and
//! version), and `similar-name`, `known-hallucination` and `cross-ecosystem` for
//! packages the allowlist does not list and for every name a manifest declares that
//! no lockfile pins yet (plus `unknown-name` for those, since they may not exist at
//! all). The allowlist's names are trusted: never flagged as look-alikes, and used
//! as extra targets. Levels follow `[policy] similar-names`; a known-malicious
//! match is always critical.

use super::{Finding, FindingId, Severity};
use crate::allowlist::{Allowlist, Level};
use crate::lockfile::Ecosystem;
use crate::manifest;
use crate::names::{self, NameChecker, NameFinding};
use crate::resolve::Resolution;
use std::collections::HashSet;

/// A name checker for a run: the embedded data, the allowlist's names as trusted,
/// and the known-bad lists the policy names. Errors name the list that failed.
pub fn checker(
    list: &Allowlist,
    extra_known_bad: &[std::path::PathBuf],
) -> Result<NameChecker, names::KnownBadError> {
    let mut c = NameChecker::embedded();
    for ((eco, _), entry) in &list.entries {
        c.add_trusted(*eco, &entry.name);
    }
    for path in list.policy.known_bad.iter().chain(extra_known_bad) {
        c.load_known_bad(path)?;
    }
    Ok(c)
}

/// The name findings of a resolution.
pub fn check(res: &Resolution, list: &Allowlist, checker: &NameChecker) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen: HashSet<(Ecosystem, String, String)> = HashSet::new();
    let mut pinned: HashSet<(Ecosystem, String)> = HashSet::new();
    for p in res.packages() {
        let norm = p.normalized_name();
        pinned.insert((p.ecosystem, norm.clone()));
        if !seen.insert((p.ecosystem, norm.clone(), p.version.clone())) {
            continue;
        }
        // Known-malicious applies to listed packages too: a compromised version of an
        // approved package is exactly what it is for.
        for e in checker.known_bad().get(p.ecosystem, &norm) {
            if e.kind == names::KnownKind::Malicious
                && e.affected.contains(&p.version) != Some(false)
            {
                out.push(Finding::for_package(
                    FindingId::KnownMalicious,
                    Severity::Critical,
                    p,
                    format!("{} {} is reported as malicious ({}, {})", p.name, p.version, e.id, e.origin),
                    "remove it at once, regenerate the lockfile, and treat machines that installed it as compromised".to_string(),
                ));
            }
        }
        if list.entry(p.ecosystem, &p.name).is_some() || list.policy.similar_names == Level::Allow {
            continue;
        }
        let verdict = checker.check(p.ecosystem, &p.name, Some(&p.version));
        for f in verdict.findings.iter().filter(|f| keep(f, false)) {
            if let Some(sev) = severity(f, list) {
                out.push(Finding::for_package(
                    id_of(f),
                    sev,
                    p,
                    f.message.clone(),
                    help(f, &p.name),
                ));
            }
        }
    }
    if list.policy.similar_names != Level::Allow {
        for m in &res.manifests {
            for d in manifest::declared(&m.path, &m.display) {
                let norm = d.ecosystem.normalize(&d.name);
                if pinned.contains(&(d.ecosystem, norm.clone()))
                    || list.entry(d.ecosystem, &d.name).is_some()
                    || !seen.insert((d.ecosystem, norm, String::new()))
                {
                    continue;
                }
                let verdict = checker.check(d.ecosystem, &d.name, None);
                for f in verdict.findings.iter().filter(|f| keep(f, true)) {
                    let Some(sev) = severity(f, list) else {
                        continue;
                    };
                    out.push(Finding {
                        id: id_of(f),
                        severity: sev,
                        ecosystem: Some(d.ecosystem),
                        name: Some(d.name.clone()),
                        version: None,
                        lockfile: d.file.clone(),
                        line: Some(d.line),
                        path: Vec::new(),
                        message: format!("{} (declared in {})", f.message, d.file.display()),
                        help: help(f, &d.name),
                    });
                }
            }
        }
    }
    out
}

/// Which name findings `check` reports: known-malicious is handled above (with
/// versions); `unknown-name` only for names no lockfile pins yet.
fn keep(f: &NameFinding, declared_only: bool) -> bool {
    match f.id {
        names::FindingId::KnownMalicious => declared_only,
        names::FindingId::UnknownName => declared_only,
        _ => true,
    }
}

fn id_of(f: &NameFinding) -> FindingId {
    FindingId::parse(f.id.as_str()).unwrap_or(FindingId::SimilarName)
}

fn severity(f: &NameFinding, list: &Allowlist) -> Option<Severity> {
    if f.id == names::FindingId::KnownMalicious {
        return Some(Severity::Critical);
    }
    let policy = Severity::from_level(list.policy.similar_names)?;
    Some(match f.severity {
        names::Severity::Deny => policy,
        names::Severity::Warn => Severity::Warning,
    })
}

fn help(f: &NameFinding, name: &str) -> String {
    match (f.id, &f.target) {
        (names::FindingId::SimilarName, Some(t)) => format!(
            "did you mean `{t}`? If `{name}` is really the package you want, ask the security team to add it to the allowlist"
        ),
        (names::FindingId::CrossEcosystem, _) => format!(
            "check that `{name}` exists in this ecosystem and is the package you meant (it is known from {})",
            f.how.as_deref().unwrap_or("another ecosystem")
        ),
        (names::FindingId::KnownHallucination, Some(t)) => {
            format!("do not install `{name}`; the real package is `{t}`")
        }
        (names::FindingId::KnownHallucination, None) => {
            format!(
                "do not install `{name}`: it is a name assistants invent; find the package you actually need"
            )
        }
        (names::FindingId::UnknownName, _) => format!(
            "`{name}` is not in lockgate's registry snapshot: check it with `lockgate name --online` before installing"
        ),
        _ => format!("run `lockgate explain {}`", f.id.as_str()),
    }
}
