//! The descriptor every lockfile format module exports, and [`Kind`], the handle
//! the rest of the crate passes around.
//!
//! A format's facts (which file names it takes, its ecosystem, the command that
//! rewrites it, its parser) are written once, in its own module, as a
//! `pub static FORMAT: Format`. `super::FORMATS` lists them; everything else
//! (detection, hints, help text, discovery, the generated docs) reads that list.

use super::{Context, Ecosystem, Lockfile, ParseError};
use std::fmt;
use std::path::Path;

/// A format's parser: the file's text (decoded) to its packages.
pub type ParseFn = fn(&Context<'_>, &str) -> Result<Lockfile, ParseError>;

/// A format's reader of a file as a stream (never holding its text): the file, read
/// to at most the given number of bytes; `None` when it cannot be read so (the file
/// is then read as text and parsed, which names the error).
pub type StreamFn = fn(&Context<'_>, &mut dyn std::io::Read, u64) -> Option<Lockfile>;

/// A check of a file's raw bytes: the path to show, the bytes.
pub type CheckBytesFn = fn(&Path, &[u8]) -> Result<(), ParseError>;

/// Everything lockgate knows about one lockfile format.
#[derive(Debug)]
pub struct Format {
    /// A short, unique id (`cargo`, `npm`, `bun-lockb`, …).
    pub id: &'static str,
    /// The Rust module that implements it (`module_path!()`); its module doc is the
    /// format's section of docs/lockfiles.md.
    pub module: &'static str,
    /// The file names as users see them in help text and hints (`requirements*.txt`);
    /// empty for a file lockgate recognises only to refuse it (`bun.lockb`).
    pub names: &'static [&'static str],
    /// The file-name test: the file's name (UTF-8) and its whole path.
    pub matches: fn(name: &str, path: &Path) -> bool,
    /// The ecosystem of every package it pins.
    pub ecosystem: Ecosystem,
    /// What to do when the file cannot be read: the command that rewrites it.
    pub regenerate: &'static str,
    /// The parser.
    pub parse: ParseFn,
    /// A reader that streams the file instead of reading its text (large lockfiles).
    pub stream: Option<StreamFn>,
    /// A check of the raw bytes before they are decoded as UTF-8 (requirements files
    /// refuse encodings pip would read differently); the error carries its own hint.
    pub check_bytes: Option<CheckBytesFn>,
    /// `Some(message)`: the file is recognised but never read (a binary format);
    /// every such file is a [`ParseError`] with this message.
    pub refused: Option<&'static str>,
}

impl Format {
    /// A format read by `parse`, with no file names yet (see [`Format::files`]).
    pub const fn new(
        id: &'static str,
        module: &'static str,
        ecosystem: Ecosystem,
        parse: ParseFn,
    ) -> Format {
        Format {
            id,
            module,
            names: &[],
            matches: |_, _| false,
            ecosystem,
            regenerate: "",
            parse,
            stream: None,
            check_bytes: None,
            refused: None,
        }
    }

    /// The file names users see, and the test that takes a file by its name.
    pub const fn files(
        self,
        names: &'static [&'static str],
        matches: fn(&str, &Path) -> bool,
    ) -> Format {
        Format {
            names,
            matches,
            ..self
        }
    }

    /// What to do when the file cannot be read.
    pub const fn hint(self, regenerate: &'static str) -> Format {
        Format { regenerate, ..self }
    }

    /// Stream the file with `stream` (the `stream` field).
    pub const fn with_stream(self, stream: StreamFn) -> Format {
        Format {
            stream: Some(stream),
            ..self
        }
    }

    /// Check the raw bytes before decoding (the `check_bytes` field).
    pub const fn with_check_bytes(self, check: CheckBytesFn) -> Format {
        Format {
            check_bytes: Some(check),
            ..self
        }
    }

    /// Recognise the file only to refuse it with `message`.
    pub const fn refuse(self, message: &'static str) -> Format {
        Format {
            refused: Some(message),
            ..self
        }
    }

    /// Parse `text` as if read from `path` (unit tests of the format modules).
    #[cfg(test)]
    pub(crate) fn parse_at(&self, path: &str, text: &str) -> Result<Lockfile, ParseError> {
        let path = Path::new(path);
        let display = Path::new(path.file_name().unwrap_or(path.as_os_str()));
        (self.parse)(&Context { path, display }, text)
    }
}

