//! The parse threads: discovery and parse overlapped (`resolve::resolve_with` starts
//! reading lockfiles while the walk goes on), the manifest work beside the parse, and
//! `lockgate packages --format json` writing each lockfile's records in the parse
//! threads (`resolve::resolve_with` with `report::json::package_records`) and then
//! copies them out in lockfile order. These tests pin that path against the reading
//! it replaced: the whole document serialized at once (`report::json::packages`) from
//! the same resolution, on the fixture trees and on a folder whose workflows share a
//! local action (the one case the records are made after the parse).

mod support;

use lockgate::discover::Options;
use lockgate::report::json;
use lockgate::resolve::{resolve, resolve_found, resolve_with};
use std::path::{Path, PathBuf};

/// The binary's output on `dir` (an absolute path), and its exit code.
fn packages_json(dir: &Path) -> (String, Option<i32>) {
    let o = support::lockgate()
        .args(["packages", "--format", "json", "--allow-empty"])
        .arg(dir)
        .output()
        .unwrap();
    (String::from_utf8(o.stdout).unwrap(), o.status.code())
}

fn fixtures(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(sub)
}

#[test]
fn the_binary_writes_what_the_whole_document_serializer_writes() {
    for sub in ["npm", "pypi", "cargo", "hostile", "realworld"] {
        let dir = fixtures(sub);
        let res = resolve(std::slice::from_ref(&dir), &Options::default());
        assert!(!res.lockfiles.is_empty(), "{sub}");
        let (out, _) = packages_json(&dir);
        assert_eq!(out, json::packages(&res), "{sub}");
    }
}

#[test]
fn workflows_sharing_a_local_action_are_written_once_deduplicated() {
    let wf = "on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./.github/actions/setup\n";
    let action = "name: setup\nruns:\n  using: composite\n  steps:\n    - uses: actions/setup-node@v4\n    - run: echo\n      shell: bash\n";
    let dir = support::repo(&[
        (".github/workflows/a.yml", wf),
        (".github/workflows/b.yml", wf),
        (".github/actions/setup/action.yml", action),
        ("requirements.txt", "idna==3.10\n"),
    ]);
    let root = dir.path().to_path_buf();
    let opts = Options {
        no_ignore: true,
        ..Options::default()
    };
    let (res, made) = resolve_with(std::slice::from_ref(&root), &opts, &|l| l.path.clone());
    // One entry per lockfile; none for the workflows, which change after the parse.
    assert_eq!(made.len(), res.lockfiles.len());
    let mut actions = 0;
    for (lock, m) in res.lockfiles.iter().zip(&made) {
        if lock.ecosystem == lockgate::model::Ecosystem::Actions {
            actions += 1;
            assert_eq!(m, &None);
        } else {
            assert_eq!(m.as_ref(), Some(&lock.path));
        }
    }
    assert_eq!(actions, 3, "{:?}", res.lockfiles);
    assert_eq!(res.packages().count(), 2, "setup-node once, idna once");
    let (out, code) = support::lockgate()
        .args(["packages", "--format", "json", "--no-ignore"])
        .arg(&root)
        .output()
        .map(|o| (String::from_utf8(o.stdout).unwrap(), o.status.code()))
        .unwrap();
    assert_eq!(code, Some(0));
    assert_eq!(out, json::packages(&resolve(&[root], &opts)));
}

#[test]
fn an_unreadable_lockfile_still_writes_the_others_records_in_order() {
    let dir = support::repo(&[
        ("a/requirements.txt", "idna==3.10\n"),
        ("b/Cargo.lock", "this is not toml [[\n"),
        ("c/requirements.txt", "six==1.16.0\n"),
    ]);
    let root = dir.path().to_path_buf();
    let res = resolve(std::slice::from_ref(&root), &Options::default());
    assert_eq!(res.errors.len(), 1);
    let (out, code) = packages_json(&root);
    assert_eq!(code, Some(2));
    assert_eq!(out, json::packages(&res));
    assert!(out.find("idna").unwrap() < out.find("six").unwrap());
}

