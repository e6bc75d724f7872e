//! Asking the registries: the crates.io sparse index ([`cargo`]), the npm registry's
//! package documents ([`npm`]) and the PyPI JSON simple API ([`pypi`]), with an
//! on-disk [`cache`].
//!
//! [`Client`] does the asking. It is synchronous to its callers (it owns a small tokio
//! runtime; do not call it from inside another runtime) and, inside, fetches with
//! bounded concurrency, timeouts, retries with exponential backoff on network errors,
//! `429` and `5xx` (honouring `Retry-After`), and conditional revalidation of cached
//! answers. A registry that fails to connect or times out after its retries is marked
//! down for the rest of the run, so the remaining packages fail at once instead of
//! each waiting out its own timeouts. Nothing here is ever a silent pass: every
//! failure is a [`RegistryError`] naming the URL.
//!
//! TLS is rustls (no OpenSSL) with `rustls-platform-verifier`, which trusts the
//! operating system's certificate store, so networks that re-sign TLS with a
//! company CA work.
//!
//! Registry URLs ([`Config::from_env`]) come from `LOCKGATE_CARGO_INDEX`,
//! `LOCKGATE_NPM_REGISTRY` and `LOCKGATE_PYPI_INDEX`, else the allowlist's
//! `[registries]` table, else the public registries, each written the way its own
//! package manager takes it (see `docs/online.md`).
//!
//! One file per job: `client` (the run: concurrency, cache first, registry down),
//! `retry` (one GET with timeouts, retries and backoff), `dns` (one shared lookup per
//! host), [`cache`] (storage and freshness policy), `download` (deep mode), `config`
//! (URLs and settings), `event` (what `-v` shows), `error`, `answer` (what a
//! registry says), `time`, `progress`; this file dispatches to the three registries
//! ([`cargo`], [`npm`], [`pypi`]).

mod answer;
pub mod cache;
pub mod cargo;
mod client;
mod config;
mod dns;
mod download;
mod error;
mod event;
pub mod github;
pub mod inspect;
pub mod npm;
pub mod pins;
mod progress;
pub mod published;
pub mod publisher;
pub mod pypi;
mod retry;
mod time;

pub use answer::{Answer, FileInfo, PackageInfo, VersionInfo};
pub use client::{Client, Stats};
pub use config::{Config, env_var, normalize_base};
pub use dns::{Lookup, SharedResolver};
pub use download::digests;
pub use error::RegistryError;
pub use event::{Event, Observer, Record};
pub use retry::{MAX_BODY, parse_retry_after};
pub use time::{now, parse_timestamp};

use crate::model::{Ecosystem, Hash};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Can the ecosystem's registry have a package of this name at all?
fn valid_name(eco: Ecosystem, name: &str) -> bool {
    match eco {
        Ecosystem::Cargo => cargo::valid_name(name),
        Ecosystem::Npm => npm::valid_name(name),
        Ecosystem::Pypi => pypi::valid_name(name),
        Ecosystem::Actions => github::valid_name(name),
    }
}

/// `s` with every byte but ASCII letters, digits and those in `keep` written as `%XX`,
/// in uppercase hex when `upper` (as in URLs), else lowercase.
fn percent_encode(s: &str, keep: &[u8], upper: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(b as char);
        } else if upper {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push_str(&format!("%{b:02x}"));
        }
    }
    out
}

/// The URL of a package's document on the registry at `base`.
fn document_url(eco: Ecosystem, base: &str, name: &str) -> String {
    match eco {
        Ecosystem::Cargo => cargo::document_url(base, name),
        Ecosystem::Npm => npm::document_url(base, name),
        Ecosystem::Pypi => pypi::document_url(base, name),
        Ecosystem::Actions => github::document_url(base, name),
    }
}

/// The `Accept` header of a document request.
fn accept(eco: Ecosystem) -> &'static str {
    match eco {
        Ecosystem::Pypi => pypi::ACCEPT,
        Ecosystem::Cargo | Ecosystem::Npm => "application/json",
        Ecosystem::Actions => "application/vnd.github+json",
    }
}

/// Read a document: every version it lists.
fn parse(
    eco: Ecosystem,
    body: &[u8],
    name: &str,
    content_type: Option<&str>,
) -> Result<BTreeMap<String, VersionInfo>, String> {
    match eco {
        Ecosystem::Cargo => cargo::parse(body, name),
        Ecosystem::Npm => npm::parse(body, name),
        Ecosystem::Pypi => pypi::parse(body, name, content_type),
        Ecosystem::Actions => github::parse(body, name),
    }
}

fn answer(eco: Ecosystem, name: &str, e: cache::Entry) -> Answer {
    if !e.found {
        return Answer::NotFound { url: e.url };
    }
    let changed = e.changed.iter().map(|(v, hs)| (v.clone(), first_seen(hs)));
    Answer::Found(Arc::new(PackageInfo {
        ecosystem: eco,
        name: name.to_string(),
        url: e.url,
        versions: e.versions,
        changed: changed.collect(),
        fetched: e.fetched,
    }))
}

/// The hashes a cache record first saw for a version whose hashes changed since (one
/// that no longer parses is left out).
fn first_seen(hashes: &[String]) -> Vec<Hash> {
    hashes.iter().filter_map(|h| Hash::parse(h).ok()).collect()
}

/// The answer of a [`cache::Versions`] record: the versions `asked` that the registry
/// lists, keyed as asked.
fn answer_versions(
    eco: Ecosystem,
    name: &str,
    record: &cache::Versions,
    asked: &std::collections::BTreeSet<&str>,
) -> Answer {
    if !record.found {
        return Answer::NotFound {
            url: record.url.clone(),
        };
    }
    let versions = asked
        .iter()
        .filter_map(|v| Some((v.to_string(), record.versions.get(*v)?.clone()?)))
        .collect();
    let changed = asked
        .iter()
        .filter_map(|v| Some((v.to_string(), first_seen(record.changed.get(*v)?))));
    Answer::Found(Arc::new(PackageInfo {
        ecosystem: eco,
        name: name.to_string(),
        url: record.url.clone(),
        versions,
        changed: changed.collect(),
        fetched: record.fetched,
    }))
}
