//! The name checks in `check`: `known-malicious` for every package (name and
//! version), and `similar-name`, `known-hallucination` and `cross-ecosystem` for
//! packages the allowlist does not list and for every name a manifest declares that
//! no lockfile pins yet (plus `unknown-name` for those, since they may not exist at
//! all). The allowlist's names are trusted: never flagged as look-alikes, and used
//! as extra targets. Levels follow `[policy] similar-names`; a known-malicious
//! match is always critical.

pub mod answer;
mod history;

pub use history::{
    History, MIN_HISTORY_DAYS, first_published, new_package_message, registry_history,
};

use super::{Finding, FindingDef, FindingId, Precision, Severity};
use crate::allowlist::{Allowlist, Level};
use crate::manifest;
use crate::model::{Ecosystem, PackageKey};
use crate::names::{self, NameChecker, NameFinding, Rule, Verdict};
use crate::resolve::Resolution;
use std::collections::HashSet;

// The findings this check raises (see `checks::FindingDef`). A Python import name
// (`names::Rule::ImportName`) is raised as `known-hallucination` with `how: import-name`.

/// The `similar-name` finding.
pub const SIMILAR_NAME: FindingDef = FindingDef {
    id: "similar-name",
    summary: "The name is close to a popular or allowlisted package: a possible typosquat.",
    explanation: "Typosquatters publish near-copies of popular names (one letter off, swapped separators, an added `-py` or `-js`) and wait for a typo.",
    help: "Check that you meant this package and not the one it imitates (the finding names it). If it is legitimate, the security team adds it to the allowlist, which silences the finding.",
    severity: Severity::Error,
    policy: &["similar-names"],
    security_severity: Some("8.0"),
    precision: Precision::Medium,
};

/// The `known-hallucination` finding.
pub const KNOWN_HALLUCINATION: FindingDef = FindingDef {
    id: "known-hallucination",
    summary: "The name is one that AI code assistants are known to invent.",
    explanation: "Assistants recommend packages that do not exist; attackers register those names (slopsquatting).",
    help: "Find the package you actually need (the finding may name it) and do not install this one.",
    severity: Severity::Error,
    policy: &["similar-names"],
    security_severity: Some("8.0"),
    precision: Precision::High,
};

/// The `known-malicious` finding.
pub const KNOWN_MALICIOUS: FindingDef = FindingDef {
    id: "known-malicious",
    summary: "The package (and version) is in a malicious-package database.",
    explanation: "The package or this version of it was reported as malicious (OSV `MAL-` records, RustSec).",
    help: "Remove it at once, regenerate the lockfile, and treat machines that installed it as compromised.",
    severity: Severity::Critical,
    policy: &["known-bad"],
    security_severity: Some("9.8"),
    precision: Precision::High,
};

/// The `cross-ecosystem` finding.
pub const CROSS_ECOSYSTEM: FindingDef = FindingDef {
    id: "cross-ecosystem",
    summary: "The name is popular in another ecosystem and unknown in this one.",
    explanation: "A name that is well known in npm but not on PyPI (or the reverse) is a classic confusion and a common hallucination.",
    help: "Check that the package exists for this ecosystem and is the one you meant.",
    severity: Severity::Warning,
    policy: &["similar-names"],
    security_severity: Some("5.0"),
    precision: Precision::Low,
};

