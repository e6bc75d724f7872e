//! GitHub Actions as a fourth ecosystem: `uses:` in workflows and action files must
//! be commit SHAs the allowlist approves (issue 19, part 3). The workflows here are
//! hand-written (GitHub has no tool that writes them): each test writes the few lines
//! it needs into a temporary repository. Tag resolution runs against a fake GitHub
//! REST API (httpmock) that answers as `GET /repos/{owner}/{repo}/commits/{ref}`
//! with `Accept: application/vnd.github.sha` does: the bare 40-hex SHA.

mod support;

use httpmock::prelude::*;
use std::path::Path;
use std::process::Output;

const CHECKOUT_SHA: &str = "11d5960a326750d5838078e36cf38b85af677262";
const CACHE_SHA: &str = "0057852bfaa89a56745cba8c7296529d2fc39830";
const DIGEST: &str = "sha256:5f0e2c6ed6606019b4e29e69dbaba95b11854410e5347d525002456dbbb786b6";

fn check(dir: &Path) -> Output {
    support::lockgate()
        .current_dir(dir)
        .args(["check", "--no-ignore", "."])
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn workflow(uses: &str) -> String {
    format!(
        "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: {uses}\n      - run: |\n          echo hi\n"
    )
}

const EMPTY_LIST: &str = "schema = 1\n";

fn checkout_list() -> String {
    format!(
        "schema = 1\n[actions.\"actions/checkout\"]\nversions.\"{CHECKOUT_SHA}\" = \"v4.4.0\"\n"
    )
}

#[test]
fn a_tag_ref_is_unpinned_with_the_edit_that_fixes_it() {
    let dir = support::repo(&[
        (".github/workflows/ci.yml", &workflow("actions/checkout@v4")),
        ("allowlist.toml", &checkout_list()),
    ]);
    let o = check(dir.path());
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("unpinned"), "{t}");
    assert!(t.contains(".github/workflows/ci.yml:7"), "{t}");
    assert!(
        t.contains("uses: actions/checkout@<sha> # v4"),
        "the message gives the exact edit: {t}"
    );
    // Not also reported as an unapproved version: the tag has no pin to look up.
    assert!(!t.contains("version-not-allowed"), "{t}");
}

#[test]
fn the_same_action_by_an_approved_sha_passes() {
    let uses = format!("actions/checkout@{CHECKOUT_SHA} # v4.4.0");
    let dir = support::repo(&[
        (".github/workflows/ci.yml", &workflow(&uses)),
        ("allowlist.toml", &checkout_list()),
    ]);
    let o = check(dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // Owner and repository compare case-insensitively, as on GitHub.
    let uses = format!("Actions/Checkout@{CHECKOUT_SHA}");
    std::fs::write(dir.path().join(".github/workflows/ci.yml"), workflow(&uses)).unwrap();
    let o = check(dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn an_unknown_sha_is_unlisted_and_another_sha_is_not_allowed() {
    let uses = format!("actions/cache@{CACHE_SHA}");
    let dir = support::repo(&[
        (".github/workflows/ci.yml", &workflow(&uses)),
        ("allowlist.toml", &checkout_list()),
    ]);
    let o = check(dir.path());
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("unlisted"), "{t}");
    assert!(t.contains(CACHE_SHA), "{t}");
    // A SHA of an approved action that is not the approved one.
    let uses = format!("actions/checkout@{CACHE_SHA}");
    std::fs::write(dir.path().join(".github/workflows/ci.yml"), workflow(&uses)).unwrap();
    let o = check(dir.path());
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("version-not-allowed"), "{t}");
}

#[test]
fn a_docker_image_needs_a_digest() {
    let dir = support::repo(&[
        (
            ".github/workflows/ci.yml",
            &workflow("docker://alpine:3.20"),
        ),
        ("allowlist.toml", EMPTY_LIST),
    ]);
    let o = check(dir.path());
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("unpinned"), "{t}");
    assert!(t.contains("docker://alpine@sha256:<digest>"), "{t}");
    // By an approved digest it passes.
    let uses = format!("docker://alpine:3.20@{DIGEST}");
    std::fs::write(dir.path().join(".github/workflows/ci.yml"), workflow(&uses)).unwrap();
    std::fs::write(
        dir.path().join("allowlist.toml"),
        format!("schema = 1\n[actions.\"docker://alpine\"]\nversions.\"{DIGEST}\" = \"3.20\"\n"),
    )
    .unwrap();
    let o = check(dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn a_local_action_is_read_and_its_unpinned_uses_reported_once() {
    let composite = "name: setup\nruns:\n  using: composite\n  steps:\n    - uses: actions/setup-node@v4\n    - run: echo\n      shell: bash\n";
    let dir = support::repo(&[
        (
            ".github/workflows/ci.yml",
            &workflow("./.github/actions/setup"),
        ),
        (".github/actions/setup/action.yml", composite),
        ("allowlist.toml", EMPTY_LIST),
    ]);
    let o = check(dir.path());
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains(".github/actions/setup/action.yml:5"), "{t}");
    assert_eq!(t.matches("actions/setup-node@v4` runs").count(), 1, "{t}");
    // Checking only the workflow still follows the local action.
    let o = support::lockgate()
        .current_dir(dir.path())
        .args(["check", ".github/workflows/ci.yml"])
        .output()
        .unwrap();
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("actions/setup-node"), "{t}");
}

