//! Yarn's own configuration: `.yarnrc` (yarn classic, 1.x) and `.yarnrc.yml` (yarn
//! berry, 2+). Yarn reads both from the project folder and every parent folder.
//!
//! `.yarnrc` (classic) is a list of `key value` lines (either part may be quoted, `#`
//! starts a comment line). Read: `registry` and `"@scope:registry"` (where packages
//! are fetched from; yarn classic also fetches the lockfile's registry.yarnpkg.com
//! tarballs from a configured registry) and `strict-ssl false`. Yarn classic reads
//! `.npmrc` too (see [`super::npmrc`]).
//!
//! `.yarnrc.yml` (berry) is YAML. Read: `npmRegistryServer`,
//! `npmScopes.<scope>.npmRegistryServer` (where packages are fetched from),
//! `checksumBehavior` (`ignore` skips the checksum check, `update` and `reset`
//! overwrite the lockfile's checksums with whatever was fetched: all three turn the
//! check off; only `throw`, the default, keeps it), `unsafeHttpWhitelist` (hosts
//! fetched over plain HTTP), `enableStrictSsl: false` (TLS certificates not
//! verified). `${VAR}` references are not expanded: a registry
//! that depends on one is reported.
//!
//! Not read: `npmRegistries` (authentication per registry), `npmPublishRegistry`,
//! `httpsCaFilePath` and `caFilePath` (extra trusted certificates), plugins.

use super::config_text::{npm_style_setting, parse_yaml};
use super::{Found, Setting, config_error};
use crate::lockfile::ParseError;
use crate::model::Ecosystem;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::path::Path;

/// The settings of a yarn classic `.yarnrc` that matter.
pub fn read_classic(path: &Path, text: &str) -> Result<Vec<Found>, ParseError> {
    let mut out = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let line_no = i + 1;
        let t = raw.trim_end_matches('\r').trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let (key, rest) = token(t).map_err(|m| config_error(path, Some(line_no), m))?;
        let (value, _) =
            token(rest.trim_start()).map_err(|m| config_error(path, Some(line_no), m))?;
        let lower = key.to_ascii_lowercase();
        let setting = npm_style_setting(&lower, &value, |v| v.eq_ignore_ascii_case("false"));
        let installer = "yarn classic";
        out.extend(setting.map(|s| Found::at(path, line_no, Ecosystem::Npm, installer, key, s)));
    }
    Ok(out)
}

/// One token of a `.yarnrc` line: a double-quoted string or a run of non-blanks.
fn token(s: &str) -> Result<(String, &str), String> {
    if let Some(rest) = s.strip_prefix('"') {
        let mut escaped = false;
        for (i, c) in rest.char_indices() {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                let quoted = &s[..i + 2];
                let v = serde_json::from_str::<String>(quoted)
                    .map_err(|_| format!("cannot read the quoted string {quoted}"))?;
                return Ok((v, &rest[i + 1..]));
            }
        }
        return Err(format!("unterminated string in `{s}`: close the quote"));
    }
    let end = s.find(char::is_whitespace).unwrap_or(s.len());
    Ok((s[..end].to_string(), &s[end..]))
}

/// A boolean as yarn berry reads it (a YAML boolean or the strings `true`/`false`).
#[derive(Deserialize, Debug)]
#[serde(untagged)]
enum Flag {
    Bool(bool),
    Text(String),
}

impl Flag {
    fn is_false(&self) -> bool {
        match self {
            Flag::Bool(b) => !b,
            Flag::Text(s) => s.trim().eq_ignore_ascii_case("false") || s.trim() == "0",
        }
    }
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct Berry {
    npm_registry_server: Option<Spanned<String>>,
    #[serde(default)]
    npm_scopes: Option<BTreeMap<String, Scope>>,
    checksum_behavior: Option<Spanned<String>>,
    unsafe_http_whitelist: Option<Spanned<Vec<Spanned<String>>>>,
    enable_strict_ssl: Option<Spanned<Flag>>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct Scope {
    npm_registry_server: Option<Spanned<String>>,
}

/// The settings of a yarn berry `.yarnrc.yml` that matter.
pub fn read_berry(path: &Path, text: &str) -> Result<Vec<Found>, ParseError> {
    let cfg: Option<Berry> = parse_yaml(path, text, ".yarnrc.yml")?;
    let cfg = cfg.unwrap_or_default();
    let mut out = Vec::new();
    let mut push = |line: usize, key: String, setting: Setting| {
        out.push(Found::at(
            path,
            line,
            Ecosystem::Npm,
            "yarn berry",
            key,
            setting,
        ))
    };
    if let Some(s) = cfg.npm_registry_server {
        push(
            s.referenced.line() as usize,
            "npmRegistryServer".into(),
            Setting::Source {
                kind: "registry",
                location: s.value,
            },
        );
    }
    for (scope, sc) in cfg.npm_scopes.unwrap_or_default() {
        if let Some(s) = sc.npm_registry_server {
            push(
                s.referenced.line() as usize,
                format!("npmScopes.{scope}.npmRegistryServer"),
                Setting::Source {
                    kind: "registry",
                    location: s.value,
                },
            );
        }
    }
    if let Some(s) = cfg.checksum_behavior {
        match s.value.as_str() {
            "throw" => {}
            "ignore" | "update" | "reset" => push(
                s.referenced.line() as usize,
                "checksumBehavior".into(),
                Setting::VerificationOff {
                    effect: format!(
                        "the checksum check of fetched packages (`checksumBehavior: {}`)",
                        s.value
                    ),
                },
            ),
            other => {
                return Err(config_error(
                    path,
                    Some(s.referenced.line() as usize),
                    format!(
                        "unknown checksumBehavior `{other}`: yarn accepts throw, update, reset or ignore"
                    ),
                ));
            }
        }
    }
    if let Some(list) = cfg.unsafe_http_whitelist {
        for host in list.value {
            push(
                host.referenced.line() as usize,
                "unsafeHttpWhitelist".into(),
                Setting::VerificationOff {
                    effect: format!("TLS for `{}` (fetched over plain HTTP)", host.value),
                },
            );
        }
    }
    if let Some(f) = cfg.enable_strict_ssl
        && f.value.is_false()
    {
        push(
            f.referenced.line() as usize,
            "enableStrictSsl".into(),
            Setting::VerificationOff {
                effect: "TLS certificate verification".into(),
            },
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_registry_scope_and_strict_ssl() {
        let got = crate::installer::tests::read_case(".yarnrc");
        assert_eq!(
            got[0].setting,
            Setting::Source {
                kind: "registry",
                location: "http://other-host/".into()
            }
        );
        assert!(matches!(got[2].setting, Setting::VerificationOff { .. }));
    }

    #[test]
    fn classic_unterminated_quote_is_an_error() {
        let e = read_classic(Path::new(".yarnrc"), "a b\nregistry \"http://x/\n").unwrap_err();
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn berry_checksum_behaviours_other_than_throw() {
        for v in ["update", "reset", "ignore"] {
            let got = read_berry(Path::new("y"), &format!("checksumBehavior: {v}\n")).unwrap();
            assert_eq!(got.len(), 1, "{v}");
        }
    }

    #[test]
    fn berry_malformed_is_an_error_with_a_line() {
        let e = read_berry(Path::new("y"), "a: b\nnpmRegistryServer: [\n").unwrap_err();
        assert!(e.line.is_some());
        let e = read_berry(Path::new("y"), "checksumBehavior: maybe\n").unwrap_err();
        assert_eq!(e.line, Some(1));
    }
}
