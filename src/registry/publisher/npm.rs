//! npm publisher evidence: the packument's `_npmUser` and `dist.attestations`, and the
//! attestations endpoint's in-toto statements for the version asked about.

use super::{Client, RegistryError, subject_mismatch};
use super::{Identity, Level, PackageEvidence, VersionEvidence, decode_statement, malformed};
use crate::model::{Ecosystem, Hash};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Version {
    #[serde(default, rename = "_npmUser")]
    npm_user: Option<NpmUser>,
    #[serde(default)]
    dist: Option<Dist>,
}

#[derive(Deserialize)]
struct NpmUser {
    #[serde(default)]
    name: Option<String>,
    #[serde(default, rename = "trustedPublisher")]
    trusted_publisher: Option<TrustedPublisher>,
    #[serde(default)]
    approver: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct TrustedPublisher {
    #[serde(default)]
    id: Option<String>,
}

#[derive(Deserialize)]
struct Dist {
    #[serde(default)]
    integrity: Option<String>,
    #[serde(default)]
    attestations: Option<Attestations>,
}

#[derive(Deserialize)]
struct Attestations {
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    provenance: Option<serde_json::Value>,
}

/// A version's attestations URL, trusted publisher id and sha512 integrity (hex).
pub type Detail = (Option<String>, Option<String>, Option<String>);

/// What one packument version says, before the attestations are fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packument {
    /// Version → evidence from the packument alone.
    pub versions: BTreeMap<String, VersionEvidence>,
    /// Version → what fetching its attestations needs.
    pub details: BTreeMap<String, Detail>,
}

/// Read a packument's publisher fields.
pub fn parse_packument(body: &[u8]) -> Result<Packument, String> {
    let mut doc = crate::registry::npm::Document::<Version>::read(body)?;
    let mut versions = BTreeMap::new();
    let mut details = BTreeMap::new();
    for (v, ver) in std::mem::take(&mut doc.versions) {
        let user = ver.npm_user.as_ref();
        let tp = user
            .and_then(|u| u.trusted_publisher.as_ref())
            .map(|t| t.id.clone().unwrap_or_else(|| "unknown".into()));
        let staged = user
            .and_then(|u| u.approver.as_ref())
            .is_some_and(|a| !a.is_null());
        let att = ver.dist.as_ref().and_then(|d| d.attestations.as_ref());
        let provenance = att.is_some_and(|a| a.provenance.as_ref().is_some_and(|p| !p.is_null()));
        let level = if staged && tp.is_some() {
            Level::Staged
        } else if tp.is_some() {
            Level::TrustedPublisher
        } else if provenance {
            Level::Provenance
        } else {
            Level::None
        };
        let published = doc.published(&v)?;
        let sha512 = ver
            .dist
            .as_ref()
            .and_then(|d| d.integrity.as_deref())
            .and_then(|sri| Hash::from_sri_list(sri).ok())
            .and_then(|hs| hs.into_iter().find(|h| h.algorithm == "sha512"))
            .map(|h| h.value.to_string());
        details.insert(
            v.clone(),
            (att.and_then(|a| a.url.clone()), tp.clone(), sha512),
        );
        versions.insert(
            v,
            VersionEvidence {
                level: Some(level),
                published,
                identity: tp.map(|id| Identity::normalized(&id, None, None, None)),
                account: user.and_then(|u| u.name.clone()),
                digest_mismatches: Vec::new(),
            },
        );
    }
    Ok(Packument { versions, details })
}

#[derive(Deserialize)]
struct AttestationsDoc {
    #[serde(default)]
    attestations: Vec<Attestation>,
}

#[derive(Deserialize)]
struct Attestation {
    #[serde(default, rename = "predicateType")]
    predicate_type: Option<String>,
    bundle: Bundle,
}

#[derive(Deserialize)]
struct Bundle {
    #[serde(rename = "dsseEnvelope")]
    dsse_envelope: Envelope,
}

#[derive(Deserialize)]
struct Envelope {
    payload: String,
}

