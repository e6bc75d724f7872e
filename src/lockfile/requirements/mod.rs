//! pip's requirements files (`requirements*.txt`), as pip, pip-tools' `pip-compile` and
//! `uv pip compile` write them.
//!
//! Which files are requirements files: `requirements*.txt`; `requirements*.lock`
//! (Rye's `requirements.lock` / `requirements-dev.lock`); every `*.txt` directly
//! inside a folder named `requirements` (the pip-tools layout of Django, warehouse,
//! readthedocs: `requirements/main.txt`, `requirements/tests.txt`); any file reached
//! with `-r`/`-c` from one of those, whatever its name; and a `.txt` named on the
//! command line (`lockgate check deps/prod.txt`), which fails with its line if it is
//! not one. Other `.txt` files found in a folder scan (`notes.txt`) are not read;
//! a `constraints.txt` is read through the `-c` that names it.
//!
//! Decoding is pip's (`auto_decode`): a UTF-8 byte order mark is skipped; a UTF-16
//! or UTF-32 byte order mark, or a PEP 263 declaration on line 1 or 2 (a line
//! starting with `#` holding `coding: NAME` or `coding=NAME`) naming anything but
//! UTF-8 (`# -*- coding: utf-7 -*-`, `latin-1`), is refused with its line: pip would
//! decode the file by it and read other lines than lockgate (in UTF-7, `+AAo-` is a
//! line break, turning a comment into a requirement). The same holds for every
//! included file and for `requirements*.in` manifests.
//!
//! The file is read the way pip reads it: physical lines ending in `\` are joined, a `#`
//! at the start of a line or after white space starts a comment, `-r`/`--requirement`
//! and `-c`/`--constraint` include other files (read relative to the including file;
//! an include cycle, a missing file or a remote include is an error), and options
//! (`--index-url`, `--extra-index-url`, `--find-links`, `--no-index`, `--trusted-host`,
//! `--pre`, `--no-binary`, `--only-binary`, `--prefer-binary`, `--require-hashes`,
//! `--use-feature`) apply to the whole run. Options pip does not know are errors, and so
//! is every line pip would reject.
//!
//! What becomes a [`Package`]:
//! - a PEP 508 requirement pinned to exactly one version (`name==1.0`, `name===1.0`,
//!   extras and markers allowed); a requirement that is not (`requests>=2`, `requests`,
//!   `name==1.*`, a version made of `${VAR}`) is an [`Unpinned`] entry instead, unless a
//!   constraint file pins it, in which case the constraint's version is used;
//! - URL requirements (`name @ https://…/x.whl`, or a bare URL): [`Source::Url`], with the
//!   `#sha256=` fragment as a hash and the version read from the wheel or sdist file name;
//! - VCS requirements (`git+https://…@rev#egg=name`, `name @ git+…`, `-e git+…`):
//!   [`Source::Git`] for git (other VCS: [`Source::Url`]), version empty;
//! - local paths and editables (`-e ./pkg`, `./dist/x.whl`, `file:…`): [`Source::Path`];
//!   the name comes from `#egg=`, the archive's file name, or the directory's
//!   `pyproject.toml` / `setup.cfg` / `setup.py`, else it is the path itself (`-e .` of a
//!   project with no manifest beside the file is the package `.`, version empty); a URL
//!   whose name cannot be told is an error.
//!
//! Packages from an included file record that file (as a path next to the including one)
//! and their line in it. Constraint files add no packages.
//!
//! Hashes are the `--hash=<alg>:<hex>` options (sha256, sha384, sha512, as pip allows)
//! and URL fragments. The source of registry packages is the default registry unless an
//! `--index-url` other than pypi.org is given (then that URL), or, failing that, the first
//! `--extra-index-url` (pip then mixes both indexes, so lockgate names the other one), or
//! with `--no-index` the first `--find-links` location. Credentials in URLs are removed.
//!
//! Dependency paths come from pip-compile's and uv's `# via` annotations (both the
//! one-line and the multi-line form): `# via -r requirements.in` (or `name (pyproject.toml)`)
//! makes a package direct from that input, `# via flask` is an edge from `flask`.
//! A package with no annotation is direct from the project (the lockfile's directory).
//! Packages reached only from an input whose file name has a `dev` or `test` word
//! (`requirements-dev.in`, `dev-requirements.txt`, `requirements_test.txt`) are dev.
//!
//! Not verified: environment markers are kept out of the model (every pinned package is
//! listed, whatever its marker); `${VAR}` references are never expanded (their values are
//! not known offline and may be secrets); a pin that conflicts with a constraint is not
//! reported (pip would refuse to install).

mod encoding;
mod lines;
mod options;
mod pep508;
#[cfg(test)]
mod tests;
mod url;
mod via;

pub use encoding::{ENCODING_HINT, check_encoding};

use super::hash::Hash;
use super::{Context, Lockfile, ParseError, Source};
use crate::model::Package;
use crate::model::{List, SharedPath};
use lines::canonical;
use std::collections::hash_map::RandomState;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{BufRead as _, BufReader, Read};
use std::path::{Path, PathBuf};

