//! Yarn classic (v1) `yarn.lock`: the line parser and source rules (see [`super`]).

use super::builder::{Builder, FastMap, split_descriptor};
use super::manifest::read_workspace_manifests;
use crate::lockfile::graph::Root;
use crate::lockfile::{Context, Hash, Lockfile, ParseError, Source};
use crate::model::source::origin;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};

/// One entry as written; the text borrows from the lockfile where it has no escapes.
pub(super) struct ClassicEntry<'a> {
    keys: Vec<Cow<'a, str>>,
    line: usize,
    version: Option<Cow<'a, str>>,
    resolved: Option<(Cow<'a, str>, usize)>,
    integrity: Option<(Cow<'a, str>, usize)>,
    deps: Vec<(Cow<'a, str>, Cow<'a, str>, usize)>,
}

/// Read one token: a `"quoted string"` (JSON escapes) or a bare run up to white space,
/// `,` or a `:` that ends the line. Returns the token and the rest of the line.
/// The one value after `key` on line `n` (a token and nothing else).
fn lone_value<'a>(
    ctx: &Context<'_>,
    n: usize,
    key: &str,
    rest: &'a str,
) -> Result<Cow<'a, str>, ParseError> {
    let (value, tail) = token(rest).ok_or_else(|| {
        ctx.error(
            Some(n),
            format!("`{key}` has no value, or an unterminated string"),
        )
    })?;
    if !tail.trim().is_empty() {
        return Err(ctx.error(Some(n), format!("unexpected text after `{key}`")));
    }
    Ok(value)
}

pub(super) fn token(s: &str) -> Option<(Cow<'_, str>, &str)> {
    if let Some(rest) = s.strip_prefix('"') {
        // no escape before the closing quote: the text as it is
        if let Some(i) = rest.find(['"', '\\'])
            && rest.as_bytes().get(i) == Some(&b'"')
        {
            return Some((Cow::Borrowed(rest.get(..i)?), rest.get(i + 1..)?));
        }
        let mut out = String::new();
        let mut chars = rest.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => return Some((Cow::Owned(out), rest.get(i + 1..)?)),
                '\\' => {
                    let (_, e) = chars.next()?;
                    out.push(match e {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        other => other,
                    });
                }
                c => out.push(c),
            }
        }
        None
    } else {
        // the token ends at white space, `,`, or a `:` at the end or before a space
        let ends = |i: usize, c: char| {
            c.is_whitespace()
                || c == ','
                || (c == ':'
                    && s.get(i + 1..)
                        .is_some_and(|r| r.is_empty() || r.starts_with(' ')))
        };
        // byte by byte while the text is ASCII, then by characters
        let b = s.as_bytes();
        let mut i = 0;
        let end = loop {
            match b.get(i) {
                None => break s.len(),
                Some(&c) if c < 0x80 => {
                    if ends(i, char::from(c)) {
                        break i;
                    }
                    i += 1;
                }
                Some(_) => {
                    let rest = s.get(i..).unwrap_or("");
                    break rest
                        .char_indices()
                        .find(|&(j, c)| ends(i + j, c))
                        .map_or(s.len(), |(j, _)| i + j);
                }
            }
        };
        (end > 0).then(|| {
            (
                Cow::Borrowed(s.get(..end).unwrap_or(s)),
                s.get(end..).unwrap_or(""),
            )
        })
    }
}

