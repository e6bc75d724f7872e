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

use super::graph::{self, Root};
use super::{Context, Kind, Lockfile, ParseError, Unpinned};
use crate::model::hash::Hash;
use crate::model::{Ecosystem, Package, Source, pep503};
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

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
fn coding_declaration(line: &[u8]) -> Option<&[u8]> {
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
fn is_utf8_codec(name: &str) -> bool {
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

/// How many files (the lockfile and its includes) one parse reads at most.
const MAX_FILES: usize = 256;

/// Parse a requirements file and every file it includes.
pub fn parse(ctx: &Context<'_>, text: &str) -> Result<Lockfile, ParseError> {
    let mut p = ReqParser {
        ctx,
        entries: Vec::new(),
        index: HashMap::new(),
        unpinned: Vec::new(),
        constraints: HashMap::new(),
        options: Options::default(),
        chain: Vec::new(),
        done: HashSet::new(),
        files_read: 1,
        seq: 0,
    };
    let real = ctx.path.to_path_buf();
    p.chain.push(canonical(&real));
    p.parse_text(&real, ctx.display, text, FileKind::Requirements)?;
    p.chain.pop();
    Ok(p.finish())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum FileKind {
    Requirements,
    Constraints,
}

/// Options that apply to the whole pip run.
#[derive(Debug, Default)]
struct Options {
    index_url: Option<String>,
    extra_index_urls: Vec<String>,
    find_links: Vec<String>,
    no_index: bool,
}

/// What a `# via` annotation names.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Via {
    /// An input file or project (`-r requirements.in`, `name (pyproject.toml)`).
    Root(String),
    /// A package that depends on this one (normalized name).
    Package(String),
}

/// One package in the making.
#[derive(Debug)]
struct Entry {
    name: String,
    version: String,
    hashes: Vec<Hash>,
    /// `None`: from the registry the options name (filled in at the end).
    source: Option<Source>,
    file: PathBuf,
    line: usize,
    via: Vec<Via>,
    /// The file it came from looks like a development requirements file.
    dev_file: bool,
    /// Position in reading order (constraint-pinned entries are added late).
    seq: usize,
}

/// A requirement without an exact pin, kept until constraints are known.
#[derive(Debug)]
struct Loose {
    name: String,
    spec: String,
    hashes: Vec<Hash>,
    file: PathBuf,
    line: usize,
    via: Vec<Via>,
    dev_file: bool,
    seq: usize,
}

struct ReqParser<'c, 'a> {
    ctx: &'c Context<'a>,
    entries: Vec<Entry>,
    /// (normalized name, version, source) -> entry index.
    index: HashMap<(String, String, Option<Source>), usize>,
    unpinned: Vec<Loose>,
    /// normalized name -> (version, hashes) pinned by a constraint file.
    constraints: HashMap<String, (String, Vec<Hash>)>,
    options: Options,
    /// Canonical paths of the files being read (include chain), for cycle detection.
    chain: Vec<PathBuf>,
    /// Files already read completely, with their kind.
    done: HashSet<(PathBuf, FileKind)>,
    files_read: usize,
    seq: usize,
}

/// Where the last requirement's `# via` annotation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ViaState {
    /// No requirement to annotate.
    None,
    /// The last line was this requirement or its annotation (entry or loose index).
    After(Target),
    /// A bare `# via` line was read: `#   name` lines follow.
    List(Target),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Entry(usize),
    Loose(usize),
    /// A line whose annotation is not kept (constraint, option).
    Ignored,
}

/// One logical line: physical lines joined, comment removed.
struct Logical {
    line: usize,
    content: String,
    comment: Option<String>,
}

/// pip's `COMMENT_RE` (`(^|\s+)#.*$`): byte offset of the comment in `line`, if any.
fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut i = 0;
    while let Some(off) = line.get(i..).and_then(|s| s.find('#')) {
        let at = i + off;
        if at == 0 || bytes.get(at - 1).is_some_and(|b| b.is_ascii_whitespace()) {
            // Back up over the white space before it (part of the comment for pip).
            let mut s = at;
            while s > 0 && bytes.get(s - 1).is_some_and(|b| b.is_ascii_whitespace()) {
                s -= 1;
            }
            return Some(s);
        }
        i = at + 1;
    }
    None
}

fn is_comment_line(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// Words of a file name (split at anything not alphanumeric), lowercase.
fn is_dev_name(name: &str) -> bool {
    let base = Path::new(name)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(name)
        .to_ascii_lowercase();
    base.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
        matches!(
            w,
            "dev" | "devel" | "develop" | "development" | "test" | "tests" | "testing"
        )
    })
}

