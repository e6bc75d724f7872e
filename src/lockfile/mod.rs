//! The lockfile formats.
//!
//! Every lockfile format has one module here that turns the file's text into a
//! [`Lockfile`]: the list of [`Package`](crate::model::Package)s it pins, each with its hashes, source,
//! line and the shortest dependency path from a root. [`detect`] names the format
//! from the file name and [`parse_file`] reads and parses one file, failing closed:
//! a file that cannot be read completely is a [`ParseError`], never a partial list.

pub mod bun;
pub mod cargo;
pub mod format;
pub(crate) mod git_url;
pub mod github_actions;
pub mod graph;
pub(crate) mod json_stream;
pub mod lines;
pub mod npm;
pub(crate) mod npm_tree;
pub mod pdm;
pub mod pipfile;
pub mod pnpm;
pub mod poetry;
pub mod pylock;
pub(crate) mod python_lock;
pub(crate) mod python_url;
pub mod requirements;
#[cfg(test)]
pub(crate) mod test_support;
pub(crate) mod toml_subset;
pub mod uv;
pub(crate) mod yaml;
pub mod yarn;

pub use format::{Format, Kind};

pub use requirements::in_requirements_folder;
// Transition re-exports: the model moved to [`crate::model`]; import it from there.
pub use crate::model::{Artifact, Ecosystem, Hash, Package, Source, hash, pep503};

use serde::Serialize;
use std::path::{Path, PathBuf};

/// A requirement that a lockfile-like file names without pinning one version
/// (e.g. `requests>=2` in a requirements file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unpinned {
    /// The ecosystem.
    pub ecosystem: Ecosystem,
    /// The name as written.
    pub name: String,
    /// The specifier as written, e.g. `>=2,<3` (empty when there is none).
    pub spec: String,
    /// The file, relative to where the scan started.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
}

/// A parsed lockfile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lockfile {
    /// The file, relative to where the scan started.
    pub path: PathBuf,
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// The format and its version, e.g. `package-lock-v3`, `cargo-lock-v4`, `yarn-berry-v8`.
    pub format: String,
    /// Every distinct package version it pins, in file order.
    pub packages: Vec<Package>,
    /// Requirements it names without pinning (requirements files only).
    pub unpinned: Vec<Unpinned>,
}

/// A lockfile that could not be read completely. Always fails the run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct ParseError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line where the problem is, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub hint: String,
}

impl ParseError {
    /// A parse error with the default hint for the file's format.
    pub fn new(path: &Path, line: Option<usize>, message: impl Into<String>) -> ParseError {
        let hint = match detect(path) {
            Some(kind) => kind.regenerate_hint().to_string(),
            None => "check that the file is a lockfile lockgate supports".to_string(),
        };
        ParseError {
            path: path.to_path_buf(),
            line,
            message: message.into(),
            hint,
        }
    }

    /// Replace the hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> ParseError {
        self.hint = hint.into();
        self
    }
}

/// Every format lockgate recognises, one descriptor each (see [`Format`]). The
/// order is the order of help text and docs/lockfiles.md.
pub static FORMATS: &[&Format] = &[
    &cargo::FORMAT,
    &npm::FORMAT,
    &yarn::FORMAT,
    &pnpm::FORMAT,
    &bun::FORMAT,
    &bun::BINARY_FORMAT,
    &requirements::FORMAT,
    &pipfile::FORMAT,
    &pylock::FORMAT,
    &poetry::FORMAT,
    &uv::FORMAT,
    &pdm::FORMAT,
    &github_actions::FORMAT,
];

/// The lockfile kind for a file name, or `None` when the file is not a lockfile.
pub fn detect(path: &Path) -> Option<Kind> {
    let name = path.file_name()?.to_str()?;
    FORMATS
        .iter()
        .find(|f| (f.matches)(name, path))
        .map(|f| Kind::of(f))
}

