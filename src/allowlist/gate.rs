//! The gate every command that writes the allowlist runs before it approves a
//! version: `add`, `suggest --write`, `init`, `except`. A version is *flagged* when
//!
//! - it is on a known-malicious list (lockgate's embedded list and the policy's
//!   `known-bad` lists), whether or not the name is already listed;
//! - a `[[deny]]` rule matches it;
//! - its name is not listed yet and the name checks flag it (`similar-name`,
//!   `known-hallucination`, `cross-ecosystem`), unless an active `[[exception]]`
//!   waives that finding for it.
//!
//! `unknown-name` ("not in the offline snapshot") is not a flag: the registry
//! answers that with `--online`. A flagged version is never written silently: the
//! commands refuse it, or (with `--force --reason`) write it and say so.

use super::Allowlist;
use crate::model::{Ecosystem, NormalizedName};
use crate::names::{self, NameChecker};
use std::path::PathBuf;

/// Why a version is flagged.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Flag {
    /// The finding id (`known-malicious`, `denied`, `similar-name`, ...).
    pub id: String,
    /// One sentence for people.
    pub message: String,
}

impl Flag {
    /// Flags that `--force` can never override.
    pub fn is_absolute(&self) -> bool {
        self.id == "known-malicious"
    }
}

/// The name checks and known-bad lists a writing command uses.
pub struct Gate {
    checker: NameChecker,
    today: String,
}

impl Gate {
    /// The embedded data, the allowlist's names as trusted targets, its policy's
    /// known-bad lists and `extra` lists.
    pub fn new(list: Option<&Allowlist>, extra: &[PathBuf]) -> Result<Gate, names::KnownBadError> {
        let mut checker = NameChecker::embedded();
        if let Some(list) = list {
            for (key, entry) in &list.entries {
                checker.add_trusted(key.ecosystem, &entry.name);
            }
            for path in &list.policy.known_bad {
                checker.load_known_bad(path)?;
            }
        }
        for path in extra {
            checker.load_known_bad(path)?;
        }
        Ok(Gate {
            checker,
            today: super::today(),
        })
    }

    /// Why `name@version` must not be approved silently (empty: it may).
    pub fn flags(
        &self,
        list: Option<&Allowlist>,
        eco: Ecosystem,
        name: &str,
        version: Option<&str>,
    ) -> Vec<Flag> {
        let mut out = Vec::new();
        let norm = NormalizedName::new(eco, name);
        for e in self.checker.known_bad().get(eco, &norm) {
            let hit = match version {
                Some(v) => e.affected.contains(v) != Some(false),
                None => true,
            };
            if e.kind == names::KnownKind::Malicious && hit {
                out.push(Flag {
                    id: "known-malicious".into(),
                    message: format!(
                        "{name} {} is reported as malicious ({}, {})",
                        version.unwrap_or(""),
                        e.id,
                        e.origin
                    ),
                });
            }
        }
        if let Some(rule) = list.and_then(|l| l.denied(eco, name, version)) {
            out.push(Flag {
                id: "denied".into(),
                message: format!(
                    "denied by {}:{}: {}",
                    rule.file.display(),
                    rule.line,
                    rule.reason
                ),
            });
        }
        if list.is_none_or(|l| l.entry(eco, name).is_none()) {
            let verdict = self.checker.check(eco, name, version);
            for f in &verdict.findings {
                if matches!(
                    f.rule,
                    names::Rule::UnknownName | names::Rule::KnownMalicious
                ) {
                    continue;
                }
                let id = f.rule.finding_id();
                let waived = list.and_then(|l| l.exception(eco, name, version, id));
                if waived.is_some_and(|x| !x.expired(&self.today)) {
                    continue;
                }
                out.push(Flag {
                    id: id.to_string(),
                    message: f.message.clone(),
                });
            }
        }
        out.sort();
        out.dedup();
        out
    }
}
