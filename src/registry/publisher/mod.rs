//! Publisher evidence: who published each version of a package, as each registry's
//! own fields say, ranked the way pnpm's `trustPolicy: no-downgrade` ranks it
//! (staged publish > trusted publisher > provenance > none).
//!
//! - npm ([`npm`]): the packument's `versions[v]._npmUser.trustedPublisher`
//!   (`id`, `oidcConfigId`), `_npmUser.approver` (a staged publish a second person
//!   approved), `dist.attestations` (`url`, `provenance.predicateType`) and `time[v]`;
//!   for the version asked about, the attestations endpoint
//!   (`/-/npm/v1/attestations/<name>@<version>`), whose DSSE payloads are in-toto
//!   statements: `predicate.buildDefinition.externalParameters.workflow` names the
//!   repository, workflow path and ref, and every `subject[].digest.sha512` must be the
//!   tarball's `dist.integrity`.
//! - PyPI ([`pypi`]): the JSON simple page's `files[].provenance` URL; for the version
//!   asked about, the Integrity API's `attestation_bundles[].publisher` (`kind`,
//!   `repository`, `workflow`, `environment`), and every attestation statement's
//!   `subject[].digest.sha256` must be the file's `hashes.sha256`. PyPI accepts
//!   attestations from trusted publishers only, so a file with provenance ranks as
//!   trusted publisher; a version ranks as its weakest file.
//! - crates.io ([`crates`]): `/api/v1/crates/<name>/versions` → `trustpub_data`
//!   (`provider`, `repository` or `project_path`, `sha`) and `published_by.login`.
//!
//! Sigstore signatures are not verified here (see docs/dependencies.md); what is
//! checked is that each statement names the artifact being pinned.

pub mod crates;
pub mod npm;
pub mod pypi;

use super::{Client, RegistryError};
use crate::model::Ecosystem;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// How strong the evidence of who published a version is, weakest first (so `max()`
/// is the strongest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Nothing: a token (a person's, or a stolen one) published it.
    None,
    /// A signed provenance statement names the build, but no trusted publisher.
    Provenance,
    /// Published by a trusted publisher (OIDC from a CI workflow), no long-lived token.
    TrustedPublisher,
    /// Trusted publisher, and a second person approved the staged publish (npm).
    Staged,
}

impl Level {
    /// Its name in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::None => "no publisher evidence",
            Level::Provenance => "provenance",
            Level::TrustedPublisher => "trusted publisher",
            Level::Staged => "staged publish",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who published: the CI provider and, when the registry says, the repository,
/// workflow and environment. The shape of the allowlist's `publisher = { … }`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Identity {
    /// The provider, lowercase (`github`, `gitlab`, `google`, …).
    pub kind: String,
    /// `owner/repo` (GitLab: the project path).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// The workflow's file name (`publish.yml`), without its directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow: Option<String>,
    /// The CI environment, when the registry records one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
}

impl Identity {
    /// An identity with its fields in canonical form: lowercase kind, `owner/repo`
    /// without a host or `.git`, the workflow's file name only.
    pub fn normalized(
        kind: &str,
        repository: Option<&str>,
        workflow: Option<&str>,
        environment: Option<&str>,
    ) -> Identity {
        fn nonempty(s: Option<&str>) -> Option<&str> {
            s.map(str::trim).filter(|s| !s.is_empty())
        }
        Identity {
            kind: kind.trim().to_ascii_lowercase(),
            repository: nonempty(repository).map(repo_path),
            workflow: nonempty(workflow)
                .map(|w| w.split('@').next().unwrap_or(w))
                .map(|w| w.rsplit('/').next().unwrap_or(w).to_string()),
            environment: nonempty(environment).map(str::to_string),
        }
    }

