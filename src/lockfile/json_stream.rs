//! Reading a JSON lockfile as a stream, with the line of every key.
//!
//! serde_json's reader-based parser (`Deserializer::from_reader`) takes one byte at
//! a time from a [`std::io::Read`]. [`LineReader`] hands it the bytes and counts the
//! newlines it has handed out, so a visitor that has just read a key knows the key's
//! 1-based line ([`Lines::current`]): JSON strings hold no raw newline, and serde_json
//! looks no further than the key's closing quote before it returns the key. The
//! readers that use it never hold the file's whole text, only the records they keep.
//!
//! A text already in memory is parsed in place (serde_json's fast path) and
//! [`TextLines`] finds the line of each key from where it lies in the text; a key with
//! escapes is not borrowed from the text, and then the text is read again through a
//! [`LineReader`].
//!
//! [`FileSource`] is the file below it: at most a given number of bytes, a leading
//! byte order mark skipped, and every byte checked to be UTF-8 (serde_json checks the
//! strings it decodes, not those it skips), so that what streams is exactly what
//! [`super::decode_text`] accepts.

use std::cell::Cell;
use std::io::{self, BufRead, Read};

/// Where a visitor finds the 1-based line of the key it has just read.
#[derive(Clone, Copy)]
pub(crate) enum Lines<'c> {
    /// The newlines handed out so far by a [`LineReader`].
    Counted(&'c Cell<usize>),
    /// The text that serde_json parses in place: a key borrowed from it names its line.
    Text(&'c TextLines<'c>),
}

impl Lines<'_> {
    /// The line of `key`, read just now (0 when a key of a text has escapes, so that
    /// serde_json gives a copy, not the key in the text: see [`TextLines::lost`]).
    pub(crate) fn of(self, key: &str) -> usize {
        match self {
            Lines::Counted(newlines) => newlines.get() + 1,
            Lines::Text(text) => text.line_of(key),
        }
    }
}

/// The lines of the keys of a text parsed in place (`serde_json::from_str`), found
/// from where each key lies in the text. Keys are met in order, so the newlines are
/// counted once, from the last key to the next.
pub(crate) struct TextLines<'t> {
    text: &'t str,
    /// Bytes counted so far.
    at: Cell<usize>,
    /// Newlines in them.
    newlines: Cell<usize>,
    /// A key was not borrowed from the text (it has escapes): its line is unknown.
    lost: Cell<bool>,
}

impl<'t> TextLines<'t> {
    /// The lines of `text`.
    pub(crate) fn new(text: &'t str) -> Self {
        TextLines {
            text,
            at: Cell::new(0),
            newlines: Cell::new(0),
            lost: Cell::new(false),
        }
    }

    /// The lines of `text`, whose first byte is on line `first` of a document.
    pub(crate) fn starting_at(text: &'t str, first: usize) -> Self {
        let lines = TextLines::new(text);
        lines.newlines.set(first.saturating_sub(1));
        lines
    }

    /// Whether the line of a key could not be found (the reader must then count).
    pub(crate) fn lost(&self) -> bool {
        self.lost.get()
    }

    /// The line of `key`, if it lies in the text after the keys before it.
    fn line_of(&self, key: &str) -> usize {
        let start = self.text.as_ptr() as usize;
        // A key with escapes is a string of its own, outside the text.
        let offset = (key.as_ptr() as usize).checked_sub(start);
        let Some(offset) = offset.filter(|&o| o >= self.at.get() && o <= self.text.len()) else {
            self.lost.set(true);
            return 0;
        };
        let counted = self.text.as_bytes()[self.at.get()..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.newlines.set(self.newlines.get() + counted);
        self.at.set(offset);
        self.newlines.get() + 1
    }
}

/// How much a [`Chunks`] reads at a time.
pub(crate) const BLOCK: usize = 1 << 20;

/// The deepest nesting serde_json reads (its recursion limit: an object or array
/// opened at depth 128 is an error).
const MAX_DEPTH: usize = 128;

/// A JSON document read block by block, for a reader that walks its outer levels
/// itself and hands each value inside them to serde_json's in-place parser
/// ([`first_value`]): what serde_json's byte-at-a-time reader of a stream would read,
/// at the speed of its parser of a text, holding one block (or the value being read,
/// if larger) and never the whole text. Newlines are counted as the bytes are
/// consumed, so [`Chunks::line`] is the line of the next byte.
pub(crate) struct Chunks<R> {
    src: R,
    buf: Vec<u8>,
    /// The first byte not yet consumed.
    pos: usize,
    /// The source has no more bytes.
    eof: bool,
    /// The source failed (an I/O error, a byte that is not UTF-8).
    failed: bool,
    /// Newlines consumed so far.
    newlines: usize,
    /// How much to read at a time ([`BLOCK`]; less in tests, to cut values).
    block: usize,
}

/// What parsing a value at the start of a [`Chunks`] window gave.
pub(crate) enum Parsed<T> {
    /// The value and its length in bytes.
    Done(T, usize),
    /// The window ends inside the value: read more and parse again.
    More,
    /// Not what serde_json would read here (the reader of the text names the error).
    Bad,
}

impl<R: Read> Chunks<R> {
    /// Read `src`, `block` bytes at a time (at least one).
    pub(crate) fn new(src: R, block: usize) -> Self {
        Chunks {
            src,
            buf: Vec::new(),
            pos: 0,
            eof: false,
            failed: false,
            newlines: 0,
            block: block.max(1),
        }
    }

