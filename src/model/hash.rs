//! Artifact hashes as lockgate stores them: `<algorithm>:<lowercase hex>`.
//!
//! Lockfiles write digests in several encodings: Subresource Integrity strings
//! (`sha512-<base64>`, npm, pnpm, bun, yarn), plain hex (`Cargo.lock`), and
//! `sha256:<hex>` (pip, poetry, uv, pdm). Every one is turned into a [`Hash`] whose
//! algorithm is lowercase and whose value is lowercase hex, so that hashes from any
//! lockfile compare with the allowlist's pins byte for byte.
//!
//! A checksum that is not a digest of the registry artifact (Yarn berry's
//! `10c0/<hex>`, a digest of Yarn's own zip archive) keeps its own algorithm name
//! ([`YARN_BERRY`]) and its value as written, so it can never be mistaken for one.

use base64::Engine as _;
use serde::{Serialize, Serializer};
use std::fmt;
use std::sync::Arc;

/// Algorithm name for Yarn berry's `checksum` field (not a registry digest).
pub const YARN_BERRY: &str = "yarn-berry";

/// A digest of an artifact, canonical form `<algorithm>:<value>`.
///
/// Small and cheap to clone (24 bytes, no allocation per clone): the algorithm is
/// one byte and the value is shared, so a package's hashes and its artifacts'
/// hashes hold one copy of each digest. A digest is kept as its bytes (32 for
/// sha256, 64 for sha512) in one allocation; its hex is made when it is printed or
/// compared with a string.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hash {
    /// Lowercase algorithm name: `sha1`, `sha256`, `sha384`, `sha512`, `md5`, or [`YARN_BERRY`].
    pub algorithm: Algorithm,
    /// Lowercase hex for digests; the raw checksum for [`YARN_BERRY`].
    pub value: HashValue,
}

/// A hash algorithm lockgate knows, read and compared as its lowercase name
/// (it dereferences to `str`, and orders as its name does: the variants are
/// declared in the order of their names).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Algorithm {
    /// `md5`
    Md5,
    /// `sha1`
    Sha1,
    /// `sha256`
    Sha256,
    /// `sha384`
    Sha384,
    /// `sha512`
    Sha512,
    /// [`YARN_BERRY`]: Yarn berry's own archive checksum, not a registry digest.
    YarnBerry,
}

impl Algorithm {
    /// The algorithm of a lowercase name (`sha256`, …, [`YARN_BERRY`]).
    pub fn parse(name: &str) -> Option<Algorithm> {
        Some(match name {
            "md5" => Algorithm::Md5,
            "sha1" => Algorithm::Sha1,
            "sha256" => Algorithm::Sha256,
            "sha384" => Algorithm::Sha384,
            "sha512" => Algorithm::Sha512,
            YARN_BERRY => Algorithm::YarnBerry,
            _ => return None,
        })
    }

    /// The algorithm of a name in any case (`SHA256`), without allocating.
    fn parse_any_case(name: &str) -> Option<Algorithm> {
        let mut buf = [0u8; 10];
        let lower = buf.get_mut(..name.len())?;
        lower.copy_from_slice(name.as_bytes());
        lower.make_ascii_lowercase();
        Algorithm::parse(std::str::from_utf8(lower).ok()?)
    }

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Md5 => "md5",
            Algorithm::Sha1 => "sha1",
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha384 => "sha384",
            Algorithm::Sha512 => "sha512",
            Algorithm::YarnBerry => YARN_BERRY,
        }
    }

    /// The digest length in bytes (`None` for [`YARN_BERRY`]).
    pub fn digest_len(self) -> Option<usize> {
        digest_len(self.as_str())
    }
}

