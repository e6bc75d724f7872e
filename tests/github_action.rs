//! The composite GitHub Action (action.yml), run locally: its two steps are the
//! scripts scripts/action/install.sh and scripts/action/run.sh, executed here with a
//! temporary GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_WORKSPACE and RUNNER_TEMP,
//! the way the runner calls them, and the test asserts on what they wrote.
//! Needs bash, tar, sha256sum (or shasum) and curl, as a GitHub runner has.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod support;
use support::{copy_dir, git};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A runner's view: a workspace holding `project/` and `allowlist.toml`, a temp
/// folder, and the files the runner reads back.
struct Runner {
    dir: tempfile::TempDir,
}

impl Runner {
    /// A workspace with `before` pinned in the allowlist, then changed to `after`.
    fn new(before: &str, after: &str) -> Runner {
        let dir = tempfile::tempdir().unwrap();
        for d in ["workspace", "temp"] {
            std::fs::create_dir_all(dir.path().join(d)).unwrap();
        }
        let r = Runner { dir };
        let e2e = root().join("tests/fixtures/e2e");
        copy_dir(&e2e.join(before), &r.workspace().join("project"));
        let o = support::lockgate()
            .args(["allowlist", "init", "project"])
            .current_dir(r.workspace())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        if after != before {
            std::fs::remove_dir_all(r.workspace().join("project")).unwrap();
            copy_dir(&e2e.join(after), &r.workspace().join("project"));
        }
        std::fs::write(r.summary(), "# earlier step\n").unwrap();
        std::fs::write(r.output_file(), "").unwrap();
        r
    }
    fn workspace(&self) -> PathBuf {
        self.dir.path().join("workspace")
    }
    fn temp(&self) -> PathBuf {
        self.dir.path().join("temp")
    }
    fn summary(&self) -> PathBuf {
        self.dir.path().join("step_summary.md")
    }
    fn output_file(&self) -> PathBuf {
        self.dir.path().join("github_output")
    }
    fn script(&self, name: &str, env: &[(&str, &str)]) -> Output {
        // The scripts run the binary: the same cleaned environment, then the
        // Actions variables this step sets.
        let mut c = Command::new("bash");
        support::clean_env(&mut c)
            .arg(root().join("scripts/action").join(name))
            .current_dir(self.workspace())
            .env("GITHUB_WORKSPACE", self.workspace())
            .env("GITHUB_OUTPUT", self.output_file())
            .env("GITHUB_STEP_SUMMARY", self.summary())
            .env("GITHUB_ACTION_PATH", root())
            .env("RUNNER_TEMP", self.temp())
            .env_remove("LOCKGATE_ALLOWLIST")
            .env_remove("NO_COLOR");
        for key in [
            "INPUT_PATHS",
            "INPUT_ALLOWLIST",
            "INPUT_FAIL_ON",
            "INPUT_ONLINE",
            "INPUT_FORMATS",
            "INPUT_SARIF_FILE",
            "INPUT_ARGS",
            "LOCKGATE_VERSION",
            "LOCKGATE_DOWNLOAD_BASE",
            "LOCKGATE_ACTION_REPOSITORY",
            "LOCKGATE_ACTION_REF",
            "LOCKGATE_DOCS_URL",
            "INPUT_BASELINE",
            "LOCKGATE_BASE_SHA",
            // On a GitHub runner these are set for the job running these tests.
            "GITHUB_EVENT_NAME",
            "GITHUB_EVENT_PATH",
        ] {
            c.env_remove(key);
        }
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    }
    /// Run the `check` step with the prebuilt binary.
    fn check(&self, env: &[(&str, &str)]) -> Output {
        let mut all = vec![("LOCKGATE_BIN", env!("CARGO_BIN_EXE_lockgate"))];
        all.extend_from_slice(env);
        self.script("run.sh", &all)
    }
    /// What the step wrote to GITHUB_OUTPUT.
    fn outputs(&self) -> BTreeMap<String, String> {
        std::fs::read_to_string(self.output_file())
            .unwrap()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn a_new_dependency_fails_with_annotations_summary_sarif_and_outputs() {
    let r = Runner::new("cargo-before", "cargo-after");
    let o = r.check(&[]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}{}",
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
    let log = stdout(&o);
    assert!(
        log.contains(
            "\n::error file=project/Cargo.lock,line=11,title=lockgate unlisted%3A bitflags"
        ),
        "{log}"
    );
    assert!(
        log.contains("lockgate: failed: 1 finding(s) at or above fail-on=error"),
        "{log}"
    );

    let summary = std::fs::read_to_string(r.summary()).unwrap();
    assert!(
        summary.starts_with("# earlier step\n## lockgate: ❌ failed"),
        "appended, not overwritten: {summary}"
    );
    assert!(
        summary.contains("[cargo.bitflags]"),
        "the allowlist snippet: {summary}"
    );

    let out = r.outputs();
    assert_eq!(out["exit-code"], "1");
    assert_eq!(out["findings"], "1");
    assert_eq!(out["errors"], "1");
    assert_eq!(out["failing"], "1");
    let sarif_path = PathBuf::from(&out["sarif-file"]);
    assert!(sarif_path.starts_with(r.temp()), "{sarif_path:?}");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif_path).unwrap()).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "unlisted");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "project/Cargo.lock"
    );
    assert!(PathBuf::from(&out["json-file"]).exists());
}

