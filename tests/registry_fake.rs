//! Online mode against a local fake registry (httpmock on 127.0.0.1) that serves the
//! real responses recorded by `tests/fixtures/registry/fetch.sh`: every online finding,
//! the error paths (404, 429 + Retry-After, 500, timeout, malformed JSON, a registry
//! that is down), the cache, and the CLI end to end.

mod support;

use httpmock::prelude::*;
use lockgate::allowlist::{self, Allowlist, Level};
use lockgate::checks::online::{self, Options};
use lockgate::checks::{Finding, FindingId, Severity};
use lockgate::lockfile::{Ecosystem, Hash, Package, Source};
use lockgate::registry::{Answer, Client, Config, RegistryError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/registry")
}

/// The URL path a recorded fixture is served at.
fn url_path(local: &str) -> String {
    if let Some(p) = local.strip_prefix("pypi/") {
        format!("/pypi/{}/", p.trim_end_matches(".json"))
    } else if let Some(p) = local.strip_prefix("npm/") {
        format!("/npm/{}", p.trim_end_matches(".json"))
    } else {
        format!("/{local}")
    }
}

/// A fake registry serving every recorded response with its recorded status and type.
fn fake_registry() -> MockServer {
    let server = MockServer::start();
    let status = std::fs::read_to_string(fixtures().join("status.tsv")).unwrap();
    for line in status.lines() {
        let mut cols = line.split('\t');
        let (local, code, ctype) = (
            cols.next().unwrap(),
            cols.next().unwrap(),
            cols.next().unwrap_or(""),
        );
        let body = std::fs::read(fixtures().join(local)).unwrap();
        let code: u16 = code.parse().unwrap();
        let path = url_path(local);
        let ctype = ctype.to_string();
        server.mock(move |when, then| {
            when.method(GET).path(path);
            let then = then.status(code).body(body);
            if !ctype.is_empty() {
                then.header("content-type", ctype);
            }
        });
    }
    server
}

struct Setup {
    _cache: tempfile::TempDir,
    config: Config,
}

fn setup(server: &MockServer) -> Setup {
    let cache = tempfile::tempdir().unwrap();
    let mut config = Config {
        cache_dir: Some(cache.path().to_path_buf()),
        retries: 2,
        backoff: Duration::from_millis(10),
        timeout: Duration::from_secs(5),
        progress: false,
        ..Config::default()
    };
    config
        .set_registry(
            Ecosystem::Cargo,
            &format!("sparse+{}", server.url("/cargo/")),
            "test",
        )
        .unwrap();
    config
        .set_registry(Ecosystem::Npm, &server.url("/npm"), "test")
        .unwrap();
    config
        .set_registry(Ecosystem::Pypi, &server.url("/pypi"), "test")
        .unwrap();
    Setup {
        _cache: cache,
        config,
    }
}

fn pkg(eco: Ecosystem, name: &str, version: &str, hashes: &[&str]) -> Package {
    Package {
        hashes: hashes.iter().map(|h| Hash::parse(h).unwrap()).collect(),
        direct: true,
        path: vec!["root".into(), name.to_string()].into(),
        ..Package::new(
            eco,
            name,
            version,
            Source::Registry(None),
            PathBuf::from("lock"),
            1,
        )
    }
}

const LOG_0422: &str = "sha256:a7a70ba024b9dc04c27ea2f0c0548feb474ec5c54bba33a7f72f873a39d07b24";
const LOG_0423: &str = "sha256:66182751e71089c2bc2045e441ba6c248d1a468f889bc3a6e316c3e213aa2611";
const REQ_2323_WHL: &str =
    "sha256:70761cfe03c773ceb22aa2f671b4757976145175cdfca038c02654d061d6dcc6";
const REQ_2323_SDIST: &str =
    "sha256:55365417734eb18255590a9ff9eb97e9e1da868d4ccd6402399eaf68af20a760";
