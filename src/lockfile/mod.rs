//! The package model and the lockfile formats.
//!
//! Every lockfile format has one module here that turns the file's text into a
//! [`Lockfile`]: the list of [`Package`]s it pins, each with its hashes, source,
//! line and the shortest dependency path from a root. [`detect`] names the format
//! from the file name and [`parse_file`] reads and parses one file, failing closed:
//! a file that cannot be read completely is a [`ParseError`], never a partial list.

pub mod bun;
pub mod cargo;
pub mod format;
pub mod graph;
pub mod hash;
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
pub mod uv;
pub(crate) mod yaml;
pub mod yarn;

pub use format::{Format, Kind};
pub use hash::Hash;
pub use requirements::in_requirements_folder;

use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// The package ecosystems lockgate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    /// Rust crates (crates.io and other cargo registries).
    Cargo,
    /// JavaScript packages (the npm registry), whichever client locked them.
    Npm,
    /// Python distributions (PyPI and other simple-API indexes).
    Pypi,
}

impl Ecosystem {
    /// Every ecosystem, in output order.
    pub const ALL: [Ecosystem; 3] = [Ecosystem::Cargo, Ecosystem::Npm, Ecosystem::Pypi];

    /// The lowercase name used in output and in `allowlist.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Cargo => "cargo",
            Ecosystem::Npm => "npm",
            Ecosystem::Pypi => "pypi",
        }
    }

    /// Parse `cargo`, `npm` or `pypi` (also `crates.io`, `crates`, `PyPI`).
    pub fn parse(s: &str) -> Option<Ecosystem> {
        match s.to_ascii_lowercase().as_str() {
            "cargo" | "crates" | "crates.io" | "crates-io" | "rust" => Some(Ecosystem::Cargo),
            "npm" | "node" | "js" => Some(Ecosystem::Npm),
            "pypi" | "python" | "pip" | "py" => Some(Ecosystem::Pypi),
            _ => None,
        }
    }

    /// The name as the ecosystem compares it: PEP 503 for PyPI (lowercase, runs of
    /// `-`, `_`, `.` become `-`), lowercase with `_` as `-` for cargo, unchanged for npm.
    pub fn normalize(self, name: &str) -> String {
        match self {
            Ecosystem::Pypi => pep503(name),
            Ecosystem::Cargo => name.to_ascii_lowercase().replace('_', "-"),
            Ecosystem::Npm => name.to_string(),
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// PEP 503 normalization: lowercase, and every run of `-`, `_`, `.` becomes one `-`.
pub fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_sep {
                out.push('-');
            }
            in_sep = true;
        } else {
            out.extend(c.to_lowercase());
            in_sep = false;
        }
    }
    out
}

/// Where a package comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// A package registry; `None` is the ecosystem's default registry
    /// (crates.io, registry.npmjs.org, pypi.org), `Some(url)` another one.
    Registry(Option<String>),
    /// A git repository, with the commit or ref the lockfile records.
    Git {
        /// Repository URL as written.
        url: String,
        /// Commit, tag or branch, if recorded.
        rev: Option<String>,
    },
    /// A local directory or file.
    Path(String),
    /// A direct URL to an archive.
    Url(String),
}

impl Source {
    /// The kind, as in output and policy: `registry`, `git`, `path` or `url`.
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Registry(_) => "registry",
            Source::Git { .. } => "git",
            Source::Path(_) => "path",
            Source::Url(_) => "url",
        }
    }

    /// The location as written in the lockfile, if any (registry URL, git URL, path, URL).
    pub fn location(&self) -> Option<String> {
        match self {
            Source::Registry(url) => url.clone(),
            Source::Git { url, rev } => Some(match rev {
                Some(rev) => format!("{url}#{rev}"),
                None => url.clone(),
            }),
            Source::Path(p) => Some(p.clone()),
            Source::Url(u) => Some(u.clone()),
        }
    }
}

