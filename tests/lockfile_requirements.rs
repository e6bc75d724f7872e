//! requirements*.txt: fixtures made by pip-compile and `uv pip compile`
//! (tests/fixtures/pypi/generate-requirements.sh), a hand-written file covering the
//! rest of pip's format, and malformed files.

mod support;

use lockgate::lockfile::{Hash, Lockfile, Package, Source, parse_file, pep503};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn dir(variant: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pypi/requirements")
        .join(variant)
}

fn parse(variant: &str, file: &str) -> Lockfile {
    let path = dir(variant).join(file);
    parse_file(&path, Path::new(file)).unwrap_or_else(|e| panic!("{variant}/{file}: {e}"))
}

fn expected(variant: &str) -> BTreeSet<(String, String)> {
    std::fs::read_to_string(dir(variant).join("expected.txt"))
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

fn registry_set(lockfiles: &[&Lockfile]) -> BTreeSet<(String, String)> {
    lockfiles
        .iter()
        .flat_map(|l| &l.packages)
        .filter(|p| matches!(p.source, Source::Registry(_)))
        .map(|p| (pep503(&p.name), p.version.to_string()))
        .collect()
}

fn find<'a>(lf: &'a Lockfile, name: &str) -> &'a Package {
    lf.packages
        .iter()
        .find(|p| pep503(&p.name) == name)
        .unwrap_or_else(|| panic!("{name} not in {}", lf.path.display()))
}

fn line_of(variant: &str, file: &str, line: usize) -> String {
    let text = std::fs::read_to_string(dir(variant).join(file)).unwrap();
    text.lines().nth(line - 1).unwrap_or_default().to_string()
}

/// Facts every tool-made variant shares.
fn check_compiled(variant: &str) {
    let prod = parse(variant, "requirements.txt");
    let dev = parse(variant, "requirements-dev.txt");
    assert_eq!(prod.format, "requirements");
    assert_eq!(
        registry_set(&[&prod, &dev]),
        expected(variant),
        "{variant}: pins differ from the tool's"
    );
    assert!(prod.unpinned.is_empty() && dev.unpinned.is_empty());

    for lf in [&prod, &dev] {
        for p in &lf.packages {
            let text = line_of(variant, lf.path.to_str().unwrap(), p.line as usize);
            let name_in_line =
                pep503(&text).contains(&pep503(&p.name)) || text.contains("localpkg");
            assert!(
                name_in_line,
                "{variant}: {} line {} is `{text}`",
                p.name, p.line
            );
            if matches!(p.source, Source::Registry(_)) {
                assert!(!p.hashes.is_empty(), "{variant}: {} has no hash", p.name);
                assert_eq!(p.source, Source::Registry(None));
            }
        }
    }
    // Direct, from requirements.in; transitive with its path.
    let flask = find(&prod, "flask");
    assert!(flask.direct && !flask.dev);
    assert_eq!(flask.path, vec!["requirements.in", "flask"]);
    let jinja = find(&prod, "jinja2");
    assert!(!jinja.direct);
    assert_eq!(jinja.path, vec!["requirements.in", "flask", "jinja2"]);
    let idna = find(&prod, "idna");
    assert_eq!(idna.path.len(), 3, "{:?}", idna.path);
    // A URL dependency on the registry's file host.
    let six = find(&prod, "six");
    assert_eq!(
        six.source,
        Source::Url("https://files.pythonhosted.org/packages/b7/ce/149a00dd41f10bc29e5921b496af8b574d8413afcd5e30dfa0ed46c2cc5e/six-1.17.0-py2.py3-none-any.whl".into())
    );
    assert_eq!(six.version, "1.17.0");
    assert!(
        six.hashes.contains(
            &Hash::parse("sha256:4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274")
                .unwrap()
        )
    );
    // Dev: everything in requirements-dev.txt comes from requirements-dev.in.
    let pytest = find(&dev, "pytest");
    assert!(pytest.direct && pytest.dev);
    assert_eq!(pytest.path, vec!["requirements-dev.in", "pytest"]);
    let pluggy = find(&dev, "pluggy");
    assert!(pluggy.dev && !pluggy.direct);
    assert_eq!(pluggy.path, vec!["requirements-dev.in", "pytest", "pluggy"]);
    // The editable local package.
    let local = find(&dev, "lockgate-demo-local");
    assert_eq!(local.source.kind(), "path");
    assert!(local.direct && local.dev);
}

#[test]
fn pip_compile_fixture_matches_pip_tools() {
    check_compiled("pip-compile");
    let prod = parse("pip-compile", "requirements.txt");
    // A known hash, canonical form.
    let attrs = find(&prod, "attrs");
    assert!(
        attrs
            .hashes
            .iter()
            .all(|h| h.algorithm == "sha256" && h.value.len() == 64)
    );
    let dev = parse("pip-compile", "requirements-dev.txt");
    let local = find(&dev, "lockgate-demo-local");
    assert_eq!(local.source, Source::Path("./localpkg".into()));
}

#[test]
fn uv_pip_compile_fixture_matches_uv() {
    check_compiled("uv-pip-compile");
    // uv --universal keeps packages whose markers exclude this interpreter.
    let prod = parse("uv-pip-compile", "requirements.txt");
    let colorama = find(&prod, "colorama");
    assert!(
        line_of("uv-pip-compile", "requirements.txt", colorama.line as usize)
            .contains("sys_platform == 'win32'")
    );
    assert!(colorama.path.len() >= 2);
}

