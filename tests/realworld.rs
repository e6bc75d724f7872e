//! The real-world corpus: lockfiles taken from well-known public repositories
//! (tests/fixtures/realworld/<owner>__<repo>/<path>, origin and licence in
//! SOURCES.tsv), each read by the lockgate binary and compared with an
//! independent reading (scripts/realworld/independent_reader.py, written from
//! the formats' specifications, not from lockgate's code) committed as
//! tests/fixtures/realworld/expected/<path>.json.
//!
//! Names, versions, source kinds and hashes must match exactly (PyPI names are
//! compared in their PEP 503 form, as the ecosystem compares them). See
//! docs/testing.md for how to add an entry.

// A test may report what it measured or skipped.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

/// Files lockgate cannot read yet (or reads differently), each with the reason and
/// the fix that will remove it. A file listed here must still fail: when a fix
/// makes it pass, the test says so and the entry must be removed.
const KNOWN_FAILING: &[(&str, &str)] = &[
    // Refused on purpose: `#egg=elasticsearch-dsl==6.1.1` is not a project name. pip 23
    // warned that such egg fragments would become an error, and pip 25 refuses them;
    // lockgate refuses the file (fail closed) rather than guess the name.
    (
        "readthedocs__readthedocs.org/requirements/pip.txt",
        "refused as current pip refuses it: `#egg=name==version` is not a valid egg fragment",
    ),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/realworld")
}

/// (ecosystem, compared name, version, source) -> hashes
type Reading = BTreeMap<(String, String, String, String), BTreeSet<String>>;

