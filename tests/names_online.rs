//! `--online` settles `unknown-name` (issue 12), against a local fake npm registry
//! (httpmock on 127.0.0.1). The package documents below are hand-written, minimal npm
//! documents (only `versions[v].dist` and `time`, the fields lockgate reads):
//!
//! - `lockgate-probe-established`: two versions, the first from 2020 → the finding clears;
//! - `lockgate-probe-fresh`: one version published an hour ago → the finding stays and
//!   says the package is 0 days old;
//! - `lockgate-probe-missing`: 404 → `not-on-registry`.

mod support;

use httpmock::prelude::*;
use std::path::Path;

const SHA: &str = "sha512-O8jcjabXaleOG9DQ0+ARXWZBTfnP4WNAqzuiJK7ll44AmxGKv/J2M4TPjxjY3znBCfvBXFzucm1twdyFybFqEA==";

fn iso(unix: i64) -> String {
    // Days since 1970 to a civil date (Howard Hinnant's algorithm), for `time` fields.
    let (days, secs) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

fn doc(name: &str, versions: &[(&str, String)]) -> String {
    let vs: Vec<String> = versions
        .iter()
        .map(|(v, _)| {
            format!(
                r#""{v}":{{"dist":{{"integrity":"{SHA}","tarball":"http://x/{name}-{v}.tgz"}}}}"#
            )
        })
        .collect();
    let ts: Vec<String> = versions
        .iter()
        .map(|(v, t)| format!(r#""{v}":"{t}""#))
        .collect();
    format!(
        r#"{{"name":"{name}","versions":{{{}}},"time":{{{}}}}}"#,
        vs.join(","),
        ts.join(",")
    )
}

fn fake_npm() -> MockServer {
    let server = MockServer::start();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let established = doc(
        "lockgate-probe-established",
        &[
            ("1.0.0", "2020-01-01T00:00:00.000Z".into()),
            ("1.1.0", "2021-06-01T00:00:00.000Z".into()),
        ],
    );
    let fresh = doc("lockgate-probe-fresh", &[("0.0.1", iso(now - 3600))]);
    server.mock(|when, then| {
        when.method(GET).path("/npm/lockgate-probe-established");
        then.status(200)
            .header("content-type", "application/json")
            .body(established);
    });
    server.mock(|when, then| {
        when.method(GET).path("/npm/lockgate-probe-fresh");
        then.status(200)
            .header("content-type", "application/json")
            .body(fresh);
    });
    server.mock(|when, then| {
        when.method(GET).path("/npm/lockgate-probe-missing");
        then.status(404).body("{\"error\":\"Not found\"}");
    });
    server
}

fn run(dir: &Path, cache: &Path, server: &MockServer, args: &[&str]) -> (i32, String, String) {
    let out = support::lockgate()
        .args(args)
        .current_dir(dir)
        .env(
            "LOCKGATE_NPM_REGISTRY",
            format!("{}/npm/", server.base_url()),
        )
        .env("LOCKGATE_CACHE_DIR", cache)
        .env("LOCKGATE_RETRIES", "0")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const PROBES: [&str; 3] = [
    "lockgate-probe-established",
    "lockgate-probe-fresh",
    "lockgate-probe-missing",
];

fn findings_of(json: &serde_json::Value, list: &str, name: &str) -> Vec<String> {
    json[list]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["name"] == name)
        .flat_map(|f| match f.get("findings") {
            Some(fs) => fs
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["id"].as_str().unwrap().to_string())
                .collect::<Vec<_>>(),
            None => vec![f["id"].as_str().unwrap().to_string()],
        })
        .collect()
}

#[test]
fn name_explains_unknown_name_offline_and_online_settles_it() {
    let server = fake_npm();
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let mut args = vec!["name", "--format", "json", "npm"];
    args.extend(PROBES);
    // Offline: unknown-name is the only finding, and it says how to settle it.
    let (code, out, err) = run(dir.path(), cache.path(), &server, &args);
    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    for n in PROBES {
        assert_eq!(findings_of(&j, "names", n), ["unknown-name"], "{n}: {out}");
    }
    assert!(
        out.contains("snapshot may be behind") && out.contains("`--online`"),
        "{out}"
    );
    let (_, human, _) = run(
        dir.path(),
        cache.path(),
        &server,
        &["name", "npm", PROBES[0]],
    );
    assert!(
        human.contains("`--online` asks the registry and settles it"),
        "{human}"
    );

    // Online: an existing package with history clears; a fresh one stays; a missing one
    // is denied.
    let mut args = vec!["name", "--online", "--format", "json", "npm"];
    args.extend(PROBES);
    let (code, out, err) = run(dir.path(), cache.path(), &server, &args);
    assert_eq!(code, 1, "the missing name is denied: {out}{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(findings_of(&j, "names", PROBES[0]).is_empty(), "{out}");
    assert_eq!(
        findings_of(&j, "names", PROBES[1]),
        ["unknown-name"],
        "{out}"
    );
    assert!(out.contains("only 0 days old"), "{out}");
    assert_eq!(
        findings_of(&j, "names", PROBES[2]),
        ["not-on-registry"],
        "{out}"
    );
}

#[test]
fn check_online_settles_unknown_names_a_manifest_declares() {
    let server = fake_npm();
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let deps: Vec<String> = PROBES.iter().map(|n| format!("\"{n}\":\"*\"")).collect();
    std::fs::write(
        dir.path().join("package.json"),
        format!(
            "{{\"name\":\"app\",\"version\":\"1.0.0\",\"dependencies\":{{{}}}}}\n",
            deps.join(",")
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("allowlist.toml"),
        "schema = 1\n[policy]\nunpinned = \"warn\"\n",
    )
    .unwrap();
    let (_, out, err) = run(
        dir.path(),
        cache.path(),
        &server,
        &["check", "--format", "json"],
    );
    let j: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    for n in PROBES {
        assert_eq!(
            findings_of(&j, "findings", n),
            ["unknown-name"],
            "{n}: {out}"
        );
    }
    assert!(out.contains("lockgate check --online"), "{out}");

    let (code, out, err) = run(
        dir.path(),
        cache.path(),
        &server,
        &["check", "--online", "--format", "json"],
    );
    let j: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    assert!(findings_of(&j, "findings", PROBES[0]).is_empty(), "{out}");
    assert_eq!(
        findings_of(&j, "findings", PROBES[1]),
        ["unknown-name"],
        "{out}"
    );
    assert_eq!(
        findings_of(&j, "findings", PROBES[2]),
        ["not-on-registry"],
        "{out}"
    );
    assert_eq!(code, 1, "not-on-registry is an error: {out}{err}");
}
