//! The answer to "may I install this package?": the name checks on names (with optional
//! versions) as `lockgate name`, the MCP server and an install guard give it, with what
//! the allowlist approves and what to use instead; `--online` settles what the offline
//! snapshot cannot (`unknown-name`, `not-on-registry`).

use super::{History, finding_id, help, new_package_message, registry_history};
use crate::allowlist::Allowlist;
use crate::checks::FindingId;
use crate::lockfile::Ecosystem;
use crate::names::{KnownBadError, NameChecker, NameFinding, NameVerdict, Rule, Verdict};
use crate::registry::{Answer, Client, RegistryError};
use serde::Serialize;
use std::path::PathBuf;

/// A name to check, with the version when the request names one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Query {
    /// The package name as given.
    pub name: String,
    /// The exact version, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// A package request that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// Nothing before the version.
    #[error("`{spec}` has no package name")]
    NoName {
        /// The request as given.
        spec: String,
    },
    /// The version part is a range or a tag, not one version.
    #[error(
        "`{spec}`: `{version}` is not an exact version; give one version (`{name}{sep}1.2.3`) or only the name"
    )]
    NotExact {
        /// The request as given.
        spec: String,
        /// The name part.
        name: String,
        /// The separator the ecosystem uses (`@` or `==`).
        sep: &'static str,
        /// The version part.
        version: String,
    },
}

impl Query {
    /// Read `NAME`, or `NAME@VERSION` in the ecosystem's own forms: npm `pkg@1.2.3` and
    /// `@scope/pkg@1.2.3`, PyPI `pkg==1.2.3` (also `pkg===1.2.3`, `pkg@1.2.3`; extras
    /// `pkg[x]` are dropped), cargo `pkg@1.2.3` (also `pkg@=1.2.3`). Only an exact version
    /// is accepted: a range or a tag (`^1.2`, `latest`, `>=1`) is an error, since which
    /// version it means depends on the registry at install time.
    pub fn parse(eco: Ecosystem, spec: &str) -> Result<Query, SpecError> {
        let spec = spec.trim();
        let (name, version, sep) = match eco {
            Ecosystem::Npm => match spec.rfind('@') {
                Some(i) if i > 0 => (&spec[..i], Some(&spec[i + 1..]), "@"),
                _ => (spec, None, "@"),
            },
            Ecosystem::Cargo | Ecosystem::Actions => match spec.split_once('@') {
                Some((n, v)) => (n, Some(v.strip_prefix('=').unwrap_or(v)), "@"),
                None => (spec, None, "@"),
            },
            Ecosystem::Pypi => {
                if let Some((n, v)) = spec.split_once("==") {
                    (n, Some(v.strip_prefix('=').unwrap_or(v)), "==")
                } else if let Some((n, v)) = spec.split_once('@') {
                    (n, Some(v), "==")
                } else {
                    (spec, None, "==")
                }
            }
        };
        let mut name = name.trim();
        if eco == Ecosystem::Pypi
            && let Some(i) = name.find('[')
        {
            name = name[..i].trim();
        }
        if name.is_empty() {
            return Err(SpecError::NoName {
                spec: spec.to_string(),
            });
        }
        let version = version.map(str::trim);
        if let Some(v) = version
            && !is_exact(v)
        {
            return Err(SpecError::NotExact {
                spec: spec.to_string(),
                name: name.to_string(),
                sep,
                version: v.to_string(),
            });
        }
        Ok(Query {
            name: name.to_string(),
            version: version.map(str::to_string),
        })
    }
}

/// One exact version: starts with a digit (PyPI: or an epoch `N!`), then version
/// characters only (`1.2.3`, `1.0.0-beta.1+build`, `2.0.post1`, `1!2.0`).
fn is_exact(v: &str) -> bool {
    v.starts_with(|c: char| c.is_ascii_digit())
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '!' | '_'))
}

/// What the allowlist says about a name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Approval {
    /// The allowlist has an entry for the name.
    pub listed: bool,
    /// The versions it approves (empty when not listed).
    pub versions: Vec<String>,
    /// Whether the version asked about is approved (`None` when none was asked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_approved: Option<bool>,
    /// The reason of a `[[deny]]` rule that forbids the package, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub denied: Option<String>,
}

/// One finding in an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnswerFinding {
    /// The finding id (`similar-name`, `not-on-registry`, …; `lockgate explain ID`).
    pub id: FindingId,
    /// The name it imitates, the real package, or the package providing an import.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// How the name differs from the target (see `docs/names.md`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub how: Option<String>,
    /// Edit distance between name and target (`similar-name`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance: Option<usize>,
    /// The report, list or URL the finding comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Affected versions (`known-malicious`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    /// One sentence for people.
    pub message: String,
    /// What to do about it.
    pub help: String,
    /// The package to use instead, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instead: Option<String>,
    /// `warn` or `deny`.
    pub severity: Verdict,
}