const REQ_2320_SDIST: &str =
    "sha256:fa5490319474c82ef1d2c9bc459d3652e3ae4ef4c4ebdd18a21145a47ca4b6b8";
const CLIUI_802: &str = "sha512-O8jcjabXaleOG9DQ0+ARXWZBTfnP4WNAqzuiJK7ll44AmxGKv/J2M4TPjxjY3znBCfvBXFzucm1twdyFybFqEA==";
const OTHER_SHA256: &str =
    "sha256:3bd1574e617a9a6c1f8f8181bd7e841e1f20e4277607ef28945765188d6284d4";

fn ids(fs: &[Finding]) -> Vec<(FindingId, String)> {
    let mut v: Vec<(FindingId, String)> = fs
        .iter()
        .map(|f| {
            (
                f.id,
                format!(
                    "{}@{}",
                    f.name.clone().unwrap_or_default(),
                    f.version.clone().unwrap_or_default()
                ),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn recorded_documents_parse_in_all_three_formats() {
    let server = fake_registry();
    let s = setup(&server);
    let client = Client::new(s.config).unwrap();
    let Answer::Found(log) = client.lookup(Ecosystem::Cargo, "log").unwrap() else {
        panic!("log not found")
    };
    assert!(log.versions["0.4.23"].yanked);
    assert!(!log.versions["0.4.22"].yanked);
    assert_eq!(
        log.versions["0.4.22"].hashes(),
        vec![Hash::parse(LOG_0422).unwrap()]
    );
    let Answer::Found(cliui) = client.lookup(Ecosystem::Npm, "@isaacs/cliui").unwrap() else {
        panic!()
    };
    let v = cliui.version("8.0.2").unwrap();
    assert!(v.hashes().contains(&Hash::from_sri(CLIUI_802).unwrap()));
    assert!(v.has_algorithm("sha1"));
    assert_eq!(
        v.pin_hashes(),
        vec![Hash::from_sri(CLIUI_802).unwrap()],
        "sha1 is not pinned next to sha512"
    );
    let Answer::Found(req) = client.lookup(Ecosystem::Pypi, "Requests").unwrap() else {
        panic!()
    };
    let v = req.version("2.32.3").unwrap();
    assert_eq!(v.files.len(), 2);
    assert_eq!(
        v.pin_hashes(),
        vec![
            Hash::parse(REQ_2323_SDIST).unwrap(),
            Hash::parse(REQ_2323_WHL).unwrap()
        ]
    );
    assert!(req.version("2.32.0").unwrap().yanked);
    // `1/a`: the one-letter path rule.
    assert!(matches!(
        client.lookup(Ecosystem::Cargo, "a").unwrap(),
        Answer::Found(_)
    ));
    for (eco, name) in [
        (Ecosystem::Cargo, "lockgate-no-such-crate-4d1f"),
        (Ecosystem::Npm, "lockgate-no-such-package-4d1f"),
        (Ecosystem::Pypi, "lockgate-no-such-project-4d1f"),
    ] {
        assert!(
            matches!(client.lookup(eco, name).unwrap(), Answer::NotFound { .. }),
            "{eco} {name}"
        );
    }
}

#[test]
fn every_online_finding() {
    let server = fake_registry();
    let s = setup(&server);
    let client = Client::new(s.config).unwrap();
    let mut list = allowlist::parse(
        Path::new("allowlist.toml"),
        &format!("schema = 1\n[policy]\n\n[cargo.log]\nversions.\"0.4.22\" = \"{OTHER_SHA256}\"\n"),
    )
    .unwrap();
    let packages = [
        pkg(Ecosystem::Cargo, "log", "0.4.22", &[LOG_0422]), // ok, but the pin is wrong
        pkg(Ecosystem::Cargo, "log", "0.4.23", &[LOG_0423]), // yanked
        pkg(Ecosystem::Cargo, "log", "0.4.99", &[LOG_0423]), // no such version
        pkg(
            Ecosystem::Cargo,
            "lockgate-no-such-crate-4d1f",
            "1.0.0",
            &[],
        ), // no such name
        pkg(Ecosystem::Npm, "@isaacs/cliui", "8.0.2", &[CLIUI_802]), // ok
        pkg(
            Ecosystem::Npm,
            "left-pad",
            "1.3.0",
            &["sha1:0000000000000000000000000000000000000000"],
        ), // mismatch
        pkg(
            Ecosystem::Pypi,
            "requests",
            "2.32.3",
            &[REQ_2323_WHL, REQ_2323_SDIST],
        ), // ok
        pkg(
            Ecosystem::Pypi,
            "requests",
            "2.32.0",
            &[REQ_2320_SDIST, OTHER_SHA256],
        ), // yanked + mismatch
    ];
    let refs: Vec<&Package> = packages.iter().collect();
    // "now" is the day after requests 2.32.3 was uploaded: it is too new, 2.32.0 is not.
    let now = lockgate::registry::parse_timestamp("2024-05-30T15:37:49Z").unwrap();
    let fs = online::check(&refs, &list, &client, &Options { deep: false, now });
    assert_eq!(
        ids(&fs),
        vec![
            (
                FindingId::NotOnRegistry,
                "lockgate-no-such-crate-4d1f@1.0.0".into()
            ),
            (FindingId::NotOnRegistry, "log@0.4.99".into()),
            (FindingId::RegistryHashMismatch, "left-pad@1.3.0".into()),
            (FindingId::RegistryHashMismatch, "log@0.4.22".into()),
            (FindingId::RegistryHashMismatch, "requests@2.32.0".into()),
            (FindingId::Yanked, "log@0.4.23".into()),
            (FindingId::Yanked, "requests@2.32.0".into()),
            // The only hash the index knows names the sdist: pip builds it.
            (FindingId::InstallScript, "requests@2.32.0".into()),
        ],
        "{fs:#?}"
    );
    let pin = fs
        .iter()
        .find(|f| f.name.as_deref() == Some("log") && f.id == FindingId::RegistryHashMismatch)
        .unwrap();
    assert!(
        pin.message.contains("allowlist pins") && pin.message.contains("allowlist.toml:5"),
        "{}",
        pin.message
    );
    assert_eq!(pin.severity, Severity::Critical);
    let y = fs
        .iter()
        .find(|f| f.id == FindingId::Yanked && f.name.as_deref() == Some("requests"))
        .unwrap();
    assert!(
        y.message.contains("CVE-2024-35195"),
        "the PEP 592 reason is shown: {}",
        y.message
    );
    // min-age-days = 14, "now" the day after 2.32.3's upload: 2.32.3 is too new (by
    // its first file), 2.32.0 (uploaded 10 days before) too, 2.31.0 is not.
    list.policy.min_age_days = Some(14);
    let req = [
        pkg(Ecosystem::Pypi, "requests", "2.32.3", &[]),
        pkg(Ecosystem::Pypi, "requests", "2.32.0", &[]),
        pkg(Ecosystem::Pypi, "requests", "2.31.0", &[]),
    ];
    let fs = online::check(
        &req.iter().collect::<Vec<_>>(),
        &list,
        &client,
        &Options { deep: false, now },
    );
    let too_new: Vec<_> = ids(&fs)
        .into_iter()
        .filter(|(id, _)| *id == FindingId::TooNew)
        .collect();
    assert_eq!(
        too_new,
        vec![
            (FindingId::TooNew, "requests@2.32.0".into()),
            (FindingId::TooNew, "requests@2.32.3".into())
        ]
    );
    assert!(
        fs.iter()
            .any(|f| f.message.contains("published 24 hours ago")),
        "{fs:#?}"
    );
}

fn client_for(server: &MockServer, tweak: impl FnOnce(&mut Config)) -> (Client, tempfile::TempDir) {
    let s = setup(server);
    let mut config = s.config.clone();
    tweak(&mut config);
    (Client::new(config).unwrap(), s._cache)
}

#[test]
fn server_errors_are_retried_then_reported() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.path("/npm/broken");
        then.status(500).body("oops");
    });
    let (client, _c) = client_for(&server, |_| {});
    let err = client.lookup(Ecosystem::Npm, "broken").unwrap_err();
    assert!(
        matches!(err, RegistryError::Status { status: 500, .. }),
        "{err}"
    );
    assert_eq!(m.calls(), 3, "first try + 2 retries");
}

#[test]
fn rate_limits_honour_retry_after() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.path("/npm/slow");
        then.status(429).header("retry-after", "1");
    });
    let (client, _c) = client_for(&server, |c| c.retries = 1);
    let t = Instant::now();
    let err = client.lookup(Ecosystem::Npm, "slow").unwrap_err();
    assert!(
        t.elapsed() >= Duration::from_millis(950),
        "waited {:?}",
        t.elapsed()
    );
    assert!(
        err.to_string().contains("429") && err.to_string().contains("Retry-After: 1"),
        "{err}"
    );
    assert_eq!(m.calls(), 2);

    // A Retry-After longer than lockgate waits fails at once, saying so.
    let m2 = server.mock(|when, then| {
        when.path("/npm/later");
        then.status(429).header("retry-after", "3600");
    });
    let t = Instant::now();
    let err = client.lookup(Ecosystem::Npm, "later").unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(2));
    assert!(
        err.to_string().contains("longer than lockgate waits"),
        "{err}"
    );
    assert_eq!(m2.calls(), 1);
}

