//! crates.io publisher evidence: the web API's version list, `trustpub_data` and
//! `published_by` per version.
//!
//! The API's root comes from `LOCKGATE_CRATES_API`, else for the crates.io index
//! `https://crates.io/`, else the `api` key of the index's `config.json` (a registry
//! without one has no API to ask, and no evidence is read). Requests to crates.io are
//! spaced one second apart, as its data-access policy asks.

use super::{Client, RegistryError};
use super::{Identity, Level, PackageEvidence, VersionEvidence, malformed};
use crate::model::Ecosystem;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The environment variable naming the crates registry's web API root.
pub const API_ENV: &str = "LOCKGATE_CRATES_API";

/// Pages of versions read at most (100 versions per page).
const MAX_PAGES: usize = 50;

/// crates.io's web API: its data-access policy asks for at most one request a second.
const CRATES_IO_API: &str = "https://crates.io/";

/// When the last request to crates.io's API was sent (requests are spaced 1 s apart).
static LAST: tokio::sync::Mutex<Option<tokio::time::Instant>> = tokio::sync::Mutex::const_new(None);

/// Wait until a request to `api` may be sent: one a second to crates.io, any rate to
/// other registries.
async fn pace(api: &str) {
    if api != CRATES_IO_API {
        return;
    }
    let mut last = LAST.lock().await;
    if let Some(t) = *last {
        tokio::time::sleep_until(t + std::time::Duration::from_secs(1)).await;
    }
    *last = Some(tokio::time::Instant::now());
}

#[derive(Deserialize)]
struct List {
    #[serde(default)]
    versions: Vec<Version>,
    #[serde(default)]
    meta: Option<Meta>,
}

#[derive(Deserialize)]
struct Meta {
    #[serde(default)]
    next_page: Option<String>,
}

#[derive(Deserialize)]
struct Version {
    num: String,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    trustpub_data: Option<TrustPub>,
    #[serde(default)]
    published_by: Option<User>,
}

#[derive(Deserialize)]
struct TrustPub {
    provider: String,
    #[serde(default)]
    repository: Option<String>,
    #[serde(default)]
    project_path: Option<String>,
}

#[derive(Deserialize)]
struct User {
    #[serde(default)]
    login: Option<String>,
}

/// Read one page of `/api/v1/crates/<name>/versions` (or the `version` object of
/// `/api/v1/crates/<name>/<version>`): the versions and the next page's query.
pub fn parse_versions(
    body: &[u8],
) -> Result<(BTreeMap<String, VersionEvidence>, Option<String>), String> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("not a crates.io API answer: {e}"))?;
    let list: List = if let Some(v) = value.get("version") {
        List {
            versions: vec![Version::deserialize(v).map_err(|e| format!("`version`: {e}"))?],
            meta: None,
        }
    } else {
        List::deserialize(&value).map_err(|e| format!("not a crates.io version list: {e}"))?
    };
    let mut out = BTreeMap::new();
    for v in list.versions {
        let published =
            match &v.created_at {
                Some(t) => Some(crate::registry::parse_timestamp(t).ok_or_else(|| {
                    format!("{}: created_at {t:?} is not an RFC 3339 time", v.num)
                })?),
                None => None,
            };
        let identity = v.trustpub_data.as_ref().map(|t| {
            Identity::normalized(
                &t.provider,
                t.repository.as_deref().or(t.project_path.as_deref()),
                None,
                None,
            )
        });
        out.insert(
            v.num,
            VersionEvidence {
                level: Some(if identity.is_some() {
                    Level::TrustedPublisher
                } else {
                    Level::None
                }),
                published,
                identity,
                account: v.published_by.and_then(|u| u.login),
                digest_mismatches: Vec::new(),
            },
        );
    }
    Ok((out, list.meta.and_then(|m| m.next_page)))
}

/// The API root for the configured index, if there is one to ask.
async fn api_root(client: &Client) -> Result<Option<String>, RegistryError> {
    if let Ok(v) = std::env::var(API_ENV)
        && !v.trim().is_empty()
    {
        return Ok(Some(format!("{}/", v.trim().trim_end_matches('/'))));
    }
    let index = client.config.base(Ecosystem::Cargo).to_string();
    if index == crate::registry::cargo::DEFAULT_INDEX {
        return Ok(Some(CRATES_IO_API.to_string()));
    }
    let url = format!("{index}config.json");
    let Some(body) = client.get_json(&url, "application/json").await? else {
        return Ok(None);
    };
    let v: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| malformed(&url, format!("config.json: {e}")))?;
    Ok(v.get("api")
        .and_then(|a| a.as_str())
        .map(|a| format!("{}/", a.trim_end_matches('/'))))
}

pub(super) async fn evidence(
    client: &Client,
    name: &str,
    _version: &str,
) -> Result<Option<PackageEvidence>, RegistryError> {
    let Some(api) = api_root(client).await? else {
        return Ok(None);
    };
    let first = format!("{api}api/v1/crates/{name}/versions");
    let mut url = first.clone();
    let mut versions = BTreeMap::new();
    for _ in 0..MAX_PAGES {
        pace(&api).await;
        let Some(body) = client.get_json(&url, "application/json").await? else {
            if versions.is_empty() {
                return Ok(None);
            }
            break;
        };
        let (page, next) = parse_versions(&body).map_err(|m| malformed(&url, m))?;
        versions.extend(page);
        match next {
            Some(q) if !q.is_empty() => url = format!("{first}{q}"),
            _ => break,
        }
    }
    Ok(Some(PackageEvidence {
        ecosystem: Ecosystem::Cargo,
        name: name.to_string(),
        url: first,
        versions,
    }))
}
