//! yarn.lock (classic and berry) against fixtures made by the real tools
//! (tests/fixtures/npm/generate-yarn.sh) and hand-written malformed files.

mod support;

use lockgate::lockfile::{Lockfile, Package, ParseError, Source, parse_file};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/npm")
        .join(rel)
}

fn parse(rel: &str) -> Result<Lockfile, ParseError> {
    let p = fixture(rel);
    parse_file(&p, Path::new(rel))
}

fn expected(rel_dir: &str) -> BTreeSet<String> {
    std::fs::read_to_string(fixture(rel_dir).join("expected.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn names(lf: &Lockfile) -> BTreeSet<String> {
    lf.packages
        .iter()
        .map(|p| format!("{} {}", p.name, p.version))
        .collect()
}

fn get<'a>(lf: &'a Lockfile, name: &str, version: &str) -> &'a Package {
    lf.packages
        .iter()
        .find(|p| p.name == name && p.version == version)
        .unwrap_or_else(|| panic!("{name} {version} missing"))
}

fn line_of(rel: &str, line: usize) -> String {
    std::fs::read_to_string(fixture(rel))
        .unwrap()
        .lines()
        .nth(line - 1)
        .unwrap()
        .to_string()
}

/// One record per (name, version, source), and every record's line names it.
fn check_common(rel: &str, lf: &Lockfile) {
    let mut seen = BTreeSet::new();
    for p in &lf.packages {
        assert!(
            seen.insert((p.name.clone(), p.version.clone(), p.source.clone())),
            "duplicate {p:?}"
        );
        let l = line_of(rel, p.line as usize);
        assert!(
            l.contains(p.name.as_str()) || l.contains(&format!("-{}", p.version)),
            "line {} of {rel} is `{l}`, not {}",
            p.line,
            p.name
        );
        assert!(
            p.hashes.windows(2).all(|w| w[0] < w[1]),
            "hashes sorted and deduped"
        );
    }
}

#[test]
fn classic_matches_yarns_own_listing() {
    let rel = "yarn-classic/workspace/yarn.lock";
    let lf = parse(rel).unwrap();
    assert_eq!(lf.format, "yarn-classic-v1");
    assert_eq!(names(&lf), expected("yarn-classic/workspace"));
    check_common(rel, &lf);

    let accepts = get(&lf, "accepts", "1.3.8");
    let hashes: Vec<String> = accepts.hashes.iter().map(|h| h.to_string()).collect();
    assert_eq!(
        hashes,
        [
            "sha1:0bf0be125b67014adcb0b0921e62db7bffe16b2e",
            "sha512:3d802d8536b69b654ac6ebd20f70cf0bf1b2f94fac380d4b02e4fc9a4991bafc3e34009269e5c443e34771517bace365eaa71ac55dd4b9e9b06b093eefe4892f",
        ]
    );
    assert_eq!(accepts.source, Source::Registry(None));
    assert_eq!(accepts.path, ["fixture-app", "express", "accepts"]);
    assert!(!accepts.direct && !accepts.dev);

    let express = get(&lf, "express", "4.22.3");
    assert!(express.direct && !express.dev && !express.optional);
    assert!(get(&lf, "rimraf", "5.0.10").dev, "devDependency");
    let glob = lf.packages.iter().find(|p| p.name == "glob").unwrap();
    assert!(
        glob.dev && !glob.direct,
        "only a dev dependency leads to glob"
    );
    let fsevents = get(&lf, "fsevents", "2.3.3");
    assert!(fsevents.optional && fsevents.direct);
    // workspace members are roots, their dependencies direct
    let commander = get(&lf, "commander", "12.1.0");
    assert_eq!(commander.path, ["@fixture/a", "commander"]);
    assert!(lf.packages.iter().all(|p| !p.name.starts_with("@fixture/")));

    assert_eq!(
        get(&lf, "local-lib", "1.0.0").source,
        Source::Path("./local-lib".into())
    );
    assert!(get(&lf, "local-lib", "1.0.0").hashes.is_empty());
    assert_eq!(
        get(&lf, "is-number", "7.0.0").path,
        ["fixture-app", "local-lib", "is-number"]
    );
    let left_pad = get(&lf, "left-pad", "1.3.0");
    assert_eq!(
        left_pad.source,
        Source::Url("https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz".into())
    );
    assert_eq!(
        left_pad.hashes[0].to_string(),
        "sha1:5b8a3a7765dfe001261dde915589e782f8c94d1e"
    );
    // an alias (`string-width-cjs@npm:string-width@^4.2.0`) is the real package, once
    assert_eq!(
        lf.packages
            .iter()
            .filter(|p| p.name == "string-width" && p.version == "4.2.3")
            .count(),
        1
    );
}

