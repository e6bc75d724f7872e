//! Pull-request change classes (`lockgate check --baseline REF`) end to end in a real
//! temporary git repository: a new package, a version bump, the same version with a
//! different hash (always a `hash-changed` finding, whatever the allowlist says), and
//! a source moved from the registry to git, in the JSON report's `changes` and in the
//! change report (`--comment-file`, also the job summary).
//!
//! The base commit holds tests/fixtures/baseline/npm-before (made by the real npm).
//! The head's package-lock.json is that lockfile edited here, as an attacker would
//! (ADVERSARIAL, hand-made): lodash takes npm-after's real 4.17.21 entry, is-number
//! is added from npm-after, ms 2.1.3 gets lodash 4.17.20's integrity, and left-pad
//! 1.3.0 resolves to a git repository instead of the registry.

use std::path::{Path, PathBuf};
use std::process::Output;

mod support;
use support::{copy_dir, git};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/baseline")
}

fn lockgate(dir: &Path, args: &[&str]) -> Output {
    support::lockgate()
        .args(args)
        .current_dir(dir)
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

const LEFT_PAD_GIT: &str =
    "git+ssh://git@github.com/left-pad/left-pad.git#5ad4d1f4b5c2e0f6d6a1d1b8f1b3a7c9e2d4f6a8";

/// The head lockfile: npm-before with the attacker's edits (see the module docs).
fn head_lockfile() -> String {
    let read = |p: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(fixtures().join(p)).unwrap()).unwrap()
    };
    let mut lock = read("npm-before/package-lock.json");
    let after = read("npm-after/package-lock.json");
    let pk = lock["packages"].as_object_mut().unwrap();
    let lodash_420 = pk["node_modules/lodash"]["integrity"].clone();
    pk.insert(
        "node_modules/lodash".into(),
        after["packages"]["node_modules/lodash"].clone(),
    );
    pk.insert(
        "node_modules/is-number".into(),
        after["packages"]["node_modules/is-number"].clone(),
    );
    pk.get_mut("node_modules/ms").unwrap()["integrity"] = lodash_420;
    let lp = pk
        .get_mut("node_modules/left-pad")
        .unwrap()
        .as_object_mut()
        .unwrap();
    lp.insert("resolved".into(), LEFT_PAD_GIT.into());
    lp.remove("integrity");
    let root = pk.get_mut("").unwrap();
    root["dependencies"]["is-number"] = "^7.0.0".into();
    root["dependencies"]["lodash"] = "^4.17.21".into();
    serde_json::to_string_pretty(&lock).unwrap()
}

/// A repository: base commit = npm-before and `allowlist` at the top; head commit =
/// the attacker's lockfile.
fn repo(allowlist: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    copy_dir(&fixtures().join("npm-before"), &d.join("web"));
    std::fs::write(d.join("allowlist.toml"), allowlist).unwrap();
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "base"]);
    std::fs::write(d.join("web/package-lock.json"), head_lockfile()).unwrap();
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "change"]);
    dir
}

/// An allowlist that approves anything (no pins): only the change classes can fail.
const ALLOW_ALL: &str = "[policy]\nunlisted = \"allow\"\nmissing-hash = \"allow\"\nsimilar-names = \"allow\"\nsources = [\"registry\", \"git\"]\n";