    /// The source.
    pub(crate) fn source(&self) -> &R {
        &self.src
    }

    /// The 1-based line of the next byte.
    pub(crate) fn line(&self) -> usize {
        self.newlines + 1
    }

    /// Read at least `more` bytes after the window (fewer at the end of the source);
    /// false when the source failed.
    fn read_more(&mut self, more: usize) -> bool {
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        // A value larger than a block grew the window: give that room back once it is
        // read, rather than hold it to the end of the file.
        let want = self.buf.len() + more;
        if self.buf.capacity() > 2 * want.max(self.block) {
            self.buf.shrink_to(want);
        }
        self.buf.reserve(more);
        match (&mut self.src).take(more as u64).read_to_end(&mut self.buf) {
            Ok(n) if n < more => self.eof = true,
            Ok(_) => {}
            Err(_) => {
                self.failed = true;
                self.eof = true;
            }
        }
        !self.failed
    }

    /// Consume `n` bytes of the window.
    fn consume(&mut self, n: usize) {
        let bytes = &self.buf[self.pos..self.pos + n];
        self.newlines += bytes.iter().filter(|&&b| b == b'\n').count();
        self.pos += n;
    }

    /// Skip white space; the next byte, not consumed (`None` at the end of the
    /// source, or when it failed).
    pub(crate) fn peek(&mut self) -> Option<u8> {
        loop {
            let rest = &self.buf[self.pos..];
            let ws = |b: &u8| matches!(b, b' ' | b'\n' | b'\t' | b'\r');
            match rest.iter().position(|b| !ws(b)) {
                Some(k) => {
                    self.consume(k);
                    return Some(self.buf[self.pos]);
                }
                None => {
                    self.consume(rest.len());
                    if self.eof || !self.read_more(self.block) || self.pos == self.buf.len() {
                        return None;
                    }
                }
            }
        }
    }

    /// Skip white space, then `b` if it comes next (true).
    pub(crate) fn eat(&mut self, b: u8) -> bool {
        let next = self.peek() == Some(b);
        if next {
            self.consume(1);
        }
        next
    }

    /// Nothing but white space is left, and the source did not fail.
    pub(crate) fn at_end(&mut self) -> bool {
        self.peek().is_none() && !self.failed
    }

