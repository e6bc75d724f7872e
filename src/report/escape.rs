//! Escaping of untrusted text for display. Package names, versions, URLs and
//! paths come from files an attacker may write; printed raw, an ESC sequence can
//! rewrite a terminal line (`evil\x1b[2K\rleft-pad` shows as `left-pad`), a bidi
//! override can reorder what a reviewer reads, and a zero-width character can make
//! two different names look the same. Every output format passes such text
//! through [`display_safe`] (one line) or [`display_safe_text`] (several lines)
//! before any format-specific escaping.
//!
//! Replaced, each by `\u{XX}` (its code point in hexadecimal):
//!
//! - C0 controls (U+0000–U+001F, including ESC, CR, LF and TAB), DEL (U+007F) and
//!   C1 controls (U+0080–U+009F);
//! - the bidirectional marks, embeddings, overrides and isolates: U+061C,
//!   U+200E, U+200F, U+202A–U+202E, U+2066–U+2069;
//! - invisible and line-breaking characters: U+00AD (soft hyphen), U+200B–U+200D
//!   (zero-width space and joiners), U+2028, U+2029 (line and paragraph
//!   separators), U+2060–U+2064 (word joiner and invisible operators), U+FEFF
//!   (zero-width no-break space).
//!
//! A backslash is kept as it is: `\u{1b}` in the output may also have been typed
//! literally, but either way it is text, never an escape sequence.

use std::borrow::Cow;

/// Is `c` a character that must not reach a terminal, log or rendered report as
/// it is (see the module documentation for the list)?
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// True when `s` is printable ASCII only: nothing to escape (the common case, checked
/// a byte at a time before any `char` is decoded).
fn plain_ascii(s: &str) -> bool {
    s.bytes().all(|b| (0x20..0x7f).contains(&b))
}

fn escape_with(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if plain_ascii(s) || !s.chars().any(|c| is_unsafe(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) && !keep(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One line of untrusted text made safe to display: every unsafe character,
/// line breaks included, is written as `\u{XX}`.
pub fn display_safe(s: &str) -> Cow<'_, str> {
    escape_with(s, |_| false)
}

/// Text of several lines made safe to display: like [`display_safe`], except that
/// `\n` is kept (use it for whole messages the program composed, never for a
/// single field).
pub fn display_safe_text(s: &str) -> Cow<'_, str> {
    escape_with(s, |c| c == '\n')
}

/// TOML text (an allowlist snippet) made safe to display without changing what
/// it means: every unsafe character but `\n` is written as a TOML escape
/// (`\u202E`), which is what it means inside the quoted keys and strings where a
/// name can put it. (In a comment the escape is shown as text.)
pub fn toml_safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| is_unsafe(c) && c != '\n') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) && c != '\n' {
            out.push_str(&format!("\\u{:04X}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Serialized JSON made safe to display without changing its value: every unsafe
/// character serde leaves as it is (bidi, zero-width, C1 …; serde already escapes
/// C0) is written as a `\uXXXX` escape. Such characters only occur inside
/// strings, where the escape means the same character.
pub fn json_safe(s: String) -> String {
    // serde_json escapes every C0 character inside strings, so a document whose bytes
    // are all below DEL has only its own new lines and nothing else to escape.
    if (s.is_ascii() && !s.as_bytes().contains(&0x7f))
        || !s.chars().any(|c| is_unsafe(c) && c != '\n')
    {
        return s;
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) && c != '\n' {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A path made safe to display (see [`display_safe`]).
pub fn path(p: &std::path::Path) -> String {
    display_safe(&p.display().to_string()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_are_escaped() {
        assert_eq!(
            display_safe("evil\u{1b}[2K\rleft-pad"),
            "evil\\u{1b}[2K\\u{d}left-pad"
        );
        assert_eq!(
            display_safe("a\u{202E}dap-tfel\u{202C}"),
            "a\\u{202e}dap-tfel\\u{202c}"
        );
        for c in [
            '\0', '\t', '\n', '\u{7f}', '\u{85}', '\u{9b}', '\u{200b}', '\u{200f}', '\u{2028}',
            '\u{2029}', '\u{2066}', '\u{2069}', '\u{feff}', '\u{61c}', '\u{ad}',
        ] {
            let s = c.to_string();
            assert!(display_safe(&s).starts_with("\\u{"), "{:x}", c as u32);
        }
    }

    #[test]
    fn ordinary_text_is_borrowed_unchanged() {
        for s in [
            "left-pad",
            "@scope/pkg",
            "Django_REST 1.0.post1",
            "naïve …",
            "日本",
        ] {
            assert!(matches!(display_safe(s), Cow::Borrowed(x) if x == s));
        }
    }

    #[test]
    fn toml_snippets_keep_their_meaning() {
        let snippet = "[npm.\"left-pad\u{202e}x\"]\nversions.\"1.0.0\" = \"sha512:00\"\n";
        let safe = toml_safe(snippet);
        assert_eq!(
            safe,
            "[npm.\"left-pad\\u202Ex\"]\nversions.\"1.0.0\" = \"sha512:00\"\n"
        );
        let a: toml::Table = toml::from_str(snippet).unwrap();
        let b: toml::Table = toml::from_str(&safe).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn json_keeps_its_value() {
        let v = serde_json::json!({"name": "a\u{202e}b\u{85}\u{1b}"});
        let text = json_safe(serde_json::to_string_pretty(&v).unwrap());
        assert!(!text.chars().any(|c| c != '\n' && is_unsafe(c)), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn text_keeps_line_breaks_only() {
        assert_eq!(display_safe_text("a\nb\r\x1b"), "a\nb\\u{d}\\u{1b}");
    }
}
