//! The Markdown output format: a report for a GitHub job summary
//! (`$GITHUB_STEP_SUMMARY`) or a pull-request comment.
//!
//! It holds the verdict, the counts, a table of findings (worst first, at most
//! [`MAX_ROWS`] rows), and, when packages are merely not yet approved, the
//! `lockgate allowlist suggest` snippet that would make the check pass. The snippet
//! is computed by the caller (it needs the resolution and the allowlist, not just
//! the findings) and passed in. Table cells are HTML-escaped and `|` is written as
//! `&#124;`, so no package name or message can break the table or inject markup.
//! Control, bidi and invisible characters are written as `\u{XX}` first
//! ([`super::escape`]); package names and versions are shown as `<code>` whose
//! Markdown punctuation is written as character references, so a name cannot make
//! a link, an image, emphasis or HTML.

use super::escape::{display_safe, display_safe_text};
use super::human;
use super::sarif::Paths;
use crate::checks::{FindingId, Outcome, Severity};
use std::fmt::Write as _;

/// At most this many findings are listed in the table; the rest are counted.
pub const MAX_ROWS: usize = 250;

/// A snippet longer than this (bytes) is cut at a line boundary: a job summary
/// holds at most 1 MiB.
pub const MAX_SNIPPET: usize = 256 * 1024;

/// Escape text for a Markdown table cell or paragraph. Balanced backtick code
/// spans (`like this`) are kept as code, with only `|` escaped inside them; all
/// other text is HTML-escaped and Markdown punctuation is backslash-escaped.
pub fn escape(s: &str) -> String {
    let s = display_safe_text(s);
    let mut out = String::with_capacity(s.len());
    let mut rest: &str = &s;
    while let Some(open) = rest.find('`') {
        escape_plain(&rest[..open], &mut out);
        let after = &rest[open + 1..];
        match after.find('`') {
            Some(close) if close > 0 => {
                out.push('`');
                for c in after[..close].chars() {
                    match c {
                        '|' => out.push_str("\\|"),
                        '\n' | '\r' => out.push(' '),
                        c => out.push(c),
                    }
                }
                out.push('`');
                rest = &after[close + 1..];
            }
            _ => {
                out.push_str("&#96;");
                rest = after;
            }
        }
    }
    escape_plain(rest, &mut out);
    out
}

fn escape_plain(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("&#124;"),
            '*' | '_' | '[' | ']' | '\\' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\r' => {}
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
}

