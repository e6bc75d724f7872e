//! The cargo sparse index (RFC 2789), as served by `index.crates.io` and mirrors.
//!
//! A crate's index file lives at a path derived from its lowercased name: `1/{name}`,
//! `2/{name}`, `3/{first letter}/{name}`, or `{first two}/{next two}/{name}`. The file
//! holds one JSON object per published version, one per line; lockgate reads `vers`,
//! `cksum` (the sha256 of the `.crate` archive, the hash `Cargo.lock` records),
//! `yanked`, and `pubtime` (RFC 3339, present on versions published since 2024 and
//! back-filled on crates.io). Other fields (dependencies, features) are not read.
//! The archive's download URL comes from the index's `config.json` (`dl`), which is
//! fetched only in deep mode.

use super::{FileInfo, VersionInfo, parse_timestamp};
use crate::model::Hash;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The crates.io sparse index.
pub const DEFAULT_INDEX: &str = "https://index.crates.io/";

/// The path of a crate's index file, relative to the index root.
pub fn index_path(name: &str) -> String {
    let name = name.to_ascii_lowercase();
    let chars: Vec<char> = name.chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => format!("1/{name}"),
        2 => format!("2/{name}"),
        3 => format!("3/{}/{name}", chars[0]),
        _ => {
            let a: String = chars[0..2].iter().collect();
            let b: String = chars[2..4].iter().collect();
            format!("{a}/{b}/{name}")
        }
    }
}

/// True when a crate name can be asked for: ASCII letters, digits, `-` and `_`
/// (anything else cannot be on crates.io and is not put into a URL).
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The URL of a crate's index file under `base` (which ends with `/`).
pub fn document_url(base: &str, name: &str) -> String {
    format!("{base}{}", index_path(name))
}

#[derive(Deserialize)]
struct Line<'a> {
    #[serde(borrow)]
    name: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    vers: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    cksum: std::borrow::Cow<'a, str>,
    #[serde(default)]
    yanked: bool,
    #[serde(default, borrow)]
    pubtime: Option<std::borrow::Cow<'a, str>>,
}

/// Parse an index file into its versions. Every non-empty line must be a version
/// record of the crate asked for with a valid sha256 `cksum`; anything else is an error
/// (naming the line), never a skipped line.
pub fn parse(body: &[u8], name: &str) -> Result<BTreeMap<String, VersionInfo>, String> {
    let text = std::str::from_utf8(body).map_err(|e| format!("index file is not UTF-8: {e}"))?;
    let want = name.to_ascii_lowercase().replace('_', "-");
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let rec: Line<'_> = serde_json::from_str(line)
            .map_err(|e| format!("line {}: not an index record: {e}", i + 1))?;
        if rec.name.to_ascii_lowercase().replace('_', "-") != want {
            return Err(format!(
                "line {}: record for `{}` in the index file of `{name}`",
                i + 1,
                rec.name
            ));
        }
        let hash =
            Hash::from_hex("sha256", &rec.cksum).map_err(|e| format!("line {}: {e}", i + 1))?;
        let published = match &rec.pubtime {
            Some(t) => Some(parse_timestamp(t).ok_or_else(|| {
                format!("line {}: `pubtime` {t:?} is not an RFC 3339 time", i + 1)
            })?),
            None => None,
        };
        out.insert(
            rec.vers.to_string(),
            VersionInfo {
                install_scripts: None,
                files: vec![FileInfo {
                    filename: format!("{}-{}.crate", rec.name, rec.vers),
                    url: None,
                    hashes: vec![hash],
                    uploaded: published,
                    yanked: rec.yanked,
                    yanked_reason: None,
                }],
                published,
                yanked: rec.yanked,
            },
        );
    }
    Ok(out)
}

/// The download URL of a `.crate` from the index's `config.json` `dl` value: a
/// template with `{crate}`, `{version}`, `{prefix}`, `{lowerprefix}`, `{sha256-checksum}`
/// markers, or (without markers) a base to which `/{crate}/{version}/download` is appended.
pub fn download_url(dl: &str, name: &str, version: &str, sha256: &str) -> String {
    let markers = [
        "{crate}",
        "{version}",
        "{prefix}",
        "{lowerprefix}",
        "{sha256-checksum}",
    ];
    if !markers.iter().any(|m| dl.contains(m)) {
        return format!("{}/{name}/{version}/download", dl.trim_end_matches('/'));
    }
    let prefix = index_path(name);
    let prefix = prefix
        .rsplit_once('/')
        .map(|(p, _)| p.to_string())
        .unwrap_or_default();
    dl.replace("{crate}", name)
        .replace("{version}", version)
        .replace("{lowerprefix}", &prefix.to_ascii_lowercase())
        .replace("{prefix}", &prefix)
        .replace("{sha256-checksum}", sha256)
}

/// Read `dl` from an index's `config.json`.
pub fn parse_config(body: &[u8]) -> Result<String, String> {
    #[derive(Deserialize)]
    struct Config {
        dl: String,
    }
    serde_json::from_slice::<Config>(body)
        .map(|c| c.dl)
        .map_err(|e| format!("config.json: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_paths_follow_the_length_rules() {
        crate::test_support::assert_maps(
            index_path,
            &[
                ("a", "1/a"),
                ("cc", "2/cc"),
                ("log", "3/l/log"),
                ("Serde_JSON", "se/rd/serde_json"),
                ("itoa", "it/oa/itoa"),
            ],
        );
    }

    #[test]
    fn records_parse_and_garbage_names_its_line() {
        let body = br#"{"name":"x1","vers":"0.1.0","deps":[],"cksum":"8f42a60cbdf9a97f5d2305f08a87dc4e09308d1276d28c869c684d7777685682","features":{},"yanked":true,"pubtime":"2026-03-20T00:12:37Z"}
"#;
        let v = parse(body, "x1").unwrap();
        assert!(v["0.1.0"].yanked);
        assert_eq!(v["0.1.0"].published, Some(1_773_965_557));
        let bad = [&body[..], b"{not json\n"].concat();
        assert!(parse(&bad, "x1").unwrap_err().starts_with("line 2:"));
        assert!(parse(body, "other").is_err());
    }

    #[test]
    fn download_urls_from_templates() {
        assert_eq!(
            download_url("https://static.crates.io/crates", "serde", "1.0.0", "x"),
            "https://static.crates.io/crates/serde/1.0.0/download"
        );
        assert_eq!(
            download_url(
                "https://m.example/{prefix}/{crate}-{version}.crate",
                "serde",
                "1.0.0",
                "x"
            ),
            "https://m.example/se/rd/serde-1.0.0.crate"
        );
    }
}