impl std::ops::Deref for Algorithm {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for Algorithm {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Algorithm {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Debug for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The value of a [`Hash`]: a digest (read, compared with strings and printed as
/// lowercase hex) or a Yarn berry checksum as written; one allocation shared
/// between clones.
///
/// A digest of a known algorithm's length (16, 20, 32, 48 or 64 bytes) is its bytes
/// alone (an sha512 is 16 + 64 bytes with the counts: one 80-byte block, not 96 as
/// with a tag byte; issue 13). Anything else (a checksum's text, a digest of another
/// length) is a tag byte (`DIGEST` or `TEXT`) and then its bytes, with one `0xFF`
/// after them when that length would be a digest's (text never has an `0xFF`
/// byte; a tagged digest is never of a digest's length). Values of one algorithm are
/// all digests or all text, and hex of equal length orders as its bytes do, so
/// values order as their strings did when they were stored as hex (digests first).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct HashValue(Arc<[u8]>);

/// Tag of a [`HashValue`] holding a digest of another length than the known ones.
const DIGEST: u8 = 0;
/// Tag of a [`HashValue`] holding text (a Yarn berry checksum).
const TEXT: u8 = 1;
/// The byte after a tagged value whose length would otherwise be a digest's.
const PAD: u8 = 0xFF;

/// True for the length of a known algorithm's digest (kept without a tag).
fn digest_length(n: usize) -> bool {
    matches!(n, 16 | 20 | 32 | 48 | 64)
}

impl HashValue {
    /// A digest's bytes, in one allocation.
    fn digest(bytes: &[u8]) -> HashValue {
        if digest_length(bytes.len()) {
            return HashValue(Arc::from(bytes));
        }
        HashValue::tagged(DIGEST, bytes)
    }

    /// A value kept as written.
    fn text(s: &str) -> HashValue {
        HashValue::tagged(TEXT, s.as_bytes())
    }

    fn tagged(tag: u8, bytes: &[u8]) -> HashValue {
        let pad = digest_length(bytes.len() + 1);
        let mut v = Vec::with_capacity(bytes.len() + 1 + usize::from(pad));
        v.push(tag);
        v.extend_from_slice(bytes);
        if pad {
            v.push(PAD);
        }
        HashValue(Arc::from(v))
    }

    /// The tag and the bytes after it; `None` for an untagged digest.
    fn parts(&self) -> Option<(u8, &[u8])> {
        let all = &self.0[..];
        if digest_length(all.len()) {
            return None;
        }
        let (&tag, rest) = all.split_first()?;
        let rest = match rest.split_last() {
            Some((&PAD, body)) if digest_length(rest.len()) => body,
            _ => rest,
        };
        Some((tag, rest))
    }

    /// True for a digest (printed as hex), false for a checksum kept as written.
    pub fn is_digest(&self) -> bool {
        self.parts().is_none_or(|(tag, _)| tag == DIGEST)
    }

    /// The digest's bytes, or the checksum's text as bytes.
    pub fn bytes(&self) -> &[u8] {
        match self.parts() {
            None => &self.0,
            Some((_, bytes)) => bytes,
        }
    }

    /// The length of the value as a string (twice the digest length for a digest).
    pub fn len(&self) -> usize {
        if self.is_digest() {
            self.bytes().len() * 2
        } else {
            self.bytes().len()
        }
    }

    /// True when the value is empty.
    pub fn is_empty(&self) -> bool {
        self.bytes().is_empty()
    }

    /// The value as a string: lowercase hex for a digest.
    pub fn as_string(&self) -> String {
        self.to_string()
    }

    /// Does the value read as `s` (lowercase hex for a digest, byte for byte)?
    fn reads_as(&self, s: &str) -> bool {
        if !self.is_digest() {
            return self.bytes() == s.as_bytes();
        }
        let b = self.bytes();
        s.len() == b.len() * 2
            && b.iter()
                .zip(s.as_bytes().chunks_exact(2))
                .all(|(byte, pair)| hex_pair(*byte) == [pair[0], pair[1]])
    }

    /// Write the value as a string.
    fn write(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.is_digest() {
            return f.write_str(std::str::from_utf8(self.bytes()).unwrap_or(""));
        }
        let mut buf = [0u8; 128];
        for (byte, out) in self.bytes().iter().zip(buf.chunks_exact_mut(2)) {
            out.copy_from_slice(&hex_pair(*byte));
        }
        let n = (self.bytes().len() * 2).min(buf.len());
        f.write_str(std::str::from_utf8(&buf[..n]).unwrap_or(""))
    }
}

impl Ord for HashValue {
    /// Digests first, then by bytes (as the tagged form of every value ordered).
    fn cmp(&self, other: &HashValue) -> std::cmp::Ordering {
        let (a, b) = (&self.0[..], &other.0[..]);
        // Two untagged digests (the common case): their bytes, the first eight
        // compared as one number before the rest (digests almost always differ there).
        if digest_length(a.len()) && digest_length(b.len()) {
            if let (Some(ha), Some(hb)) = (a.first_chunk::<8>(), b.first_chunk::<8>()) {
                let (ha, hb) = (u64::from_be_bytes(*ha), u64::from_be_bytes(*hb));
                if ha != hb {
                    return ha.cmp(&hb);
                }
            }
            return a.cmp(b);
        }
        (!self.is_digest(), self.bytes()).cmp(&(!other.is_digest(), other.bytes()))
    }
}

impl PartialOrd for HashValue {
    fn partial_cmp(&self, other: &HashValue) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// The two lowercase hex digits of a byte.
fn hex_pair(b: u8) -> [u8; 2] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    [DIGITS[(b >> 4) as usize], DIGITS[(b & 15) as usize]]
}

impl PartialEq<str> for HashValue {
    fn eq(&self, other: &str) -> bool {
        self.reads_as(other)
    }
}

impl PartialEq<&str> for HashValue {
    fn eq(&self, other: &&str) -> bool {
        self.reads_as(other)
    }
}

impl PartialEq<String> for HashValue {
    fn eq(&self, other: &String) -> bool {
        self.reads_as(other)
    }
}

impl fmt::Debug for HashValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_digest() {
            f.write_str("\"")?;
            self.write(f)?;
            f.write_str("\"")
        } else {
            fmt::Debug::fmt(std::str::from_utf8(self.bytes()).unwrap_or(""), f)
        }
    }
}

impl fmt::Display for HashValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f)
    }
}

/// Why a hash string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashError {
    /// The string is not `alg-base64` (SRI) or `alg:hex`.
    #[error("`{0}` is not a hash: expected `sha512-<base64>` or `sha256:<hex>`")]
    Shape(String),
    /// The algorithm is not one lockgate knows.
    #[error("unknown hash algorithm `{0}` (known: sha1, sha256, sha384, sha512, md5)")]
    Algorithm(String),
    /// The base64 or hex payload is malformed or has the wrong length for its algorithm.
    #[error("malformed {algorithm} digest `{value}`: {why}")]
    Payload {
        /// The algorithm named in the string.
        algorithm: String,
        /// The offending payload.
        value: String,
        /// What is wrong with it.
        why: String,
    },
}

/// The digest length in bytes of a known algorithm.
pub fn digest_len(algorithm: &str) -> Option<usize> {
    match algorithm {
        "md5" => Some(16),
        "sha1" => Some(20),
        "sha256" => Some(32),
        "sha384" => Some(48),
        "sha512" => Some(64),
        _ => None,
    }
}

impl Hash {
    /// A hash from an algorithm and a hex digest; the hex is checked and lowercased.
    pub fn from_hex(algorithm: &str, hex: &str) -> Result<Hash, HashError> {
        let name = algorithm.trim();
        let alg = Algorithm::parse_any_case(name)
            .filter(|a| *a != Algorithm::YarnBerry)
            .ok_or_else(|| HashError::Algorithm(name.to_ascii_lowercase()))?;
        let len = alg.digest_len().unwrap_or(0);
        let hex = hex.trim();
        let mut buf = [0u8; 64];
        if hex.len() != len * 2 || !decode_hex(hex.as_bytes(), &mut buf) {
            return Err(HashError::Payload {
                value: hex.to_string(),
                why: format!("expected {} hex digits", len * 2),
                algorithm: alg.as_str().to_string(),
            });
        }
        Ok(Hash::from_digest(alg, &buf[..len]))
    }