#[test]
fn classic_without_package_json_roots_at_unreferenced_entries() {
    let dir = tempfile::tempdir().unwrap();
    let lock = dir.path().join("yarn.lock");
    std::fs::copy(fixture("yarn-classic/workspace/yarn.lock"), &lock).unwrap();
    let lf = parse_file(&lock, Path::new("yarn.lock")).unwrap();
    assert_eq!(names(&lf), expected("yarn-classic/workspace"));
    let express = get(&lf, "express", "4.22.3");
    assert!(express.direct);
    assert_eq!(express.path.len(), 2);
    assert!(!get(&lf, "accepts", "1.3.8").direct);
}

#[test]
fn berry_matches_yarns_own_listing() {
    for (dir, format) in [
        ("yarn-berry/workspace", "yarn-berry-v10"),
        ("yarn-berry/workspace-v8", "yarn-berry-v8"),
        // Yarn 3: dependency ranges without `npm:` (`chalk: ^4.1.2`)
        ("yarn-berry/workspace-v6", "yarn-berry-v6"),
    ] {
        let rel = format!("{dir}/yarn.lock");
        let lf = parse(&rel).unwrap();
        assert_eq!(lf.format, format);
        assert_eq!(names(&lf), expected(dir), "{dir}");
        check_common(&rel, &lf);

        let accepts = get(&lf, "accepts", "1.3.8");
        assert_eq!(accepts.hashes.len(), 1);
        // Yarn 3 (cacheKey 8) writes bare checksums: the cacheKey is their prefix
        let prefix = if format == "yarn-berry-v6" {
            "yarn-berry:8/"
        } else {
            "yarn-berry:10c0/"
        };
        assert!(accepts.hashes[0].to_string().starts_with(prefix));
        assert!(!accepts.hashes[0].is_registry_digest());
        assert_eq!(accepts.path, ["fixture-app", "express", "accepts"]);

        assert!(get(&lf, "express", "4.22.3").direct);
        assert!(
            get(&lf, "rimraf", "5.0.10").dev,
            "dev per the workspace's package.json"
        );
        let fsevents = get(&lf, "fsevents", "2.3.3");
        assert!(
            fsevents.optional && fsevents.direct,
            "dependenciesMeta optional"
        );
        assert_eq!(
            get(&lf, "commander", "12.1.0").path,
            ["@fixture/a", "commander"]
        );
        assert!(
            lf.packages
                .iter()
                .all(|p| !p.name.starts_with("@fixture/") && p.name != "fixture-app")
        );

        assert_eq!(
            get(&lf, "local-lib", "1.0.0").source,
            Source::Path("./local-lib".into())
        );
        assert_eq!(
            get(&lf, "is-number", "7.0.0").path,
            ["fixture-app", "local-lib", "is-number"]
        );
        assert_eq!(
            get(&lf, "left-pad", "1.3.0").source,
            Source::Url("https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz".into())
        );
        // typescript: the npm entry and Yarn's builtin patch are one registry record with
        // both checksums (the patched archive's and the original's)
        let ts: Vec<&Package> = lf
            .packages
            .iter()
            .filter(|p| p.name == "typescript")
            .collect();
        assert_eq!(ts.len(), 1);
        assert_eq!(ts[0].source, Source::Registry(None));
        assert_eq!(ts[0].hashes.len(), 2);
        assert!(ts[0].direct);
    }
}

fn malformed(name: &str) -> ParseError {
    let rel = name.to_string();
    parse(&rel).expect_err(name)
}

