//! pnpm-lock.yaml (v6 from pnpm 8, v9 from pnpm 9 and 10) against fixtures made by the
//! real tools (tests/fixtures/npm/generate-pnpm.sh) and hand-written malformed files.

use lockgate::lockfile::{Lockfile, Package, ParseError, Source, parse_file};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/npm/pnpm")
        .join(rel)
}

fn parse(rel: &str) -> Result<Lockfile, ParseError> {
    parse_file(&fixture(rel), Path::new(rel))
}

fn get<'a>(lf: &'a Lockfile, name: &str, version: &str) -> &'a Package {
    lf.packages
        .iter()
        .find(|p| p.name == name && p.version == version)
        .unwrap_or_else(|| panic!("{name} {version} missing"))
}

#[test]
fn every_pnpm_version_matches_pnpm_list() {
    for (dir, format) in [
        ("v6-pnpm8", "pnpm-v6"),
        ("v9-pnpm9", "pnpm-v9"),
        ("v9-pnpm10", "pnpm-v9"),
    ] {
        let rel = format!("{dir}/pnpm-lock.yaml");
        let lf = parse(&rel).unwrap();
        assert_eq!(lf.format, format);
        let got: BTreeSet<String> = lf
            .packages
            .iter()
            .map(|p| format!("{} {}", p.name, p.version))
            .collect();
        let want: BTreeSet<String> = std::fs::read_to_string(fixture(dir).join("expected.txt"))
            .unwrap()
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        assert_eq!(got, want, "{dir}");
        assert_eq!(
            got.len(),
            lf.packages.len(),
            "{dir}: one record per name and version"
        );

        let text = std::fs::read_to_string(fixture(&rel)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for p in &lf.packages {
            let l = lines[p.line as usize - 1];
            assert!(
                l.starts_with("  ") && l.contains(p.name.as_str()),
                "{dir}: line {} is `{l}` for {}",
                p.line,
                p.name
            );
        }

        let accepts = get(&lf, "accepts", "1.3.8");
        assert_eq!(
            accepts
                .hashes
                .iter()
                .map(|h| h.to_string())
                .collect::<Vec<_>>(),
            [
                "sha512:3d802d8536b69b654ac6ebd20f70cf0bf1b2f94fac380d4b02e4fc9a4991bafc3e34009269e5c443e34771517bace365eaa71ac55dd4b9e9b06b093eefe4892f"
            ]
        );
        assert_eq!(accepts.source, Source::Registry(None));
        assert_eq!(accepts.path, ["fixture-app", "express", "accepts"]);
        assert!(!accepts.direct && !accepts.dev);

        assert!(get(&lf, "express", "4.22.3").direct);
        let rimraf = get(&lf, "rimraf", "5.0.10");
        assert!(rimraf.direct && rimraf.dev);
        let glob = lf.packages.iter().find(|p| p.name == "glob").unwrap();
        assert!(glob.dev && !glob.direct);
        let fsevents = get(&lf, "fsevents", "2.3.3");
        assert!(fsevents.optional && !fsevents.dev);
        // the peer-suffixed react-dom@18.3.1(react@18.3.1) is one record
        let rd = get(&lf, "react-dom", "18.3.1");
        assert_eq!(rd.path, ["@fixture/a", "react-dom"]);
        assert!(
            text.lines()
                .nth(rd.line as usize - 1)
                .unwrap()
                .contains("react-dom@18.3.1")
        );
        // workspace member b is a root; its debug is not express's debug
        assert_eq!(get(&lf, "debug", "4.4.3").path, ["@fixture/b", "debug"]);
        assert_eq!(
            get(&lf, "debug", "2.6.9").path,
            ["fixture-app", "express", "debug"]
        );
        assert!(lf.packages.iter().all(|p| !p.name.starts_with("@fixture/")));

        let local = get(&lf, "local-lib", "1.0.0");
        assert_eq!(local.source, Source::Path("local-lib".into()));
        assert!(local.hashes.is_empty());
        assert_eq!(
            get(&lf, "is-number", "7.0.0").path,
            ["fixture-app", "local-lib", "is-number"]
        );
        // pnpm records a registry tarball URL dependency as a plain registry package
        assert_eq!(get(&lf, "left-pad", "1.3.0").source, Source::Registry(None));
    }
}

#[test]
fn malformed_files_fail_with_their_line() {
    for (file, line, needle) in [
        ("malformed/truncated/pnpm-lock.yaml", 14, "malformed YAML"),
        ("malformed/wrong-type/pnpm-lock.yaml", 7, "malformed YAML"),
        (
            "malformed/unknown-version/pnpm-lock.yaml",
            1,
            "'10.0' is newer than lockgate knows",
        ),
        (
            "malformed/old-version/pnpm-lock.yaml",
            1,
            "'5.2' is not supported",
        ),
        ("malformed/bad-hash/pnpm-lock.yaml", 12, "bad integrity"),
        (
            "malformed/missing-resolution/pnpm-lock.yaml",
            12,
            "no `resolution`",
        ),
        (
            "malformed/dangling-dependency/pnpm-lock.yaml",
            16,
            "has no entry under `packages`",
        ),
        ("malformed/alias-bomb/pnpm-lock.yaml", 3, "malformed YAML"),
    ] {
        let e = parse(file).expect_err(file);
        assert_eq!(e.line, Some(line), "{file}: {e}");
        assert!(e.message.contains(needle), "{file}: {e}");
    }
}

#[test]
fn deep_nesting_fails_without_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("pnpm-lock.yaml");
    let text = format!(
        "lockfileVersion: '9.0'\nimporters: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    std::fs::write(&p, text).unwrap();
    let e = parse_file(&p, Path::new("pnpm-lock.yaml")).unwrap_err();
    assert_eq!(e.line, Some(2));
}

fn expected_set(dir: &str) -> BTreeSet<String> {
    std::fs::read_to_string(fixture(dir).join("expected.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn listed(lf: &Lockfile) -> BTreeSet<String> {
    lf.packages
        .iter()
        .map(|p| format!("{} {}", p.name, p.version))
        .collect()
}

/// pnpm 6 (lockfile 5.3), pnpm 7 (5.4) and pnpm 11 (9.0 in two YAML documents): the
/// same project, read as `pnpm list` lists it.
#[test]
fn pnpm_6_7_and_11_match_pnpm_list() {
    for (dir, format) in [
        ("v5.3-pnpm6", "pnpm-v5.3"),
        ("v5.4-pnpm7", "pnpm-v5.4"),
        ("v9-pnpm11", "pnpm-v9"),
    ] {
        let rel = format!("{dir}/pnpm-lock.yaml");
        let lf = parse(&rel).unwrap_or_else(|e| panic!("{dir}: {e}"));
        assert_eq!(lf.format, format);
        let mut want = expected_set(dir);
        if dir == "v9-pnpm11" {
            // the environment document: not in `pnpm list`, but installed (and run) by pnpm
            for env in [
                "@pnpm/exe 11.28.6",
                "pnpm 11.28.6",
                "@pnpm/plugin-better-defaults 0.2.1",
            ] {
                assert!(!want.contains(env));
                want.insert(env.to_string());
            }
        }
        let got = listed(&lf);
        assert!(want.is_subset(&got), "{dir}: {:?}", want.difference(&got));
        if dir != "v9-pnpm11" {
            assert_eq!(got, want, "{dir}");
        } else {
            // plus the platform packages of @pnpm/exe, which `pnpm list` does not show
            for extra in got.difference(&want) {
                assert!(
                    extra.starts_with("@pnpm/")
                        || extra.starts_with("@reflink/")
                        || extra.starts_with("detect-libc "),
                    "{dir}: unexpected {extra}"
                );
            }
        }
        let text = std::fs::read_to_string(fixture(&rel)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for p in &lf.packages {
            let l = lines[p.line as usize - 1];
            assert!(
                l.starts_with("  ") && l.contains(p.name.as_str()),
                "{dir}: line {} is `{l}` for {}",
                p.line,
                p.name
            );
        }
        let accepts = get(&lf, "accepts", "1.3.8");
        assert_eq!(accepts.source, Source::Registry(None));
        assert_eq!(accepts.hashes.len(), 1);
        assert_eq!(accepts.path, ["fixture-app", "express", "accepts"]);
        let rimraf = get(&lf, "rimraf", "5.0.10");
        assert!(rimraf.direct && rimraf.dev);
        // the peer-suffixed react-dom (`/react-dom/18.3.1_react@18.3.1` in v5) is one record
        let rd = get(&lf, "react-dom", "18.3.1");
        assert_eq!(rd.path, ["@fixture/a", "react-dom"]);
        assert_eq!(
            lf.packages.iter().filter(|p| p.name == "react-dom").count(),
            1
        );
        if dir == "v5.3-pnpm6" {
            // pnpm 6 links a `file:` folder (`local-lib: link:local-lib`) and locks none of
            // its dependencies; `pnpm list` shows none either
            assert!(
                !lf.packages
                    .iter()
                    .any(|p| p.name == "local-lib" || p.name == "is-number")
            );
        } else {
            assert_eq!(
                get(&lf, "is-number", "7.0.0").path,
                ["fixture-app", "local-lib", "is-number"]
            );
        }
    }
    let lf = parse("v9-pnpm11/pnpm-lock.yaml").unwrap();
    let text = std::fs::read_to_string(fixture("v9-pnpm11/pnpm-lock.yaml")).unwrap();
    assert!(text.starts_with("---\n") && text.matches("\n---\n").count() == 1);
    for (name, version) in [
        ("@pnpm/exe", "11.28.6"),
        ("pnpm", "11.28.6"),
        ("@pnpm/plugin-better-defaults", "0.2.1"),
    ] {
        let p = get(&lf, name, version);
        assert!(p.direct && !p.dev, "{name}");
        assert_eq!(p.hashes.len(), 1, "{name}");
    }
}

/// A broken second YAML document fails at its own line of the file, in lockgate's words.
#[test]
fn second_document_errors_name_the_file_line() {
    let text = std::fs::read_to_string(fixture("v9-pnpm11/pnpm-lock.yaml")).unwrap();
    let second = text.find("\n---\n").unwrap() + 5;
    let line_of_second = text[..second].lines().count() + 1;
    let broken = format!("{}lockfileVersion: '9.0'\nimporters: [\n", &text[..second]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pnpm-lock.yaml");
    std::fs::write(&path, &broken).unwrap();
    let e = parse_file(&path, Path::new("pnpm-lock.yaml")).unwrap_err();
    assert!(e.line.unwrap() >= line_of_second, "{e}");
    assert!(e.message.starts_with("malformed YAML"), "{e}");
    assert!(!e.to_string().contains("from_multiple"), "{e}");
    // a third document with another version is refused like a single one
    let third = format!("{text}---\nlockfileVersion: '10.0'\n");
    std::fs::write(&path, &third).unwrap();
    let e = parse_file(&path, Path::new("pnpm-lock.yaml")).unwrap_err();
    assert_eq!(e.line, Some(text.lines().count() + 2), "{e}");
}
