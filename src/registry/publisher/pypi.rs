//! PyPI publisher evidence: the JSON simple page's `files[].provenance`, and for the
//! version asked about the Integrity API's provenance object (PEP 740).

use super::{Client, RegistryError, subject_mismatch};
use super::{Identity, Level, PackageEvidence, VersionEvidence, decode_statement, malformed};
use crate::model::{Ecosystem, pep503};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// The media type of the Integrity API.
pub const INTEGRITY_ACCEPT: &str = "application/vnd.pypi.integrity.v1+json";

#[derive(Deserialize)]
struct Page {
    files: Vec<File>,
}

#[derive(Deserialize)]
struct File {
    filename: String,
    #[serde(default)]
    hashes: HashMap<String, String>,
    #[serde(default, rename = "upload-time")]
    upload_time: Option<String>,
    #[serde(default)]
    provenance: Option<String>,
}

/// One file of a version as the simple page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEvidence {
    /// File name.
    pub filename: String,
    /// Its sha256 (lowercase hex), when listed.
    pub sha256: Option<String>,
    /// Its provenance URL, when it has attestations.
    pub provenance: Option<String>,
}

/// Per version: its evidence, and its files.
pub type PageEvidence = (
    BTreeMap<String, VersionEvidence>,
    BTreeMap<String, Vec<FileEvidence>>,
);

/// Read a simple page: per version, its evidence and its files.
pub fn parse_page(body: &[u8], name: &str) -> Result<PageEvidence, String> {
    let page: Page =
        serde_json::from_slice(body).map_err(|e| format!("not a PEP 691 project page: {e}"))?;
    let norm = pep503(name);
    let mut files: BTreeMap<String, Vec<FileEvidence>> = BTreeMap::new();
    let mut times: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for f in page.files {
        let Some(v) = crate::registry::pypi::version_of(&f.filename, &norm) else {
            continue;
        };
        if let Some(t) = f
            .upload_time
            .as_deref()
            .and_then(crate::registry::parse_timestamp)
        {
            times.entry(v.clone()).or_default().push(t);
        }
        files.entry(v).or_default().push(FileEvidence {
            sha256: f.hashes.get("sha256").map(|h| h.to_ascii_lowercase()),
            provenance: f.provenance.filter(|p| !p.trim().is_empty()),
            filename: f.filename,
        });
    }
    let versions = files
        .iter()
        .map(|(v, fs)| {
            // A version is as strong as its weakest file: a file added to a trusted
            // release with a token has no provenance.
            let level = if fs.iter().all(|f| f.provenance.is_some()) {
                Level::TrustedPublisher
            } else {
                Level::None
            };
            (
                v.clone(),
                VersionEvidence {
                    level: Some(level),
                    published: times.get(v).and_then(|t| t.iter().min().copied()),
                    ..Default::default()
                },
            )
        })
        .collect();
    Ok((versions, files))
}

#[derive(Deserialize)]
struct Provenance {
    #[serde(default)]
    attestation_bundles: Vec<AttestationBundle>,
}

#[derive(Deserialize)]
struct AttestationBundle {
    publisher: Publisher,
    #[serde(default)]
    attestations: Vec<PyAttestation>,
}

#[derive(Deserialize)]
struct Publisher {
    kind: String,
    #[serde(default)]
    repository: Option<String>,
    #[serde(default)]
    workflow: Option<String>,
    #[serde(default)]
    environment: Option<String>,
    #[serde(default)]
    project: Option<String>,
}

#[derive(Deserialize)]
struct PyAttestation {
    envelope: PyEnvelope,
}

#[derive(Deserialize)]
struct PyEnvelope {
    statement: String,
}

/// Read an Integrity API provenance object: the first bundle's publisher, and a
/// message for every statement whose subject is not `sha256` (the file's hash).
pub fn parse_provenance(
    body: &[u8],
    sha256: Option<&str>,
    filename: &str,
) -> Result<(Option<Identity>, Vec<String>), String> {
    let p: Provenance = serde_json::from_slice(body)
        .map_err(|e| format!("not a PEP 740 provenance object: {e}"))?;
    let mut mismatches = Vec::new();
    let mut identity = None;
    for b in &p.attestation_bundles {
        if identity.is_none() {
            let pb = &b.publisher;
            identity = Some(Identity::normalized(
                &pb.kind,
                pb.repository.as_deref().or(pb.project.as_deref()),
                pb.workflow.as_deref(),
                pb.environment.as_deref(),
            ));
        }
        for a in &b.attestations {
            let st = decode_statement(&a.envelope.statement)?;
            if let Some(want) = sha256
                && let Some(m) = subject_mismatch(&st, "sha256", want, filename)
            {
                mismatches.push(m);
            }
        }
    }
    Ok((identity, mismatches))
}

/// A relative URL resolved against `base`.
fn resolve(base: &str, u: &str) -> String {
    match reqwest::Url::parse(base).and_then(|b| b.join(u)) {
        Ok(x) => x.to_string(),
        Err(_) => u.to_string(),
    }
}

pub(super) async fn evidence(
    client: &Client,
    name: &str,
    version: &str,
) -> Result<Option<PackageEvidence>, RegistryError> {
    let Some((url, body)) = client.get_document(Ecosystem::Pypi, name).await? else {
        return Ok(None);
    };
    let (mut versions, files) = parse_page(&body, name).map_err(|m| malformed(&url, m))?;
    let key = versions
        .keys()
        .find(|k| {
            k.as_str() == version
                || crate::registry::pypi::loose_version(k)
                    == crate::registry::pypi::loose_version(version)
        })
        .cloned();
    if let Some(key) = key
        && let Some(e) = versions.get_mut(&key)
    {
        // The first file with provenance (by name) tells who published; its statements
        // must name that file's sha256.
        let mut fs: Vec<&FileEvidence> = files
            .get(&key)
            .map(|f| f.iter().filter(|f| f.provenance.is_some()).collect())
            .unwrap_or_default();
        fs.sort_by(|a, b| a.filename.cmp(&b.filename));
        if let Some(f) = fs.first()
            && let Some(p) = &f.provenance
        {
            let purl = resolve(&url, p);
            match client.get_json(&purl, INTEGRITY_ACCEPT).await? {
                Some(b) => {
                    let (id, mism) = parse_provenance(&b, f.sha256.as_deref(), &f.filename)
                        .map_err(|m| malformed(&purl, m))?;
                    e.identity = id;
                    e.digest_mismatches = mism;
                }
                None => e.digest_mismatches.push(format!(
                    "the index lists provenance for {} but {purl} has none",
                    f.filename
                )),
            }
        }
    }
    Ok(Some(PackageEvidence {
        ecosystem: Ecosystem::Pypi,
        name: name.to_string(),
        url,
        versions,
    }))
}
