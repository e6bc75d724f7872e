//! The Python simple repository API in its JSON form (PEP 691), with PEP 700's
//! `versions` and `upload-time`.
//!
//! lockgate asks `{index}/{normalized name}/` with
//! `Accept: application/vnd.pypi.simple.v1+json` and reads every entry of `files`:
//! `filename`, `url`, `hashes.sha256`, `upload-time` and `yanked` (PEP 592: `false` or
//! a reason). The version of a file comes from its name (wheel, sdist, egg); `versions`
//! (PEP 700) adds versions that have no files. A version is yanked when every one of its
//! files is; it was published when its first file was uploaded. The per-version JSON API
//! (`/pypi/{name}/{version}/json`) is never used: mirrors and private indexes often do
//! not serve it. An index that answers HTML only does not speak PEP 691 and is an error.

use super::{FileInfo, VersionInfo, parse_timestamp};
use crate::model::{Hash, pep503};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// The PyPI simple index.
pub const DEFAULT_INDEX: &str = "https://pypi.org/simple/";

/// The media type of the JSON simple API, version 1.
pub const ACCEPT: &str = "application/vnd.pypi.simple.v1+json";

/// True when a project name can be asked for (PEP 508 names: letters, digits, `-_.`).
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The URL of a project page under `base` (which ends with `/`): the PEP 503
/// normalized name and a trailing slash.
pub fn document_url(base: &str, name: &str) -> String {
    format!("{base}{}/", pep503(name))
}

#[derive(Deserialize)]
struct Page {
    meta: Meta,
    files: Vec<File>,
    #[serde(default)]
    versions: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct Meta {
    #[serde(rename = "api-version")]
    api_version: String,
}

#[derive(Deserialize)]
struct File {
    filename: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    hashes: HashMap<String, String>,
    #[serde(default, rename = "upload-time")]
    upload_time: Option<String>,
    #[serde(default)]
    yanked: Yanked,
}

#[derive(Deserialize, Default)]
#[serde(untagged)]
enum Yanked {
    #[default]
    No,
    Flag(bool),
    Reason(String),
}

impl Yanked {
    fn reason(&self) -> Option<String> {
        match self {
            Yanked::Reason(r) if !r.trim().is_empty() => Some(r.clone()),
            _ => None,
        }
    }