/// How many files (the lockfile and its includes) one parse reads at most.
const MAX_FILES: usize = 256;

/// The `requirements` format: its file names, ecosystem, regenerate hint and parser.
pub static FORMAT: super::Format = super::Format::new("requirements", module_path!(), super::Ecosystem::Pypi, parse)
    .files(&["requirements*.txt"], is_requirements_file)
    .hint("fix the line, or regenerate the file with `pip-compile --generate-hashes` / `uv pip compile --generate-hashes`")
    .with_check_bytes(check_file_bytes)
    .with_stream(stream);

/// Is this file a requirements file by its name? `requirements*.txt`,
/// `requirements*.lock` (Rye's `requirements.lock` / `requirements-dev.lock`), and
/// every `.txt` directly inside a folder named `requirements` (the pip-tools layout
/// `requirements/main.txt`).
fn is_requirements_file(name: &str, path: &Path) -> bool {
    (name.starts_with("requirements") && (name.ends_with(".txt") || name.ends_with(".lock")))
        || (name.ends_with(".txt") && in_requirements_folder(path))
}

/// Is `path` directly inside a folder named `requirements` (the pip-tools layout
/// `requirements/base.txt`, `requirements/base.in`)?
pub fn in_requirements_folder(path: &Path) -> bool {
    path.parent()
        .and_then(Path::file_name)
        .is_some_and(|d| d == "requirements")
}

/// [`check_encoding`] as a [`ParseError`] for `display`, with [`ENCODING_HINT`].
fn check_file_bytes(display: &Path, bytes: &[u8]) -> Result<(), ParseError> {
    check_encoding(bytes)
        .map_err(|(line, msg)| ParseError::new(display, Some(line), msg).with_hint(ENCODING_HINT))
}

/// Parse a requirements file and every file it includes.
pub fn parse(ctx: &Context<'_>, text: &str) -> Result<Lockfile, ParseError> {
    // Room for every requirement line of the file, so the lists do not grow by
    // doubling, copying what they hold.
    let mut counter = LineCounter::default();
    counter.feed(text.as_bytes());
    let mut p = ReqParser::new(ctx, counter.count);
    let real = ctx.path.to_path_buf();
    p.chain.push(canonical(&real));
    p.parse_text(&real, ctx.display, text, FileKind::Requirements)?;
    p.chain.pop();
    Ok(p.finish())
}

/// Read a large requirements file (see [`super::STREAM_FROM_BYTES`]) line by line
/// from `file` (at most `limit` bytes), never holding its text: what [`parse`] reads
/// from the same bytes, or `None` when anything is wrong with it (an encoding pip
/// would read differently, bytes that are not UTF-8, a line pip rejects, more than
/// `limit` bytes). The caller then reads the text, and [`parse`] names the error.
///
/// The file's requirement lines are counted first, by a second read of the path
/// (the package list is then allocated once, at its size: growing a list of a
/// million packages by doubling holds the old and the new list at once).
pub fn stream(ctx: &Context<'_>, file: &mut dyn Read, limit: u64) -> Option<Lockfile> {
    let expected = count_requirement_lines(ctx.path, limit);
    let mut p = ReqParser::new(ctx, expected);
    let real = ctx.path.to_path_buf();
    p.chain.push(canonical(&real));
    let mut reader = lines::FileReader::new(&real, ctx.display, FileKind::Requirements);
    let mut src = BufReader::with_capacity(1 << 16, file.take(limit.saturating_add(1)));
    let mut buf = Vec::with_capacity(256);
    // The first two lines, for pip's encoding rules (byte order mark, `coding:`).
    let mut head = Vec::new();
    let mut total = 0u64;
    loop {
        buf.clear();
        let n = src.read_until(b'\n', &mut buf).ok()?;
        total += n as u64;
        if n == 0 || total > limit {
            break;
        }
        let first = total == n as u64;
        if head.len() < 2 {
            head.push(buf.clone());
            if head.len() == 2 {
                check_encoding(&head.concat()).ok()?;
            }
        }
        let mut bytes = &buf[..];
        if first {
            bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        }
        // As `str::lines` ends a line: at `\n`, and a `\r` just before it.
        if let Some(b) = bytes.strip_suffix(b"\n") {
            bytes = b.strip_suffix(b"\r").unwrap_or(b);
        }
        reader.line(&mut p, std::str::from_utf8(bytes).ok()?).ok()?;
    }
    if total > limit || (head.len() < 2 && check_encoding(&head.concat()).is_err()) {
        return None;
    }
    reader.end(&mut p).ok()?;
    p.chain.pop();
    Some(p.finish())
}

/// The number of requirement lines (lines that start with a letter or digit) in the
/// file at `path`, read up to `limit` bytes; 0 when it cannot be read. An estimate
/// for sizing lists: the file is read again for its content.
fn count_requirement_lines(path: &Path, limit: u64) -> usize {
    let Ok(file) = std::fs::File::open(path) else {
        return 0;
    };
    let mut file = file.take(limit);
    let mut counter = LineCounter::default();
    let mut chunk = vec![0u8; 1 << 18];
    while let Ok(n) = file.read(&mut chunk)
        && n > 0
    {
        counter.feed(chunk.get(..n).unwrap_or(&[]));
    }
    counter.count
}