/// Declares `pub static FORMAT` for a format read by the module's `parse` that takes
/// exactly one file name (`uv.lock`) and is rewritten by one command:
/// `one_file_format!("uv", Pypi, "uv.lock", "uv lock")`.
macro_rules! one_file_format {
    ($id:literal, $ecosystem:ident, $file:literal, $command:literal) => {
        #[doc = concat!("The `", $id, "` format: its file names, ecosystem, regenerate hint and parser.")]
        pub static FORMAT: $crate::lockfile::Format = $crate::lockfile::Format::new(
            $id,
            module_path!(),
            $crate::lockfile::Ecosystem::$ecosystem,
            parse,
        )
        .files(&[$file], |name, _| name == $file)
        .hint(concat!("regenerate it with `", $command, "` (or restore it from git)"));
    };
}
pub(crate) use one_file_format;

/// A lockfile format, as detection names it: a handle on its [`Format`] descriptor.
///
/// Two kinds are equal when they are the same format. The associated constants
/// (`Kind::CargoLock`, …) name the formats for callers that pick one by hand; a new
/// format needs none.
#[derive(Clone, Copy)]
pub struct Kind(&'static Format);

#[allow(non_upper_case_globals)]
impl Kind {
    /// `Cargo.lock`
    pub const CargoLock: Kind = Kind(&super::cargo::FORMAT);
    /// `package-lock.json` or `npm-shrinkwrap.json`
    pub const PackageLock: Kind = Kind(&super::npm::FORMAT);
    /// `yarn.lock` (classic or berry; told apart by content)
    pub const YarnLock: Kind = Kind(&super::yarn::FORMAT);
    /// `pnpm-lock.yaml`
    pub const PnpmLock: Kind = Kind(&super::pnpm::FORMAT);
    /// `bun.lock` (text)
    pub const BunLock: Kind = Kind(&super::bun::FORMAT);
    /// `bun.lockb` (binary; not readable, always an error)
    pub const BunLockb: Kind = Kind(&super::bun::BINARY_FORMAT);
    /// `requirements*.txt`
    pub const Requirements: Kind = Kind(&super::requirements::FORMAT);
    /// `poetry.lock`
    pub const PoetryLock: Kind = Kind(&super::poetry::FORMAT);
    /// `Pipfile.lock`
    pub const PipfileLock: Kind = Kind(&super::pipfile::FORMAT);
    /// `uv.lock`
    pub const UvLock: Kind = Kind(&super::uv::FORMAT);
    /// `pdm.lock`
    pub const PdmLock: Kind = Kind(&super::pdm::FORMAT);
    /// `pylock.toml` and `pylock.<name>.toml` (PEP 751)
    pub const Pylock: Kind = Kind(&super::pylock::FORMAT);
}

impl Kind {
    /// The kind of a format descriptor.
    pub const fn of(format: &'static Format) -> Kind {
        Kind(format)
    }

    /// The format's descriptor.
    pub fn format(self) -> &'static Format {
        self.0
    }

    /// The ecosystem of this kind of lockfile.
    pub fn ecosystem(self) -> Ecosystem {
        self.0.ecosystem
    }

    /// The command that rewrites a lockfile of this kind.
    pub fn regenerate_hint(self) -> &'static str {
        self.0.regenerate
    }
}

impl PartialEq for Kind {
    fn eq(&self, other: &Kind) -> bool {
        self.0.id == other.0.id
    }
}

impl Eq for Kind {}

impl std::hash::Hash for Kind {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.id.hash(state);
    }
}

impl fmt::Debug for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kind({})", self.0.id)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{FORMATS, detect};
    use std::path::Path;

    #[test]
    fn ids_are_unique_and_each_name_has_one_format() {
        for (i, a) in FORMATS.iter().enumerate() {
            assert!(FORMATS[..i].iter().all(|b| b.id != a.id), "{}", a.id);
        }
        for name in [
            "Cargo.lock",
            "package-lock.json",
            "npm-shrinkwrap.json",
            "yarn.lock",
            "pnpm-lock.yaml",
            "bun.lock",
            "bun.lockb",
            "requirements.txt",
            "requirements.lock",
            "requirements/uv.lock",
            "requirements/pylock.toml",
            "poetry.lock",
            "Pipfile.lock",
            "uv.lock",
            "pdm.lock",
            "pylock.toml",
            "pylock.dev.toml",
            ".github/workflows/ci.yml",
            "action.yml",
        ] {
            let path = Path::new(name);
            let file = path.file_name().unwrap().to_str().unwrap();
            let n = FORMATS.iter().filter(|f| (f.matches)(file, path)).count();
            assert_eq!(n, 1, "{name} is claimed by {n} formats");
        }
    }

    #[test]
    fn every_listed_name_is_detected_as_its_format() {
        for f in FORMATS {
            for name in f.names {
                let name = name.replace('*', "-dev");
                let kind = detect(Path::new(&name)).unwrap_or_else(|| panic!("{name}"));
                assert_eq!(kind.format().id, f.id, "{name}");
            }
        }
    }
}