#[test]
fn malformed_files_fail_with_their_line() {
    for (file, line, needle) in [
        (
            "yarn-classic/malformed/truncated/yarn.lock",
            10,
            "unterminated",
        ),
        (
            "yarn-classic/malformed/missing-version/yarn.lock",
            5,
            "has no version",
        ),
        (
            "yarn-classic/malformed/bad-hash/yarn.lock",
            7,
            "bad integrity",
        ),
        (
            "yarn-classic/malformed/bad-indent/yarn.lock",
            7,
            "indentation",
        ),
        (
            "yarn-berry/malformed/newer-version/yarn.lock",
            5,
            "version 11 is newer than lockgate knows (4-10)",
        ),
        (
            "yarn-berry/malformed/truncated/yarn.lock",
            15,
            "malformed YAML",
        ),
        (
            "yarn-berry/malformed/wrong-type/yarn.lock",
            11,
            "malformed YAML",
        ),
        (
            "yarn-berry/malformed/missing-version/yarn.lock",
            8,
            "has no version",
        ),
        ("yarn-berry/malformed/bad-checksum/yarn.lock", 8, "checksum"),
        (
            "yarn-classic/malformed/not-a-lockfile/yarn.lock",
            1,
            "neither",
        ),
    ] {
        let e = malformed(file);
        assert_eq!(e.line, Some(line), "{file}: {e}");
        assert!(e.message.contains(needle), "{file}: {e}");
    }
}

/// Yarn 2 (`__metadata.version` 4) writes ranges without `npm:` and bare checksums;
/// the project is the shared one without express (Yarn 2 cannot resolve it today).
#[test]
fn berry_yarn_2_matches_yarns_own_listing() {
    let dir = "yarn-berry/workspace-v4";
    let rel = format!("{dir}/yarn.lock");
    let lf = parse(&rel).unwrap();
    assert_eq!(lf.format, "yarn-berry-v4");
    assert_eq!(names(&lf), expected(dir));
    check_common(&rel, &lf);
    let text = std::fs::read_to_string(fixture(&rel)).unwrap();
    assert!(text.contains("\n    chalk: ^4.1.2\n") || text.contains("\n    ms: ^2.1.3\n"));
    assert_eq!(
        get(&lf, "commander", "12.1.0").path,
        ["@fixture/a", "commander"]
    );
    assert!(get(&lf, "rimraf", "5.0.10").dev);
    assert_eq!(
        get(&lf, "is-number", "7.0.0").path,
        ["fixture-app", "local-lib", "is-number"]
    );
}

/// Root `resolutions` (`trim`, `ms`, `@types/node`) rewrite descriptors of
/// transitive dependencies: `debug@2.6.9` asks for `ms@2.0.0` and gets the entry
/// `ms@npm:2.1.3`, as Yarn itself lists it.
#[test]
fn resolutions_are_applied() {
    for (dir, format) in [
        ("yarn-berry/resolutions", "yarn-berry-v10"),
        ("yarn-berry/resolutions-v4", "yarn-berry-v4"),
        ("yarn-classic/resolutions", "yarn-classic-v1"),
    ] {
        let rel = format!("{dir}/yarn.lock");
        let lf = parse(&rel).unwrap_or_else(|e| panic!("{dir}: {e}"));
        assert_eq!(lf.format, format);
        assert_eq!(names(&lf), expected(dir), "{dir}");
        check_common(&rel, &lf);
        assert!(
            !lf.packages
                .iter()
                .any(|p| (p.name == "ms" && p.version != "2.1.3")
                    || (p.name == "trim" && p.version != "0.0.3")),
            "{dir}"
        );
        let ms = get(&lf, "ms", "2.1.3");
        assert!(!ms.path.is_empty());
        let trim = get(&lf, "trim", "0.0.3");
        assert_eq!(
            trim.path,
            ["fixture-app", "remark-parse", "trim"],
            "{dir}: remark-parse's `trim@0.0.1` resolves to the entry the resolution made"
        );
    }
}

