//! Reading and validating `allowlist.toml`.
//!
//! The file is parsed with `toml_edit`, which keeps the position of every key, so
//! every error names the line to fix. Validation is strict where a typo would
//! change what is enforced (`[policy]` keys and values, ecosystem names, hashes,
//! `[[deny]]` fields) and lenient elsewhere: unknown keys inside a package's table
//! are kept and ignored, so that teams can record their own notes.

use super::{
    Allowlist, Approval, DenyRule, Entry, Exception, Extended, Level, NEVER_EXCEPTED, Pin, Policy,
    SCHEMA,
};
use crate::lockfile::lines::LineIndex;
use crate::model::{Ecosystem, Hash, PackageKey};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use toml_edit::{Item, Value};

/// An allowlist that cannot be used. The run must stop (exit 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllowlistError {
    /// The file could not be read.
    #[error("{}: cannot read the allowlist: {message}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// There is no file at the path.
    #[error("{}: cannot read the allowlist: no such file", path.display())]
    Missing {
        /// The file.
        path: PathBuf,
    },
    /// The file is not valid or not a valid allowlist.
    #[error("{}:{line}: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong and how to fix it.
        message: String,
    },
}

impl AllowlistError {
    /// The file.
    pub fn path(&self) -> &Path {
        match self {
            AllowlistError::Read { path, .. }
            | AllowlistError::Missing { path }
            | AllowlistError::Invalid { path, .. } => path,
        }
    }
}

/// The keys `[policy]` understands.
pub const POLICY_KEYS: &[&str] = &[
    "unlisted",
    "missing-hash",
    "unpinned",
    "similar-names",
    "sources",
    "registries",
    "known-bad",
    "min-age-days",
    "min-age",
    "missing-publish-time",
    "registry-errors",
    "install-scripts",
];

const SOURCE_KINDS: &[&str] = &["registry", "git", "path", "url"];

/// Read and validate an allowlist file.
pub fn load(path: &Path) -> Result<Allowlist, AllowlistError> {
    let bytes = std::fs::read(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            AllowlistError::Missing {
                path: path.to_path_buf(),
            }
        } else {
            AllowlistError::Read {
                path: path.to_path_buf(),
                message: e.to_string(),
            }
        }
    })?;
    let text = crate::lockfile::decode_text(&bytes).map_err(|(line, message)| {
        AllowlistError::Invalid {
            path: path.to_path_buf(),
            line,
            message,
        }
    })?;
    parse(path, text)
}

/// Each key of `t` with its item and where the key is written.
fn keyed(
    t: &dyn toml_edit::TableLike,
) -> impl Iterator<Item = (&str, &Item, Option<std::ops::Range<usize>>)> {
    t.iter().map(move |(k, item)| {
        let span = t.get_key_value(k).and_then(|(key, _)| key.span());
        (k, item, span)
    })
}

struct Ctx<'a> {
    path: &'a Path,
    lines: LineIndex,
}

impl Ctx<'_> {
    /// `item` as a table, else an error at `span` with `message()`.
    fn table<'i, M: Into<String>>(
        &self,
        item: &'i Item,
        span: Option<std::ops::Range<usize>>,
        message: impl FnOnce() -> M,
    ) -> Result<&'i dyn toml_edit::TableLike, AllowlistError> {
        item.as_table_like()
            .ok_or_else(|| self.err(span, message()))
    }

    /// The top-level `[[key]]` list, each table read by `read`; else an error at
    /// `span` that says how to write it.
    fn array_of_tables<T>(
        &self,
        item: &Item,
        span: Option<std::ops::Range<usize>>,
        key: &str,
        read: impl Fn(&Self, &toml_edit::Table) -> Result<T, AllowlistError>,
    ) -> Result<Vec<T>, AllowlistError> {
        let arr = item.as_array_of_tables().ok_or_else(|| {
            self.err(
                span,
                format!("`{key}` must be an array of tables: `[[{key}]]`"),
            )
        })?;
        arr.iter().map(|t| read(self, t)).collect()
    }

    /// The top-level `[key]` table, else an error at `span` that says how to write it.
    fn section<'i>(
        &self,
        item: &'i Item,
        span: Option<std::ops::Range<usize>>,
        key: &str,
    ) -> Result<&'i dyn toml_edit::TableLike, AllowlistError> {
        self.table(item, span, || format!("`{key}` must be a table: `[{key}]`"))
    }

    fn err(
        &self,
        span: Option<std::ops::Range<usize>>,
        message: impl Into<String>,
    ) -> AllowlistError {
        AllowlistError::Invalid {
            path: self.path.to_path_buf(),
            line: span.map(|s| self.lines.line(s.start)).unwrap_or(1),
            message: message.into(),
        }
    }
    fn line(&self, span: Option<std::ops::Range<usize>>) -> usize {
        span.map(|s| self.lines.line(s.start)).unwrap_or(1)
    }
}

/// Parse allowlist text and the files it extends (see [`super::extends`]);
/// `path` is used in errors and to resolve relative paths.
pub fn parse(path: &Path, text: &str) -> Result<Allowlist, AllowlistError> {
    parse_depth(path, text, 0)
}

fn parse_depth(path: &Path, text: &str, depth: usize) -> Result<Allowlist, AllowlistError> {
    let (mut local, pending) = parse_file(path, text)?;
    if pending.is_empty() {
        return Ok(local);
    }
    local.extends.clear();
    let mut merged = Allowlist::default();
    for (ext, loc, line) in pending {
        let err = |message: String| AllowlistError::Invalid {
            path: path.to_path_buf(),
            line,
            message,
        };
        if depth >= 8 {
            return Err(err(
                "`extends` nests more than 8 files deep (a cycle?)".into()
            ));
        }
        let (file, bytes) =
            super::extends::fetch(&loc, &ext.sha256).map_err(|e| err(e.to_string()))?;
        let text = crate::lockfile::decode_text(&bytes).map_err(|(line, message)| {
            AllowlistError::Invalid {
                path: file.clone(),
                line,
                message,
            }
        })?;
        let base = parse_depth(&file, text, depth + 1)?;
        merge(&mut merged, base, false)?;
        merged.extends.push(Extended { file, ..ext });
    }
    let extends = std::mem::take(&mut merged.extends);
    merge(&mut merged, std::mem::take(&mut local), true)?;
    let mut own = std::mem::take(&mut local.extends);
    own.extend(extends);
    merged.extends = own;
    merged.path = path.to_path_buf();
    Ok(merged)
}

