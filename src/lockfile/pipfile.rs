//! pipenv's `Pipfile.lock` (JSON, `_meta.pipfile-spec` 6, the only version pipenv has
//! written since 2017; any other value is an error).
//!
//! Packages come from the `default` section, `develop`, and the extra package
//! categories newer pipenv writes as further top-level sections (e.g. `docs`). A package
//! that appears only outside `default` is dev. Each entry is `name -> {version: "==x",
//! hashes: ["sha256:…"], index, markers, extras}` for registry packages; `git` + `ref`,
//! `path` (+ `editable`) and `file` entries are git, path and URL packages (their
//! version is empty unless the file name or `version` says it). `index` names one of
//! `_meta.sources`: a source other than pypi.org becomes the registry URL (an entry with
//! no `index` comes from the first source). A path entry for the project itself (`.`)
//! is the root, not a package.
//!
//! `Pipfile.lock` records no dependency edges. The roots are the packages the `Pipfile`
//! beside the lock names (`[packages]`, `[dev-packages]`, categories); without a
//! `Pipfile`, every entry counts as direct. Every path is `[project, name]`, project
//! being the lockfile's directory. Lines are those of each entry's key, found in one
//! pass over the text.
//!
//! Not verified: `_meta.hash` (the digest of the `Pipfile` the lock was made from) is
//! not compared with the `Pipfile`; markers are not evaluated.

use super::hash::Hash;
use super::python_lock::FastMap;
use super::python_url::{archive_name_version, is_pypi, redact};
use super::{Context, Ecosystem, Lockfile, Package, ParseError, Source, Unpinned, pep503};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The `pipfile-spec` versions lockgate reads.
pub const KNOWN_SPECS: [u64; 1] = [6];

/// The whole file: `_meta` and the package sections (`default`, `develop`, categories).
/// Read with a hand-written visitor (not `#[serde(flatten)]`) so that type errors keep
/// their line numbers.
struct PipfileLock {
    meta: Option<Meta>,
    sections: BTreeMap<String, BTreeMap<String, Entry>>,
}

impl<'de> Deserialize<'de> for PipfileLock {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = PipfileLock;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a Pipfile.lock object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<PipfileLock, A::Error> {
                let mut lock = PipfileLock {
                    meta: None,
                    sections: BTreeMap::new(),
                };
                while let Some(key) = map.next_key::<String>()? {
                    if key == "_meta" {
                        lock.meta = Some(map.next_value()?);
                    } else {
                        let section: BTreeMap<String, Entry> = map.next_value()?;
                        if lock.sections.insert(key.clone(), section).is_some() {
                            return Err(serde::de::Error::custom(format!(
                                "duplicate section `{key}`"
                            )));
                        }
                    }
                }
                Ok(lock)
            }
        }
        d.deserialize_map(V)
    }
}

#[derive(Deserialize)]
struct Meta {
    #[serde(rename = "pipfile-spec")]
    spec: Option<serde_json::Value>,
    #[serde(default)]
    sources: Vec<SourceDef>,
}

#[derive(Deserialize)]
struct SourceDef {
    name: String,
    url: String,
}

#[derive(Deserialize)]
struct Entry {
    version: Option<String>,
    #[serde(default)]
    hashes: Vec<String>,
    index: Option<String>,
    git: Option<String>,
    #[serde(rename = "ref")]
    rev: Option<String>,
    path: Option<String>,
    file: Option<String>,
    hg: Option<String>,
    svn: Option<String>,
    bzr: Option<String>,
}

super::format::one_file_format!("pipfile", Pypi, "Pipfile.lock", "pipenv lock");