/// Yarn classic GitHub shorthand (`tooling@webpack/tooling#v1.28.1`, fetched from
/// codeload.github.com) is a git source, and `allowlist init` does not take codeload for
/// a registry. Hand edit of the real classic lockfile (no git host is reachable here).
#[test]
fn classic_github_shorthand_is_git() {
    let rel = "yarn-classic/hand-edited-github/yarn.lock";
    let lf = parse(rel).unwrap();
    let tooling = get(&lf, "tooling", "1.28.1");
    assert_eq!(
        tooling.source,
        Source::Git {
            url: "github:webpack/tooling".into(),
            rev: Some("6b7567edcd6a1b8d4a0b6ae4d6b53e4e1bd9f8b1".into())
        }
    );
    assert!(tooling.hashes.is_empty());
    assert!(tooling.dev && tooling.direct);
    assert!(
        lf.packages
            .iter()
            .all(|p| !matches!(&p.source, Source::Registry(Some(r)) if r.contains("codeload")))
    );
    // the rest of the file reads as before
    let mut rest = names(&lf);
    rest.remove("tooling 1.28.1");
    assert_eq!(rest, expected("yarn-classic/workspace"));

    let tmp = tempfile::tempdir().unwrap();
    for f in ["yarn.lock", "package.json"] {
        std::fs::copy(
            fixture(&format!("yarn-classic/hand-edited-github/{f}")),
            tmp.path().join(f),
        )
        .unwrap();
    }
    let out = support::lockgate()
        .args(["allowlist", "init", "."])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let allowlist = std::fs::read_to_string(tmp.path().join("allowlist.toml")).unwrap();
    assert!(!allowlist.contains("codeload"), "{allowlist}");
    assert!(allowlist.contains("\"git\""), "{allowlist}");
}

#[test]
fn github_shorthand_forms() {
    // a minimal `owner/repo#ref` entry fetched from codeload
    let lf_dir = tempfile::tempdir().unwrap();
    let lock = lf_dir.path().join("yarn.lock");
    std::fs::write(
        &lock,
        "# yarn lockfile v1\n\n\"x@user/repo#abc\":\n  version \"1.0.0\"\n  resolved \"https://codeload.github.com/user/repo/tar.gz/abc\"\n",
    )
    .unwrap();
    let lf = parse_file(&lock, Path::new("yarn.lock")).unwrap();
    assert_eq!(
        lf.packages[0].source,
        Source::Git {
            url: "github:user/repo".into(),
            rev: Some("abc".into())
        }
    );
}

/// `catalog:` dependencies (Yarn 4.10+): the range comes from `.yarnrc.yml`; without
/// that file, the only entry of the name.
#[test]
fn berry_catalogs() {
    let dir = "yarn-berry/catalog";
    let rel = format!("{dir}/yarn.lock");
    let lf = parse(&rel).unwrap();
    assert_eq!(names(&lf), expected(dir));
    check_common(&rel, &lf);
    assert_eq!(
        get(&lf, "left-pad", "1.3.0").path,
        ["catalog-app", "left-pad"]
    );
    assert_eq!(get(&lf, "ms", "2.1.3").path, ["catalog-app", "ms"]);
    let tmp = tempfile::tempdir().unwrap();
    for f in ["yarn.lock", "package.json"] {
        std::fs::copy(fixture(&format!("{dir}/{f}")), tmp.path().join(f)).unwrap();
    }
    let lf2 = parse_file(&tmp.path().join("yarn.lock"), Path::new("yarn.lock")).unwrap();
    assert_eq!(names(&lf2), names(&lf));
    assert!(get(&lf2, "left-pad", "1.3.0").direct);
}

/// A protocol lockgate does not know (`exec:` here; a plugin's `condition:` alike) is
/// read per package as a URL source, which the source policy flags: not a refusal of
/// the whole file, never a registry package. (Hand-written fixture.)
#[test]
fn unknown_protocol_is_a_url_source_per_package() {
    let lf = parse("yarn-berry/malformed/unknown-protocol/yarn.lock").unwrap();
    let gen_pkg = get(&lf, "gen", "1.0.0");
    assert_eq!(gen_pkg.source, Source::Url("exec:./gen.js".into()));
    assert_eq!(gen_pkg.line, 8);
}
