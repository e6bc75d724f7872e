//! Whole-file oracle: every lockfile fixture under tests/fixtures/, parsed through
//! the library, with every field of every package (artifacts included), snapshotted.
//!
//! Taken before the model refactor so that any change in what a parser produces shows
//! up as a snapshot diff. The JSON is built here from the public fields, not from
//! `Package`'s `Serialize` (which skips `artifacts` and may change). Field access is
//! kept to `.to_string()` / `.display()` so a change of field type (`String` to
//! `Arc<str>`, `PathBuf` to `Arc<Path>`) needs at most a one-line edit here, never a
//! snapshot change.
//!
//! Files that are meant to fail (malformed and hostile fixtures) are snapshotted as
//! their error (`error: path:line: message` and `hint:`), and `must_fail` says exactly
//! which files those are, so a fixture that starts or stops failing is a test failure
//! even if someone accepts the snapshot change.
//!
//! One snapshot per fixture file, named after its path
//! (tests/snapshots/parsed_snapshots__<path with / as __>.snap). Each package is one
//! line of JSON, so the snapshots stay small and diffs show whole packages.

use std::path::{Path, PathBuf};

use lockgate::lockfile::{self, Artifact, Kind, Lockfile, Package, Unpinned};
use serde_json::{Value, json};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Lockfiles (paths or folders relative to tests/fixtures, `/`-separated) that are
/// meant to fail to parse, besides every file in a `malformed/` folder. A file fails
/// if and only if it is listed here or is malformed (and not in `MALFORMED_BUT_READ`).
const EXPECTED_FAILURES: &[&str] = &[
    "hostile/duplicate-keys/",
    "hostile/invalid-utf8/",
    "hostile/listed-twice/cargo/",
    "hostile/newer-format/",
    "hostile/no-version/",
    "hostile/version-not-string/",
    "hostile/yaml-alias-bomb/",
    // Not a lockfile: notes on how the fixtures were made, in a `requirements/` folder.
    "pypi/requirements/TOOLS.txt",
    // Refused as current pip refuses it (see KNOWN_FAILING in tests/realworld.rs).
    "realworld/readthedocs__readthedocs.org/requirements/pip.txt",
];

/// Files in `malformed/` folders that are read: the valid controls and inputs that are
/// odd but not malformed to the tool that wrote them.
const MALFORMED_BUT_READ: &[&str] = &[
    "npm/yarn-berry/malformed/unknown-protocol/",
    "pypi/pdm/malformed/valid/",
    "pypi/poetry/malformed/valid/",
    "pypi/uv/malformed/valid/",
];

/// Fuzzers' crash inputs for the requirements reader (no file name lockgate detects):
/// read as requirements files; they must not panic, and may parse or fail.
const FUZZ_REQUIREMENTS: &str = "hostile/fuzz-regressions/requirements/";

fn must_fail(rel: &str) -> bool {
    EXPECTED_FAILURES.iter().any(|f| rel.starts_with(f))
        || (rel.contains("/malformed/") && !MALFORMED_BUT_READ.iter().any(|f| rel.starts_with(f)))
}

/// Every file under tests/fixtures that lockgate recognises as a lockfile by name,
/// sorted, skipping `node_modules` and the realworld corpus's expected readings.
fn lockfiles() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                if name != "node_modules" {
                    walk(&p, out);
                }
            } else if lockfile::detect(&p).is_some()
                || p.starts_with(fixtures().join(FUZZ_REQUIREMENTS))
            {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&fixtures(), &mut out);
    let expected = fixtures().join("realworld/expected");
    out.retain(|p| !p.starts_with(&expected));
    out
}

fn rel(path: &Path) -> String {
    path.strip_prefix(fixtures())
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

fn hashes<'a, H: ToString + 'a>(hs: impl IntoIterator<Item = &'a H>) -> Value {
    hs.into_iter().map(|h| h.to_string()).collect()
}

fn opt<T: ToString>(v: &Option<T>) -> Value {
    v.as_ref()
        .map_or(Value::Null, |s| Value::String(s.to_string()))
}

fn artifact(a: &Artifact) -> Value {
    json!({
        "url": opt(&a.url),
        "filename": opt(&a.filename),
        "hashes": hashes(&a.hashes),
        "line": a.line,
    })
}

fn package(p: &Package) -> Value {
    json!({
        "ecosystem": p.ecosystem.to_string(),
        "name": p.name.to_string(),
        "version": p.version.to_string(),
        "hashes": hashes(&p.hashes),
        "source": {"kind": p.source.kind(), "location": opt(&p.source.location())},
        "lockfile": p.lockfile.display().to_string(),
        "line": p.line,
        "direct": p.direct,
        "dev": p.dev,
        "optional": p.optional,
        "path": p.path.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        "artifacts": p.files().map(|a| artifact(&a)).collect::<Vec<_>>(),
    })
}

fn unpinned(u: &Unpinned) -> Value {
    json!({
        "ecosystem": u.ecosystem.to_string(),
        "name": u.name.to_string(),
        "spec": u.spec.to_string(),
        "file": u.file.display().to_string(),
        "line": u.line,
    })
}

/// A JSON document with one package (or unpinned requirement) per line.
fn render(lock: &Lockfile) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{{\"path\": {}, \"ecosystem\": {}, \"format\": {},\n\"packages\": [",
        json!(lock.path.display().to_string()),
        json!(lock.ecosystem.to_string()),
        json!(lock.format.to_string()),
    ));
    let lines = |items: Vec<Value>| -> String {
        if items.is_empty() {
            return String::new();
        }
        let body: Vec<String> = items.iter().map(Value::to_string).collect();
        format!("\n{}\n", body.join(",\n"))
    };
    out.push_str(&lines(lock.packages.iter().map(package).collect()));
    out.push_str("],\n\"unpinned\": [");
    out.push_str(&lines(lock.unpinned.iter().map(unpinned).collect()));
    out.push_str("]}");
    out
}

fn snapshot_name(rel: &str) -> String {
    rel.replace('/', "__")
}

#[test]
fn every_fixture_lockfile_parses_to_its_snapshot() {
    let files = lockfiles();
    assert!(
        files.len() > 100,
        "found only {} lockfiles under tests/fixtures",
        files.len()
    );
    let mut failures = Vec::new();
    for path in &files {
        let rel = rel(path);
        let result = if rel.starts_with(FUZZ_REQUIREMENTS) {
            lockfile::parse_file_as(Kind::Requirements, path, Path::new(&rel), false)
        } else {
            lockfile::parse_file(path, Path::new(&rel))
        };
        let fuzz = rel.starts_with(FUZZ_REQUIREMENTS);
        let body = match &result {
            Ok(lock) => {
                if must_fail(&rel) {
                    failures.push(format!("{rel}: parsed, but it is meant to fail"));
                }
                render(lock)
            }
            Err(e) => {
                if !must_fail(&rel) && !fuzz {
                    failures.push(format!("{rel}: failed unexpectedly: {e}"));
                }
                let mut s = format!("error: {e}");
                let hint = e.hint.to_string();
                if !hint.is_empty() {
                    s.push_str(&format!("\nhint: {hint}"));
                }
                s
            }
        };
        // Check every file before failing, so one run writes every changed
        // snapshot (`cargo insta review` then shows them all).
        let matched = std::panic::catch_unwind(|| {
            insta::with_settings!({
                prepend_module_to_snapshot => true,
                omit_expression => true,
                description => rel.clone(),
            }, {
                insta::assert_snapshot!(snapshot_name(&rel), body);
            });
        });
        if matched.is_err() {
            failures.push(format!("{rel}: differs from its snapshot"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
