//! bun.lock: fixtures made by real bun (tests/fixtures/npm/generate-bun.sh), a
//! hand-edited git fixture and hand-written malformed files.

use lockgate::lockfile::{Lockfile, Package, ParseError, Source, parse_file};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const LODASH_SHA512: &str = "sha512:bf690311ee7b95e713ba568322e3533f2dd1cb880b189e99d4edef13592b81764daec43e2c54c61d5c558dc5cfb35ecb85b65519e74026ff17675b6f8f916f4a";

fn dir(variant: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/npm/bun")
        .join(variant)
}

fn try_load(variant: &str) -> Result<Lockfile, ParseError> {
    parse_file(&dir(variant).join("bun.lock"), Path::new("bun.lock"))
}

fn load(variant: &str) -> Lockfile {
    try_load(variant).unwrap_or_else(|e| panic!("{variant}: {e}"))
}

/// `expected.txt` is `bun pm ls --all` as `name version` lines. bun lists workspace
/// members (roots for lockgate), alias names (lockgate reports the real package), and the
/// resolution where the lockfile has no version (file: and tarball URL dependencies,
/// whose version lockgate reads from the directory's package.json / the tarball name).
fn expected(variant: &str) -> BTreeSet<String> {
    std::fs::read_to_string(dir(variant).join("expected.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.contains(" workspace:"))
        .map(|l| match l {
            "lodash-legacy 3.10.1" => "lodash 3.10.1".to_string(),
            "is-number https://registry.npmjs.org/is-number/-/is-number-7.0.0.tgz" => {
                "is-number 7.0.0".to_string()
            }
            "my-util local/my-util" => "my-util 0.3.0".to_string(),
            other => other.to_string(),
        })
        .collect()
}

fn find<'a>(lf: &'a Lockfile, name: &str, version: &str) -> &'a Package {
    lf.packages
        .iter()
        .find(|p| p.name == name && p.version == version)
        .unwrap_or_else(|| panic!("{name} {version} not found"))
}

fn line_text(variant: &str, line: usize) -> String {
    let text = std::fs::read_to_string(dir(variant).join("bun.lock")).unwrap();
    text.lines().nth(line - 1).unwrap_or_default().to_string()
}

fn check(variant: &str, format: &str) {
    let lf = load(variant);
    assert_eq!(lf.format, format);
    let listed: BTreeSet<String> = lf
        .packages
        .iter()
        .map(|p| format!("{} {}", p.name, p.version))
        .collect();
    assert_eq!(
        listed,
        expected(variant),
        "{variant}: lockgate vs bun pm ls"
    );
    assert_eq!(lf.packages.len(), listed.len(), "one record per version");
    assert!(
        lf.packages.iter().all(|p| !p.name.starts_with("@fixture/")),
        "members are roots"
    );

    let lodash = find(&lf, "lodash", "4.17.21");
    assert_eq!(lodash.hashes.len(), 1);
    assert_eq!(lodash.hashes[0].to_string(), LODASH_SHA512);
    assert_eq!(lodash.source, Source::Registry(None));
    assert!(lodash.direct && !lodash.dev);
    assert!(line_text(variant, lodash.line as usize).contains("\"lodash@4.17.21\""));
    let legacy = find(&lf, "lodash", "3.10.1");
    assert!(line_text(variant, legacy.line as usize).starts_with("    \"lodash-legacy\""));

    let accepts = find(&lf, "accepts", "1.3.8");
    assert_eq!(accepts.path, ["lockgate-bun-fixture", "express", "accepts"]);
    assert!(!accepts.direct && !accepts.dev);
    let ts = find(&lf, "typescript", "5.7.2");
    assert!(ts.direct && ts.dev);
    let bufferutil = find(&lf, "bufferutil", "4.0.9");
    assert!(bufferutil.direct && bufferutil.optional && !bufferutil.dev);
    assert!(find(&lf, "node-gyp-build", "4.8.4").optional);

    let util = find(&lf, "my-util", "0.3.0");
    assert_eq!(util.source, Source::Path("local/my-util".into()));
    assert_eq!(
        find(&lf, "left-pad", "1.3.0").path,
        ["lockgate-bun-fixture", "my-util", "left-pad"]
    );
    let is_number = find(&lf, "is-number", "7.0.0");
    assert_eq!(
        is_number.source,
        Source::Url("https://registry.npmjs.org/is-number/-/is-number-7.0.0.tgz".into())
    );

    // workspace members and their nested installs (`@fixture/a/semver`)
    let semver6 = find(&lf, "semver", "6.3.1");
    assert_eq!(semver6.path, ["@fixture/a", "semver"]);
    assert!(line_text(variant, semver6.line as usize).contains("\"@fixture/a/semver\""));
    assert_eq!(
        find(&lf, "semver", "7.6.3").path,
        ["lockgate-bun-fixture", "semver"]
    );
    assert_eq!(find(&lf, "ms", "2.0.0").path, ["@fixture/b", "debug", "ms"]);
    assert_eq!(
        find(&lf, "chalk", "4.1.2").path,
        ["lockgate-bun-fixture", "chalk"]
    );
    // debug 2.6.9 sits under several keys: one record, at the first
    let debug = find(&lf, "debug", "2.6.9");
    assert!(line_text(variant, debug.line as usize).contains("\"@fixture/b/debug\""));
    assert_eq!(debug.path, ["@fixture/b", "debug"]);
}