#[test]
fn a_reusable_workflow_is_a_dependency() {
    let wf = "on: [push]\njobs:\n  call:\n    uses: octo-org/shared/.github/workflows/build.yml@main\n    secrets: inherit\n";
    let dir = support::repo(&[
        (".github/workflows/ci.yml", wf),
        ("allowlist.toml", EMPTY_LIST),
    ]);
    let o = check(dir.path());
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("ci.yml:4"), "{t}");
    assert!(
        t.contains("uses: octo-org/shared/.github/workflows/build.yml@<sha> # main"),
        "{t}"
    );
    // A local reusable workflow is a file; its own `uses:` are checked.
    let caller = "on: [push]\njobs:\n  call:\n    uses: ./.github/workflows/build.yml\n";
    let build = "on: [workflow_call]\njobs:\n  b:\n    runs-on: x\n    steps:\n      - uses: actions/cache@v4\n";
    let dir = support::repo(&[
        (".github/workflows/ci.yml", caller),
        (".github/workflows/build.yml", build),
        ("allowlist.toml", EMPTY_LIST),
    ]);
    let o = check(dir.path());
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains(".github/workflows/build.yml:6"), "{t}");
    assert_eq!(t.matches("actions/cache@v4` runs").count(), 1, "{t}");
}

#[test]
fn a_local_action_outside_the_repository_is_refused() {
    let dir = support::repo(&[
        (".github/workflows/ci.yml", &workflow("./../outside")),
        ("allowlist.toml", EMPTY_LIST),
    ]);
    let o = check(dir.path());
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains(".github/workflows/ci.yml:7"), "{t}");
    assert!(t.contains("leaves the repository"), "{t}");
}

#[cfg(unix)]
#[test]
fn a_symlink_out_of_the_repository_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("action.yml"),
        "runs:\n  using: composite\n  steps:\n    - uses: evil/x@v1\n",
    )
    .unwrap();
    let dir = support::repo(&[
        (".github/workflows/ci.yml", &workflow("./tools/act")),
        ("allowlist.toml", EMPTY_LIST),
    ]);
    std::fs::create_dir_all(dir.path().join("tools")).unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("tools/act")).unwrap();
    let o = check(dir.path());
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains("leaves the repository"), "{t}");
}

#[test]
fn a_missing_local_action_is_an_error() {
    let dir = support::repo(&[
        (".github/workflows/ci.yml", &workflow("./not-here")),
        ("allowlist.toml", EMPTY_LIST),
    ]);
    let o = check(dir.path());
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains("names no action in the repository"), "{t}");
}

#[test]
fn malformed_workflow_yaml_is_an_error_with_file_and_line() {
    // Hand-written malformed input: a duplicate key on line 5.
    let wf = "on: [push]\njobs:\n  a:\n    runs-on: x\n    runs-on: y\n";
    let dir = support::repo(&[
        (".github/workflows/ci.yml", wf),
        ("allowlist.toml", EMPTY_LIST),
    ]);
    let o = check(dir.path());
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains("parse-error"), "{t}");
    assert!(t.contains(".github/workflows/ci.yml:5"), "{t}");
    // A `uses:` without a ref names its line and the fix.
    std::fs::write(
        dir.path().join(".github/workflows/ci.yml"),
        workflow("actions/checkout"),
    )
    .unwrap();
    let o = check(dir.path());
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains(".github/workflows/ci.yml:7"), "{t}");
    assert!(t.contains("has no `@ref`"), "{t}");
}

