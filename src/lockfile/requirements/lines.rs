//! Files and lines: pip's physical and logical lines (`\\` continuations, comments),
//! `-r`/`-c` includes with cycle and size limits, options that apply to the whole run,
//! and each requirement line turned into a package or an unpinned entry.

use super::super::hash::Hash;
use super::super::python_url::{is_pypi, redact};
use super::super::{ParseError, pep503};
use super::options::*;
use super::pep508::*;
use super::url::*;
use super::*;
use crate::model::Ecosystem;
use std::borrow::Cow;
use std::hash::BuildHasher as _;
use std::path::{Component, Path, PathBuf};

/// One file read physical line by physical line (from its text, or streamed):
/// pip's `join_lines`, each logical line read as soon as it is complete. Comment-only
/// lines are logical lines with empty content, so annotations are read in order. A
/// line with no continuation is not copied.
pub(super) struct FileReader<'p> {
    real: &'p Path,
    display: &'p Path,
    kind: FileKind,
    dev_file: bool,
    /// Where the last requirement's `# via` annotation stands.
    via: ViaState,
    /// The 1-based number of the next physical line.
    no: usize,
    /// A logical line continued with `\`: its first line and the text so far.
    pending: Option<(usize, String)>,
}

impl<'p> FileReader<'p> {
    /// A reader of the file at `real`, shown as `display`.
    pub(super) fn new(real: &'p Path, display: &'p Path, kind: FileKind) -> FileReader<'p> {
        FileReader {
            real,
            display,
            kind,
            dev_file: is_dev_name(&display.to_string_lossy()),
            via: ViaState::None,
            no: 0,
            pending: None,
        }
    }

    /// Read the next physical line (without its line ending).
    pub(super) fn line(&mut self, p: &mut ReqParser<'_, '_>, raw: &str) -> Result<(), ParseError> {
        self.no += 1;
        let no = self.no;
        let comment_line = is_comment_line(raw);
        if raw.ends_with('\\') && !comment_line {
            let part = raw.trim_matches('\\');
            match &mut self.pending {
                Some((_, acc)) => acc.push_str(part),
                None => self.pending = Some((no, part.to_string())),
            }
            return Ok(());
        }
        let (first, content): (usize, Cow<'_, str>) = match self.pending.take() {
            Some((first, mut acc)) => {
                if comment_line {
                    // The comment ends the continuation: yield what came before.
                    p.logical(self, first, &acc, None)?;
                    (no, Cow::Borrowed(""))
                } else {
                    acc.push_str(raw);
                    (first, Cow::Owned(acc))
                }
            }
            None => (no, Cow::Borrowed(if comment_line { "" } else { raw })),
        };
        if comment_line {
            return p.logical(self, first, &content, Some(raw.trim_start()));
        }
        match comment_start(&content) {
            Some(c) => {
                let comment = content.get(c..).unwrap_or("").trim_start();
                p.logical(self, first, content.get(..c).unwrap_or(""), Some(comment))
            }
            None => p.logical(self, first, &content, None),
        }
    }

    /// The end of the file: read a logical line still continued.
    pub(super) fn end(mut self, p: &mut ReqParser<'_, '_>) -> Result<(), ParseError> {
        match self.pending.take() {
            Some((first, acc)) => p.logical(&mut self, first, &acc, None),
            None => Ok(()),
        }
    }
}