/// The answer for one name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NameAnswer {
    /// The name as given.
    pub name: String,
    /// The version asked about, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// `ok`, `warn` or `deny`: the most serious finding.
    pub verdict: Verdict,
    /// What was found, most serious first.
    pub findings: Vec<AnswerFinding>,
    /// What the allowlist says (absent without an allowlist).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowlist: Option<Approval>,
}

impl NameAnswer {
    fn settle(&mut self) {
        self.verdict = crate::names::settle(&mut self.findings, |f| f.severity, |f| f.id);
    }
}

/// A name checker for answers: the embedded data, the allowlist's names as trusted and
/// its known-bad lists (when there is an allowlist), and `extra` known-bad lists.
pub fn checker(
    list: Option<&Allowlist>,
    extra_known_bad: &[PathBuf],
) -> Result<NameChecker, KnownBadError> {
    match list {
        Some(list) => super::checker(list, extra_known_bad),
        None => {
            let mut c = NameChecker::embedded();
            for p in extra_known_bad {
                c.load_known_bad(p)?;
            }
            Ok(c)
        }
    }
}

/// The package to use instead of `name`, when a finding names one.
fn instead(f: &NameFinding) -> Option<String> {
    match f.rule {
        Rule::SimilarName => f
            .target
            .clone()
            .filter(|t| !t.contains(" + ") && f.how.as_deref() != Some("cli-flag")),
        Rule::ImportName | Rule::KnownHallucination => f.target.clone(),
        Rule::CrossEcosystem | Rule::UnknownName | Rule::KnownMalicious => None,
    }
}

fn from_verdict(v: NameVerdict, version: Option<String>) -> NameAnswer {
    let findings = v
        .findings
        .iter()
        .map(|f| AnswerFinding {
            id: finding_id(f.rule),
            target: f.target.clone(),
            how: f.how.clone(),
            distance: f.distance,
            source: f.source.clone(),
            versions: f.versions.clone(),
            message: f.message.clone(),
            help: help(f, v.ecosystem, &v.name),
            instead: instead(f),
            severity: f.severity,
        })
        .collect();
    NameAnswer {
        name: v.name,
        version,
        ecosystem: v.ecosystem,
        verdict: v.verdict,
        findings,
        allowlist: None,
    }
}

/// Answer for each query, offline: the name checks, and what `list` approves. A
/// `[[deny]]` rule that matches makes the verdict `deny`.
pub fn answer(
    checker: &NameChecker,
    list: Option<&Allowlist>,
    eco: Ecosystem,
    queries: &[Query],
) -> Vec<NameAnswer> {
    queries
        .iter()
        .map(|q| {
            let mut a = from_verdict(
                checker.check(eco, &q.name, q.version.as_deref()),
                q.version.clone(),
            );
            if let Some(list) = list {
                let entry = list.entry(eco, &q.name);
                let denied = list.denied(eco, &q.name, q.version.as_deref());
                a.allowlist = Some(Approval {
                    listed: entry.is_some(),
                    versions: entry
                        .map(|e| e.versions.keys().cloned().collect())
                        .unwrap_or_default(),
                    version_approved: q
                        .version
                        .as_deref()
                        .map(|v| entry.is_some_and(|e| e.pin(eco, v).is_some())),
                    denied: denied.map(|d| d.reason.clone()),
                });
                if let Some(d) = denied {
                    a.findings.push(AnswerFinding {
                        id: FindingId::Denied,
                        target: None,
                        how: None,
                        distance: None,
                        source: Some(format!("{}:{}", d.file.display(), d.line)),
                        versions: Vec::new(),
                        message: format!("the allowlist forbids `{}`: {}", q.name, d.reason),
                        help: "use the alternative the reason names, or ask the security team"
                            .to_string(),
                        instead: None,
                        severity: Verdict::Deny,
                    });
                    a.settle();
                }
            }
            a
        })
        .collect()
}

/// The registry could not answer for a name (`--online`): the answer is unknown, never
/// a pass.
#[derive(Debug, thiserror::Error)]
#[error("cannot check `{name}` online: {source}")]
pub struct OnlineError {
    /// The name asked about.
    pub name: String,
    /// What went wrong.
    #[source]
    pub source: RegistryError,
}