fn fake_github() -> MockServer {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(GET)
            .path("/repos/actions/checkout/commits/v4")
            .header("accept", "application/vnd.github.sha");
        then.status(200).body(CHECKOUT_SHA);
    });
    server.mock(|when, then| {
        when.method(GET).path("/repos/actions/cache/commits/v4");
        then.status(200).body(CACHE_SHA);
    });
    server.mock(|when, then| {
        when.method(GET)
            .path("/repos/actions/checkout/commits/no-such-tag");
        then.status(422)
            .body("{\"message\":\"No commit found for SHA: no-such-tag\"}");
    });
    server
}

#[test]
fn suggest_online_resolves_a_tag_through_the_forge_api() {
    let server = fake_github();
    let dir = support::repo(&[
        (".github/workflows/ci.yml", &workflow("actions/checkout@v4")),
        ("allowlist.toml", EMPTY_LIST),
    ]);
    let run = |args: &[&str]| {
        support::lockgate()
            .current_dir(dir.path())
            .args(args)
            .env("LOCKGATE_GITHUB_API", server.base_url())
            .env("LOCKGATE_NO_CACHE", "1")
            .output()
            .unwrap()
    };
    // Offline, a tag is not pinned.
    let o = run(&["allowlist", "suggest", "."]);
    let t = text(&o);
    assert!(!t.contains(CHECKOUT_SHA), "{t}");
    assert!(t.contains("--online"), "{t}");
    // Online, the snippet pins the commit, the tag as a note.
    let o = run(&["allowlist", "suggest", "--online", "."]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(t.contains(CHECKOUT_SHA), "{t}");
    assert!(t.contains("v4"), "{t}");
    let o = run(&["allowlist", "suggest", "--online", "--write", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // Approved, and once the workflow names the SHA, check passes.
    let uses = format!("actions/checkout@{CHECKOUT_SHA} # v4");
    std::fs::write(dir.path().join(".github/workflows/ci.yml"), workflow(&uses)).unwrap();
    let o = check(dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn allowlist_add_resolves_a_tag_and_refuses_an_unknown_one() {
    let server = fake_github();
    let dir = support::repo(&[("allowlist.toml", EMPTY_LIST)]);
    let run = |spec: &str| {
        support::lockgate()
            .current_dir(dir.path())
            .args(["allowlist", "add", "actions", spec, "--reason", "ci"])
            .env("LOCKGATE_GITHUB_API", server.base_url())
            .env("LOCKGATE_NO_CACHE", "1")
            .output()
            .unwrap()
    };
    let o = run("actions/cache@v4");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let list = std::fs::read_to_string(dir.path().join("allowlist.toml")).unwrap();
    assert!(list.contains("[actions.\"actions/cache\"]"), "{list}");
    assert!(list.contains(CACHE_SHA), "{list}");
    assert!(list.contains("tag = \"v4\""), "{list}");
    let o = run("actions/checkout@no-such-tag");
    assert_ne!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("no-such-tag"), "{}", text(&o));
    let after = std::fs::read_to_string(dir.path().join("allowlist.toml")).unwrap();
    assert_eq!(
        after, list,
        "nothing is written when a ref cannot be resolved"
    );
}

#[test]
fn offline_init_pins_only_refs_that_are_already_shas() {
    let wf = format!(
        "on: [push]\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@{CHECKOUT_SHA}\n      - uses: actions/cache@v4\n"
    );
    let dir = support::repo(&[(".github/workflows/ci.yml", &wf)]);
    let o = support::lockgate()
        .current_dir(dir.path())
        .args(["allowlist", "init", "."])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let list = std::fs::read_to_string(dir.path().join("allowlist.toml")).unwrap();
    assert!(list.contains(CHECKOUT_SHA), "{list}");
    assert!(!list.contains("actions/cache"), "{list}");
}

#[test]
fn lockgates_own_workflows_and_action_pass() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = support::lockgate()
        .current_dir(root)
        .args([
            "check",
            "--allowlist",
            "allowlist.toml",
            ".github/workflows/ci.yml",
            ".github/workflows/release.yml",
            "action.yml",
        ])
        .output()
        .unwrap();
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(t.contains("3 lockfiles"), "{t}");
}