fn canonical(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

/// Join `rel` to `base` (a directory) lexically, removing `.` and resolving `..`.
fn join_lexical(base: &Path, rel: &str) -> PathBuf {
    let mut out = PathBuf::new();
    let rel = Path::new(rel);
    let full = if rel.is_absolute() {
        rel.to_path_buf()
    } else {
        base.join(rel)
    };
    for c in full.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

impl<'c, 'a> ReqParser<'c, 'a> {
    fn err(&self, display: &Path, line: Option<usize>, msg: impl Into<String>) -> ParseError {
        ParseError::new(display, line, msg).with_hint(Kind::Requirements.regenerate_hint())
    }

    fn parse_text(
        &mut self,
        real: &Path,
        display: &Path,
        text: &str,
        kind: FileKind,
    ) -> Result<(), ParseError> {
        let dev_file = is_dev_name(&display.to_string_lossy());
        let mut via = ViaState::None;
        let mut pending: Option<(usize, String)> = None;
        let mut logical: Vec<Logical> = Vec::new();
        // Pass 1 (pip's join_lines): physical -> logical lines. Comment-only lines are
        // kept as logical lines with empty content so annotations can be read in order.
        for (i, raw) in text.lines().enumerate() {
            let no = i + 1;
            let comment_line = is_comment_line(raw);
            if !raw.ends_with('\\') || comment_line {
                let joined = match pending.take() {
                    Some((first, mut acc)) => {
                        if comment_line {
                            // The comment ends the continuation: yield what came before.
                            logical.push(Logical {
                                line: first,
                                content: acc,
                                comment: None,
                            });
                            (no, String::new())
                        } else {
                            acc.push_str(raw);
                            (first, acc)
                        }
                    }
                    None => (
                        no,
                        if comment_line {
                            String::new()
                        } else {
                            raw.to_string()
                        },
                    ),
                };
                let (first, content) = joined;
                let (content, comment) = if comment_line {
                    (content, Some(raw.trim_start().to_string()))
                } else {
                    match comment_start(&content) {
                        Some(at) => {
                            let c = content.get(at..).unwrap_or("").trim_start().to_string();
                            (content.get(..at).unwrap_or("").to_string(), Some(c))
                        }
                        None => (content, None),
                    }
                };
                logical.push(Logical {
                    line: first,
                    content,
                    comment,
                });
            } else {
                let part = raw.trim_matches('\\');
                match &mut pending {
                    Some((_, acc)) => acc.push_str(part),
                    None => pending = Some((no, part.to_string())),
                }
            }
        }
        if let Some((first, acc)) = pending.take() {
            logical.push(Logical {
                line: first,
                content: acc,
                comment: None,
            });
        }

        // Pass 2: each logical line.
        for l in logical {
            let content = l.content.trim();
            if content.is_empty() {
                via = match (&l.comment, via) {
                    (Some(c), state) => self.annotate(c, state),
                    (None, _) => ViaState::None,
                };
                continue;
            }
            let target = self.line(real, display, l.line, content, kind, dev_file)?;
            via = ViaState::After(target);
            if let Some(c) = &l.comment {
                via = self.annotate(c, via);
            }
        }
        Ok(())
    }

    /// Read a comment line in the light of the annotation state.
    fn annotate(&mut self, comment: &str, state: ViaState) -> ViaState {
        let body = comment.strip_prefix('#').unwrap_or(comment);
        let trimmed = body.trim();
        match state {
            ViaState::After(t) => {
                if let Some(rest) = trimmed.strip_prefix("via") {
                    if rest.is_empty() {
                        return ViaState::List(t);
                    }
                    if rest.starts_with(char::is_whitespace) {
                        for item in rest.split(',') {
                            self.add_via(t, item);
                        }
                        return ViaState::After(t);
                    }
                }
                ViaState::After(t)
            }
            ViaState::List(t) => {
                if body.starts_with(char::is_whitespace) && !trimmed.is_empty() {
                    self.add_via(t, trimmed);
                    ViaState::List(t)
                } else {
                    ViaState::None
                }
            }
            ViaState::None => ViaState::None,
        }
    }

    fn add_via(&mut self, t: Target, item: &str) {
        let item = item.trim();
        if item.is_empty() {
            return;
        }
        let via = if let Some(file) = item
            .strip_prefix("-r ")
            .or_else(|| item.strip_prefix("--requirement "))
        {
            Via::Root(file.trim().to_string())
        } else if item.starts_with("-c ") || item.starts_with("--constraint ") {
            return;
        } else if let Some((name, _)) = item.split_once(" (") {
            // `project (pyproject.toml)`, `project (setup.cfg)`
            Via::Root(name.trim().to_string())
        } else if item.starts_with('-') {
            return;
        } else {
            Via::Package(pep503(item.split('[').next().unwrap_or(item)))
        };
        let list = match t {
            Target::Entry(i) => self.entries.get_mut(i).map(|e| &mut e.via),
            Target::Loose(i) => self.unpinned.get_mut(i).map(|e| &mut e.via),
            Target::Ignored => None,
        };
        if let Some(list) = list
            && !list.contains(&via)
        {
            list.push(via);
        }
    }

    /// Handle one logical line (comment removed, trimmed, non-empty).
    fn line(
        &mut self,
        real: &Path,
        display: &Path,
        line: usize,
        content: &str,
        kind: FileKind,
        dev_file: bool,
    ) -> Result<Target, ParseError> {
        let (args, opts) = break_args_options(content);
        let tokens = shlex(&opts).map_err(|m| self.err(display, Some(line), m))?;
        let mut hashes = Vec::new();
        let mut editable: Option<String> = None;
        let mut it = tokens.into_iter().peekable();
        let is_req = !args.is_empty();
        while let Some(tok) = it.next() {
            let (opt, inline) = match tok.split_once('=') {
                Some((o, v)) if o.starts_with("--") => (o.to_string(), Some(v.to_string())),
                _ => (tok.clone(), None),
            };
            // Short options may carry their value attached: `-rfile`.
            let (opt, inline) = match opt.as_str() {
                // (Only when the option letter is one byte: `-é…` is no short option.)
                o if !o.starts_with("--")
                    && o.len() > 2
                    && o.starts_with('-')
                    && o.is_char_boundary(2) =>
                {
                    let (a, b) = o.split_at(2);
                    (a.to_string(), Some(b.to_string()))
                }
                _ => (opt, inline),
            };
            let takes_value = matches!(
                opt.as_str(),
                "-r" | "--requirement"
                    | "-c"
                    | "--constraint"
                    | "-e"
                    | "--editable"
                    | "-i"
                    | "--index-url"
                    | "--extra-index-url"
                    | "-f"
                    | "--find-links"
                    | "--trusted-host"
                    | "--no-binary"
                    | "--only-binary"
                    | "--use-feature"
                    | "--hash"
                    | "--global-option"
                    | "--config-settings"
                    | "-C"
            );
            let is_flag = matches!(
                opt.as_str(),
                "--no-index" | "--pre" | "--prefer-binary" | "--require-hashes"
            );
            if !takes_value && !is_flag {
                return Err(self.err(
                    display,
                    Some(line),
                    format!("unknown option `{tok}` (pip rejects it too)"),
                ));
            }
            let value = if takes_value {
                match inline.or_else(|| it.next()) {
                    Some(v) if !v.is_empty() => Some(v),
                    _ => {
                        return Err(self.err(
                            display,
                            Some(line),
                            format!("option `{opt}` needs a value"),
                        ));
                    }
                }
            } else {
                if inline.is_some() {
                    return Err(self.err(
                        display,
                        Some(line),
                        format!("option `{opt}` takes no value"),
                    ));
                }
                None
            };
            let value = value.unwrap_or_default();
            let per_requirement = matches!(
                opt.as_str(),
                "--hash" | "--global-option" | "--config-settings" | "-C"
            );
            if is_req && !per_requirement {
                return Err(self.err(
                    display,
                    Some(line),
                    format!("option `{opt}` cannot follow a requirement on the same line (pip ignores it there); put it on a line of its own"),
                ));
            }
            match opt.as_str() {
                "--hash" => {
                    let h = parse_pip_hash(&value).map_err(|m| self.err(display, Some(line), m))?;
                    hashes.push(h);
                }
                "-r" | "--requirement" => {
                    self.include(real, display, line, &value, FileKind::Requirements)?
                }
                "-c" | "--constraint" => {
                    self.include(real, display, line, &value, FileKind::Constraints)?
                }
                "-e" | "--editable" => {
                    if editable.is_some() {
                        return Err(self.err(
                            display,
                            Some(line),
                            "two `-e` requirements on one line",
                        ));
                    }
                    editable = Some(value);
                }
                "-i" | "--index-url" => self.options.index_url = Some(redact(&value)),
                "--extra-index-url" => self.options.extra_index_urls.push(redact(&value)),
                "-f" | "--find-links" => self.options.find_links.push(redact(&value)),
                "--no-index" => self.options.no_index = true,
                _ => {}
            }
        }
        let base = real.parent().unwrap_or(Path::new("."));
        if let Some(e) = editable {
            let req = parse_url_or_path(&e, true, base, None)
                .map_err(|m| self.err(display, Some(line), m))?;
            return Ok(self.add(req, hashes, kind, display, line, dev_file));
        }
        if !is_req {
            if !hashes.is_empty() {
                return Err(self.err(
                    display,
                    Some(line),
                    "`--hash` with no requirement on its line (is the `\\` missing at the end of the line before?)",
                ));
            }
            return Ok(Target::Ignored);
        }
        let req = parse_requirement(&args, base).map_err(|m| self.err(display, Some(line), m))?;
        Ok(self.add(req, hashes, kind, display, line, dev_file))
    }

    fn add(
        &mut self,
        req: Req,
        mut hashes: Vec<Hash>,
        kind: FileKind,
        display: &Path,
        line: usize,
        dev_file: bool,
    ) -> Target {
        hashes.extend(req.hashes);
        let key_name = pep503(&req.name);
        self.seq += 1;
        let seq = self.seq;
        if kind == FileKind::Constraints {
            if let (Some(v), None) = (&req.version, &req.source) {
                let slot = self
                    .constraints
                    .entry(key_name)
                    .or_insert_with(|| (v.clone(), Vec::new()));
                if &slot.0 == v {
                    slot.1.extend(hashes);
                }
            }
            return Target::Ignored;
        }
        let Some(version) = req
            .version
            .or_else(|| req.source.as_ref().map(|_| String::new()))
        else {
            self.unpinned.push(Loose {
                name: req.name,
                spec: req.spec,
                hashes,
                file: display.to_path_buf(),
                line,
                via: Vec::new(),
                dev_file,
                seq,
            });
            return Target::Loose(self.unpinned.len() - 1);
        };
        let key = (key_name, version.clone(), req.source.clone());
        if let Some(&i) = self.index.get(&key) {
            if let Some(e) = self.entries.get_mut(i) {
                e.hashes.extend(hashes);
            }
            return Target::Entry(i);
        }
        self.entries.push(Entry {
            name: req.name,
            version,
            hashes,
            source: req.source,
            file: display.to_path_buf(),
            line,
            via: Vec::new(),
            dev_file,
            seq,
        });
        let i = self.entries.len() - 1;
        self.index.insert(key, i);
        Target::Entry(i)
    }

    fn include(
        &mut self,
        real: &Path,
        display: &Path,
        line: usize,
        target: &str,
        kind: FileKind,
    ) -> Result<(), ParseError> {
        let what = if kind == FileKind::Constraints {
            "constraint"
        } else {
            "requirements"
        };
        if target.contains("://") {
            return Err(self.err(
                display,
                Some(line),
                format!("the {what} file `{target}` is remote; lockgate reads only local files (download it and commit it)"),
            ));
        }
        if target.contains("${") {
            return Err(self.err(
                display,
                Some(line),
                format!("the {what} file `{target}` names an environment variable, which lockgate does not expand"),
            ));
        }
        let base_real = real.parent().unwrap_or(Path::new("."));
        let base_disp = display.parent().unwrap_or(Path::new(""));
        let inc_real = base_real.join(target);
        let inc_disp = join_lexical(base_disp, target);
        let canon = canonical(&inc_real);
        if self.chain.contains(&canon) {
            return Err(self.err(
                display,
                Some(line),
                format!("include cycle: `{target}` is already being read (it includes this file, directly or not)"),
            ));
        }
        if self.done.contains(&(canon.clone(), kind)) {
            return Ok(());
        }
        self.files_read += 1;
        if self.files_read > MAX_FILES {
            return Err(self.err(
                display,
                Some(line),
                format!("more than {MAX_FILES} included files"),
            ));
        }
        let meta = std::fs::metadata(&inc_real).map_err(|e| {
            self.err(
                display,
                Some(line),
                format!("cannot read the {what} file `{target}`: {e}"),
            )
        })?;
        if !meta.is_file() || meta.len() > super::MAX_LOCKFILE_BYTES {
            return Err(self.err(
                display,
                Some(line),
                format!("the {what} file `{target}` is not a regular file of a readable size"),
            ));
        }
        let bytes = std::fs::read(&inc_real).map_err(|e| {
            self.err(
                display,
                Some(line),
                format!("cannot read the {what} file `{target}`: {e}"),
            )
        })?;
        check_encoding(&bytes)
            .map_err(|(l, m)| self.err(&inc_disp, Some(l), m).with_hint(ENCODING_HINT))?;
        let text = super::decode_text(&bytes).map_err(|(l, m)| self.err(&inc_disp, Some(l), m))?;
        self.chain.push(canon.clone());
        let r = self.parse_text(&inc_real, &inc_disp, text, kind);
        self.chain.pop();
        r?;
        self.done.insert((canon, kind));
        Ok(())
    }

    fn registry(&self) -> Option<String> {
        let non_default = |u: &String| !is_pypi(u);
        if self.options.no_index {
            return self.options.find_links.first().cloned();
        }
        if let Some(u) = self.options.index_url.as_ref().filter(|u| non_default(u)) {
            return Some(u.clone());
        }
        self.options
            .extra_index_urls
            .iter()
            .find(|u| non_default(u))
            .cloned()
    }

    fn finish(mut self) -> Lockfile {
        // Constraint pins turn loose requirements into packages.
        let mut unpinned = Vec::new();
        for l in std::mem::take(&mut self.unpinned) {
            match self.constraints.get(&pep503(&l.name)) {
                Some((v, ch)) => {
                    let mut hashes = l.hashes.clone();
                    hashes.extend(ch.iter().cloned());
                    let key = (pep503(&l.name), v.clone(), None);
                    if let Some(&i) = self.index.get(&key) {
                        if let Some(e) = self.entries.get_mut(i) {
                            e.hashes.extend(hashes);
                            e.via.extend(l.via);
                        }
                    } else {
                        self.entries.push(Entry {
                            name: l.name,
                            version: v.clone(),
                            hashes,
                            source: None,
                            file: l.file,
                            line: l.line,
                            via: l.via,
                            dev_file: l.dev_file,
                            seq: l.seq,
                        });
                        self.index.insert(key, self.entries.len() - 1);
                    }
                }
                None => unpinned.push(Unpinned {
                    ecosystem: Ecosystem::Pypi,
                    name: l.name,
                    spec: l.spec,
                    file: l.file,
                    line: l.line,
                }),
            }
        }
        self.entries.sort_by_key(|e| e.seq);
        let registry = self.registry();
        let default_label = self.ctx.root_label();
        let labels: Vec<String> = self.entries.iter().map(|e| e.name.clone()).collect();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, e) in self.entries.iter().enumerate() {
            by_name.entry(pep503(&e.name)).or_default().push(i);
        }
        let mut roots: Vec<Root> = vec![Root {
            label: default_label,
            ..Root::default()
        }];
        let mut root_ix: HashMap<String, usize> = HashMap::new();
        let mut edges: Vec<Vec<usize>> = vec![Vec::new(); self.entries.len()];
        for (i, e) in self.entries.iter().enumerate() {
            let mut rooted = false;
            for v in &e.via {
                match v {
                    Via::Root(label) => {
                        let r = *root_ix.entry(label.clone()).or_insert_with(|| {
                            roots.push(Root {
                                label: label.clone(),
                                ..Root::default()
                            });
                            roots.len() - 1
                        });
                        if let Some(root) = roots.get_mut(r) {
                            if is_dev_name(label) {
                                root.dev_deps.push(i);
                            } else {
                                root.deps.push(i);
                            }
                        }
                        rooted = true;
                    }
                    Via::Package(name) => {
                        for &p in by_name.get(name).map(Vec::as_slice).unwrap_or(&[]) {
                            if let Some(list) = edges.get_mut(p) {
                                list.push(i);
                            }
                            rooted = true;
                        }
                    }
                }
            }
            if !rooted
                && e.via.is_empty()
                && let Some(root) = roots.first_mut()
            {
                if e.dev_file {
                    root.dev_deps.push(i);
                } else {
                    root.deps.push(i);
                }
            }
        }
        let reach = graph::shortest_paths(&labels, &edges, &roots);
        let packages = self
            .entries
            .into_iter()
            .zip(reach)
            .map(|(e, r)| {
                let mut hashes = e.hashes;
                hashes.sort();
                hashes.dedup();
                let source = e
                    .source
                    .unwrap_or_else(|| Source::Registry(registry.clone()));
                Package {
                    hashes,
                    direct: r.direct,
                    dev: r.dev,
                    optional: r.optional,
                    path: r.path,
                    ..Package::new(Ecosystem::Pypi, e.name, e.version, source, e.file, e.line)
                }
            })
            .collect();
        Lockfile {
            path: self.ctx.display.to_path_buf(),
            ecosystem: Ecosystem::Pypi,
            format: "requirements".to_string(),
            packages,
            unpinned,
        }
    }
}

/// True for the default index (pypi.org), whatever its spelling.
pub(crate) fn is_pypi(url: &str) -> bool {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or(host).to_ascii_lowercase();
    let host = host.strip_suffix(":443").unwrap_or(&host).to_string();
    let path = rest
        .get(rest.find('/').unwrap_or(rest.len())..)
        .unwrap_or("")
        .trim_end_matches('/');
    matches!(
        host.as_str(),
        "pypi.org" | "pypi.python.org" | "www.pypi.org"
    ) && matches!(path, "" | "/simple" | "/pypi")
}

/// Remove credentials (`user:password@`, `token@`) from a URL; `git@` is kept.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let auth_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (auth, tail) = rest.split_at(auth_end);
    match auth.rsplit_once('@') {
        // `git@host` (ssh) names no secret; any other user part may be a token.
        Some(("git", _)) => url.to_string(),
        Some((_, host)) => format!("{scheme}://{host}{tail}"),
        None => url.to_string(),
    }
}