pub(super) fn parse_classic(ctx: &Context<'_>, text: &str) -> Result<Lockfile, ParseError> {
    let mut entries: Vec<ClassicEntry<'_>> = Vec::new();
    // the block (field name) open at indent 2, if any
    let mut block: Option<Cow<'_, str>> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim_end();
        if line.trim_start().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let body = line.trim_start_matches(' ');
        let indent = line.len() - body.len();
        if body.starts_with('\t') {
            return Err(ctx.error(Some(n), "tab in indentation"));
        }
        match indent {
            0 => {
                // `key, key:`
                let mut keys = Vec::new();
                let mut rest = body;
                loop {
                    let (k, r) =
                        token(rest).ok_or_else(|| ctx.error(Some(n), "malformed entry key"))?;
                    keys.push(k);
                    if let Some(r) = r.strip_prefix(',') {
                        rest = r.trim_start();
                        continue;
                    }
                    if r != ":" {
                        return Err(ctx.error(Some(n), "an entry key line must end with `:`"));
                    }
                    break;
                }
                entries.push(ClassicEntry {
                    keys,
                    line: n,
                    version: None,
                    resolved: None,
                    integrity: None,
                    deps: Vec::new(),
                });
                block = None;
            }
            2 | 4 => {
                let entry = entries
                    .last_mut()
                    .ok_or_else(|| ctx.error(Some(n), "indented line outside an entry"))?;
                let (key, rest) =
                    token(body).ok_or_else(|| ctx.error(Some(n), "malformed line"))?;
                let rest = rest.trim_start();
                if indent == 4 {
                    let Some(b) = &block else {
                        return Err(ctx.error(Some(n), "unexpected indentation"));
                    };
                    let value = lone_value(ctx, n, &key, rest)?;
                    if b == "dependencies" || b == "optionalDependencies" {
                        entry.deps.push((key, value, n));
                    }
                    continue;
                }
                if rest == ":" {
                    block = Some(key);
                    continue;
                }
                block = None;
                let value = lone_value(ctx, n, &key, rest)?;
                match key.as_ref() {
                    "version" => entry.version = Some(value),
                    "resolved" => entry.resolved = Some((value, n)),
                    "integrity" => entry.integrity = Some((value, n)),
                    _ => {}
                }
            }
            _ => {
                return Err(ctx.error(
                    Some(n),
                    format!("unexpected indentation of {indent} spaces"),
                ));
            }
        }
    }

    let mut b = Builder::new(ctx);
    let mut by_descriptor: FastMap<&str, usize> =
        FastMap::with_capacity_and_hasher(entries.len() * 2, Default::default());
    let mut entry_record = Vec::with_capacity(entries.len());
    for e in &entries {
        let first = e.keys.first().map(Cow::as_ref).unwrap_or("");
        let (alias, range) = split_descriptor(first).ok_or_else(|| {
            ctx.error(
                Some(e.line),
                format!("entry key `{first}` is not `name@range`"),
            )
        })?;
        let name = match range.strip_prefix("npm:").and_then(split_descriptor) {
            Some((real, _)) => real,
            None => alias,
        };
        let version = e
            .version
            .as_deref()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ctx.error(Some(e.line), format!("entry `{first}` has no version")))?;
        let (source, sha1_ok) = classic_source(range, e.resolved.as_ref().map(|r| r.0.as_ref()));
        let mut hashes = Vec::new();
        if let Some((url, line)) = &e.resolved
            && sha1_ok
            && let Some((_, frag)) = url.split_once('#')
        {
            hashes.push(Hash::from_hex("sha1", frag).map_err(|err| {
                ctx.error(
                    Some(*line),
                    format!("entry `{first}`: bad sha1 in `resolved`: {err}"),
                )
            })?);
        }
        if let Some((sri, line)) = &e.integrity {
            hashes.extend(Hash::from_sri_list(sri).map_err(|err| {
                ctx.error(
                    Some(*line),
                    format!("entry `{first}`: bad integrity: {err}"),
                )
            })?);
        }
        let artifact = e
            .resolved
            .as_ref()
            .filter(|(u, _)| u.starts_with("https://") || u.starts_with("http://"))
            .map(|(u, l)| crate::model::Artifact::new(Some(u.to_string()), hashes.clone(), *l));
        let idx = b.add(
            name.to_string(),
            version.to_string(),
            source,
            hashes,
            e.line,
        );
        if let (Some(a), Some(r)) = (artifact, b.records.get_mut(idx)) {
            r.push_file(a);
        }
        for k in &e.keys {
            if by_descriptor.insert(k, idx).is_some() {
                return Err(ctx.error(Some(e.line), format!("`{k}` has two entries")));
            }
        }
        entry_record.push(idx);
    }

    let manifest_dir = ctx.dir();
    let projects = read_workspace_manifests(ctx, manifest_dir)?;
    let members: HashSet<&str> = projects.iter().filter_map(|p| p.name.as_deref()).collect();

    // `name@range`, the key of an entry: one buffer for every lookup
    let mut descriptor = String::new();
    let mut has_parent = vec![false; b.records.len()];
    for (e, &from) in entries.iter().zip(&entry_record) {
        for (dep, range, line) in &e.deps {
            descriptor.clear();
            descriptor.push_str(dep);
            descriptor.push('@');
            descriptor.push_str(range);
            match by_descriptor.get(descriptor.as_str()) {
                Some(&to) => {
                    b.edge(from, to);
                    if let Some(h) = has_parent.get_mut(to) {
                        *h = true;
                    }
                }
                None if members.contains(dep.as_ref()) => {}
                None => {
                    return Err(ctx.error(
                        Some(*line),
                        format!("dependency `{dep}@{range}` has no entry in yarn.lock"),
                    ));
                }
            }
        }
    }

    let roots: Vec<Root> = if projects.is_empty() {
        vec![Root {
            label: ctx.root_label(),
            deps: (0..b.records.len())
                .filter(|&i| !has_parent.get(i).copied().unwrap_or(true))
                .collect(),
            ..Root::default()
        }]
    } else {
        projects
            .iter()
            .map(|p| {
                let find = |m: &BTreeMap<String, String>| -> Vec<usize> {
                    m.iter()
                        .filter_map(|(n, r)| {
                            by_descriptor.get(format!("{n}@{r}").as_str()).copied()
                        })
                        .collect()
                };
                Root {
                    label: p.label(ctx),
                    deps: find(&p.dependencies),
                    dev_deps: find(&p.dev_dependencies),
                    optional_deps: find(&p.optional_dependencies),
                }
            })
            .collect()
    };
    Ok(b.finish("yarn-classic-v1".to_string(), &roots))
}