/// What the attestations endpoint says about one version.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Statements {
    /// The SLSA provenance statement's workflow: (repository, workflow path).
    pub workflow: Option<(String, String)>,
    /// The predicate types present.
    pub predicate_types: Vec<String>,
    /// Statements whose subject is not the tarball.
    pub mismatches: Vec<String>,
}

/// Read an attestations answer; every statement's subject must carry `sha512`
/// (lowercase hex of the tarball's integrity) when it is known.
pub fn parse_attestations(body: &[u8], sha512: Option<&str>) -> Result<Statements, String> {
    let doc: AttestationsDoc =
        serde_json::from_slice(body).map_err(|e| format!("not an npm attestations answer: {e}"))?;
    let mut out = Statements::default();
    for a in &doc.attestations {
        let st = decode_statement(&a.bundle.dsse_envelope.payload)?;
        let kind = a
            .predicate_type
            .clone()
            .or_else(|| {
                st.get("predicateType")
                    .and_then(|p| p.as_str())
                    .map(String::from)
            })
            .unwrap_or_default();
        out.predicate_types.push(kind.clone());
        if let Some(want) = sha512
            && let Some(m) = subject_mismatch(&st, "sha512", want, "the tarball's dist.integrity")
        {
            out.mismatches.push(m);
        }
        if kind.starts_with("https://slsa.dev/provenance/") {
            let wf = st
                .pointer("/predicate/buildDefinition/externalParameters/workflow")
                .or_else(|| st.pointer("/predicate/invocation/configSource"));
            if let Some(wf) = wf {
                let repo = wf
                    .get("repository")
                    .or_else(|| wf.get("uri"))
                    .and_then(|r| r.as_str())
                    .unwrap_or_default();
                let path = wf
                    .get("path")
                    .or_else(|| wf.get("entryPoint"))
                    .and_then(|r| r.as_str())
                    .unwrap_or_default();
                out.workflow = Some((repo.to_string(), path.to_string()));
            }
        }
    }
    Ok(out)
}

/// The attestations URL of a version under `base` when the packument names none.
pub fn attestations_url(base: &str, name: &str, version: &str) -> String {
    format!(
        "{base}-/npm/v1/attestations/{}@{version}",
        name.replacen('/', "%2f", 1)
    )
}

/// The provider a repository URL is hosted by (`github`, `gitlab`), else `unknown`.
fn provider_of(repo: &str) -> &'static str {
    let r = repo.to_ascii_lowercase();
    if r.contains("github.com") {
        "github"
    } else if r.contains("gitlab.com") {
        "gitlab"
    } else {
        "unknown"
    }
}

pub(super) async fn evidence(
    client: &Client,
    name: &str,
    version: &str,
) -> Result<Option<PackageEvidence>, RegistryError> {
    let Some((url, body)) = client.get_document(Ecosystem::Npm, name).await? else {
        return Ok(None);
    };
    let base = client.config.base(Ecosystem::Npm);
    let mut doc = parse_packument(&body).map_err(|m| malformed(&url, m))?;
    if let Some((att_url, tp, sha512)) = doc.details.get(version).cloned()
        && let Some(e) = doc.versions.get_mut(version)
        && e.rank() >= Level::Provenance
    {
        let att_url = att_url.unwrap_or_else(|| attestations_url(base, name, version));
        match client.get_json(&att_url, "application/json").await? {
            Some(b) => {
                let st = parse_attestations(&b, sha512.as_deref())
                    .map_err(|m| malformed(&att_url, m))?;
                e.digest_mismatches = st.mismatches;
                if let Some((repo, path)) = st.workflow {
                    let kind = tp.unwrap_or_else(|| provider_of(&repo).to_string());
                    e.identity = Some(Identity::normalized(&kind, Some(&repo), Some(&path), None));
                }
            }
            None => e.digest_mismatches.push(format!(
                "the packument says {name}@{version} has attestations, but {att_url} has none"
            )),
        }
    }
    Ok(Some(PackageEvidence {
        ecosystem: Ecosystem::Npm,
        name: name.to_string(),
        url,
        versions: doc.versions,
    }))
}