/// pip's `break_args_options`: the requirement part and the options part of a line.
fn break_args_options(line: &str) -> (String, String) {
    let tokens: Vec<&str> = line.split(' ').collect();
    let cut = tokens
        .iter()
        .position(|t| t.starts_with('-'))
        .unwrap_or(tokens.len());
    let args = tokens.get(..cut).unwrap_or(&[]).join(" ");
    let opts = tokens.get(cut..).unwrap_or(&[]).join(" ");
    (args.trim().to_string(), opts)
}

/// A POSIX-shell-like split (as Python's `shlex.split`): white space separates,
/// quotes group, backslash escapes.
fn shlex(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_tok = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_tok = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => cur.push(c),
                        None => return Err("unterminated single quote".to_string()),
                    }
                }
            }
            '"' => {
                in_tok = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c) => cur.push(c),
                            None => return Err("unterminated double quote".to_string()),
                        },
                        Some(c) => cur.push(c),
                        None => return Err("unterminated double quote".to_string()),
                    }
                }
            }
            '\\' => {
                in_tok = true;
                if let Some(c) = chars.next() {
                    cur.push(c);
                }
            }
            c if c.is_whitespace() => {
                if in_tok {
                    out.push(std::mem::take(&mut cur));
                    in_tok = false;
                }
            }
            c => {
                in_tok = true;
                cur.push(c);
            }
        }
    }
    if in_tok {
        out.push(cur);
    }
    Ok(out)
}

