//! The registry client beyond what tests/registry_fake.rs covers: the cache's per-version
//! records (what `check --online` reads on a warm run), DNS once per host, the client's
//! events and `-v`, against a local fake registry (httpmock on 127.0.0.1) serving the real
//! responses recorded by `tests/fixtures/registry/fetch.sh`.

use httpmock::prelude::*;
use lockgate::allowlist::Allowlist;
use lockgate::checks::FindingId;
use lockgate::checks::online::{self, Options};
use lockgate::lockfile::{Ecosystem, Hash, Package, Source};
use lockgate::registry::cache::Cache;
use lockgate::registry::{Answer, Client, Config, Event, Observer, Record, RegistryError};
use std::path::{Path, PathBuf};
mod support;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/registry")
            .join(rel),
    )
    .unwrap()
}

fn config(server: &MockServer, cache: &Path) -> Config {
    let mut c = Config {
        cache_dir: Some(cache.to_path_buf()),
        retries: 0,
        timeout: Duration::from_secs(5),
        progress: false,
        ..Config::default()
    };
    c.set_registry(
        Ecosystem::Cargo,
        &format!("sparse+{}", server.url("/cargo/")),
        "test",
    )
    .unwrap();
    c.set_registry(Ecosystem::Npm, &server.url("/npm/"), "test")
        .unwrap();
    c.set_registry(Ecosystem::Pypi, &server.url("/pypi/"), "test")
        .unwrap();
    c
}

fn left_pad(server: &MockServer) -> httpmock::Mock<'_> {
    let body = fixture("npm/left-pad.json");
    server.mock(|when, then| {
        when.path("/npm/left-pad");
        then.status(200)
            .header("content-type", "application/json")
            .header("etag", "\"v1\"")
            .body(body);
    })
}

fn q(name: &str, version: &str) -> (Ecosystem, String, String) {
    (Ecosystem::Npm, name.to_string(), version.to_string())
}