/// Merge `top` into `base`: entries, deny rules and exceptions add up; the policy
/// becomes the stricter of the two for every key `top` sets itself.
fn merge(base: &mut Allowlist, top: Allowlist, top_is_local: bool) -> Result<(), AllowlistError> {
    for (key, entry) in top.entries {
        match base.entries.get_mut(&key) {
            None => {
                base.entries.insert(key, entry);
            }
            Some(have) => {
                for (v, pin) in entry.versions {
                    if let Some(prev) = have.versions.get(&v)
                        && prev.hashes != pin.hashes
                    {
                        return Err(AllowlistError::Invalid {
                            path: entry.file.clone(),
                            line: pin.line,
                            message: format!(
                                "{} {v} is pinned here and, with other hashes, in {}:{}: an allowlist that extends another cannot change its pins; remove one of the two",
                                entry.name,
                                have.file.display(),
                                prev.line
                            ),
                        });
                    }
                    have.versions.insert(v, pin);
                }
                if entry.approval.is_some() && have.approval.is_none() {
                    have.approval = entry.approval;
                }
            }
        }
    }
    base.deny.extend(top.deny);
    base.exceptions.extend(top.exceptions);
    base.exclude.extend(top.exclude);
    for (k, v) in top.registries {
        base.registries.insert(k, v);
    }
    if base.policy_keys.is_empty() && !top_is_local {
        base.policy = top.policy;
        base.policy_keys = top.policy_keys;
        return Ok(());
    }
    let (b, t) = (&mut base.policy, top.policy);
    for k in &top.policy_keys {
        match k.as_str() {
            "unlisted" => b.unlisted = stricter(b.unlisted, t.unlisted),
            "missing-hash" => b.missing_hash = stricter(b.missing_hash, t.missing_hash),
            "unpinned" => b.unpinned = stricter(b.unpinned, t.unpinned),
            "similar-names" => b.similar_names = stricter(b.similar_names, t.similar_names),
            "registry-errors" => b.registry_errors = stricter(b.registry_errors, t.registry_errors),
            "install-scripts" => b.install_scripts = stricter(b.install_scripts, t.install_scripts),
            "sources" => b.sources.retain(|s| t.sources.contains(s)),
            "registries" => b.registries.retain(|s| t.registries.contains(s)),
            "known-bad" => b.known_bad.extend(t.known_bad.iter().cloned()),
            "min-age-days" => b.min_age_days = b.min_age_days.max(t.min_age_days),
            "min-age" => b.min_age = b.min_age.max(t.min_age),
            "missing-publish-time" => {
                b.missing_publish_time = stricter(b.missing_publish_time, t.missing_publish_time)
            }
            _ => {}
        }
        if !base.policy_keys.contains(k) {
            base.policy_keys.push(k.clone());
        }
    }
    Ok(())
}

fn stricter(a: Level, b: Level) -> Level {
    let rank = |l: Level| match l {
        Level::Allow => 0,
        Level::Warn => 1,
        Level::Deny => 2,
    };
    if rank(a) >= rank(b) { a } else { b }
}

/// Parse one allowlist file without reading the files it extends: what the
/// writing commands edit. Returns the list and the `extends` still to read.
pub fn parse_local(path: &Path, text: &str) -> Result<Allowlist, AllowlistError> {
    parse_file(path, text).map(|(list, _)| list)
}

type Pending = Vec<(Extended, super::extends::Location, usize)>;

fn parse_file(path: &Path, text: &str) -> Result<(Allowlist, Pending), AllowlistError> {
    let mut pending = Pending::new();
    let cx = Ctx {
        path,
        lines: LineIndex::new(text),
    };
    let doc = toml_edit::Document::parse(text).map_err(|e| {
        let first = crate::lockfile::lines::toml_edit_message(&e);
        cx.err(e.span(), format!("not valid TOML: {first}"))
    })?;
    let root = doc.as_table();
    let mut list = Allowlist {
        path: path.to_path_buf(),
        ..Allowlist::default()
    };
    if let Some((key, item)) = root.get_key_value("schema") {
        let v = item
            .as_integer()
            .ok_or_else(|| cx.err(key.span(), "`schema` must be an integer, e.g. `schema = 1`"))?;
        if v > SCHEMA || v < 1 {
            return Err(cx.err(
                key.span(),
                format!("schema {v} is not one this lockgate reads (it reads schema {SCHEMA}); upgrade lockgate"),
            ));
        }
    }
    for (k, item) in root.iter() {
        let key_span = root.key(k).and_then(|k| k.span());
        match k {
            "schema" => {}
            "exclude" => {
                list.exclude = strings(&cx, item, key_span.clone(), "exclude")?
                    .iter()
                    .flat_map(|g| rebase_glob(path, g))
                    .collect()
            }
            "extends" => pending = parse_extends(&cx, item, key_span.clone())?,
            "exception" => {
                list.exceptions = cx.array_of_tables(item, key_span.clone(), k, parse_exception)?
            }
            "policy" => {
                let t = cx.section(item, key_span.clone(), k)?;
                list.policy = parse_policy(&cx, t)?;
                list.policy_keys = t.iter().map(|(k, _)| k.to_string()).collect();
            }
            "deny" => list.deny = cx.array_of_tables(item, key_span.clone(), k, parse_deny)?,
            "registries" => {
                let t = cx.section(item, key_span.clone(), k)?;
                for (rk, rv) in t.iter() {
                    if Ecosystem::parse(rk).is_none() {
                        return Err(cx.err(
                            rv.span().or(key_span.clone()),
                            format!(
                                "unknown ecosystem `{rk}` in [registries]: use cargo, npm or pypi"
                            ),
                        ));
                    }
                    let url = rv.as_str().ok_or_else(|| {
                        cx.err(rv.span(), format!("`registries.{rk}` must be a URL string"))
                    })?;
                    list.registries.insert(rk.to_string(), url.to_string());
                }
            }
            other => {
                // The ecosystems' tables are named as lockgate writes the ecosystems.
                let Some(eco) = Ecosystem::ALL.into_iter().find(|e| e.as_str() == other) else {
                    return Err(cx.err(
                        key_span,
                        format!("unknown top-level key `{other}`: expected schema, extends, exclude, policy, registries, deny, exception, cargo, npm, pypi or actions"),
                    ));
                };
                parse_packages(&cx, eco, item, key_span, &mut list.entries)?;
            }
        }
    }
    list.extends = pending.iter().map(|(x, _, _)| x.clone()).collect();
    Ok((list, pending))
}

