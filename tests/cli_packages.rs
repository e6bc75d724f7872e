//! `lockgate packages` as a user runs it: one list over many real lockfiles, the JSON
//! shape the docs promise, and failing closed.

mod support;

use std::path::Path;
use std::process::Output;

fn lockgate(dir: &Path, args: &[&str]) -> Output {
    support::lockgate()
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn one_list_over_every_real_fixture_format() {
    let o = lockgate(
        root(),
        &[
            "packages",
            "--format",
            "json",
            "tests/fixtures/cargo/cargo-lock/v4",
            "tests/fixtures/npm/package-lock/v3",
            "tests/fixtures/npm/yarn-berry/workspace",
            "tests/fixtures/npm/pnpm/v9-pnpm10",
            "tests/fixtures/npm/bun/v1",
            "tests/fixtures/pypi/uv/project",
            "tests/fixtures/pypi/poetry/v2",
            "tests/fixtures/pypi/pdm/project",
            "tests/fixtures/pypi/pipfile/pipenv",
            "tests/fixtures/pypi/pylock/pip-lock",
            "tests/fixtures/pypi/requirements/pip-compile",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["complete"], true);
    let formats: Vec<&str> = v["lockfiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["format"].as_str().unwrap())
        .collect();
    for prefix in [
        "cargo-lock-v4",
        "package-lock-v3",
        "yarn-berry",
        "pnpm-v9",
        "bun-v1",
        "uv-v1",
        "poetry-v2",
        "pdm-v4",
        "pipfile-v6",
        "pylock-v1",
        "requirements",
    ] {
        assert!(
            formats.iter().any(|f| f.starts_with(prefix)),
            "{prefix} missing from {formats:?}"
        );
    }
    let packages = v["packages"].as_array().unwrap();
    let counted: u64 = v["lockfiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["packages"].as_u64().unwrap())
        .sum();
    assert_eq!(
        packages.len() as u64,
        counted,
        "the summary counts what is listed"
    );
    for p in packages {
        // the shape docs/json.md promises, on every record
        for key in [
            "ecosystem",
            "name",
            "version",
            "hashes",
            "source",
            "lockfile",
            "line",
            "direct",
            "dev",
            "path",
        ] {
            assert!(p.get(key).is_some(), "{key} missing in {p}");
        }
        assert!(["cargo", "npm", "pypi"].contains(&p["ecosystem"].as_str().unwrap()));
        assert!(["registry", "git", "path", "url"].contains(&p["source"].as_str().unwrap()));
        assert!(p["line"].as_u64().unwrap() >= 1);
        for h in p["hashes"].as_array().unwrap() {
            let h = h.as_str().unwrap();
            let (alg, value) = h.split_once(':').unwrap();
            if alg != "yarn-berry" {
                assert!(
                    value
                        .bytes()
                        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
                    "{h}"
                );
            }
        }
    }
}

#[test]
fn human_table_groups_by_lockfile() {
    let o = lockgate(
        root(),
        &[
            "packages",
            "tests/fixtures/e2e/npm-after",
            "tests/fixtures/e2e/cargo-after",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        out.contains("tests/fixtures/e2e/cargo-after/Cargo.lock  (cargo, cargo-lock-v4,"),
        "{out}"
    );
    assert!(
        out.contains("tests/fixtures/e2e/npm-after/package-lock.json  (npm, package-lock-v3,"),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.trim_start().starts_with("left-pad") && l.contains("e2e-web > left-pad")),
        "{out}"
    );
    assert!(
        out.trim_end()
            .lines()
            .last()
            .unwrap()
            .starts_with("2 lockfiles, "),
        "{out}"
    );
}

#[test]
fn cargo_metadata_marks_dev_only_crates() {
    let dir = "tests/fixtures/cargo/cargo-lock/path-workspace";
    let dev_of = |args: &[&str]| -> bool {
        let o = lockgate(root(), args);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "test-support")
            .unwrap()["dev"]
            .as_bool()
            .unwrap()
    };
    assert!(
        !dev_of(&["packages", "--format", "json", dir]),
        "plain Cargo.lock parsing cannot know dev-only crates"
    );
    assert!(dev_of(&[
        "packages",
        "--format",
        "json",
        "--cargo-metadata",
        dir
    ]));
}

#[test]
fn a_bad_lockfile_fails_the_whole_run() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("good")).unwrap();
    std::fs::copy(
        root().join("tests/fixtures/e2e/cargo-before/Cargo.lock"),
        tmp.path().join("good/Cargo.lock"),
    )
    .unwrap();
    std::fs::create_dir_all(tmp.path().join("bad")).unwrap();
    std::fs::write(
        tmp.path().join("bad/package-lock.json"),
        "{\"lockfileVersion\": 3, \"packages\": {",
    )
    .unwrap();
    let o = lockgate(tmp.path(), &["packages"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        o.stdout.is_empty(),
        "no partial table: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad/package-lock.json:1:"), "{err}");
    assert!(
        err.contains("help: regenerate it with `npm install --package-lock-only`"),
        "{err}"
    );
    let o = lockgate(tmp.path(), &["packages", "--format", "json"]);
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["complete"], false);
    assert_eq!(v["errors"][0]["path"], "bad/package-lock.json");
}

#[test]
fn manifests_without_lockfile_are_listed() {
    let tmp = tempfile::tempdir().unwrap();
    let write = |p: &str, s: &str| {
        let f = tmp.path().join(p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, s).unwrap();
    };
    write(
        "tools/package.json",
        r#"{"name":"tools","dependencies":{"left-pad":"^1.3.0"}}"#,
    );
    write("svc/requirements.in", "requests\n");
    write(
        "lib/Cargo.toml",
        "[package]\nname = \"lib\"\nversion = \"0.1.0\"\n\n[dependencies]\nserde = \"1\"\n",
    );
    write("docs/package.json", r#"{"name":"docs","private":true}"#);
    write("loose/requirements.txt", "flask>=3\n");
    let o = lockgate(tmp.path(), &["packages", "--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let listed: Vec<&str> = v["manifests_without_lockfile"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        vec![
            "lib/Cargo.toml",
            "loose/requirements.txt",
            "svc/requirements.in",
            "tools/package.json"
        ]
    );
    assert_eq!(v["unpinned"][0]["name"], "flask");
}

#[test]
fn gitignored_and_excluded_lockfiles_are_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    for d in ["a", "ignored", "fixtures/x"] {
        std::fs::create_dir_all(tmp.path().join(d)).unwrap();
        std::fs::copy(
            root().join("tests/fixtures/e2e/cargo-before/Cargo.lock"),
            tmp.path().join(d).join("Cargo.lock"),
        )
        .unwrap();
    }
    std::fs::write(tmp.path().join(".gitignore"), "ignored/\n").unwrap();
    let o = lockgate(
        tmp.path(),
        &["packages", "--format", "json", "--exclude", "fixtures"],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let paths: Vec<&str> = v["lockfiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, vec!["a/Cargo.lock"]);
}
