//! Helpers the readers of installer configuration files share: parsing a YAML
//! file with the line of its first error, and recording one setting found at a
//! line.

use super::{Found, Setting, config_error};
use crate::lockfile::{Ecosystem, ParseError};
use serde::Deserialize;
use std::path::Path;

/// Parse a YAML configuration file (`what` names it in the message, e.g.
/// `.yarnrc.yml`); a syntax error is a [`config_error`] at its line with the
/// first line of the parser's message.
pub(crate) fn parse_yaml<'a, T: Deserialize<'a>>(
    path: &Path,
    text: &'a str,
    what: &str,
) -> Result<Option<T>, ParseError> {
    serde_saphyr::from_str_with_options(text, crate::lockfile::pnpm::yaml_options()).map_err(|e| {
        let line = e.location().map(|l| l.line() as usize);
        let message = e.without_snippet().to_string();
        let first = message.lines().next().map_or("malformed YAML", str::trim);
        config_error(path, line, format!("malformed {what}: {first}"))
    })
}

impl Found {
    /// A setting `key` at 1-based `line` of `path`, read by `installer`.
    pub(crate) fn at(
        path: &Path,
        line: usize,
        ecosystem: Ecosystem,
        installer: &'static str,
        key: String,
        setting: Setting,
    ) -> Found {
        Found {
            file: path.to_path_buf(),
            line,
            ecosystem,
            installer,
            key,
            setting,
        }
    }
}

/// The setting of a key that npm's `.npmrc` and yarn classic's `.yarnrc` read
/// alike (`lower_key` lowercased): `registry` and `@scope:registry` name a
/// registry, `strict-ssl` false turns TLS verification off. `is_false` is the
/// file's own reading of a false value.
pub(crate) fn npm_style_setting(
    lower_key: &str,
    value: &str,
    is_false: impl Fn(&str) -> bool,
) -> Option<Setting> {
    if lower_key == "registry" || (lower_key.starts_with('@') && lower_key.ends_with(":registry")) {
        Some(Setting::Source {
            kind: "registry",
            location: value.to_string(),
        })
    } else if lower_key == "strict-ssl" && is_false(value) {
        Some(Setting::VerificationOff {
            effect: "TLS certificate verification".to_string(),
        })
    } else {
        None
    }
}