#[test]
fn a_clean_tree_passes() {
    let r = Runner::new("npm-before", "npm-before");
    let o = r.check(&[("INPUT_PATHS", "project")]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(!stdout(&o).contains("::error"));
    let out = r.outputs();
    assert_eq!(
        (
            out["findings"].as_str(),
            out["errors"].as_str(),
            out["exit-code"].as_str()
        ),
        ("0", "0", "0")
    );
    assert!(
        std::fs::read_to_string(r.summary())
            .unwrap()
            .contains("## lockgate: ✅ passed")
    );
}

#[test]
fn inputs_are_passed_through() {
    let r = Runner::new("uv-before", "uv-after");
    // fail-on never: findings are reported, the step passes.
    let o = r.check(&[
        ("INPUT_FAIL_ON", "never"),
        (
            "INPUT_PATHS",
            "project/uv.lock\n  project/pyproject.toml \n",
        ),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let out = r.outputs();
    assert_ne!(out["findings"], "0");
    assert_eq!(out["failing"], "0");

    // Only the human report: no annotations, no SARIF, no summary.
    let r = Runner::new("uv-before", "uv-after");
    let o = r.check(&[
        ("INPUT_FORMATS", "human"),
        ("INPUT_ARGS", "--exclude nothing/**"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!stdout(&o).contains("::error file="), "{}", stdout(&o));
    assert!(stdout(&o).contains("FAILED"), "{}", stdout(&o));
    assert_eq!(r.outputs()["sarif-file"], "");
    assert_eq!(
        std::fs::read_to_string(r.summary()).unwrap(),
        "# earlier step\n"
    );

    // A chosen SARIF path and allowlist.
    let r = Runner::new("npm-before", "npm-after");
    std::fs::rename(
        r.workspace().join("allowlist.toml"),
        r.workspace().join("policy.toml"),
    )
    .unwrap();
    let o = r.check(&[
        ("INPUT_ALLOWLIST", "policy.toml"),
        ("INPUT_SARIF_FILE", "out/lockgate.sarif"),
        ("INPUT_FORMATS", "sarif, github"),
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}{}",
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(r.outputs()["sarif-file"], "out/lockgate.sarif");
    assert!(r.workspace().join("out/lockgate.sarif").exists());

    // An unknown format is an error before anything runs.
    let o = r.check(&[("INPUT_FORMATS", "github,xml")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("unknown format 'xml'"));
}

#[test]
fn an_unreadable_lockfile_exits_2() {
    let r = Runner::new("uv-before", "uv-before");
    std::fs::write(
        r.workspace().join("project/uv.lock"),
        "version = 1\n[[package]\n",
    )
    .unwrap();
    let o = r.check(&[]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("title=lockgate parse-error"),
        "{}",
        stdout(&o)
    );
    let out = r.outputs();
    assert_eq!(out["exit-code"], "2");
    assert_eq!(out["errors"], "1", "errors counts critical findings too");
    assert!(
        std::fs::read_to_string(r.summary())
            .unwrap()
            .contains("could not be read")
    );
}

fn make_release(dir: &Path, version: &str, target: &str) -> String {
    let stage = dir.join(format!("lockgate-v{version}-{target}"));
    std::fs::create_dir_all(&stage).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_lockgate"), stage.join("lockgate")).unwrap();
    let rel = dir.join(format!("v{version}"));
    std::fs::create_dir_all(&rel).unwrap();
    let asset = format!("lockgate-v{version}-{target}.tar.gz");
    let ok = Command::new("tar")
        .args([
            "-czf",
            rel.join(&asset).to_str().unwrap(),
            "-C",
            dir.to_str().unwrap(),
            stage.file_name().unwrap().to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(ok.success());
    let sum = Command::new("sha256sum")
        .arg(&asset)
        .current_dir(&rel)
        .output()
        .unwrap();
    std::fs::write(rel.join("SHA256SUMS"), &sum.stdout).unwrap();
    asset
}

#[test]
fn install_verifies_the_release_checksum() {
    let r = Runner::new("npm-before", "npm-before");
    let version = env!("CARGO_PKG_VERSION");
    let releases = r.dir.path().join("releases");
    let asset = make_release(&releases, version, "x86_64-unknown-linux-musl");
    let base = format!("file://{}", releases.display());
    let env = [
        ("RUNNER_OS", "Linux"),
        ("RUNNER_ARCH", "X64"),
        ("LOCKGATE_DOWNLOAD_BASE", base.as_str()),
    ];
    // The version defaults to the one in the action's Cargo.toml.
    let o = r.script("install.sh", &env);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout(&o).contains("sha256 verified"), "{}", stdout(&o));
    let bin = PathBuf::from(&r.outputs()["bin"]);
    assert!(bin.starts_with(r.temp()));
    let v = Command::new(&bin).arg("--version").output().unwrap();
    assert!(stdout(&v).contains(version));

    // A tampered download is refused, never run and never "fixed" by a fallback.
    let sums = releases.join(format!("v{version}/SHA256SUMS"));
    std::fs::write(&sums, format!("{} {asset}\n", "0".repeat(64))).unwrap();
    std::fs::write(r.output_file(), "").unwrap();
    let o = r.script("install.sh", &env);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stdout(&o).contains("::error title=lockgate install::checksum mismatch"),
        "{}",
        stdout(&o)
    );
    assert!(!r.outputs().contains_key("bin"));

    // LOCKGATE_BIN skips the download.
    let o = r.script(
        "install.sh",
        &[("LOCKGATE_BIN", env!("CARGO_BIN_EXE_lockgate"))],
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(r.outputs()["bin"], env!("CARGO_BIN_EXE_lockgate"));
}

#[test]
fn action_yml_wires_the_scripts() {
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    for needle in [
        "using: composite",
        "scripts/action/install.sh",
        "scripts/action/run.sh",
        "LOCKGATE_BIN: ${{ steps.install.outputs.bin }}",
        "value: ${{ steps.check.outputs.sarif-file }}",
        "value: ${{ steps.check.outputs.findings }}",
        "value: ${{ steps.check.outputs.errors }}",
        "value: ${{ steps.check.outputs.comment-file }}",
        "LOCKGATE_BASE_SHA: ${{ github.event.pull_request.base.sha }}",
    ] {
        assert!(text.contains(needle), "action.yml lacks {needle}");
    }
    // Every input reaches the scripts through the environment, never by
    // interpolation into the script text (which would allow injection).
    for input in [
        "paths",
        "allowlist",
        "fail-on",
        "online",
        "formats",
        "sarif-file",
        "args",
        "version",
        "baseline",
    ] {
        assert!(
            text.contains(&format!("${{{{ inputs.{input} }}}}")),
            "input {input} is not used"
        );
    }
    assert!(!text.contains("run: |"), "no inline scripts");
}

/// Validate against the SARIF 2.1.0 schema ([`support::sarif_schema`]).
fn assert_valid_sarif(doc: &serde_json::Value) {
    let schema = support::sarif_schema();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .take(20)
        .collect();
    assert!(errors.is_empty(), "SARIF invalid:\n{}", errors.join("\n"));
}

/// A pull request as the runner sees it: `origin` holds the base commit (the
/// cargo project and an unapproved npm project with a look-alike name, whose
/// findings are already on the base) and the head commit (the cargo project with
/// one new dependency); the workspace is a shallow clone of the head, as
/// actions/checkout makes it, without the base commit.
fn pull_request() -> (Runner, String) {
    let r = Runner::new("cargo-before", "cargo-before");
    let origin = r.dir.path().join("origin");
    std::fs::rename(r.workspace(), &origin).unwrap();
    copy_dir(
        &root().join("tests/fixtures/e2e/npm-typo"),
        &origin.join("web"),
    );
    git(&origin, &["init", "-q", "-b", "main"]);
    git(&origin, &["add", "-A"]);
    git(&origin, &["commit", "-qm", "base"]);
    let base = git(&origin, &["rev-parse", "HEAD"]);
    std::fs::remove_dir_all(origin.join("project")).unwrap();
    copy_dir(
        &root().join("tests/fixtures/e2e/cargo-after"),
        &origin.join("project"),
    );
    git(&origin, &["add", "-A"]);
    git(&origin, &["commit", "-qm", "head"]);
    let url = format!("file://{}", origin.display());
    git(
        r.dir.path(),
        &["clone", "-q", "--depth=1", &url, "workspace"],
    );
    (r, base)
}

#[test]
fn a_pull_request_reports_what_the_change_adds_and_fetches_the_base() {
    let (r, base) = pull_request();
    let event = [
        ("GITHUB_EVENT_NAME", "pull_request"),
        ("LOCKGATE_BASE_SHA", base.as_str()),
    ];
    let o = r.check(&event);
    let log = stdout(&o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{log}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        log.contains(&format!("fetching the baseline {base}")),
        "{log}"
    );
    assert!(log.contains("title=lockgate unlisted%3A bitflags"), "{log}");
    assert!(
        !log.contains("expresss"),
        "a finding already on the base is not annotated again: {log}"
    );
    let out = r.outputs();
    assert_eq!(out["baseline"], base);
    assert_eq!(
        (out["findings"].as_str(), out["errors"].as_str()),
        ("1", "1")
    );
    let unchanged: usize = out["unchanged"].parse().unwrap();
    assert!(unchanged > 100, "the npm project's findings: {unchanged}");
    let comment = std::fs::read_to_string(&out["comment-file"]).unwrap();
    assert!(
        comment.contains("| added | <code>bitflags</code> |  | 2."),
        "{comment}"
    );
    assert!(!comment.contains("expresss"), "{comment}");
    let summary = std::fs::read_to_string(r.summary()).unwrap();
    assert!(
        summary.starts_with("# earlier step\n<!-- lockgate-change-report -->\n## lockgate: ❌ this change adds findings"),
        "{summary}"
    );
    assert!(
        summary.contains(&format!("{unchanged} findings unchanged from")),
        "{summary}"
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out["sarif-file"]).unwrap()).unwrap();
    assert_valid_sarif(&sarif);
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 1);
    // A pull-request run is its own code-scanning category.
    assert_eq!(
        sarif["runs"][0]["automationDetails"]["id"], "lockgate-pr/",
        "{sarif}"
    );

    // `baseline: none` checks the whole tree: the base's findings come back.
    std::fs::write(r.output_file(), "").unwrap();
    let mut env = event.to_vec();
    env.push(("INPUT_BASELINE", "none"));
    let o = r.check(&env);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("expresss"));
    let out = r.outputs();
    assert_eq!(out["baseline"], "");
    assert_eq!(out["comment-file"], "", "not stale from the run before");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out["sarif-file"]).unwrap()).unwrap();
    assert_valid_sarif(&sarif);
    assert!(sarif["runs"][0]["results"].as_array().unwrap().len() > 100);
    assert_eq!(sarif["runs"][0]["automationDetails"]["id"], "lockgate/");
}

#[test]
fn sarif_rules_link_to_the_findings_doc_of_the_action_that_runs() {
    let r = Runner::new("cargo-before", "cargo-after");
    let o = r.check(&[
        ("LOCKGATE_ACTION_REPOSITORY", "acme/lockgate"),
        ("LOCKGATE_ACTION_REF", "v1.2.3"),
        ("GITHUB_SERVER_URL", "https://github.example"),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = r.outputs();
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out["sarif-file"]).unwrap()).unwrap();
    assert_valid_sarif(&sarif);
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(!rules.is_empty());
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        assert_eq!(
            rule["helpUri"],
            format!("https://github.example/acme/lockgate/blob/v1.2.3/docs/findings.md#{id}"),
            "{rule}"
        );
    }
}

#[test]
fn early_failures_reach_the_summary_and_an_annotation_and_outputs_stay_honest() {
    let r = Runner::new("npm-before", "npm-after");
    // A first run leaves files behind, as a step earlier in the job could.
    let o = r.check(&[("INPUT_FORMATS", "github,markdown,sarif,json")]);
    assert_eq!(o.status.code(), Some(1));
    let sarif = PathBuf::from(&r.outputs()["sarif-file"]);
    assert!(sarif.exists());

    // A malformed allowlist: lockgate stops before any report.
    std::fs::write(
        r.workspace().join("allowlist.toml"),
        "schema = 1\n[npm.left-pad\n",
    )
    .unwrap();
    std::fs::write(r.output_file(), "").unwrap();
    std::fs::write(r.summary(), "").unwrap();
    let o = r.check(&[]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let log = stdout(&o);
    let annotation = log
        .lines()
        .find(|l| l.starts_with("::error title=lockgate::"))
        .unwrap_or_else(|| panic!("no annotation: {log}"));
    assert!(annotation.contains("allowlist.toml"), "{annotation}");
    let summary = std::fs::read_to_string(r.summary()).unwrap();
    assert!(
        summary.starts_with("## lockgate: 🛑 could not run"),
        "{summary}"
    );
    assert!(summary.contains("allowlist.toml:2"), "{summary}");
    let out = r.outputs();
    assert_eq!(out["exit-code"], "2");
    assert_eq!(out["sarif-file"], "", "never the earlier run's file");
    assert_eq!(out["json-file"], "");
    assert_eq!(out["findings"], "");
    assert!(!sarif.exists(), "the earlier SARIF file is removed");

    // A wrong input.
    std::fs::write(r.output_file(), "").unwrap();
    std::fs::write(r.summary(), "").unwrap();
    let o = r.check(&[("INPUT_FAIL_ON", "sometimes")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stdout(&o).contains("::error title=lockgate::unknown fail-on 'sometimes'"),
        "{}",
        stdout(&o)
    );
    assert!(
        std::fs::read_to_string(r.summary())
            .unwrap()
            .contains("unknown fail-on 'sometimes'")
    );
    assert_eq!(r.outputs()["exit-code"], "2");

    // A baseline git cannot find (not a git repository here): lockgate's message.
    let r = Runner::new("npm-before", "npm-before");
    let o = r.check(&[("INPUT_BASELINE", "origin/main")]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("::error title=lockgate::error: --baseline origin/main"),
        "{}",
        stdout(&o)
    );
    assert!(
        std::fs::read_to_string(r.summary())
            .unwrap()
            .contains("not in a git repository")
    );
}
