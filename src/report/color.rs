//! Colour for the human format. The human renderer writes plain text; this module
//! adds ANSI styles to a rendered report, line by line, recognising the shapes that
//! `human::findings` writes (a severity word at the start of a finding line, the
//! closing `ok:` / `FAILED` line, lockfile headers). A line it does not recognise
//! stays plain, so a change in the layout can lose colour but never text.
//!
//! Whether to colour at all is the caller's decision (only on a terminal, never
//! with `NO_COLOR`); see [`ColorChoice::resolve`].

use anstyle::{AnsiColor, Style};

/// When to colour the human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set (or `TERM=dumb`).
    #[default]
    Auto,
    /// Always, unless `NO_COLOR` is set.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Decide: `NO_COLOR` (set and not empty) always wins, then the choice, then
    /// whether stdout is a terminal (and `TERM` is not `dumb`); `CLICOLOR_FORCE`
    /// forces colour in `Auto` mode.
    pub fn resolve(
        self,
        no_color: Option<&str>,
        is_terminal: bool,
        term: Option<&str>,
        force: Option<&str>,
    ) -> bool {
        if no_color.is_some_and(|v| !v.is_empty()) {
            return false;
        }
        match self {
            ColorChoice::Never => false,
            ColorChoice::Always => true,
            ColorChoice::Auto => {
                if force.is_some_and(|v| !v.is_empty() && v != "0") {
                    return true;
                }
                is_terminal && term != Some("dumb")
            }
        }
    }
}

fn style_for(word: &str) -> Option<Style> {
    let s = Style::new();
    Some(match word {
        "critical" => s.fg_color(Some(AnsiColor::Red.into())).bold().invert(),
        "error" => s.fg_color(Some(AnsiColor::Red.into())).bold(),
        "warning" => s.fg_color(Some(AnsiColor::Yellow.into())).bold(),
        "note" => s.fg_color(Some(AnsiColor::Cyan.into())),
        _ => return None,
    })
}

fn paint(out: &mut String, style: Style, text: &str) {
    out.push_str(&style.render().to_string());
    out.push_str(text);
    out.push_str(&style.render_reset().to_string());
}

/// Add ANSI colour to a report rendered by `human::findings`.
pub fn paint_findings(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for line in text.split_inclusive('\n') {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        if let Some(rest) = body.strip_prefix("  ")
            && let Some(word) = rest.split(' ').next()
            && let Some(style) = style_for(word)
        {
            out.push_str("  ");
            paint(&mut out, style, word);
            let after = &rest[word.len()..];
            // The id follows the padded severity: dim it a little less than the text.
            let trimmed = after.trim_start();
            let pad = &after[..after.len() - trimmed.len()];
            out.push_str(pad);
            let id_end = trimmed.find(' ').unwrap_or(trimmed.len());
            paint(&mut out, Style::new().bold(), &trimmed[..id_end]);
            out.push_str(&trimmed[id_end..]);
        } else if body.starts_with("FAILED") {
            paint(
                &mut out,
                Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
                body,
            );
        } else if body.starts_with("ok:") {
            paint(
                &mut out,
                Style::new().fg_color(Some(AnsiColor::Green.into())).bold(),
                body,
            );
        } else if !body.is_empty() && !body.starts_with(' ') && !body.contains(" finding") {
            paint(&mut out, Style::new().underline(), body);
        } else {
            out.push_str(body);
        }
        out.push_str(nl);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_wins() {
        assert!(!ColorChoice::Always.resolve(Some("1"), true, None, None));
        assert!(!ColorChoice::Auto.resolve(Some("1"), true, None, Some("1")));
        assert!(ColorChoice::Auto.resolve(Some(""), true, None, None));
        assert!(!ColorChoice::Auto.resolve(None, false, None, None));
        assert!(!ColorChoice::Auto.resolve(None, true, Some("dumb"), None));
        assert!(ColorChoice::Always.resolve(None, false, None, None));
        assert!(!ColorChoice::Never.resolve(None, true, None, Some("1")));
    }

    #[test]
    fn painting_keeps_the_text() {
        let text = "a/Cargo.lock\n  error    unlisted             x 1  (a/Cargo.lock:3)\n           msg\n\n1 finding\nFAILED (1). Next: x\n";
        let painted = paint_findings(text);
        assert!(painted.contains("\x1b["));
        let stripped: String = anstream::adapter::strip_str(&painted).to_string();
        assert_eq!(stripped, text);
    }
}