/// `--hash=<alg>:<hex>`, with the algorithms pip accepts.
fn parse_pip_hash(value: &str) -> Result<Hash, String> {
    let (alg, _) = value
        .split_once(':')
        .ok_or_else(|| format!("`--hash={value}` is not `<algorithm>:<hex digest>`"))?;
    if !matches!(alg, "sha256" | "sha384" | "sha512") {
        return Err(format!(
            "`--hash={value}`: pip allows only sha256, sha384 and sha512"
        ));
    }
    Hash::parse(value).map_err(|e| format!("bad `--hash`: {e}"))
}

/// A requirement as read from one line.
#[derive(Debug, Default)]
struct Req {
    name: String,
    /// The exact version pinned (`==`/`===`), or the archive's version for URL/path
    /// requirements (empty when unknown).
    version: Option<String>,
    /// The specifier as written (for unpinned entries).
    spec: String,
    /// `None` for registry requirements.
    source: Option<Source>,
    hashes: Vec<Hash>,
}

const VCS_PREFIXES: [&str; 4] = ["git+", "hg+", "svn+", "bzr+"];

fn is_url(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    VCS_PREFIXES.iter().any(|p| lower.starts_with(p))
        || ["http://", "https://", "file:", "ftp://"]
            .iter()
            .any(|p| lower.starts_with(p))
}

