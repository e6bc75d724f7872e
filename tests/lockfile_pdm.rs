//! pdm.lock: made by PDM 2.29.3 (tests/fixtures/pypi/generate-pdm.sh), and
//! hand-written malformed inputs.

mod support;

use lockgate::lockfile::{Lockfile, Package, Source, parse_file};
use std::path::Path;
use support::{Fixtures, get};

const F: Fixtures = Fixtures("tests/fixtures/pypi/pdm");

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
fn project_matches_pdm_export() {
    let lock = parse("project/pdm.lock");
    assert_eq!(lock.format, "pdm-v4.5");
    assert_matches_expected(&lock, "project");
    assert!(
        lock.packages.iter().all(|p| p.name != "demo-app"),
        "the project is a root"
    );
    for p in &lock.packages {
        assert_line("project/pdm.lock", p);
        assert_eq!(&p.path[0], "demo-app", "{p:?}");
        assert!(p.hashes.windows(2).all(|w| w[0] < w[1]), "sorted, deduped");
    }
}

#[test]
fn project_facts() {
    let lock = parse("project/pdm.lock");
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
    assert_eq!(idna.hashes.len(), hashes_in_entry("project/pdm.lock", idna));
    // `httpx` and `httpx[http2]` are two entries of one package: one record, first line.
    let httpx: Vec<_> = lock.packages.iter().filter(|p| p.name == "httpx").collect();
    assert_eq!(httpx.len(), 1);
    assert_eq!(httpx[0].hashes.len(), 2);
    assert_eq!(get(&lock, "h2", None).path, ["demo-app", "httpx", "h2"]);
    let six = get(&lock, "six", None);
    assert_eq!(
        six.source,
        Source::Url("https://files.pythonhosted.org/packages/b7/ce/149a00dd41f10bc29e5921b496af8b574d8413afcd5e30dfa0ed46c2cc5e/six-1.17.0-py2.py3-none-any.whl".into())
    );
    assert!(six.direct);
    let local = get(&lock, "localpkg", None);
    assert_eq!(local.source, Source::Path("./vendor/localpkg".into()));
    assert!(local.direct && local.hashes.is_empty());
    assert_eq!(get(&lock, "requests", None).source, Source::Registry(None));
    let pytest = get(&lock, "pytest", None);
    assert!(pytest.dev && pytest.direct);
    let pluggy = get(&lock, "pluggy", None);
    assert!(pluggy.dev && !pluggy.direct);
    assert_eq!(pluggy.path, ["demo-app", "pytest", "pluggy"]);
    let yaml = get(&lock, "pyyaml", None);
    assert!(yaml.optional && yaml.direct);
    let urllib3 = get(&lock, "urllib3", None);
    assert_eq!(urllib3.path, ["demo-app", "requests", "urllib3"]);
    assert!(!urllib3.direct && !urllib3.dev && !urllib3.optional);
}

#[test]
fn without_pyproject_groups_say_dev() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("pdm.lock");
    std::fs::copy(fixture("project/pdm.lock"), &path).unwrap();
    let lock = parse_file(&path, Path::new("pdm.lock")).unwrap();
    let root = tmp.path().file_name().unwrap().to_str().unwrap();
    let pytest = get(&lock, "pytest", None);
    assert!(pytest.dev && pytest.direct);
    assert_eq!(pytest.path, [root, "pytest"]);
    assert!(!get(&lock, "flask", None).dev);
    assert_eq!(
        get(&lock, "urllib3", None).path,
        [root, "requests", "urllib3"]
    );
}

fn error(case: &str) -> lockgate::lockfile::ParseError {
    let rel = format!("malformed/{case}/pdm.lock");
    match parse_file(&fixture(&rel), Path::new(&rel)) {
        Ok(lock) => panic!("{case} parsed: {} packages", lock.packages.len()),
        Err(e) => e,
    }
}

#[test]
fn malformed_inputs_fail_with_their_line() {
    assert_eq!(parse("malformed/valid/pdm.lock").packages.len(), 1);
    for (case, line, needle) in [
        ("truncated", Some(22), "valid pdm.lock"),
        ("wrong-type", Some(16), "sequence"),
        ("unknown-version", Some(5), "lock_version 5.0 is newer"),
        ("missing-version", Some(11), "`idna` has no `version`"),
        ("bad-hash", Some(22), "bad hash"),
        ("bad-dependency", Some(18), "not a requirement"),
    ] {
        let e = error(case);
        assert_eq!(e.line, line, "{case}: {e}");
        assert!(e.message.contains(needle), "{case}: {e}");
    }
}