#[test]
fn timeouts_mark_the_registry_down_for_the_rest_of_the_run() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.path_includes("/pypi/");
        then.status(200).delay(Duration::from_secs(3)).body("{}");
    });
    let (client, _c) = client_for(&server, |c| {
        c.timeout = Duration::from_millis(300);
        c.retries = 1;
        c.concurrency = 1;
    });
    let t = Instant::now();
    let out = client.lookup_all(&[
        (Ecosystem::Pypi, "a1".into()),
        (Ecosystem::Pypi, "b2".into()),
    ]);
    assert!(
        matches!(out[0], Err(RegistryError::Timeout { .. })),
        "{:?}",
        out[0]
    );
    let second = out[1].as_ref().unwrap_err().to_string();
    assert!(second.contains("not asked"), "{second}");
    assert_eq!(m.calls(), 2, "the second package made no request");
    assert!(t.elapsed() < Duration::from_secs(3));
}

#[test]
fn malformed_answers_are_errors_not_retried() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.path("/pypi/garbage/");
        then.status(200)
            .header("content-type", "application/vnd.pypi.simple.v1+json")
            .body("{\"meta\": ");
    });
    server.mock(|when, then| {
        when.path("/pypi/html/");
        then.status(200)
            .header("content-type", "text/html")
            .body("<html></html>");
    });
    server.mock(|when, then| {
        when.path("/cargo/ga/rb/garbage");
        then.status(200)
            .body("{\"name\":\"garbage\",\"vers\":\"1.0.0\",\"cksum\":\"zz\"}\n");
    });
    let (client, _c) = client_for(&server, |_| {});
    let e = client.lookup(Ecosystem::Pypi, "garbage").unwrap_err();
    assert!(matches!(e, RegistryError::Malformed { .. }), "{e}");
    assert_eq!(m.calls(), 1);
    let e = client.lookup(Ecosystem::Pypi, "html").unwrap_err();
    assert!(e.to_string().contains("PEP 691"), "{e}");
    let e = client.lookup(Ecosystem::Cargo, "garbage").unwrap_err();
    assert!(e.to_string().contains("line 1"), "{e}");
}