    /// The fields in which `other` differs from this (pinned) identity: a field the
    /// pin names must be the same (case-insensitively) in `other`.
    pub fn differs(&self, other: &Identity) -> Vec<String> {
        let mut out = Vec::new();
        let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
        if !same(&self.kind, &other.kind) {
            out.push(format!("kind `{}` instead of `{}`", other.kind, self.kind));
        }
        let fields = [
            ("repository", &self.repository, &other.repository),
            ("workflow", &self.workflow, &other.workflow),
            ("environment", &self.environment, &other.environment),
        ];
        for (what, pinned, seen) in fields {
            if let Some(p) = pinned {
                match seen {
                    Some(s) if same(p, s) => {}
                    Some(s) => out.push(format!("{what} `{s}` instead of `{p}`")),
                    None => out.push(format!("no {what} where the pin names `{p}`")),
                }
            }
        }
        out
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.kind)?;
        if let Some(r) = &self.repository {
            write!(f, " {r}")?;
        }
        if let Some(w) = &self.workflow {
            write!(f, " workflow {w}")?;
        }
        if let Some(e) = &self.environment {
            write!(f, " environment {e}")?;
        }
        Ok(())
    }
}

/// `https://github.com/owner/repo.git` → `owner/repo`; `git+https://…` too.
fn repo_path(r: &str) -> String {
    let r = r.trim().trim_start_matches("git+");
    let r = match r.split_once("://") {
        Some((_, rest)) => rest.split_once('/').map(|(_, p)| p).unwrap_or(rest),
        None => r,
    };
    r.trim_end_matches('/')
        .trim_end_matches(".git")
        .trim_matches('/')
        .to_string()
}

/// What the registry says about one version's publisher.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct VersionEvidence {
    /// How strong.
    pub level: Option<Level>,
    /// First publish time (Unix seconds), when the registry says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<i64>,
    /// Who published (read for the version asked about only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    /// The account that published it, when the registry names one (crates.io
    /// `published_by.login`, npm `_npmUser.name`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Statements whose subject digest is not the artifact's hash: one message each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub digest_mismatches: Vec<String>,
}

impl VersionEvidence {
    /// The level, `None` counting as [`Level::None`].
    pub fn rank(&self) -> Level {
        self.level.unwrap_or(Level::None)
    }
}

/// Publisher evidence for every version of a package, with details for one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageEvidence {
    /// Ecosystem.
    pub ecosystem: Ecosystem,
    /// The name asked for.
    pub name: String,
    /// Where it was read (the document's URL).
    pub url: String,
    /// Every version the registry lists, keyed as the registry writes it.
    pub versions: BTreeMap<String, VersionEvidence>,
}

impl PackageEvidence {
    /// A version, by exact spelling, else (PyPI) by its loose PEP 440 form.
    pub fn version(&self, v: &str) -> Option<&VersionEvidence> {
        super::answer::find_version(self.ecosystem, &self.versions, v).map(|(_, e)| e)
    }

    /// The strongest evidence among versions published before `version` (by publish
    /// time, as pnpm orders them), with the version that had it (the latest such).
    /// `None` when `version` has no publish time or nothing was published before it.
    pub fn strongest_before(&self, version: &str) -> Option<(&str, Level)> {
        let at = self.version(version)?.published?;
        let mut best: Option<(&str, Level, i64)> = None;
        for (v, e) in &self.versions {
            let Some(t) = e.published else { continue };
            if t >= at {
                continue;
            }
            let l = e.rank();
            if best.is_none_or(|(_, bl, bt)| l > bl || (l == bl && t > bt)) {
                best = Some((v.as_str(), l, t));
            }
        }
        best.map(|(v, l, _)| (v, l))
    }
}

/// An answer that could not be read, with the URL it came from.
fn malformed(url: &str, message: impl Into<String>) -> RegistryError {
    RegistryError::Malformed {
        url: url.to_string(),
        message: message.into(),
    }
}

impl Client {
    /// GET one JSON answer (with the client's retries and timeouts); `None` on 404/410.
    pub(super) async fn get_json(
        &self,
        url: &str,
        accept: &str,
    ) -> Result<Option<Vec<u8>>, RegistryError> {
        if self.config.offline {
            return Err(RegistryError::Offline {
                url: url.to_string(),
            });
        }
        let f = self.get(url, accept, None).await?;
        match f.status {
            200..=299 => Ok(Some(f.body)),
            404 | 410 => Ok(None),
            status => Err(RegistryError::Status {
                url: url.to_string(),
                status,
                detail: String::new(),
            }),
        }
    }

