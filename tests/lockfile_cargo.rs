//! `Cargo.lock` v1-v4 against fixtures made by cargo 1.95 (tests/fixtures/cargo/generate-cargo.sh).

// A test may report what it measured or skipped.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use lockgate::lockfile::{Context, Hash, Lockfile, Package, Source, cargo, parse_file};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn dir(variant: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cargo/cargo-lock")
        .join(variant)
}

fn parse(variant: &str) -> Lockfile {
    let path = dir(variant).join("Cargo.lock");
    parse_file(&path, Path::new("Cargo.lock")).unwrap_or_else(|e| panic!("{variant}: {e}"))
}

fn expected(variant: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(dir(variant).join("expected.txt")).unwrap();
    text.lines().map(str::to_string).collect()
}

fn names(lock: &Lockfile) -> BTreeSet<String> {
    lock.packages
        .iter()
        .map(|p| format!("{} {}", p.name, p.version))
        .collect()
}

fn get<'a>(lock: &'a Lockfile, name: &str) -> &'a Package {
    let mut it = lock.packages.iter().filter(|p| p.name == name);
    let p = it.next().unwrap_or_else(|| panic!("no package {name}"));
    assert!(it.next().is_none(), "{name} is there twice");
    p
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// Every package's line is its `[[package]]` header, and its name is on the next line.
fn assert_lines(variant: &str, lock: &Lockfile) {
    let text = std::fs::read_to_string(dir(variant).join("Cargo.lock")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for p in &lock.packages {
        assert_eq!(
            lines[p.line as usize - 1],
            "[[package]]",
            "{variant}: {} {}",
            p.name,
            p.version
        );
        assert_eq!(
            lines[p.line as usize],
            format!("name = \"{}\"", p.name),
            "{variant}"
        );
    }
}

#[test]
fn every_version_matches_cargo_metadata() {
    for (variant, format) in [
        ("v4", "cargo-lock-v4"),
        ("v3", "cargo-lock-v3"),
        ("v2", "cargo-lock-v2"),
        ("v1-converted", "cargo-lock-v1"),
        ("sources-edited", "cargo-lock-v4"),
        ("path-workspace", "cargo-lock-v4"),
        ("path-and-registry", "cargo-lock-v4"),
    ] {
        let lock = parse(variant);
        assert_eq!(lock.format, format, "{variant}");
        assert_eq!(names(&lock), expected(variant), "{variant}");
        assert_eq!(
            lock.packages.len(),
            expected(variant).len(),
            "{variant}: one record per entry"
        );
        assert_lines(variant, &lock);
        assert!(
            lock.packages.iter().all(|p| !p.dev),
            "{variant}: Cargo.lock alone knows no dev"
        );
        assert!(
            lock.packages.iter().all(|p| p.path.len() >= 2),
            "{variant}: every package reached"
        );
    }
}

#[test]
fn v4_hashes_sources_and_paths() {
    let lock = parse("v4");
    for member in ["demo-app", "demo-util"] {
        assert!(
            lock.packages.iter().all(|p| p.name != member),
            "{member} is a root, not a package"
        );
    }
    let anyhow = get(&lock, "anyhow");
    assert_eq!(
        anyhow.hashes,
        vec![
            Hash::parse("sha256:330a5ed07fa54e4702c9d6c4174f74427fc0ef6e214bbd677ae50a5099946470")
                .unwrap()
        ]
    );
    assert_eq!(anyhow.source, Source::Registry(None));
    assert!(anyhow.direct);
    assert_eq!(anyhow.path, strs(&["demo-app", "anyhow"]));
    // direct dependency of the other member
    assert_eq!(get(&lock, "sha2").path, strs(&["demo-util", "sha2"]));
    // transitive
    let digest = get(&lock, "digest");
    assert!(!digest.direct);
    assert_eq!(digest.path, strs(&["demo-util", "sha2", "digest"]));
    assert_eq!(
        get(&lock, "aho-corasick").path,
        strs(&["demo-app", "regex", "aho-corasick"])
    );
    // path dependency outside the workspace (excluded): a package with a path source
    let helper = get(&lock, "helper");
    assert_eq!(helper.source, Source::Path("helper".into()));
    assert!(helper.hashes.is_empty() && helper.direct);
    // dev and build dependencies are direct; Cargo.lock cannot tell their kind
    assert!(get(&lock, "pretty_assertions").direct);
    assert!(get(&lock, "autocfg").direct);
    // every registry package has exactly one sha256
    for p in lock
        .packages
        .iter()
        .filter(|p| p.source == Source::Registry(None))
    {
        assert_eq!(p.hashes.len(), 1, "{}", p.name);
        assert_eq!(p.hashes[0].algorithm, "sha256");
    }
}

#[test]
fn v1_converted_equals_v2_except_format() {
    let v1 = parse("v1-converted");
    let v2 = parse("v2");
    assert_eq!(v1.packages.len(), v2.packages.len());
    for (a, b) in v1.packages.iter().zip(&v2.packages) {
        assert_eq!(
            (&a.name, &a.version, &a.source),
            (&b.name, &b.version, &b.source)
        );
        assert_eq!(a.hashes, b.hashes, "{}: [metadata] checksum read", a.name);
        assert_eq!((&a.path, a.direct), (&b.path, b.direct), "{}", a.name);
    }
}

#[test]
fn v1_root_table_is_the_root() {
    let lock = parse("v1-root-handwritten");
    assert_eq!(lock.format, "cargo-lock-v1");
    let got: Vec<String> = lock
        .packages
        .iter()
        .map(|p| format!("{} {}", p.name, p.version))
        .collect();
    assert_eq!(got, ["libc 0.2.20", "mylib 0.1.0", "rand 0.3.15"]);
    let mylib = get(&lock, "mylib");
    assert!(mylib.hashes.is_empty(), "<none> is no hash");
    assert_eq!(
        mylib.source,
        Source::Git {
            url: "https://github.com/example/mylib".into(),
            rev: Some("0b5a9ed8f6f52c1f3e4c7f0d3b9a1e2c4d5f6a7b".into())
        }
    );
    assert_eq!(mylib.path, strs(&["oldapp", "mylib"]));
    assert_eq!(
        get(&lock, "libc").hashes[0].value,
        "684f330624d8c3784fb9558ca46c4ce488073a8d22450415c5eb4f4cfb0d11b5"
    );
    assert_eq!(get(&lock, "rand").line, 22);
}

#[test]
fn hand_edited_sources() {
    let lock = parse("sources-edited");
    let hex = get(&lock, "hex");
    assert_eq!(
        hex.source,
        Source::Git {
            url: "https://github.com/KokaKiwi/rust-hex".into(),
            rev: Some("b2b4370b5bf021b98ee7adc92233e8de3f2de792".into())
        }
    );
    assert!(hex.hashes.is_empty());
    assert_eq!(hex.path, strs(&["demo-util", "hex"]));
    assert_eq!(
        get(&lock, "log").source,
        Source::Registry(Some("https://my-registry.example.com/git/index".into()))
    );
    assert_eq!(
        get(&lock, "semver").source,
        Source::Registry(Some(
            "sparse+https://cargo.example.com/api/v1/crates/".into()
        ))
    );
    assert_eq!(get(&lock, "semver").hashes.len(), 1);
}

#[test]
fn path_workspace_members_from_manifests() {
    let lock = parse("path-workspace");
    // members: crates/* (app, tool) and core-lib, a path dependency inside the workspace
    for member in ["app", "tool", "core-lib"] {
        assert!(lock.packages.iter().all(|p| p.name != member), "{member}");
    }
    assert_eq!(get(&lock, "extra").path, strs(&["app", "extra"]));
    assert_eq!(
        get(&lock, "fixture-data").path,
        strs(&["app", "test-support", "fixture-data"])
    );
    assert_eq!(get(&lock, "extra").source, Source::Path("extra".into()));
}

#[test]
fn without_a_manifest_roots_are_the_undepended_path_packages() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("Cargo.lock");
    std::fs::copy(dir("v4").join("Cargo.lock"), &path).unwrap();
    let lock = parse_file(&path, Path::new("Cargo.lock")).unwrap();
    // demo-util is depended on by demo-app, so without Cargo.toml it is a path package
    let util = get(&lock, "demo-util");
    assert_eq!(util.source, Source::Path("demo-util".into()));
    assert_eq!(util.path, strs(&["demo-app", "demo-util"]));
    assert_eq!(
        get(&lock, "sha2").path,
        strs(&["demo-app", "demo-util", "sha2"])
    );
    assert!(lock.packages.iter().all(|p| p.name != "demo-app"));
}