#[test]
fn a_registry_that_is_down_is_a_registry_error_and_policy_can_warn() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    }; // closed again: nothing listens there
    let cache = tempfile::tempdir().unwrap();
    let mut config = Config {
        cache_dir: Some(cache.path().to_path_buf()),
        retries: 1,
        backoff: Duration::from_millis(10),
        progress: false,
        ..Config::default()
    };
    config
        .set_registry(Ecosystem::Npm, &format!("http://127.0.0.1:{port}/"), "test")
        .unwrap();
    let client = Client::new(config).unwrap();
    let packages: Vec<Package> = (0..6)
        .map(|i| pkg(Ecosystem::Npm, &format!("p{i}"), "1.0.0", &[]))
        .collect();
    let refs: Vec<&Package> = packages.iter().collect();
    let mut list = Allowlist::default();
    let fs = online::check(&refs, &list, &client, &Options::default());
    assert!(
        fs.iter()
            .all(|f| f.id == FindingId::RegistryError && f.severity == Severity::Error)
    );
    assert_eq!(fs.len(), 4, "three by name, the rest summed up: {fs:#?}");
    assert!(fs[0].message.contains("cannot reach"), "{}", fs[0].message);
    assert!(
        fs[3].message.contains("3 more npm packages"),
        "{}",
        fs[3].message
    );
    list.policy.registry_errors = Level::Warn;
    let fs = online::check(&refs, &list, &client, &Options::default());
    assert!(fs.iter().all(|f| f.severity == Severity::Warning));
}