/// Parse a `Pipfile.lock`.
pub fn parse(ctx: &Context<'_>, text: &str) -> Result<Lockfile, ParseError> {
    let lock: PipfileLock = serde_json::from_str(text).map_err(|e| {
        ctx.error(
            super::lines::json_error_line(&e),
            format!("not a valid Pipfile.lock: {e}"),
        )
    })?;
    let keys = key_lines(text).map_err(|(line, msg)| ctx.error(Some(line), msg))?;
    let meta = lock
        .meta
        .as_ref()
        .ok_or_else(|| ctx.error(Some(1), "no `_meta` section: not a Pipfile.lock"))?;
    let spec_line = keys
        .get(&("_meta".to_string(), "pipfile-spec".to_string()))
        .copied();
    let spec = match &meta.spec {
        Some(serde_json::Value::Number(n)) => n.as_u64().ok_or_else(|| {
            ctx.error(
                spec_line,
                format!("`_meta.pipfile-spec` {n} is not a version number"),
            )
        })?,
        Some(other) => {
            return Err(ctx.error(
                spec_line,
                format!("`_meta.pipfile-spec` must be a number, not {other}"),
            ));
        }
        None => {
            return Err(ctx.error(
                Some(1),
                "`_meta.pipfile-spec` is missing: not a Pipfile.lock",
            ));
        }
    };
    if !KNOWN_SPECS.contains(&spec) {
        return Err(ctx.error(
            spec_line,
            format!("`_meta.pipfile-spec` {spec} is not a version lockgate knows (6)"),
        ));
    }
    let sources: HashMap<&str, &str> = meta
        .sources
        .iter()
        .map(|s| (s.name.as_str(), s.url.as_str()))
        .collect();
    let registry_of = |url: &str| -> Source {
        if is_pypi(url) {
            Source::Registry(None)
        } else {
            Source::Registry(Some(redact(url)))
        }
    };
    let default_source = meta
        .sources
        .first()
        .map(|s| registry_of(&s.url))
        .unwrap_or(Source::Registry(None));

    let (roots, root_label) = pipfile_roots(ctx)?;
    let root_label = root_label.unwrap_or_else(|| ctx.root_label());

    // Every (section, name, entry) with its line, in file order.
    let mut all: Vec<(usize, &str, &str, &Entry)> = Vec::new();
    for (section, entries) in &lock.sections {
        for (name, entry) in entries {
            let line = keys
                .get(&(section.clone(), name.clone()))
                .copied()
                .unwrap_or(1);
            all.push((line, section.as_str(), name.as_str(), entry));
        }
    }
    all.sort_by_key(|a| a.0);

    let mut packages: Vec<Package> = Vec::new();
    let mut unpinned: Vec<Unpinned> = Vec::new();
    let mut seen: FastMap<(String, String, Source), usize> = FastMap::default();
    for (line, section, name, e) in all {
        if name.trim().is_empty() {
            return Err(ctx.error(
                Some(line),
                format!("an entry in `{section}` has an empty name"),
            ));
        }
        let (source, version) = if let Some(url) = &e.git {
            (
                Source::Git {
                    url: redact(url.strip_prefix("git+").unwrap_or(url)),
                    rev: e.rev.as_deref().map(Into::into),
                },
                e.version
                    .as_deref()
                    .map(|v| pinned(ctx, line, name, v))
                    .transpose()?
                    .unwrap_or_default(),
            )
        } else if let Some(url) = e.hg.as_ref().or(e.svn.as_ref()).or(e.bzr.as_ref()) {
            (Source::Url(redact(url)), String::new())
        } else if let Some(p) = &e.path {
            if matches!(p.trim_end_matches('/'), "." | "") {
                // The project itself: a root, not a package.
                continue;
            }
            let from_file = archive_name_version(p.rsplit('/').next().unwrap_or(p)).map(|a| a.1);
            (
                Source::Path(p.clone()),
                match &e.version {
                    Some(v) => pinned(ctx, line, name, v)?,
                    None => from_file.unwrap_or_default(),
                },
            )
        } else if let Some(f) = &e.file {
            let from_file = archive_name_version(
                f.split(['#', '?'])
                    .next()
                    .unwrap_or(f)
                    .rsplit('/')
                    .next()
                    .unwrap_or(f),
            )
            .map(|a| a.1);
            let src = if f.starts_with("file:") || !f.contains("://") {
                Source::Path(
                    f.strip_prefix("file://")
                        .or_else(|| f.strip_prefix("file:"))
                        .unwrap_or(f)
                        .to_string(),
                )
            } else {
                Source::Url(redact(f))
            };
            (
                src,
                match &e.version {
                    Some(v) => pinned(ctx, line, name, v)?,
                    None => from_file.unwrap_or_default(),
                },
            )
        } else {
            let v = e.version.as_deref().ok_or_else(|| {
                ctx.error(
                    Some(line),
                    format!("`{name}` in `{section}` has no version"),
                )
            })?;
            let src = match &e.index {
                Some(ix) => registry_of(sources.get(ix.as_str()).ok_or_else(|| {
                    ctx.error(
                        Some(line),
                        format!(
                            "`{name}` names the index `{ix}`, which `_meta.sources` does not define"
                        ),
                    )
                })?),
                None => default_source.clone(),
            };
            match exact(v) {
                Some(ver) => (src, ver),
                None if !v.trim().is_empty() => {
                    // pipenv writes `"version": "*"` (and no hashes) for a package whose
                    // markers exclude the platform it locked on: not pinned.
                    unpinned.push(Unpinned {
                        ecosystem: Ecosystem::Pypi,
                        name: name.to_string(),
                        spec: v.to_string(),
                        file: ctx.display.to_path_buf(),
                        line,
                    });
                    continue;
                }
                None => {
                    return Err(ctx.error(
                        Some(line),
                        format!("`{name}` in `{section}` has an empty version"),
                    ));
                }
            }
        };
        let mut hashes = e
            .hashes
            .iter()
            .map(|h| {
                Hash::parse(h).map_err(|err| ctx.error(Some(line), format!("`{name}`: {err}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let dev = section != "default";
        let norm = pep503(name);
        let key = (norm.clone(), version.clone(), source.clone());
        if let Some(&i) = seen.get(&key) {
            if let Some(p) = packages.get_mut(i) {
                p.hashes.append(&mut hashes);
                p.hashes.sort();
                p.hashes.dedup();
                p.dev &= dev;
            }
            continue;
        }
        hashes.sort();
        hashes.dedup();
        let direct = roots.as_ref().is_none_or(|r| r.contains(&norm));
        seen.insert(key, packages.len());
        packages.push(Package {
            hashes: hashes.into(),
            direct,
            dev,
            path: vec![root_label.clone(), name.to_string()].into(),
            ..Package::new(Ecosystem::Pypi, name, version, source, ctx.display, line)
        });
    }
    Ok(Lockfile {
        path: ctx.display.to_path_buf(),
        ecosystem: Ecosystem::Pypi,
        format: format!("pipfile-v{spec}"),
        packages,
        unpinned,
    })
}

/// `==1.2.3` -> `1.2.3`; `None` for anything that is not a pin.
fn exact(v: &str) -> Option<String> {
    v.strip_prefix("===")
        .or_else(|| v.strip_prefix("=="))
        .map(str::trim)
        .filter(|s| !s.is_empty() && !s.contains(['*', ',', ' ']))
        .map(str::to_string)
}

/// The pinned version of a git, path or file entry (which may also be `*`: no version).
fn pinned(ctx: &Context<'_>, line: usize, name: &str, v: &str) -> Result<String, ParseError> {
    match exact(v) {
        Some(ver) => Ok(ver),
        None if v.trim() == "*" => Ok(String::new()),
        None => Err(ctx.error(
            Some(line),
            format!("`{name}` has version `{v}`, not a pin `==x`"),
        )),
    }
}

/// The normalized names the `Pipfile` beside the lock asks for, if there is one, and the
/// project's own name when it lists itself as a path `.`.
fn pipfile_roots(
    ctx: &Context<'_>,
) -> Result<(Option<HashSet<String>>, Option<String>), ParseError> {
    let path = ctx.dir().join("Pipfile");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok((None, None));
    };
    let doc: toml::Table = text.parse().map_err(|e| {
        ctx.error(
            None,
            format!("the Pipfile beside it is not valid TOML: {e}"),
        )
    })?;
    let mut names = HashSet::new();
    let mut own = None;
    for (section, value) in &doc {
        if matches!(
            section.as_str(),
            "source" | "requires" | "pipenv" | "scripts"
        ) {
            continue;
        }
        if let Some(table) = value.as_table() {
            for (name, spec) in table {
                if spec
                    .get("path")
                    .and_then(|p| p.as_str())
                    .is_some_and(|p| matches!(p.trim_end_matches('/'), "." | ""))
                {
                    own.get_or_insert_with(|| name.clone());
                }
                names.insert(pep503(name));
            }
        }
    }
    Ok((Some(names), own))
}

/// The 1-based line of every key at depth 2 (`(section, key)`), in one pass over
/// (already validated) JSON text.
fn key_lines(text: &str) -> Result<HashMap<(String, String), usize>, (usize, String)> {
    let mut out = HashMap::new();
    // (is_object, key this container is the value of)
    let mut stack: Vec<(bool, Option<String>)> = Vec::new();
    let mut expect_key = false;
    let mut last_key: Option<String> = None;
    let mut line = 1usize;
    let bytes = text.as_bytes();
    let mut i = 0;
    // (the bytes that matter found through a table, a string's end by memchr3: the
    // byte-by-byte loop was most of this reader's own time; rest8)
    while let Some(off) = bytes
        .get(i..)
        .and_then(|t| t.iter().position(|&c| KEY_LINES_STOP[usize::from(c)]))
    {
        i += off;
        let Some(&b) = bytes.get(i) else { break };
        match b {
            b'\n' => line += 1,
            b'"' => {
                let start = i + 1;
                let mut j = start;
                // (an escaped byte, a newline too, is skipped with its backslash)
                loop {
                    let rest = bytes.get(j..).unwrap_or(&[]);
                    let Some(off) = memchr::memchr3(b'"', b'\\', b'\n', rest) else {
                        // (no end quote: the string runs to the end of the text)
                        j = bytes.len();
                        break;
                    };
                    j += off;
                    match bytes.get(j) {
                        Some(b'"') => break,
                        Some(b'\n') => {
                            line += 1;
                            j += 1;
                        }
                        _ => j += 2,
                    }
                }
                let s = text.get(start..j).unwrap_or("");
                let s = if s.contains('\\') {
                    serde_json::from_str::<String>(text.get(start - 1..=j).unwrap_or("\"\""))
                        .unwrap_or_default()
                } else {
                    s.to_string()
                };
                if expect_key && stack.last().is_some_and(|t| t.0) {
                    if stack.len() == 2
                        && let Some((_, Some(section))) = stack.get(1)
                        && out.insert((section.clone(), s.clone()), line).is_some()
                    {
                        return Err((line, format!("`{s}` appears twice in `{section}`")));
                    }
                    last_key = Some(s);
                    expect_key = false;
                }
                i = j;
            }
            b'{' => {
                stack.push((true, last_key.take()));
                expect_key = true;
            }
            b'[' => {
                stack.push((false, last_key.take()));
            }
            b'}' | b']' => {
                stack.pop();
                last_key = None;
            }
            b',' => {
                expect_key = stack.last().is_some_and(|t| t.0);
                last_key = None;
            }
            _ => {}
        }
        i += 1;
    }
    Ok(out)
}

/// The bytes [`key_lines`] acts on: a newline, a quote and the JSON punctuation.
static KEY_LINES_STOP: [bool; 256] = {
    let mut t = [false; 256];
    let stops = *b"\n\"{[}],";
    let mut k = 0;
    while k < stops.len() {
        t[stops[k] as usize] = true;
        k += 1;
    }
    t
};

#[cfg(test)]
mod tests {
    use super::*;

    /// `key_lines` before rest8 (byte by byte): the oracle.
    #[allow(clippy::type_complexity)]
    fn key_lines_before_rest8(
        text: &str,
    ) -> Result<HashMap<(String, String), usize>, (usize, String)> {
        let mut out = HashMap::new();
        // (is_object, key this container is the value of)
        let mut stack: Vec<(bool, Option<String>)> = Vec::new();
        let mut expect_key = false;
        let mut last_key: Option<String> = None;
        let mut line = 1usize;
        let bytes = text.as_bytes();
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'\n' => line += 1,
                b'"' => {
                    let start = i + 1;
                    let mut j = start;
                    let mut escaped = false;
                    while let Some(&c) = bytes.get(j) {
                        if escaped {
                            escaped = false;
                        } else if c == b'\\' {
                            escaped = true;
                        } else if c == b'"' {
                            break;
                        } else if c == b'\n' {
                            line += 1;
                        }
                        j += 1;
                    }
                    let s = text.get(start..j).unwrap_or("");
                    let s = if s.contains('\\') {
                        serde_json::from_str::<String>(text.get(start - 1..=j).unwrap_or("\"\""))
                            .unwrap_or_default()
                    } else {
                        s.to_string()
                    };
                    if expect_key && stack.last().is_some_and(|t| t.0) {
                        if stack.len() == 2
                            && let Some((_, Some(section))) = stack.get(1)
                            && out.insert((section.clone(), s.clone()), line).is_some()
                        {
                            return Err((line, format!("`{s}` appears twice in `{section}`")));
                        }
                        last_key = Some(s);
                        expect_key = false;
                    }
                    i = j;
                }
                b'{' => {
                    stack.push((true, last_key.take()));
                    expect_key = true;
                }
                b'[' => {
                    stack.push((false, last_key.take()));
                }
                b'}' | b']' => {
                    stack.pop();
                    last_key = None;
                }
                b',' => {
                    expect_key = stack.last().is_some_and(|t| t.0);
                    last_key = None;
                }
                _ => {}
            }
            i += 1;
        }
        Ok(out)
    }

    #[test]
    fn key_lines_reads_fixtures_and_mutations_as_before_rest8() {
        let mut texts = vec![LOCK.to_string()];
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pypi/pipfile"
        ))];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.file_name().is_some_and(|n| n == "Pipfile.lock")
                    && let Ok(t) = std::fs::read_to_string(&p)
                {
                    texts.push(t);
                }
            }
        }
        assert!(texts.len() > 3, "the Pipfile.lock fixtures are read");
        let pieces = [
            "\"", "\\", "\\\"", "\n", "{", "}", "[", "]", ",", ":", " ", "a", "é",
        ];
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut all = Vec::new();
        for t in &texts {
            all.push(t.clone());
            // Mutations: pieces inserted at random places, and the text cut short.
            for _ in 0..60 {
                let mut m = t.clone();
                for _ in 0..1 + next() % 3 {
                    let mut at = (next() % (m.len() as u64 + 1)) as usize;
                    while !m.is_char_boundary(at) {
                        at -= 1;
                    }
                    m.insert_str(at, pieces[(next() % pieces.len() as u64) as usize]);
                }
                all.push(m.clone());
                let mut cut = (next() % (m.len() as u64 + 1)) as usize;
                while !m.is_char_boundary(cut) {
                    cut -= 1;
                }
                all.push(m[..cut].to_string());
            }
        }
        for _ in 0..3000 {
            let s: String = (0..next() % 40)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            all.push(s);
        }
        for t in &all {
            assert_eq!(key_lines(t), key_lines_before_rest8(t), "{t:?}");
        }
    }

    fn parse_str(text: &str) -> Result<Lockfile, ParseError> {
        FORMAT.parse_at("/nonexistent/proj/Pipfile.lock", text)
    }

    const LOCK: &str = r#"{
    "_meta": {"pipfile-spec": 6, "sources": [{"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": true},
                                            {"name": "corp", "url": "https://u:p@corp.example/simple", "verify_ssl": true}]},
    "default": {
        "requests": {"hashes": ["sha256:1111111111111111111111111111111111111111111111111111111111111111"], "index": "pypi", "version": "==2.32.3"},
        "internal": {"index": "corp", "version": "==1.0"},
        "me": {"editable": true, "path": "."},
        "lib": {"git": "https://example.com/lib.git", "ref": "abc"}
    },
    "develop": {
        "pytest": {"version": "==8.0.0"},
        "requests": {"hashes": [], "index": "pypi", "version": "==2.32.3"}
    }
}"#;

    #[test]
    fn reads_sections_sources_and_lines() {
        let lf = parse_str(LOCK).unwrap();
        assert_eq!(lf.format, "pipfile-v6");
        let names: Vec<_> = lf
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.line, p.dev))
            .collect();
        assert_eq!(
            names,
            vec![
                ("requests", 5, false),
                ("internal", 6, false),
                ("lib", 8, false),
                ("pytest", 11, true)
            ]
        );
        assert_eq!(
            lf.packages[1].source,
            Source::Registry(Some("https://corp.example/simple".into()))
        );
        assert_eq!(lf.packages[2].source.kind(), "git");
        assert!(lf.packages.iter().all(|p| p.direct && p.path.len() == 2));
    }

    #[test]
    fn errors_name_their_line() {
        let e = parse_str(&LOCK.replace("\"pipfile-spec\": 6", "\"pipfile-spec\": 7")).unwrap_err();
        assert_eq!(e.line, Some(2));
        let lf = parse_str(&LOCK.replace("\"==1.0\"", "\"*\"")).unwrap();
        assert_eq!(
            (lf.unpinned[0].name.as_str(), lf.unpinned[0].line),
            ("internal", 6)
        );
        let e = parse_str(&LOCK.replace("\"==1.0\"", "\"\"")).unwrap_err();
        assert_eq!(e.line, Some(6));
        let e =
            parse_str(&LOCK.replace("\"corp\", \"version\"", "\"nope\", \"version\"")).unwrap_err();
        assert_eq!(e.line, Some(6));
        let e = parse_str(&LOCK.replace("sha256:1111", "sha256:zz11")).unwrap_err();
        assert_eq!(e.line, Some(5));
        let e = parse_str(&LOCK.replace("\"lib\": {", "\"internal\": {")).unwrap_err();
        assert_eq!(e.line, Some(8));
        let e = parse_str(&LOCK[..200]).unwrap_err();
        assert!(e.line.is_some());
        let e =
            parse_str(&LOCK.replace("\"pytest\": {\"version\": \"==8.0.0\"}", "\"pytest\": {}"))
                .unwrap_err();
        assert_eq!(e.line, Some(11));
    }
}
