//! package-lock.json / npm-shrinkwrap.json: fixtures made by real npm
//! (tests/fixtures/npm/generate-package-lock.sh), a hand-edited git fixture and
//! hand-written malformed files.

// A test may report what it measured or skipped.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use lockgate::lockfile::{Lockfile, Package, ParseError, Source, parse_file};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

const LODASH_SHA512: &str = "sha512:bf690311ee7b95e713ba568322e3533f2dd1cb880b189e99d4edef13592b81764daec43e2c54c61d5c558dc5cfb35ecb85b65519e74026ff17675b6f8f916f4a";

fn dir(variant: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/npm/package-lock")
        .join(variant)
}

fn try_load(variant: &str, file: &str) -> Result<Lockfile, ParseError> {
    parse_file(&dir(variant).join(file), Path::new(file))
}

fn load(variant: &str, file: &str) -> Lockfile {
    try_load(variant, file).unwrap_or_else(|e| panic!("{variant}/{file}: {e}"))
}

/// `expected.txt`: what `npm ls --all --json --long --package-lock-only` listed.
fn expected(variant: &str) -> BTreeSet<String> {
    std::fs::read_to_string(dir(variant).join("expected.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

fn listed(lf: &Lockfile) -> BTreeSet<String> {
    lf.packages
        .iter()
        .map(|p| format!("{} {}", p.name, p.version))
        .collect()
}

fn find<'a>(lf: &'a Lockfile, name: &str, version: &str) -> &'a Package {
    lf.packages
        .iter()
        .find(|p| p.name == name && p.version == version)
        .unwrap_or_else(|| panic!("{name} {version} not found"))
}

fn line_text(variant: &str, file: &str, line: usize) -> String {
    let text = std::fs::read_to_string(dir(variant).join(file)).unwrap();
    text.lines().nth(line - 1).unwrap_or_default().to_string()
}

/// The main project (20+ dependencies, dev, optional, alias, file: and URL dependencies),
/// the same for every lockfile version.
fn check_main_project(variant: &str, file: &str, format: &str) {
    let lf = load(variant, file);
    assert_eq!(lf.format, format);
    assert_eq!(
        listed(&lf),
        expected(variant),
        "{variant}: lockgate vs npm ls"
    );
    assert_eq!(
        lf.packages.len(),
        expected(variant).len(),
        "{variant}: one record per version"
    );

    let lodash = find(&lf, "lodash", "4.17.21");
    assert_eq!(lodash.hashes.len(), 1);
    assert_eq!(lodash.hashes[0].to_string(), LODASH_SHA512);
    assert_eq!(lodash.source, Source::Registry(None));
    assert!(lodash.direct && !lodash.dev && !lodash.optional);
    assert!(
        line_text(variant, file, lodash.line as usize).contains("\"lodash\"")
            || line_text(variant, file, lodash.line as usize).contains("node_modules/lodash\"")
    );

    // npm: alias -> the real name
    let legacy = find(&lf, "lodash", "3.10.1");
    assert!(legacy.direct);
    assert!(line_text(variant, file, legacy.line as usize).contains("lodash-legacy"));

    let express = find(&lf, "express", "4.21.2");
    assert!(express.direct && !express.dev);
    assert_eq!(express.path, ["lockgate-npm-fixture", "express"]);
    let accepts = find(&lf, "accepts", "1.3.8");
    assert!(!accepts.direct && !accepts.dev);
    assert_eq!(accepts.path, ["lockgate-npm-fixture", "express", "accepts"]);
    assert!(line_text(variant, file, accepts.line as usize).contains("accepts"));

    let ts = find(&lf, "typescript", "5.7.2");
    assert!(ts.direct && ts.dev && !ts.optional);
    let bufferutil = find(&lf, "bufferutil", "4.0.9");
    assert!(bufferutil.direct && bufferutil.optional && !bufferutil.dev);
    let ngb = find(&lf, "node-gyp-build", "4.8.4");
    assert!(!ngb.direct && ngb.optional);
    assert_eq!(
        ngb.path,
        ["lockgate-npm-fixture", "bufferutil", "node-gyp-build"]
    );

    let util = find(&lf, "my-util", "0.3.0");
    assert_eq!(util.source, Source::Path("local/my-util".into()));
    assert!(util.hashes.is_empty() && util.direct);
    assert_eq!(
        find(&lf, "left-pad", "1.3.0").path,
        ["lockgate-npm-fixture", "my-util", "left-pad"]
    );
    let is_number = find(&lf, "is-number", "7.0.0");
    assert_eq!(
        is_number.source,
        Source::Url("https://registry.npmjs.org/is-number/-/is-number-7.0.0.tgz".into())
    );
    assert_eq!(is_number.hashes.len(), 1);
    // debug 2.6.9 is installed under several parents: one record, at its first entry
    assert_eq!(
        lf.packages
            .iter()
            .filter(|p| p.name == "debug" && p.version == "2.6.9")
            .count(),
        1
    );
    for p in &lf.packages {
        assert!(p.line > 0 && !p.path.is_empty(), "{p:?}");
        assert_eq!(p.lockfile, Path::new(file));
    }
}

#[test]
fn lockfile_v3() {
    check_main_project("v3", "package-lock.json", "package-lock-v3");
}

#[test]
fn lockfile_v2() {
    check_main_project("v2", "package-lock.json", "package-lock-v2");
}

#[test]
fn lockfile_v1() {
    check_main_project("v1", "package-lock.json", "package-lock-v1");
}

#[test]
fn shrinkwrap() {
    check_main_project("shrinkwrap", "npm-shrinkwrap.json", "npm-shrinkwrap-v3");
}

#[test]
fn omitted_resolved_means_the_default_registry() {
    check_main_project("omit-resolved", "package-lock.json", "package-lock-v3");
    let lf = load("omit-resolved", "package-lock.json");
    assert_eq!(
        find(&lf, "express", "4.21.2").source,
        Source::Registry(None)
    );
}

#[test]
fn versions_agree() {
    let v3 = load("v3", "package-lock.json");
    for (v, f) in [
        ("v2", "package-lock.json"),
        ("v1", "package-lock.json"),
        ("shrinkwrap", "npm-shrinkwrap.json"),
    ] {
        let other = load(v, f);
        let a: BTreeSet<_> = v3
            .packages
            .iter()
            .map(|p| (&p.name, &p.version, &p.source, &p.hashes, p.dev, &p.path))
            .collect();
        let b: BTreeSet<_> = other
            .packages
            .iter()
            .map(|p| (&p.name, &p.version, &p.source, &p.hashes, p.dev, &p.path))
            .collect();
        assert_eq!(a, b, "v3 vs {v}");
    }
}

/// npm 7 and later install from `packages` whenever it is there, whatever
/// `lockfileVersion` says (arborist's Shrinkwrap.load): so does lockgate. The fixture is
/// the real v2 lockfile with `"lockfileVersion": 1` (a hand edit; its `dependencies`
/// agree with `packages`).
#[test]
fn version_1_with_packages_is_read_from_packages() {
    let lf = load("v1-with-packages", "package-lock.json");
    assert_eq!(lf.format, "package-lock-v1");
    assert_eq!(listed(&lf), expected("v1-with-packages"));
    let lodash = find(&lf, "lodash", "4.17.21");
    assert!(
        line_text(
            "v1-with-packages",
            "package-lock.json",
            lodash.line as usize
        )
        .contains("\"node_modules/lodash\"")
    );
    let v2 = load("v2", "package-lock.json");
    let key = |lf: &Lockfile| -> BTreeSet<String> {
        lf.packages
            .iter()
            .map(|p| {
                format!(
                    "{} {} {:?} {:?} {:?}",
                    p.name, p.version, p.source, p.hashes, p.path
                )
            })
            .collect()
    };
    assert_eq!(key(&lf), key(&v2));
}

/// Real npm lockfiles with both sections (v2, and v2 with workspaces whose members have
/// their own `node_modules`) pass the agreement check.
#[test]
fn workspaces_v2_sections_agree() {
    let lf = load("workspaces-v2", "package-lock.json");
    assert_eq!(lf.format, "package-lock-v2");
    assert_eq!(listed(&lf), expected("workspaces-v2"));
    let v3 = load("workspaces", "package-lock.json");
    assert_eq!(listed(&lf), listed(&v3));
    assert_eq!(find(&lf, "semver", "6.3.1").path, ["@fixture/a", "semver"]);
}

/// npm 6 left `resolved` out of bundled entries; npm 6 before 6.10 wrote
/// `"resolved": false` (the fixture adds it by hand to the real npm 6.14 lockfile).
#[test]
fn version_1_bundled_and_resolved_false() {
    let lf = load("v1-bundled", "package-lock.json");
    assert_eq!(listed(&lf), expected("v1-bundled"));
    let lf2 = load("v1-resolved-false", "package-lock.json");
    assert_eq!(listed(&lf2), expected("v1-resolved-false"));
    let text = std::fs::read_to_string(dir("v1-resolved-false").join("package-lock.json")).unwrap();
    assert!(text.matches("\"resolved\": false").count() > 10);
    let abbrev = find(&lf2, "abbrev", "1.1.1");
    assert_eq!(abbrev.source, Source::Registry(None));
    assert!(abbrev.optional);
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("package-lock.json");
    std::fs::write(
        &path,
        text.replacen("\"resolved\": false", "\"resolved\": true", 1),
    )
    .unwrap();
    let err = parse_file(&path, Path::new("package-lock.json")).unwrap_err();
    assert!(err.message.contains("`resolved` is `true`"), "{err}");
}

/// Local folders (a `file:` dependency, a workspace member) whose package.json has no
/// `version`: npm 11 writes their entries without one, and `npm ls` shows `name@`.
#[test]
fn local_folders_without_version() {
    let lf = load("local-folders", "package-lock.json");
    assert_eq!(listed(&lf), expected("local-folders"));
    let lib = find(&lf, "unversioned-lib", "");
    assert_eq!(lib.source, Source::Path("local/unversioned".into()));
    assert!(lib.direct);
    assert_eq!(
        find(&lf, "left-pad", "1.3.0").path,
        ["lockgate-local-folders", "unversioned-lib", "left-pad"]
    );
    assert_eq!(find(&lf, "ms", "2.1.3").path, ["ws-unversioned", "ms"]);
}

#[test]
fn workspaces() {
    let lf = load("workspaces", "package-lock.json");
    assert_eq!(listed(&lf), expected("workspaces"));
    assert!(
        lf.packages.iter().all(|p| !p.name.starts_with("@fixture/")),
        "members are roots"
    );
    let express = find(&lf, "express", "4.21.2");
    assert_eq!(express.path, ["@fixture/a", "express"]);
    assert!(express.direct);
    // packages/a/node_modules/semver
    let semver6 = find(&lf, "semver", "6.3.1");
    assert_eq!(semver6.path, ["@fixture/a", "semver"]);
    assert!(
        line_text("workspaces", "package-lock.json", semver6.line as usize)
            .contains("packages/a/node_modules/semver")
    );
    let semver7 = find(&lf, "semver", "7.6.3");
    assert_eq!(semver7.path, ["lockgate-ws-fixture", "semver"]);
    // a member's devDependency
    let prettier = find(&lf, "prettier", "3.4.2");
    assert!(prettier.dev && prettier.direct);
    assert_eq!(prettier.path, ["@fixture/b", "prettier"]);
    let chalk = find(&lf, "chalk", "4.1.2");
    assert_eq!(chalk.path, ["@fixture/b", "chalk"]);
}

#[test]
fn hand_edited_git_and_other_registry() {
    let lf = load("hand-edited-git", "package-lock.json");
    let lp = find(&lf, "left-pad", "1.3.0");
    assert_eq!(
        lp.source,
        Source::Git {
            url: "git+ssh://git@github.com/left-pad/left-pad.git".into(),
            rev: Some("5b0d6fcbd5a8a1c51d1bda4b4c7e4e1a1f8c4c1a".into())
        }
    );
    assert!(lp.hashes.is_empty());
    let private = find(&lf, "private-lib", "1.0.0");
    assert_eq!(
        private.source,
        Source::Registry(Some("https://npm.example.com".into()))
    );
}

#[test]
fn malformed_files_fail_closed_with_their_line() {
    for (case, line, needle) in [
        ("truncated", Some(15), "truncated JSON"),
        ("wrong-type", Some(14), "invalid type: integer `130`"),
        (
            "version-4",
            Some(4),
            "lockfileVersion 4 is newer than lockgate knows (1-3)",
        ),
        (
            "version-string",
            Some(4),
            "lockfileVersion \"3\" is not one lockgate knows",
        ),
        ("version-missing", Some(1), "no `lockfileVersion`"),
        ("missing-version", Some(13), "has no `version`"),
        ("bad-hash", Some(13), "bad integrity"),
        ("duplicate-key", Some(18), "twice (first on line 13)"),
        ("unknown-resolved", Some(13), "unrecognised `resolved`"),
        (
            "packages-disagree-v1",
            Some(20),
            "disagree about `node_modules/left-pad`: version 1.2.0 in `packages`, 1.3.0 in `dependencies`",
        ),
        (
            "packages-disagree-integrity",
            Some(21),
            "`integrity` differs between `packages` and `dependencies`",
        ),
        (
            "packages-disagree-resolved",
            Some(21),
            "`resolved` is `https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz` in `packages`, `https://registry.npmjs.org/right-pad/-/right-pad-1.0.1.tgz` in `dependencies`",
        ),
        (
            "packages-disagree-missing",
            Some(26),
            "disagree about `node_modules/evil`: `packages` has no such entry",
        ),
    ] {
        let err = try_load(&format!("malformed/{case}"), "package-lock.json")
            .err()
            .unwrap_or_else(|| panic!("{case} parsed"));
        assert_eq!(err.line, line, "{case}: {err}");
        assert!(err.message.contains(needle), "{case}: {err}");
        assert_eq!(err.path, Path::new("package-lock.json"));
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("package-lock.json");
    // deep inside a field lockgate skips: no crash (serde_json skips without recursion)
    let depth = 100_000;
    let text = format!(
        "{{\"lockfileVersion\": 3, \"packages\": {{\"node_modules/a\": {{\"version\": \"1.0.0\", \"x\": {}{}}}}}}}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    std::fs::write(&path, text).unwrap();
    assert_eq!(
        parse_file(&path, Path::new("package-lock.json"))
            .unwrap()
            .packages
            .len(),
        1
    );
    // a v1 tree nested deeper than serde_json's recursion limit: an error
    let mut text = String::from("{\"lockfileVersion\": 1, \"dependencies\": ");
    for _ in 0..1000 {
        text.push_str("{\"a\": {\"version\": \"1.0.0\", \"dependencies\": ");
    }
    text.push_str("{}");
    text.push_str(&"}}".repeat(1000));
    text.push('}');
    std::fs::write(&path, text).unwrap();
    let err = parse_file(&path, Path::new("package-lock.json")).unwrap_err();
    assert!(err.message.contains("recursion limit"), "{err}");
}

/// A ~5 MB lockfile: run with `cargo test --release --test lockfile_npm -- --ignored --nocapture`.
#[test]
#[ignore]
fn five_megabytes_parse_fast() {
    let v3 = std::fs::read_to_string(dir("v3").join("package-lock.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&v3).unwrap();
    let packages = v["packages"].as_object().unwrap();
    let mut out = serde_json::Map::new();
    out.insert("".into(), packages[""].clone());
    let mut i = 0;
    while serde_json::to_string_pretty(&out).unwrap().len() < 5_000_000 {
        for (k, e) in packages
            .iter()
            .filter(|(k, _)| k.starts_with("node_modules/"))
        {
            out.insert(format!("node_modules/p{i}/{k}"), e.clone());
        }
        i += 1;
    }
    let text = serde_json::to_string_pretty(&serde_json::json!({
        "name": "big", "lockfileVersion": 3, "requires": true, "packages": out
    }))
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("package-lock.json");
    std::fs::write(&path, &text).unwrap();
    let mut best = f64::MAX;
    for _ in 0..10 {
        let t = Instant::now();
        let lf = parse_file(&path, Path::new("package-lock.json")).unwrap();
        best = best.min(t.elapsed().as_secs_f64() * 1000.0);
        assert!(!lf.packages.is_empty());
    }
    println!(
        "{} bytes, {} entries: best of 10 = {best:.1} ms",
        text.len(),
        out.len()
    );
}