const ARCHIVE_EXTS: [&str; 8] = [
    ".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2", ".tbz", ".tar.xz", ".tar",
];

fn is_archive(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    ARCHIVE_EXTS.iter().any(|e| lower.ends_with(e))
}

fn valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'))
}

/// Parse a requirement (the part of a line before its options).
fn parse_requirement(args: &str, base: &Path) -> Result<Req, String> {
    if args.contains("${") && !args.contains('@') && !is_url(args) {
        // A version (or name) from the environment: not known offline.
        let name_end = args
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
            .unwrap_or(args.len());
        let name = args.get(..name_end).unwrap_or("");
        if !valid_name(name) || args.get(name_end..).is_some_and(|r| r.starts_with("${")) {
            return Err(format!(
                "`{args}`: the package name uses an environment variable, which lockgate does not expand"
            ));
        }
        return Ok(Req {
            name: name.to_string(),
            spec: args.get(name_end..).unwrap_or("").trim().to_string(),
            ..Req::default()
        });
    }
    let first = args.split([' ', ';']).next().unwrap_or("");
    let looks_like_path = first.starts_with('.')
        || first.starts_with('/')
        || first.starts_with('~')
        || (first.contains('/') && !first.contains('@'))
        || first.contains('\\')
        || (is_archive(first) && !first.contains("=="));
    if is_url(args) || looks_like_path {
        // pip: a URL's marker must follow `; ` (with white space).
        let (loc, marker) = match args.split_once("; ").or_else(|| args.split_once(" ;")) {
            Some((l, m)) => (l.trim(), Some(m.trim())),
            None => (args.trim(), None),
        };
        if marker.is_some_and(str::is_empty) {
            return Err(format!("`{args}`: empty environment marker"));
        }
        return parse_url_or_path(loc, false, base, None);
    }
    parse_pep508(args, base)
}

