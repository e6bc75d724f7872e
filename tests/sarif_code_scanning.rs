//! SARIF calibrated for GitHub code scanning (issue 14): a registry outage is no
//! alert (no result, the run is marked unsuccessful and a tool notification says
//! why), the category keeps partial scans apart from full scans, and every rule links
//! to its section of docs/findings.md. Each document is validated against the SARIF
//! 2.1.0 schema in tests/schemas/.

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::sarif_schema;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn assert_valid(doc: &Value) {
    let schema = sarif_schema();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator.iter_errors(doc).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "SARIF does not match the schema: {errors:#?}"
    );
}

/// A project copied from an e2e fixture, pinned whole by `allowlist init`.
fn pinned(fixture: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    support::copy_dir(
        &root().join("tests/fixtures/e2e").join(fixture),
        &dir.path().join("project"),
    );
    let o = lockgate(dir.path())
        .args(["allowlist", "init", "project"])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    dir
}

fn lockgate(dir: &Path) -> Command {
    let mut c = support::lockgate();
    c.current_dir(dir);
    c
}

fn sarif(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)))
}

#[test]
fn a_registry_outage_is_no_alert_but_fails_the_run() {
    let dir = pinned("npm-before");
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    }; // closed again: nothing listens there
    let cache = tempfile::tempdir().unwrap();
    let o = lockgate(dir.path())
        .args(["check", "project", "--online", "--format", "sarif"])
        .env("LOCKGATE_NPM_REGISTRY", format!("http://127.0.0.1:{port}/"))
        .env("LOCKGATE_CACHE_DIR", cache.path())
        .env("LOCKGATE_RETRIES", "0")
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "a registry that cannot be asked exits 2"
    );
    let doc = sarif(&o);
    assert_valid(&doc);
    let run = &doc["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert!(
        results.iter().all(|r| r["ruleId"] != "registry-error"),
        "no alert for an outage: {results:#?}"
    );
    let inv = &run["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    assert_eq!(inv["exitCode"], 2);
    let notes = inv["toolExecutionNotifications"].as_array().unwrap();
    assert!(!notes.is_empty());
    for n in notes {
        assert_eq!(n["descriptor"]["id"], "registry-error");
        assert!(
            n["message"]["text"].as_str().unwrap().contains("127.0.0.1"),
            "{n}"
        );
    }
    // The JSON report still lists the registry errors as findings.
    let o = lockgate(dir.path())
        .args(["check", "project", "--online", "--format", "json"])
        .env("LOCKGATE_NPM_REGISTRY", format!("http://127.0.0.1:{port}/"))
        .env("LOCKGATE_CACHE_DIR", cache.path())
        .env("LOCKGATE_RETRIES", "0")
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "registry-error")
    );
}

#[test]
fn the_category_keeps_partial_scans_apart_and_rules_link_to_their_docs() {
    let dir = pinned("cargo-before");
    let full = sarif(
        &lockgate(dir.path())
            .args(["check", "project", "--format", "sarif"])
            .output()
            .unwrap(),
    );
    assert_eq!(full["runs"][0]["automationDetails"]["id"], "lockgate/");
    let o = lockgate(dir.path())
        .args([
            "check",
            "project",
            "--format",
            "sarif",
            "--sarif-category",
            "lockgate-pr",
            "--docs-url",
            "https://example.org/lockgate/blob/v1/docs/findings.md",
        ])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let pr = sarif(&o);
    assert_valid(&pr);
    assert_eq!(pr["runs"][0]["automationDetails"]["id"], "lockgate-pr/");
    let docs = std::fs::read_to_string(root().join("docs/findings.md")).unwrap();
    let rules = pr["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), lockgate::checks::FindingId::ALL.len());
    for r in rules {
        let id = r["id"].as_str().unwrap();
        assert_eq!(
            r["helpUri"],
            format!("https://example.org/lockgate/blob/v1/docs/findings.md#{id}")
        );
        assert!(
            docs.contains(&format!("\n## `{id}`\n")),
            "docs/findings.md has no #{id}"
        );
    }
    // The same through the environment, as the action can set it.
    let o = lockgate(dir.path())
        .args(["check", "project", "--format", "sarif"])
        .env("LOCKGATE_DOCS_URL", "https://example.org/docs/findings.md")
        .output()
        .unwrap();
    assert_eq!(
        sarif(&o)["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"],
        "https://example.org/docs/findings.md#hash-mismatch"
    );
    // A category that is not one word is refused with the fix.
    let o = lockgate(dir.path())
        .args([
            "check",
            "project",
            "--format",
            "sarif",
            "--sarif-category",
            "a b",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("lockgate-pr"));
}

#[test]
fn library_options_for_full_and_partial_scans() {
    use lockgate::report::sarif::{FULL_SCAN_CATEGORY, Options, PARTIAL_SCAN_CATEGORY};
    assert_eq!(Options::full().category, FULL_SCAN_CATEGORY);
    assert_eq!(Options::partial().category, PARTIAL_SCAN_CATEGORY);
    assert_ne!(FULL_SCAN_CATEGORY, PARTIAL_SCAN_CATEGORY);
}