    /// A hash from a digest's bytes (as a hasher returns them).
    pub fn from_digest(algorithm: Algorithm, bytes: &[u8]) -> Hash {
        Hash {
            algorithm,
            value: HashValue::digest(bytes),
        }
    }

    /// A hash from one Subresource Integrity token, e.g. `sha512-<base64>`.
    ///
    /// Read the way ssri (npm's integrity library) reads a token, but stricter: the
    /// algorithm must be lowercase and one lockgate knows, the digest canonical
    /// base64 of the algorithm's length, and the options after `?` (which ssri
    /// ignores) printable ASCII. Anything else is an error, never a dropped token.
    pub fn from_sri(token: &str) -> Result<Hash, HashError> {
        let token = token.trim_matches(is_js_space);
        // (a byte test first: the characters are looked at only to word the error)
        if !printable(token)
            && let Some(c) = token.chars().find(|c| !matches!(c, '\x21'..='\x7e'))
        {
            return Err(HashError::Shape(format!(
                "{} (contains {})",
                token.escape_debug(),
                c.escape_unicode()
            )));
        }
        Hash::from_printable_sri(token)
    }

    /// [`Hash::from_sri`] of a token already trimmed and known to be printable ASCII.
    fn from_printable_sri(token: &str) -> Result<Hash, HashError> {
        let (alg, rest) =
            split_at_dash(token).ok_or_else(|| HashError::Shape(token.to_string()))?;
        if alg.is_empty()
            || !alg
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            // ssri ignores such a token (its algorithm must match `[a-z0-9]+`); an
            // installer that reads it differently could verify it, so it is refused.
            return Err(HashError::Shape(token.to_string()));
        }
        let (Some(len), Some(alg)) = (digest_len(alg), Algorithm::parse(alg)) else {
            return Err(HashError::Algorithm(alg.to_string()));
        };
        // ssri: the digest is everything up to the first `?`; options follow.
        let b64 = match memchr::memchr(b'?', rest.as_bytes()) {
            Some(q) => rest.get(..q).unwrap_or(rest),
            None => rest,
        };
        // The common case decodes into the stack; anything else (an error to report)
        // takes the allocating path below, which words the error. (A table-driven
        // decode of our own measured the same as the crate's: see
        // docs/design-changes.md, yamlv9.)
        let mut buf = [0u8; 66];
        if b64.len() <= 88
            && let Ok(n) = base64::engine::general_purpose::STANDARD.decode_slice(b64, &mut buf)
            && n == len
            && let Some(digest) = buf.get(..n)
        {
            return Ok(Hash::from_digest(alg, digest));
        }
        let algorithm = alg.as_str().to_string();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|e| HashError::Payload {
                algorithm: algorithm.clone(),
                value: b64.to_string(),
                why: e.to_string(),
            })?;
        if bytes.len() != len {
            return Err(HashError::Payload {
                algorithm,
                value: b64.to_string(),
                why: format!("decodes to {} bytes, expected {len}", bytes.len()),
            });
        }
        Ok(Hash::from_digest(alg, &bytes))
    }

    /// Every hash in an SRI string, split into tokens exactly as ssri splits them
    /// (JavaScript's `/\s+/`: ASCII white space, U+00A0, U+FEFF and the Unicode
    /// space separators). Every token must parse ([`Hash::from_sri`]): one that
    /// does not is an error, so no digest can hide from lockgate that an installer
    /// would verify.
    pub fn from_sri_list(sri: &str) -> Result<Vec<Hash>, HashError> {
        // The common case, one token: no byte outside printable ASCII means no
        // separator (every JavaScript space is a control byte, a space or non-ASCII),
        // so the whole string is the one token, already trimmed.
        if !sri.is_empty() && printable(sri) {
            return Ok(vec![Hash::from_printable_sri(sri)?]);
        }
        let hashes: Vec<Hash> = sri
            .split(is_js_space)
            .filter(|t| !t.is_empty())
            .map(Hash::from_sri)
            .collect::<Result<_, _>>()?;
        if hashes.is_empty() {
            return Err(HashError::Shape(sri.to_string()));
        }
        Ok(hashes)
    }

    /// A Yarn berry checksum (`10c0/<hex>` or bare hex), kept under [`YARN_BERRY`].
    pub fn yarn_berry(checksum: &str) -> Hash {
        Hash {
            algorithm: Algorithm::YarnBerry,
            // (a checksum is lowercase as yarn writes it: no copy to lowercase it)
            value: match checksum.trim() {
                c if c.bytes().any(|b| b.is_ascii_uppercase()) => {
                    HashValue::text(&c.to_ascii_lowercase())
                }
                c => HashValue::text(c),
            },
        }
    }

    /// Parse the canonical form `<algorithm>:<value>`, or an SRI token.
    ///
    /// This is the form the allowlist and `--hash=` options use.
    pub fn parse(s: &str) -> Result<Hash, HashError> {
        let s = s.trim();
        if let Some((alg, value)) = s.split_once(':') {
            if alg.eq_ignore_ascii_case(YARN_BERRY) {
                if value.is_empty() {
                    return Err(HashError::Shape(s.to_string()));
                }
                return Ok(Hash::yarn_berry(value));
            }
            return Hash::from_hex(alg, value);
        }
        if s.contains('-') {
            return Hash::from_sri(s);
        }
        Err(HashError::Shape(s.to_string()))
    }

    /// The SRI form (`sha512-<base64>`) of a digest, `None` for [`YARN_BERRY`].
    pub fn to_sri(&self) -> Option<String> {
        self.algorithm.digest_len()?;
        if !self.value.is_digest() {
            return None;
        }
        Some(format!(
            "{}-{}",
            self.algorithm,
            base64::engine::general_purpose::STANDARD.encode(self.value.bytes())
        ))
    }

    /// True for digests of the registry artifact (everything but Yarn berry checksums).
    pub fn is_registry_digest(&self) -> bool {
        self.algorithm != YARN_BERRY
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.value)
    }
}

