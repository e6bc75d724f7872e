//! `.npmrc`, as npm reads it (with the `ini` package) — and pnpm, yarn classic and bun,
//! which read the project's `.npmrc` too.
//!
//! Read: `registry` (the default registry: with npm's default
//! `replace-registry-host=npmjs`, every tarball the lockfile places on
//! registry.npmjs.org is fetched from this registry instead — confirmed with npm 11),
//! `@scope:registry` (the registry of one scope), `strict-ssl=false` (TLS certificates
//! not verified) and pnpm's `verify-store-integrity=false` (store content not checked
//! against its integrity).
//!
//! The syntax is the `ini` package's: `key=value` lines, `;` or `#` starts a comment
//! line, and in an unquoted value an unescaped `;` or `#` starts a comment; a value in
//! matching quotes is taken whole. Keys in a `[section]` are not npm settings and are
//! skipped. Keys are compared without regard to case (a key npm would not recognise is
//! at worst reported, never missed). `${VAR}` references are not expanded: a registry
//! that depends on one is reported, since its value is not in the repository.
//!
//! Not read: authentication (`//host/:_authToken`…), `ca`/`cafile` (extra trusted
//! certificates), `replace-registry-host` itself (it only decides which tarballs the
//! `registry` setting redirects, and that setting is held to the policy either way).

use super::config_text::npm_style_setting;
use super::{Found, Setting, config_error};
use crate::lockfile::ParseError;
use crate::model::Ecosystem;
use std::path::Path;

const INSTALLER: &str = "npm, pnpm, yarn classic and bun";

/// The settings of an `.npmrc` that matter.
pub fn read(path: &Path, text: &str) -> Result<Vec<Found>, ParseError> {
    let mut out = Vec::new();
    let mut in_section = false;
    for (i, raw) in text.split('\n').enumerate() {
        let line_no = i + 1;
        let line = raw.trim_end_matches('\r');
        let t = line.trim();
        if t.is_empty() || t.starts_with(';') || t.starts_with('#') {
            continue;
        }
        if t.starts_with('[') {
            if !t.ends_with(']') {
                return Err(config_error(
                    path,
                    Some(line_no),
                    format!("`{t}` opens a section but does not close it with `]`"),
                ));
            }
            in_section = true;
            continue;
        }
        if in_section {
            continue;
        }
        let (key, value) = match line.split_once('=') {
            Some((k, v)) => (unquote(k.trim()), Some(unquote(v.trim()))),
            None => (unquote(t), None),
        };
        let lower = key.to_ascii_lowercase();
        let value_str = value.clone().unwrap_or_else(|| "true".to_string());
        let setting = npm_style_setting(&lower, &value_str, is_false).or_else(|| {
            (lower == "verify-store-integrity" && is_false(&value_str)).then(|| {
                Setting::VerificationOff {
                    effect: "pnpm's integrity check of the package store".to_string(),
                }
            })
        });
        out.extend(setting.map(|s| Found::at(path, line_no, Ecosystem::Npm, INSTALLER, key, s)));
    }
    Ok(out)
}

/// `false` as npm's config types read it.
fn is_false(v: &str) -> bool {
    v.trim().eq_ignore_ascii_case("false")
}

/// The `ini` package's `unsafe`: a value in matching quotes is taken whole (JSON
/// unescaping for double quotes), otherwise an unescaped `;` or `#` ends it and `\;`,
/// `\#`, `\\` are unescaped.
fn unquote(v: &str) -> String {
    let bytes = v.as_bytes();
    if bytes.len() >= 2
        && (bytes[0] == b'"' || bytes[0] == b'\'')
        && bytes[bytes.len() - 1] == bytes[0]
    {
        let inner = &v[1..v.len() - 1];
        if bytes[0] == b'"'
            && let Ok(s) = serde_json::from_str::<String>(v)
        {
            return s;
        }
        return inner.to_string();
    }
    let mut out = String::new();
    let mut escaped = false;
    for c in v.chars() {
        if escaped {
            if !matches!(c, '\\' | ';' | '#') {
                out.push('\\');
            }
            out.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == ';' || c == '#' {
            break;
        } else {
            out.push(c);
        }
    }
    if escaped {
        out.push('\\');
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<(usize, String, Setting)> {
        read(Path::new(".npmrc"), text)
            .unwrap()
            .into_iter()
            .map(|f| (f.line, f.key, f.setting))
            .collect()
    }

    fn reg(s: &str) -> Setting {
        Setting::Source {
            kind: "registry",
            location: s.to_string(),
        }
    }

    #[test]
    fn registries_and_scopes_with_lines() {
        let got = parse(
            "; comment\n# comment\nregistry=http://other-host/\n@acme:registry = \"https://npm.acme.example/\"\n//npm.acme.example/:_authToken=${TOKEN}\nsave-exact=true\n",
        );
        assert_eq!(
            got,
            vec![
                (3, "registry".to_string(), reg("http://other-host/")),
                (
                    4,
                    "@acme:registry".to_string(),
                    reg("https://npm.acme.example/")
                ),
            ]
        );
    }

    #[test]
    fn inline_comments_and_escapes_as_ini_reads_them() {
        assert_eq!(
            parse("registry=https://a.example/ ; the mirror\n")[0].2,
            reg("https://a.example/")
        );
        assert_eq!(
            parse("registry=https://a.example/x\\#y\n")[0].2,
            reg("https://a.example/x#y")
        );
        assert_eq!(
            parse("REGISTRY='https://a.example/;x'\n")[0].2,
            reg("https://a.example/;x")
        );
    }

    #[test]
    fn verification_off() {
        let got = parse("strict-ssl=false\nstrict-ssl=true\nverify-store-integrity=false\r\n");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, 1);
        assert!(matches!(got[0].2, Setting::VerificationOff { .. }));
        assert_eq!(got[1].0, 3);
    }

    #[test]
    fn sections_are_not_settings() {
        assert!(parse("[somewhere]\nregistry=http://x/\n").is_empty());
        let e = read(Path::new(".npmrc"), "a=b\n[broken\n").unwrap_err();
        assert_eq!(e.line, Some(2));
    }
}