/// Counts the lines that start with a letter or digit (requirement lines) in text
/// given in pieces.
#[derive(Debug)]
struct LineCounter {
    /// The last byte seen was a line break (or none was seen).
    at_start: bool,
    count: usize,
}

impl Default for LineCounter {
    fn default() -> LineCounter {
        LineCounter {
            at_start: true,
            count: 0,
        }
    }
}

impl LineCounter {
    fn feed(&mut self, bytes: &[u8]) {
        let (Some(first), Some(last)) = (bytes.first(), bytes.last()) else {
            return;
        };
        self.count += usize::from(self.at_start && first.is_ascii_alphanumeric());
        self.count += memchr::memchr_iter(b'\n', bytes)
            .filter(|&i| bytes.get(i + 1).is_some_and(u8::is_ascii_alphanumeric))
            .count();
        self.at_start = *last == b'\n';
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum FileKind {
    Requirements,
    Constraints,
}

/// Options that apply to the whole pip run.
#[derive(Debug, Default)]
pub(super) struct Options {
    pub(super) index_url: Option<String>,
    pub(super) extra_index_urls: Vec<String>,
    pub(super) find_links: Vec<String>,
    pub(super) no_index: bool,
}

/// What a `# via` annotation names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Via {
    /// An input file or project (`-r requirements.in`, `name (pyproject.toml)`).
    Root(String),
    /// A package that depends on this one (normalized name).
    Package(String),
}

/// What a package read so far needs until the end, beside the [`Package`] itself.
#[derive(Debug)]
pub(super) struct Meta {
    pub(super) via: List<Via>,
    /// The file it came from looks like a development requirements file.
    pub(super) dev_file: bool,
    /// From the registry the options name: its source is filled in at the end.
    pub(super) from_index: bool,
    /// Position in reading order (constraint-pinned entries are added late).
    pub(super) seq: u32,
}

/// What makes two requirements one package: normalized name, version, and source
/// (`None`: the registry the options name).
pub(super) type Key = (String, String, Option<Source>);

/// A requirement without an exact pin, kept until constraints are known.
#[derive(Debug)]
pub(super) struct Loose {
    pub(super) name: String,
    pub(super) spec: String,
    pub(super) hashes: Vec<Hash>,
    pub(super) file: SharedPath,
    pub(super) line: usize,
    pub(super) via: List<Via>,
    pub(super) dev_file: bool,
    pub(super) seq: usize,
}

pub(super) struct ReqParser<'c, 'a> {
    pub(super) ctx: &'c Context<'a>,
    /// The packages read so far, in reading order (constraint-pinned ones last).
    pub(super) packages: Vec<Package>,
    /// Beside each package, what the end needs of it.
    pub(super) meta: Vec<Meta>,
    /// The `hasher`'s hash of each package's [`Key`] -> its index (the key itself is
    /// not stored: a hit is checked against the package). 12 bytes a slot.
    pub(super) index: HashMap<u64, u32, BuildHasherDefault<Prehashed>>,
    /// Keys whose hash `index` already holds for another key (practically never).
    pub(super) collided: HashMap<Key, usize>,
    pub(super) hasher: RandomState,
    pub(super) unpinned: Vec<Loose>,
    /// normalized name -> (version, hashes) pinned by a constraint file.
    pub(super) constraints: HashMap<String, (String, Vec<Hash>)>,
    pub(super) options: Options,
    /// Canonical paths of the files being read (include chain), for cycle detection.
    pub(super) chain: Vec<PathBuf>,
    /// Files already read completely, with their kind.
    pub(super) done: HashSet<(PathBuf, FileKind)>,
    pub(super) files_read: usize,
    pub(super) seq: usize,
}

impl<'c, 'a> ReqParser<'c, 'a> {
    /// A parser of the file `ctx` names, with room for `expected` packages.
    pub(super) fn new(ctx: &'c Context<'a>, expected: usize) -> ReqParser<'c, 'a> {
        ReqParser {
            ctx,
            packages: Vec::with_capacity(expected),
            meta: Vec::with_capacity(expected),
            index: HashMap::with_capacity_and_hasher(expected, BuildHasherDefault::default()),
            collided: HashMap::new(),
            hasher: RandomState::new(),
            unpinned: Vec::new(),
            constraints: HashMap::new(),
            options: Options::default(),
            chain: Vec::new(),
            done: HashSet::new(),
            files_read: 1,
            seq: 0,
        }
    }
}

/// Where the last requirement's `# via` annotation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ViaState {
    /// No requirement to annotate.
    None,
    /// The last line was this requirement or its annotation (entry or loose index).
    After(Target),
    /// A bare `# via` line was read: `#   name` lines follow.
    List(Target),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Target {
    Entry(usize),
    Loose(usize),
    /// A line whose annotation is not kept (constraint, option).
    Ignored,
}

/// The hasher of a map whose keys are already hashes (the `u64` of a [`Key`]): the
/// key is its own hash, not hashed again.
#[derive(Debug, Default)]
pub(super) struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys are hashed with it; anything else is folded in.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}