impl Hash {
    /// Append what `Display` writes (`<algorithm>:<lowercase hex>`) when the value is a
    /// digest, without the formatting machinery, and return `true`; append nothing and
    /// return `false` for any other value (a Yarn berry checksum, written as it was
    /// read, which may need escaping where it goes). For writers of many records.
    pub fn push_digest_text(&self, out: &mut Vec<u8>) -> bool {
        if !self.value.is_digest() {
            return false;
        }
        out.extend_from_slice(self.algorithm.as_bytes());
        out.push(b':');
        // (`Display` writes at most 128 hex digits) Made on the stack and appended
        // at once: one capacity check instead of one per byte.
        let mut hex = [0u8; 128];
        let bytes = &self.value.bytes()[..self.value.bytes().len().min(64)];
        for (pair, byte) in hex.chunks_exact_mut(2).zip(bytes) {
            pair.copy_from_slice(&hex_pair(*byte));
        }
        out.extend_from_slice(&hex[..2 * bytes.len()]);
        true
    }
}

impl Serialize for Hash {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// True for the characters JavaScript's `\s` matches (what ssri splits integrity
/// strings on): ASCII tab, line feed, vertical tab, form feed, carriage return and
/// space, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF.
pub fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0b}' | '\u{0c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// The strength rank of an algorithm as npm (ssri) ranks them when it picks the one
/// digest to verify: md5 < sha1 < sha256 < sha384 < sha512. `None` for others.
pub fn strength(algorithm: &str) -> Option<u8> {
    match algorithm {
        "md5" => Some(0),
        "sha1" => Some(1),
        "sha256" => Some(2),
        "sha384" => Some(3),
        "sha512" => Some(4),
        _ => None,
    }
}

/// True when every byte of `s` is printable ASCII (`!` to `~`): no white space, no
/// control character, nothing beyond ASCII.
fn printable(s: &str) -> bool {
    // no early exit: the compiler turns the fold into a vector loop
    s.bytes()
        .fold(true, |ok, b| ok & (b.wrapping_sub(0x21) < 0x7f - 0x21))
}

/// Lowercase hex of bytes.
pub fn to_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let [hi, lo] = hex_pair(*b);
        out.push(char::from(hi));
        out.push(char::from(lo));
    }
    out
}

/// Decode `hex` (an even number of hex digits, either case, at most twice `out`'s
/// length) into the start of `out`; false if a byte is not a hex digit. Every pair
/// is decoded and the table's [`NOT_HEX`] marks are or-ed together and tested once
/// at the end (no branch per digit).
fn decode_hex(hex: &[u8], out: &mut [u8]) -> bool {
    let mut bad = 0u8;
    for (pair, o) in hex.chunks_exact(2).zip(out.iter_mut()) {
        let (hi, lo) = (HEX_VALUE[pair[0] as usize], HEX_VALUE[pair[1] as usize]);
        bad |= hi | lo;
        *o = hi << 4 | lo;
    }
    // (a digit's value is below 16; NOT_HEX has its high bit set)
    bad & 0x80 == 0 && hex.len().is_multiple_of(2) && hex.len() / 2 <= out.len()
}

/// `s.split_once('-')`: the `-` is a few bytes in, so a plain scan (not a char
/// searcher's set-up).
fn split_at_dash(s: &str) -> Option<(&str, &str)> {
    let dash = s.bytes().position(|b| b == b'-')?;
    Some((s.get(..dash)?, s.get(dash + 1..)?))
}

/// The value of one hex digit, either case.
#[cfg(test)]
fn hex_digit(c: u8) -> Option<u8> {
    match HEX_VALUE[c as usize] {
        NOT_HEX => None,
        v => Some(v),
    }
}

/// Marks a byte that is not a hex digit in [`HEX_VALUE`].
const NOT_HEX: u8 = 0xff;

/// The value of each byte as a hex digit (`0-9`, `a-f`, `A-F`), else [`NOT_HEX`]: one
/// load per digit instead of three range tests.
static HEX_VALUE: [u8; 256] = {
    let mut t = [NOT_HEX; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = match c as u8 {
            b @ b'0'..=b'9' => b - b'0',
            b @ b'a'..=b'f' => b - b'a' + 10,
            b @ b'A'..=b'F' => b - b'A' + 10,
            _ => NOT_HEX,
        };
        c += 1;
    }
    t
};

