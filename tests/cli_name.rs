//! `lockgate name` and the name checks inside `lockgate check`, through the binary.

mod support;

use httpmock::prelude::*;
use std::io::Write as _;
use std::path::Path;
use std::process::{Output, Stdio};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = support::lockgate()
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

#[test]
fn known_hallucination_and_typosquat_are_denied() {
    let tmp = tempfile::tempdir().unwrap();
    let o = run(
        tmp.path(),
        &[
            "name",
            "pypi",
            "huggingface-cli",
            "reqeusts",
            "requests",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1), "any deny exits 1");
    let v = json(&o);
    let names = v["names"].as_array().unwrap();
    assert_eq!(names[0]["verdict"], "deny");
    assert!(
        names[0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "known-hallucination")
    );
    assert_eq!(names[1]["verdict"], "deny");
    let squat = &names[1]["findings"][0];
    assert_eq!(squat["id"], "similar-name");
    assert_eq!(squat["target"], "requests");
    assert_eq!(squat["how"], "transposition");
    assert_eq!(names[2]["verdict"], "ok");
    assert!(v["snapshot_date"].as_str().is_some());
}

#[test]
fn names_from_stdin() {
    let tmp = tempfile::tempdir().unwrap();
    let o = run(
        tmp.path(),
        &["name", "npm", "-"],
        Some("lodash\n# a comment\n\nexpress\n"),
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = String::from_utf8(o.stdout).unwrap();
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(out.lines().all(|l| l.ends_with("ok")), "{out}");
}

#[test]
fn allowlisted_names_are_never_flagged() {
    let tmp = tempfile::tempdir().unwrap();
    // `reqeusts` is a typosquat of `requests`, unless the security team approved it.
    std::fs::write(
        tmp.path().join("allowlist.toml"),
        "schema = 1\n[pypi.reqeusts]\nversions.\"1.0\" = []\n",
    )
    .unwrap();
    let o = run(tmp.path(), &["name", "pypi", "reqeusts"], None);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn check_flags_names_declared_in_manifests_before_any_lockfile() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("svc")).unwrap();
    std::fs::write(
        tmp.path().join("svc/pyproject.toml"),
        "[project]\nname = \"svc\"\nversion = \"0.1.0\"\ndependencies = [\n  \"requests\",\n  \"reqeusts\",\n  \"huggingface-cli\",\n]\n",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("allowlist.toml"),
        "schema = 1\n[policy]\nunpinned = \"warn\"\n",
    )
    .unwrap();
    let o = run(tmp.path(), &["check", "svc", "--format", "json"], None);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    let found: Vec<(String, String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| {
            (
                f["id"].as_str().unwrap().into(),
                f["name"].as_str().unwrap().into(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(
        found.contains(&("similar-name".into(), "reqeusts".into(), 6)),
        "{found:?}"
    );
    assert!(
        found.contains(&("known-hallucination".into(), "huggingface-cli".into(), 7)),
        "{found:?}"
    );
    assert!(!found.iter().any(|f| f.1 == "requests"), "{found:?}");
}

#[test]
fn known_bad_list_flags_the_exact_version_even_when_allowlisted() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    for f in ["package.json", "package-lock.json"] {
        std::fs::copy(
            root().join("tests/fixtures/e2e/npm-before").join(f),
            project.join(f),
        )
        .unwrap();
    }
    assert_eq!(
        run(tmp.path(), &["allowlist", "init", "project"], None)
            .status
            .code(),
        Some(0)
    );
    // A report for the version in the lockfile, and one for another version.
    std::fs::write(
        tmp.path().join("bad.tsv"),
        "ecosystem\tname\tosv_id\tversions\nnpm\tms\tMAL-TEST-1\t2.1.3\nnpm\tdebug\tMAL-TEST-2\t0.0.1\n",
    )
    .unwrap();
    let o = run(
        tmp.path(),
        &[
            "check",
            "project",
            "--known-bad",
            "bad.tsv",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = json(&o);
    let bad: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "known-malicious")
        .collect();
    assert_eq!(bad.len(), 1, "{v}");
    assert_eq!(bad[0]["name"], "ms");
    assert_eq!(bad[0]["severity"], "critical");
    // a list that cannot be read stops the run
    let o = run(
        tmp.path(),
        &["check", "project", "--known-bad", "missing.tsv"],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing.tsv"));
}

#[test]
fn online_asks_the_registry_and_fails_closed() {
    let server = MockServer::start();
    let body = std::fs::read(root().join("tests/fixtures/registry/pypi/requests.json")).unwrap();
    server.mock(|when, then| {
        when.method(GET).path("/simple/requests/");
        then.status(200)
            .header("content-type", "application/vnd.pypi.simple.v1+json")
            .body(body);
    });
    server.mock(|when, then| {
        when.method(GET).path("/simple/reqeusts-nobody-registered/");
        then.status(404);
    });
    let tmp = tempfile::tempdir().unwrap();
    let cmd = |args: &[&str], index: String| {
        support::lockgate()
            .args(args)
            .current_dir(tmp.path())
            .env("LOCKGATE_PYPI_INDEX", index)
            .env("LOCKGATE_CACHE_DIR", tmp.path().join("cache"))
            .env("LOCKGATE_RETRIES", "0")
            .output()
            .unwrap()
    };
    let o = cmd(
        &[
            "name",
            "--online",
            "pypi",
            "requests",
            "reqeusts-nobody-registered",
            "--format",
            "json",
        ],
        server.url("/simple/"),
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = json(&o);
    assert_eq!(v["names"][0]["verdict"], "ok");
    assert_eq!(v["names"][1]["findings"][0]["id"], "not-on-registry");
    // a registry that is down is an error, never a pass
    let o = cmd(
        &["name", "--online", "pypi", "requests-down"],
        "http://127.0.0.1:9/simple/".to_string(),
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn allowlist_add_refuses_a_flagged_name_unless_forced() {
    let server = MockServer::start();
    // The registry has a project called `reqeusts` (a typosquat of `requests`); its
    // page is a recorded real PEP 691 page.
    let body = std::fs::read(root().join("tests/fixtures/registry/pypi/requests.json")).unwrap();
    server.mock(|when, then| {
        when.method(GET).path("/simple/reqeusts/");
        then.status(200)
            .header("content-type", "application/vnd.pypi.simple.v1+json")
            .body(body);
    });
    let tmp = tempfile::tempdir().unwrap();
    let cmd = |args: &[&str]| {
        support::lockgate()
            .args(args)
            .current_dir(tmp.path())
            .env("LOCKGATE_PYPI_INDEX", server.url("/simple/"))
            .env("LOCKGATE_CACHE_DIR", tmp.path().join("cache"))
            .env("LOCKGATE_RETRIES", "0")
            .output()
            .unwrap()
    };
    let o = cmd(&["allowlist", "add", "pypi", "reqeusts@2.32.3"]);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("refused: reqeusts"), "{err}");
    assert!(
        err.contains("requests"),
        "the refusal names what it imitates: {err}"
    );
    assert!(
        !tmp.path().join("allowlist.toml").exists()
            || !std::fs::read_to_string(tmp.path().join("allowlist.toml"))
                .unwrap()
                .contains("reqeusts")
    );
    let o = cmd(&[
        "allowlist",
        "add",
        "pypi",
        "reqeusts@2.32.3",
        "--force",
        "--reason",
        "internal fork, reviewed in SEC-9",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let list = std::fs::read_to_string(tmp.path().join("allowlist.toml")).unwrap();
    assert!(list.contains("[pypi.reqeusts]"), "{list}");
    assert!(list.contains("internal fork, reviewed in SEC-9"), "{list}");
}

#[test]
fn name_json_matches_its_documented_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/schemas/name.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let tmp = tempfile::tempdir().unwrap();
    for (eco, names) in [
        (
            "pypi",
            vec![
                "huggingface-cli",
                "reqeusts",
                "requests",
                "numpyy-utils-xyz",
                "express",
            ],
        ),
        (
            "npm",
            vec![
                "expresss",
                "@types/nodee",
                "react-codeshift",
                "lodash",
                "requests",
            ],
        ),
        ("cargo", vec!["serde_jsonn", "tokio", "rustdecimal"]),
    ] {
        let mut args = vec!["name", eco];
        args.extend(names);
        args.extend(["--format", "json"]);
        let o = run(tmp.path(), &args, None);
        let doc = json(&o);
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{eco}: {errors:?}\n{doc}");
    }
}

#[test]
fn name_at_version_narrows_known_malicious_to_the_affected_versions() {
    let tmp = tempfile::tempdir().unwrap();
    let o = run(
        tmp.path(),
        &[
            "name",
            "npm",
            "chalk@5.6.1",
            "chalk@5.6.0",
            "chalk",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1), "5.6.1 is denied");
    let v = json(&o);
    let names = v["names"].as_array().unwrap();
    assert_eq!(names[0]["name"], "chalk");
    assert_eq!(names[0]["version"], "5.6.1");
    assert_eq!(names[0]["verdict"], "deny");
    assert_eq!(names[0]["findings"][0]["id"], "known-malicious");
    assert_eq!(names[1]["verdict"], "ok", "5.6.0 is not affected");
    // Without a version: a warning that lists the affected versions.
    assert_eq!(names[2]["verdict"], "warn");
    assert_eq!(
        names[2]["findings"][0]["versions"],
        serde_json::json!(["5.6.1"])
    );
    assert!(
        names[2]["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("5.6.1"),
        "{}",
        names[2]
    );
    // Each ecosystem's own form.
    let o = run(
        tmp.path(),
        &["name", "pypi", "ultralytics==8.3.41", "--format", "json"],
        None,
    );
    assert_eq!(json(&o)["names"][0]["version"], "8.3.41");
    assert_eq!(json(&o)["names"][0]["verdict"], "deny");
    // A range is not a version: exit 2 with the fix.
    let o = run(tmp.path(), &["name", "npm", "chalk@^5"], None);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("not an exact version"), "{err}");
}

#[test]
fn fail_on_warn_exits_1_on_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    // A made-up npm name: not in the snapshot, a warning offline.
    let name = "express-jwt-validator-pro";
    let o = run(tmp.path(), &["name", "npm", name], None);
    assert_eq!(o.status.code(), Some(0), "warn passes by default");
    assert!(String::from_utf8_lossy(&o.stdout).contains("warn"));
    for fail_on in ["warn", "warning"] {
        let o = run(
            tmp.path(),
            &["name", "npm", name, "--fail-on", fail_on],
            None,
        );
        assert_eq!(o.status.code(), Some(1), "--fail-on {fail_on}");
    }
    let o = run(
        tmp.path(),
        &["name", "pypi", "reqeusts", "--fail-on", "never"],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "--fail-on never");
    let o = run(
        tmp.path(),
        &["name", "npm", "lodash", "--fail-on", "warn"],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "ok passes --fail-on warn");
}

#[test]
fn python_import_names_say_which_package_provides_them() {
    let tmp = tempfile::tempdir().unwrap();
    let o = run(
        tmp.path(),
        &[
            "name", "pypi", "cv2", "sklearn", "yaml", "PIL", "bs4", "dateutil", "opencv",
            "--format", "json",
        ],
        None,
    );
    let v = json(&o);
    let want = [
        "opencv-python",
        "scikit-learn",
        "PyYAML",
        "Pillow",
        "beautifulsoup4",
        "python-dateutil",
        "opencv-python",
    ];
    for (n, pkg) in v["names"].as_array().unwrap().iter().zip(want) {
        assert_ne!(n["verdict"], "ok", "{n}");
        let f = &n["findings"][0];
        assert_eq!(f["how"], "import-name", "{n}");
        assert_eq!(f["id"], "known-hallucination", "{n}");
        assert_eq!(f["target"], pkg, "{n}");
        assert_eq!(f["instead"], pkg, "{n}");
        // Look-alikes of an import name would only suggest the wrong package.
        assert!(
            n["findings"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["id"] != "similar-name"),
            "{n}"
        );
    }
    // The package itself is fine.
    let o = run(
        tmp.path(),
        &["name", "pypi", "opencv-python", "PyYAML"],
        None,
    );
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn check_names_the_package_behind_a_declared_import_name() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("svc")).unwrap();
    std::fs::write(
        tmp.path().join("svc/pyproject.toml"),
        "[project]\nname = \"svc\"\nversion = \"0.1.0\"\ndependencies = [\n  \"cv2\",\n  \"opencv-python\",\n]\n",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("allowlist.toml"),
        "schema = 1\n[policy]\nunpinned = \"warn\"\n",
    )
    .unwrap();
    let o = run(tmp.path(), &["check", "svc", "--format", "json"], None);
    assert_eq!(
        o.status.code(),
        Some(1),
        "an unregistered import name fails"
    );
    let v = json(&o);
    let cv2: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["name"] == "cv2" && f["id"] == "known-hallucination")
        .collect();
    assert_eq!(cv2.len(), 1, "{v}");
    assert_eq!(cv2[0]["severity"], "error");
    assert_eq!(cv2[0]["line"], 5);
    assert!(
        cv2[0]["help"].as_str().unwrap().contains("opencv-python"),
        "{}",
        cv2[0]
    );
    assert!(
        !v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "opencv-python" && f["severity"] == "error"),
        "{v}"
    );
}