    /// Read the value that starts at the next byte with `parse`, which is given the
    /// window (and whether the source ends with it) and says how long the value is;
    /// `None` when it is [`Parsed::Bad`].
    pub(crate) fn value<U>(
        &mut self,
        mut parse: impl FnMut(&[u8], bool) -> Parsed<U>,
    ) -> Option<U> {
        loop {
            match parse(&self.buf[self.pos..], self.eof) {
                Parsed::Done(u, n) => {
                    self.consume(n);
                    return Some(u);
                }
                Parsed::More if !self.eof => {
                    // Twice the window: a value larger than a block costs at most
                    // twice its parse.
                    let more = (self.buf.len() - self.pos).max(self.block);
                    if !self.read_more(more) {
                        return None;
                    }
                }
                _ => return None,
            }
        }
    }
}

/// The value of type `T` at the start of `bytes` (after white space), parsed in
/// place by serde_json, and its length; `eof`: nothing follows `bytes`. `outer` is
/// how deep the value lies in the document (1 for a value of the top-level object):
/// a value that serde_json would refuse as too deep there is [`Parsed::Bad`], even if
/// it is not too deep on its own.
pub(crate) fn first_value<'s, T: serde::Deserialize<'s>>(
    bytes: &'s [u8],
    eof: bool,
    outer: usize,
) -> Parsed<T> {
    let mut values = serde_json::Deserializer::from_slice(bytes).into_iter::<T>();
    match values.next() {
        Some(Ok(v)) => {
            let n = values.byte_offset();
            if n == bytes.len() && !eof {
                // A number or a word may go on after the window.
                Parsed::More
            } else if too_deep(&bytes[..n], outer) {
                Parsed::Bad
            } else {
                Parsed::Done(v, n)
            }
        }
        // Only white space so far, or a value cut short.
        None if !eof => Parsed::More,
        Some(Err(e)) if e.is_eof() && !eof => Parsed::More,
        _ => Parsed::Bad,
    }
}

/// Whether the JSON value `bytes`, found `outer` levels deep, nests as deep as
/// serde_json's recursion limit (it could only, with that many brackets).
fn too_deep(bytes: &[u8], outer: usize) -> bool {
    let opening = bytes.iter().filter(|&&b| b == b'{' || b == b'[').count();
    if opening + outer < MAX_DEPTH {
        return false;
    }
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest + outer >= MAX_DEPTH
}

/// A [`Read`] over a [`BufRead`] that counts the newlines it hands out.
pub(crate) struct LineReader<'c, R> {
    inner: R,
    newlines: &'c Cell<usize>,
}

impl<'c, R: BufRead> LineReader<'c, R> {
    /// Read `inner`, counting newlines into `newlines` (the count starts at zero).
    pub(crate) fn new(inner: R, newlines: &'c Cell<usize>) -> Self {
        newlines.set(0);
        LineReader { inner, newlines }
    }

    /// The counter, for the visitors.
    pub(crate) fn lines(&self) -> Lines<'c> {
        Lines::Counted(self.newlines)
    }
}

impl<R: BufRead> Read for LineReader<'_, R> {
    #[inline]
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.inner.fill_buf()?;
        let n = avail.len().min(out.len());
        let chunk = &avail[..n];
        out[..n].copy_from_slice(chunk);
        let newlines = match chunk {
            // serde_json reads one byte at a time.
            [b] => usize::from(*b == b'\n'),
            _ => chunk.iter().filter(|&&b| b == b'\n').count(),
        };
        if newlines > 0 {
            self.newlines.set(self.newlines.get() + newlines);
        }
        self.inner.consume(n);
        Ok(n)
    }
}

/// A file read to at most `limit + 1` bytes, its byte order mark skipped, every byte
/// checked to be UTF-8. An invalid byte is an I/O error (the caller then reads the
/// file as text for the exact message).
pub(crate) struct FileSource<R> {
    inner: io::Take<R>,
    /// Bytes read so far (more than the limit: the file grew while being read).
    read: u64,
    /// The start of a UTF-8 sequence that the last read cut off.
    pending: Vec<u8>,
    /// Nothing read yet (the byte order mark is still to be looked for).
    start: bool,
    /// The first bytes, read to look for the byte order mark, not yet handed out.
    head: Vec<u8>,
}

impl<R: Read> FileSource<R> {
    /// Read at most `limit + 1` bytes of `inner`.
    pub(crate) fn new(inner: R, limit: u64) -> Self {
        FileSource {
            inner: inner.take(limit.saturating_add(1)),
            read: 0,
            pending: Vec::new(),
            start: true,
            head: Vec::new(),
        }
    }

    /// Bytes read so far.
    pub(crate) fn bytes_read(&self) -> u64 {
        self.read
    }
}

fn not_utf8() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "not UTF-8")
}