fn found(a: &Result<Answer, RegistryError>) -> Arc<lockgate::registry::PackageInfo> {
    match a {
        Ok(Answer::Found(info)) => info.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_warm_lookup_reads_only_the_small_version_record() {
    let server = MockServer::start();
    let doc = left_pad(&server);
    let cache = tempfile::tempdir().unwrap();
    let cfg = config(&server, cache.path());
    let asked = [q("left-pad", "1.3.0"), q("left-pad", "9.9.9")];

    let cold = Client::new(cfg.clone()).unwrap().lookup_versions(&asked);
    assert_eq!(doc.calls(), 1);
    let info = found(&cold[0]);
    assert!(info.version("1.3.0").is_some());
    assert!(info.version("9.9.9").is_none(), "not published");
    assert_eq!(
        info.versions.keys().collect::<Vec<_>>(),
        ["1.3.0"],
        "only the versions asked"
    );

    // The record is a fraction of the entry; break the entry to show a warm run
    // never reads it.
    let c = Cache::new(cache.path());
    let base = cfg.base(Ecosystem::Npm).to_string();
    let entry = c.path(Ecosystem::Npm, &base, "left-pad");
    let record = c.versions_path(Ecosystem::Npm, &base, "left-pad");
    let (entry_len, record_len) = (
        std::fs::metadata(&entry).unwrap().len(),
        std::fs::metadata(&record).unwrap().len(),
    );
    assert!(record_len * 4 < entry_len, "{record_len} vs {entry_len}");
    std::fs::write(&entry, "not json").unwrap();

    let warm = Client::new(cfg).unwrap();
    let again = warm.lookup_versions(&asked);
    assert_eq!(doc.calls(), 1, "no request");
    assert_eq!(warm.stats().cache_hits, 1);
    assert_eq!(found(&again[0]), info);
    assert_eq!(found(&again[1]), info, "one answer per name");
}

#[test]
fn a_version_the_record_lacks_is_read_from_the_entry_and_added() {
    let server = MockServer::start();
    let doc = left_pad(&server);
    let cache = tempfile::tempdir().unwrap();
    let cfg = config(&server, cache.path());
    Client::new(cfg.clone())
        .unwrap()
        .lookup_versions(&[q("left-pad", "1.3.0")]);
    let client = Client::new(cfg.clone()).unwrap();
    let info = found(&client.lookup_versions(&[q("left-pad", "1.2.0")])[0]);
    assert!(info.version("1.2.0").is_some());
    assert_eq!(doc.calls(), 1, "the fresh entry answered");
    let c = Cache::new(cache.path());
    let record = c
        .load_versions(Ecosystem::Npm, cfg.base(Ecosystem::Npm), "left-pad")
        .unwrap();
    assert_eq!(
        record.versions.keys().collect::<Vec<_>>(),
        ["1.2.0", "1.3.0"],
        "the record keeps what earlier runs asked"
    );
}

#[test]
fn a_refreshed_entry_replaces_its_version_record() {
    // The hashes of xy 1.0.0 change on the registry; a run that refreshes the entry
    // (any command) must not leave a fresh record saying otherwise.
    const OLD: &str = "a7a70ba024b9dc04c27ea2f0c0548feb474ec5c54bba33a7f72f873a39d07b24";
    const NEW: &str = "66182751e71089c2bc2045e441ba6c248d1a468f889bc3a6e316c3e213aa2611";
    let server = MockServer::start();
    let line = |cksum: &str| {
        format!("{{\"name\":\"xy\",\"vers\":\"1.0.0\",\"cksum\":\"{cksum}\",\"yanked\":false}}\n")
    };
    let mut m = server.mock(|when, then| {
        when.path("/cargo/2/xy");
        then.status(200).body(line(OLD));
    });
    let cache = tempfile::tempdir().unwrap();
    let cfg = config(&server, cache.path());
    let p = Package::new(
        Ecosystem::Cargo,
        "xy",
        "1.0.0",
        Source::Registry(None),
        PathBuf::from("Cargo.lock"),
        1,
    );
    let p = Package {
        hashes: vec![Hash::parse(&format!("sha256:{NEW}")).unwrap()].into(),
        ..p
    };
    let list = Allowlist::default();
    let first = online::check(
        &[&p],
        &list,
        &Client::new(cfg.clone()).unwrap(),
        &Options::default(),
    );
    assert_eq!(first.len(), 1, "{first:?}");
    m.delete();
    server.mock(|when, then| {
        when.path("/cargo/2/xy");
        then.status(200).body(line(NEW));
    });
    // A whole-package lookup after the TTL (as `allowlist add` makes) refreshes the entry.
    let mut stale = cfg.clone();
    stale.ttl = Duration::ZERO;
    Client::new(stale)
        .unwrap()
        .lookup(Ecosystem::Cargo, "xy")
        .unwrap();
    // Within the TTL again: the check must see the change, not an old record.
    let fs = online::check(
        &[&p],
        &list,
        &Client::new(cfg).unwrap(),
        &Options::default(),
    );
    assert_eq!(fs.len(), 1, "{fs:?}");
    assert_eq!(fs[0].id, FindingId::RegistryHashMismatch);
    assert!(
        fs[0]
            .message
            .contains("changed since lockgate first saw them"),
        "{}",
        fs[0].message
    );
}

#[test]
fn offline_answers_from_records_whatever_their_age() {
    let server = MockServer::start();
    let doc = left_pad(&server);
    let cache = tempfile::tempdir().unwrap();
    let cfg = config(&server, cache.path());
    Client::new(cfg.clone())
        .unwrap()
        .lookup_versions(&[q("left-pad", "1.3.0")]);
    let mut offline = cfg;
    offline.offline = true;
    offline.ttl = Duration::ZERO;
    let c = Client::new(offline).unwrap();
    let r = c.lookup_versions(&[q("left-pad", "1.3.0"), q("other", "1.0.0")]);
    assert!(found(&r[0]).version("1.3.0").is_some());
    assert!(matches!(r[1], Err(RegistryError::Offline { .. })), "{r:?}");
    assert_eq!((c.stats().requests, doc.calls()), (0, 1));
}

#[test]
fn the_observer_hears_requests_cache_hits_and_timings() {
    let server = MockServer::start();
    left_pad(&server);
    let cache = tempfile::tempdir().unwrap();
    let events: Arc<Mutex<Vec<Event>>> = Arc::default();
    let mut cfg = config(&server, cache.path());
    let sink = events.clone();
    cfg.observer = Some(Observer::new(move |e| sink.lock().unwrap().push(e.clone())));
    Client::new(cfg.clone())
        .unwrap()
        .lookup_versions(&[q("left-pad", "1.3.0")]);
    let url = server.url("/npm/left-pad");
    {
        let got = events.lock().unwrap();
        assert!(
            matches!(&got[0], Event::CacheMiss { name, .. } if name == "left-pad"),
            "{got:?}"
        );
        assert!(
            got.iter()
                .any(|e| matches!(e, Event::Response { url: u, status: 200, .. } if *u == url)),
            "{got:?}"
        );
        assert!(
            matches!(
                got.last(),
                Some(Event::Done {
                    names: 1,
                    requests: 1,
                    cache_hits: 0,
                    ..
                })
            ),
            "{got:?}"
        );
    }
    events.lock().unwrap().clear();
    Client::new(cfg)
        .unwrap()
        .lookup_versions(&[q("left-pad", "1.3.0")]);
    let got = events.lock().unwrap();
    assert!(
        matches!(
            &got[0],
            Event::CacheHit {
                record: Record::Versions,
                ..
            }
        ),
        "{got:?}"
    );
}

const REQ_2323_SDIST: &str =
    "sha256:55365417734eb18255590a9ff9eb97e9e1da868d4ccd6402399eaf68af20a760";

fn lockgate(dir: &Path, cache: &Path, server: &MockServer, args: &[&str]) -> (i32, String) {
    let out = support::lockgate()
        .args(args)
        .current_dir(dir)
        .env("LOCKGATE_PYPI_INDEX", server.url("/pypi/"))
        .env("LOCKGATE_CACHE_DIR", cache)
        .env("LOCKGATE_RETRIES", "0")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_verbose_logs_requests_then_cache_hits_and_nothing_without_it() {
    let server = MockServer::start();
    let body = fixture("pypi/requests.json");
    server.mock(|when, then| {
        when.path("/pypi/requests/");
        then.status(200)
            .header("content-type", "application/vnd.pypi.simple.v1+json")
            .body(body);
    });
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("requirements.txt"),
        format!("requests==2.32.3 --hash={REQ_2323_SDIST}\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("allowlist.toml"),
        "schema = 1\n[policy]\nunlisted = \"allow\"\n",
    )
    .unwrap();
    let (quiet_cache, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let args = ["check", "--online"];
    let (code, quiet_cold) = lockgate(dir.path(), quiet_cache.path(), &server, &args);
    assert_eq!(code, 0, "{quiet_cold}");
    let (_, quiet_warm) = lockgate(dir.path(), quiet_cache.path(), &server, &args);
    assert_eq!(
        quiet_cold, quiet_warm,
        "without -v, cold and warm runs say the same"
    );
    assert!(!quiet_cold.contains("lockgate: "), "{quiet_cold}");

    let verbose = ["-v", "check", "--online"];
    let (code, cold) = lockgate(dir.path(), cache.path(), &server, &verbose);
    assert_eq!(code, 0, "{cold}");
    let url = server.url("/pypi/requests/");
    assert!(
        cold.lines()
            .any(|l| l.starts_with(&format!("lockgate: GET {url} -> 200 ("))),
        "{cold}"
    );
    assert!(
        cold.contains("lockgate: cache miss: pypi requests"),
        "{cold}"
    );
    let (code, warm) = lockgate(dir.path(), cache.path(), &server, &verbose);
    assert_eq!(code, 0, "{warm}");
    assert!(
        warm.contains("lockgate: cache hit: pypi requests (version record"),
        "{warm}"
    );
    assert!(!warm.contains("GET "), "{warm}");
    assert!(
        warm.contains("lockgate: asked about 1 package: 1 from the cache, 0 requests"),
        "{warm}"
    );
    // -v only adds lines: without them, stderr is what it is without -v.
    let rest: String = warm
        .lines()
        .filter(|l| !l.starts_with("lockgate: "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(rest, quiet_warm);
}

#[test]
fn every_request_to_a_host_shares_one_dns_lookup() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path_prefix("/npm/");
        then.status(404);
    });
    let lookups = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = lookups.clone();
    let lookup: lockgate::registry::Lookup = Arc::new(move |host: String| {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Box::pin(async move {
            assert_eq!(host, "registry.test");
            // A slow answer, so that every request is waiting for it.
            tokio::time::sleep(Duration::from_millis(100)).await;
            Ok(vec!["127.0.0.1:0".parse().unwrap()])
        })
    });
    let cache = tempfile::tempdir().unwrap();
    let mut cfg = config(&server, cache.path());
    cfg.cache_dir = None;
    let url = format!("http://registry.test:{}/npm/", server.port());
    cfg.set_registry(Ecosystem::Npm, &url, "test").unwrap();
    let client = Client::with_dns(cfg, lookup).unwrap();
    let names: Vec<(Ecosystem, String)> = (0..40)
        .map(|i| (Ecosystem::Npm, format!("no-such-{i}")))
        .collect();
    let answers = client.lookup_all(&names);
    assert!(
        answers
            .iter()
            .all(|a| matches!(a, Ok(Answer::NotFound { .. }))),
        "{answers:?}"
    );
    assert_eq!(client.stats().requests, 40);
    assert_eq!(lookups.load(std::sync::atomic::Ordering::SeqCst), 1);
}