/// One distinct package version that a lockfile pins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    /// The ecosystem it belongs to.
    pub ecosystem: Ecosystem,
    /// The name as the lockfile writes it (npm scopes kept: `@types/node`).
    pub name: String,
    /// The version as the lockfile writes it.
    pub version: String,
    /// Every hash the lockfile records for this version, canonical and sorted.
    pub hashes: Vec<Hash>,
    /// `registry`, `git`, `path` or `url`.
    #[serde(rename = "source", serialize_with = "ser_source_kind")]
    pub source: Source,
    /// The lockfile, as a path relative to where the scan started.
    pub lockfile: PathBuf,
    /// 1-based line of the package's entry in the lockfile.
    pub line: usize,
    /// True when a root (the project or a workspace member) depends on it directly.
    pub direct: bool,
    /// True when only development dependencies lead to it.
    pub dev: bool,
    /// True when only optional dependencies lead to it.
    pub optional: bool,
    /// The shortest chain of names from a root to this package, root first.
    pub path: Vec<String>,
    /// The files the lockfile names for this version (a tarball, an sdist, each
    /// wheel), each with its own URL: the source policy applies to every one. Not in
    /// the JSON output (`hashes` is the union of their hashes).
    #[serde(skip)]
    pub artifacts: Vec<Artifact>,
}

/// One file of a package version as the lockfile names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Artifact {
    /// The URL the installer downloads it from, as written (`None` when the lockfile
    /// gives only a file name, or the file comes from the package's registry by name).
    pub url: Option<String>,
    /// The file name, when the lockfile gives one apart from the URL
    /// (poetry's `file`, pdm's `file`, pylock's `name`).
    pub filename: Option<String>,
    /// The hashes the lockfile gives for this file (empty when it gives none).
    pub hashes: Vec<Hash>,
    /// 1-based line in the lockfile where the file is named.
    pub line: usize,
}

impl Artifact {
    /// An artifact downloaded from `url` (if known), named at `line`, with its hashes.
    pub fn new(url: Option<String>, hashes: Vec<Hash>, line: usize) -> Artifact {
        Artifact {
            url,
            filename: None,
            hashes,
            line,
        }
    }

    /// The file name: the explicit one, else the last path segment of the URL
    /// (without query or fragment).
    pub fn file_name(&self) -> Option<&str> {
        if let Some(f) = &self.filename {
            return Some(f.as_str());
        }
        let url = self.url.as_deref()?;
        let url = url.split(['?', '#']).next().unwrap_or(url);
        url.rsplit('/').next().filter(|f| !f.is_empty())
    }
}

fn ser_source_kind<S: serde::Serializer>(src: &Source, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(src.kind())
}

impl Package {
    /// A package with the facts every lockfile gives; the optional ones start empty
    /// (no hashes, no artifacts, not direct, not dev, not optional, no path).
    pub fn new(
        ecosystem: Ecosystem,
        name: impl Into<String>,
        version: impl Into<String>,
        source: Source,
        lockfile: impl Into<PathBuf>,
        line: usize,
    ) -> Package {
        Package {
            ecosystem,
            name: name.into(),
            version: version.into(),
            hashes: Vec::new(),
            source,
            lockfile: lockfile.into(),
            line,
            direct: false,
            dev: false,
            optional: false,
            path: Vec::new(),
            artifacts: Vec::new(),
        }
    }

    /// The name as the ecosystem compares it (see [`Ecosystem::normalize`]).
    pub fn normalized_name(&self) -> String {
        self.ecosystem.normalize(&self.name)
    }
}

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
    // Read at most one byte more than the limit: a file that grows after the size
    // check (or reports a wrong size) still cannot make lockgate read without bound.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    std::fs::File::open(path)
        .and_then(|f| {
            std::io::Read::read_to_end(
                &mut std::io::Read::take(f, MAX_LOCKFILE_BYTES + 1),
                &mut bytes,
            )
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
        check(display, &bytes)?;
    }
    let text =
        decode_text(&bytes).map_err(|(line, msg)| ParseError::new(display, Some(line), msg))?;
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
    fn pep503_normalizes_runs_of_separators() {
        assert_eq!(pep503("Django_REST.framework"), "django-rest-framework");
        assert_eq!(pep503("a__-.b"), "a-b");
        assert_eq!(pep503(&pep503("Foo._Bar")), pep503("Foo._Bar"));
    }

    #[test]
    fn cargo_names_compare_with_dash_and_underscore_alike() {
        assert_eq!(Ecosystem::Cargo.normalize("Serde_JSON"), "serde-json");
        assert_eq!(Ecosystem::Npm.normalize("@Types/Node"), "@Types/Node");
    }

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
