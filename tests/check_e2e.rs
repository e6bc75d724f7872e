//! End-to-end tests of `lockgate check` and the allowlist commands, run as a user
//! would: the real binary, on lockfiles made by the real package managers
//! (tests/fixtures/e2e/generate-e2e.sh), in a scratch folder.

use std::path::{Path, PathBuf};
use std::process::Output;

mod support;
use support::copy_dir;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A scratch folder holding `project/` copied from a fixture.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new(fixture: &str) -> Scratch {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&fixtures().join(fixture), &dir.path().join("project"));
        Scratch { dir }
    }
    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }
    fn run(&self, args: &[&str]) -> Output {
        support::lockgate()
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap()
    }
    /// Replace the project with another fixture (the package manager changed it).
    fn replace_project(&self, fixture: &str) {
        std::fs::remove_dir_all(self.path("project")).unwrap();
        copy_dir(&fixtures().join(fixture), &self.path("project"));
    }
    fn edit(&self, file: &str, f: impl FnOnce(String) -> String) {
        let p = self.path(file);
        let text = std::fs::read_to_string(&p).unwrap();
        let new = f(text.clone());
        assert_ne!(new, text, "the edit of {file} changed nothing");
        std::fs::write(p, new).unwrap();
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("lockgate was killed by a signal")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

fn ids(v: &serde_json::Value) -> Vec<(String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_string(),
                f["name"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

const BEFORE: [(&str, &str); 3] = [
    ("npm-before", "npm"),
    ("cargo-before", "cargo"),
    ("uv-before", "pypi"),
];

#[test]
fn init_then_check_passes() {
    for (fixture, _) in BEFORE {
        let s = Scratch::new(&format!("e2e/{fixture}"));
        let o = s.run(&["allowlist", "init", "project"]);
        assert_eq!(code(&o), 0, "{fixture}: {}", stderr(&o));
        let o = s.run(&["check", "project"]);
        assert_eq!(code(&o), 0, "{fixture}: {}", stdout(&o));
        assert!(
            stdout(&o).contains("ok: every package is allowed"),
            "{}",
            stdout(&o)
        );
    }
}

#[test]
fn flipped_hash_is_hash_mismatch_exit_1() {
    let cases = [
        // (fixture, lockfile, the text of one hash, its tampered replacement)
        (
            "npm-before",
            "project/package-lock.json",
            "\"integrity\": \"sha512-",
            "\"integrity\": \"sha512-A",
        ),
        (
            "cargo-before",
            "project/Cargo.lock",
            "checksum = \"",
            "checksum = \"0",
        ),
        (
            "uv-before",
            "project/uv.lock",
            "hash = \"sha256:",
            "hash = \"sha256:0",
        ),
    ];
    for (fixture, file, from, to) in cases {
        let s = Scratch::new(&format!("e2e/{fixture}"));
        assert_eq!(code(&s.run(&["allowlist", "init", "project"])), 0);
        // Replace the first character of the first hash, keeping its length.
        s.edit(file, |t| {
            let at = t.find(from).unwrap() + from.len();
            let old = &t[at..at + 1];
            let new = if old == "0" || old == "A" {
                "1"
            } else {
                &to[to.len() - 1..]
            };
            format!("{}{}{}", &t[..at], new, &t[at + 1..])
        });
        let o = s.run(&["check", "project", "--format", "json"]);
        assert_eq!(code(&o), 1, "{fixture}: {}", stdout(&o));
        let v = json(&o);
        let first = &v["findings"][0];
        assert_eq!(first["id"], "hash-mismatch", "{fixture}: {v}");
        assert_eq!(first["severity"], "critical");
        assert!(
            first["message"]
                .as_str()
                .unwrap()
                .contains("possible tampering")
        );
        // the line points into the lockfile at the tampered entry's neighbourhood
        let line = first["line"].as_u64().unwrap() as usize;
        let text = std::fs::read_to_string(s.path(file)).unwrap();
        let name = first["name"].as_str().unwrap();
        let around: String = text
            .lines()
            .skip(line.saturating_sub(1))
            .take(3)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            around.contains(name),
            "{fixture}: line {line} does not name {name}: {around}"
        );
    }
}

#[test]
fn removed_entry_is_unlisted() {
    let s = Scratch::new("e2e/cargo-before");
    assert_eq!(code(&s.run(&["allowlist", "init", "project"])), 0);
    let o = s.run(&["allowlist", "remove", "cargo", "serde_json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = s.run(&["check", "project", "--format", "json"]);
    assert_eq!(code(&o), 1);
    assert_eq!(
        ids(&json(&o)),
        vec![("unlisted".to_string(), "serde_json".to_string())]
    );
    // removing it again says it is not there
    assert_eq!(
        code(&s.run(&["allowlist", "remove", "cargo", "serde_json"])),
        2
    );
}

#[test]
fn new_dependency_is_unlisted_and_suggest_fixes_it() {
    for (before, eco) in BEFORE {
        let after = before.replace("before", "after");
        let s = Scratch::new(&format!("e2e/{before}"));
        assert_eq!(code(&s.run(&["allowlist", "init", "project"])), 0);
        s.replace_project(&format!("e2e/{after}"));
        let o = s.run(&["check", "project", "--format", "json"]);
        assert_eq!(code(&o), 1, "{after}");
        let found = ids(&json(&o));
        assert!(!found.is_empty());
        assert!(
            found
                .iter()
                .all(|(id, _)| id == "unlisted" || id == "version-not-allowed"),
            "{after}: {found:?}"
        );
        // The snippet names every flagged package.
        let o = s.run(&["allowlist", "suggest", "project"]);
        assert_eq!(code(&o), 0);
        let snippet = stdout(&o);
        assert!(snippet.contains("UNVERIFIED"), "{snippet}");
        assert!(snippet.contains(&format!("[{eco}.")), "{snippet}");
        for (_, name) in &found {
            assert!(
                snippet.contains(&format!("{eco}.{name}]")),
                "{after}: {name} missing from {snippet}"
            );
        }
        if snippet.contains("# add under the existing") {
            // New versions of listed names: the security team applies it with --write.
            let o = s.run(&["allowlist", "suggest", "project", "--write"]);
            assert_eq!(code(&o), 0, "{}", stderr(&o));
        } else {
            // Only new names: the snippet, pasted at the end of the file, is enough.
            let mut list = std::fs::read_to_string(s.path("allowlist.toml")).unwrap();
            list.push('\n');
            list.push_str(&snippet);
            std::fs::write(s.path("allowlist.toml"), list).unwrap();
        }
        let o = s.run(&["check", "project"]);
        assert_eq!(code(&o), 0, "{after}: {}", stdout(&o));
    }
}

#[test]
fn suggest_write_adds_new_versions_of_listed_names() {
    let s = Scratch::new("e2e/npm-after");
    assert_eq!(code(&s.run(&["allowlist", "init", "project"])), 0);
    // Pretend left-pad was approved at another version only.
    s.edit("allowlist.toml", |t| {
        t.replace(
            "[npm.left-pad]\nversions.\"1.3.0\"",
            "[npm.left-pad]\nversions.\"1.2.0\"",
        )
    });
    let o = s.run(&["check", "project", "--format", "json"]);
    assert_eq!(
        ids(&json(&o)),
        vec![("version-not-allowed".to_string(), "left-pad".to_string())]
    );
    let snippet = stdout(&s.run(&["allowlist", "suggest", "project"]));
    assert!(
        snippet.contains("# add under the existing [npm.left-pad]"),
        "{snippet}"
    );
    let o = s.run(&["allowlist", "suggest", "project", "--write"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(code(&s.run(&["check", "project"])), 0);
}

#[test]
fn prune_drops_what_no_lockfile_uses() {
    let s = Scratch::new("e2e/npm-after");
    assert_eq!(code(&s.run(&["allowlist", "init", "project"])), 0);
    s.replace_project("e2e/npm-before");
    let o = s.run(&["allowlist", "prune", "project"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "removed npm left-pad\n");
    let list = std::fs::read_to_string(s.path("allowlist.toml")).unwrap();
    assert!(!list.contains("left-pad"));
    assert_eq!(code(&s.run(&["check", "project"])), 0);
}

#[test]
fn denied_package_is_denied_with_its_reason() {
    let s = Scratch::new("e2e/npm-before");
    assert_eq!(code(&s.run(&["allowlist", "init", "project"])), 0);
    let o = s.run(&[
        "allowlist",
        "deny",
        "npm",
        "lodash",
        "--reason",
        "use lodash-es",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = s.run(&["check", "project", "--format", "json"]);
    assert_eq!(code(&o), 1);
    let v = json(&o);
    assert_eq!(ids(&v), vec![("denied".to_string(), "lodash".to_string())]);
    assert!(
        v["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("use lodash-es")
    );
}

#[test]
fn truncated_lockfile_exits_2_and_names_it() {
    let s = Scratch::new("e2e/npm-before");
    assert_eq!(code(&s.run(&["allowlist", "init", "project"])), 0);
    s.edit("project/package-lock.json", |t| {
        t[..t.len() / 2].to_string()
    });
    let o = s.run(&["check", "project", "--format", "json"]);
    assert_eq!(code(&o), 2);
    let v = json(&o);
    assert_eq!(v["complete"], false);
    assert_eq!(v["findings"][0]["id"], "parse-error");
    assert_eq!(v["findings"][0]["lockfile"], "project/package-lock.json");
    assert!(v["findings"][0]["line"].as_u64().unwrap() > 1);
    // the human format says it failed, never "ok"
    let o = s.run(&["check", "project"]);
    assert_eq!(code(&o), 2);
    assert!(stdout(&o).contains("FAILED"), "{}", stdout(&o));
    assert!(!stdout(&o).contains("ok:"));
}

#[test]
fn malformed_allowlist_exits_2_with_its_line() {
    let s = Scratch::new("e2e/cargo-before");
    assert_eq!(code(&s.run(&["allowlist", "init", "project"])), 0);
    s.edit("allowlist.toml", |t| {
        t.replacen(
            "versions.\"",
            "versions.\"x\" = \"sha256:nothex\"\nversions.\"",
            1,
        )
    });
    let text = std::fs::read_to_string(s.path("allowlist.toml")).unwrap();
    let bad_line = text.lines().position(|l| l.contains("nothex")).unwrap() + 1;
    let o = s.run(&["check", "project"]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(
        err.contains(&format!("allowlist.toml:{bad_line}:")),
        "{err}"
    );
    // a missing allowlist says how to make one
    std::fs::remove_file(s.path("allowlist.toml")).unwrap();
    let o = s.run(&["check", "project"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("lockgate allowlist init"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn fail_on_controls_the_exit_code() {
    let s = Scratch::new("e2e/cargo-before");
    assert_eq!(code(&s.run(&["allowlist", "init", "project"])), 0);
    s.edit("allowlist.toml", |t| {
        t.replace("unlisted = \"deny\"", "unlisted = \"warn\"")
    });
    assert_eq!(code(&s.run(&["allowlist", "remove", "cargo", "log"])), 0);
    assert_eq!(code(&s.run(&["check", "project"])), 0);
    assert_eq!(
        code(&s.run(&["check", "project", "--fail-on", "warning"])),
        1
    );
}

#[test]
fn edits_keep_comments_and_unknown_keys() {
    let s = Scratch::new("e2e/npm-after");
    assert_eq!(code(&s.run(&["allowlist", "init", "project"])), 0);
    s.edit("allowlist.toml", |t| {
        t.replace(
            "[npm.express]",
            "# express: reviewed in SEC-42\n[npm.express]\nowner = \"web-team\"",
        )
    });
    for args in [
        vec!["allowlist", "remove", "npm", "left-pad"],
        vec![
            "allowlist",
            "deny",
            "npm",
            "event-stream",
            "--reason",
            "compromised in 2018",
        ],
        vec!["allowlist", "suggest", "project", "--write"],
    ] {
        let o = s.run(&args);
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
        let text = std::fs::read_to_string(s.path("allowlist.toml")).unwrap();
        assert!(
            text.contains("# express: reviewed in SEC-42\n[npm.express]"),
            "{args:?}"
        );
        assert!(text.contains("owner = \"web-team\""), "{args:?}");
    }
}

fn snapshot_scratch() -> Scratch {
    let s = Scratch::new("e2e/npm-before");
    assert_eq!(code(&s.run(&["allowlist", "init", "project"])), 0);
    s.replace_project("e2e/npm-after");
    s.edit("project/package-lock.json", |t| {
        let from = "\"integrity\": \"sha512-";
        let at = t.find(from).unwrap() + from.len();
        let new = if &t[at..at + 1] == "A" { "B" } else { "A" };
        format!("{}{}{}", &t[..at], new, &t[at + 1..])
    });
    s
}

#[test]
fn human_output_snapshot() {
    let s = snapshot_scratch();
    let o = s.run(&["check", "project"]);
    assert_eq!(code(&o), 1);
    insta::assert_snapshot!("check_human", stdout(&o));
}

#[test]
fn json_output_snapshot() {
    let s = snapshot_scratch();
    let o = s.run(&["check", "project", "--format", "json"]);
    assert_eq!(code(&o), 1);
    insta::assert_json_snapshot!("check_json", json(&o));
}
