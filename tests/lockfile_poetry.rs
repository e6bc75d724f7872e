//! poetry.lock: v2.1 made by Poetry 2.5.1, v1.1 made by Poetry 1.1.15
//! (tests/fixtures/pypi/generate-poetry.sh), and hand-written malformed inputs.

mod support;

use lockgate::lockfile::{Lockfile, Package, Source, parse_file};
use std::path::Path;
use support::{Fixtures, get};

const F: Fixtures = Fixtures("tests/fixtures/pypi/poetry");

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

const SIX_URL: &str = "https://files.pythonhosted.org/packages/b7/ce/149a00dd41f10bc29e5921b496af8b574d8413afcd5e30dfa0ed46c2cc5e/six-1.17.0-py2.py3-none-any.whl";
const IDNA_HASHES: [&str; 2] = [
    "sha256:a7db850025b95ded1eae8a46181a1a6c56c92c96f0e2b005d9ff8dc0210cab44",
    "sha256:ab7ae7122974553370f0bdb919e1a960b2cd1bc1ef0276416d896db81c14582c",
];

fn hash_strings(p: &Package) -> Vec<String> {
    p.hashes.iter().map(|h| h.to_string()).collect()
}

/// Facts both fixtures share: same project, same path/URL/dev/extra dependencies.
fn assert_common(lock: &Lockfile, rel: &str) {
    assert!(
        lock.packages.iter().all(|p| p.name != "demo-app"),
        "the project is a root"
    );
    for p in &lock.packages {
        assert_line(rel, p);
        assert!(p.direct || p.path.len() > 2, "{p:?}");
        assert_eq!(&p.path[0], "demo-app", "{p:?}");
        assert!(p.hashes.windows(2).all(|w| w[0] < w[1]), "sorted, deduped");
    }
    assert_eq!(hash_strings(get(lock, "idna", None)), IDNA_HASHES);
    let six = get(lock, "six", None);
    assert_eq!(six.source, Source::Url(SIX_URL.into()));
    assert!(six.direct && !six.dev);
    let local = get(lock, "localpkg", Some("0.3.0"));
    assert_eq!(local.source, Source::Path("vendor/localpkg".into()));
    assert!(local.direct && local.hashes.is_empty());
    let idna = &get(lock, "idna", None).path;
    assert!(
        idna.len() == 3 && ["localpkg", "requests"].contains(&&idna[1]),
        "{idna:?}"
    );
    assert_eq!(
        get(lock, "requests", None).source,
        Source::Registry(None),
        "the simple index at pypi.org is PyPI"
    );
    let pytest = get(lock, "pytest", None);
    assert!(pytest.dev && pytest.direct);
    let pluggy = get(lock, "pluggy", None);
    assert!(pluggy.dev && !pluggy.direct);
    assert_eq!(pluggy.path, ["demo-app", "pytest", "pluggy"]);
    let yaml = get(lock, "pyyaml", None);
    assert!(yaml.optional && yaml.direct && !yaml.dev);
    let urllib3 = get(lock, "urllib3", None);
    assert_eq!(urllib3.path, ["demo-app", "requests", "urllib3"]);
    assert!(!urllib3.direct && !urllib3.dev && !urllib3.optional);
}

#[test]
fn v2_matches_poetry_export() {
    let lock = parse("v2/poetry.lock");
    assert_eq!(lock.format, "poetry-v2.1");
    assert_matches_expected(&lock, "v2");
    assert_common(&lock, "v2/poetry.lock");
    for p in &lock.packages {
        assert_eq!(
            p.hashes.len(),
            hashes_in_entry("v2/poetry.lock", p),
            "{}",
            p.name
        );
    }
    assert!(get(&lock, "pydantic-core", None).hashes.len() > 50);
}

#[test]
fn v1_matches_poetry_export() {
    let lock = parse("v1/poetry.lock");
    assert_eq!(lock.format, "poetry-v1.1");
    assert_matches_expected(&lock, "v1");
    assert_common(&lock, "v1/poetry.lock");
    // v1 keeps the hashes in [metadata.files]: the entries themselves have none.
    assert_eq!(
        hashes_in_entry("v1/poetry.lock", get(&lock, "attrs", None)),
        0
    );
    assert_eq!(get(&lock, "attrs", None).hashes.len(), 2);
    // Poetry 1.1 records no hash for a URL dependency (`six = []`); Poetry 2 does.
    assert!(get(&lock, "six", None).hashes.is_empty());
    let v2 = parse("v2/poetry.lock");
    assert_eq!(
        hash_strings(get(&v2, "six", None)),
        ["sha256:4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274"]
    );
}

#[test]
fn without_pyproject_roots_come_from_the_lockfile() {
    for (dir, format) in [("v1", "poetry-v1.1"), ("v2", "poetry-v2.1")] {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("poetry.lock");
        std::fs::copy(fixture(&format!("{dir}/poetry.lock")), &path).unwrap();
        let lock = parse_file(&path, Path::new("poetry.lock")).unwrap();
        assert_eq!(lock.format, format);
        let root = tmp.path().file_name().unwrap().to_str().unwrap();
        let pytest = get(&lock, "pytest", None);
        assert!(
            pytest.dev && pytest.direct,
            "{dir}: category/groups say dev"
        );
        assert_eq!(pytest.path, [root, "pytest"]);
        assert!(get(&lock, "pyyaml", None).optional, "{dir}");
        assert!(!get(&lock, "flask", None).dev, "{dir}");
        assert_eq!(
            get(&lock, "urllib3", None).path,
            [root, "requests", "urllib3"]
        );
    }
}

fn error(case: &str) -> lockgate::lockfile::ParseError {
    let rel = format!("malformed/{case}/poetry.lock");
    match parse_file(&fixture(&rel), Path::new(&rel)) {
        Ok(lock) => panic!("{case} parsed: {} packages", lock.packages.len()),
        Err(e) => e,
    }
}

#[test]
fn malformed_inputs_fail_with_their_line() {
    assert_eq!(parse("malformed/valid/poetry.lock").packages.len(), 1);
    for (case, line, needle) in [
        ("truncated", Some(11), "valid poetry.lock"),
        ("wrong-type", Some(6), "bool"),
        ("unknown-version", Some(15), "lock-version 3.0 is newer"),
        ("missing-version", Some(2), "`idna` has no `version`"),
        ("bad-hash", Some(11), "bad hash"),
        ("unknown-source", Some(2), "svn"),
        ("v1-bad-hash", Some(18), "bad hash"),
        ("v1-orphan-files", Some(16), "`idnx`"),
    ] {
        let e = error(case);
        assert_eq!(e.line, line, "{case}: {e}");
        assert!(e.message.contains(needle), "{case}: {e}");
    }
}
