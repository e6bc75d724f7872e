//! The report formats of `lockgate check` as CI systems consume them: SARIF (checked
//! against the official SARIF 2.1.0 schema), GitHub workflow commands, the Markdown
//! job summary, and lockgate's own JSON documents (checked against their documented
//! schemas in docs/schemas/). Also: several outputs in one run, --quiet, colour,
//! completions and the man page. The binary runs on the e2e fixtures (lockfiles
//! made by the real package managers), copied to a scratch folder.

use lockgate::checks::FindingId;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod support;
use support::{copy_dir, sarif_schema};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    /// `project/` copied from an e2e fixture, with an allowlist that pins it all.
    fn pinned(fixture: &str) -> Scratch {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(
            &root().join("tests/fixtures/e2e").join(fixture),
            &dir.path().join("project"),
        );
        let s = Scratch { dir };
        let o = s.run(&["allowlist", "init", "project"]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        s
    }
    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }
    fn command(&self, args: &[&str]) -> Command {
        let mut c = support::lockgate();
        c.args(args).current_dir(self.dir.path());
        c
    }
    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }
    /// The package manager moved on: the project is now another fixture.
    fn replace_project(&self, fixture: &str) {
        std::fs::remove_dir_all(self.path("project")).unwrap();
        copy_dir(
            &root().join("tests/fixtures/e2e").join(fixture),
            &self.path("project"),
        );
    }
    /// Change the first hash of the first entry that has `marker`, keeping its length.
    fn flip_hash(&self, file: &str, marker: &str) {
        let p = self.path(file);
        let t = std::fs::read_to_string(&p).unwrap();
        let at = t.find(marker).unwrap() + marker.len();
        let old = &t[at..at + 1];
        let new = if old == "0" { "1" } else { "0" };
        std::fs::write(&p, format!("{}{}{}", &t[..at], new, &t[at + 1..])).unwrap();
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn load_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn assert_valid(schema: &Value, doc: &Value, what: &str) {
    let validator = jsonschema::validator_for(schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .take(20)
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match its schema:\n{}",
        errors.join("\n")
    );
}

/// Scenarios that together raise most finding kinds: a tampered hash, unlisted and
/// version-not-allowed packages, an unreadable lockfile, a manifest without a
/// lockfile. Each returns the scratch folder, ready for `check project`.
fn scenarios() -> Vec<(&'static str, Scratch)> {
    let mut out = Vec::new();
    let s = Scratch::pinned("npm-before");
    s.flip_hash("project/package-lock.json", "\"integrity\": \"sha512-");
    out.push(("npm-tampered", s));
    let s = Scratch::pinned("cargo-before");
    s.replace_project("cargo-after");
    out.push(("cargo-new-dependency", s));
    let s = Scratch::pinned("uv-before");
    s.replace_project("uv-after");
    out.push(("uv-new-dependency", s));
    let s = Scratch::pinned("uv-before");
    std::fs::write(
        s.path("project/uv.lock"),
        "version = 1\n[[package]]\nname = \"x\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(s.path("project/tools")).unwrap();
    std::fs::write(
        s.path("project/tools/package.json"),
        r#"{"dependencies":{"left-pad":"^1"}}"#,
    )
    .unwrap();
    out.push(("broken-and-unpinned", s));
    out
}

#[test]
fn sarif_matches_the_official_schema_and_code_scanning_rules() {
    let schema = sarif_schema();
    let mut seen_results = 0;
    for (name, s) in scenarios() {
        let o = s.run(&["check", "project", "--format", "sarif"]);
        assert!(
            matches!(o.status.code(), Some(1 | 2)),
            "{name}: {}",
            stdout(&o)
        );
        let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_valid(&schema, &doc, name);
        assert_eq!(doc["version"], "2.1.0");
        let run = &doc["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let rule_ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        let all: Vec<&str> = FindingId::ALL.iter().map(|i| i.as_str()).collect();
        assert_eq!(rule_ids, all, "every finding id is a rule, in order");
        for r in rules {
            for key in [
                "name",
                "shortDescription",
                "fullDescription",
                "help",
                "defaultConfiguration",
            ] {
                assert!(!r[key].is_null(), "rule {} lacks {key}", r["id"]);
            }
            assert!(
                r["help"]["markdown"]
                    .as_str()
                    .unwrap()
                    .contains("lockgate explain")
            );
            // Calibrated per rule (issue 14): the score and precision the check
            // declares; a policy `unlisted` is not High; heuristics are not very-high;
            // a registry outage is no alert at all.
            let id = FindingId::parse(r["id"].as_str().unwrap()).unwrap();
            let def = id.def();
            assert_eq!(
                r["properties"]["security-severity"].as_str(),
                def.security_severity,
                "{id}"
            );
            assert_eq!(r["properties"]["precision"], def.precision.as_str(), "{id}");
        }
        let score = |id: &str| -> Option<f64> {
            rules.iter().find(|r| r["id"] == id).unwrap()["properties"]["security-severity"]
                .as_str()
                .map(|s| s.parse().unwrap())
        };
        assert!(score("unlisted").unwrap() < 7.0);
        assert!(score("hash-mismatch").unwrap() >= 9.0);
        assert_eq!(score("registry-error"), None);
        let precision = |id: &str| {
            rules.iter().find(|r| r["id"] == id).unwrap()["properties"]["precision"].clone()
        };
        assert_eq!(precision("similar-name"), "medium");
        assert_eq!(precision("unknown-name"), "low");
        assert_eq!(
            run["automationDetails"]["id"], "lockgate/",
            "{name}: a full scan's category"
        );
        let results = run["results"].as_array().unwrap();
        assert!(!results.is_empty(), "{name}");
        for r in results {
            seen_results += 1;
            let idx = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(
                rules[idx]["id"], r["ruleId"],
                "{name}: ruleIndex points at the rule"
            );
            let loc = &r["locations"][0]["physicalLocation"];
            let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
            assert!(
                uri.starts_with("project/"),
                "{name}: repository-relative uri, got {uri}"
            );
            assert!(!uri.contains('\\'));
            assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
            assert!(s.path(uri).exists(), "{name}: {uri} names a file");
            assert_eq!(
                r["partialFingerprints"]["lockgate/v1"]
                    .as_str()
                    .unwrap()
                    .len(),
                16
            );
        }
        if name == "broken-and-unpinned" {
            assert_eq!(run["invocations"][0]["executionSuccessful"], false);
            let ids: Vec<&str> = results
                .iter()
                .map(|r| r["ruleId"].as_str().unwrap())
                .collect();
            assert!(ids.contains(&"parse-error"), "{ids:?}");
        }
    }
    assert!(seen_results >= 4);
    // The validator does reject what the schema forbids.
    let bad = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}, "level": "fatal"}]}]});
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(!validator.is_valid(&bad));
}

