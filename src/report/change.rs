//! The change report of a baseline run (`lockgate check --baseline REF`): a
//! Markdown body for a pull-request comment (`--comment-file`) and the job summary.
//!
//! It lists, per ecosystem, the packages the change adds, removes, upgrades and
//! downgrades, each with the new findings on it and its classes (new package,
//! version up or down, same version with a different hash, source moved, …: see
//! [`ChangeClass`]), then the new findings not tied to
//! a changed package, and counts the findings that were already there at the
//! baseline. Every name, version, path and message is escaped for Markdown the same
//! way as the `markdown` report ([`super::markdown`], [`super::escape`]): a package
//! name cannot make a link, an image, a mention of a user, HTML, or break a table.
//! The body stays below GitHub's comment limit ([`MAX_BYTES`]).

use super::markdown::{code, escape, headline};
use super::sarif::Paths;
use crate::baseline::{ChangeClass, ChangeKind, Comparison, PackageChange};
use crate::checks::{Finding, Outcome, Severity};
use std::fmt::Write as _;

/// A marker on the first line, so that a comment action can find and update the
/// comment of an earlier run instead of adding one.
pub const MARKER: &str = "<!-- lockgate-change-report -->";

/// GitHub refuses comment bodies over 65,536 characters: the body is cut (at a
/// line) below this many bytes, with a note.
pub const MAX_BYTES: usize = 60_000;

fn badge(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "🛑",
        Severity::Error => "❌",
        Severity::Warning => "⚠️",
        Severity::Note => "ℹ️",
    }
}

/// [`escape`], and `@` outside code spans written as a character reference: a
/// comment must not mention (notify) a user or team named in a message.
fn text(s: &str) -> String {
    escape(s)
        .split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 0 {
                part.replace('@', "&#64;")
            } else {
                part.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("`")
}

fn finding_cell(f: &Finding) -> String {
    format!(
        "{} {} {}",
        badge(f.severity),
        code(f.id.as_str()),
        text(&f.message)
    )
}

fn versions(v: &[String]) -> String {
    v.iter().map(|x| text(x)).collect::<Vec<_>>().join(", ")
}

/// The classes of a change in words, the alarming ones in bold, with their notes
/// (`source moved: registry default -> git https://…`).
fn class_cell(c: &PackageChange) -> String {
    let mut parts: Vec<String> = c
        .classes
        .iter()
        .map(|k| match k {
            ChangeClass::HashChanged
            | ChangeClass::SourceMoved
            | ChangeClass::InstallScriptGained
            | ChangeClass::PublisherChanged => format!("**{}**", k.describe()),
            _ => k.describe().to_string(),
        })
        .collect();
    parts.extend(c.notes.iter().map(|n| text(n)));
    parts.join("<br>")
}

/// Does the finding belong to this changed package (same ecosystem, lockfile and
/// name, a version the change pins)?
fn belongs(f: &Finding, c: &PackageChange) -> bool {
    f.ecosystem == Some(c.ecosystem)
        && crate::lexical_path::lexical_normalize(&f.lockfile) == c.lockfile
        && f.name
            .as_deref()
            .is_some_and(|n| c.ecosystem.normalize(n) == c.ecosystem.normalize(&c.name))
        && f.version.as_ref().is_none_or(|v| c.after.contains(v))
}

/// Render the change report. `outcome` holds the new findings only (what the
/// baseline run reports); `cmp` the comparison with the baseline.
pub fn markdown(outcome: &Outcome, cmp: &Comparison, paths: &Paths) -> String {
    let mut out = String::new();
    let failing = outcome.failing();
    let short = &cmp.commit[..cmp.commit.len().min(12)];
    let _ = writeln!(out, "{MARKER}");
    let _ = writeln!(
        out,
        "{}",
        headline(
            outcome,
            [
                "❌ this change adds findings at or above the fail level",
                "✅ this change adds no findings",
                "✅ this change adds findings below the fail level only",
            ],
        )
    );
    let n = outcome.findings.len();
    let _ = writeln!(
        out,
        "Compared with {} ({}): {n} new finding{} ({failing} at or above the fail level); {}.\n",
        code(&cmp.rev),
        code(short),
        if n == 1 { "" } else { "s" },
        text(&cmp.unchanged_line())
    );
    let mut used = vec![false; outcome.findings.len()];
    if cmp.changes.is_empty() {
        let _ = writeln!(out, "No package was added, removed or changed.\n");
    }
    let mut eco = None;
    for c in &cmp.changes {
        if eco != Some(c.ecosystem) {
            eco = Some(c.ecosystem);
            let count = |k: ChangeKind| {
                cmp.changes
                    .iter()
                    .filter(|x| x.ecosystem == c.ecosystem && x.kind == k)
                    .count()
            };
            let _ = writeln!(
                out,
                "### {}: {} added, {} removed, {} upgraded, {} downgraded, {} changed\n",
                c.ecosystem,
                count(ChangeKind::Added),
                count(ChangeKind::Removed),
                count(ChangeKind::Upgraded),
                count(ChangeKind::Downgraded),
                count(ChangeKind::Changed)
            );
            let _ = writeln!(
                out,
                "| change | package | before | after | lockfile | new findings | class |"
            );
            let _ = writeln!(out, "|---|---|---|---|---|---|---|");
        }
        let mut cells = Vec::new();
        for (i, f) in outcome.findings.iter().enumerate() {
            if c.kind != ChangeKind::Removed && belongs(f, c) {
                used[i] = true;
                cells.push(finding_cell(f));
            }
        }
        let findings = if cells.is_empty() {
            if c.kind == ChangeKind::Removed {
                String::new()
            } else {
                "✅ none".to_string()
            }
        } else {
            cells.join("<br>")
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {findings} | {} |",
            c.kind.as_str(),
            code(&c.name),
            versions(&c.before),
            versions(&c.after),
            code(&paths.display(&c.lockfile)),
            class_cell(c)
        );
        // End of this ecosystem's table.
        let next = cmp
            .changes
            .iter()
            .skip_while(|x| !std::ptr::eq(*x, c))
            .nth(1);
        if next.is_none_or(|x| x.ecosystem != c.ecosystem) {
            out.push('\n');
        }
    }
    let other: Vec<&Finding> = outcome
        .findings
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(f, _)| f)
        .collect();
    if !other.is_empty() {
        let _ = writeln!(out, "### Other new findings\n");
        let _ = writeln!(out, "| finding | package | where | next step |");
        let _ = writeln!(out, "|---|---|---|---|");
        for f in other {
            let package = match (&f.ecosystem, &f.name, &f.version) {
                (Some(e), Some(n), Some(v)) => format!("{e} {} {}", code(n), text(v)),
                (Some(e), Some(n), None) => format!("{e} {}", code(n)),
                _ => String::new(),
            };
            let at = match f.line {
                Some(l) => format!("{}:{l}", paths.display(&f.lockfile)),
                None => paths.display(&f.lockfile),
            };
            let _ = writeln!(
                out,
                "| {} | {package} | {} | {} |",
                finding_cell(f),
                code(&at),
                text(&f.help)
            );
        }
        out.push('\n');
    }
    if !cmp.unchanged.is_empty() {
        let _ = writeln!(
            out,
            "<sub>Findings already present at {} are not repeated here; run `lockgate check` without `--baseline` for the whole tree.</sub>",
            code(&cmp.rev)
        );
    }
    cut(out)
}

