//! The cooldown (`too-new` under `[policy] min-age` / `min-age-days`): offline from the
//! upload times lockfiles carry (uv.lock and pylock.toml made by the real uv, pnpm 8's
//! `time:` made by the real pnpm), the duration settings and their errors, exceptions
//! with an expiry date, and online a version whose publish time nobody gives.
//!
//! The fixtures' upload times are fixed, so each test sets lockgate's clock
//! (`LOCKGATE_NOW`) from the time the fixture records.

mod support;

use lockgate::model::timestamp::parse_timestamp;
use std::path::{Path, PathBuf};
use std::process::Output;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// A temporary project: the given fixture files and an allowlist with `policy`.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new(files: &[(&str, &str)], policy: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        for (from, to) in files {
            std::fs::copy(fixture(from), dir.path().join(to)).unwrap();
        }
        let p = Project { dir };
        p.allowlist(&format!(
            "[policy]\nunlisted = \"allow\"\nsimilar-names = \"allow\"\nsources = [\"registry\", \"path\", \"url\"]\n{policy}"
        ));
        p
    }

    fn allowlist(&self, text: &str) {
        std::fs::write(self.dir.path().join("allowlist.toml"), text).unwrap();
    }

    fn check(&self, now: &str) -> Output {
        support::lockgate()
            .args([
                "check",
                "--allowlist",
                "allowlist.toml",
                ".",
                "--format",
                "json",
            ])
            .current_dir(self.dir.path())
            .env("LOCKGATE_NOW", now)
            .output()
            .unwrap()
    }
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

/// `(id, name, message)` of every finding.
fn findings(o: &Output) -> Vec<(String, String, String)> {
    json(o)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_string(),
                f["name"].as_str().unwrap_or("").to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn too_new(o: &Output) -> Vec<String> {
    let mut v: Vec<String> = findings(o)
        .into_iter()
        .filter(|f| f.0 == "too-new")
        .map(|f| f.1)
        .collect();
    v.sort();
    v
}

/// The upload times written in a lockfile's entry for `name` (uv.lock, pylock.toml:
/// `upload-time = "…"` or `upload-time = …` on the lines of its files).
fn upload_times(lockfile: &str, name: &str) -> Vec<i64> {
    let text = std::fs::read_to_string(fixture(lockfile)).unwrap();
    let mut out = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            inside = n.trim_matches('"') == name;
        }
        if !inside {
            continue;
        }
        for part in line.split("upload-time = ").skip(1) {
            let t: String = part
                .trim_start_matches('"')
                .chars()
                .take_while(|c| !matches!(c, '"' | ',' | ' ' | '}'))
                .collect();
            out.push(parse_timestamp(&t).unwrap_or_else(|| panic!("{t}")));
        }
    }
    assert!(!out.is_empty(), "no upload-time for {name} in {lockfile}");
    out
}

fn rfc3339(secs: i64) -> String {
    // LOCKGATE_NOW also takes Unix seconds.
    secs.to_string()
}

const UV: &str = "pypi/uv/project/uv.lock";
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