#[test]
fn fingerprints_survive_a_moved_line() {
    let s = Scratch::pinned("cargo-before");
    s.replace_project("cargo-after");
    let fingerprints = |s: &Scratch| -> Vec<(String, u64)> {
        let doc: Value =
            serde_json::from_slice(&s.run(&["check", "project", "--format", "sarif"]).stdout)
                .unwrap();
        doc["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["partialFingerprints"]["lockgate/v1"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap(),
                )
            })
            .collect()
    };
    let before = fingerprints(&s);
    let lock = s.path("project/Cargo.lock");
    let text = std::fs::read_to_string(&lock).unwrap();
    std::fs::write(
        &lock,
        text.replacen("version = 4\n", "version = 4\n\n\n", 1),
    )
    .unwrap();
    let after = fingerprints(&s);
    assert_eq!(before.len(), after.len());
    for ((fa, la), (fb, lb)) in before.iter().zip(&after) {
        assert_eq!(fa, fb);
        assert_eq!(la + 2, *lb, "the line moved, the fingerprint did not");
    }
}

#[test]
fn json_documents_match_their_documented_schemas() {
    let check_schema = load_json(&root().join("docs/schemas/check.schema.json"));
    let packages_schema = load_json(&root().join("docs/schemas/packages.schema.json"));
    // The documented ids are exactly lockgate's.
    let documented: Vec<&str> = check_schema["$defs"]["finding"]["properties"]["id"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let all: Vec<&str> = FindingId::ALL.iter().map(|i| i.as_str()).collect();
    assert_eq!(
        documented, all,
        "docs/schemas/check.schema.json lists every finding id"
    );
    for (name, s) in scenarios() {
        let o = s.run(&["check", "project", "--format", "json"]);
        assert_valid(
            &check_schema,
            &serde_json::from_slice(&o.stdout).unwrap(),
            name,
        );
        let o = s.run(&["packages", "project", "--format", "json"]);
        assert_valid(
            &packages_schema,
            &serde_json::from_slice(&o.stdout).unwrap(),
            name,
        );
    }
    let clean = Scratch::pinned("npm-before");
    let o = clean.run(&["check", "project", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    assert_valid(
        &check_schema,
        &serde_json::from_slice(&o.stdout).unwrap(),
        "clean check",
    );
    // Every lockfile format in the fixture tree, malformed ones included.
    let o = support::lockgate()
        .args(["packages", "tests/fixtures", "--format", "json"])
        .current_dir(root())
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(doc["lockfiles"].as_array().unwrap().len() > 20);
    assert_valid(&packages_schema, &doc, "packages over tests/fixtures");
}

#[test]
fn github_annotations_point_at_lockfile_lines() {
    let s = Scratch::pinned("npm-before");
    s.flip_hash("project/package-lock.json", "\"integrity\": \"sha512-");
    let o = s.run(&["check", "project", "--format", "github"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let first = out.lines().next().unwrap();
    assert!(
        first.starts_with("::error file=project/package-lock.json,line="),
        "{first}"
    );
    assert!(
        first.contains(",title=lockgate hash-mismatch (critical)%3A "),
        "{first}"
    );
    // The line of the annotation is the tampered entry's.
    let line: usize = first
        .split("line=")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let text = std::fs::read_to_string(s.path("project/package-lock.json")).unwrap();
    let name = first
        .split("%3A ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap();
    assert!(text.lines().nth(line - 1).unwrap().contains(name));
    // Annotations are relative to $GITHUB_WORKSPACE when it is set.
    let o = s
        .command(&[
            "check",
            "package-lock.json",
            "--format",
            "github",
            "--allowlist",
            "../allowlist.toml",
        ])
        .current_dir(s.path("project"))
        .env("GITHUB_WORKSPACE", s.dir.path())
        .output()
        .unwrap();
    assert!(
        stdout(&o).starts_with("::error file=project/package-lock.json,line="),
        "{}",
        stdout(&o)
    );
}

#[test]
fn several_outputs_in_one_run() {
    let s = Scratch::pinned("cargo-before");
    s.replace_project("cargo-after");
    let o = s.run(&[
        "check",
        "project",
        "--report",
        "sarif=out/lockgate.sarif",
        "--report",
        "markdown=out/summary.md",
        "--report",
        "json=out/findings.json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("FAILED"), "human report on stdout");
    assert!(
        !stdout(&o).contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
    let sarif = load_json(&s.path("out/lockgate.sarif"));
    assert_valid(&sarif_schema(), &sarif, "sarif file");
    let summary = std::fs::read_to_string(s.path("out/summary.md")).unwrap();
    assert!(summary.starts_with("## lockgate: ❌ failed"), "{summary}");
    assert!(
        summary.contains("```toml\n# lockgate allowlist suggest"),
        "{summary}"
    );
    assert_eq!(
        load_json(&s.path("out/findings.json"))["summary"]["exit_code"],
        1
    );

    // --output sends the main report to a file; --quiet keeps stdout empty.
    let o = s.run(&[
        "check",
        "project",
        "--format",
        "sarif",
        "--output",
        "main.sarif",
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    assert_valid(
        &sarif_schema(),
        &load_json(&s.path("main.sarif")),
        "main.sarif",
    );
    let o = s.run(&["check", "project", "--quiet"]);
    assert_eq!((o.status.code(), o.stdout.len()), (Some(1), 0));

    // Two reports on stdout is a usage error; so is an unknown format.
    let o = s.run(&["check", "project", "--report", "json=-"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("two reports would go to stdout"));
    let o = s.run(&["check", "project", "--report", "xml=x"]);
    assert_eq!(o.status.code(), Some(2));
    let o = s.run(&[
        "check", "project", "--output", "x.txt", "--report", "github=-",
    ]);
    assert!(stdout(&o).starts_with("::error"), "{}", stdout(&o));
}

#[test]
fn the_suggested_snippet_makes_the_check_pass() {
    let s = Scratch::pinned("uv-before");
    s.replace_project("uv-after");
    let o = s.run(&["check", "project", "--format", "markdown"]);
    assert_eq!(o.status.code(), Some(1));
    let md = stdout(&o);
    let start = md.find("```toml\n").unwrap() + "```toml\n".len();
    let end = start + md[start..].find("\n```").unwrap();
    let snippet = &md[start..end];
    let mut list = std::fs::read_to_string(s.path("allowlist.toml")).unwrap();
    list.push('\n');
    list.push_str(snippet);
    list.push('\n');
    std::fs::write(s.path("allowlist.toml"), list).unwrap();
    let o = s.run(&["check", "project", "--format", "markdown"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).starts_with("## lockgate: ✅ passed"));
    assert!(!stdout(&o).contains("```toml"));
}

#[test]
fn colour_only_when_asked_and_never_with_no_color() {
    let s = Scratch::pinned("cargo-before");
    s.replace_project("cargo-after");
    let o = s.run(&["check", "project", "--color", "always"]);
    assert!(stdout(&o).contains("\x1b["), "{}", stdout(&o));
    let plain = s.run(&["check", "project"]);
    assert!(!stdout(&plain).contains('\x1b'));
    let o = s
        .command(&["check", "project", "--color", "always"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(stdout(&o), stdout(&plain));
    // Only the human format is ever coloured.
    let o = s.run(&["check", "project", "--color", "always", "--format", "json"]);
    assert!(!stdout(&o).contains('\x1b'));
}

#[test]
fn a_manifest_path_checks_its_lockfile() {
    let s = Scratch::pinned("cargo-before");
    s.replace_project("cargo-after");
    let by_dir = s.run(&["check", "project", "--format", "json"]);
    let by_manifest = s.run(&["check", "project/Cargo.toml", "--format", "json"]);
    assert_eq!(by_manifest.status.code(), Some(1));
    assert_eq!(
        load_findings(&by_dir.stdout),
        load_findings(&by_manifest.stdout),
        "naming Cargo.toml checks the Cargo.lock beside it"
    );
}

fn load_findings(bytes: &[u8]) -> Value {
    serde_json::from_slice::<Value>(bytes).unwrap()["findings"].clone()
}

#[test]
fn completions_and_man_page() {
    let s = Scratch {
        dir: tempfile::tempdir().unwrap(),
    };
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = s.run(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        assert!(stdout(&o).contains("lockgate"), "{shell}");
    }
    assert!(stdout(&s.run(&["completions", "bash"])).contains("--report"));
    let o = s.run(&["man"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).starts_with(".ie") || stdout(&o).contains(".TH lockgate"),
        "{}",
        stdout(&o)
    );
    let o = s.run(&["man", "--dir", "man"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(s.path("man/lockgate.1").exists());
    assert!(s.path("man/lockgate-check.1").exists());
    let help = stdout(&s.run(&["check", "--help"]));
    for needle in [
        "Examples:",
        "--report <FORMAT=FILE>",
        "NO_COLOR",
        "Exit codes",
    ] {
        assert!(help.contains(needle), "check --help lacks {needle}");
    }
}

fn redact(s: &str) -> String {
    s.replace(env!("CARGO_PKG_VERSION"), "[VERSION]")
}

#[test]
fn snapshots_of_the_ci_formats() {
    let s = Scratch::pinned("npm-before");
    s.flip_hash("project/package-lock.json", "\"integrity\": \"sha512-");
    for (format, name) in [
        ("sarif", "npm_tampered_sarif"),
        ("github", "npm_tampered_github"),
        ("markdown", "npm_tampered_markdown"),
    ] {
        let o = s.run(&["check", "project", "--format", format]);
        insta::assert_snapshot!(name, redact(&stdout(&o)));
    }
    let s = Scratch::pinned("cargo-before");
    s.replace_project("cargo-after");
    for (format, name) in [
        ("github", "cargo_unlisted_github"),
        ("markdown", "cargo_unlisted_markdown"),
    ] {
        let o = s.run(&["check", "project", "--format", format]);
        insta::assert_snapshot!(name, redact(&stdout(&o)));
    }
    // SARIF results only (the rules are the same in every run).
    let o = s.run(&["check", "project", "--format", "sarif"]);
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    insta::assert_json_snapshot!("cargo_unlisted_sarif_results", doc["runs"][0]["results"]);
}
