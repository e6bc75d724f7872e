//! The GitHub Actions output format: one workflow command per finding, so that each
//! shows as an annotation on the lockfile line in the pull request.
//!
//! ```text
//! ::error file=web/package-lock.json,line=12,title=lockgate hash-mismatch%3A left-pad 1.3.0::The lockfile's hash …
//! ```
//!
//! Critical and error findings are `::error`, warnings `::warning`, notes
//! `::notice`. Paths are relative to the repository root (`$GITHUB_WORKSPACE`) with
//! `/` separators, as the runner expects. Values are escaped as the runner's
//! toolkit does: in the message `%`, `\r` and `\n` become `%25`, `%0D`, `%0A`; in
//! properties `:` and `,` also become `%3A` and `%2C`. Nothing a package name or
//! path holds can therefore start a new command. Before that, every untrusted
//! field goes through [`super::escape::display_safe`], so no control or bidi
//! character reaches the log or the annotation. The last two lines are plain log
//! text: the summary and the next step. GitHub shows at most 10 error and 10
//! warning annotations per step; the job summary and SARIF carry all findings.

use super::escape::{display_safe as safe, display_safe_text};
use super::human;
use super::sarif::Paths;
use crate::checks::{Finding, Outcome, Severity};
use std::fmt::Write as _;

/// Escape the message (data) part of a workflow command.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value (`file`, `line`, `title`) of a workflow command.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The workflow command for a severity.
pub fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

/// One finding as a workflow command line (without the line break).
pub fn annotation(f: &Finding, paths: &Paths) -> String {
    let mut title = format!("lockgate {}", f.id.as_str());
    if f.severity == Severity::Critical {
        title.push_str(" (critical)");
    }
    match (&f.name, &f.version) {
        (Some(n), Some(v)) => {
            let _ = write!(title, ": {} {}", safe(n), safe(v));
        }
        (Some(n), None) => {
            let _ = write!(title, ": {}", safe(n));
        }
        _ => {}
    }
    let mut msg = safe(&f.message).into_owned();
    if f.path.len() > 1 {
        let _ = write!(msg, "\nvia {}", safe(&f.path.join(" > ")));
    }
    if !f.help.is_empty() {
        let _ = write!(msg, "\nNext: {}", safe(&f.help));
    }
    let _ = write!(msg, "\n(lockgate explain {})", f.id.as_str());
    let mut props = vec![format!(
        "file={}",
        escape_property(&safe(&paths.display(&f.lockfile)))
    )];
    if let Some(line) = f.line {
        props.push(format!("line={}", line.max(1)));
    }
    props.push(format!("title={}", escape_property(&title)));
    format!(
        "::{} {}::{}",
        command(f.severity),
        props.join(","),
        escape_data(&msg)
    )
}

/// Render the output of `lockgate check --format github`.
pub fn findings(outcome: &Outcome, paths: &Paths) -> String {
    let mut out = String::new();
    for f in &outcome.findings {
        out.push_str(&annotation(f, paths));
        out.push('\n');
    }
    // Plain log lines; a line break inside them must not start a command.
    let plain = |s: String| display_safe_text(&s.replace(['\r', '\n'], " ")).into_owned();
    let _ = writeln!(out, "{}", plain(human::summary_line(outcome)));
    let _ = writeln!(out, "{}", plain(human::next_step(outcome)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::FindingId;
    use std::path::PathBuf;

    /// An `unlisted` error finding with the given (hostile) text in every field.
    fn unlisted(
        name: &str,
        version: &str,
        lockfile: &str,
        line: Option<usize>,
        path: Vec<String>,
        message: &str,
        help: &str,
    ) -> Finding {
        Finding {
            id: FindingId::Unlisted,
            severity: Severity::Error,
            ecosystem: None,
            name: Some(name.to_string()),
            version: Some(version.to_string()),
            lockfile: PathBuf::from(lockfile),
            line,
            path,
            message: message.to_string(),
            help: help.to_string(),
        }
    }

    #[test]
    fn escaping_follows_the_toolkit() {
        assert_eq!(escape_data("100%\r\nnext"), "100%25%0D%0Anext");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn an_annotation_cannot_inject_a_command() {
        let f = unlisted(
            "evil\n::error::x,y",
            "1",
            "dir,1/package-lock.json",
            Some(0),
            vec![],
            "m\n::warning::boom",
            "",
        );
        let a = annotation(&f, &Paths::here());
        assert!(!a.contains('\n'));
        assert!(a.contains("::m\\u{a}::warning::boom%0A"), "{a}");
        assert!(a.starts_with("::error file=dir%2C1/package-lock.json,line=1,title=lockgate unlisted%3A evil\\u{a}%3A%3Aerror%3A%3Ax%2Cy 1::"), "{a}");
    }

    #[test]
    fn control_and_bidi_characters_never_reach_the_log() {
        let f = unlisted(
            "evil\u{1b}[2K\rleft-pad\u{202e}",
            "1\u{9b}",
            "a\u{7}/package-lock.json",
            Some(3),
            vec!["root".to_string(), "x\u{2066}".to_string()],
            "evil\u{1b}[2K\rleft-pad is not in the allowlist",
            "h\u{85}",
        );
        let a = annotation(&f, &Paths::here());
        assert!(!a.chars().any(crate::report::escape::is_unsafe), "{a:?}");
        assert!(a.contains("evil\\u{1b}[2K\\u{d}left-pad\\u{202e}"), "{a}");
        assert!(a.contains("file=a\\u{7}/package-lock.json"), "{a}");
    }
}
