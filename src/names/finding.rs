//! What the name checker reports: which rule matched a name, against what, and how
//! strongly. These are facts about the name; `checks::names` turns them into the
//! crate's findings (`checks::FindingId`, `checks::Severity`) and into the answer of
//! `lockgate name`.

use crate::lockfile::Ecosystem;
use serde::Serialize;

/// How strongly the matches speak against a name (for one match, or the worst of all).
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

/// Which rule matched (see `docs/names.md`, "Rules").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
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
    /// A Python import name that is not the name of the package providing it (`cv2`).
    ImportName,
}

impl Rule {
    /// The rule's name (the same word as the id of the finding `check` reports for it).
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::SimilarName => "similar-name",
            Rule::CrossEcosystem => "cross-ecosystem",
            Rule::UnknownName => "unknown-name",
            Rule::KnownHallucination => "known-hallucination",
            Rule::KnownMalicious => "known-malicious",
            Rule::ImportName => "import-name",
        }
    }

    /// The id of the finding `checks::names` reports for this rule: the rule's own
    /// name, except `import-name` (a known name written where another package is
    /// meant), which is reported as `known-hallucination`. `checks::names::finding_id`
    /// gives the same as a `checks::FindingId`; `tests/architecture.rs` holds them equal.
    pub fn finding_id(self) -> &'static str {
        match self {
            Rule::SimilarName
            | Rule::CrossEcosystem
            | Rule::UnknownName
            | Rule::KnownHallucination
            | Rule::KnownMalicious => self.as_str(),
            Rule::ImportName => "known-hallucination",
        }
    }
}

/// One rule that matched a name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NameFinding {
    /// The rule.
    pub rule: Rule,
    /// The name it imitates (`similar-name`, `cross-ecosystem`), e.g. `requests`, or for a
    /// combination `numpy + requests`; for `import-name` the package providing the
    /// import; for `known-hallucination` the real package when the list names one.
    pub target: Option<String>,
    /// The transformation from target to name: `transposition`, `omission`, `addition`,
    /// `substitution`, `plural`, `separator`, `homoglyph`, `scope`, `affix:-py`,
    /// `word-order`, `combination`, `cli-flag`, or two joined by `+`; for
    /// `cross-ecosystem` the ecosystem it is popular in.
    pub how: Option<String>,
    /// The edit distance between the skeletons of name and target (`similar-name`).
    pub distance: Option<usize>,
    /// The report or list id (known-bad findings).
    pub source: Option<String>,
    /// The affected versions (`known-malicious`): versions and ranges as the list gives
    /// them (`5.6.1`, `>=1.0.0, <1.2.0`), `*` for every version.
    pub versions: Vec<String>,
    /// One sentence for people.
    pub message: String,
    /// How strongly this match speaks against the name: `warn` or `deny`.
    pub severity: Verdict,
}

/// The result of checking one name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameVerdict {
    /// The name as given.
    pub name: String,
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// `ok`, `warn` or `deny`: the strongest finding.
    pub verdict: Verdict,
    /// What matched, strongest first.
    pub findings: Vec<NameFinding>,
}

impl NameVerdict {
    /// Recompute the verdict from the findings (after findings were added or removed).
    pub fn settle(&mut self) {
        self.verdict = settle(&mut self.findings, |f| f.severity, |f| f.rule);
    }
}

/// Sorts findings most serious first (then by `key`) and returns the most serious
/// severity (`Ok` when there are none): the verdict of a list of findings.
pub fn settle<T, K: Ord>(
    findings: &mut [T],
    severity: impl Fn(&T) -> Verdict,
    key: impl Fn(&T) -> K,
) -> Verdict {
    findings.sort_by_key(|f| (std::cmp::Reverse(severity(f)), key(f)));
    findings.iter().map(severity).max().unwrap_or(Verdict::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_orders_by_strength() {
        assert!(Verdict::Deny > Verdict::Warn && Verdict::Warn > Verdict::Ok);
    }
}