impl crate::hint::Hint for HashError {
    fn hints(&self) -> Vec<String> {
        vec!["write the hash as the lockfile does, `sha512-<base64>` (SRI) or `sha256:<hex>`, or let `lockgate allowlist suggest` write the pins".to_string()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `push_digest_text` appends what `Display` writes, for every digest length
    /// and both cases of hex, after text already in the buffer; nothing for a
    /// value that is not a digest.
    #[test]
    fn digest_text_is_what_display_writes() {
        let mut checked = 0;
        for alg in ["md5", "sha1", "sha256", "sha384", "sha512", "SHA256"] {
            let Some(len) = Algorithm::parse_any_case(alg).and_then(|a| a.digest_len()) else {
                continue;
            };
            for seed in 0..40u32 {
                let hex: String = (0..len * 2)
                    .map(|i| {
                        let d = (seed.wrapping_mul(2_654_435_761) >> (i % 24)) as usize + i;
                        ["0123456789abcdef", "0123456789ABCDEF"][(seed % 2) as usize].as_bytes()
                            [d % 16] as char
                    })
                    .collect();
                let h = Hash::from_hex(alg, &hex).unwrap();
                let mut out = b"before,".to_vec();
                assert!(h.push_digest_text(&mut out));
                assert_eq!(out, format!("before,{h}").into_bytes());
                checked += 1;
            }
        }
        assert_eq!(checked, 6 * 40);
        let berry = Hash::yarn_berry("10c0/0123abc");
        let mut out = Vec::new();
        assert!(!berry.push_digest_text(&mut out));
        assert!(out.is_empty());
    }

    /// `Hash::from_hex` before rest8 (digit by digit): the oracle.
    fn from_hex_before_rest8(algorithm: &str, hex: &str) -> Result<Hash, HashError> {
        let name = algorithm.trim();
        let alg = Algorithm::parse_any_case(name)
            .filter(|a| *a != Algorithm::YarnBerry)
            .ok_or_else(|| HashError::Algorithm(name.to_ascii_lowercase()))?;
        let len = alg.digest_len().unwrap_or(0);
        let hex = hex.trim();
        let mut buf = [0u8; 64];
        let ok = hex.len() == len * 2
            && hex
                .as_bytes()
                .chunks_exact(2)
                .zip(buf.iter_mut())
                .all(
                    |(pair, out)| match (hex_digit(pair[0]), hex_digit(pair[1])) {
                        (Some(hi), Some(lo)) => {
                            *out = hi << 4 | lo;
                            true
                        }
                        _ => false,
                    },
                );
        if !ok {
            return Err(HashError::Payload {
                value: hex.to_string(),
                why: format!("expected {} hex digits", len * 2),
                algorithm: alg.as_str().to_string(),
            });
        }
        Ok(Hash::from_digest(alg, &buf[..len]))
    }

    /// `HashValue::cmp` before rest8: the oracle.
    fn cmp_before_rest8(a: &HashValue, b: &HashValue) -> std::cmp::Ordering {
        (!a.is_digest(), a.bytes()).cmp(&(!b.is_digest(), b.bytes()))
    }

    /// A small deterministic generator (xorshift).
    fn next(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    #[test]
    fn from_hex_reads_every_generated_digest_as_before_rest8() {
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let algs = [
            "sha256",
            "SHA256",
            " sha512",
            "sha384",
            "sha1",
            "md5",
            "sha3",
            "",
            "yarn-berry",
        ];
        let alphabet = b"0123456789abcdefABCDEF g:\xff";
        let mut n = 0;
        for len in [
            0usize, 1, 31, 32, 39, 40, 63, 64, 65, 95, 96, 127, 128, 129, 130,
        ] {
            for _ in 0..300 {
                let mut hex: Vec<u8> = (0..len)
                    .map(|_| b"0123456789abcdefABCDEF"[(next(&mut seed) % 22) as usize])
                    .collect();
                // One time in three, one byte replaced by any byte of the alphabet.
                if len > 0 && next(&mut seed).is_multiple_of(3) {
                    let at = (next(&mut seed) % len as u64) as usize;
                    hex[at] = alphabet[(next(&mut seed) % alphabet.len() as u64) as usize];
                }
                let mut hex = String::from_utf8_lossy(&hex).into_owned();
                // One time in five, a two-byte character in place of two digits: a
                // text of a digest's length with bytes of 0x80 and above in it.
                if len >= 2 && next(&mut seed).is_multiple_of(5) {
                    hex.replace_range(hex.len() - 2.., "\u{e9}");
                }
                for alg in algs {
                    assert_eq!(Hash::from_hex(alg, &hex), from_hex_before_rest8(alg, &hex));
                    n += 1;
                }
            }
        }
        // Every byte at every place of an sha256 digest.
        let base = "2cf8e9ea7ecef4c8f2f8a1f3a3c3fc3c3e0b3e5c9f1d0f6f3e4c4a5b6c7d8e9f";
        for at in 0..64 {
            for c in 0..=255u8 {
                let mut b = base.as_bytes().to_vec();
                b[at] = c;
                let hex = String::from_utf8_lossy(&b).into_owned();
                assert_eq!(
                    Hash::from_hex("sha256", &hex),
                    from_hex_before_rest8("sha256", &hex)
                );
                n += 1;
            }
        }
        assert!(n > 50_000);
    }

    #[test]
    fn split_at_dash_splits_as_split_once() {
        let mut seed = 0x5555_AAAA_1234_4321u64;
        let pieces = ["-", "sha512", "a", "é", "--", "?", "", "€-"];
        for _ in 0..5000 {
            let s: String = (0..next(&mut seed) % 6)
                .map(|_| pieces[(next(&mut seed) % pieces.len() as u64) as usize])
                .collect();
            assert_eq!(split_at_dash(&s), s.split_once('-'), "{s:?}");
        }
    }

    #[test]
    fn hash_values_order_as_before_rest8() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut values = Vec::new();
        for len in [
            0usize, 1, 2, 8, 9, 15, 16, 17, 19, 20, 21, 31, 32, 33, 47, 48, 63, 64, 65,
        ] {
            for _ in 0..12 {
                // Few distinct bytes, so that long common prefixes occur.
                let bytes: Vec<u8> = (0..len)
                    .map(|_| (next(&mut seed) % 3) as u8 * 0x7f)
                    .collect();
                values.push(HashValue::digest(&bytes));
                let text: String = (0..len)
                    .map(|_| ['a', 'b', '0'][(next(&mut seed) % 3) as usize])
                    .collect();
                values.push(HashValue::text(&text));
            }
        }
        // Equal in their first eight bytes, different after: the case where the new
        // comparison goes past its first number.
        for (x, y) in [(0u8, 1u8), (1, 0), (0x7f, 0xfe), (0xfe, 0x7f)] {
            for len in [16usize, 20, 32, 48, 64] {
                let mut a = vec![0x5a; len];
                let mut b = a.clone();
                a[len - 1] = x;
                b[len - 1] = y;
                a[8] = y;
                b[8] = y;
                values.push(HashValue::digest(&a));
                values.push(HashValue::digest(&b));
            }
        }
        for a in &values {
            for b in &values {
                assert_eq!(a.cmp(b), cmp_before_rest8(a, b), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn the_hex_table_reads_every_byte_as_the_range_tests_did() {
        for c in 0..=255u8 {
            let by_ranges = match c {
                b'0'..=b'9' => Some(c - b'0'),
                b'a'..=b'f' => Some(c - b'a' + 10),
                b'A'..=b'F' => Some(c - b'A' + 10),
                _ => None,
            };
            assert_eq!(hex_digit(c), by_ranges, "byte {c:#04x}");
        }
    }

    #[test]
    fn sri_sha512_becomes_lowercase_hex_and_back() {
        // sha512 of the bytes `left-pad`, as SRI
        let sri = "sha512-XRcglhh3p2lHAu4gFg75i5owZ3/uttIZh11iKj+W2fqc4Iu8OvwIHkDSftaw4gURo0WA2fT2oguwTa4HChLwJw==";
        let h = Hash::from_sri(sri).unwrap();
        assert_eq!(h.algorithm, "sha512");
        assert_eq!(
            h.value,
            "5d1720961877a7694702ee20160ef98b9a30677feeb6d219875d622a3f96d9fa9ce08bbc3afc081e40d27ed6b0e20511a34580d9f4f6a20bb04dae070a12f027"
        );
        assert_eq!(h.value, h.value.to_string().to_ascii_lowercase());
        assert_eq!(h.to_sri().unwrap(), sri);
    }

    #[test]
    fn clones_share_the_value_and_algorithms_order_by_name() {
        let h = Hash::parse(&format!("sha256:{}", "ab".repeat(32))).unwrap();
        let c = h.clone();
        assert!(Arc::ptr_eq(&h.value.0, &c.value.0));
        assert_eq!(std::mem::size_of::<Hash>(), 24);
        let mut algs = [
            Algorithm::YarnBerry,
            Algorithm::Sha512,
            Algorithm::Md5,
            Algorithm::Sha1,
            Algorithm::Sha384,
            Algorithm::Sha256,
        ];
        algs.sort();
        let names: Vec<&str> = algs.iter().map(|a| a.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        for a in algs {
            assert_eq!(Algorithm::parse(a.as_str()), Some(a));
        }
    }

    #[test]
    fn values_read_compare_and_order_as_their_tagged_form_did() {
        // The form before issue 13's memory work: a tag byte, then the bytes.
        let old = |v: &HashValue| {
            let mut t = vec![if v.is_digest() { DIGEST } else { TEXT }];
            t.extend_from_slice(v.bytes());
            t
        };
        let mut values = Vec::new();
        let mut made = Vec::new();
        for n in 0..=70usize {
            for fill in [0u8, 1, 0x7f, 0xfe, 0xff] {
                let digest: Vec<u8> = (0..n).map(|i| fill.wrapping_add(i as u8 % 3)).collect();
                let mut last_ff = digest.clone();
                if let Some(b) = last_ff.last_mut() {
                    *b = 0xff;
                }
                for d in [digest, last_ff] {
                    made.push((DIGEST, d.clone()));
                    values.push(HashValue::digest(&d));
                }
            }
            for c in ["a", "\u{1}", "\u{0}", "é"] {
                let text = c.repeat(n);
                made.push((TEXT, text.as_bytes().to_vec()));
                values.push(HashValue::text(&text));
            }
        }
        for (v, (tag, bytes)) in values.iter().zip(&made) {
            assert_eq!(v.is_digest(), *tag == DIGEST, "{bytes:?}");
            assert_eq!(v.bytes(), &bytes[..], "{tag} {bytes:?}");
            let len = if *tag == DIGEST {
                bytes.len() * 2
            } else {
                bytes.len()
            };
            assert_eq!(v.len(), len);
            if *tag == TEXT {
                assert_eq!(v.to_string().as_bytes(), &bytes[..]);
            }
        }
        for a in &values {
            for b in &values {
                assert_eq!(a == b, old(a) == old(b));
                assert_eq!(a.cmp(b), old(a).cmp(&old(b)));
            }
        }
        // An sha512 is 64 bytes with nothing beside them.
        let h = Hash::from_digest(Algorithm::Sha512, &[7; 64]);
        assert_eq!(h.value.0.len(), 64);
        assert_eq!(Hash::yarn_berry(&"a".repeat(63)).value.0.len(), 65);
    }

    #[test]
    fn digests_are_kept_as_bytes_and_read_as_lowercase_hex() {
        let h = Hash::from_hex(" SHA256 ", &"AB".repeat(32)).unwrap();
        assert_eq!(h.algorithm, "sha256");
        assert_eq!(h.value.bytes(), [0xab; 32]);
        assert_eq!(h.value, "ab".repeat(32));
        assert_ne!(h.value, "AB".repeat(32));
        assert_ne!(h.value, "ab".repeat(31));
        assert_eq!(h.value.len(), 64);
        assert_eq!(format!("{:?}", h.value), format!("{:?}", "ab".repeat(32)));
        assert!(matches!(
            Hash::from_hex("yarn-berry", "ab"),
            Err(HashError::Algorithm(a)) if a == "yarn-berry"
        ));
        assert!(Hash::from_hex("sha1", &"g0".repeat(20)).is_err());
        // Digests order as their hex strings do.
        let mut hs: Vec<Hash> = ["0f", "10", "a0", "09", "ff", "9a"]
            .iter()
            .map(|p| Hash::from_hex("sha1", &p.repeat(20)).unwrap())
            .collect();
        let mut texts: Vec<String> = hs.iter().map(Hash::to_string).collect();
        texts.sort();
        hs.sort();
        assert_eq!(hs.iter().map(Hash::to_string).collect::<Vec<_>>(), texts);
        let y = Hash::yarn_berry("10c0/AbC");
        assert!(!y.value.is_digest());
        assert_eq!(y.value, "10c0/abc");
        assert_eq!(format!("{:?}", y.value), r#""10c0/abc""#);
    }

    #[test]
    fn sri_with_a_byte_outside_printable_ascii_names_its_character() {
        for (token, shown) in [
            ("sha512-ab\u{e9}cd", "\\u{e9}"),
            ("sha512-ab\u{7f}", "\\u{7f}"),
        ] {
            match Hash::from_sri(token) {
                Err(HashError::Shape(msg)) => assert!(msg.contains(shown), "{msg}"),
                other => panic!("{token:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn sri_with_wrong_length_is_an_error() {
        assert!(matches!(
            Hash::from_sri("sha512-AAAA"),
            Err(HashError::Payload { .. })
        ));
        assert!(matches!(
            Hash::from_sri("sha999-AAAA"),
            Err(HashError::Algorithm(_))
        ));
    }

    #[test]
    fn sri_list_reads_every_token() {
        let list = "sha1-2jmJBrPVjdVA6xzfyp0mXi4m1Bk= sha512-XRcglhh3p2lHAu4gFg75i5owZ3/uttIZh11iKj+W2fqc4Iu8OvwIHkDSftaw4gURo0WA2fT2oguwTa4HChLwJw==";
        let hs = Hash::from_sri_list(list).unwrap();
        assert_eq!(hs.len(), 2);
        assert_eq!(hs[0].algorithm, "sha1");
        assert_eq!(hs[0].value, "da398906b3d58dd540eb1cdfca9d265e2e26d419");
    }

    #[test]
    fn canonical_form_parses_and_prints() {
        let s = "sha256:5F0E2C6ED6606019B4E29E69DBABA95B11854410E5347D525002456DBBB786B6";
        let h = Hash::parse(s).unwrap();
        assert_eq!(
            h.to_string(),
            "sha256:5f0e2c6ed6606019b4e29e69dbaba95b11854410e5347d525002456dbbb786b6"
        );
        assert!(Hash::parse("sha256:abc").is_err());
        assert!(Hash::parse("nonsense").is_err());
    }

    #[test]
    fn yarn_berry_checksum_is_never_a_registry_digest() {
        let h = Hash::parse("yarn-berry:10c0/ABC").unwrap();
        assert_eq!(h.to_string(), "yarn-berry:10c0/abc");
        assert!(!h.is_registry_digest());
        assert!(h.to_sri().is_none());
    }

    const SHA1: &str = "sha1-2jmJBrPVjdVA6xzfyp0mXi4m1Bk=";
    const SHA512: &str = "sha512-XRcglhh3p2lHAu4gFg75i5owZ3/uttIZh11iKj+W2fqc4Iu8OvwIHkDSftaw4gURo0WA2fT2oguwTa4HChLwJw==";

    #[test]
    fn sri_list_splits_on_every_javascript_space() {
        for sep in [
            " ", "\t", "\n", "\u{a0}", "\u{2003}", "\u{3000}", "\u{feff}", " \u{a0} ",
        ] {
            let hs = Hash::from_sri_list(&format!("{SHA1}{sep}{SHA512}")).unwrap();
            assert_eq!(hs.len(), 2, "separator {:?}", sep);
            assert_eq!(hs[1].algorithm, "sha512");
        }
    }

    #[test]
    fn options_after_question_mark_never_hide_a_digest() {
        // The issue's case 3: `<pinned>?\u00a0sha512-<other>` is two tokens to ssri.
        let hs = Hash::from_sri_list(&format!("{SHA1}?\u{a0}{SHA512}")).unwrap();
        assert_eq!(hs.len(), 2);
        assert_eq!(hs[0].algorithm, "sha1");
        assert_eq!(hs[1].algorithm, "sha512");
        // Printable options are ignored, as ssri ignores them.
        let h = Hash::from_sri(&format!("{SHA512}?foo?bar")).unwrap();
        assert_eq!(h.to_sri().unwrap(), SHA512);
        // Options holding anything but printable ASCII are refused, not skipped.
        assert!(Hash::from_sri_list(&format!("{SHA1}?\u{85}{SHA512}")).is_err());
        assert!(Hash::from_sri_list(&format!("{SHA1}?\u{200b}{SHA512}")).is_err());
    }

    /// The SRI reading before the one-token shortcut (every list split on
    /// JavaScript spaces, every token trimmed and checked).
    fn sri_list_before(sri: &str) -> Result<Vec<Hash>, HashError> {
        let one = |token: &str| -> Result<Hash, HashError> {
            let token = token.trim_matches(is_js_space);
            if let Some(c) = token.chars().find(|c| !matches!(c, '\x21'..='\x7e')) {
                return Err(HashError::Shape(format!(
                    "{} (contains {})",
                    token.escape_debug(),
                    c.escape_unicode()
                )));
            }
            let (alg, rest) = token
                .split_once('-')
                .ok_or_else(|| HashError::Shape(token.to_string()))?;
            if alg.is_empty()
                || !alg
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            {
                return Err(HashError::Shape(token.to_string()));
            }
            let (Some(len), Some(alg)) = (digest_len(alg), Algorithm::parse(alg)) else {
                return Err(HashError::Algorithm(alg.to_string()));
            };
            let b64 = rest.split('?').next().unwrap_or(rest);
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|e| HashError::Payload {
                    algorithm: alg.as_str().to_string(),
                    value: b64.to_string(),
                    why: e.to_string(),
                })?;
            if bytes.len() != len {
                return Err(HashError::Payload {
                    algorithm: alg.as_str().to_string(),
                    value: b64.to_string(),
                    why: format!("decodes to {} bytes, expected {len}", bytes.len()),
                });
            }
            Ok(Hash::from_digest(alg, &bytes))
        };
        let hashes: Vec<Hash> = sri
            .split(is_js_space)
            .filter(|t| !t.is_empty())
            .map(one)
            .collect::<Result<_, _>>()?;
        if hashes.is_empty() {
            return Err(HashError::Shape(sri.to_string()));
        }
        Ok(hashes)
    }

    /// Both readings of `sri`, as comparable text (the hashes, or the error).
    fn both_readings(sri: &str) -> (String, String) {
        let show = |r: Result<Vec<Hash>, HashError>| match r {
            Ok(hs) => format!("ok {hs:?}"),
            Err(e) => format!("err {e:?}"),
        };
        (show(Hash::from_sri_list(sri)), show(sri_list_before(sri)))
    }

    /// A small deterministic generator (xorshift), for the generated inputs below.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn sri_lists_read_as_before_the_one_token_shortcut() {
        let sha256 = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
        let sha384 = "sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb";
        let md5 = "md5-1B2M2Y8AsgTpgAmY7PhCfg==";
        let cases = [
            SHA512.to_string(),
            SHA1.to_string(),
            sha256.to_string(),
            sha384.to_string(),
            md5.to_string(),
            // mixed algorithms, every separator
            format!("{SHA1} {SHA512}"),
            format!("{md5}\t{sha256}\n{sha384}"),
            format!(" {SHA512} "),
            format!("{SHA512}\u{a0}{SHA1}"),
            format!("{SHA512}\u{feff}"),
            format!("\u{3000}{SHA1}"),
            // options
            format!("{SHA512}?foo"),
            format!("{SHA512}?foo?bar {SHA1}?x"),
            format!("{SHA1}?\u{a0}{SHA512}"),
            format!("{SHA1}?\u{85}{SHA512}"),
            format!("{SHA512}?"),
            // unpadded, over-padded, padding inside, trailing bits set
            SHA1.trim_end_matches('=').to_string(),
            SHA512.trim_end_matches('=').to_string(),
            format!("{SHA512}="),
            format!("{SHA1}="),
            SHA512.replacen("==", "=", 1),
            "sha1-2jmJBrPVjdVA6xzfyp0mXi4m1Bl=".to_string(),
            "sha512-XRcglhh3p2lHAu4gFg75i5owZ3/uttIZh11iKj+W2fqc4Iu8OvwIHkDSftaw4gURo0WA2fT2oguwTa4HChLwJx==".to_string(),
            "sha1-2jmJ=rPVjdVA6xzfyp0mXi4m1Bk=".to_string(),
            // URL-safe alphabet, wrong lengths, empty digests
            SHA512.replace('/', "_").replace('+', "-"),
            "sha512-AAAA".to_string(),
            "sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA=".to_string(),
            "sha512-".to_string(),
            "sha512-=".to_string(),
            "sha512-====".to_string(),
            // algorithms and shapes
            "SHA512-AAAA".to_string(),
            "sha224-AAAA".to_string(),
            "-AAAA".to_string(),
            "garbage".to_string(),
            String::new(),
            " ".to_string(),
            " \u{a0} ".to_string(),
            "sha512-ab\u{e9}cd".to_string(),
            format!("{SHA512}\u{7f}"),
            format!("{SHA512}\u{200b}{SHA1}"),
        ];
        for sri in &cases {
            let (new, old) = both_readings(sri);
            assert_eq!(new, old, "{sri:?}");
        }
        // generated: tokens of every kind joined by every kind of separator, and
        // single bytes of real lists changed
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let seps = [
            " ", "  ", "\t", "\n", "\u{a0}", "\u{2003}", "", "?", "?\u{a0}",
        ];
        for _ in 0..3000 {
            let mut sri = String::new();
            for _ in 0..1 + rng.below(3) {
                sri.push_str(&cases[rng.below(cases.len())]);
                sri.push_str(seps[rng.below(seps.len())]);
            }
            let (new, old) = both_readings(&sri);
            assert_eq!(new, old, "{sri:?}");
            let mut bytes = sri.into_bytes();
            if !bytes.is_empty() {
                let at = rng.below(bytes.len());
                bytes[at] = b"A=/+- \t?a9"[rng.below(10)];
            }
            if let Ok(mutated) = String::from_utf8(bytes) {
                let (new, old) = both_readings(&mutated);
                assert_eq!(new, old, "{mutated:?}");
            }
        }
    }

    #[test]
    fn unknown_or_garbage_tokens_fail_closed() {
        // Algorithms Node knows but lockgate does not.
        assert!(matches!(
            Hash::from_sri_list(&format!("{SHA512} sha224-AAAA")),
            Err(HashError::Algorithm(_))
        ));
        // Garbage beside a good token is an error, never dropped.
        for bad in [
            "garbage",
            "-AAAA",
            "SHA512-AAAA",
            "sha512-",
            "sha512-!!!!",
            "sha512-AAAA==?x",
        ] {
            assert!(
                Hash::from_sri_list(&format!("{SHA512} {bad}")).is_err(),
                "{bad} was accepted"
            );
        }
        assert!(Hash::from_sri_list("").is_err());
        assert!(Hash::from_sri_list(" \u{a0} ").is_err());
        // Non-canonical base64 (wrong padding) is refused.
        assert!(Hash::from_sri(SHA1.trim_end_matches('=')).is_err());
    }
}