/// Text as inline code that survives a table cell: HTML-escaped, and every ASCII
/// punctuation character Markdown could read as structure (links, images,
/// emphasis, code spans, escapes) written as a character reference.
pub(crate) fn code(s: &str) -> String {
    let mut out = String::from("<code>");
    for c in display_safe(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("&#124;"),
            '`' | '*' | '_' | '[' | ']' | '(' | ')' | '!' | '\\' | '~' | '#' => {
                out.push_str(&format!("&#{};", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push_str("</code>");
    out
}

/// The headline of a Markdown report, `## lockgate: ` and one of
/// `[failing, clean, below]`: findings at or above the fail level; no findings;
/// findings below the fail level only. A run that could not read a lockfile fails
/// whatever it found, and says so.
pub(super) fn headline(outcome: &Outcome, [failing, clean, below]: [&str; 3]) -> String {
    let verdict = if !outcome.complete {
        "🛑 failed: a lockfile could not be read"
    } else if outcome.failing() > 0 {
        failing
    } else if outcome.findings.is_empty() {
        clean
    } else {
        below
    };
    format!(
        "## lockgate: {verdict}
"
    )
}

fn badge(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "🛑 critical",
        Severity::Error => "❌ error",
        Severity::Warning => "⚠️ warning",
        Severity::Note => "ℹ️ note",
    }
}

/// A fence of backticks longer than any run of backticks in `text`.
fn fence_for(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

/// Render the report of `lockgate check --format markdown`.
///
/// `snippet` is the output of `lockgate allowlist suggest` for the same paths, if
/// there is anything to suggest.
pub fn findings(outcome: &Outcome, snippet: Option<&str>, paths: &Paths) -> String {
    let mut out = String::new();
    let failing = outcome.failing();
    let _ = writeln!(
        out,
        "{}",
        headline(
            outcome,
            [
                "❌ failed",
                "✅ passed",
                "✅ passed with findings below the fail level",
            ],
        )
    );
    let _ = writeln!(out, "{}\n", escape(&human::summary_line(outcome)));
    let fail_on = outcome.fail_on.map(Severity::as_str).unwrap_or("never");
    let _ = writeln!(
        out,
        "| critical | error | warning | note | failing (fail on: {fail_on}) |"
    );
    let _ = writeln!(out, "|---:|---:|---:|---:|---:|");
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} |\n",
        outcome.count(Severity::Critical),
        outcome.count(Severity::Error),
        outcome.count(Severity::Warning),
        outcome.count(Severity::Note),
        failing
    );
    if !outcome.findings.is_empty() {
        let _ = writeln!(out, "### Findings\n");
        let _ = writeln!(
            out,
            "| severity | finding | package | where | what | next step |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|");
        for f in outcome.findings.iter().take(MAX_ROWS) {
            let package = match (&f.ecosystem, &f.name, &f.version) {
                (Some(e), Some(n), Some(v)) => format!("{e} {} {}", code(n), escape(v)),
                (Some(e), Some(n), None) => format!("{e} {}", code(n)),
                (None, Some(n), _) => code(n),
                _ => String::new(),
            };
            let at = match f.line {
                Some(l) => format!("{}:{l}", paths.display(&f.lockfile)),
                None => paths.display(&f.lockfile),
            };
            let mut what = escape(&f.message);
            if f.path.len() > 1 {
                let _ = write!(what, "<br>via {}", escape(&f.path.join(" > ")));
            }
            let _ = writeln!(
                out,
                "| {} | {} | {package} | {} | {what} | {} |",
                badge(f.severity),
                code(f.id.as_str()),
                code(&at),
                escape(&f.help)
            );
        }
        if outcome.findings.len() > MAX_ROWS {
            let _ = writeln!(
                out,
                "\n…and {} more findings (see the SARIF file or `lockgate check` output).",
                outcome.findings.len() - MAX_ROWS
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "**{}**\n", escape(&human::next_step(outcome)));
    if let Some(snippet) = snippet.filter(|s| !s.trim().is_empty()) {
        let fixable = outcome
            .findings
            .iter()
            .all(|f| matches!(f.id, FindingId::Unlisted | FindingId::VersionNotAllowed));
        let _ = writeln!(
            out,
            "### Allowlist entries that would make this check pass\n"
        );
        if fixable {
            let _ = writeln!(
                out,
                "If these packages are wanted, send this snippet (the output of `lockgate allowlist suggest`) to the security team. The hashes come from the lockfiles and are not verified: review each package first.\n"
            );
        } else {
            let _ = writeln!(
                out,
                "This snippet (the output of `lockgate allowlist suggest`) covers the `unlisted` and `version-not-allowed` findings only; the others need a change to the lockfile or the policy. The hashes come from the lockfiles and are not verified.\n"
            );
        }
        if snippet.contains("# FLAGGED ") {
            let _ = writeln!(
                out,
                "**⚠️ Some entries are FLAGGED (typosquat, hallucination, malware or deny rule): see the `# FLAGGED` lines. `lockgate allowlist suggest --write` does not apply them without `--force --reason`.**\n"
            );
        }
        let mut text = super::escape::toml_safe(snippet).into_owned();
        if text.len() > MAX_SNIPPET {
            let mut cut = MAX_SNIPPET;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let cut = text[..cut].rfind('\n').map(|i| i + 1).unwrap_or(0);
            text.truncate(cut);
            text.push_str("# … cut: run `lockgate allowlist suggest` for the whole snippet\n");
        }
        if !text.ends_with('\n') {
            text.push('\n');
        }
        let fence = fence_for(&text);
        let _ = writeln!(out, "<details open><summary>allowlist snippet</summary>\n");
        let _ = write!(out, "{fence}toml\n{text}{fence}\n\n</details>\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_the_table() {
        use crate::test_support::assert_maps;
        assert_maps(
            escape,
            &[
                ("a|b<c>\n*d*", "a&#124;b&lt;c&gt;<br>\\*d\\*"),
                ("run `a|b <c>` now", "run `a\\|b <c>` now"),
                ("odd ` tick", "odd &#96; tick"),
                ("a\u{202e}b\nc", "a\\\\u{202e}b<br>c"),
            ],
        );
        assert_maps(
            code,
            &[
                ("x|`y`", "<code>x&#124;&#96;y&#96;</code>"),
                (
                    "[a](http://e)",
                    "<code>&#91;a&#93;&#40;http://e&#41;</code>",
                ),
                (
                    "evil\u{1b}[2K\rleft-pad",
                    "<code>evil&#92;u{1b}&#91;2K&#92;u{d}left-pad</code>",
                ),
            ],
        );
        assert_maps(fence_for, &[("a ```` b", "`````"), ("plain", "```")]);
    }
}