/// An ecosystem's `[ECO.NAME]` tables into `entries`; two names that normalise alike
/// are an error.
fn parse_packages(
    cx: &Ctx<'_>,
    eco: Ecosystem,
    item: &Item,
    span: Option<std::ops::Range<usize>>,
    entries: &mut HashMap<PackageKey, Entry>,
) -> Result<(), AllowlistError> {
    let t = cx.table(item, span, || {
        format!("`{eco}` must hold one table per package, e.g. `[{eco}.NAME]`")
    })?;
    for (name, pkg, name_span) in keyed(t) {
        let entry = parse_entry(cx, eco, name, name_span.clone(), pkg)?;
        let key = PackageKey::new(eco, name);
        if let Some(prev) = entries.get(&key) {
            return Err(cx.err(
                name_span,
                format!(
                    "`{name}` is the same {eco} package as `{}` on line {} (names compare as `{}`): merge the two",
                    prev.name, prev.line, key.name
                ),
            ));
        }
        entries.insert(key, entry);
    }
    Ok(())
}

/// The `extends` of an allowlist text, with where each is read from and its line,
/// without reading them (for `lockgate allowlist extends`).
pub fn extends_of(
    path: &Path,
    text: &str,
) -> Result<Vec<(Extended, super::extends::Location, usize)>, AllowlistError> {
    parse_file(path, text).map(|(_, p)| p)
}

/// A glob of `exclude`, relative to the allowlist's folder, as globs relative to the
/// folder lockgate runs in (walked paths are shown relative to it): the glob through
/// the way up (`../tests/fixtures`), the part below the current folder
/// (`src/gen` from `src/`: `gen`), and the absolute form (absolute paths walked).
fn rebase_glob(allowlist: &Path, glob: &str) -> Vec<String> {
    let g = glob.trim_start_matches("./");
    let dir = allowlist.parent().unwrap_or(Path::new(""));
    if dir.as_os_str().is_empty() || g.starts_with("**") || Path::new(g).is_absolute() {
        return vec![g.to_string()];
    }
    let Ok(cwd) = std::env::current_dir() else {
        return vec![g.to_string()];
    };
    let abs = |p: &Path| -> PathBuf {
        crate::lexical_path::lexical_normalize(&if p.is_absolute() {
            p.to_path_buf()
        } else {
            cwd.join(p)
        })
    };
    let slash = |p: &Path| p.to_string_lossy().replace('\\', "/");
    let dir = abs(dir);
    let mut out = vec![format!("{}/{g}", slash(&dir).trim_end_matches('/'))];
    if let Ok(below) = dir.strip_prefix(&cwd) {
        // the allowlist is in the current folder or below it
        let pre = slash(below);
        out.push(if pre.is_empty() {
            g.to_string()
        } else {
            format!("{pre}/{g}")
        });
    } else if let Ok(sub) = cwd.strip_prefix(&dir) {
        // lockgate runs in a subfolder of the allowlist's folder
        let depth = sub.components().count();
        out.push(format!("{}{g}", "../".repeat(depth)));
        if let Some(rest) = g.strip_prefix(&format!("{}/", slash(sub))) {
            out.push(rest.to_string());
        }
    }
    out
}

fn parse_extends(
    cx: &Ctx<'_>,
    item: &Item,
    span: Option<std::ops::Range<usize>>,
) -> Result<Pending, AllowlistError> {
    let shape = "`extends` must be an array like [{ path = \"../org/allowlist.toml\", sha256 = \"<hex>\" }, { url = \"https://…\", sha256 = \"<hex>\" }]";
    let arr = item.as_array().ok_or_else(|| cx.err(span.clone(), shape))?;
    let mut out = Pending::new();
    for v in arr.iter() {
        let sp = v.span().or(span.clone());
        let t = v
            .as_inline_table()
            .ok_or_else(|| cx.err(sp.clone(), shape))?;
        let get = |k: &str| t.get(k).and_then(Value::as_str).map(String::from);
        let sha = get("sha256").ok_or_else(|| {
            cx.err(sp.clone(), "every `extends` entry needs `sha256 = \"<hex>\"`, the sha256 of the file it extends (print it with `sha256sum FILE`)")
        })?;
        let sha = sha.trim_start_matches("sha256:").to_ascii_lowercase();
        if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(cx.err(sp, "`extends.sha256` must be 64 hex digits"));
        }
        let (location, loc) = match (get("path"), get("url")) {
            (Some(p), None) => {
                let base = cx.path.parent().unwrap_or(Path::new(""));
                (p.clone(), super::extends::Location::Path(base.join(&p)))
            }
            (None, Some(u)) if u.starts_with("https://") || u.starts_with("http://") => {
                (u.clone(), super::extends::Location::Url(u))
            }
            _ => return Err(cx.err(sp, shape)),
        };
        out.push((
            Extended {
                location,
                file: PathBuf::new(),
                sha256: sha,
            },
            loc,
            cx.line(sp),
        ));
    }
    Ok(out)
}