    /// GET a package's document with the URL and `Accept` header the version list is
    /// read with: the URL and the body; `None` on 404/410.
    pub(super) async fn get_document(
        &self,
        eco: Ecosystem,
        name: &str,
    ) -> Result<Option<(String, Vec<u8>)>, RegistryError> {
        let url = super::document_url(eco, self.config.base(eco), name);
        let body = self.get_json(&url, super::accept(eco)).await?;
        Ok(body.map(|b| (url, b)))
    }

    /// The publisher evidence of a package, with the identity and subject digests of
    /// `version` read in detail. `Ok(None)`: the registry has no such package, or
    /// (a cargo registry other than crates.io without an `api` in its `config.json`)
    /// no API that could say.
    pub fn publisher_evidence(
        &self,
        eco: Ecosystem,
        name: &str,
        version: &str,
    ) -> Result<Option<PackageEvidence>, RegistryError> {
        self.rt.block_on(self.evidence_cached(eco, name, version))
    }

    /// The evidence from lockgate's cache while fresh (within the TTL; any age with
    /// `--offline`), else from the registry (then cached).
    async fn evidence_cached(
        &self,
        eco: Ecosystem,
        name: &str,
        version: &str,
    ) -> Result<Option<PackageEvidence>, RegistryError> {
        if !super::valid_name(eco, name) {
            return Ok(None);
        }
        let path = self.evidence_path(eco, name, version);
        let now = super::now();
        if let Some(c) = path
            .as_deref()
            .and_then(|p| std::fs::read(p).ok())
            .and_then(|b| serde_json::from_slice::<Cached>(&b).ok())
            && (self.config.offline
                || (now - c.fetched) < self.config.ttl.as_secs().min(i64::MAX as u64) as i64)
        {
            return Ok(c.evidence.map(|(url, versions)| PackageEvidence {
                ecosystem: eco,
                name: name.to_string(),
                url,
                versions,
            }));
        }
        let evidence = match eco {
            Ecosystem::Npm => npm::evidence(self, name, version).await,
            Ecosystem::Pypi => pypi::evidence(self, name, version).await,
            Ecosystem::Cargo => crates::evidence(self, name, version).await,
            // No package registry: an action's pin is its commit SHA.
            Ecosystem::Actions => Ok(None),
        }?;
        if let Some(p) = path {
            // A cache that cannot be written only costs speed.
            let _ = store(
                &p,
                &Cached {
                    fetched: now,
                    evidence: evidence
                        .as_ref()
                        .map(|e| (e.url.clone(), e.versions.clone())),
                },
            );
        }
        Ok(evidence)
    }

    /// The cache file of one version's evidence:
    /// `{cache}/publisher-v1/{ecosystem}/{registry digest}/{name}@{version}.json`.
    fn evidence_path(&self, eco: Ecosystem, name: &str, version: &str) -> Option<PathBuf> {
        use sha2::Digest as _;
        let dir = self.config.cache_dir.as_ref()?;
        let digest = sha2::Sha256::digest(self.config.base(eco).as_bytes());
        Some(
            dir.join(CACHE_LAYOUT)
                .join(eco.as_str())
                .join(crate::model::hash::to_hex(&digest[..8]))
                .join(format!(
                    "{}@{}.json",
                    super::cache::escape(&eco.normalize(name)),
                    super::cache::escape(version)
                )),
        )
    }

    /// [`Client::publisher_evidence`] for many packages, a few at a time; one result
    /// per query, in order.
    pub fn publisher_evidence_all(
        &self,
        queries: &[(Ecosystem, String, String)],
    ) -> Vec<Result<Option<PackageEvidence>, RegistryError>> {
        self.run_all(
            queries,
            self.config.concurrency.clamp(1, 8),
            |(eco, name, version)| self.evidence_cached(*eco, name, version),
        )
    }
}

/// The folder of cached publisher evidence.
pub const CACHE_LAYOUT: &str = "publisher-v1";

