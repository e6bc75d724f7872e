//! What to do about an error: the `help` every library error carries.
//!
//! Every error type of the library implements [`Hint`]: its `Display` says what is
//! wrong and where (`file:line: message`), [`Hint::hints`] says what fixes it (the
//! exact command or edit). The command line prints both the same way for every
//! command: `error: <message>`, then one `  help: <text>` line per hint. The word is
//! `help` everywhere a user reads it: these lines, each finding's `help` and the JSON.
//!
//! This module is at the bottom of the crate: it imports nothing from it, and each
//! error type implements the trait where it is defined.

/// An error that says how to fix it.
pub trait Hint: std::error::Error {
    /// The fixes, most useful first, one sentence each; empty when there is nothing
    /// better to say than the message.
    fn hints(&self) -> Vec<String>;
}

/// The lines the command line prints for an error: `error: <message>`, then
/// `  help: <hint>` for each hint, each ending in a newline. `message` and `hints`
/// must already be safe to print (escaped by the caller).
pub fn render(message: &str, hints: &[String]) -> String {
    let mut out = format!("error: {message}\n");
    for h in hints.iter().filter(|h| !h.is_empty()) {
        out.push_str("  help: ");
        out.push_str(h);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_one_help_line_per_non_empty_hint() {
        assert_eq!(render("x.lock:3: bad", &[]), "error: x.lock:3: bad\n");
        assert_eq!(
            render("bad", &["do a".into(), String::new(), "do b".into()]),
            "error: bad\n  help: do a\n  help: do b\n"
        );
    }
}