/// pip's `COMMENT_RE` (`(^|\s+)#.*$`): byte offset of the comment in `line`, if any.
pub(super) fn comment_start(line: &str) -> Option<usize> {
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

pub(super) fn is_comment_line(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// Words of a file name (split at anything not alphanumeric), lowercase.
pub(super) fn is_dev_name(name: &str) -> bool {
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

pub(super) fn canonical(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

/// Join `rel` to `base` (a directory) lexically, removing `.` and resolving `..`.
pub(super) fn join_lexical(base: &Path, rel: &str) -> PathBuf {
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
    pub(super) fn err(
        &self,
        display: &Path,
        line: Option<usize>,
        msg: impl Into<String>,
    ) -> ParseError {
        ParseError::new(display, line, msg).with_hint(FORMAT.regenerate)
    }

    pub(super) fn parse_text(
        &mut self,
        real: &Path,
        display: &Path,
        text: &str,
        kind: FileKind,
    ) -> Result<(), ParseError> {
        let mut file = FileReader::new(real, display, kind);
        for raw in text.lines() {
            file.line(self, raw)?;
        }
        file.end(self)
    }

    /// Read one logical line (physical lines joined, `comment` removed from `content`).
    fn logical(
        &mut self,
        at: &mut FileReader<'_>,
        line: usize,
        content: &str,
        comment: Option<&str>,
    ) -> Result<(), ParseError> {
        let content = content.trim();
        if content.is_empty() {
            at.via = match (comment, at.via) {
                (Some(c), state) => self.annotate(c, state),
                (None, _) => ViaState::None,
            };
            return Ok(());
        }
        let target = self.line(at.real, at.display, line, content, at.kind, at.dev_file)?;
        at.via = ViaState::After(target);
        if let Some(c) = comment {
            at.via = self.annotate(c, at.via);
        }
        Ok(())
    }

    /// Handle one logical line (comment removed, trimmed, non-empty).
    pub(super) fn line(
        &mut self,
        real: &Path,
        display: &Path,
        line: usize,
        content: &str,
        kind: FileKind,
        dev_file: bool,
    ) -> Result<Target, ParseError> {
        let (args, opts) = break_args_options(content);
        let tokens = shlex(opts).map_err(|m| self.err(display, Some(line), m))?;
        let mut hashes = Vec::new();
        let mut editable: Option<&str> = None;
        let mut it = tokens.iter().map(|t| &**t);
        let is_req = !args.is_empty();
        while let Some(tok) = it.next() {
            let (opt, inline) = match tok.split_once('=') {
                Some((o, v)) if o.starts_with("--") => (o, Some(v)),
                _ => (tok, None),
            };
            // Short options may carry their value attached: `-rfile`.
            let (opt, inline) = match opt {
                // (Only when the option letter is one byte: `-é…` is no short option.)
                o if !o.starts_with("--")
                    && o.len() > 2
                    && o.starts_with('-')
                    && o.is_char_boundary(2) =>
                {
                    let (a, b) = o.split_at(2);
                    (a, Some(b))
                }
                _ => (opt, inline),
            };
            let takes_value = matches!(
                opt,
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
                opt,
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
                opt,
                "--hash" | "--global-option" | "--config-settings" | "-C"
            );
            if is_req && !per_requirement {
                return Err(self.err(
                    display,
                    Some(line),
                    format!("option `{opt}` cannot follow a requirement on the same line (pip ignores it there); put it on a line of its own"),
                ));
            }
            match opt {
                "--hash" => {
                    let h = parse_pip_hash(value).map_err(|m| self.err(display, Some(line), m))?;
                    hashes.push(h);
                }
                "-r" | "--requirement" => {
                    self.include(real, display, line, value, FileKind::Requirements)?
                }
                "-c" | "--constraint" => {
                    self.include(real, display, line, value, FileKind::Constraints)?
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
                "-i" | "--index-url" => self.options.index_url = Some(redact(value)),
                "--extra-index-url" => self.options.extra_index_urls.push(redact(value)),
                "-f" | "--find-links" => self.options.find_links.push(redact(value)),
                "--no-index" => self.options.no_index = true,
                _ => {}
            }
        }
        let base = real.parent().unwrap_or(Path::new("."));
        if let Some(e) = editable {
            let req = parse_url_or_path(e, true, base, None)
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
        let req = parse_requirement(args, base).map_err(|m| self.err(display, Some(line), m))?;
        Ok(self.add(req, hashes, kind, display, line, dev_file))
    }

    pub(super) fn add(
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
                file: SharedPath::new(display),
                line,
                via: List::new(),
                dev_file,
                seq,
            });
            return Target::Loose(self.unpinned.len() - 1);
        };
        let hash = self.key_hash(&key_name, &version, req.source.as_ref());
        if let Some(i) = self.find_hashed(hash, &key_name, &version, req.source.as_ref()) {
            if let Some(p) = self.packages.get_mut(i) {
                p.hashes.extend(hashes);
            }
            return Target::Entry(i);
        }
        let from_index = req.source.is_none();
        let source = req.source.unwrap_or(Source::Registry(None));
        let mut p = Package::new(Ecosystem::Pypi, req.name, version, source, display, line);
        p.hashes = hashes.into();
        self.push(hash, p, dev_file, from_index, seq)
    }

    /// Add a package that [`ReqParser::find`] does not know, with `hash` its key's.
    pub(super) fn push(
        &mut self,
        hash: u64,
        p: Package,
        dev_file: bool,
        from_index: bool,
        seq: usize,
    ) -> Target {
        let i = self.packages.len();
        match (u32::try_from(i), self.index.entry(hash)) {
            (Ok(ix), std::collections::hash_map::Entry::Vacant(slot)) => {
                slot.insert(ix);
            }
            _ => {
                // Another key has this hash: this one is kept whole, apart.
                let source = (!from_index).then(|| p.source.clone());
                let key = (pep503(&p.name), p.version.to_string(), source);
                self.collided.insert(key, i);
            }
        }
        self.packages.push(p);
        self.meta.push(Meta {
            via: List::new(),
            dev_file,
            from_index,
            seq: u32::try_from(seq).unwrap_or(u32::MAX),
        });
        Target::Entry(i)
    }

    /// The hash of a package's [`Key`].
    pub(super) fn key_hash(&self, name: &str, version: &str, source: Option<&Source>) -> u64 {
        self.hasher.hash_one((name, version, source))
    }

    /// The package of this key (`name` normalized, `source` `None` for the registry
    /// the options name), if one was read.
    pub(super) fn find(&self, name: &str, version: &str, source: Option<&Source>) -> Option<usize> {
        self.find_hashed(self.key_hash(name, version, source), name, version, source)
    }

    /// [`ReqParser::find`] with `hash` the key's hash ([`ReqParser::key_hash`]).
    fn find_hashed(
        &self,
        hash: u64,
        name: &str,
        version: &str,
        source: Option<&Source>,
    ) -> Option<usize> {
        if let Some(&i) = self.index.get(&hash)
            && let Ok(i) = usize::try_from(i)
            && let (Some(p), Some(m)) = (self.packages.get(i), self.meta.get(i))
            && p.version == version
            && (if m.from_index { None } else { Some(&p.source) }) == source
            && pep503(&p.name) == name
        {
            return Some(i);
        }
        if self.collided.is_empty() {
            return None;
        }
        let key = (name.to_string(), version.to_string(), source.cloned());
        self.collided.get(&key).copied()
    }

    pub(super) fn include(
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
        let cannot_read = |e: std::io::Error| {
            self.err(
                display,
                Some(line),
                format!("cannot read the {what} file `{target}`: {e}"),
            )
        };
        let meta = std::fs::metadata(&inc_real).map_err(cannot_read)?;
        if !meta.is_file() || meta.len() > super::super::MAX_LOCKFILE_BYTES {
            return Err(self.err(
                display,
                Some(line),
                format!("the {what} file `{target}` is not a regular file of a readable size"),
            ));
        }
        let bytes = std::fs::read(&inc_real).map_err(cannot_read)?;
        check_encoding(&bytes)
            .map_err(|(l, m)| self.err(&inc_disp, Some(l), m).with_hint(ENCODING_HINT))?;
        let text =
            super::super::decode_text(&bytes).map_err(|(l, m)| self.err(&inc_disp, Some(l), m))?;
        self.chain.push(canon.clone());
        let r = self.parse_text(&inc_real, &inc_disp, text, kind);
        self.chain.pop();
        r?;
        self.done.insert((canon, kind));
        Ok(())
    }

    pub(super) fn registry(&self) -> Option<String> {
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
}