fn pep503(name: &str) -> String {
    let mut out = String::new();
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

fn key(eco: &str, p: &Value) -> (String, String, String, String) {
    let name = p["name"].as_str().unwrap_or_default();
    let name = if eco == "pypi" {
        pep503(name)
    } else {
        name.to_string()
    };
    (
        eco.to_string(),
        name,
        p["version"].as_str().unwrap_or_default().to_string(),
        p["source"].as_str().unwrap_or_default().to_string(),
    )
}

fn hashes(p: &Value) -> BTreeSet<String> {
    p["hashes"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|h| h.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn expected_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&root().join("expected"), &mut out);
    out.sort();
    out
}

/// What the independent reader expects for one lockfile.
fn expected(path: &Path) -> (String, String, Reading) {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let eco = doc["ecosystem"].as_str().unwrap().to_string();
    let mut r = Reading::new();
    for p in doc["packages"].as_array().unwrap() {
        r.entry(key(&eco, p)).or_default().extend(hashes(p));
    }
    (doc["lockfile"].as_str().unwrap().to_string(), eco, r)
}

/// lockgate's reading of one lockfile, or why it could not read it.
fn lockgate(rel: &str) -> Result<Reading, String> {
    let out = support::lockgate()
        .current_dir(root())
        .args(["packages", "--format", "json", rel])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let doc: Value = serde_json::from_str(&stdout).map_err(|e| {
        format!(
            "exit {:?}, no JSON ({e}): {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    if !out.status.success() || doc["complete"] != Value::Bool(true) {
        return Err(format!("exit {:?}: {}", out.status.code(), doc["errors"]));
    }
    let mut r = Reading::new();
    for p in doc["packages"].as_array().unwrap() {
        let eco = p["ecosystem"].as_str().unwrap();
        r.entry(key(eco, p)).or_default().extend(hashes(p));
    }
    Ok(r)
}

/// A readable diff between the two readings; empty when they are equal.
fn diff(want: &Reading, got: &Reading) -> Vec<String> {
    let mut lines = Vec::new();
    let show = |k: &(String, String, String, String)| format!("{} {} {} ({})", k.0, k.1, k.2, k.3);
    for (k, h) in want {
        match got.get(k) {
            None => lines.push(format!("  missing in lockgate: {}", show(k))),
            Some(g) if g != h => {
                for x in h.difference(g) {
                    lines.push(format!("  {}: hash missing in lockgate: {x}", show(k)));
                }
                for x in g.difference(h) {
                    lines.push(format!("  {}: extra hash in lockgate: {x}", show(k)));
                }
            }
            Some(_) => {}
        }
    }
    for k in got.keys().filter(|k| !want.contains_key(*k)) {
        lines.push(format!("  extra in lockgate: {}", show(k)));
    }
    lines
}

#[test]
fn every_corpus_lockfile_reads_as_the_independent_reader_does() {
    let files = expected_files();
    let known: BTreeMap<&str, &str> = KNOWN_FAILING.iter().copied().collect();
    let mut failures = Vec::new();
    let mut exact = 0;
    let mut seen_known = BTreeSet::new();
    for path in &files {
        let (rel, _eco, want) = expected(path);
        let result = lockgate(&rel);
        let problem = match &result {
            Err(e) => Some(format!("{rel}: lockgate refused it: {e}")),
            Ok(got) => {
                let d = diff(&want, got);
                (!d.is_empty()).then(|| format!("{rel}: read differently\n{}", d.join("\n")))
            }
        };
        match (problem, known.get(rel.as_str())) {
            (None, None) => exact += 1,
            (None, Some(_)) => failures.push(format!(
                "{rel} is in KNOWN_FAILING but now reads exactly: remove it from the list"
            )),
            (Some(p), None) => failures.push(p),
            (Some(_), Some(_)) => {
                seen_known.insert(rel.clone());
            }
        }
    }
    for k in known.keys() {
        if !seen_known.contains(*k) && !files.iter().any(|f| f.ends_with(format!("{k}.json"))) {
            failures.push(format!(
                "KNOWN_FAILING names {k}, which is not in the corpus"
            ));
        }
    }
    eprintln!(
        "real-world corpus: {} lockfiles, {exact} read exactly, {} known failing",
        files.len(),
        seen_known.len()
    );
    assert!(failures.is_empty(), "\n{}\n", failures.join("\n"));
    assert!(
        files.len() >= 82,
        "the corpus holds {} lockfiles",
        files.len()
    );
}

/// Every lockfile of the corpus has an expected reading and a SOURCES.tsv row
/// (repository, commit, path, licence, format), and nothing else is expected.
#[test]
fn corpus_files_sources_and_expected_readings_agree() {
    let sources = std::fs::read_to_string(root().join("SOURCES.tsv")).unwrap();
    let mut rows = BTreeSet::new();
    let mut repos = BTreeSet::new();
    for (i, line) in sources.lines().enumerate().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 5, "SOURCES.tsv:{}: 5 columns expected", i + 1);
        assert!(
            cols[1].len() == 40 && cols[1].chars().all(|c| c.is_ascii_hexdigit()),
            "SOURCES.tsv:{}: commit must be 40 hex digits",
            i + 1
        );
        assert!(
            !cols[3].is_empty(),
            "SOURCES.tsv:{}: licence missing",
            i + 1
        );
        let dir = cols[0].replacen('/', "__", 1);
        let file = root().join(&dir).join(cols[2]);
        assert!(
            file.is_file(),
            "SOURCES.tsv:{}: {} is not in the corpus",
            i + 1,
            file.display()
        );
        rows.insert(format!("{dir}/{}", cols[2]));
        repos.insert(cols[0].to_string());
    }
    let expected: BTreeSet<String> = expected_files()
        .iter()
        .map(|p| {
            let rel = p.strip_prefix(root().join("expected")).unwrap();
            let s = rel.to_string_lossy().replace('\\', "/");
            s.strip_suffix(".json").unwrap().to_string()
        })
        .collect();
    let lockfile_rows: BTreeSet<String> = rows
        .iter()
        .filter(|r| {
            let name = r.rsplit('/').next().unwrap();
            !matches!(name, "package.json" | "pyproject.toml" | "Cargo.toml")
        })
        .cloned()
        .collect();
    assert_eq!(
        lockfile_rows, expected,
        "every lockfile in SOURCES.tsv needs an expected reading (run scripts/realworld/independent_reader.py) and vice versa"
    );
    assert!(
        repos.len() >= 47,
        "the corpus comes from {} repositories",
        repos.len()
    );
}

/// The format version a corpus lockfile declares in its own header (not the
/// `format` label of SOURCES.tsv, which is written by hand), e.g.
/// `uv.lock revision 3`; None for files without a format version
/// (requirements files, package.json, ...).
fn declared_version(file_name: &str, text: &str) -> Option<String> {
    // The value of the first line starting (after indentation) with `key`,
    // looking no further than a line starting with `stop`.
    let value = |key: &str, stop: &str| -> Option<String> {
        for line in text.lines() {
            if !stop.is_empty() && line.starts_with(stop) {
                return None;
            }
            if let Some(rest) = line.trim_start().strip_prefix(key) {
                let v = rest.trim().trim_end_matches(',');
                return Some(v.trim_matches(|c| c == '"' || c == '\'').to_string());
            }
        }
        None
    };
    let or_none = |v: Option<String>| v.unwrap_or_else(|| "none".to_string());
    let version = match file_name {
        "Cargo.lock" => match value("version = ", "[[package]]") {
            Some(v) => format!("v{v}"),
            // v1 keeps its checksums in [metadata]; v2 has no version line.
            None if text.contains("\n[metadata]") => "v1".to_string(),
            None => "v2".to_string(),
        },
        "package-lock.json" | "npm-shrinkwrap.json" => {
            format!(
                "lockfileVersion {}",
                or_none(value("\"lockfileVersion\": ", ""))
            )
        }
        "yarn.lock" if text.contains("# yarn lockfile v1") => "classic v1".to_string(),
        "yarn.lock" => format!("__metadata {}", or_none(value("version: ", ""))),
        "pnpm-lock.yaml" => or_none(value("lockfileVersion: ", "")),
        "bun.lock" => format!(
            "configVersion {}",
            or_none(value("\"configVersion\": ", ""))
        ),
        "poetry.lock" => format!("lock-version {}", or_none(value("lock-version = ", ""))),
        "uv.lock" => format!(
            "revision {}",
            value("revision = ", "[[package]]").unwrap_or_else(|| "0".to_string())
        ),
        "pdm.lock" => format!("lock_version {}", or_none(value("lock_version = ", ""))),
        "pylock.toml" => format!("lock-version {}", or_none(value("lock-version = ", ""))),
        "Pipfile.lock" => format!("pipfile-spec {}", or_none(value("\"pipfile-spec\": ", ""))),
        _ => return None,
    };
    Some(format!("{file_name} {version}"))
}

/// The format versions the corpus must keep covering (docs/testing.md, "The
/// real-world corpus", lists them): each is read from the files' own headers.
const COVERED_VERSIONS: &[&str] = &[
    "Cargo.lock v1",
    "Cargo.lock v2",
    "Cargo.lock v3",
    "Cargo.lock v4",
    "npm-shrinkwrap.json lockfileVersion none",
    "package-lock.json lockfileVersion 1",
    "package-lock.json lockfileVersion 2",
    "package-lock.json lockfileVersion 3",
    "yarn.lock classic v1",
    "yarn.lock __metadata 4",
    "yarn.lock __metadata 6",
    "yarn.lock __metadata 8",
    "yarn.lock __metadata 9",
    "yarn.lock __metadata 10",
    "pnpm-lock.yaml 5.4",
    "pnpm-lock.yaml 6.0",
    "pnpm-lock.yaml 7.0",
    "pnpm-lock.yaml 9.0",
    "bun.lock configVersion 0",
    "bun.lock configVersion 1",
    "poetry.lock lock-version 1.0",
    "poetry.lock lock-version 2.0",
    "poetry.lock lock-version 2.1",
    "uv.lock revision 1",
    "uv.lock revision 2",
    "uv.lock revision 3",
    "pdm.lock lock_version 4.0",
    "pdm.lock lock_version 4.1",
    "pdm.lock lock_version 4.4.2",
    "pdm.lock lock_version 4.5.0",
    "pdm.lock lock_version 4.5.1",
    "pylock.toml lock-version 1.0",
    "Pipfile.lock pipfile-spec 6",
];

/// Every format version of COVERED_VERSIONS is declared by at least one corpus
/// lockfile, so that removing or replacing a file cannot silently drop one.
#[test]
fn corpus_covers_every_listed_format_version() {
    let mut covered = BTreeSet::new();
    for path in expected_files() {
        let (rel, _eco, _want) = expected(&path);
        let file = root().join(&rel);
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&file).unwrap();
        if let Some(v) = declared_version(&name, &text) {
            covered.insert(v);
        }
    }
    let missing: Vec<&&str> = COVERED_VERSIONS
        .iter()
        .filter(|v| !covered.contains(**v))
        .collect();
    assert!(
        missing.is_empty(),
        "no corpus lockfile declares {missing:?}; the corpus declares {covered:?}"
    );
}