/// The manifest work runs beside the parse for the lockfile folders the walk found;
/// a requirements file that turns out to pin nothing covers no manifest, and the work
/// is then done again after the parse. Both ways give the listed manifests.
#[test]
fn manifests_without_lockfile_when_a_requirements_file_pins_nothing_or_something() {
    let pyproject = "[project]\nname = \"app\"\nversion = \"1\"\ndependencies = [\"flask\"]\n";
    let cases = [
        ("flask>=3\n", vec!["a/pyproject.toml", "a/requirements.txt"]),
        ("flask==3.0.0\n", vec![]),
    ];
    for (requirements, listed) in cases {
        let dir = support::repo(&[
            ("a/requirements.txt", requirements),
            ("a/pyproject.toml", pyproject),
            ("b/requirements.txt", "idna==3.10\n"),
            ("b/sub/requirements.in", "idna\n"),
        ]);
        let root = dir.path().to_path_buf();
        let res = resolve(std::slice::from_ref(&root), &Options::default());
        let shown: Vec<_> = res
            .manifests_without_lockfile
            .iter()
            .map(|p| p.strip_prefix(&root).unwrap().to_str().unwrap().to_string())
            .collect();
        let mut expected: Vec<String> = listed.iter().map(|s| s.to_string()).collect();
        // requirements.in in a folder without a lockfile of its own
        expected.push("b/sub/requirements.in".into());
        expected.sort();
        assert_eq!(shown, expected, "{requirements}");
        let (out, code) = packages_json(&root);
        assert_eq!(code, Some(0));
        assert_eq!(out, json::packages(&res));
    }
}

/// A `requirements*.in` pip would not decode is an error, whether the manifest work
/// ran beside the parse or not.
#[test]
fn an_in_file_pip_would_not_decode_is_an_error_beside_the_parse() {
    let dir = support::repo(&[
        ("a/requirements.txt", "idna==3.10\n"),
        ("b/requirements.txt", "six==1.16.0\n"),
        ("a/requirements.in", "# -*- coding: utf-7 -*-\nidna\n"),
    ]);
    let res = resolve(&[dir.path().to_path_buf()], &Options::default());
    assert_eq!(res.errors.len(), 1, "{:?}", res.errors);
    assert!(res.errors[0].path.ends_with("a/requirements.in"));
    assert_eq!(res.errors[0].line, Some(1));
}

/// The overlapped walk and parse give the resolution of the walk followed by the
/// parse (`resolve_found` of `discover`), on the fixture trees, in a git repository
/// (tracked files the walk does not see are added after it), with several roots and
/// with a root that is a file.
#[test]
fn the_overlapped_walk_and_parse_resolve_as_walk_then_parse() {
    let git_repo = support::repo(&[
        ("a/requirements.txt", "idna==3.10\n"),
        ("node_modules/x/requirements.txt", "six==1.16.0\n"),
        (".gitignore", "ignored/\n"),
        ("ignored/requirements.txt", "attrs==23.1.0\n"),
        (
            "b/pyproject.toml",
            "[project]\nname = \"b\"\ndependencies = [\"x\"]\n",
        ),
    ]);
    support::git(git_repo.path(), &["init", "-q"]);
    support::git(git_repo.path(), &["add", "-f", "."]);
    let cases: Vec<Vec<PathBuf>> = vec![
        vec![fixtures("npm")],
        vec![fixtures("pypi"), fixtures("cargo")],
        vec![
            fixtures("npm/package-lock/v2/package-lock.json"),
            fixtures("realworld"),
        ],
        vec![git_repo.path().to_path_buf()],
        vec![fixtures("does-not-exist")],
    ];
    for roots in cases {
        let opts = Options::default();
        let overlapped = resolve(&roots, &opts);
        let sequential = resolve_found(lockgate::discover::discover(&roots, &opts), false);
        assert_eq!(
            format!("{overlapped:?}"),
            format!("{sequential:?}"),
            "{roots:?}"
        );
    }
}
