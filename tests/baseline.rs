//! `lockgate check --baseline REF` end to end, in real temporary git repositories:
//! only the findings a change introduces are reported, the unchanged ones are
//! counted, the change report lists what was added, removed, upgraded and
//! downgraded, and every way the baseline cannot be read fails closed (exit 2).
//! Fixtures: tests/fixtures/baseline (made by generate-baseline.sh with the real
//! npm) and tests/fixtures/e2e.

use std::path::{Path, PathBuf};
use std::process::Output;

mod support;
use support::{copy_dir, git};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn lockgate(dir: &Path, args: &[&str]) -> Output {
    support::lockgate()
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A repository whose base commit holds `web/` (npm-before, approved by the
/// allowlist) and `typo/` (a project the allowlist does not approve, with a
/// look-alike dependency: findings that are already there), and whose head commit changes `web/` to
/// npm-after (lodash upgraded, ms downgraded, left-pad removed, is-number added).
struct Repo {
    dir: tempfile::TempDir,
    base: String,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        git(d, &["init", "-q", "-b", "main"]);
        copy_dir(&fixtures().join("baseline/npm-before"), &d.join("web"));
        let o = lockgate(d, &["allowlist", "init", "web"]);
        assert!(o.status.success(), "{}", text(&o));
        copy_dir(&fixtures().join("e2e/npm-typo"), &d.join("typo"));
        git(d, &["add", "-A"]);
        git(d, &["commit", "-qm", "base"]);
        let base = git(d, &["rev-parse", "HEAD"]);
        std::fs::remove_dir_all(d.join("web")).unwrap();
        copy_dir(&fixtures().join("baseline/npm-after"), &d.join("web"));
        git(d, &["add", "-A"]);
        git(d, &["commit", "-qm", "change"]);
        Repo { dir, base }
    }
    fn path(&self) -> &Path {
        self.dir.path()
    }
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)))
}

