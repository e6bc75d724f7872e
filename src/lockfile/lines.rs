//! Line numbers for lockfile entries.
//!
//! Most parsers deserialize with serde, which does not keep positions. These helpers
//! find where each entry starts in the text, so that every package carries the line
//! that CI annotations point at.

/// Maps byte offsets to 1-based line numbers.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Index the line starts of `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut starts = Vec::with_capacity(text.len() / 40 + 1);
        starts.push(0);
        each_newline(text.as_bytes(), |i| starts.push(i + 1));
        LineIndex { starts }
    }

    /// Deserialize the TOML document `text` (indexed by `self`); a syntax or shape
    /// error is a [`super::ParseError`] at its line, its message after `what`
    /// (`"is not a valid uv.lock"`). Reads through [`super::toml_subset`] when the text
    /// is in its subset, else (and on any error) through `toml::from_str`.
    pub(crate) fn toml<T: serde::de::DeserializeOwned>(
        &self,
        ctx: &super::Context<'_>,
        text: &str,
        what: &str,
    ) -> Result<T, super::ParseError> {
        // the fast path for the TOML the tools write; anything else (and every error)
        // is the `toml` crate's
        if let Some(v) = super::toml_subset::from_str(text) {
            return Ok(v);
        }
        toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| self.line(s.start));
            ctx.error(line, format!("{what}: {}", e.message()))
        })
    }

    /// A top-level `version = N` (Cargo.lock, uv.lock): the integer and its line, or
    /// an error at its line when it is not an integer.
    pub(crate) fn integer_version(
        &self,
        ctx: &super::Context<'_>,
        v: &toml::Spanned<toml::Value>,
    ) -> Result<(i64, usize), super::ParseError> {
        let line = self.line(v.span().start);
        match v.get_ref() {
            toml::Value::Integer(n) => Ok((*n, line)),
            other => Err(ctx.error(
                Some(line),
                format!("`version` must be an integer, found {}", other.type_str()),
            )),
        }
    }

    /// The 1-based line that contains byte `offset`.
    pub fn line(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    /// Number of lines.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// True for empty text.
    pub fn is_empty(&self) -> bool {
        self.starts.len() <= 1
    }
}

/// Call `f` with the offset of each `\n` byte of `bytes`, in order (memchr's
/// vector search: a lockfile's lines are tens of bytes long).
fn each_newline(bytes: &[u8], f: impl FnMut(usize)) {
    memchr::memchr_iter(b'\n', bytes).for_each(f);
}

/// The offsets of the `\n` bytes of `bytes`, in order.
#[cfg(test)]
fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> {
    let mut out = Vec::new();
    each_newline(bytes, |i| out.push(i));
    out.into_iter()
}

/// The 1-based line of each line of `text` that, once trimmed of trailing white space
/// (including `\r`), equals `header` exactly (e.g. `[[package]]`), in order.
pub fn header_lines(text: &str, header: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| (l.trim_end() == header).then_some(i + 1))
        .collect()
}

/// The first line of a `toml_edit` syntax error's message (the rest quotes the
/// file).
pub fn toml_edit_message(err: &toml_edit::TomlError) -> &str {
    err.message().lines().next().unwrap_or("invalid TOML")
}

/// The 1-based line and column (0-based, in bytes) of a serde_json error position.
pub fn json_error_line(err: &serde_json::Error) -> Option<usize> {
    (err.line() > 0).then_some(err.line())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_to_lines() {
        let idx = LineIndex::new("ab\ncd\n\nef");
        assert_eq!(idx.line(0), 1);
        assert_eq!(idx.line(2), 1);
        assert_eq!(idx.line(3), 2);
        assert_eq!(idx.line(6), 3);
        assert_eq!(idx.line(7), 4);
        assert_eq!(idx.len(), 4);
    }

    #[test]
    fn newlines_are_found_in_every_position_of_a_word() {
        for len in 0..40 {
            for nl in [
                &[][..],
                &[0][..],
                &[7, 8, 9][..],
                &[1, 2, 3, 4, 5, 6, 15, 16, 31][..],
            ] {
                let text: String = (0..len)
                    .map(|i| if nl.contains(&i) { '\n' } else { 'x' })
                    .collect();
                let want: Vec<usize> = nl.iter().copied().filter(|&i| i < len).collect();
                let got: Vec<usize> = memchr_newlines(text.as_bytes()).collect();
                assert_eq!(got, want, "len {len}");
            }
        }
    }

    #[test]
    fn headers_are_found_with_crlf() {
        let t = "version = 3\r\n\r\n[[package]]\r\nname = \"a\"\r\n[[package]]\r\n";
        assert_eq!(header_lines(t, "[[package]]"), vec![3, 5]);
    }
}