#[test]
fn uv_artifact_uploaded_an_hour_ago_fails_min_age_7d_offline() {
    let p = Project::new(
        &[
            (UV, "uv.lock"),
            ("pypi/uv/project/pyproject.toml", "pyproject.toml"),
        ],
        "min-age = \"7d\"\n",
    );
    let latest = *upload_times(UV, "annotated-types").iter().max().unwrap();
    let o = p.check(&rfc3339(latest + HOUR));
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let f = findings(&o);
    let hit = f
        .iter()
        .find(|f| f.0 == "too-new" && f.1 == "annotated-types")
        .unwrap_or_else(|| panic!("{f:#?}"));
    assert!(
        hit.2.contains("uploaded 1 hour ago") && hit.2.contains("min-age = \"7d\""),
        "{}",
        hit.2
    );
    // attrs was uploaded months before: not too new.
    let attrs = *upload_times(UV, "attrs").iter().max().unwrap();
    assert!(attrs < latest - 30 * DAY);
    assert!(!too_new(&o).contains(&"attrs".to_string()), "{f:#?}");

    // A week and an hour after the latest upload in the whole lockfile: nothing is too new.
    let text = std::fs::read_to_string(fixture(UV)).unwrap();
    let newest = text
        .split("upload-time = \"")
        .skip(1)
        .filter_map(|s| parse_timestamp(s.split('"').next().unwrap()))
        .max()
        .unwrap();
    let o = p.check(&rfc3339(newest + 7 * DAY + HOUR));
    assert_eq!(too_new(&o), Vec::<String>::new());
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn min_age_days_still_works_offline_and_the_stricter_setting_is_named() {
    let p = Project::new(&[(UV, "uv.lock")], "min-age-days = 7\n");
    let latest = *upload_times(UV, "annotated-types").iter().max().unwrap();
    let o = p.check(&rfc3339(latest + 2 * DAY));
    let f = findings(&o);
    let hit = f
        .iter()
        .find(|f| f.0 == "too-new" && f.1 == "annotated-types")
        .unwrap_or_else(|| panic!("{f:#?}"));
    assert!(hit.2.contains("uploaded 2 days ago"), "{}", hit.2);
    assert!(hit.2.contains("min-age-days = 7"), "{}", hit.2);
    // 36 hours is less than 2 days: not too new.
    p.allowlist("[policy]\nunlisted = \"allow\"\nsimilar-names = \"allow\"\nmin-age = \"36h\"\n");
    let o = p.check(&rfc3339(latest + 2 * DAY));
    assert!(!too_new(&o).contains(&"annotated-types".to_string()));
    let o = p.check(&rfc3339(latest + 35 * HOUR));
    assert!(too_new(&o).contains(&"annotated-types".to_string()));
}

#[test]
fn pylock_upload_time_is_read_offline() {
    let lock = "pypi/pylock/uv-export/pylock.toml";
    let p = Project::new(&[(lock, "pylock.toml")], "min-age = \"2w\"\n");
    let latest = *upload_times(lock, "annotated-types").iter().max().unwrap();
    let o = p.check(&rfc3339(latest + 13 * DAY));
    assert!(
        too_new(&o).contains(&"annotated-types".to_string()),
        "{:#?}",
        findings(&o)
    );
    let o = p.check(&rfc3339(latest + 15 * DAY));
    assert!(!too_new(&o).contains(&"annotated-types".to_string()));
}

#[test]
fn pnpm_time_based_lockfile_carries_direct_dependency_times() {
    let dir = "npm/pnpm/time-based-pnpm8";
    let p = Project::new(
        &[
            (&format!("{dir}/pnpm-lock.yaml"), "pnpm-lock.yaml"),
            (&format!("{dir}/package.json"), "package.json"),
        ],
        "min-age = \"7d\"\n",
    );
    let text = std::fs::read_to_string(fixture(&format!("{dir}/pnpm-lock.yaml"))).unwrap();
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("/is-odd@3.0.1:") && l.contains('T'))
        .unwrap();
    let is_odd = parse_timestamp(line.split('\'').nth(1).unwrap()).unwrap();
    let o = p.check(&rfc3339(is_odd + 2 * HOUR));
    let hits = too_new(&o);
    assert!(hits.contains(&"is-odd".to_string()), "{:#?}", findings(&o));
    // pnpm records no time for transitive dependencies: is-number is not judged offline.
    assert!(!hits.contains(&"is-number".to_string()), "{hits:?}");

    // pnpm 10 writes `time: {}`: no time, no offline finding.
    let dir = "npm/pnpm/time-based-pnpm10";
    let p = Project::new(
        &[
            (&format!("{dir}/pnpm-lock.yaml"), "pnpm-lock.yaml"),
            (&format!("{dir}/package.json"), "package.json"),
        ],
        "min-age = \"7d\"\n",
    );
    let o = p.check(&rfc3339(is_odd + 2 * HOUR));
    assert_eq!(too_new(&o), Vec::<String>::new());
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn bad_durations_are_errors_with_line_and_fix() {
    let p = Project::new(&[(UV, "uv.lock")], "min-age = \"7x\"\n");
    let o = p.check("0");
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("allowlist.toml:5"), "{e}");
    assert!(e.contains("\"7x\"") && e.contains("\"7d\""), "{e}");

    for bad in [
        "min-age = 7",
        "min-age = \"d\"",
        "min-age = \"-1d\"",
        "min-age = \"1.5d\"",
    ] {
        let p = Project::new(&[(UV, "uv.lock")], &format!("{bad}\n"));
        let o = p.check("0");
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(
            stderr(&o).contains("allowlist.toml:5"),
            "{bad}: {}",
            stderr(&o)
        );
    }

    let p = Project::new(&[(UV, "uv.lock")], "min-age-days = 7\nmin-age = \"7d\"\n");
    let o = p.check("0");
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("min-age") && e.contains("min-age-days"), "{e}");
    assert!(e.contains("allowlist.toml:6"), "the later key: {e}");

    let p = Project::new(&[(UV, "uv.lock")], "missing-publish-time = \"sometimes\"\n");
    let o = p.check("0");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("missing-publish-time"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_unreadable_clock_fails_the_run() {
    let p = Project::new(&[(UV, "uv.lock")], "min-age = \"7d\"\n");
    let o = p.check("next tuesday");
    assert_ne!(o.status.code(), Some(0));
    let f = findings(&o);
    assert!(
        f.iter()
            .any(|f| f.0 == "too-new" && f.2.contains("LOCKGATE_NOW")),
        "{f:#?}"
    );
}

#[test]
fn a_too_new_exception_exempts_until_it_expires() {
    let latest = *upload_times(UV, "annotated-types").iter().max().unwrap();
    let now = latest + HOUR;
    let date = |secs: i64| lockgate::allowlist::civil_date(secs.div_euclid(DAY));
    let exception = |until: &str| {
        format!(
            "[policy]\nunlisted = \"allow\"\nsimilar-names = \"allow\"\nsources = [\"registry\", \"path\", \"url\"]\nmin-age = \"7d\"\n\n\
             [[exception]]\necosystem = \"pypi\"\nname = \"annotated-types\"\nversion = \"0.8.0\"\n\
             finding = \"too-new\"\nuntil = {until}\nby = \"security@example.com\"\n\
             reason = \"reviewed the 0.8.0 diff\"\n"
        )
    };
    let p = Project::new(&[(UV, "uv.lock")], "");
    // In force (until tomorrow by the checks' clock): waived.
    p.allowlist(&exception(&date(now + DAY)));
    let o = p.check(&rfc3339(now));
    assert!(
        !too_new(&o).contains(&"annotated-types".to_string()),
        "{:#?}",
        findings(&o)
    );
    // Expired (until yesterday): the finding is back, and a note names the exception.
    p.allowlist(&exception(&date(now - DAY)));
    let o = p.check(&rfc3339(now));
    assert!(too_new(&o).contains(&"annotated-types".to_string()));
    assert!(
        findings(&o)
            .iter()
            .any(|f| f.0 == "exception-expired" && f.1 == "annotated-types"),
        "{:#?}",
        findings(&o)
    );
}

mod online {
    use httpmock::prelude::*;
    use lockgate::allowlist;
    use lockgate::checks::online::{self, Options};
    use lockgate::checks::{FindingId, Severity};
    use lockgate::lockfile::{Ecosystem, Package, Source};
    use lockgate::registry::{Client, Config};
    use std::path::{Path, PathBuf};
    use std::time::Duration;

    /// The recorded npm answer for left-pad (tests/fixtures/registry/npm/left-pad.json),
    /// as-is or with its `time` object removed: a registry that gives no publish times
    /// (a private registry; npm itself always gives them). Derived here, labelled so.
    fn server(with_time: bool) -> MockServer {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/registry/npm/left-pad.json");
        let mut doc: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        if !with_time {
            doc.as_object_mut().unwrap().remove("time");
        }
        let server = MockServer::start();
        let body = serde_json::to_vec(&doc).unwrap();
        server.mock(move |when, then| {
            when.method(GET).path("/npm/left-pad");
            then.status(200)
                .header("content-type", "application/json")
                .body(body);
        });
        server
    }

    fn run(server: &MockServer, policy: &str) -> Vec<lockgate::checks::Finding> {
        let cache = tempfile::tempdir().unwrap();
        let mut config = Config {
            cache_dir: Some(cache.path().to_path_buf()),
            retries: 0,
            backoff: Duration::from_millis(10),
            timeout: Duration::from_secs(5),
            progress: false,
            ..Config::default()
        };
        config
            .set_registry(Ecosystem::Npm, &server.url("/npm"), "test")
            .unwrap();
        let client = Client::new(config).unwrap();
        let list =
            allowlist::parse(Path::new("allowlist.toml"), &format!("[policy]\n{policy}")).unwrap();
        let p = Package::new(
            Ecosystem::Npm,
            "left-pad",
            "1.3.0",
            Source::Registry(None),
            PathBuf::from("package-lock.json"),
            1,
        );
        let now = lockgate::model::timestamp::parse_timestamp("2030-01-01T00:00:00Z").unwrap();
        online::check(&[&p], &list, &client, &Options { deep: false, now })
    }

    #[test]
    fn missing_publish_time_fails_closed_unless_the_policy_says_otherwise() {
        let without = server(false);
        let fs = run(&without, "min-age = \"7d\"\n");
        let f = fs
            .iter()
            .find(|f| f.id == FindingId::TooNew)
            .unwrap_or_else(|| panic!("{fs:#?}"));
        assert_eq!(f.severity, Severity::Error);
        assert!(f.message.contains("gives a publish time"), "{}", f.message);
        assert!(f.help.contains("missing-publish-time"), "{}", f.help);

        let fs = run(
            &without,
            "min-age = \"7d\"\nmissing-publish-time = \"warn\"\n",
        );
        let f = fs.iter().find(|f| f.id == FindingId::TooNew).unwrap();
        assert_eq!(f.severity, Severity::Warning);

        let fs = run(
            &without,
            "min-age = \"7d\"\nmissing-publish-time = \"allow\"\n",
        );
        assert!(!fs.iter().any(|f| f.id == FindingId::TooNew), "{fs:#?}");

        // Without a cooldown the publish time is not needed.
        let fs = run(&without, "");
        assert!(!fs.iter().any(|f| f.id == FindingId::TooNew), "{fs:#?}");

        // The real answer gives the time (2024 here, years before "now"): nothing.
        let with = server(true);
        let fs = run(&with, "min-age = \"7d\"\n");
        assert!(!fs.iter().any(|f| f.id == FindingId::TooNew), "{fs:#?}");
    }
}