/// One cached answer.
#[derive(Serialize, Deserialize)]
struct Cached {
    fetched: i64,
    /// `None`: the registry has no such package; else the URL read and the versions.
    evidence: Option<(String, BTreeMap<String, VersionEvidence>)>,
}

/// Write through a temporary file and a rename (readers never see half a file).
fn store(path: &Path, c: &Cached) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".publisher.{}.tmp", std::process::id()));
    std::fs::write(&tmp, serde_json::to_vec(c).map_err(std::io::Error::other)?)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// An in-toto statement's subjects: each one's digests (algorithm → lowercase hex).
pub(super) fn statement_subjects(statement: &serde_json::Value) -> Vec<BTreeMap<String, String>> {
    statement
        .get("subject")
        .and_then(|s| s.as_array())
        .map(|subjects| {
            subjects
                .iter()
                .map(|s| {
                    s.get("digest")
                        .and_then(|d| d.as_object())
                        .map(|d| {
                            d.iter()
                                .filter_map(|(k, v)| {
                                    Some((k.to_ascii_lowercase(), v.as_str()?.to_ascii_lowercase()))
                                })
                                .collect()
                        })
                        .unwrap_or_default()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Decode a base64 payload (standard alphabet, padding optional) to JSON.
pub(super) fn decode_statement(b64: &str) -> Result<serde_json::Value, String> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(b64.trim()))
        .map_err(|e| format!("statement is not base64: {e}"))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("statement is not JSON: {e}"))
}

/// Check that a statement names the artifact: some subject carries `algorithm` with
/// the value `want` (lowercase hex). `Some(message)` when it does not.
pub(super) fn subject_mismatch(
    statement: &serde_json::Value,
    algorithm: &str,
    want: &str,
    what: &str,
) -> Option<String> {
    let subjects = statement_subjects(statement);
    let digests: Vec<&String> = subjects.iter().filter_map(|d| d.get(algorithm)).collect();
    if digests.iter().any(|d| d.as_str() == want) {
        return None;
    }
    let kind = statement
        .get("predicateType")
        .and_then(|p| p.as_str())
        .unwrap_or("an attestation");
    Some(match digests.first() {
        Some(d) => format!("{kind} statement names {algorithm}:{d}, not {what} {algorithm}:{want}"),
        None => format!("{kind} statement names no {algorithm} digest for {what}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_normalize_and_compare() {
        let a = Identity::normalized(
            "GitHub",
            Some("https://github.com/nrwl/nx.git"),
            Some(".github/workflows/publish.yml@refs/tags/v1"),
            None,
        );
        assert_eq!(a.kind, "github");
        assert_eq!(a.repository.as_deref(), Some("nrwl/nx"));
        assert_eq!(a.workflow.as_deref(), Some("publish.yml"));
        let b = Identity::normalized("github", Some("evil/nx"), Some("publish.yml"), None);
        assert_eq!(
            a.differs(&b),
            vec!["repository `evil/nx` instead of `nrwl/nx`"]
        );
        assert!(a.differs(&a.clone()).is_empty());
    }

    #[test]
    fn strongest_before_orders_by_publish_time() {
        let ev = |level, t| VersionEvidence {
            level: Some(level),
            published: Some(t),
            ..Default::default()
        };
        let p = PackageEvidence {
            ecosystem: Ecosystem::Npm,
            name: "x".into(),
            url: String::new(),
            versions: [
                ("1.0.0".to_string(), ev(Level::Provenance, 10)),
                ("2.0.0".to_string(), ev(Level::TrustedPublisher, 20)),
                // A backport published later than 2.0.0 but numbered lower.
                ("1.0.1".to_string(), ev(Level::None, 30)),
            ]
            .into(),
        };
        assert_eq!(
            p.strongest_before("1.0.1"),
            Some(("2.0.0", Level::TrustedPublisher))
        );
        assert_eq!(p.strongest_before("1.0.0"), None);
        assert_eq!(
            p.strongest_before("2.0.0"),
            Some(("1.0.0", Level::Provenance))
        );
    }
}