#[test]
fn the_cache_answers_the_second_run_and_revalidates_after_the_ttl() {
    let server = MockServer::start();
    let body = std::fs::read(fixtures().join("npm/left-pad.json")).unwrap();
    let full = server.mock(|when, then| {
        when.path("/npm/left-pad").header_missing("if-none-match");
        then.status(200).header("etag", "\"v1\"").body(body);
    });
    let revalidate = server.mock(|when, then| {
        when.path("/npm/left-pad").header("if-none-match", "\"v1\"");
        then.status(304);
    });
    let s = setup(&server);
    let first = Client::new(s.config.clone()).unwrap();
    let a = first.lookup(Ecosystem::Npm, "left-pad").unwrap();
    assert_eq!(full.calls(), 1);
    // Second run (a new client, as a new process would be): no request at all.
    let second = Client::new(s.config.clone()).unwrap();
    assert_eq!(second.lookup(Ecosystem::Npm, "left-pad").unwrap(), a);
    assert_eq!(full.calls(), 1);
    assert_eq!(second.stats().cache_hits, 1);
    assert_eq!(second.stats().requests, 0);
    // After the TTL: a conditional request, answered 304, and the cached data is used.
    let mut stale = s.config.clone();
    stale.ttl = Duration::ZERO;
    let third = Client::new(stale).unwrap();
    let Answer::Found(info) = third.lookup(Ecosystem::Npm, "left-pad").unwrap() else {
        panic!()
    };
    assert!(info.version("1.3.0").is_some());
    assert_eq!((full.calls(), revalidate.calls()), (1, 1));
    assert_eq!(third.stats().revalidated, 1);
    // --offline: the cache answers whatever its age; anything else is an error, no request.
    let mut offline = s.config.clone();
    offline.offline = true;
    offline.ttl = Duration::ZERO;
    let c = Client::new(offline).unwrap();
    assert!(c.lookup(Ecosystem::Npm, "left-pad").is_ok());
    assert!(matches!(
        c.lookup(Ecosystem::Npm, "other"),
        Err(RegistryError::Offline { .. })
    ));
    assert_eq!(c.stats().requests, 0);
}