/// The `unknown-name` finding.
pub const UNKNOWN_NAME: FindingDef = FindingDef {
    id: "unknown-name",
    summary: "The name is not in lockgate's registry snapshot at all.",
    explanation: "Offline, the strongest sign of a hallucinated name that nobody registered yet, or that someone registered very recently.",
    help: "Check it with `lockgate name --online` and on the registry before installing it.",
    severity: Severity::Warning,
    policy: &["similar-names"],
    security_severity: Some("5.0"),
    precision: Precision::Low,
};

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
    let mut seen: HashSet<(PackageKey, String)> = HashSet::new();
    let mut pinned: HashSet<PackageKey> = HashSet::new();
    for p in res.packages() {
        // No name data for GitHub Actions (see `names::data`).
        if p.ecosystem == Ecosystem::Actions {
            continue;
        }
        let key = p.key();
        pinned.insert(key.clone());
        if !seen.insert((key.clone(), p.version.to_string())) {
            continue;
        }
        let norm = &key.name;
        // Known-malicious applies to listed packages too: a compromised version of an
        // approved package is exactly what it is for.
        for e in checker.known_bad().get(p.ecosystem, norm) {
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
                    finding_id(f.rule),
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
                let key = PackageKey::new(d.ecosystem, &d.name);
                if pinned.contains(&key)
                    || list.entry(d.ecosystem, &d.name).is_some()
                    || !seen.insert((key, String::new()))
                {
                    continue;
                }
                let verdict = checker.check(d.ecosystem, &d.name, None);
                for f in verdict.findings.iter().filter(|f| keep(f, true)) {
                    let Some(sev) = severity(f, list) else {
                        continue;
                    };
                    out.push(Finding {
                        id: finding_id(f.rule),
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
/// has with some history (see [`registry_history`]) clears the finding; one too
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
            Ok(Answer::Found(info)) => match registry_history(&info, now) {
                History::Established => {
                    drop.insert(i);
                }
                h => {
                    f.message = new_package_message(name, h);
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
/// versions); `unknown-name` and `import-name` only for names no lockfile pins yet (a
/// lockfile's names came from the registry, and an import-name package there was
/// installed on purpose or by a dependency).
fn keep(f: &NameFinding, declared_only: bool) -> bool {
    match f.rule {
        Rule::KnownMalicious | Rule::UnknownName | Rule::ImportName => declared_only,
        Rule::SimilarName | Rule::CrossEcosystem | Rule::KnownHallucination => true,
    }
}

/// The crate's finding id for a name rule.
pub fn finding_id(rule: Rule) -> FindingId {
    match rule {
        Rule::SimilarName => FindingId::SimilarName,
        Rule::CrossEcosystem => FindingId::CrossEcosystem,
        Rule::UnknownName => FindingId::UnknownName,
        Rule::KnownHallucination => FindingId::KnownHallucination,
        Rule::KnownMalicious => FindingId::KnownMalicious,
        // A known name people and assistants write where another package is meant,
        // like the hallucinations; `how` is `import-name` and `target` the package.
        Rule::ImportName => FindingId::KnownHallucination,
    }
}

/// The severity `check` gives a name finding under the policy (`None`: not reported).
fn severity(f: &NameFinding, list: &Allowlist) -> Option<Severity> {
    if f.rule == Rule::KnownMalicious {
        return Some(Severity::Critical);
    }
    let policy = Severity::from_level(list.policy.similar_names)?;
    match f.severity {
        Verdict::Deny => Some(policy),
        Verdict::Warn => Some(Severity::Warning),
        Verdict::Ok => None,
    }
}

/// The `help` line of a name finding: what to do instead.
pub fn help(f: &NameFinding, eco: Ecosystem, name: &str) -> String {
    match (f.rule, &f.target) {
        (Rule::SimilarName, Some(t)) => format!(
            "did you mean `{t}`? If `{name}` is really the package you want, ask the security team to add it to the allowlist"
        ),
        (Rule::CrossEcosystem, _) => format!(
            "check that `{name}` exists in this ecosystem and is the package you meant (it is known from {})",
            f.how.as_deref().unwrap_or("another ecosystem")
        ),
        (Rule::KnownHallucination, Some(t)) => {
            format!("do not install `{name}`; the real package is `{t}`")
        }
        (Rule::KnownHallucination, None) => {
            format!(
                "do not install `{name}`: it is a name assistants invent; find the package you actually need"
            )
        }
        (Rule::UnknownName, _) => format!(
            "lockgate's registry snapshot may be behind the registry: `lockgate check --online` (or `lockgate name --online {eco} {name}`) asks the registry and settles it"
        ),
        (Rule::ImportName, Some(t)) => format!("install `{t}` instead of `{name}`"),
        (Rule::SimilarName | Rule::ImportName, None) | (Rule::KnownMalicious, _) => {
            format!("run `lockgate explain {}`", finding_id(f.rule))
        }
    }
}