#[test]
fn bun_lock_v1() {
    check("v1", "bun-v1");
    let lf = load("v1");
    assert_eq!(find(&lf, "is-number", "7.0.0").hashes.len(), 1);
}

/// bun 1.4 writes `lockfileVersion: 2` and `configVersion`: the same entries as v1.
#[test]
fn bun_lock_v2() {
    check("v2", "bun-v2");
    let text = std::fs::read_to_string(dir("v2").join("bun.lock")).unwrap();
    assert!(text.contains("\"lockfileVersion\": 2,") && text.contains("\"configVersion\""));
    let (v1, v2) = (load("v1"), load("v2"));
    let key = |lf: &Lockfile| -> BTreeSet<String> {
        lf.packages
            .iter()
            .map(|p| format!("{} {} {:?} {:?}", p.name, p.version, p.source, p.hashes))
            .collect()
    };
    assert_eq!(key(&v1), key(&v2), "same project, same reading");
}

#[test]
fn bun_lock_v0() {
    check("v0", "bun-v0");
    // bun 1.1 wrote no integrity for tarball URLs
    assert!(find(&load("v0"), "is-number", "7.0.0").hashes.is_empty());
}

#[test]
fn hand_edited_git_comment_and_other_registry() {
    let lf = load("hand-edited-git");
    let lp = find(&lf, "left-pad", "5b0d6fc");
    assert_eq!(
        lp.source,
        Source::Git {
            url: "github:left-pad/left-pad".into(),
            rev: Some("5b0d6fc".into())
        }
    );
    assert!(lp.hashes.is_empty());
    assert_eq!(lp.line, 14);
    let private = find(&lf, "private-lib", "1.0.0");
    assert_eq!(
        private.source,
        Source::Registry(Some("https://npm.example.com".into()))
    );
    assert_eq!(private.line, 16);
}

#[test]
fn malformed_files_fail_closed_with_their_line() {
    for (case, line, needle) in [
        ("truncated", Some(11), "truncated JSON"),
        ("wrong-type", Some(12), "invalid type: string"),
        (
            "version-3",
            Some(2),
            "lockfileVersion 3 is newer than lockgate knows (0-2)",
        ),
        ("version-missing", Some(1), "no `lockfileVersion`"),
        ("missing-version", Some(12), "is not \"name@version\""),
        ("bad-hash", Some(12), "bad integrity"),
        (
            "unknown-resolution",
            Some(12),
            "resolution `svn:example.com/left-pad`",
        ),
        ("unterminated-comment", Some(11), "unterminated /* comment"),
    ] {
        let err = try_load(&format!("malformed/{case}"))
            .err()
            .unwrap_or_else(|| panic!("{case} parsed"));
        assert_eq!(err.line, line, "{case}: {err}");
        assert!(err.message.contains(needle), "{case}: {err}");
    }
}

#[test]
fn binary_lockfile_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("bun.lockb");
    std::fs::write(
        &path,
        b"#!/usr/bin/env bun\nbun-lockfile-format-v0\n\x00\x01",
    )
    .unwrap();
    assert!(parse_file(&path, Path::new("bun.lockb")).is_err());
}