/// The file names lockgate reads, as users see them (`requirements*.txt`), in
/// [`FORMATS`] order.
pub fn file_names() -> impl Iterator<Item = &'static str> {
    FORMATS.iter().flat_map(|f| f.names.iter().copied())
}

/// Largest lockfile lockgate reads (bytes). Larger files are refused before reading.
pub const MAX_LOCKFILE_BYTES: u64 = 256 * 1024 * 1024;

/// Lockfiles at least this large are streamed by the formats that can (their text
/// is never held whole; see [`Format::stream`]).
pub const STREAM_FROM_BYTES: u64 = 16 * 1024 * 1024;

/// Read and parse one lockfile.
///
/// `display` is the path to show in output and record in each package (relative to
/// where the scan started); `path` is where to read it. Fails closed: any problem
/// (unreadable, too large, not UTF-8, malformed, unknown format version) is an error.
pub fn parse_file(path: &Path, display: &Path) -> Result<Lockfile, ParseError> {
    parse_file_with(path, display, false)
}

/// [`parse_file`], and with `cargo_metadata` set, `Cargo.lock` files are enriched by
/// `cargo metadata` (exact workspace members, dev-only crates; see
/// [`cargo::parse_with_metadata`]).
pub fn parse_file_with(
    path: &Path,
    display: &Path,
    cargo_metadata: bool,
) -> Result<Lockfile, ParseError> {
    let kind = detect(path)
        .ok_or_else(|| ParseError::new(display, None, "not a lockfile lockgate knows"))?;
    parse_file_as(kind, path, display, cargo_metadata)
}

/// [`parse_file_with`] for a file of a given kind, whatever its name (a `.txt`
/// named on the command line is read as a requirements file).
pub fn parse_file_as(
    kind: Kind,
    path: &Path,
    display: &Path,
    cargo_metadata: bool,
) -> Result<Lockfile, ParseError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| ParseError::new(display, None, format!("cannot read: {e}")))?;
    if !meta.is_file() {
        return Err(ParseError::new(display, None, "is not a regular file"));
    }
    if meta.len() > MAX_LOCKFILE_BYTES {
        return Err(ParseError::new(
            display,
            None,
            format!(
                "is {} MiB, more than the {} MiB lockgate reads",
                meta.len() / (1024 * 1024),
                MAX_LOCKFILE_BYTES / (1024 * 1024)
            ),
        )
        .with_hint("check that this is really a lockfile; lockgate refuses files this large rather than read part of them"));
    }
    let format = kind.format();
    if let Some(message) = format.refused {
        return Err(ParseError::new(display, None, message));
    }
    if let Some(stream) = format.stream
        && meta.len() >= STREAM_FROM_BYTES
    {
        let ctx = Context { path, display };
        let read = std::fs::File::open(path)
            .ok()
            .and_then(|mut f| stream(&ctx, &mut f, MAX_LOCKFILE_BYTES));
        if let Some(lockfile) = read {
            return Ok(lockfile);
        }
        // Not readable as a stream: read the text below, which names the error.
    }
    // Read at most one byte more than the limit: a file that grows after the size
    // check (or reports a wrong size) still cannot make lockgate read without bound.
    // Into this thread's buffer of the last file when it is small: memory already
    // touched, so reading a folder of lockfiles does not fault in fresh pages for each.
    let mut bytes = READ_BUFFER.take();
    bytes.clear();
    bytes.reserve(usize::try_from(meta.len()).unwrap_or(0));
    let lockfile = read_and_parse(kind, path, display, cargo_metadata, &mut bytes);
    if bytes.capacity() <= KEPT_READ_BUFFER {
        READ_BUFFER.set(bytes);
    }
    lockfile
}

