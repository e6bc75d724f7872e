//! `bunfig.toml`, bun's configuration (bun reads the project's file from the folder it
//! runs in; bun also reads `.npmrc`, see [`super::npmrc`]).
//!
//! Read: `[install] registry` (the default registry, a URL string or a table with
//! `url`) and `[install.scopes]` (one registry per scope, same forms). bun has no
//! setting that turns integrity checking off.
//!
//! Not read: tokens and credentials in those tables, `[install.cache]`, the
//! security scanner setting, and everything outside `[install]`.

use super::{Found, Setting, TomlDoc, config_error, toml_table};
use crate::lockfile::ParseError;
use crate::model::Ecosystem;
use std::path::Path;

/// The settings of a `bunfig.toml` that matter.
pub fn read(path: &Path, text: &str) -> Result<Vec<Found>, ParseError> {
    let toml = TomlDoc::parse(path, text)?;
    let mut out = Vec::new();
    let Some(install) = toml.doc.get("install") else {
        return Ok(out);
    };
    let install = toml_table(
        path,
        &toml,
        install,
        "`install` must be a table: `[install]`",
    )?;
    let mut registry = |key: String, item: &toml_edit::Item| -> Result<(), ParseError> {
        let url = match item.as_str() {
            Some(s) => s.to_string(),
            None => item
                .as_table_like()
                .and_then(|t| t.get("url"))
                .and_then(|u| u.as_str())
                .map(String::from)
                .ok_or_else(|| {
                    config_error(
                        path,
                        Some(toml.line(item.span())),
                        format!("`{key}` must be a URL string or a table with `url`"),
                    )
                })?,
        };
        let line = toml.line(item.span());
        let setting = Setting::Source {
            kind: "registry",
            location: url,
        };
        out.push(Found::at(path, line, Ecosystem::Npm, "bun", key, setting));
        Ok(())
    };
    if let Some(item) = install.get("registry") {
        registry("install.registry".to_string(), item)?;
    }
    if let Some(scopes) = install.get("scopes") {
        let message = "`install.scopes` must be a table: `[install.scopes]`";
        let t = toml_table(path, &toml, scopes, message)?;
        for (name, item) in t.iter() {
            registry(format!("install.scopes.{name}"), item)?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_registries() {
        let got = crate::installer::tests::read_case("bunfig.toml");
        assert_eq!(
            got[1].setting,
            Setting::Source {
                kind: "registry",
                location: "https://npm.acme.example/".into()
            }
        );
    }

    #[test]
    fn a_wrong_type_is_an_error() {
        assert!(read(Path::new("b"), "[install]\nregistry = 3\n").is_err());
    }
}