#[test]
fn handwritten_covers_pips_format() {
    let lf = parse("handwritten", "requirements.txt");
    let got: Vec<(String, String, &str)> = lf
        .packages
        .iter()
        .map(|p| (p.name.to_string(), p.version.to_string(), p.source.kind()))
        .collect();
    let want: Vec<(String, String, &str)> = [
        ("certifi", "2024.7.4", "registry"),
        ("charset-normalizer", "3.3.2", "registry"),
        ("requests", "2.32.3", "registry"),
        ("tomli", "2.0.1", "registry"),
        ("Django", "5.0.6", "registry"),
        ("MarkupSafe", "2.1.5", "registry"),
        ("rich", "13.7.1", "registry"),
        ("six", "1.17.0", "url"),
        ("python_dateutil", "2.9.0.post0", "url"),
        ("flask", "", "git"),
        ("attrs", "", "git"),
        ("lockgate-demo-local", "", "path"),
        ("idna", "3.7", "path"),
    ]
    .iter()
    .map(|(n, v, k)| (n.to_string(), v.to_string(), *k))
    .collect();
    assert_eq!(got, want);

    // Included file: the package records that file and its own line.
    let certifi = find(&lf, "certifi");
    assert_eq!(certifi.lockfile, Path::new("sub/requirements-base.txt"));
    assert_eq!(certifi.line, 2);
    assert_eq!(
        certifi.hashes,
        vec![
            Hash::parse("sha256:ddc6c8ce995e6987e7faf5e3f1b02b302836a0e5d98ece18392cb1a36c72ad90")
                .unwrap()
        ]
    );
    // The extra index (credentials removed) is the registry pip may take packages from.
    let requests = find(&lf, "requests");
    assert_eq!(
        requests.source,
        Source::Registry(Some("https://pypi.corp.example/simple".into()))
    );
    assert_eq!(requests.hashes.len(), 2);
    assert_eq!(requests.line, 13);
    assert!(requests.direct && !requests.dev);
    // Constraint files pin what the requirement leaves open; they add nothing else.
    assert_eq!(find(&lf, "rich").version, "13.7.1");
    assert!(!lf.packages.iter().any(|p| p.name == "urllib3"));
    let unpinned: Vec<(&str, &str, usize)> = lf
        .unpinned
        .iter()
        .map(|u| (u.name.as_str(), u.spec.as_str(), u.line))
        .collect();
    assert_eq!(
        unpinned,
        vec![
            ("click", ">=8,<9", 20),
            ("numpy", "", 21),
            ("httpx", "==${HTTPX_VERSION}", 29)
        ]
    );
    // URL fragment hash; git sources with their revision; the editable path.
    assert_eq!(find(&lf, "python-dateutil").hashes.len(), 1);
    assert_eq!(
        find(&lf, "flask").source,
        Source::Git {
            url: "https://github.com/pallets/flask.git".into(),
            rev: Some("3.0.3".into())
        }
    );
    assert_eq!(
        find(&lf, "attrs").source,
        Source::Git {
            url: "https://github.com/python-attrs/attrs.git".into(),
            rev: Some("24.2.0".into())
        }
    );
    assert_eq!(
        find(&lf, "lockgate-demo-local").source,
        Source::Path("./localpkg".into())
    );
    assert_eq!(
        find(&lf, "idna").source,
        Source::Path("./dist/idna-3.7-py3-none-any.whl".into())
    );
}

#[test]
fn malformed_files_fail_with_their_line() {
    for (file, line, words) in [
        ("requirements-garbage.txt", 2, "not a requirement"),
        ("requirements-missing-include.txt", 2, "does-not-exist.txt"),
        ("requirements-cycle-a.txt", 2, "cycle"),
        ("requirements-bad-hash.txt", 1, "sha256"),
        ("requirements-truncated.txt", 1, "--hash"),
        ("requirements-unknown-option.txt", 2, "--frobnicate-index"),
        ("requirements-missing-version.txt", 1, "not a valid version"),
    ] {
        let path = dir("malformed").join(file);
        let err = parse_file(&path, Path::new(file)).expect_err(file);
        assert_eq!(err.line, Some(line), "{file}: {err}");
        assert!(err.message.contains(words), "{file}: {err}");
    }
    // The cycle is reported in the file that closes it.
    let err = parse_file(
        &dir("malformed").join("requirements-cycle-a.txt"),
        Path::new("requirements-cycle-a.txt"),
    )
    .unwrap_err();
    assert_eq!(err.path, Path::new("requirements-cycle-b.txt"));
}

/// `-e .` with no manifest beside it is read as the path package `.` rather than
/// refusing the file, and it does not open a bypass: path packages are governed by
/// `[policy] sources`, so `check` still reports `-e ./evil` (and `.`) when the policy
/// allows registries only. Hand-written input (pip's own syntax, no tool output).
#[test]
fn local_editables_are_path_packages_governed_by_sources() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("requirements.txt"),
        "-e .[full]\n-e ./evil\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("allowlist.toml"),
        "schema = 1\n[policy]\nunlisted = \"allow\"\nmissing-hash = \"allow\"\nunpinned = \"allow\"\nsources = [\"registry\"]\n",
    )
    .unwrap();
    let out = support::lockgate()
        .current_dir(dir.path())
        .args([
            "check",
            "--allowlist",
            "allowlist.toml",
            "--format",
            "json",
            "requirements.txt",
        ])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let flagged: BTreeSet<(String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap_or_default().to_string(),
                f["name"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let want: BTreeSet<(String, String)> = [".", "./evil"]
        .iter()
        .map(|n| ("source-not-allowed".to_string(), n.to_string()))
        .collect();
    assert_eq!(flagged, want, "{doc}");
    assert_eq!(out.status.code(), Some(1), "{doc}");
}
