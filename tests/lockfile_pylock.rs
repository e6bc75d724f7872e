//! pylock.toml (PEP 751): fixtures made by `pip lock` and `uv export --format
//! pylock.toml` (tests/fixtures/pypi/generate-pylock.sh) and hand-written malformed files.

use lockgate::lockfile::{Hash, Lockfile, Package, Source, parse_file, pep503};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn dir(variant: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pypi/pylock")
        .join(variant)
}

fn parse(variant: &str, file: &str) -> Lockfile {
    parse_file(&dir(variant).join(file), Path::new(file))
        .unwrap_or_else(|e| panic!("{variant}/{file}: {e}"))
}

fn expected(variant: &str, file: &str) -> BTreeSet<(String, String)> {
    std::fs::read_to_string(dir(variant).join(file))
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

fn set(lf: &Lockfile, keep: impl Fn(&Package) -> bool) -> BTreeSet<(String, String)> {
    lf.packages
        .iter()
        .filter(|p| keep(p))
        .map(|p| (pep503(&p.name), p.version.to_string()))
        .collect()
}

fn find<'a>(lf: &'a Lockfile, name: &str) -> &'a Package {
    lf.packages
        .iter()
        .find(|p| pep503(&p.name) == name)
        .unwrap_or_else(|| panic!("{name} missing"))
}

fn check_lines(variant: &str, file: &str, lf: &Lockfile) {
    let text = std::fs::read_to_string(dir(variant).join(file)).unwrap();
    for p in &lf.packages {
        let line = text.lines().nth(p.line as usize - 1).unwrap();
        assert_eq!(
            line,
            format!("name = \"{}\"", p.name),
            "{file}: {} line {}",
            p.name,
            p.line
        );
        if p.source.kind() == "registry" {
            assert!(!p.hashes.is_empty(), "{}", p.name);
        }
    }
}

const SIX_URL: &str = "https://files.pythonhosted.org/packages/b7/ce/149a00dd41f10bc29e5921b496af8b574d8413afcd5e30dfa0ed46c2cc5e/six-1.17.0-py2.py3-none-any.whl";

#[test]
fn pip_lock_fixture_matches_pips_resolution() {
    let lf = parse("pip-lock", "pylock.toml");
    assert_eq!(lf.format, "pylock-v1.0");
    check_lines("pip-lock", "pylock.toml", &lf);
    // pip's report gives the local directory's version; PEP 751 forbids recording one.
    let mut want = expected("pip-lock", "expected.txt");
    assert!(want.remove(&("lockgate-demo-local".to_string(), "0.1.0".to_string())));
    assert_eq!(set(&lf, |p| !p.version.is_empty()), want);
    let local = find(&lf, "lockgate-demo-local");
    assert_eq!(
        (local.version.as_str(), &local.source),
        ("", &Source::Path("localpkg".into()))
    );
    let six = find(&lf, "six");
    assert_eq!(
        (six.version.as_str(), &six.source),
        ("1.17.0", &Source::Url(SIX_URL.into()))
    );
    assert_eq!(
        six.hashes,
        vec![
            Hash::parse("sha256:4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274")
                .unwrap()
        ]
    );
    // No index, files on pypi.org's host: the default registry.
    let at = find(&lf, "annotated-types");
    assert_eq!(at.source, Source::Registry(None));
    assert_eq!(
        at.hashes,
        vec![
            Hash::parse("sha256:f072f4d804ea359e4eaf198b1af7a8b0943881a87f31bb764f8bf219bb9419e0")
                .unwrap()
        ]
    );
    // pip lock records no dependencies and there is no pyproject.toml: all direct.
    let jinja = find(&lf, "jinja2");
    assert!(jinja.direct);
    assert_eq!(jinja.path, vec!["pip-lock", "jinja2"]);
}

#[test]
fn uv_export_fixture_matches_uv() {
    let lf = parse("uv-export", "pylock.toml");
    check_lines("uv-export", "pylock.toml", &lf);
    assert_eq!(
        set(&lf, |p| p.source.kind() == "registry"),
        expected("uv-export", "expected.txt")
    );
    // The project itself (directory ".") is the root, not a package.
    assert!(!lf.packages.iter().any(|p| p.name == "lockgate-demo"));
    let flask = find(&lf, "flask");
    assert!(flask.direct && !flask.dev && !flask.optional);
    assert_eq!(flask.path, vec!["lockgate-demo", "flask"]);
    let jinja = find(&lf, "jinja2");
    assert!(!jinja.direct);
    assert_eq!(jinja.path, vec!["lockgate-demo", "jinja2"]);
    let pytest = find(&lf, "pytest");
    assert!(pytest.direct && pytest.dev);
    let ruamel = find(&lf, "ruamel-yaml");
    assert!(ruamel.direct && ruamel.optional && !ruamel.dev);
    // Two versions of one name (different markers) are two packages.
    assert_eq!(
        lf.packages.iter().filter(|p| p.name == "asgiref").count(),
        2
    );
    assert_eq!(find(&lf, "six").source, Source::Url(SIX_URL.into()));
    assert_eq!(
        find(&lf, "lockgate-demo-local").source,
        Source::Path("localpkg".into())
    );
    assert!(flask.hashes.len() >= 2, "sdist and wheel");

    let dev = parse("uv-export", "pylock.dev.toml");
    check_lines("uv-export", "pylock.dev.toml", &dev);
    assert_eq!(
        set(&dev, |p| p.source.kind() == "registry"),
        expected("uv-export", "expected.dev.txt")
    );
}

#[test]
fn malformed_files_fail_with_their_line() {
    for (name, line, words) in [
        ("truncated", 48, "valid pylock"),
        ("wrong-type", 6, "valid pylock"),
        ("unknown-version", 1, "2.0"),
        ("missing-version", 16, "no `version`"),
        ("bad-hash", 5, "sha256"),
        ("no-source", 203, "no source"),
    ] {
        let file = format!("pylock.{name}.toml");
        let err = parse_file(&dir("malformed").join(&file), Path::new(&file)).expect_err(name);
        assert_eq!(err.line, Some(line), "{name}: {err}");
        assert!(err.message.contains(words), "{name}: {err}");
    }
}