#[test]
fn hashes_that_change_on_the_registry_are_reported() {
    let server = MockServer::start();
    let line = |cksum: &str| {
        format!("{{\"name\":\"xy\",\"vers\":\"1.0.0\",\"cksum\":\"{cksum}\",\"yanked\":false}}\n")
    };
    let mut m = server.mock(|when, then| {
        when.path("/cargo/2/xy");
        then.status(200).body(line(&LOG_0422[7..]));
    });
    let s = setup(&server);
    let mut cfg = s.config.clone();
    cfg.ttl = Duration::ZERO;
    Client::new(cfg.clone())
        .unwrap()
        .lookup(Ecosystem::Cargo, "xy")
        .unwrap();
    m.delete();
    server.mock(|when, then| {
        when.path("/cargo/2/xy");
        then.status(200).body(line(&LOG_0423[7..]));
    });
    let client = Client::new(cfg).unwrap();
    let p = pkg(Ecosystem::Cargo, "xy", "1.0.0", &[LOG_0423]);
    let fs = online::check(&[&p], &Allowlist::default(), &client, &Options::default());
    assert_eq!(
        ids(&fs),
        vec![(FindingId::RegistryHashMismatch, "xy@1.0.0".into())]
    );
    assert!(
        fs[0]
            .message
            .contains("changed since lockgate first saw them"),
        "{}",
        fs[0].message
    );
}

#[test]
fn deep_mode_downloads_and_hashes_the_artifact() {
    let server = MockServer::start();
    let artifact = b"pretend this is a crate".to_vec();
    let sha = lockgate::registry::digests(&artifact)[0].clone();
    let good = format!(
        "{{\"name\":\"dd\",\"vers\":\"1.0.0\",\"cksum\":\"{}\"}}\n",
        sha.value
    );
    let bad = format!(
        "{{\"name\":\"dd\",\"vers\":\"2.0.0\",\"cksum\":\"{}\"}}\n",
        &OTHER_SHA256[7..]
    );
    server.mock(|when, then| {
        when.path("/cargo/2/dd");
        then.status(200).body(format!("{good}{bad}"));
    });
    let dl = server.url("/dl");
    server.mock(move |when, then| {
        when.path("/cargo/config.json");
        then.status(200)
            .body(format!("{{\"dl\":\"{dl}/{{crate}}/{{version}}\"}}"));
    });
    let a1 = artifact.clone();
    server.mock(move |when, then| {
        when.path_includes("/dl/dd/");
        then.status(200).body(a1);
    });
    let s = setup(&server);
    let client = Client::new(s.config.clone()).unwrap();
    let p1 = pkg(Ecosystem::Cargo, "dd", "1.0.0", &[&sha.to_string()]);
    let p2 = pkg(Ecosystem::Cargo, "dd", "2.0.0", &[OTHER_SHA256]);
    let fs = online::check(
        &[&p1, &p2],
        &Allowlist::default(),
        &client,
        &Options { deep: true, now: 0 },
    );
    assert_eq!(
        ids(&fs),
        vec![(FindingId::RegistryHashMismatch, "dd@2.0.0".into())],
        "{fs:#?}"
    );
    assert!(fs[0].message.contains("downloads as"), "{}", fs[0].message);
}

// ---- the command line, end to end ------------------------------------------------

struct Cli {
    dir: tempfile::TempDir,
    cache: tempfile::TempDir,
    server_url: String,
}