/// A PEP 508 requirement: `name[extras] (specifiers | @ url) ; marker`.
fn parse_pep508(s: &str, base: &Path) -> Result<Req, String> {
    let s = s.trim();
    let name_end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
        .unwrap_or(s.len());
    let name = s.get(..name_end).unwrap_or("");
    if !valid_name(name) {
        return Err(format!(
            "`{s}` is not a requirement pip understands (expected a package name first)"
        ));
    }
    let mut rest = s.get(name_end..).unwrap_or("").trim_start();
    if let Some(r) = rest.strip_prefix('[') {
        let close = r
            .find(']')
            .ok_or_else(|| format!("`{s}`: unclosed `[` of extras"))?;
        let extras = r.get(..close).unwrap_or("");
        for x in extras.split(',') {
            let x = x.trim();
            if !x.is_empty() && !valid_name(x) {
                return Err(format!("`{s}`: `{x}` is not a valid extra name"));
            }
        }
        rest = r.get(close + 1..).unwrap_or("").trim_start();
    }
    let (body, marker) = match rest.split_once(';') {
        Some((b, m)) => (b.trim(), Some(m.trim())),
        None => (rest.trim(), None),
    };
    if let Some(m) = marker {
        check_marker(m).map_err(|e| format!("`{s}`: {e}"))?;
    }
    if let Some(url) = body.strip_prefix('@') {
        let url = url.trim();
        if url.is_empty() || url.contains(char::is_whitespace) {
            return Err(format!("`{s}`: expected one URL after `@`"));
        }
        return parse_url_or_path(url, false, base, Some(name)).map_err(|e| format!("`{s}`: {e}"));
    }
    let spec = body
        .strip_prefix('(')
        .map(|b| {
            b.strip_suffix(')')
                .ok_or_else(|| format!("`{s}`: unclosed `(`"))
        })
        .transpose()?
        .unwrap_or(body)
        .trim();
    let mut exact: Option<String> = None;
    if !spec.is_empty() {
        for clause in spec.split(',') {
            let clause = clause.trim();
            let op_len = ["===", "~=", "==", "!=", "<=", ">=", "<", ">"]
                .iter()
                .find(|op| clause.starts_with(*op))
                .map(|op| op.len())
                .ok_or_else(|| format!("`{s}`: `{clause}` is not a version specifier"))?;
            let (op, ver) = clause.split_at(op_len);
            let ver = ver.trim();
            let ok = !ver.is_empty()
                && if op == "===" {
                    !ver.contains(char::is_whitespace)
                } else {
                    ver.bytes().all(|b| {
                        b.is_ascii_alphanumeric()
                            || matches!(b, b'.' | b'+' | b'!' | b'-' | b'_' | b'*')
                    }) && (!ver.contains('*') || (matches!(op, "==" | "!=") && ver.ends_with(".*")))
                };
            if !ok {
                return Err(format!("`{s}`: `{ver}` is not a valid version for `{op}`"));
            }
            if (op == "==" && !ver.contains('*')) || op == "===" {
                if let Some(prev) = &exact
                    && prev != ver
                {
                    return Err(format!("`{s}`: pinned to two versions ({prev} and {ver})"));
                }
                exact = Some(ver.to_string());
            }
        }
    }
    Ok(Req {
        name: name.to_string(),
        version: exact,
        spec: spec.to_string(),
        ..Req::default()
    })
}

/// Light check of an environment marker: non-empty, balanced quotes and parentheses.
fn check_marker(m: &str) -> Result<(), String> {
    if m.is_empty() {
        return Err("empty environment marker after `;`".to_string());
    }
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for c in m.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth -= 1;
                if depth < 0 {
                    return Err(format!("unbalanced `)` in marker `{m}`"));
                }
            }
            _ => {}
        }
    }
    if quote.is_some() || depth != 0 {
        return Err(format!("unbalanced quotes or parentheses in marker `{m}`"));
    }
    Ok(())
}

/// Name and version from a wheel or sdist file name.
pub(crate) fn archive_name_version(file: &str) -> Option<(String, String)> {
    let lower = file.to_ascii_lowercase();
    if lower.ends_with(".whl") {
        let mut parts = file.split('-');
        let name = parts.next()?;
        let version = parts.next()?;
        return (!name.is_empty() && !version.is_empty())
            .then(|| (name.to_string(), version.to_string()));
    }
    let ext = ARCHIVE_EXTS.iter().find(|e| lower.ends_with(*e))?;
    let stem = file.get(..file.len() - ext.len())?;
    let (name, version) = stem.rsplit_once('-')?;
    (!name.is_empty() && version.starts_with(|c: char| c.is_ascii_digit()))
        .then(|| (name.to_string(), version.to_string()))
}

/// A URL, VCS or local path requirement (editable or not).
fn parse_url_or_path(
    loc: &str,
    editable: bool,
    base: &Path,
    known_name: Option<&str>,
) -> Result<Req, String> {
    let loc = loc.trim();
    // Extras on a path: `./pkg[dev]`.
    let loc = match (loc.ends_with(']'), loc.rfind('[')) {
        (true, Some(i)) if !is_url(loc) => loc.get(..i).unwrap_or(loc),
        _ => loc,
    };
    let (main, fragment) = match loc.split_once('#') {
        Some((m, f)) => (m, Some(f)),
        None => (loc, None),
    };
    let mut egg: Option<String> = None;
    let mut hashes = Vec::new();
    for param in fragment.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = param.split_once('=').unwrap_or((param, ""));
        match k {
            "egg" => egg = Some(v.to_string()),
            "subdirectory" => {}
            "md5" | "sha1" | "sha224" | "sha256" | "sha384" | "sha512" => {
                hashes.push(
                    Hash::from_hex(k, v).map_err(|e| format!("bad hash in URL fragment: {e}"))?,
                );
            }
            _ => {}
        }
    }
    let lower = main.to_ascii_lowercase();
    let last_segment = main.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    let archive = archive_name_version(last_segment);
    let (source, version) = if let Some(vcs) = VCS_PREFIXES.iter().find(|p| lower.starts_with(*p)) {
        let url = main.get(vcs.len()..).unwrap_or("");
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| format!("`{loc}` is not a VCS URL pip understands"))?;
        let path_start = rest.find('/').unwrap_or(rest.len());
        let (auth, path) = rest.split_at(path_start);
        let (path, rev) = match path.rsplit_once('@') {
            Some((p, r)) => (p, Some(r.to_string())),
            None => (path, None),
        };
        let repo = redact(&format!("{scheme}://{auth}{path}"));
        let src = if *vcs == "git+" {
            Source::Git { url: repo, rev }
        } else {
            Source::Url(redact(main))
        };
        (src, String::new())
    } else if lower.starts_with("file:") {
        let p = main.get(5..).unwrap_or("");
        let p = p.strip_prefix("//").unwrap_or(p);
        (
            Source::Path(p.to_string()),
            archive.as_ref().map(|a| a.1.clone()).unwrap_or_default(),
        )
    } else if is_url(main) {
        (
            Source::Url(redact(main)),
            archive.as_ref().map(|a| a.1.clone()).unwrap_or_default(),
        )
    } else {
        (
            Source::Path(main.to_string()),
            archive.as_ref().map(|a| a.1.clone()).unwrap_or_default(),
        )
    };
    let name = match (egg, &archive, &source) {
        _ if known_name.is_some() => known_name.unwrap_or_default().to_string(),
        (Some(e), _, _) if !e.is_empty() => {
            if !valid_name(&e) {
                return Err(format!("`#egg={e}` is not a valid project name"));
            }
            e
        }
        (_, Some((n, _)), _) => n.clone(),
        // pip builds a local project whatever its name: with no manifest to name it
        // (`-e .` in a repository checked out elsewhere), the path is its name.
        (_, None, Source::Path(p)) => {
            local_project_name(&base.join(p)).unwrap_or_else(|| p.clone())
        }
        _ => {
            return Err(format!(
                "cannot tell the package name of `{loc}`; write it as `name @ {loc}`{}",
                if editable { " or add `#egg=name`" } else { "" }
            ));
        }
    };
    Ok(Req {
        name,
        version: Some(version),
        spec: String::new(),
        source: Some(source),
        hashes,
    })
}

