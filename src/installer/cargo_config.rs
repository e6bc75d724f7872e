//! Cargo's configuration files, `.cargo/config.toml` and the older `.cargo/config`:
//! cargo reads them from the folder it runs in and every parent folder.
//!
//! Read:
//! - `[source.<name>]` definitions: `registry` (a registry index, kind `registry`),
//!   `local-registry` and `directory` (a folder of crates, e.g. `cargo vendor`'s
//!   output, kind `path`: cargo checks vendored crates only against the
//!   `.cargo-checksum.json` files beside them, which the repository also holds) and
//!   `git` (kind `git`). With `replace-with`, such a source takes the place of
//!   crates.io or of another source for every crate, whatever Cargo.lock records;
//!   every definition is reported, whether something replaces with it or not (a
//!   definition in one file can be used from another);
//! - `[registries.<name>] index`: an alternative registry (kind `registry`);
//! - `[patch.<source>]` entries: a crate taken from `git` or `path` (kinds `git`,
//!   `path`) or from another registry (`registry = "<name>"`, resolved through the
//!   `[registries]` of the same file when defined there; otherwise the name is
//!   reported as is).
//!
//! The `replace-with` lines themselves, `[net]`, `[http]` (TLS settings), `[build]`
//! and the rest are not read: cargo always verifies the checksums of registry
//! crates, and what is built from a `[build]` wrapper is out of lockgate's reach.

use super::{Found, Setting, TomlDoc, config_error, toml_str};
use crate::lockfile::ParseError;
use crate::model::Ecosystem;
use std::path::Path;

const INSTALLER: &str = "cargo";

/// The settings of a cargo configuration file that matter.
pub fn read(path: &Path, text: &str) -> Result<Vec<Found>, ParseError> {
    let toml = TomlDoc::parse(path, text)?;
    let root = toml.doc.as_table();
    let mut out = Vec::new();
    let table = |name: &str| -> Result<Option<&dyn toml_edit::TableLike>, ParseError> {
        match root.get(name) {
            None => Ok(None),
            Some(item) => item.as_table_like().map(Some).ok_or_else(|| {
                config_error(
                    path,
                    Some(toml.line(item.span())),
                    format!("`{name}` must be a table: `[{name}.NAME]`"),
                )
            }),
        }
    };
    let push = |out: &mut Vec<Found>, line, key: String, kind, location: &str| {
        let setting = Setting::Source {
            kind,
            location: location.to_string(),
        };
        out.push(Found::at(
            path,
            line,
            Ecosystem::Cargo,
            INSTALLER,
            key,
            setting,
        ))
    };
    if let Some(sources) = table("source")? {
        for (name, item) in sources.iter() {
            let t = entry_table(path, &toml, "source", name, item)?;
            for (key, kind) in [
                ("registry", "registry"),
                ("local-registry", "path"),
                ("directory", "path"),
                ("git", "git"),
            ] {
                if let Some((k, v)) = t.get_key_value(key) {
                    let full = format!("source.{name}.{key}");
                    let loc = toml_str(path, &toml, v, &full)?;
                    push(&mut out, toml.line(k.span().or(v.span())), full, kind, loc);
                }
            }
        }
    }
    let mut registries: Vec<(String, String)> = Vec::new();
    if let Some(regs) = table("registries")? {
        for (name, item) in regs.iter() {
            let t = entry_table(path, &toml, "registries", name, item)?;
            if let Some((k, v)) = t.get_key_value("index") {
                let full = format!("registries.{name}.index");
                let loc = toml_str(path, &toml, v, &full)?;
                registries.push((name.to_string(), loc.to_string()));
                push(
                    &mut out,
                    toml.line(k.span().or(v.span())),
                    full,
                    "registry",
                    loc,
                );
            }
        }
    }
    if let Some(patches) = table("patch")? {
        for (source, item) in patches.iter() {
            let crates = entry_table(path, &toml, "patch", source, item)?;
            for (krate, spec) in crates.iter() {
                let full = format!("patch.{source}.{krate}");
                let message = format!(
                    "`{full}` must be a table, e.g. {{ git = \"…\" }} or {{ path = \"…\" }}"
                );
                let t = super::toml_table(path, &toml, spec, message)?;
                let line = toml.line(
                    crates
                        .get_key_value(krate)
                        .and_then(|(k, _)| k.span())
                        .or(spec.span()),
                );
                // the first of these keys is where the patch comes from
                let from = ["git", "path", "registry"]
                    .into_iter()
                    .find_map(|kind| Some((kind, t.get(kind)?)));
                let Some((kind, v)) = from else { continue };
                let value = toml_str(path, &toml, v, kind)?;
                let loc = match kind {
                    "registry" => registries
                        .iter()
                        .find(|(n, _)| n == value)
                        .map(|(_, u)| u.clone())
                        .unwrap_or_else(|| format!("the registry named `{value}`")),
                    _ => value.to_string(),
                };
                push(&mut out, line, full, kind, &loc);
            }
        }
    }
    Ok(out)
}

fn entry_table<'a>(
    path: &Path,
    toml: &TomlDoc,
    what: &str,
    name: &str,
    item: &'a toml_edit::Item,
) -> Result<&'a dyn toml_edit::TableLike, ParseError> {
    super::toml_table(path, toml, item, format!("`{what}.{name}` must be a table"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(usize, String, &'static str, String)> {
        read(Path::new(".cargo/config.toml"), text)
            .unwrap()
            .into_iter()
            .map(|f| match f.setting {
                Setting::Source { kind, location } => (f.line, f.key, kind, location),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn source_replacement_registries_and_patches() {
        let text = r#"[source.crates-io]
replace-with = "mirror"

[source.mirror]
registry = "sparse+https://mirror.example/index/"

[source.vendored]
directory = "vendor"

[registries.acme]
index = "https://crates.acme.example/git/index"

[patch.crates-io]
serde = { git = "https://github.com/attacker/serde" }
log = { path = "../log" }
rand = { version = "0.8", registry = "acme" }

[net]
git-fetch-with-cli = true
"#;
        let got = kinds(text);
        assert_eq!(
            got,
            vec![
                (
                    5,
                    "source.mirror.registry".into(),
                    "registry",
                    "sparse+https://mirror.example/index/".into()
                ),
                (
                    8,
                    "source.vendored.directory".into(),
                    "path",
                    "vendor".into()
                ),
                (
                    11,
                    "registries.acme.index".into(),
                    "registry",
                    "https://crates.acme.example/git/index".into()
                ),
                (
                    14,
                    "patch.crates-io.serde".into(),
                    "git",
                    "https://github.com/attacker/serde".into()
                ),
                (15, "patch.crates-io.log".into(), "path", "../log".into()),
                (
                    16,
                    "patch.crates-io.rand".into(),
                    "registry",
                    "https://crates.acme.example/git/index".into()
                ),
            ]
        );
    }

    #[test]
    fn dotted_keys_and_a_wrong_type() {
        let got = kinds("source.mirror.local-registry = \"/srv/crates\"\n");
        assert_eq!(got[0].2, "path");
        assert!(read(Path::new("c"), "[source.x]\nregistry = 1\n").is_err());
    }
}
