//! Online mode against the real registries. Skipped unless `LOCKGATE_LIVE_TESTS=1`
//! (they need the network and the registries' current state):
//!
//!     LOCKGATE_LIVE_TESTS=1 cargo test --test registry_live -- --nocapture

// A test may report what it measured or skipped.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use lockgate::lockfile::{Ecosystem, Hash};
use lockgate::registry::{Answer, Client, Config};
use std::time::Instant;

fn live() -> Option<Client> {
    if std::env::var("LOCKGATE_LIVE_TESTS").ok().as_deref() != Some("1") {
        eprintln!("skipped: set LOCKGATE_LIVE_TESTS=1 to ask the real registries");
        return None;
    }
    let cache = tempfile::tempdir().unwrap().keep();
    let config = Config {
        cache_dir: Some(cache),
        progress: false,
        ..Config::from_env(&Default::default()).unwrap()
    };
    Some(Client::new(config).unwrap())
}

#[test]
fn names_that_exist_and_names_nobody_registered() {
    let Some(client) = live() else { return };
    let t = Instant::now();
    let queries: Vec<(Ecosystem, String)> = [
        (Ecosystem::Pypi, "huggingface-cli"),
        (Ecosystem::Pypi, "huggingface_hub"),
        (Ecosystem::Pypi, "lockgate-nobody-registered-this-7f3a9c"),
        (Ecosystem::Npm, "@types/node"),
        (Ecosystem::Npm, "lockgate-nobody-registered-this-7f3a9c"),
        (Ecosystem::Cargo, "serde"),
        (Ecosystem::Cargo, "lockgate-nobody-registered-this-7f3a9c"),
    ]
    .iter()
    .map(|(e, n)| (*e, n.to_string()))
    .collect();
    let answers = client.lookup_all(&queries);
    for ((eco, name), a) in queries.iter().zip(&answers) {
        let what = match a {
            Ok(Answer::Found(info)) => format!("exists, {} versions", info.versions.len()),
            Ok(Answer::NotFound { url }) => format!("NOT on the registry ({url})"),
            Err(e) => format!("error: {e}"),
        };
        eprintln!("{eco} {name}: {what}");
    }
    eprintln!("{} lookups in {:?}", queries.len(), t.elapsed());
    assert!(
        matches!(answers[1], Ok(Answer::Found(_))),
        "huggingface_hub exists"
    );
    assert!(matches!(answers[2], Ok(Answer::NotFound { .. })));
    assert!(
        matches!(answers[3], Ok(Answer::Found(_))),
        "@types/node exists"
    );
    assert!(matches!(answers[4], Ok(Answer::NotFound { .. })));
    assert!(matches!(answers[5], Ok(Answer::Found(_))));
    assert!(matches!(answers[6], Ok(Answer::NotFound { .. })));
}

#[test]
fn published_hashes_match_what_lockfiles_record() {
    let Some(client) = live() else { return };
    // serde 1.0.200 as Cargo.lock records it; requests 2.32.3's wheel as pip records it.
    let Ok(Answer::Found(serde)) = client.lookup(Ecosystem::Cargo, "serde") else {
        panic!()
    };
    let v = serde.version("1.0.200").unwrap();
    assert!(
        v.hashes().contains(
            &Hash::parse("sha256:ddc6f9cc94d67c0e21aaf7eda3a010fd3af78ebf6e096aa6e2e13c79749cce4f")
                .unwrap()
        )
    );
    let Ok(Answer::Found(req)) = client.lookup(Ecosystem::Pypi, "requests") else {
        panic!()
    };
    let v = req.version("2.32.3").unwrap();
    assert!(
        v.hashes().contains(
            &Hash::parse("sha256:70761cfe03c773ceb22aa2f671b4757976145175cdfca038c02654d061d6dcc6")
                .unwrap()
        )
    );
    assert!(req.version("2.32.0").unwrap().yanked);
}

#[test]
fn deep_download_hashes_to_the_published_digest() {
    let Some(client) = live() else { return };
    let Ok(Answer::Found(lp)) = client.lookup(Ecosystem::Npm, "left-pad") else {
        panic!()
    };
    let v = lp.version("1.3.0").unwrap();
    let url = client
        .file_url(Ecosystem::Npm, "left-pad", "1.3.0", &v.files[0])
        .unwrap();
    let got = client.download_digests(&[url]).pop().unwrap().unwrap();
    assert!(
        got.iter().any(|h| v.hashes().contains(h)),
        "{got:?} vs {:?}",
        v.hashes()
    );
    let Ok(Answer::Found(itoa)) = client.lookup(Ecosystem::Cargo, "itoa") else {
        panic!()
    };
    let v = itoa.version("1.0.11").unwrap();
    let url = client
        .file_url(Ecosystem::Cargo, "itoa", "1.0.11", &v.files[0])
        .unwrap();
    let got = client.download_digests(&[url]).pop().unwrap().unwrap();
    assert!(got.iter().any(|h| v.hashes().contains(h)));
}
