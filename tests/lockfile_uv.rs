//! uv.lock: fixtures made by uv 0.13.9 (tests/fixtures/pypi/generate-uv.sh) and
//! hand-written malformed inputs (tests/fixtures/pypi/uv/malformed/).

mod support;

use lockgate::lockfile::{Lockfile, Package, Source, parse_file};
use std::path::Path;
use support::{Fixtures, get};

const F: Fixtures = Fixtures("tests/fixtures/pypi/uv");

fn fixture(rel: &str) -> std::path::PathBuf {
    F.fixture(rel)
}

fn parse(rel: &str) -> Lockfile {
    F.parse(rel)
}

fn assert_matches_expected(lock: &Lockfile, dir: &str) {
    F.assert_matches_expected(lock, dir)
}

fn assert_line(rel: &str, p: &Package) {
    F.assert_line(rel, p)
}

fn hashes_in_entry(rel: &str, p: &Package) -> usize {
    F.hashes_in_entry(rel, p)
}

#[test]
fn project_matches_uv_tree() {
    let lock = parse("project/uv.lock");
    assert_eq!(lock.format, "uv-v1");
    assert_matches_expected(&lock, "project");
    assert!(
        lock.packages.iter().all(|p| p.name != "demo-app"),
        "the project is a root"
    );
    for p in &lock.packages {
        assert_line("project/uv.lock", p);
        assert_eq!(p.path.first(), Some("demo-app"), "{p:?}");
    }
}

#[test]
fn project_hashes_are_sdist_and_every_wheel() {
    let lock = parse("project/uv.lock");
    let idna = get(&lock, "idna", None);
    assert_eq!(
        idna.hashes
            .iter()
            .map(|h| h.to_string())
            .collect::<Vec<_>>(),
        [
            "sha256:a7db850025b95ded1eae8a46181a1a6c56c92c96f0e2b005d9ff8dc0210cab44",
            "sha256:ab7ae7122974553370f0bdb919e1a960b2cd1bc1ef0276416d896db81c14582c",
        ]
    );
    let core = get(&lock, "pydantic-core", None);
    assert!(core.hashes.len() > 50, "{}", core.hashes.len());
    for p in &lock.packages {
        assert_eq!(
            p.hashes.len(),
            hashes_in_entry("project/uv.lock", p),
            "{}",
            p.name
        );
        assert!(p.hashes.windows(2).all(|w| w[0] < w[1]), "sorted, deduped");
    }
}

#[test]
fn project_sources_and_flags() {
    let lock = parse("project/uv.lock");
    let six = get(&lock, "six", None);
    assert_eq!(
        six.source,
        Source::Url("https://files.pythonhosted.org/packages/b7/ce/149a00dd41f10bc29e5921b496af8b574d8413afcd5e30dfa0ed46c2cc5e/six-1.17.0-py2.py3-none-any.whl".into())
    );
    assert_eq!(six.hashes.len(), 1);
    assert!(six.direct && !six.dev);
    let local = get(&lock, "localpkg", Some("0.3.0"));
    assert_eq!(local.source, Source::Path("vendor/localpkg".into()));
    assert!(local.hashes.is_empty());
    assert!(local.direct);
    assert_eq!(get(&lock, "requests", None).source, Source::Registry(None));

    // dev group, transitive dev, optional extra
    let pytest = get(&lock, "pytest", None);
    assert!(pytest.dev && pytest.direct);
    let pluggy = get(&lock, "pluggy", None);
    assert!(pluggy.dev && !pluggy.direct);
    assert_eq!(pluggy.path, ["demo-app", "pytest", "pluggy"]);
    let yaml = get(&lock, "pyyaml", None);
    assert!(yaml.optional && yaml.direct && !yaml.dev);
    // transitive production dependencies, one through the `http2` extra of httpx
    let urllib3 = get(&lock, "urllib3", None);
    assert_eq!(urllib3.path, ["demo-app", "requests", "urllib3"]);
    assert!(!urllib3.direct && !urllib3.dev && !urllib3.optional);
    assert_eq!(
        get(&lock, "hpack", None).path,
        ["demo-app", "httpx", "h2", "hpack"]
    );
    // a forked resolution: both versions are packages, both direct
    let md: Vec<_> = lock
        .packages
        .iter()
        .filter(|p| p.name == "markdown")
        .collect();
    assert_eq!(md.len(), 2);
    assert!(md.iter().all(|p| p.direct));
}

#[test]
fn workspace_members_are_roots() {
    let lock = parse("workspace/uv.lock");
    assert_matches_expected(&lock, "workspace");
    for member in ["demo-ws", "lib-a", "lib-b"] {
        assert!(
            lock.packages.iter().all(|p| p.name != member),
            "{member} is a root"
        );
    }
    for p in &lock.packages {
        assert_line("workspace/uv.lock", p);
    }
    let helper = get(&lock, "helper", None);
    assert_eq!(helper.source, Source::Path("vendor/helper".into()));
    assert_eq!(helper.path, ["lib-b", "helper"]);
    assert_eq!(get(&lock, "six", None).path, ["lib-b", "helper", "six"]);
    let ruff = get(&lock, "ruff", None);
    assert!(ruff.dev && ruff.direct);
    assert_eq!(ruff.path, ["demo-ws", "ruff"]);
    assert!(
        get(&lock, "iniconfig", Some("2.3.1")).dev,
        "lib-b's test group"
    );
    let tomli = get(&lock, "tomli", None);
    assert!(tomli.optional, "lib-a's `toml` extra");
    assert_eq!(
        lock.packages.iter().filter(|p| p.name == "typer").count(),
        3
    );
    let click: Vec<_> = lock.packages.iter().filter(|p| p.name == "click").collect();
    assert_eq!(click.len(), 2);
    assert!(click.iter().all(|p| p.direct && &p.path[0] == "demo-ws"));
}

fn error(case: &str) -> lockgate::lockfile::ParseError {
    let rel = format!("malformed/{case}/uv.lock");
    match parse_file(&fixture(&rel), Path::new(&rel)) {
        Ok(lock) => panic!("{case} parsed: {} packages", lock.packages.len()),
        Err(e) => e,
    }
}

#[test]
fn malformed_inputs_fail_with_their_line() {
    assert_eq!(parse("malformed/valid/uv.lock").packages.len(), 1);
    for (case, line, needle) in [
        ("truncated", 20, "valid uv.lock"),
        ("wrong-type", 16, "string"),
        ("unknown-version", 2, "uv.lock version 2 is newer"),
        ("missing-version", 14, "`idna` has no `version`"),
        ("bad-hash", 18, "bad hash"),
        ("unknown-source", 17, "svn"),
        ("missing-dependency", 12, "`nothere`"),
    ] {
        let e = error(case);
        assert_eq!(e.line, Some(line), "{case}: {e}");
        assert!(e.message.contains(needle), "{case}: {e}");
        assert_eq!(e.path, Path::new(&format!("malformed/{case}/uv.lock")));
    }
}

#[test]
fn deeply_nested_input_is_an_error_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("uv.lock");
    let text = format!(
        "version = 1\nx = {}1{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    std::fs::write(&path, text).unwrap();
    assert!(parse_file(&path, Path::new("uv.lock")).is_err());
}