thread_local! {
    /// The buffer [`parse_file_as`] read its last file into (see there).
    static READ_BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Largest read buffer kept for the next file (larger ones are freed after their parse).
const KEPT_READ_BUFFER: usize = 4 * 1024 * 1024;

/// Read `path` into `bytes` (empty, with room for the file) and parse it.
fn read_and_parse(
    kind: Kind,
    path: &Path,
    display: &Path,
    cargo_metadata: bool,
    bytes: &mut Vec<u8>,
) -> Result<Lockfile, ParseError> {
    let format = kind.format();
    std::fs::File::open(path)
        .and_then(|f| {
            std::io::Read::read_to_end(&mut std::io::Read::take(f, MAX_LOCKFILE_BYTES + 1), bytes)
        })
        .map_err(|e| ParseError::new(display, None, format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_LOCKFILE_BYTES {
        return Err(ParseError::new(
            display,
            None,
            format!(
                "grew past the {} MiB lockgate reads while being read",
                MAX_LOCKFILE_BYTES / (1024 * 1024)
            ),
        ));
    }
    if let Some(check) = format.check_bytes {
        check(display, bytes)?;
    }
    let text =
        decode_text(bytes).map_err(|(line, msg)| ParseError::new(display, Some(line), msg))?;
    if cargo_metadata && kind == Kind::CargoLock {
        return cargo::parse_with_metadata(&Context { path, display }, text);
    }
    parse_text(kind, path, display, text)
}

/// Parse lockfile text of a known kind. `path` is the real location (requirements
/// files read their `-r` includes relative to it); `display` goes into the output.
pub fn parse_text(
    kind: Kind,
    path: &Path,
    display: &Path,
    text: &str,
) -> Result<Lockfile, ParseError> {
    let ctx = Context { path, display };
    match kind.format().refused {
        Some(message) => Err(ctx.error(None, message)),
        None => (kind.format().parse)(&ctx, text),
    }
}

/// What a format parser knows about the file it parses.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Where the file is on disk (for reading siblings such as `pyproject.toml` or `-r` includes).
    pub path: &'a Path,
    /// The path to record in packages and errors.
    pub display: &'a Path,
}

impl Context<'_> {
    /// A [`ParseError`] for this file.
    pub fn error(&self, line: Option<usize>, message: impl Into<String>) -> ParseError {
        ParseError::new(self.display, line, message)
    }

    /// The directory the lockfile is in.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// A label for the project root: the name of the lockfile's directory.
    pub fn root_label(&self) -> String {
        let dir = self.dir();
        let abs = if dir.as_os_str().is_empty() {
            std::env::current_dir().ok()
        } else {
            dir.canonicalize().ok()
        };
        abs.as_deref()
            .and_then(|d| d.file_name())
            .and_then(|n| n.to_str())
            .unwrap_or("(root)")
            .to_string()
    }
}

/// Decode lockfile bytes as UTF-8 (a leading BOM is skipped). On failure, the
/// 1-based line of the first invalid byte and a message.
pub fn decode_text(bytes: &[u8]) -> Result<&str, (usize, String)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        (
            line,
            format!("is not valid UTF-8 (invalid byte at offset {at})"),
        )
    })
}

impl crate::hint::Hint for ParseError {
    fn hints(&self) -> Vec<String> {
        vec![self.hint.clone()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detect_knows_every_lockfile_name() {
        for (name, kind) in [
            ("Cargo.lock", Kind::CargoLock),
            ("npm-shrinkwrap.json", Kind::PackageLock),
            ("requirements-dev.txt", Kind::Requirements),
            ("pylock.dev.toml", Kind::Pylock),
            ("bun.lockb", Kind::BunLockb),
        ] {
            assert_eq!(detect(Path::new(name)), Some(kind), "{name}");
        }
        assert_eq!(detect(Path::new("package.json")), None);
        assert_eq!(detect(Path::new("notes.txt")), None);
    }

    #[test]
    fn invalid_utf8_names_its_line() {
        let (line, _) = decode_text(b"a\nb\n\xff").unwrap_err();
        assert_eq!(line, 3);
        assert_eq!(decode_text(b"\xEF\xBB\xBFok").unwrap(), "ok");
    }
}