/// Keep the body under [`MAX_BYTES`], cut at a line, with a note.
fn cut(mut out: String) -> String {
    if out.len() <= MAX_BYTES {
        return out;
    }
    let mut at = MAX_BYTES - 200;
    while !out.is_char_boundary(at) {
        at -= 1;
    }
    let at = out[..at].rfind('\n').map(|i| i + 1).unwrap_or(0);
    out.truncate(at);
    out.push_str(
        "\n…cut to fit a comment: see the job summary, the SARIF file or `lockgate check --baseline` output for the rest.\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::FindingId;
    use crate::lockfile::Ecosystem;

    #[test]
    fn names_cannot_inject_markup_and_findings_sit_on_their_package() {
        let f = Finding {
            id: FindingId::Unlisted,
            severity: Severity::Error,
            ecosystem: Some(Ecosystem::Npm),
            name: Some("@x/[a](http://e)|".into()),
            version: Some("1.0.0".into()),
            lockfile: "package-lock.json".into(),
            line: Some(3),
            path: Vec::new(),
            message: "not in <b>the</b> allowlist @team".into(),
            help: String::new(),
        };
        let outcome = Outcome {
            findings: vec![f],
            lockfiles: 1,
            packages: 1,
            complete: true,
            fail_on: Some(Severity::Error),
            allowlist: "allowlist.toml".into(),
        };
        let cmp = Comparison {
            rev: "main".into(),
            commit: "0123456789abcdef".into(),
            unchanged: Vec::new(),
            changes: vec![PackageChange {
                ecosystem: Ecosystem::Npm,
                name: "@x/[a](http://e)|".into(),
                kind: ChangeKind::Added,
                before: Vec::new(),
                after: vec!["1.0.0".into()],
                lockfile: "package-lock.json".into(),
                classes: vec![ChangeClass::NewPackage],
                notes: Vec::new(),
                hash_changes: Vec::new(),
            }],
        };
        let md = markdown(&outcome, &cmp, &Paths::default());
        assert!(md.starts_with(MARKER));
        assert!(!md.contains("[a](http"), "{md}");
        assert!(!md.contains("<b>"), "{md}");
        assert!(md.contains("allowlist &#64;team"), "{md}");
        assert!(md.contains("| added | <code>@x/&#91;a&#93;&#40;http://e&#41;&#124;</code> |  | 1.0.0 | <code>package-lock.json</code> | ❌ <code>unlisted</code>"), "{md}");
        assert!(!md.contains("Other new findings"), "{md}");
        assert!(md.contains("### npm: 1 added, 0 removed"), "{md}");
    }

    #[test]
    fn long_bodies_are_cut() {
        let s = "x\n".repeat(MAX_BYTES);
        let c = cut(s);
        assert!(c.len() < MAX_BYTES);
        assert!(c.ends_with("for the rest.\n"));
    }
}