    fn is_yanked(&self) -> bool {
        match self {
            Yanked::No => false,
            Yanked::Flag(b) => *b,
            Yanked::Reason(_) => true,
        }
    }
}

/// Parse a project page into its versions.
///
/// `content_type` is the response's media type: HTML means the index does not serve
/// PEP 691 and is an error. A major API version other than 1 is an error.
pub fn parse(
    body: &[u8],
    name: &str,
    content_type: Option<&str>,
) -> Result<BTreeMap<String, VersionInfo>, String> {
    if let Some(ct) = content_type
        && ct.to_ascii_lowercase().contains("html")
    {
        return Err(format!(
            "the index answered `{ct}`: it does not serve the JSON simple API (PEP 691), which lockgate needs"
        ));
    }
    let page: Page =
        serde_json::from_slice(body).map_err(|e| format!("not a PEP 691 project page: {e}"))?;
    let major = page.meta.api_version.split('.').next().unwrap_or("");
    if major != "1" {
        return Err(format!(
            "simple API version {} is not one lockgate reads (1.x)",
            page.meta.api_version
        ));
    }
    let norm = pep503(name);
    let mut out: BTreeMap<String, VersionInfo> = BTreeMap::new();
    for v in page.versions.iter().flatten() {
        out.entry(v.clone()).or_insert_with(|| VersionInfo {
            install_scripts: None,
            files: Vec::new(),
            published: None,
            yanked: false,
        });
    }
    for f in page.files {
        let Some(version) = version_of(&f.filename, &norm) else {
            // Installers (.exe, .msi, .rpm, …) whose version cannot be read; pip
            // ignores them too. A lockfile hash of one is reported as a mismatch.
            continue;
        };
        let mut hashes = Vec::new();
        for (alg, hex) in &f.hashes {
            let alg = alg.to_ascii_lowercase();
            if crate::model::hash::digest_len(&alg).is_none() {
                continue; // algorithms lockgate does not compare (e.g. blake2b)
            }
            hashes.push(Hash::from_hex(&alg, hex).map_err(|e| format!("{}: {e}", f.filename))?);
        }
        hashes.sort();
        let uploaded = match &f.upload_time {
            Some(t) => Some(parse_timestamp(t).ok_or_else(|| {
                format!("{}: upload-time {t:?} is not an RFC 3339 time", f.filename)
            })?),
            None => None,
        };
        let entry = out.entry(version).or_insert_with(|| VersionInfo {
            install_scripts: None,
            files: Vec::new(),
            published: None,
            yanked: false,
        });
        entry.files.push(FileInfo {
            filename: f.filename,
            url: f.url,
            hashes,
            uploaded,
            yanked: f.yanked.is_yanked(),
            yanked_reason: f.yanked.reason(),
        });
    }
    for v in out.values_mut() {
        v.published = v.files.iter().filter_map(|f| f.uploaded).min();
        v.yanked = !v.files.is_empty() && v.files.iter().all(|f| f.yanked);
    }
    Ok(out)
}

/// The version in a distribution's file name, `None` when it cannot be read.
///
/// Wheels (`name-ver(-build)?-py-abi-plat.whl`) and eggs (`name-ver-pyX.egg`) give it
/// as the second field; sdists (`name-ver.tar.gz`, `.zip`, …) after the longest prefix
/// whose PEP 503 form is the project's name (old sdists keep `-` in the name).
pub fn version_of(filename: &str, normalized: &str) -> Option<String> {
    if let Some(stem) = filename
        .strip_suffix(".whl")
        .or_else(|| filename.strip_suffix(".egg"))
    {
        let mut parts = stem.split('-');
        parts.next()?;
        return parts.next().filter(|v| !v.is_empty()).map(str::to_string);
    }
    let stem = [
        ".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".zip", ".tar", ".tbz", ".tar.Z",
    ]
    .iter()
    .find_map(|ext| filename.strip_suffix(ext))?;
    let mut best = None;
    for (i, _) in stem.match_indices('-') {
        if pep503(&stem[..i]) == normalized {
            best = Some(i);
        }
    }
    let i = best.or_else(|| stem.rfind('-'))?;
    let v = &stem[i + 1..];
    (!v.is_empty()).then(|| v.to_string())
}

/// A version as PEP 440 compares it, roughly: lowercase, no leading `v`, `-` and `_`
/// as `.`. Used to find `1.0-RC1` under `1.0.rc1` when the exact spelling is absent.
pub fn loose_version(v: &str) -> String {
    let v = v.trim().to_ascii_lowercase();
    let v = v.strip_prefix('v').unwrap_or(&v);
    v.replace(['-', '_'], ".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_from_file_names() {
        for (file, name, version) in [
            (
                "requests-2.32.0-py3-none-any.whl",
                "requests",
                Some("2.32.0"),
            ),
            ("requests-2.9.2.tar.gz", "requests", Some("2.9.2")),
            (
                "python-dateutil-2.8.2.tar.gz",
                "python-dateutil",
                Some("2.8.2"),
            ),
            (
                "python_dateutil-2.9.0.post0.tar.gz",
                "python-dateutil",
                Some("2.9.0.post0"),
            ),
            ("six-1.10.0-py2.7.egg", "six", Some("1.10.0")),
            ("pkg-1.0.win32.exe", "pkg", None),
        ] {
            assert_eq!(version_of(file, name).as_deref(), version, "{file}");
        }
    }

    #[test]
    fn html_and_new_major_versions_are_errors() {
        assert!(
            parse(b"<html>", "x", Some("text/html"))
                .unwrap_err()
                .contains("PEP 691")
        );
        let v2 = br#"{"meta":{"api-version":"2.0"},"name":"x","files":[]}"#;
        assert!(parse(v2, "x", None).is_err());
    }

    #[test]
    fn yanked_only_when_every_file_is() {
        let body = br#"{"meta":{"api-version":"1.1"},"name":"x","versions":["1.0","2.0"],"files":[
            {"filename":"x-1.0.tar.gz","url":"u","hashes":{"sha256":"8f42a60cbdf9a97f5d2305f08a87dc4e09308d1276d28c869c684d7777685682"},"upload-time":"2020-01-01T00:00:00.123456Z","yanked":"broken"},
            {"filename":"x-1.0-py3-none-any.whl","url":"u","hashes":{"sha256":"3bd1574e617a9a6c1f8f8181bd7e841e1f20e4277607ef28945765188d6284d4"},"yanked":false}]}"#;
        let v = parse(body, "x", Some("application/vnd.pypi.simple.v1+json")).unwrap();
        assert!(!v["1.0"].yanked);
        assert_eq!(v["1.0"].files.len(), 2);
        assert_eq!(v["1.0"].published, Some(1_577_836_800));
        assert!(v["2.0"].files.is_empty());
    }
}
