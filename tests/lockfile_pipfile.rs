//! Pipfile.lock: a fixture made by pipenv (tests/fixtures/pypi/generate-pipfile.sh)
//! and hand-written malformed files.

use lockgate::lockfile::{Hash, Lockfile, Package, Source, parse_file, pep503};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn dir(variant: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pypi/pipfile")
        .join(variant)
}

fn parse(variant: &str) -> Lockfile {
    parse_file(
        &dir(variant).join("Pipfile.lock"),
        Path::new("Pipfile.lock"),
    )
    .unwrap_or_else(|e| panic!("{variant}: {e}"))
}

fn find<'a>(lf: &'a Lockfile, name: &str) -> &'a Package {
    lf.packages
        .iter()
        .find(|p| pep503(&p.name) == name)
        .unwrap_or_else(|| panic!("{name} missing"))
}

#[test]
fn pipenv_fixture_matches_pipenv_requirements() {
    let lf = parse("pipenv");
    assert_eq!(lf.format, "pipfile-v6");
    let expected: BTreeSet<(String, String)> =
        std::fs::read_to_string(dir("pipenv").join("expected.txt"))
            .unwrap()
            .lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
    let got: BTreeSet<(String, String)> = lf
        .packages
        .iter()
        .filter(|p| matches!(p.source, Source::Registry(_)))
        .map(|p| (pep503(&p.name), p.version.to_string()))
        .collect();
    assert_eq!(got, expected);
    // pipenv writes `"version": "*"` for colorama, whose marker excludes Linux: unpinned.
    let unpinned: Vec<&str> = lf.unpinned.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(unpinned, vec!["colorama"]);

    let text = std::fs::read_to_string(dir("pipenv").join("Pipfile.lock")).unwrap();
    for p in &lf.packages {
        let line = text.lines().nth(p.line as usize - 1).unwrap();
        assert!(
            line.contains(&format!("\"{}\"", p.name)),
            "{} -> line {}: {line}",
            p.name,
            p.line
        );
        assert_eq!(p.path.len(), 2);
        if matches!(p.source, Source::Registry(_)) {
            assert!(!p.hashes.is_empty(), "{}", p.name);
            assert_eq!(p.source, Source::Registry(None));
        }
    }
    // Direct (in the Pipfile) vs transitive; dev only in `develop`.
    let flask = find(&lf, "flask");
    assert!(flask.direct && !flask.dev);
    let pytest = find(&lf, "pytest");
    assert!(pytest.direct && pytest.dev);
    let pluggy = find(&lf, "pluggy");
    assert!(!pluggy.direct && pluggy.dev);
    let jinja = find(&lf, "jinja2");
    assert!(!jinja.direct && !jinja.dev);
    assert_eq!(jinja.path, vec!["pipenv".to_string(), "jinja2".to_string()]);
    // A known hash, canonical.
    assert!(
        find(&lf, "annotated-types").hashes.contains(
            &Hash::parse("sha256:f072f4d804ea359e4eaf198b1af7a8b0943881a87f31bb764f8bf219bb9419e0")
                .unwrap()
        )
    );
    // The URL and path dependencies.
    let six = find(&lf, "six");
    assert_eq!(six.version, "1.17.0");
    assert_eq!(six.source.kind(), "url");
    assert!(
        six.source
            .location()
            .unwrap()
            .starts_with("https://files.pythonhosted.org/")
    );
    assert_eq!(six.hashes.len(), 2);
    let local = find(&lf, "lockgate-demo-local");
    assert_eq!(local.source, Source::Path("./localpkg".into()));
    assert!(local.direct);
}

#[test]
fn malformed_files_fail_with_their_line() {
    for (variant, line, words) in [
        ("truncated", 75, "EOF"),
        ("wrong-type", 20, "invalid type"),
        ("unknown-spec", 6, "pipfile-spec"),
        ("missing-version", 19, "no version"),
        ("bad-hash", 19, "sha256"),
    ] {
        let path = dir("malformed").join(variant).join("Pipfile.lock");
        let err = parse_file(&path, Path::new("Pipfile.lock")).expect_err(variant);
        assert_eq!(err.line, Some(line), "{variant}: {err}");
        assert!(err.message.contains(words), "{variant}: {err}");
    }
}
