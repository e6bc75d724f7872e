//! Python installer configuration committed in the project: `uv.toml`, the
//! `pyproject.toml` tables of uv, poetry and pdm, and the `Pipfile`'s sources.
//!
//! Read:
//! - uv (`uv.toml` at the top level, `pyproject.toml` under `[tool.uv]`; both also
//!   under their `pip` table for `uv pip`): `index-url`, `extra-index-url`,
//!   `find-links`, `[[index]]` `url` (each an index or a folder uv may install from:
//!   kind `registry` for a URL, `path` for a folder), `allow-insecure-host` (TLS not
//!   verified for those hosts) and `verify-hashes = false` (`uv pip` hash checking
//!   off);
//! - poetry: `[[tool.poetry.source]]` `url`, whatever its `priority` (primary,
//!   supplemental and explicit sources are all places poetry installs from);
//! - pdm: `[[tool.pdm.source]]` `url` (index or `find_links`), and `verify_ssl = false`;
//! - pipenv: the `Pipfile`'s `[[source]]` `url` and `verify_ssl = false`, and
//!   `verify_ssl: false` in a `Pipfile.lock`'s `_meta.sources` (what `pipenv sync`
//!   uses);
//! - poetry's project configuration `poetry.toml` (`poetry config --local`):
//!   `[repositories.NAME] url` and `[certificates.NAME] cert = false` (TLS not
//!   verified for that repository);
//! - pdm's project configuration `pdm.toml`: `[pypi] url`, `[pypi.NAME] url` and
//!   `verify_ssl = false` in either;
//! - pip: `--trusted-host` in a requirements file (TLS not verified for that host).
//!   The file's indexes (`--index-url`, `--extra-index-url`, `--find-links`) are
//!   already the source of its packages (see [`crate::lockfile::requirements`]).
//!
//! Not read: `[tool.uv.sources]` (per-package sources: uv.lock records where each such
//! package comes from, and that is checked there), pip's configuration files (pip
//! reads none from the project folder unless `PIP_CONFIG_FILE` names one), and
//! environment variables (`UV_INDEX_URL`, `PIP_INDEX_URL`, `PDM_PYPI_URL`…).

use super::{Found, Setting, TomlDoc, config_error, toml_false, toml_str};
use crate::lockfile::ParseError;
use crate::model::Ecosystem;
use std::path::Path;
use toml_edit::{Item, TableLike};

/// A place uv, pip, poetry, pdm or pipenv install from: a `registry` URL or a `path`.
fn source_setting(location: String) -> Setting {
    let kind = if location.contains("://") {
        "registry"
    } else {
        "path"
    };
    Setting::Source { kind, location }
}

struct Out<'a> {
    path: &'a Path,
    toml: &'a TomlDoc,
    found: Vec<Found>,
}