impl Cli {
    fn new(server: &MockServer) -> Cli {
        Cli {
            dir: tempfile::tempdir().unwrap(),
            cache: tempfile::tempdir().unwrap(),
            server_url: server.base_url(),
        }
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.dir.path().join(name), text).unwrap();
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = support::lockgate()
            .args(args)
            .current_dir(self.dir.path())
            .env(
                "LOCKGATE_CARGO_INDEX",
                format!("sparse+{}/cargo/", self.server_url),
            )
            .env("LOCKGATE_NPM_REGISTRY", format!("{}/npm/", self.server_url))
            .env("LOCKGATE_PYPI_INDEX", format!("{}/pypi", self.server_url))
            .env("LOCKGATE_CACHE_DIR", self.cache.path())
            .env("LOCKGATE_RETRIES", "0")
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

#[test]
fn cli_add_verify_check_and_suggest() {
    let server = fake_registry();
    let cli = Cli::new(&server);
    // add records the hash of every file of the version, from the registry.
    let (code, _, err) = cli.run(&["allowlist", "add", "pypi", "requests@2.32.3", "--by", "sec"]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(cli.dir.path().join("allowlist.toml")).unwrap();
    assert!(
        text.contains(&REQ_2323_WHL[7..]) && text.contains(&REQ_2323_SDIST[7..]),
        "{text}"
    );
    // A name nobody registered, a version that does not exist: refused, nothing written.
    let (code, _, err) = cli.run(&[
        "allowlist",
        "add",
        "pypi",
        "lockgate-no-such-project-4d1f@1.0",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("not on the registry"), "{err}");
    let (code, _, err) = cli.run(&["allowlist", "add", "cargo", "log@0.4.99"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no version 0.4.99") && err.contains("0.4.35"),
        "{err}"
    );
    // A yanked version needs --force with a reason.
    let (code, _, err) = cli.run(&["allowlist", "add", "cargo", "log@0.4.23"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("yanked"), "{err}");
    let (code, _, err) = cli.run(&[
        "allowlist",
        "add",
        "cargo",
        "log@0.4.23",
        "--force",
        "--reason",
        "pinned by upstream",
    ]);
    assert_eq!(code, 0, "{err}");
    // verify: every pin is one the registry publishes; the yanked one is a warning.
    let (code, out, _) = cli.run(&["allowlist", "verify"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("2 pins") && out.contains("yanked"), "{out}");

    // check --online on a requirements file: the yanked, mismatching 2.32.0.
    cli.write(
        "requirements.txt",
        &format!("requests==2.32.0 --hash={REQ_2320_SDIST}\n"),
    );
    let (code, out, err) = cli.run(&["check", "--online", "--format", "json"]);
    assert_eq!(code, 1, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let found: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(
        found.contains(&"yanked") && found.contains(&"version-not-allowed"),
        "{found:?}"
    );
    // suggest --online pins the registry's hashes and says they were verified.
    let (code, out, err) = cli.run(&["allowlist", "suggest", "--online"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Verified") && !out.contains("UNVERIFIED"),
        "{out}"
    );
    assert!(
        out.contains("f2c3881dddb70d056c5bd7600a4fae312b2a300e39be6a118d30b90bd27262b5"),
        "the wheel's hash too: {out}"
    );
    let (_, out, _) = cli.run(&["allowlist", "suggest"]);
    assert!(out.contains("UNVERIFIED"), "{out}");

    // A lockfile hash the registry does not publish: suggest --online refuses.
    cli.write(
        "requirements.txt",
        &format!("requests==2.32.0 --hash={OTHER_SHA256}\n"),
    );
    let (code, _, err) = cli.run(&["allowlist", "suggest", "--online"]);
    assert_eq!(code, 2);
    assert!(err.contains("not what the registry publishes"), "{err}");
    let (code, out, _) = cli.run(&["check", "--online"]);
    assert_eq!(code, 1);
    assert!(out.contains("registry-hash-mismatch"), "{out}");
}

#[test]
fn cli_registry_down_exits_2_unless_policy_warns() {
    let server = fake_registry();
    let cli = Cli::new(&server);
    cli.write(
        "requirements.txt",
        &format!("requests==2.32.3 --hash={REQ_2323_SDIST}\n"),
    );
    cli.write(
        "allowlist.toml",
        "schema = 1\n[policy]\nunlisted = \"allow\"\n",
    );
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let down = Cli {
        server_url: format!("http://127.0.0.1:{port}"),
        ..cli
    };
    let (code, out, err) = down.run(&["check", "--online"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        out.contains("registry-error") && out.contains(&format!("127.0.0.1:{port}")),
        "{out}"
    );
    // Offline (the default) does not touch the network.
    let (code, _, _) = down.run(&["check"]);
    assert_eq!(code, 0);
    let (code, _, _) = down.run(&["check", "--offline"]);
    assert_eq!(code, 0);
    down.write(
        "allowlist.toml",
        "schema = 1\n[policy]\nunlisted = \"allow\"\nregistry-errors = \"warn\"\n",
    );
    let (code, out, _) = down.run(&["check", "--online", "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("\"registry-error\"") && out.contains("\"warning\""),
        "{out}"
    );
}