fn cargo_available() -> bool {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    std::process::Command::new(cargo)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn cargo_metadata_adds_dev_and_exact_members() {
    if !cargo_available() {
        eprintln!("cargo not found: skipping the cargo metadata test");
        return;
    }
    let path = dir("path-workspace").join("Cargo.lock");
    let text = std::fs::read_to_string(&path).unwrap();
    let ctx = Context {
        path: &path,
        display: Path::new("Cargo.lock"),
    };
    let lock = cargo::parse_with_metadata(&ctx, &text).unwrap();
    assert_eq!(names(&lock), expected("path-workspace"));
    let dev: BTreeSet<&str> = lock
        .packages
        .iter()
        .filter(|p| p.dev)
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(dev, BTreeSet::from(["fixture-data", "test-support"]));
    assert!(get(&lock, "test-support").direct);
    assert!(
        !get(&lock, "build-helper").dev,
        "build dependencies are not dev"
    );
    assert!(!get(&lock, "extra").dev);
    assert_eq!(lock.packages, {
        // apart from dev, the same as the manifest-based parse
        let mut plain = parse("path-workspace").packages;
        for p in &mut plain {
            p.dev = dev.contains(p.name.as_str());
        }
        plain
    });
}

#[test]
fn cargo_metadata_failure_is_an_error() {
    if !cargo_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("Cargo.lock");
    std::fs::copy(dir("path-workspace").join("Cargo.lock"), &path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let ctx = Context {
        path: &path,
        display: Path::new("Cargo.lock"),
    };
    let err = cargo::parse_with_metadata(&ctx, &text).unwrap_err();
    assert!(
        err.message.contains("`cargo metadata` failed"),
        "{}",
        err.message
    );
}

/// rust-lang/cargo's own case (cargo-platform): a workspace member and a crates.io
/// crate of the same name and version. Cargo writes the dependency on the path one
/// without a source and resolves it to the path package (encode.rs `lookup_id`).
#[test]
fn path_and_registry_crate_of_the_same_name_and_version() {
    let lock = parse("path-and-registry");
    let itoa = get(&lock, "itoa");
    assert!(
        matches!(itoa.source, Source::Registry(_)),
        "{:?}",
        itoa.source
    );
    assert_eq!(itoa.line, 17);
    assert_eq!(itoa.path, strs(&["app", "serde_json", "itoa"]));
}

/// What cargo itself cannot resolve stays an error (hand-written, adversarial).
#[test]
fn a_dependency_cargo_cannot_resolve_is_ambiguous() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = "registry+https://github.com/rust-lang/crates.io-index";
    let other = "sparse+https://other.example/index/";
    let cases = [
        // Two registry packages, no path one, and no source named.
        format!(
            "version = 4\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"x 1.0.0\"]\n[[package]]\nname = \"x\"\nversion = \"1.0.0\"\nsource = \"{reg}\"\n[[package]]\nname = \"x\"\nversion = \"1.0.0\"\nsource = \"{other}\"\n"
        ),
        // No version named, two versions.
        format!(
            "version = 4\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"x\"]\n[[package]]\nname = \"x\"\nversion = \"1.0.0\"\n[[package]]\nname = \"x\"\nversion = \"2.0.0\"\nsource = \"{reg}\"\n"
        ),
    ];
    for (i, text) in cases.iter().enumerate() {
        let path = tmp.path().join("Cargo.lock");
        std::fs::write(&path, text).unwrap();
        let err = parse_file(&path, Path::new("Cargo.lock")).expect_err(&format!("case {i}"));
        assert!(err.message.contains("is ambiguous"), "case {i}: {err}");
    }
}

#[test]
fn malformed_files_fail_with_their_line() {
    for (case, line, needle) in [
        ("truncated", Some(11), "not a valid Cargo.lock"),
        ("wrong-type", Some(9), "not a valid Cargo.lock"),
        (
            "newer-version",
            Some(4),
            "Cargo.lock version 5 is newer than lockgate knows (1-4)",
        ),
        ("version-string", Some(2), "`version` must be an integer"),
        ("missing-version", Some(9), "missing field `version`"),
        ("bad-hash", Some(8), "bad checksum"),
        (
            "dangling-dependency",
            Some(10),
            "dependency \"memchr\" of `aho-corasick 1.1.5` is not in the lockfile",
        ),
        (
            "unknown-source",
            Some(7),
            "unknown source `path+file:///home/me/aho-corasick`",
        ),
        ("v1-bad-metadata", Some(8), "malformed sha256 digest `zz`"),
        (
            "v1-unknown-metadata",
            Some(9),
            "[metadata] entry \"checksum memchr 2.7.4 (registry+https://github.com/rust-lang/crates.io-index)\" is not in the lockfile",
        ),
        ("duplicate", Some(8), "listed twice"),
    ] {
        let path = dir("malformed").join(case).join("Cargo.lock");
        let err = parse_file(&path, Path::new("Cargo.lock")).expect_err(case);
        assert_eq!(err.line, line, "{case}: {err}");
        assert!(err.message.contains(needle), "{case}: {}", err.message);
        assert!(
            err.hint.contains("cargo generate-lockfile") || case == "newer-version",
            "{case}"
        );
    }
}

#[test]
fn deep_nesting_and_garbage_do_not_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("Cargo.lock");
    for text in [
        format!(
            "version = 4\nx = {}{}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        ),
        "[[package]]\nname = 1\n".to_string(),
        "\u{0}\u{1}".to_string(),
        "version = 4\n[[package]]\nname = \"a\"\nversion = \"1\"\ndependencies = [\"a 1 (x\"]\n"
            .to_string(),
    ] {
        std::fs::write(&path, text).unwrap();
        assert!(parse_file(&path, Path::new("Cargo.lock")).is_err());
    }
}
