//! The encoding pip reads a requirements file in (`auto_decode`), and the refusal
//! of every file pip would not read as UTF-8.

/// What to do about a requirements file pip would not decode as UTF-8.
pub const ENCODING_HINT: &str = "save the file as UTF-8 without a byte order mark other than UTF-8's, and remove the `# -*- coding: ... -*-` line (or declare `utf-8`): pip decodes a requirements file by that declaration, so it would read other lines than lockgate";

/// Refuse a requirements file that pip would not decode as UTF-8.
///
/// pip (`pip._internal.utils.encoding.auto_decode`) decodes a requirements file by
/// its byte order mark (UTF-8, UTF-16, UTF-32), else by a PEP 263 declaration: the
/// first match of `coding[:=]\s*([-\w.]+)` on line 1 or 2 when that line starts
/// with `#`, else by the locale. A file is accepted when pip would read it as
/// UTF-8: a UTF-8 byte order mark (which wins over any declaration), or no
/// declaration, or one naming UTF-8 under a name Python maps to its UTF-8 codec.
/// Anything else (e.g. `# -*- coding: utf-7 -*-`, where `+AAo-` is a line break to
/// pip) is an error with the 1-based line of the declaration.
pub fn check_encoding(bytes: &[u8]) -> Result<(), (usize, String)> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return Ok(());
    }
    for (bom, name) in [
        (&b"\x00\x00\xFE\xFF"[..], "UTF-32"),
        (&b"\xFF\xFE\x00\x00"[..], "UTF-32"),
        (&b"\xFE\xFF"[..], "UTF-16"),
        (&b"\xFF\xFE"[..], "UTF-16"),
    ] {
        if bytes.starts_with(bom) {
            return Err((
                1,
                format!(
                    "starts with a {name} byte order mark: pip decodes it as {name}, lockgate reads only UTF-8"
                ),
            ));
        }
    }
    for (i, line) in bytes.split(|&b| b == b'\n').take(2).enumerate() {
        if line.first() != Some(&b'#') {
            continue;
        }
        let Some(name) = coding_declaration(line) else {
            continue;
        };
        let shown = String::from_utf8_lossy(name);
        if is_utf8_codec(&shown) {
            return Ok(());
        }
        return Err((
            i + 1,
            format!(
                "declares the encoding `{shown}`, which pip uses to decode the file; lockgate reads only UTF-8"
            ),
        ));
    }
    Ok(())
}

/// The name in the first `coding[:=]\s*([-\w.]+)` match of `line`, as Python's
/// `re` finds it on bytes (`\s` and `\w` are ASCII-only there).
pub(super) fn coding_declaration(line: &[u8]) -> Option<&[u8]> {
    let mut from = 0;
    while let Some(at) = line[from..].windows(6).position(|w| w == b"coding") {
        let mut i = from + at + 6;
        if matches!(line.get(i), Some(b':' | b'=')) {
            i += 1;
            while line
                .get(i)
                .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
            {
                i += 1;
            }
            let start = i;
            while line
                .get(i)
                .is_some_and(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
            {
                i += 1;
            }
            if i > start {
                return Some(&line[start..i]);
            }
        }
        from += at + 1;
    }
    None
}

/// Does Python's codec lookup map `name` to UTF-8 (`utf_8` or `utf_8_sig`, which
/// decodes a file without a byte order mark the same way)? Names are normalised as
/// `encodings.normalize_encoding` does: lower case, runs of other characters than
/// letters, digits and `.` become one `_`, none at either end.
pub(super) fn is_utf8_codec(name: &str) -> bool {
    let mut norm = String::new();
    let mut punct = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            if punct && !norm.is_empty() {
                norm.push('_');
            }
            norm.push(c.to_ascii_lowercase());
            punct = false;
        } else {
            punct = true;
        }
    }
    matches!(
        norm.as_str(),
        "utf_8" | "utf8" | "u8" | "utf" | "utf8_ucs2" | "utf8_ucs4" | "cp65001" | "utf_8_sig"
    )
}