fn parse_exception(cx: &Ctx<'_>, t: &toml_edit::Table) -> Result<Exception, AllowlistError> {
    let line = cx.line(t.span());
    let field = |k: &str| -> Option<String> {
        t.get(k).and_then(|v| match v.as_value() {
            Some(Value::String(s)) => Some(s.value().to_string()),
            Some(Value::Datetime(d)) => Some(d.value().to_string()),
            _ => None,
        })
    };
    let need = |k: &str, what: &str| {
        field(k)
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| cx.err(t.span(), format!("an [[exception]] needs `{k}` ({what})")))
    };
    let eco_s = need("ecosystem", "cargo, npm or pypi")?;
    let ecosystem = Ecosystem::parse(&eco_s).ok_or_else(|| {
        cx.err(
            t.span(),
            format!("unknown ecosystem `{eco_s}` in [[exception]]: use cargo, npm or pypi"),
        )
    })?;
    let name = need("name", "the package")?;
    let finding = need("finding", "the finding id it waives, e.g. \"too-new\"")?;
    let span = t
        .get_key_value("finding")
        .and_then(|(k, _)| k.span())
        .or(t.span());
    if NEVER_EXCEPTED.contains(&finding.as_str()) {
        return Err(cx.err(
            span,
            format!("`{finding}` can never be waived by an exception: it means tampering or malware, or it is decided by an approval or a deny rule (approve the version with `lockgate allowlist suggest`/`add`, or remove the [[deny]] rule)"),
        ));
    }
    if !crate::model::finding_id::is_finding_id(&finding) {
        return Err(cx.err(
            span,
            format!("unknown finding id `{finding}`; `lockgate explain` lists them"),
        ));
    }
    let until = need("until", "the last day it applies, e.g. until = 2026-12-31")?;
    if !super::is_date(&until) {
        return Err(cx.err(
            t.get_key_value("until").and_then(|(k, _)| k.span()),
            format!("`until = {until}` must be a date, e.g. until = 2026-12-31"),
        ));
    }
    Ok(Exception {
        ecosystem,
        name,
        version: field("version"),
        finding,
        approval: Approval {
            by: Some(need("by", "who decided it")?),
            on: field("on"),
            ticket: field("ticket"),
            reason: Some(need("reason", "why the finding does not apply")?),
        },
        until,
        line,
        file: cx.path.to_path_buf(),
    })
}