impl<R: Read> Read for FileSource<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.start {
            // The first three bytes, however the source hands them out: a byte
            // order mark is left out.
            self.start = false;
            let mut head = [0u8; 3];
            let mut got = 0;
            while got < head.len() {
                match self.inner.read(&mut head[got..]) {
                    Ok(0) => break,
                    Ok(k) => got += k,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            self.read += got as u64;
            if head[..got] != *b"\xEF\xBB\xBF" {
                self.head = head[..got].to_vec();
            }
        }
        let n = if self.head.is_empty() {
            let n = self.inner.read(out)?;
            self.read += n as u64;
            n
        } else {
            let n = self.head.len().min(out.len());
            out[..n].copy_from_slice(&self.head[..n]);
            self.head.drain(..n);
            n
        };
        if n == 0 {
            return match self.pending.is_empty() {
                true => Ok(0),
                false => Err(not_utf8()),
            };
        }
        let mut bytes = &out[..n];
        // Complete the sequence that the last read cut off.
        while !self.pending.is_empty() {
            let Some((&b, rest)) = bytes.split_first() else {
                return Ok(n);
            };
            self.pending.push(b);
            bytes = rest;
            match std::str::from_utf8(&self.pending) {
                Ok(_) => self.pending.clear(),
                Err(e) if e.error_len().is_some() => return Err(not_utf8()),
                Err(_) => {}
            }
        }
        match std::str::from_utf8(bytes) {
            Ok(_) => {}
            Err(e) if e.error_len().is_none() => {
                self.pending.extend_from_slice(&bytes[e.valid_up_to()..]);
            }
            Err(_) => return Err(not_utf8()),
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_room_of_a_value_larger_than_a_block_is_given_back() {
        // One value of 64 blocks, then small ones: each is read as written, and the
        // window is back to a few blocks once the large value is consumed.
        let block = 16;
        let big = format!("\"{}\"", "x".repeat(64 * block));
        let small: Vec<String> = (1..=300).map(|i| i.to_string()).collect();
        let text = format!("[{big}, {}]", small.join(", "));
        let mut src = Chunks::new(text.as_bytes(), block);
        assert!(src.eat(b'['));
        let v = src.value(|b, eof| first_value::<String>(b, eof, 1));
        assert_eq!(v.map(|v| v.len()), Some(64 * block));
        let mut small = Vec::new();
        while src.eat(b',') {
            small.push(src.value(|b, eof| first_value::<u32>(b, eof, 1)).unwrap());
        }
        assert_eq!(small, (1..=300).collect::<Vec<_>>());
        assert!(src.eat(b']') && src.at_end());
        assert!(src.buf.capacity() <= 4 * block, "{}", src.buf.capacity());
    }

    #[test]
    fn lines_are_counted_as_bytes_are_handed_out() {
        let counter = Cell::new(7);
        let mut r = LineReader::new(&b"a\nb\n\nc"[..], &counter);
        let lines = r.lines();
        let key = "k";
        assert_eq!(lines.of(key), 1);
        let mut one = [0u8; 1];
        for _ in 0..3 {
            r.read_exact(&mut one).unwrap();
        }
        assert_eq!((one[0], lines.of(key)), (b'b', 2));
        let mut rest = Vec::new();
        r.read_to_end(&mut rest).unwrap();
        assert_eq!(lines.of(key), 4);
    }

    #[test]
    fn keys_borrowed_from_a_text_name_their_line() {
        let text = "{\"a\": 1,\n\n \"b\": {\"c\": 2}}";
        let lines = TextLines::new(text);
        let at = |k: &str| &text[text.find(k).unwrap()..][..1];
        assert_eq!(Lines::Text(&lines).of(at("a")), 1);
        assert_eq!(Lines::Text(&lines).of(at("c")), 3);
        assert!(!lines.lost());
        // A key with escapes is not borrowed: its line is lost (and so is one met
        // out of order).
        assert_eq!(Lines::Text(&lines).of(&String::from("b")), 0);
        assert!(lines.lost());
    }

    fn through_source(bytes: &[u8], limit: u64, chunk: usize) -> (io::Result<Vec<u8>>, u64) {
        let mut src = FileSource::new(bytes, limit);
        let mut out = Vec::new();
        let mut buf = vec![0u8; chunk];
        loop {
            match src.read(&mut buf) {
                Ok(0) => return (Ok(out), src.bytes_read()),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) => return (Err(e), src.bytes_read()),
            }
        }
    }

    #[test]
    fn the_source_skips_a_bom_checks_utf8_across_reads_and_stops_past_the_limit() {
        let text = "\u{feff}{\"é\": \"日本\"}".as_bytes();
        for chunk in [1, 2, 3, 4, 5, 6, 7, 64] {
            let (got, _) = through_source(text, 100, chunk);
            assert_eq!(got.unwrap(), "{\"é\": \"日本\"}".as_bytes(), "{chunk}");
        }
        for bad in [&b"{\"a\": \"\xff\"}"[..], b"{\"\xe6\x97\"}", b"\"\xe6\x97"] {
            for chunk in [1, 2, 3, 64] {
                assert!(
                    through_source(bad, 100, chunk).0.is_err(),
                    "{bad:?} {chunk}"
                );
            }
        }
        let (got, read) = through_source(b"0123456789", 4, 64);
        assert_eq!((got.unwrap().len(), read), (5, 5));
    }
}