/// Ask the registry about each answered name: a name it does not have is
/// `not-on-registry` (deny, replacing the offline `unknown-name` guess); a name it has
/// with some history (see [`registry_history`]) drops `unknown-name`; a brand-new one
/// keeps it, saying how new. `now` is Unix seconds.
pub fn settle_online(
    answers: &mut [NameAnswer],
    client: &Client,
    now: i64,
) -> Result<(), OnlineError> {
    let queries: Vec<(Ecosystem, String)> = answers
        .iter()
        .map(|a| (a.ecosystem, a.name.clone()))
        .collect();
    let results = client.lookup_all(&queries);
    for (a, result) in answers.iter_mut().zip(results) {
        let eco = a.ecosystem;
        match result {
            Ok(Answer::NotFound { url }) => {
                a.findings.retain(|f| f.id != FindingId::UnknownName);
                a.findings.insert(
                    0,
                    AnswerFinding {
                        id: FindingId::NotOnRegistry,
                        target: None,
                        how: None,
                        distance: None,
                        source: Some(url),
                        versions: Vec::new(),
                        message: format!("`{}` does not exist on the {eco} registry: a hallucinated name nobody registered yet, or a private name open to dependency confusion", a.name),
                        help: "do not install it; if it is an internal package, register the name yourself".to_string(),
                        instead: None,
                        severity: Verdict::Deny,
                    },
                );
            }
            Ok(Answer::Found(info)) => match registry_history(&info, now) {
                History::Established => a.findings.retain(|f| f.id != FindingId::UnknownName),
                h => a
                    .findings
                    .iter_mut()
                    .filter(|f| f.id == FindingId::UnknownName)
                    .for_each(|f| f.message = new_package_message(&a.name, h)),
            },
            Err(source) => {
                return Err(OnlineError {
                    name: a.name.clone(),
                    source,
                });
            }
        }
        a.settle();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(eco: Ecosystem, s: &str) -> (String, Option<String>) {
        let q = Query::parse(eco, s).unwrap();
        (q.name, q.version)
    }

    #[test]
    fn specs_in_each_ecosystems_form() {
        use Ecosystem::{Cargo, Npm, Pypi};
        for (eco, spec, name, version) in [
            (Npm, "chalk@5.6.1", "chalk", Some("5.6.1")),
            (Npm, "@scope/pkg@1.2.3", "@scope/pkg", Some("1.2.3")),
            (Npm, "@scope/pkg", "@scope/pkg", None),
            (Pypi, "requests==2.32.3", "requests", Some("2.32.3")),
            (Pypi, "requests[socks]==2.32.3", "requests", Some("2.32.3")),
            (Pypi, "pkg@1!2.0.post1", "pkg", Some("1!2.0.post1")),
            (Cargo, "serde@1.0.200", "serde", Some("1.0.200")),
            (Cargo, "serde@=1.0.200", "serde", Some("1.0.200")),
            (Cargo, "serde", "serde", None),
        ] {
            let want = (name.to_string(), version.map(str::to_string));
            assert_eq!(q(eco, spec), want, "{eco} {spec}");
        }
    }

    #[test]
    fn ranges_and_tags_are_refused() {
        for (eco, s) in [
            (Ecosystem::Npm, "chalk@^5"),
            (Ecosystem::Npm, "chalk@latest"),
            (Ecosystem::Pypi, "requests==2.*"),
            (Ecosystem::Cargo, "serde@~1.0"),
        ] {
            let r = Query::parse(eco, s);
            assert!(matches!(r, Err(SpecError::NotExact { .. })), "{s}: {r:?}");
        }
        assert!(matches!(
            Query::parse(Ecosystem::Npm, "@1.0.0"),
            Ok(Query { version: None, .. })
        ));
        assert!(matches!(
            Query::parse(Ecosystem::Pypi, "==1.0"),
            Err(SpecError::NoName { .. })
        ));
    }

    #[test]
    fn answers_say_what_to_use_instead() {
        let c = NameChecker::embedded();
        let a = answer(
            &c,
            None,
            Ecosystem::Pypi,
            &[Query::parse(Ecosystem::Pypi, "cv2").unwrap()],
        );
        let f = a[0]
            .findings
            .iter()
            .find(|f| f.how.as_deref() == Some("import-name"))
            .expect("import-name");
        assert_eq!(f.instead.as_deref(), Some("opencv-python"));
        let a = answer(
            &c,
            None,
            Ecosystem::Pypi,
            &[Query::parse(Ecosystem::Pypi, "reqeusts").unwrap()],
        );
        assert_eq!(a[0].verdict, Verdict::Deny);
        assert_eq!(a[0].findings[0].instead.as_deref(), Some("requests"));
    }
}