/// (id, name, version) of every finding in a JSON report.
fn ids(v: &serde_json::Value) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap_or("").to_string(),
                f["name"].as_str().unwrap_or("").to_string(),
                f["version"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn only_new_findings_are_reported_and_unchanged_ones_are_counted() {
    let r = Repo::new();
    // Without --baseline: everything, including the look-alike already on main.
    let full = lockgate(r.path(), &["check", "--format", "json"]);
    assert_eq!(full.status.code(), Some(1), "{}", text(&full));
    let all = ids(&json(&full));
    assert!(
        all.iter()
            .any(|(id, n, _)| id == "similar-name" && n == "expresss")
    );

    let comment = r.path().join("out/comment.md");
    let o = lockgate(
        r.path(),
        &[
            "check",
            "--format",
            "json",
            "--baseline",
            "main~1",
            "--comment-file",
            comment.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let found = ids(&json(&o));
    assert!(
        !found.iter().any(|(_, n, _)| n == "expresss"),
        "a finding already on the base is not reported again: {found:?}"
    );
    for (id, name, version) in [
        ("version-not-allowed", "lodash", "4.17.21"),
        ("version-not-allowed", "ms", "2.1.2"),
        ("unlisted", "is-number", "7.0.0"),
    ] {
        assert!(
            found
                .iter()
                .any(|f| f == &(id.to_string(), name.to_string(), version.to_string())),
            "{id} {name} {version} missing from {found:?}"
        );
    }
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(found.len(), 3, "{found:?}");
    let unchanged = format!("{} findings unchanged from main~1", all.len() - 3);
    assert!(
        stderr.contains(&format!("baseline: {unchanged}")),
        "{stderr}"
    );

    let body = std::fs::read_to_string(&comment).unwrap();
    assert!(
        body.starts_with("<!-- lockgate-change-report -->"),
        "{body}"
    );
    assert!(
        body.contains("### npm: 1 added, 1 removed, 1 upgraded, 1 downgraded, 0 changed"),
        "{body}"
    );
    for row in [
        "| added | <code>is-number</code> |  | 7.0.0 | <code>web/package-lock.json</code> | ❌ <code>unlisted</code>",
        "| removed | <code>left-pad</code> | 1.3.0 |  | <code>web/package-lock.json</code> |  |",
        "| upgraded | <code>lodash</code> | 4.17.20 | 4.17.21 | <code>web/package-lock.json</code> | ❌ <code>version-not-allowed</code>",
        "| downgraded | <code>ms</code> | 2.1.3 | 2.1.2 | <code>web/package-lock.json</code> | ❌ <code>version-not-allowed</code>",
    ] {
        assert!(body.contains(row), "{row}\nnot in\n{body}");
    }
    assert!(!body.contains("expresss"), "{body}");
    assert!(
        body.contains(&unchanged.replace('~', "\\~")),
        "{unchanged}: {body}"
    );
}

#[test]
fn a_change_that_adds_nothing_passes_and_counts_what_was_there() {
    let r = Repo::new();
    let comment = r.path().join("comment.md");
    let o = lockgate(
        r.path(),
        &[
            "check",
            "--baseline",
            "HEAD",
            "--comment-file",
            comment.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("findings unchanged from HEAD"),
        "{}",
        text(&o)
    );
    let body = std::fs::read_to_string(&comment).unwrap();
    assert!(body.contains("✅ this change adds no findings"), "{body}");
    assert!(
        body.contains("No package was added, removed or changed."),
        "{body}"
    );
}

#[test]
fn the_temporary_worktree_is_removed() {
    let r = Repo::new();
    let o = lockgate(r.path(), &["check", "--baseline", &r.base]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let list = git(r.path(), &["worktree", "list", "--porcelain"]);
    assert_eq!(
        list.lines().filter(|l| l.starts_with("worktree ")).count(),
        1,
        "{list}"
    );
}

#[test]
fn an_unknown_ref_fails_closed_with_the_fetch_command() {
    let r = Repo::new();
    for rev in [
        "no-such-branch",
        "--output=x",
        "0123456789abcdef0123456789abcdef01234567",
    ] {
        let o = lockgate(r.path(), &["check", &format!("--baseline={rev}")]);
        assert_eq!(o.status.code(), Some(2), "{rev}: {}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("git does not know this commit"), "{err}");
        assert!(
            err.contains("git fetch --no-tags --depth=1 origin"),
            "{err}"
        );
    }
    assert!(!r.path().join("x").exists());
}

#[test]
fn a_shallow_clone_without_the_base_fails_closed() {
    let r = Repo::new();
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", r.path().display());
    git(clone.path(), &["clone", "-q", "--depth=1", &url, "shallow"]);
    let shallow = clone.path().join("shallow");
    let o = lockgate(&shallow, &["check", "--baseline", &r.base]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("shallow clone"), "{err}");
    assert!(
        err.contains(&format!("git fetch --no-tags --depth=1 origin {}", r.base)),
        "{err}"
    );
    // Fetching the base, as the hint says, makes it work.
    git(
        &shallow,
        &["fetch", "-q", "--no-tags", "--depth=1", "origin", &r.base],
    );
    let o = lockgate(&shallow, &["check", "--baseline", &r.base]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
}

#[test]
fn a_baseline_lockfile_that_does_not_parse_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    copy_dir(&fixtures().join("baseline/npm-before"), &d.join("web"));
    let o = lockgate(d, &["allowlist", "init", "web"]);
    assert!(o.status.success(), "{}", text(&o));
    // Hand-written malformed input: a truncated package-lock.json at the base.
    std::fs::write(
        d.join("web/package-lock.json"),
        "{\n  \"lockfileVersion\": 3,\n",
    )
    .unwrap();
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "broken base"]);
    copy_dir(&fixtures().join("baseline/npm-before"), &d.join("web"));
    git(d, &["commit", "-qam", "fixed"]);
    let o = lockgate(d, &["check", "--baseline", "HEAD~1"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("could not be read"), "{err}");
    assert!(
        err.contains("  web/package-lock.json"),
        "head path, not the temporary one: {err}"
    );
    assert!(!err.contains("lockgate-baseline-"), "{err}");
    assert!(err.contains("without --baseline"), "{err}");
    // The temporary worktree is removed on the error path too.
    let list = git(d, &["worktree", "list", "--porcelain"]);
    assert_eq!(
        list.lines().filter(|l| l.starts_with("worktree ")).count(),
        1,
        "{list}"
    );
}

#[test]
fn discovery_rules_apply_at_the_baseline_too() {
    let r = Repo::new();
    let d = r.path();
    // A malformed lockfile (hand-written) under an excluded folder at the base:
    // --exclude and the allowlist's exclude keep it out there as in the head.
    std::fs::create_dir_all(d.join("fixtures/bad")).unwrap();
    std::fs::write(d.join("fixtures/bad/package-lock.json"), "{").unwrap();
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "fixture"]);
    // A new project folder that did not exist at the base: all its findings are new.
    copy_dir(&fixtures().join("e2e/cargo-after"), &d.join("api"));
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "api"]);
    let base = "HEAD~1";
    let o = lockgate(
        d,
        &[
            "check",
            "--format",
            "json",
            "--exclude",
            "fixtures",
            "--baseline",
            base,
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let found = ids(&json(&o));
    assert!(found.iter().any(|(_, n, _)| n == "serde"), "{found:?}");
    assert!(!found.iter().any(|(_, n, _)| n == "lodash"), "{found:?}");

    // From a subfolder, with a relative path: same repository, same mapping.
    let o = lockgate(
        &d.join("web"),
        &["check", "--format", "json", "--baseline", &r.base, "."],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v = json(&o);
    let files: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["lockfile"].as_str().unwrap())
        .collect();
    assert!(files.iter().all(|f| *f == "package-lock.json"), "{files:?}");
    assert_eq!(ids(&v).len(), 3, "{:?}", ids(&v));

    // An absolute path: findings keep it, and the base's are matched to it.
    let abs = d.join("typo");
    let o = lockgate(
        d,
        &[
            "check",
            "--format",
            "json",
            "--baseline",
            &r.base,
            abs.to_str().unwrap(),
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "nothing new under typo/: {}",
        text(&o)
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(" findings unchanged from"),
        "{}",
        text(&o)
    );
}