/// The source of a classic entry, and whether a `#<hex>` fragment of `resolved` is a sha1.
pub(super) fn classic_source(range: &str, resolved: Option<&str>) -> (Source, bool) {
    let is_git = |s: &str| {
        s.starts_with("git+")
            || s.starts_with("git:")
            || s.starts_with("github:")
            || s.starts_with("gitlab:")
            || s.starts_with("bitbucket:")
            || s.contains(".git#")
            || s.ends_with(".git")
    };
    if let Some(p) = range
        .strip_prefix("file:")
        .or_else(|| range.strip_prefix("link:"))
    {
        return (Source::Path(p.to_string()), true);
    }
    // GitHub shorthand (`webpack/tooling#v1.28.1`): yarn fetches the commit's tarball
    // from codeload.github.com. A git source, not a registry on another host.
    let codeload = resolved.and_then(|r| r.strip_prefix("https://codeload.github.com/"));
    if is_github_shorthand(range) || codeload.is_some() {
        let repo = range.split('#').next().unwrap_or(range);
        let (url, rev) = match codeload {
            // `<owner>/<repo>/tar.gz/<commit>`
            Some(rest) => {
                let mut parts = rest.splitn(4, '/');
                let (owner, name, _, commit) =
                    (parts.next(), parts.next(), parts.next(), parts.next());
                (
                    format!("github:{}/{}", owner.unwrap_or(""), name.unwrap_or("")),
                    commit.map(|c| c.split(['#', '?']).next().unwrap_or(c).to_string()),
                )
            }
            None => (
                format!("github:{repo}"),
                range.split_once('#').map(|(_, r)| r.to_string()),
            ),
        };
        return (
            Source::Git {
                url,
                rev: rev.map(Into::into),
            },
            false,
        );
    }
    if is_git(range) || resolved.is_some_and(is_git) {
        let r = resolved.unwrap_or(range);
        let (url, rev) = match r.split_once('#') {
            Some((u, rev)) => (u.to_string(), Some(rev.to_string())),
            None => (r.to_string(), None),
        };
        return (
            Source::Git {
                url,
                rev: rev.map(Into::into),
            },
            false,
        );
    }
    if range.starts_with("http://") || range.starts_with("https://") {
        let url = resolved.unwrap_or(range);
        let url = url.split_once('#').map_or(url, |(u, _)| u);
        return (Source::Url(url.to_string()), true);
    }
    let origin = resolved.map(origin).unwrap_or("");
    if origin.is_empty()
        || origin == "https://registry.yarnpkg.com"
        || origin == "https://registry.npmjs.org"
    {
        (Source::Registry(None), true)
    } else {
        (Source::Registry(Some(origin.to_string())), true)
    }
}

/// `owner/repo` or `owner/repo#ref`: a range Yarn reads as a GitHub repository (no
/// protocol, not a path, not a scoped name).
pub(super) fn is_github_shorthand(range: &str) -> bool {
    let repo = range.split('#').next().unwrap_or(range);
    let Some((owner, name)) = repo.split_once('/') else {
        return false;
    };
    let ok = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    };
    !range.contains(':') && !owner.starts_with(['.', '@', '~']) && ok(owner) && ok(name)
}