#[test]
fn classes_in_json_and_in_the_change_report() {
    let dir = repo(ALLOW_ALL);
    let d = dir.path();
    let comment = d.join("comment.md");
    let o = lockgate(
        d,
        &[
            "check",
            "--baseline",
            "main~1",
            "--format",
            "json",
            "--comment-file",
            comment.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // The document, `changes` included, matches its documented schema.
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/schemas/check.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");

    // Same version, different hash: a critical finding although the allowlist allows all.
    let findings = doc["findings"].as_array().unwrap();
    let hc: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| f["id"] == "hash-changed")
        .collect();
    assert_eq!(hc.len(), 1, "{}", text(&o));
    assert_eq!(hc[0]["name"], "ms");
    assert_eq!(hc[0]["version"], "2.1.3");
    assert_eq!(hc[0]["severity"], "critical");
    assert!(hc[0]["line"].as_u64().is_some());
    let msg = hc[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("sha512-6Flzub") || msg.contains("sha512:"),
        "{msg}"
    );

    // The classes of each changed entry.
    let changes = doc["changes"].as_array().unwrap();
    let class = |name: &str| -> Vec<String> {
        let c = changes
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("{name} not in {changes:#?}"));
        c["classes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(class("is-number"), ["new-package"]);
    assert_eq!(class("lodash"), ["version-up"]);
    assert_eq!(class("ms"), ["hash-changed"]);
    assert_eq!(class("left-pad"), ["source-moved"]);
    let lp = changes.iter().find(|c| c["name"] == "left-pad").unwrap();
    assert_eq!(lp["kind"], "changed");
    assert!(
        lp["notes"][0]
            .as_str()
            .unwrap()
            .contains("-> git git+ssh://git@github.com/left-pad"),
        "{lp}"
    );

    // The change report (PR comment body and job summary).
    let body = std::fs::read_to_string(&comment).unwrap();
    assert!(
        body.contains("| change | package | before | after | lockfile | new findings | class |"),
        "{body}"
    );
    for row in [
        "| added | <code>is-number</code> |  | 7.0.0 | <code>web/package-lock.json</code> | ✅ none | new package |",
        "| upgraded | <code>lodash</code> | 4.17.20 | 4.17.21 | <code>web/package-lock.json</code> | ✅ none | version up |",
    ] {
        assert!(body.contains(row), "{row}\nnot in\n{body}");
    }
    let ms = body
        .lines()
        .find(|l| l.contains("<code>ms</code>"))
        .unwrap();
    assert!(ms.contains("🛑 <code>hash-changed</code>"), "{ms}");
    assert!(ms.contains("**same version, different hash**"), "{ms}");
    let lp = body
        .lines()
        .find(|l| l.contains("<code>left-pad</code>"))
        .unwrap();
    assert!(
        lp.contains("**source moved**") && lp.contains("git"),
        "{lp}"
    );
}

#[test]
fn without_a_change_there_is_no_class_and_no_hash_changed() {
    let dir = repo(ALLOW_ALL);
    let d = dir.path();
    let o = lockgate(d, &["check", "--baseline", "HEAD", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["changes"], serde_json::json!([]));
    assert_eq!(doc["findings"], serde_json::json!([]));
    // Without --baseline the JSON has no `changes` at all.
    let o = lockgate(d, &["check", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(doc.get("changes").is_none(), "{doc}");
}

#[test]
fn hash_changed_cannot_be_waived_by_an_exception() {
    let list = format!(
        "{ALLOW_ALL}\n[[exception]]\necosystem = \"npm\"\nname = \"ms\"\nfinding = \"hash-changed\"\nuntil = 2999-01-01\nby = \"sec\"\nreason = \"no\"\n"
    );
    let dir = repo(&list);
    let o = lockgate(dir.path(), &["check", "--baseline", "main~1"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("hash-changed"),
        "{}",
        text(&o)
    );
}

/// The same version gains `hasInstallScript` at the head (ADVERSARIAL edit of the
/// real npm lockfile): the change is classed `install-script-gained` from the
/// lockfile's own facts, even where the policy allows install scripts.
#[test]
fn an_install_script_gained_on_the_same_version_is_a_class() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    copy_dir(&fixtures().join("npm-before"), &d.join("web"));
    let list = format!("{ALLOW_ALL}install-scripts = \"allow\"\n");
    std::fs::write(d.join("allowlist.toml"), list).unwrap();
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "base"]);
    let path = d.join("web/package-lock.json");
    let mut lock: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    lock["packages"]["node_modules/ms"]["hasInstallScript"] = true.into();
    std::fs::write(&path, serde_json::to_string_pretty(&lock).unwrap()).unwrap();
    git(d, &["commit", "-qam", "gain"]);

    let o = lockgate(d, &["check", "--baseline", "main~1", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let changes = doc["changes"].as_array().unwrap();
    let ms: Vec<_> = changes.iter().filter(|c| c["name"] == "ms").collect();
    assert_eq!(ms.len(), 1, "{}", text(&o));
    let classes: Vec<&str> = ms[0]["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(classes, ["install-script-gained"], "{}", text(&o));
    // Only ms changed.
    assert_eq!(changes.len(), 1, "{}", text(&o));
}

/// Moving the lockfile (`git mv web web2`) in the same change that swaps a pinned
/// version's hash (ADVERSARIAL) is still `hash-changed`: the moved lockfile is
/// compared with what the baseline pinned in any lockfile.
#[test]
fn a_moved_lockfile_does_not_hide_a_swapped_hash() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    copy_dir(&fixtures().join("npm-before"), &d.join("web"));
    std::fs::write(d.join("allowlist.toml"), ALLOW_ALL).unwrap();
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "base"]);
    git(d, &["mv", "web", "web2"]);
    let path = d.join("web2/package-lock.json");
    let mut lock: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let other = lock["packages"]["node_modules/lodash"]["integrity"].clone();
    lock["packages"]["node_modules/ms"]["integrity"] = other;
    std::fs::write(&path, serde_json::to_string_pretty(&lock).unwrap()).unwrap();
    git(d, &["commit", "-qam", "move and swap"]);

    let o = lockgate(d, &["check", "--baseline", "main~1", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let hc: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "hash-changed")
        .collect();
    assert_eq!(hc.len(), 1, "{}", text(&o));
    assert_eq!(hc[0]["name"], "ms");
    assert_eq!(hc[0]["severity"], "critical");
    // Without the swap, the move alone is not a hash change.
    git(d, &["checkout", "-q", "main~1", "--", "."]);
    git(d, &["rm", "-rq", "web2"]);
    git(d, &["commit", "-qm", "restore"]);
    git(d, &["mv", "web", "web3"]);
    git(d, &["commit", "-qm", "move only"]);
    let o = lockgate(d, &["check", "--baseline", "main~1", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        !doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "hash-changed"),
        "{}",
        text(&o)
    );
}
