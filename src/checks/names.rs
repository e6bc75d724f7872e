//! The name checks in `check`: `known-malicious` for every package (name and
//! version), and `similar-name`, `known-hallucination` and `cross-ecosystem` for
//! packages the allowlist does not list and for every name a manifest declares that
//! no lockfile pins yet (plus `unknown-name` for those, since they may not exist at
//! all). The allowlist's names are trusted: never flagged as look-alikes, and used
//! as extra targets. Levels follow `[policy] similar-names`; a known-malicious
//! match is always critical.

use super::{Finding, FindingId, Severity};
use crate::allowlist::{Allowlist, Level};
use crate::manifest;
use crate::model::Ecosystem;
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
    for (crate::model::PackageKey { ecosystem: eco, .. }, entry) in &list.entries {
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
                    help(f, p.ecosystem, &p.name),
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
                        help: help(f, d.ecosystem, &d.name),
                    });
                }
            }
        }
    }
    out
}

/// `check --online`: settle the `unknown-name` findings (names a manifest declares that
/// are not in the offline snapshot) with the registry's answer. A package the registry
/// has with some history (see [`names::registry_history`]) clears the finding; one too
/// new keeps it, saying how new; a name the registry does not have becomes
/// `not-on-registry` (error). A registry that cannot be asked leaves the finding as it
/// is and says why (the online check reports the registry error itself).
pub fn settle_unknown(findings: &mut Vec<Finding>, client: &crate::registry::Client, now: i64) {
    use crate::registry::Answer;
    let asked: Vec<usize> = findings
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            f.id == FindingId::UnknownName && f.ecosystem.is_some() && f.name.is_some()
        })
        .map(|(i, _)| i)
        .collect();
    if asked.is_empty() {
        return;
    }
    let queries: Vec<(Ecosystem, String)> = asked
        .iter()
        .map(|&i| {
            (
                findings[i].ecosystem.unwrap_or(Ecosystem::Npm),
                findings[i].name.clone().unwrap_or_default(),
            )
        })
        .collect();
    let answers = client.lookup_all(&queries);
    let mut drop = HashSet::new();
    for ((&i, (eco, name)), answer) in asked.iter().zip(&queries).zip(answers) {
        let f = &mut findings[i];
        match answer {
            Ok(Answer::Found(info)) => match names::registry_history(&info, now) {
                names::History::Established => {
                    drop.insert(i);
                }
                h => {
                    f.message = names::new_package_message(name, h);
                    f.help = format!(
                        "if `{name}` is the package you want, ask the security team to review and allowlist it"
                    );
                }
            },
            Ok(Answer::NotFound { url }) => {
                f.id = FindingId::NotOnRegistry;
                f.severity = Severity::Error;
                f.message =
                    format!("{name} is not on the {eco} registry ({url} has no such package)");
                f.help = "do not install it: the name may be hallucinated, or an internal name anyone could register (dependency confusion); register it yourself if it is yours".to_string();
            }
            Err(e) => {
                f.message = format!("{} (the registry could not settle it: {e})", f.message);
            }
        }
    }
    let mut i = 0;
    findings.retain(|_| {
        i += 1;
        !drop.contains(&(i - 1))
    });
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

fn help(f: &NameFinding, eco: Ecosystem, name: &str) -> String {
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
            "lockgate's registry snapshot may be behind the registry: `lockgate check --online` (or `lockgate name --online {eco} {name}`) asks the registry and settles it"
        ),
        _ => format!("run `lockgate explain {}`", f.id.as_str()),
    }
}