/// The project name a local directory declares (`pyproject.toml` `[project] name`,
/// else `setup.cfg` `[metadata] name`, else a literal `name="…"` in `setup.py`).
fn local_project_name(dir: &Path) -> Option<String> {
    if let Ok(text) = std::fs::read_to_string(dir.join("pyproject.toml"))
        && let Ok(doc) = text.parse::<toml::Table>()
        && let Some(name) = doc
            .get("project")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
    {
        return Some(name.to_string());
    }
    let text = std::fs::read_to_string(dir.join("setup.cfg")).unwrap_or_default();
    let mut in_meta = false;
    for line in text.lines() {
        let l = line.trim();
        if l.starts_with('[') {
            in_meta = l == "[metadata]";
        } else if in_meta
            && let Some((k, v)) = l.split_once('=')
            && k.trim() == "name"
        {
            return Some(v.trim().to_string());
        }
    }
    setup_py_name(&std::fs::read_to_string(dir.join("setup.py")).ok()?)
}

/// The first `name="…"` (or `'…'`) keyword argument with a valid project name in a
/// `setup.py`; `None` when the name is computed.
fn setup_py_name(text: &str) -> Option<String> {
    let mut rest = text;
    while let Some(i) = rest.find("name") {
        let (before, after) = rest.split_at(i);
        let after = after.get(4..).unwrap_or("");
        rest = after;
        if before
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '"' | '\''))
        {
            continue;
        }
        let Some(value) = after.trim_start().strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        let Some(quote) = value.chars().next().filter(|c| matches!(c, '"' | '\'')) else {
            continue;
        };
        let body = value.get(1..).unwrap_or("");
        if let Some((name, _)) = body.split_once(quote)
            && valid_name(name)
        {
            return Some(name.to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Lockfile, ParseError> {
        let p = Path::new("/nonexistent/dir/requirements.txt");
        let ctx = Context {
            path: p,
            display: Path::new("requirements.txt"),
        };
        parse(&ctx, text)
    }

    const H1: &str = "sha256:2cf8e9ea7ecef4c8f2f8a1f3a3c3fc3c3e0b3e5c9f1d0f6f3e4c4a5b6c7d8e9f";
    const H2: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

    #[test]
    fn pins_hashes_and_continuations() {
        let t = format!(
            "flask==3.0.0 \\\n    --hash={H1} \\\n    --hash={H2}\n    # via -r requirements.in\njinja2==3.1.4\n    # via flask\n"
        );
        let lf = parse_str(&t).unwrap();
        assert_eq!(lf.packages.len(), 2);
        let f = &lf.packages[0];
        assert_eq!(
            (f.name.as_str(), f.version.as_str(), f.line),
            ("flask", "3.0.0", 1)
        );
        assert_eq!(f.hashes.len(), 2);
        assert_eq!(f.path, vec!["requirements.in", "flask"]);
        assert!(f.direct);
        let j = &lf.packages[1];
        assert_eq!(j.line, 5);
        assert_eq!(j.path, vec!["requirements.in", "flask", "jinja2"]);
        assert!(!j.direct);
    }

    #[test]
    fn multi_line_via_and_line_style() {
        let t = "a==1\n    # via\n    #   -r requirements-dev.in\n    #   b\nb==2  # via -r requirements.in\n";
        let lf = parse_str(t).unwrap();
        let a = &lf.packages[0];
        assert!(a.direct);
        assert!(!a.dev, "also reached through b, which is production");
        assert_eq!(lf.packages[1].path, vec!["requirements.in", "b"]);
    }

    #[test]
    fn unpinned_and_markers_and_extras() {
        let t = "requests>=2\nrich\nurllib3[socks]==2.2.1 ; python_version < \"3.12\"\nx==1.*\n";
        let lf = parse_str(t).unwrap();
        assert_eq!(lf.packages.len(), 1);
        assert_eq!(lf.packages[0].name, "urllib3");
        let u: Vec<_> = lf
            .unpinned
            .iter()
            .map(|u| (u.name.as_str(), u.spec.as_str(), u.line))
            .collect();
        assert_eq!(
            u,
            vec![("requests", ">=2", 1), ("rich", "", 2), ("x", "==1.*", 4)]
        );
    }

    #[test]
    fn urls_vcs_and_paths() {
        let t = "six @ https://u:p@files.example/six-1.17.0-py2.py3-none-any.whl#sha256=4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274\n\
                 -e git+https://github.com/o/r.git@v1.2#egg=thing\n\
                 other @ git+ssh://git@host/o/other.git@abc123\n\
                 ./dist/pkg-2.0.tar.gz\n";
        let lf = parse_str(t).unwrap();
        let six = &lf.packages[0];
        assert_eq!(six.version, "1.17.0");
        assert_eq!(
            six.source,
            Source::Url("https://files.example/six-1.17.0-py2.py3-none-any.whl".into())
        );
        assert_eq!(six.hashes.len(), 1);
        assert_eq!(
            lf.packages[1].source,
            Source::Git {
                url: "https://github.com/o/r.git".into(),
                rev: Some("v1.2".into())
            }
        );
        assert_eq!(lf.packages[1].name, "thing");
        assert_eq!(
            lf.packages[2].source,
            Source::Git {
                url: "ssh://git@host/o/other.git".into(),
                rev: Some("abc123".into())
            }
        );
        assert_eq!(
            lf.packages[3].source,
            Source::Path("./dist/pkg-2.0.tar.gz".into())
        );
        assert_eq!(
            (
                lf.packages[3].name.as_str(),
                lf.packages[3].version.as_str()
            ),
            ("pkg", "2.0")
        );
    }

    #[test]
    fn local_projects_without_a_manifest_are_path_packages() {
        // pip builds `.` whatever its name and installs every other line.
        let lf = parse_str("-e .[full]\n-e ./evil\nrequests==2.0\n").unwrap();
        let got: Vec<_> = lf
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.source.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (".", "", Source::Path(".".into())),
                ("./evil", "", Source::Path("./evil".into())),
                ("requests", "2.0", Source::Registry(None)),
            ]
        );
        // A URL with no name is still refused.
        assert!(parse_str("https://example.com/download\n").is_err());
    }

    #[test]
    fn local_project_named_by_setup_py() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("setup.py"),
            "from setuptools import setup\nsetup(\n    # pkg_name='no'\n    name = \"demo-pkg\",\n    version='1',\n)\n",
        )
        .unwrap();
        assert_eq!(local_project_name(dir.path()).as_deref(), Some("demo-pkg"));
        assert_eq!(setup_py_name("setup(name=NAME)\n"), None);
        assert_eq!(setup_py_name("NAME = 'x'\nsetup(name=NAME)\n"), None);
    }

    #[test]
    fn index_options_set_the_registry() {
        let t = "--index-url https://user:secret@mirror.example/simple\nrequests==2.0\n";
        let lf = parse_str(t).unwrap();
        assert_eq!(
            lf.packages[0].source,
            Source::Registry(Some("https://mirror.example/simple".into()))
        );
        let lf = parse_str("-i https://pypi.org/simple/\nrequests==2.0\n").unwrap();
        assert_eq!(lf.packages[0].source, Source::Registry(None));
    }

    #[test]
    fn garbage_is_an_error_with_its_line() {
        for (t, line) in [
            ("a==1\nthis is not a requirement!\n", 2),
            ("a==1\n--frobnicate\n", 2),
            ("a==1 \\\n  --hash=sha256:abc\n", 1),
            (
                "a==1\n--hash=sha256:1111111111111111111111111111111111111111111111111111111111111111\n",
                2,
            ),
            ("a==1 --hash=md5:d41d8cd98f00b204e9800998ecf8427e\n", 1),
            ("a===\n", 1),
            ("a==1;\n", 1),
            ("a[x==1\n", 1),
            ("-r missing.txt\n", 1),
            ("https://example.com/archive\n", 1),
            ("${NAME}==1\n", 1),
        ] {
            let e = parse_str(t).unwrap_err();
            assert_eq!(e.line, Some(line), "{t:?}: {e}");
        }
    }

    #[test]
    fn env_vars_are_not_expanded() {
        let lf = parse_str("requests==${REQUESTS_VERSION}\n").unwrap();
        assert!(lf.packages.is_empty());
        assert_eq!(lf.unpinned[0].spec, "==${REQUESTS_VERSION}");
    }

    #[test]
    fn comments_need_white_space_before_hash() {
        let lf = parse_str("# header\nfoo==1.0 # trailing\n\n").unwrap();
        assert_eq!(lf.packages[0].version, "1.0");
        assert_eq!(lf.packages[0].line, 2);
    }

    #[test]
    fn pep263_declarations_as_pip_reads_them() {
        // pip's ENCODING_RE is `coding[:=]\s*([-\w.]+)`, searched in lines 1-2
        // that start with `#`.
        for (text, line) in [
            ("# -*- coding: utf-7 -*-\n", Some(1)),
            ("#coding:utf-7\n", Some(1)),
            ("#!x\n# vim: fileencoding=latin-1\n", Some(2)),
            ("# encoding: cp1252\n", Some(1)),
            ("# coding: utf-8\n", None),
            ("# -*- coding: UTF_8 -*-\n", None),
            ("# coding = utf-7\n", None),
            (" # coding: utf-7\n", None),
            ("a==1\n\n# coding: utf-7\n", None),
            ("# codingutf-7\n", None),
        ] {
            assert_eq!(
                check_encoding(text.as_bytes()).err().map(|(l, _)| l),
                line,
                "{text:?}"
            );
        }
        assert!(check_encoding(b"\xFF\xFEa\x00").is_err());
        assert!(check_encoding(b"\x00\x00\xFE\xFFa").is_err());
        assert!(check_encoding(b"\xEF\xBB\xBF# coding: utf-7\n").is_ok());
    }

    #[test]
    fn helpers() {
        assert!(is_pypi("https://pypi.org/simple"));
        assert!(is_pypi("https://pypi.org/simple/"));
        assert!(!is_pypi("https://pypi.org.evil.example/simple"));
        assert!(is_dev_name("requirements-dev.txt"));
        assert!(is_dev_name("dev-requirements.in"));
        assert!(!is_dev_name("requirements-device.txt"));
        assert_eq!(
            shlex("-r 'a b.txt' --x=\"y\"").unwrap(),
            vec!["-r", "a b.txt", "--x=y"]
        );
        assert_eq!(
            archive_name_version("numpy-2.0.0-cp311-cp311-manylinux_2_17_x86_64.whl"),
            Some(("numpy".into(), "2.0.0".into()))
        );
        assert_eq!(
            archive_name_version("foo-bar-1.0.tar.gz"),
            Some(("foo-bar".into(), "1.0".into()))
        );
        assert_eq!(
            join_lexical(Path::new("a/b"), "../c.txt"),
            PathBuf::from("a/c.txt")
        );
    }
}