impl Out<'_> {
    fn push(&mut self, line: usize, installer: &'static str, key: String, setting: Setting) {
        let found = Found::at(self.path, line, Ecosystem::Pypi, installer, key, setting);
        self.found.push(found);
    }

    fn location(
        &mut self,
        item: &Item,
        installer: &'static str,
        key: String,
    ) -> Result<(), ParseError> {
        let loc = toml_str(self.path, self.toml, item, &key)?;
        let line = self.toml.line(item.span());
        self.push(line, installer, key, source_setting(loc.to_string()));
        Ok(())
    }

    fn off(&mut self, item: &Item, installer: &'static str, key: String, effect: String) {
        let line = self.toml.line(item.span());
        self.push(line, installer, key, Setting::VerificationOff { effect });
    }

    fn table<'t>(&self, item: &'t Item, key: &str) -> Result<&'t dyn TableLike, ParseError> {
        super::toml_table(
            self.path,
            self.toml,
            item,
            format!("`{key}` must be a table"),
        )
    }

    /// The strings of an inline array, each with its own line.
    fn strings(&self, item: &Item, key: &str) -> Result<Vec<(usize, String)>, ParseError> {
        let arr = item.as_array().ok_or_else(|| {
            config_error(
                self.path,
                Some(self.toml.line(item.span())),
                format!("`{key}` must be an array of strings"),
            )
        })?;
        arr.iter()
            .map(|v| {
                let line = self.toml.line(v.span().or(item.span()));
                v.as_str().map(|s| (line, s.to_string())).ok_or_else(|| {
                    config_error(
                        self.path,
                        Some(line),
                        format!("`{key}` must be an array of strings"),
                    )
                })
            })
            .collect()
    }

    fn string_list(
        &mut self,
        item: &Item,
        installer: &'static str,
        key: &str,
    ) -> Result<(), ParseError> {
        // uv accepts one string where a list is expected for some keys.
        if item.as_str().is_some() {
            return self.location(item, installer, key.to_string());
        }
        for (line, s) in self.strings(item, key)? {
            self.push(line, installer, key.to_string(), source_setting(s));
        }
        Ok(())
    }

    /// uv's settings in one table (`uv.toml`'s root, `[tool.uv]`, or their `pip`).
    fn uv(&mut self, t: &dyn TableLike, prefix: &str) -> Result<(), ParseError> {
        for (k, item) in t.iter() {
            let key = format!("{prefix}{k}");
            match k {
                "index-url" => self.location(item, "uv", key)?,
                "extra-index-url" | "find-links" => self.string_list(item, "uv", &key)?,
                "index" => {
                    for ix in self.array_of_tables(item, &key)? {
                        if let Some(url) = ix.get("url") {
                            self.location(url, "uv", format!("{key}.url"))?;
                        }
                    }
                }
                "allow-insecure-host" => {
                    let hosts = if item.as_str().is_some() {
                        vec![(
                            self.toml.line(item.span()),
                            item.as_str().unwrap_or_default().to_string(),
                        )]
                    } else {
                        self.strings(item, &key)?
                    };
                    for (line, host) in hosts {
                        self.push(
                            line,
                            "uv",
                            key.clone(),
                            Setting::VerificationOff {
                                effect: format!("TLS certificate verification for `{host}`"),
                            },
                        );
                    }
                }
                "verify-hashes" if toml_false(item) => self.off(
                    item,
                    "uv",
                    key,
                    "hash verification of `uv pip` installs".into(),
                ),
                "pip" => {
                    let p = self.table(item, &key)?;
                    self.uv(p, &format!("{key}."))?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The tables of `[[key]]` (or an array of inline tables); anything else is an error.
    fn array_of_tables<'i>(
        &self,
        item: &'i Item,
        key: &str,
    ) -> Result<Vec<&'i dyn TableLike>, ParseError> {
        if let Some(a) = item.as_array_of_tables() {
            Ok(a.iter().map(|t| t as &dyn TableLike).collect())
        } else if let Some(a) = item.as_array() {
            Ok(a.iter()
                .filter_map(|v| v.as_inline_table().map(|t| t as &dyn TableLike))
                .collect())
        } else {
            Err(config_error(
                self.path,
                Some(self.toml.line(item.span())),
                format!("`{key}` must be an array of tables: `[[{key}]]`"),
            ))
        }
    }

    /// One source table: its `url`, and any of `flags` set to false (TLS not verified).
    fn source(
        &mut self,
        t: &dyn TableLike,
        installer: &'static str,
        key: &str,
        flags: &[&str],
    ) -> Result<(), ParseError> {
        if let Some(url) = t.get("url") {
            self.location(url, installer, format!("{key}.url"))?;
        }
        for flag in flags {
            if let Some(v) = t.get(flag)
                && toml_false(v)
            {
                self.off(
                    v,
                    installer,
                    format!("{key}.{flag}"),
                    "TLS certificate verification".into(),
                );
            }
        }
        Ok(())
    }

    /// `[[…source]]` tables with `url` and `verify_ssl` (poetry, pdm, pipenv).
    fn sources(
        &mut self,
        item: &Item,
        installer: &'static str,
        key: &str,
    ) -> Result<(), ParseError> {
        for t in self.array_of_tables(item, key)? {
            self.source(t, installer, key, &["verify_ssl", "verify-ssl"])?;
        }
        Ok(())
    }
}

/// Parses a TOML file and collects what `read_with` finds in it.
fn read(
    path: &Path,
    text: &str,
    read_with: impl FnOnce(&mut Out<'_>) -> Result<(), ParseError>,
) -> Result<Vec<Found>, ParseError> {
    let toml = TomlDoc::parse(path, text)?;
    let mut out = Out {
        path,
        toml: &toml,
        found: Vec::new(),
    };
    read_with(&mut out)?;
    Ok(out.found)
}

/// The settings of a `uv.toml` that matter.
pub fn read_uv_toml(path: &Path, text: &str) -> Result<Vec<Found>, ParseError> {
    read(path, text, |out| {
        let toml = out.toml;
        out.uv(toml.doc.as_table(), "")
    })
}

/// The installer settings of a `pyproject.toml` (`[tool.uv]`, `[[tool.poetry.source]]`,
/// `[[tool.pdm.source]]`).
pub fn read_pyproject(path: &Path, text: &str) -> Result<Vec<Found>, ParseError> {
    read(path, text, |out| {
        let toml = out.toml;
        let Some(tool) = toml.doc.get("tool") else {
            return Ok(());
        };
        let tool = out.table(tool, "tool")?;
        if let Some(uv) = tool.get("uv") {
            let t = out.table(uv, "tool.uv")?;
            out.uv(t, "tool.uv.")?;
        }
        for installer in ["poetry", "pdm"] {
            if let Some(item) = tool.get(installer) {
                let t = out.table(item, &format!("tool.{installer}"))?;
                if let Some(s) = t.get("source") {
                    out.sources(s, installer, &format!("tool.{installer}.source"))?;
                }
            }
        }
        Ok(())
    })
}

/// The sources of a `Pipfile`.
pub fn read_pipfile(path: &Path, text: &str) -> Result<Vec<Found>, ParseError> {
    read(path, text, |out| {
        let toml = out.toml;
        match toml.doc.get("source") {
            Some(s) => out.sources(s, "pipenv", "source"),
            None => Ok(()),
        }
    })
}

/// The settings of a poetry project configuration, `poetry.toml`.
pub fn read_poetry_toml(path: &Path, text: &str) -> Result<Vec<Found>, ParseError> {
    read(path, text, |out| {
        let toml = out.toml;
        if let Some(repos) = toml.doc.get("repositories") {
            let t = out.table(repos, "repositories")?;
            for (name, item) in t.iter() {
                let r = out.table(item, &format!("repositories.{name}"))?;
                if let Some(url) = r.get("url") {
                    out.location(url, "poetry", format!("repositories.{name}.url"))?;
                }
            }
        }
        if let Some(certs) = toml.doc.get("certificates") {
            let t = out.table(certs, "certificates")?;
            for (name, item) in t.iter() {
                let c = out.table(item, &format!("certificates.{name}"))?;
                if let Some(cert) = c.get("cert")
                    && toml_false(cert)
                {
                    out.off(
                        cert,
                        "poetry",
                        format!("certificates.{name}.cert"),
                        format!("TLS certificate verification for the repository `{name}`"),
                    );
                }
            }
        }
        Ok(())
    })
}

/// The settings of a pdm project configuration, `pdm.toml`.
pub fn read_pdm_toml(path: &Path, text: &str) -> Result<Vec<Found>, ParseError> {
    read(path, text, |out| {
        let toml = out.toml;
        if let Some(pypi) = toml.doc.get("pypi") {
            let t = out.table(pypi, "pypi")?;
            out.source(t, "pdm", "pypi", &["verify_ssl"])?;
            for (name, item) in t.iter() {
                if let Some(sub) = item.as_table_like() {
                    out.source(sub, "pdm", &format!("pypi.{name}"), &["verify_ssl"])?;
                }
            }
        }
        Ok(())
    })
}

/// `--trusted-host` options of a requirements file (the lockfile itself): pip turns TLS
/// verification off for those hosts. Lines are joined at a trailing `\\` and comments
/// removed as pip does; the file is otherwise read by the requirements parser.
pub fn read_requirements_options(path: &Path, text: &str) -> Result<Vec<Found>, ParseError> {
    let mut out = Vec::new();
    let mut logical = String::new();
    let mut start = 0;
    for (i, raw) in text.split('\n').enumerate() {
        let line = raw.trim_end_matches('\r');
        if logical.is_empty() {
            start = i + 1;
        }
        if let Some(body) = line.strip_suffix('\\') {
            logical.push_str(body);
            continue;
        }
        logical.push_str(line);
        let stripped = strip_comment(&logical);
        let mut words = stripped.split_whitespace().peekable();
        while let Some(w) = words.next() {
            let host = if w == "--trusted-host" {
                words.next().map(String::from)
            } else {
                w.strip_prefix("--trusted-host=").map(String::from)
            };
            if let Some(host) = host {
                let setting = Setting::VerificationOff {
                    effect: format!("TLS certificate verification for `{host}`"),
                };
                let key = "--trusted-host".to_string();
                out.push(Found::at(path, start, Ecosystem::Pypi, "pip", key, setting));
            }
        }
        logical.clear();
    }
    Ok(out)
}

/// pip's comment rule: `#` at the start of a line or after white space.
fn strip_comment(line: &str) -> &str {
    let mut prev_space = true;
    for (i, c) in line.char_indices() {
        if c == '#' && prev_space {
            return &line[..i];
        }
        prev_space = c.is_whitespace();
    }
    line
}

/// `verify_ssl: false` in a `Pipfile.lock`'s `_meta.sources`.
pub fn read_pipfile_lock(path: &Path, text: &str) -> Result<Vec<Found>, ParseError> {
    let v: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| config_error(path, Some(e.line()), format!("not valid JSON: {e}")))?;
    let mut out = Vec::new();
    let sources = v
        .get("_meta")
        .and_then(|m| m.get("sources"))
        .and_then(|s| s.as_array());
    for s in sources.into_iter().flatten() {
        let off = match s.get("verify_ssl") {
            Some(serde_json::Value::Bool(b)) => !b,
            Some(serde_json::Value::String(t)) => t.trim().eq_ignore_ascii_case("false"),
            _ => false,
        };
        if off {
            let name = s.get("name").and_then(|n| n.as_str()).unwrap_or("?");
            // The line of this source's `verify_ssl`, found in the text.
            let line = text
                .lines()
                .position(|l| l.contains("\"verify_ssl\"") && l.contains("false"))
                .map(|i| i + 1)
                .unwrap_or(1);
            let key = format!("_meta.sources[{name}].verify_ssl");
            let setting = Setting::VerificationOff {
                effect: "TLS certificate verification".into(),
            };
            out.push(Found::at(
                path,
                line,
                Ecosystem::Pypi,
                "pipenv",
                key,
                setting,
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::installer::tests::read_case;

    #[test]
    fn settings_say_what_they_do() {
        assert_eq!(
            read_case("uv.toml")[3].setting,
            Setting::Source {
                kind: "path",
                location: "./wheels".into()
            }
        );
        assert!(matches!(
            read_case("pyproject.toml")[4].setting,
            Setting::VerificationOff { .. }
        ));
        assert_eq!(
            read_case("requirements.txt")[1].setting,
            Setting::VerificationOff {
                effect: "TLS certificate verification for `x.example`".into()
            }
        );
    }

    #[test]
    fn pipfile_lock_with_verification_on_reports_nothing() {
        let ok = crate::installer::tests::text_of("Pipfile.lock").replace("false", "true");
        assert!(
            read_pipfile_lock(Path::new("Pipfile.lock"), &ok)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn wrong_type_is_an_error() {
        assert!(read_pyproject(Path::new("p"), "[tool.uv]\nindex-url = 3\n").is_err());
    }
}