fn parse_policy(cx: &Ctx<'_>, t: &dyn toml_edit::TableLike) -> Result<Policy, AllowlistError> {
    let mut p = Policy::default();
    for (k, item, span) in keyed(t) {
        let level = |item: &Item| -> Result<Level, AllowlistError> {
            item.as_str().and_then(Level::parse).ok_or_else(|| {
                cx.err(
                    span.clone(),
                    format!("`policy.{k}` must be \"deny\", \"warn\" or \"allow\""),
                )
            })
        };
        match k {
            "unlisted" => p.unlisted = level(item)?,
            "missing-hash" => p.missing_hash = level(item)?,
            "unpinned" => p.unpinned = level(item)?,
            "similar-names" => p.similar_names = level(item)?,
            "install-scripts" => p.install_scripts = level(item)?,
            "registry-errors" => {
                p.registry_errors = match level(item)? {
                    Level::Allow => {
                        return Err(cx.err(span.clone(), "`policy.registry-errors` must be \"deny\" or \"warn\": an unreachable registry is never silently allowed"));
                    }
                    l => l,
                }
            }
            "sources" => {
                let v = strings(cx, item, span.clone(), "policy.sources")?;
                for s in &v {
                    if !SOURCE_KINDS.contains(&s.as_str()) {
                        return Err(cx.err(span.clone(), format!("unknown source kind `{s}` in policy.sources: use registry, git, path or url")));
                    }
                }
                p.sources = v;
            }
            "registries" => {
                p.registries = strings(cx, item, span.clone(), "policy.registries")?;
                for v in item.as_array().into_iter().flat_map(|a| a.iter()) {
                    if let Some(Err(message)) =
                        v.as_str().map(super::registry_url::validate_policy_entry)
                    {
                        return Err(cx.err(v.span().or(span.clone()), message.to_string()));
                    }
                }
            }
            "known-bad" => {
                let base = cx.path.parent().unwrap_or(Path::new("."));
                p.known_bad = strings(cx, item, span.clone(), "policy.known-bad")?
                    .into_iter()
                    .map(|s| base.join(s))
                    .collect();
            }
            "min-age-days" => {
                let v = item
                    .as_integer()
                    .filter(|v| (0..=36500).contains(v))
                    .ok_or_else(|| {
                        cx.err(
                            span.clone(),
                            "`policy.min-age-days` must be a whole number of days, e.g. 14",
                        )
                    })?;
                p.min_age_days = Some(v as u32);
                if t.contains_key("min-age") {
                    return Err(both_min_ages(cx, t));
                }
            }
            "min-age" => {
                let fix = "a duration is a whole number and a unit: m (minutes), h (hours), d (days) or w (weeks), e.g. `min-age = \"7d\"` or `min-age = \"36h\"`";
                let secs = match item.as_str() {
                    Some(text) => super::parse_duration(text).ok_or_else(|| {
                        cx.err(
                            span.clone(),
                            format!("`policy.min-age = \"{text}\"` is not a duration: {fix}"),
                        )
                    })?,
                    None => {
                        return Err(cx.err(
                            span.clone(),
                            format!("`policy.min-age` must be a string: {fix}; or use `min-age-days = <days>`"),
                        ));
                    }
                };
                p.min_age = Some(secs);
                if t.contains_key("min-age-days") {
                    return Err(both_min_ages(cx, t));
                }
            }
            "missing-publish-time" => p.missing_publish_time = level(item)?,
            other => {
                let near = POLICY_KEYS
                    .iter()
                    .find(|c| close(c, other))
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                return Err(cx.err(
                    span,
                    format!(
                        "unknown policy key `{other}`{near}; known keys: {}",
                        POLICY_KEYS.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(p)
}

/// `min-age` and `min-age-days` in one `[policy]`: an error at the later of the two.
fn both_min_ages(cx: &Ctx<'_>, t: &dyn toml_edit::TableLike) -> AllowlistError {
    let span_of = |k: &str| t.get_key_value(k).and_then(|(key, _)| key.span());
    let (a, b) = (span_of("min-age"), span_of("min-age-days"));
    let later = match (&a, &b) {
        (Some(x), Some(y)) if y.start > x.start => b.clone(),
        _ => a.clone(),
    };
    cx.err(
        later,
        "`policy.min-age` and `policy.min-age-days` are both set: keep one (e.g. `min-age = \"7d\"`) and delete the other",
    )
}

/// A crude "is this a typo of that" for key suggestions: same letters give or take two.
fn close(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let common = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    common >= 3 && a.len().abs_diff(b.len()) <= 2
}

fn strings(
    cx: &Ctx<'_>,
    item: &Item,
    span: Option<std::ops::Range<usize>>,
    what: &str,
) -> Result<Vec<String>, AllowlistError> {
    let arr = item.as_array().ok_or_else(|| {
        cx.err(
            span.clone(),
            format!("`{what}` must be an array of strings"),
        )
    })?;
    arr.iter()
        .map(|v| {
            v.as_str().map(String::from).ok_or_else(|| {
                cx.err(
                    v.span().or(span.clone()),
                    format!("`{what}` must be an array of strings"),
                )
            })
        })
        .collect()
}

fn parse_deny(cx: &Ctx<'_>, t: &toml_edit::Table) -> Result<DenyRule, AllowlistError> {
    let line = cx.line(t.span());
    let get_str = |k: &str| -> Result<Option<String>, AllowlistError> {
        match t.get_key_value(k) {
            None => Ok(None),
            Some((key, item)) => item
                .as_str()
                .map(|s| Some(s.to_string()))
                .ok_or_else(|| cx.err(key.span(), format!("`deny.{k}` must be a string"))),
        }
    };
    let eco_s = get_str("ecosystem")?.ok_or_else(|| {
        cx.err(
            t.span(),
            "a [[deny]] rule needs `ecosystem = \"cargo\" | \"npm\" | \"pypi\"`",
        )
    })?;
    let ecosystem = Ecosystem::parse(&eco_s).ok_or_else(|| {
        cx.err(
            t.span(),
            format!("unknown ecosystem `{eco_s}` in [[deny]]: use cargo, npm or pypi"),
        )
    })?;
    let name = get_str("name")?.ok_or_else(|| cx.err(t.span(), "a [[deny]] rule needs `name`"))?;
    let reason = get_str("reason")?.ok_or_else(|| {
        cx.err(
            t.span(),
            format!("the [[deny]] rule for `{name}` needs a `reason` (shown to whoever hits it)"),
        )
    })?;
    let versions = match t.get_key_value("versions") {
        None => None,
        Some((key, item)) => {
            let vs = strings(cx, item, key.span(), "deny.versions")?;
            for v in &vs {
                crate::version::parse(ecosystem, v).map_err(|e| {
                    cx.err(
                        key.span(),
                        format!("{e} in the [[deny]] rule for `{name}`: write the version as the registry lists it"),
                    )
                })?;
            }
            Some(vs)
        }
    };
    let date = |k: &str| match t.get(k).and_then(Item::as_value) {
        Some(Value::Datetime(d)) => Some(d.value().to_string()),
        Some(Value::String(s)) => Some(s.value().to_string()),
        _ => None,
    };
    let approval = Approval {
        by: get_str("by")?,
        on: date("on"),
        ticket: get_str("ticket")?,
        reason: None,
    };
    Ok(DenyRule {
        ecosystem,
        name,
        versions,
        reason,
        line,
        approval: (approval != Approval::default()).then_some(approval),
        file: cx.path.to_path_buf(),
    })
}

fn parse_entry(
    cx: &Ctx<'_>,
    eco: Ecosystem,
    name: &str,
    name_span: Option<std::ops::Range<usize>>,
    item: &Item,
) -> Result<Entry, AllowlistError> {
    let t = cx.table(item, name_span.clone(), || {
        format!("`{eco}.{name}` must be a table with `versions`")
    })?;
    if name.trim().is_empty() {
        return Err(cx.err(name_span, format!("empty package name under [{eco}]")));
    }
    let mut entry = Entry {
        name: name.to_string(),
        line: cx.line(name_span.clone()),
        approval: None,
        versions: BTreeMap::new(),
        file: cx.path.to_path_buf(),
    };
    if let Some((key, a)) = t.get_key_value("approved") {
        entry.approval = Some(parse_approval(cx, a, key.span())?);
    }
    let Some((vkey, versions)) = t.get_key_value("versions") else {
        return Err(cx.err(
            name_span,
            format!("`{eco}.{name}` has no `versions`; add `versions.\"X.Y.Z\" = \"sha256:…\"` (or run `lockgate allowlist suggest`)"),
        ));
    };
    let vt = cx.table(versions, vkey.span(), || {
        format!("`{eco}.{name}.versions` must map versions to hashes")
    })?;
    for (version, pin, key_span) in keyed(vt) {
        let span = key_span.or(pin.span());
        crate::version::parse(eco, version).map_err(|e| {
            cx.err(
                span.clone(),
                format!(
                    "{e} in `{eco}.{name}.versions`: write the version as the registry lists it"
                ),
            )
        })?;
        if let Some((same, prev)) = crate::version::lookup(eco, &entry.versions, version) {
            return Err(cx.err(
                span,
                format!(
                    "`{eco}.{name}` version `{version}` is the same release as `{same}` on line {}: keep one of them",
                    prev.line
                ),
            ));
        }
        let at = PinAt {
            cx,
            span: span.clone(),
            eco,
            name,
            version,
        };
        let hashes = if eco == Ecosystem::Actions {
            at.action_pin(pin)?
        } else {
            at.hashes(pin)?
        };
        let approval = match pin.as_table_like().and_then(|t| t.get("approved")) {
            Some(a) => Some(parse_approval(cx, a, span.clone())?),
            None => None,
        };
        let scripts = at.scripts(pin)?;
        entry.versions.insert(
            version.to_string(),
            Pin {
                publisher: crate::allowlist::publisher::parse(pin).map_err(|m| {
                    cx.err(
                        span.clone(),
                        format!("`{eco}.{name}` version `{version}`: {m}"),
                    )
                })?,
                hashes,
                line: cx.line(span),
                approval,
                scripts,
            },
        );
    }
    Ok(entry)
}

fn parse_hash(
    cx: &Ctx<'_>,
    v: &Value,
    span: Option<std::ops::Range<usize>>,
    what: &str,
) -> Result<Hash, AllowlistError> {
    let s = v.as_str().ok_or_else(|| {
        cx.err(
            v.span().or(span.clone()),
            format!("{what}: a hash must be a string like \"sha256:<hex>\""),
        )
    })?;
    Hash::parse(s).map_err(|e| cx.err(v.span().or(span), format!("{what}: {e}")))
}

/// One version's pin being read: where it is written and whose it is, for its errors.
struct PinAt<'a> {
    cx: &'a Ctx<'a>,
    span: Option<std::ops::Range<usize>>,
    eco: Ecosystem,
    name: &'a str,
    version: &'a str,
}

impl PinAt<'_> {
    /// A hash string, an array of them, or `{ hashes = [...] }`: sorted, deduplicated.
    fn hashes(&self, item: &Item) -> Result<Vec<Hash>, AllowlistError> {
        let (cx, span) = (self.cx, &self.span);
        let what = || format!("{}.{} {}", self.eco, self.name, self.version);
        let shape = || {
            format!(
                "{}: expected a hash string, an array of hashes, or {{ hashes = [...] }}",
                what()
            )
        };
        let table_hashes = |hs: Option<&Value>| -> Result<Vec<Hash>, AllowlistError> {
            match hs {
                None => Err(cx.err(
                    span.clone(),
                    format!("{}: the table needs `hashes = [\"sha256:…\"]`", what()),
                )),
                Some(Value::Array(a)) => a
                    .iter()
                    .map(|v| parse_hash(cx, v, span.clone(), &what()))
                    .collect(),
                Some(v) => Ok(vec![parse_hash(cx, v, span.clone(), &what())?]),
            }
        };
        let mut hashes = match item {
            Item::Value(v @ Value::String(_)) => {
                vec![parse_hash(cx, v, span.clone(), &what())?]
            }
            Item::Value(Value::Array(a)) => a
                .iter()
                .map(|v| parse_hash(cx, v, span.clone(), &what()))
                .collect::<Result<Vec<_>, _>>()?,
            Item::Value(Value::InlineTable(t)) => table_hashes(t.get("hashes"))?,
            Item::Table(t) => table_hashes(t.get("hashes").and_then(Item::as_value))?,
            _ => return Err(cx.err(span.clone(), shape())),
        };
        // An empty list approves the version without a hash (git or path sources, or a
        // lockfile that records none): `missing-hash` then applies to registry packages.
        hashes.sort();
        hashes.dedup();
        Ok(hashes)
    }

    /// A pin's `scripts = true | false` (absent: `None`).
    fn scripts(&self, pin: &Item) -> Result<Option<bool>, AllowlistError> {
        let Some(v) = pin.as_table_like().and_then(|t| t.get("scripts")) else {
            return Ok(None);
        };
        let (eco, name, version) = (self.eco, self.name, self.version);
        v.as_bool().map(Some).ok_or_else(|| {
            self.cx.err(
                v.span().or(self.span.clone()),
                format!("{eco}.{name} {version}: `scripts` must be true (its install scripts are approved) or false (it has none)"),
            )
        })
    }

    /// An action's pin: the commit SHA (or image digest) is the version key itself, so
    /// the value holds no hash. It is the tag as a note for readers (`"v4.4.0"`, never
    /// trusted), `[]`, or a table `{ tag = "v4.4.0", approved = {...} }`.
    fn action_pin(&self, item: &Item) -> Result<Vec<Hash>, AllowlistError> {
        let ok = match item {
            Item::Value(Value::String(_)) => true,
            Item::Value(Value::Array(a)) => a.is_empty(),
            Item::Value(Value::InlineTable(t)) => t.get("tag").is_none_or(Value::is_str),
            Item::Table(t) => t
                .get("tag")
                .and_then(Item::as_value)
                .is_none_or(Value::is_str),
            _ => false,
        };
        let (name, version) = (self.name, self.version);
        if ok {
            Ok(Vec::new())
        } else {
            Err(self.cx.err(
                self.span.clone(),
                format!("actions.\"{name}\" {version}: the commit SHA is the pin; write its tag as a note, `versions.\"{version}\" = \"v1.2.3\"` (or `{{ tag = \"v1.2.3\", approved = {{ … }} }}`)"),
            ))
        }
    }
}

fn parse_approval(
    cx: &Ctx<'_>,
    item: &Item,
    span: Option<std::ops::Range<usize>>,
) -> Result<Approval, AllowlistError> {
    let t = item
        .as_table_like()
        .ok_or_else(|| cx.err(span.clone(), "`approved` must be a table: { by = \"…\", on = 2026-01-10, ticket = \"…\", reason = \"…\" }"))?;
    let field = |k: &str| -> Option<String> {
        t.get(k).and_then(|v| match v.as_value() {
            Some(Value::String(s)) => Some(s.value().to_string()),
            Some(Value::Datetime(d)) => Some(d.value().to_string()),
            _ => None,
        })
    };
    Ok(Approval {
        by: field("by"),
        on: field("on"),
        ticket: field("ticket"),
        reason: field("reason"),
    })
}

impl crate::hint::Hint for AllowlistError {
    fn hints(&self) -> Vec<String> {
        match self {
            AllowlistError::Missing { .. } => vec![
                "create one with `lockgate allowlist init`, or pass --allowlist FILE".to_string(),
            ],
            AllowlistError::Read { path, .. } => vec![format!(
                "check that `{}` is a readable (and, for the writing commands, writable) file",
                path.display()
            )],
            AllowlistError::Invalid { .. } => vec![
                "fix that line of the allowlist (docs/allowlist.md describes every key), or restore the file from git".to_string(),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "sha256:5f0e2c6ed6606019b4e29e69dbaba95b11854410e5347d525002456dbbb786b6";

    fn p(text: &str) -> Result<Allowlist, AllowlistError> {
        parse(Path::new("allowlist.toml"), text)
    }

    fn line_of(e: AllowlistError) -> usize {
        match e {
            AllowlistError::Invalid { line, .. } => line,
            other => panic!("{other}"),
        }
    }

    #[test]
    fn reads_entries_policy_and_deny() {
        let text = format!(
            "schema = 1\n[policy]\nunlisted = \"warn\"\nsources = [\"registry\", \"path\"]\n\n[[deny]]\necosystem = \"pypi\"\nname = \"huggingface-cli\"\nreason = \"hallucinated\"\n\n[pypi.Django_REST]\napproved = {{ by = \"sec\", on = 2026-01-10 }}\nversions.\"3.0\" = [\"{SHA}\"]\n\n[cargo.serde]\nversions.\"1.0.219\" = \"{SHA}\"\n"
        );
        let a = p(&text).unwrap();
        assert_eq!(a.policy.unlisted, Level::Warn);
        assert_eq!(a.policy.sources, vec!["registry", "path"]);
        let e = a.entry(Ecosystem::Pypi, "django.rest").unwrap();
        assert_eq!(e.line, 11);
        assert_eq!(
            e.approval.as_ref().unwrap().on.as_deref(),
            Some("2026-01-10")
        );
        assert_eq!(e.versions["3.0"].line, 13);
        assert!(
            a.denied(Ecosystem::Pypi, "HuggingFace_CLI", Some("1"))
                .is_some()
        );
        assert_eq!(
            a.entry(Ecosystem::Cargo, "serde").unwrap().versions["1.0.219"].hashes[0].to_string(),
            SHA
        );
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(
            line_of(p("schema = 1\n[policy]\nunlistd = \"warn\"\n").unwrap_err()),
            3
        );
        assert_eq!(
            line_of(p("[npm.x]\nversions.\"1\" = \"sha512:zz\"\n").unwrap_err()),
            2
        );
        assert_eq!(line_of(p("\n\n[npm.x\n").unwrap_err()), 3);
        assert_eq!(
            line_of(p("[gems.x]\nversions.\"1\" = \"sha256:00\"\n").unwrap_err()),
            1
        );
        assert_eq!(line_of(p("schema = 9\n").unwrap_err()), 1);
        assert_eq!(
            line_of(p("[[deny]]\necosystem = \"npm\"\nname = \"x\"\n").unwrap_err()),
            1
        );
        let dup = format!(
            "[pypi.Foo]\nversions.\"1\" = \"{SHA}\"\n[pypi.foo]\nversions.\"1\" = \"{SHA}\"\n"
        );
        assert_eq!(line_of(p(&dup).unwrap_err()), 3);
    }

    #[test]
    fn versions_are_valid_for_their_ecosystem() {
        let e = p(&format!(
            "[pypi.six]\nversions.\"1.16.0\" = \"{SHA}\"\nversions.\"not-a-version\" = \"{SHA}\"\n"
        ))
        .unwrap_err();
        assert!(e.to_string().contains("not a valid pypi version"), "{e}");
        assert_eq!(line_of(e), 3);
        let e = p(&format!(
            "[pypi.six]\nversions.\"1.16.0\" = \"{SHA}\"\nversions.\"1.16\" = \"{SHA}\"\n"
        ))
        .unwrap_err();
        assert!(
            e.to_string().contains("same release as `1.16.0` on line 2"),
            "{e}"
        );
        assert_eq!(line_of(e), 3);
        let e = p("\n[[deny]]\necosystem = \"cargo\"\nname = \"x\"\nreason = \"r\"\nversions = [\"v1.0.0\"]\n").unwrap_err();
        assert!(e.to_string().contains("not a valid cargo version"), "{e}");
        assert_eq!(line_of(e), 6);
    }

    #[test]
    fn scripts_on_pins_and_the_install_scripts_policy() {
        let a = p(&format!(
            "[npm.a]\nversions.\"1.0.0\" = {{ hashes = [\"{SHA}\"], scripts = true }}\nversions.\"2.0.0\" = {{ hashes = [\"{SHA}\"], scripts = false }}\nversions.\"3.0.0\" = \"{SHA}\"\n"
        ))
        .unwrap();
        let e = a.entry(Ecosystem::Npm, "a").unwrap();
        assert_eq!(e.versions["1.0.0"].scripts, Some(true));
        assert_eq!(e.versions["2.0.0"].scripts, Some(false));
        assert_eq!(e.versions["3.0.0"].scripts, None);
        // Absent: warn, so allowlists written before the key keep passing.
        assert_eq!(a.policy.install_scripts, Level::Warn);
        let d = p("[policy]\ninstall-scripts = \"deny\"\n").unwrap();
        assert_eq!(d.policy.install_scripts, Level::Deny);
        assert_eq!(
            line_of(p("[policy]\n\ninstall-scripts = \"no\"\n").unwrap_err()),
            3
        );
    }

    #[test]
    fn unknown_policy_key_suggests_the_right_one() {
        let e = p("[policy]\nmissing-hashes = \"warn\"\n").unwrap_err();
        assert!(e.to_string().contains("did you mean `missing-hash`"), "{e}");
    }

    #[test]
    fn versions_carry_their_own_approval_and_old_shapes_still_load() {
        let text = format!(
            "[npm.chalk]\napproved = {{ by = \"old\", ticket = \"SEC-2\" }}\nversions.\"4.1.2\" = \"{SHA}\"\nversions.\"5.6.2\" = {{ hashes = [\"{SHA}\"], approved = {{ by = \"sec\", on = 2026-09-09, ticket = \"SEC-77\" }} }}\n"
        );
        let a = p(&text).unwrap();
        let e = a.entry(Ecosystem::Npm, "chalk").unwrap();
        assert_eq!(
            e.versions["5.6.2"]
                .approval
                .as_ref()
                .unwrap()
                .ticket
                .as_deref(),
            Some("SEC-77")
        );
        assert!(e.versions["4.1.2"].approval.is_none());
        assert_eq!(
            a.approval_of(Ecosystem::Npm, "chalk", "5.6.2")
                .unwrap()
                .ticket
                .as_deref(),
            Some("SEC-77")
        );
        assert_eq!(
            a.approval_of(Ecosystem::Npm, "chalk", "4.1.2")
                .unwrap()
                .ticket
                .as_deref(),
            Some("SEC-2")
        );
    }

    #[test]
    fn exceptions_load_and_the_forbidden_ones_are_refused_at_their_line() {
        let ok = "[[exception]]\necosystem = \"npm\"\nname = \"chalk\"\nversion = \"5.6.2\"\nfinding = \"too-new\"\nuntil = 2026-10-01\nby = \"sec\"\nreason = \"urgent fix\"\n";
        let a = p(ok).unwrap();
        let x = a
            .exception(Ecosystem::Npm, "chalk", Some("5.6.2"), "too-new")
            .unwrap();
        assert_eq!(x.until, "2026-10-01");
        assert!(!x.expired("2026-10-01"));
        assert!(x.expired("2026-10-02"));
        assert!(
            a.exception(Ecosystem::Npm, "chalk", Some("5.6.3"), "too-new")
                .is_none()
        );
        for bad in ["hash-mismatch", "known-malicious", "unlisted"] {
            let text = format!("schema = 1\n\n{}", ok.replace("too-new", bad));
            let e = p(&text).unwrap_err();
            assert!(e.to_string().contains("can never be waived"), "{e}");
            assert_eq!(line_of(e), 7, "{bad}");
        }
        let e = p(&ok.replace("by = \"sec\"\n", "")).unwrap_err();
        assert!(e.to_string().contains("needs `by`"), "{e}");
        let e = p(&ok.replace("until = 2026-10-01", "until = \"soon\"")).unwrap_err();
        assert!(e.to_string().contains("must be a date"), "{e}");
        let e = p(&ok.replace("too-new", "too-old")).unwrap_err();
        assert!(e.to_string().contains("unknown finding id"), "{e}");
    }

    #[test]
    fn extends_is_pinned_merged_and_only_stricter() {
        let dir = tempfile::tempdir().unwrap();
        let shared = format!(
            "[policy]\nunlisted = \"warn\"\nsources = [\"registry\", \"path\"]\n[cargo.serde]\nversions.\"1.0.219\" = \"{SHA}\"\n"
        );
        std::fs::write(dir.path().join("shared.toml"), &shared).unwrap();
        let pin = super::super::extends::sha256_hex(shared.as_bytes());
        let local_path = dir.path().join("allowlist.toml");
        let local = format!(
            "schema = 1\nextends = [{{ path = \"shared.toml\", sha256 = \"{pin}\" }}]\n[policy]\nunlisted = \"allow\"\nsources = [\"registry\"]\n[cargo.anyhow]\nversions.\"1.0.0\" = \"{SHA}\"\n"
        );
        let a = parse(&local_path, &local).unwrap();
        assert_eq!(a.path, local_path);
        assert!(a.entry(Ecosystem::Cargo, "anyhow").is_some());
        let serde = a.entry(Ecosystem::Cargo, "serde").unwrap();
        assert_eq!(serde.file, dir.path().join("shared.toml"));
        // the local file cannot loosen the shared policy, only tighten it
        assert_eq!(a.policy.unlisted, Level::Warn);
        assert_eq!(a.policy.sources, vec!["registry"]);
        // a changed shared file without a changed pin is an error at the extends line
        std::fs::write(
            dir.path().join("shared.toml"),
            shared.replace("warn", "allow"),
        )
        .unwrap();
        let e = parse(&local_path, &local).unwrap_err();
        assert_eq!(line_of(e.clone()), 2, "{e}");
        assert!(
            e.to_string().contains("the shared allowlist changed"),
            "{e}"
        );
        // the local file alone still loads (the writing commands edit only it)
        assert!(parse_local(&local_path, &local).is_ok());
    }

    #[test]
    fn extends_takes_the_longer_cooldown_and_the_stricter_missing_time() {
        let dir = tempfile::tempdir().unwrap();
        let shared = "[policy]\nmin-age-days = 14\nmissing-publish-time = \"deny\"\n";
        std::fs::write(dir.path().join("shared.toml"), shared).unwrap();
        let pin = super::super::extends::sha256_hex(shared.as_bytes());
        let local_path = dir.path().join("allowlist.toml");
        let local = format!(
            "schema = 1\nextends = [{{ path = \"shared.toml\", sha256 = \"{pin}\" }}]\n[policy]\nmin-age = \"36h\"\nmissing-publish-time = \"allow\"\n"
        );
        let a = parse(&local_path, &local).unwrap();
        assert_eq!(a.policy.min_age_secs(), Some(14 * 86_400));
        assert_eq!(
            a.policy.min_age_setting().as_deref(),
            Some("min-age-days = 14")
        );
        assert_eq!(a.policy.missing_publish_time, Level::Deny);
        let local = local.replace("36h", "3w");
        let a = parse(&local_path, &local).unwrap();
        assert_eq!(a.policy.min_age_secs(), Some(21 * 86_400));
        assert_eq!(
            a.policy.min_age_setting().as_deref(),
            Some("min-age = \"21d\"")
        );
    }

    #[test]
    fn durations() {
        use super::super::parse_duration as d;
        assert_eq!(d("90m"), Some(5400));
        assert_eq!(d("36h"), Some(129_600));
        assert_eq!(d("7d"), Some(604_800));
        assert_eq!(d("2w"), Some(1_209_600));
        for bad in [
            "",
            "d",
            "7",
            "7x",
            "-1d",
            "1.5d",
            "7 d",
            "99999999999999999999d",
        ] {
            assert_eq!(d(bad), None, "{bad}");
        }
    }
}
