//! Installer configuration committed next to a lockfile: the settings that change
//! where the real installer fetches from, or whether it verifies what it fetched.
//!
//! A lockfile says what to install; the installer's configuration says from where,
//! and a pull request can change both. A committed `.npmrc` with `registry=…` makes
//! npm fetch every tarball the lockfile places on registry.npmjs.org from that host
//! instead (npm's `replace-registry-host` default), so the lockfile's URLs alone are
//! not what the installer uses. This module finds the configuration files each
//! installer reads from the repository and returns the settings that matter, each
//! with its file and line; [`crate::checks::installer_config`] holds them to the
//! allowlist's policy.
//!
//! One module per file format:
//! - `.npmrc` (npm, pnpm, yarn classic and bun read it): [`npmrc`];
//! - `.yarnrc` (yarn classic) and `.yarnrc.yml` (yarn berry): [`yarnrc`];
//! - `bunfig.toml`: [`bunfig`];
//! - the settings in `pnpm-workspace.yaml`: [`pnpm_workspace`];
//! - `.cargo/config.toml` and `.cargo/config`: [`cargo_config`];
//! - `uv.toml`, `pyproject.toml` (`[tool.uv]`, `[[tool.poetry.source]]`,
//!   `[[tool.pdm.source]]`), `Pipfile` (`[[source]]`), `poetry.toml`, `pdm.toml`;
//!   and, in the lockfiles
//!   themselves, a requirements file's `--trusted-host` and a `Pipfile.lock`'s
//!   `verify_ssl`: [`python`].
//!
//! Where files are looked for: in the lockfile's folder and each parent folder, up to
//! and including the repository root (the first folder with a `.git`). Outside a git
//! repository, up to the folder lockgate runs in when the lockfile is below it, else
//! the lockfile's folder only. Every installer above reads its project configuration
//! from the folder it runs in (the lockfile's), and cargo, yarn and uv also from
//! parent folders; reading the parents for all of them errs on the side of reporting.
//!
//! Not read, because it is not in the repository: user and global configuration
//! (`~/.npmrc`, `$CARGO_HOME/config.toml`, `~/.config/uv/uv.toml`, `pip.conf`…) and
//! environment variables of the CI job (`NPM_CONFIG_REGISTRY`, `UV_INDEX_URL`,
//! `PIP_INDEX_URL`, `CARGO_REGISTRIES_*`…). pip reads no configuration file from the
//! project folder (only with `PIP_CONFIG_FILE` set), so none is read here.
//!
//! A file that cannot be read or parsed is a [`ParseError`] naming its line: the run
//! fails (exit 2), since the installer's real registry is then unknown.

pub mod bunfig;
pub mod cargo_config;
mod config_text;
pub mod npmrc;
pub mod pnpm_workspace;
pub mod python;
pub mod yarnrc;

use crate::lockfile::lines::LineIndex;
use crate::lockfile::{Lockfile, ParseError};
use crate::model::Ecosystem;
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

/// What a configuration setting does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setting {
    /// The installer fetches packages from this place.
    Source {
        /// `registry` (a package registry or index), `git` or `path`, as in
        /// `[policy] sources`.
        kind: &'static str,
        /// The URL or path as written (environment references unexpanded).
        location: String,
    },
    /// A check of what is fetched (integrity hashes, checksums, TLS) is turned off.
    VerificationOff {
        /// What the setting turns off, e.g. "TLS certificate verification".
        effect: String,
    },
}

/// One setting found in a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The configuration file, as displayed (relative like the lockfile's path).
    pub file: PathBuf,
    /// 1-based line of the setting.
    pub line: usize,
    /// The ecosystem whose installer reads it.
    pub ecosystem: Ecosystem,
    /// Which installer(s) read it, e.g. "npm, pnpm, yarn classic and bun".
    pub installer: &'static str,
    /// The key as written, e.g. `registry`, `@acme:registry`, `source.vendored.directory`.
    pub key: String,
    /// What it does.
    pub setting: Setting,
}

/// Everything read from the configuration files next to some lockfiles.
#[derive(Debug, Clone, Default)]
pub struct Configs {
    /// The files read, as displayed.
    pub files: Vec<PathBuf>,
    /// Settings that matter, in file order.
    pub found: Vec<Found>,
    /// Files that could not be read or parsed.
    pub errors: Vec<ParseError>,
}

/// A reader of one kind of configuration file: its text to its settings.
type Reader = fn(&Path, &str) -> Result<Vec<Found>, ParseError>;

/// The configuration files each ecosystem's installers read, relative to a folder.
fn files_for(ecosystem: Ecosystem) -> &'static [(&'static str, Reader)] {
    match ecosystem {
        // The runner has no configuration file in the repository that redirects `uses:`.
        Ecosystem::Actions => &[],
        Ecosystem::Npm => &[
            (".npmrc", npmrc::read),
            (".yarnrc", yarnrc::read_classic),
            (".yarnrc.yml", yarnrc::read_berry),
            ("bunfig.toml", bunfig::read),
            ("pnpm-workspace.yaml", pnpm_workspace::read),
        ],
        Ecosystem::Cargo => &[
            (".cargo/config.toml", cargo_config::read),
            (".cargo/config", cargo_config::read),
        ],
        Ecosystem::Pypi => &[
            ("uv.toml", python::read_uv_toml),
            ("pyproject.toml", python::read_pyproject),
            ("Pipfile", python::read_pipfile),
            ("poetry.toml", python::read_poetry_toml),
            ("pdm.toml", python::read_pdm_toml),
        ],
    }
}

/// Read the installer configuration that applies to each lockfile (each file once).
pub fn read(lockfiles: &[Lockfile]) -> Configs {
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|d| d.canonicalize().ok());
    let mut seen: BTreeSet<(Ecosystem, PathBuf)> = BTreeSet::new();
    let mut out = Configs::default();
    for lock in lockfiles {
        // Settings inside the lockfile itself (read here, not by its parser, which
        // turns the file into packages).
        let own: Option<Reader> = if lock.format == "requirements" {
            Some(python::read_requirements_options)
        } else if lock.format.starts_with("pipfile") {
            Some(python::read_pipfile_lock)
        } else {
            None
        };
        if let Some(reader) = own
            && seen.insert((lock.ecosystem, lock.path.clone()))
        {
            match read_file(&lock.path, reader) {
                Ok(found) => out.found.extend(found),
                Err(e) => out.errors.push(e),
            }
        }
        for dir in folders(&lock.path, cwd.as_deref()) {
            for (name, reader) in files_for(lock.ecosystem) {
                let shown = clean(&dir.join(name));
                let Ok(real) = shown.canonicalize() else {
                    continue;
                };
                if !real.is_file() || !seen.insert((lock.ecosystem, real)) {
                    continue;
                }
                out.files.push(shown.clone());
                match read_file(&shown, *reader) {
                    Ok(found) => out.found.extend(found),
                    Err(e) => out.errors.push(e),
                }
            }
        }
    }
    out
}

/// Read one file with a reader (the BOM is dropped, invalid UTF-8 is an error).
pub fn read_file(path: &Path, reader: Reader) -> Result<Vec<Found>, ParseError> {
    let bytes = std::fs::read(path).map_err(|e| {
        config_error(
            path,
            None,
            format!("cannot read installer configuration: {e}"),
        )
    })?;
    let text = crate::lockfile::decode_text(&bytes)
        .map_err(|(line, message)| config_error(path, Some(line), message))?;
    reader(path, text)
}

/// A parse error for a configuration file, with the hint every such error shares.
pub(crate) fn config_error(
    path: &Path,
    line: Option<usize>,
    message: impl Into<String>,
) -> ParseError {
    ParseError::new(path, line, message).with_hint(
        "the installer's registry cannot be told from a file lockgate cannot read: fix the line (or remove the setting) so that the file is valid",
    )
}

/// The folders whose configuration applies to a lockfile, nearest first (see the
/// module documentation for where the walk stops). Paths stay as displayed.
fn folders(lockfile: &Path, cwd: Option<&Path>) -> Vec<PathBuf> {
    let mut dir = match lockfile.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut out = Vec::new();
    let mut cwd_at = None;
    while let Ok(real) = dir.canonicalize() {
        out.push(dir.clone());
        if dir.join(".git").exists() {
            return out;
        }
        if cwd == Some(real.as_path()) {
            cwd_at = Some(out.len());
        }
        if real.parent().is_none() {
            break;
        }
        dir = clean(&dir.join(".."));
    }
    out.truncate(cwd_at.unwrap_or(1));
    out
}

/// Remove `.` and fold `x/..` lexically, keeping leading `..`; empty becomes `.`.
fn clean(p: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            other => out.push(other),
        }
    }
    if out.is_empty() {
        PathBuf::from(".")
    } else {
        out.iter().collect()
    }
}

/// Line lookups for the TOML readers.
pub(crate) struct TomlDoc {
    pub(crate) doc: toml_edit::Document<String>,
    lines: LineIndex,
}

impl TomlDoc {
    /// Parse TOML, failing with the line of the syntax error.
    pub(crate) fn parse(path: &Path, text: &str) -> Result<TomlDoc, ParseError> {
        let lines = LineIndex::new(text);
        let doc = toml_edit::Document::parse(text.to_string()).map_err(|e| {
            let first = crate::lockfile::lines::toml_edit_message(&e);
            config_error(
                path,
                Some(e.span().map(|s| lines.line(s.start)).unwrap_or(1)),
                format!("not valid TOML: {first}"),
            )
        })?;
        Ok(TomlDoc { doc, lines })
    }

    /// The line of a span (1 when unknown).
    pub(crate) fn line(&self, span: Option<std::ops::Range<usize>>) -> usize {
        span.map(|s| self.lines.line(s.start)).unwrap_or(1)
    }
}

/// A value that must be a string, or a parse error naming its line.
pub(crate) fn toml_str<'a>(
    path: &Path,
    toml: &TomlDoc,
    item: &'a toml_edit::Item,
    key: &str,
) -> Result<&'a str, ParseError> {
    item.as_str().ok_or_else(|| {
        config_error(
            path,
            Some(toml.line(item.span())),
            format!("`{key}` must be a string"),
        )
    })
}

/// A value that must be a table, or a parse error naming its line with `message`.
pub(crate) fn toml_table<'a>(
    path: &Path,
    toml: &TomlDoc,
    item: &'a toml_edit::Item,
    message: impl Into<String>,
) -> Result<&'a dyn toml_edit::TableLike, ParseError> {
    item.as_table_like()
        .ok_or_else(|| config_error(path, Some(toml.line(item.span())), message))
}

/// `false` for a TOML boolean false (or the string "false", which some tools accept).
pub(crate) fn toml_false(item: &toml_edit::Item) -> bool {
    item.as_bool() == Some(false)
        || item
            .as_str()
            .is_some_and(|s| s.trim().eq_ignore_ascii_case("false"))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A reader, a file, its text, and the (line, key) of every setting it holds.
    type Case = (
        Reader,
        &'static str,
        &'static str,
        &'static [(usize, &'static str)],
    );

    /// Each reader on one file.
    pub(super) const CASES: &[Case] = &[
        (
            bunfig::read,
            "bunfig.toml",
            "[install]\nexact = true\nregistry = \"http://other-host/\"\n\n[install.scopes]\nacme = { url = \"https://npm.acme.example/\", token = \"$T\" }\nother = \"https://o.example/\"\n",
            &[
                (3, "install.registry"),
                (6, "install.scopes.acme"),
                (7, "install.scopes.other"),
            ],
        ),
        (
            bunfig::read,
            "table/bunfig.toml",
            "[install.registry]\nurl = \"https://x.example/\"\n",
            &[(1, "install.registry")],
        ),
        (
            yarnrc::read_classic,
            ".yarnrc",
            "# yarn lockfile v1\n\nregistry \"http://other-host/\"\n\"@acme:registry\" \"https://npm.acme.example/\"\nstrict-ssl false\nlastUpdateCheck 1700000000000\n",
            &[(3, "registry"), (4, "@acme:registry"), (5, "strict-ssl")],
        ),
        (
            pnpm_workspace::read,
            "pnpm-workspace.yaml",
            "packages:\n  - \"packages/*\"\nregistry: http://other-host/\nregistries:\n  default: https://r.example/\n  \"@acme\": https://npm.acme.example/\n\"@x:registry\": https://x.example/\nstrictSsl: false\nverifyStoreIntegrity: false\ncatalog:\n  react: ^18\n",
            &[
                (3, "registry"),
                (5, "registries.default"),
                (6, "registries.@acme"),
                (7, "@x:registry"),
                (8, "strictSsl"),
                (9, "verifyStoreIntegrity"),
            ],
        ),
        (
            yarnrc::read_berry,
            ".yarnrc.yml",
            "nodeLinker: node-modules\nnpmRegistryServer: \"http://other-host\"\nnpmScopes:\n  acme:\n    npmRegistryServer: https://npm.acme.example\n    npmAuthToken: x\nchecksumBehavior: ignore\nunsafeHttpWhitelist:\n  - \"*.acme.example\"\nenableStrictSsl: false\n",
            &[
                (2, "npmRegistryServer"),
                (5, "npmScopes.acme.npmRegistryServer"),
                (7, "checksumBehavior"),
                (9, "unsafeHttpWhitelist"),
                (10, "enableStrictSsl"),
            ],
        ),
        (
            python::read_uv_toml,
            "uv.toml",
            "index-url = \"https://other.example/simple\"\nextra-index-url = [\n  \"https://a.example/simple\",\n  \"https://b.example/simple\",\n]\nfind-links = [\"./wheels\"]\nallow-insecure-host = [\"a.example\"]\n\n[[index]]\nname = \"acme\"\nurl = \"https://pypi.acme.example/simple\"\ndefault = true\n\n[pip]\nindex-url = \"https://c.example/simple\"\nverify-hashes = false\n",
            &[
                (1, "index-url"),
                (3, "extra-index-url"),
                (4, "extra-index-url"),
                (6, "find-links"),
                (7, "allow-insecure-host"),
                (11, "index.url"),
                (15, "pip.index-url"),
                (16, "pip.verify-hashes"),
            ],
        ),
        (
            python::read_pyproject,
            "pyproject.toml",
            "[project]\nname = \"x\"\n\n[tool.uv]\nindex-url = \"https://other.example/simple\"\n\n[[tool.uv.index]]\nurl = \"https://u.example/simple\"\n\n[tool.uv.sources]\nlocalpkg = { path = \"vendor/localpkg\" }\n\n[[tool.poetry.source]]\nname = \"corp\"\nurl = \"https://corp.example/simple/\"\npriority = \"supplemental\"\n\n[[tool.pdm.source]]\nname = \"p\"\nurl = \"http://p.example/simple\"\nverify_ssl = false\n",
            &[
                (5, "tool.uv.index-url"),
                (8, "tool.uv.index.url"),
                (15, "tool.poetry.source.url"),
                (20, "tool.pdm.source.url"),
                (21, "tool.pdm.source.verify_ssl"),
            ],
        ),
        (
            python::read_poetry_toml,
            "poetry.toml",
            "[virtualenvs]\nin-project = true\n\n[repositories.corp]\nurl = \"https://corp.example/simple/\"\n\n[certificates.corp]\ncert = false\n",
            &[(5, "repositories.corp.url"), (8, "certificates.corp.cert")],
        ),
        (
            python::read_pdm_toml,
            "pdm.toml",
            "[pypi]\nurl = \"https://m.example/simple\"\nverify_ssl = false\n\n[pypi.extra]\nurl = \"https://e.example/simple\"\n",
            &[
                (2, "pypi.url"),
                (3, "pypi.verify_ssl"),
                (6, "pypi.extra.url"),
            ],
        ),
        (
            python::read_requirements_options,
            "requirements.txt",
            "--index-url https://pypi.org/simple\n--trusted-host mirror.example # why\nsix==1.16.0 \\\n    --hash=sha256:00\n# --trusted-host not.this\n--extra-index-url https://x.example/ \\\n  --trusted-host=x.example\n",
            &[(2, "--trusted-host"), (6, "--trusted-host")],
        ),
        (
            python::read_pipfile_lock,
            "Pipfile.lock",
            "{\n  \"_meta\": {\n    \"sources\": [\n      {\"name\": \"m\", \"url\": \"http://m.example/simple\",\n       \"verify_ssl\": false}\n    ]\n  },\n  \"default\": {}\n}\n",
            &[(5, "_meta.sources[m].verify_ssl")],
        ),
        (
            python::read_pipfile,
            "Pipfile",
            "[[source]]\nurl = \"https://pypi.org/simple\"\nverify_ssl = true\nname = \"pypi\"\n\n[[source]]\nurl = \"http://m.example/simple\"\nverify_ssl = false\nname = \"m\"\n\n[packages]\nsix = \"*\"\n",
            &[
                (2, "source.url"),
                (7, "source.url"),
                (8, "source.verify_ssl"),
            ],
        ),
    ];

    /// The text of the case for `file`.
    pub(super) fn text_of(file: &str) -> &'static str {
        CASES.iter().find(|c| c.1 == file).expect(file).2
    }

    /// The settings the case for `file` reads.
    pub(super) fn read_case(file: &str) -> Vec<Found> {
        let (read, file, text, _) = *CASES.iter().find(|c| c.1 == file).expect(file);
        read(Path::new(file), text).unwrap()
    }

    #[test]
    fn each_reader_reports_its_settings_with_lines() {
        for (i, (_, file, _, want)) in CASES.iter().enumerate() {
            let got = read_case(file);
            let keys: Vec<(usize, &str)> = got.iter().map(|f| (f.line, f.key.as_str())).collect();
            assert_eq!(keys, *want, "{file} (case {i})");
        }
    }

    /// Files with nothing the check looks at, each read by its reader: no settings.
    #[test]
    fn files_without_settings_read_as_none() {
        let cases: &[(Reader, &str)] = &[
            (bunfig::read, "[run]\nbun = true\n"),
            (cargo_config::read, "[build]\njobs = 2\n"),
            (pnpm_workspace::read, "packages:\n  - \"packages/*\"\n"),
            (pnpm_workspace::read, ""),
            (yarnrc::read_berry, "checksumBehavior: throw\n"),
            (yarnrc::read_berry, ""),
            (yarnrc::read_berry, "enableStrictSsl: true\n"),
            (python::read_pyproject, "[project]\nname = \"x\"\n"),
        ];
        for (read, text) in cases {
            assert!(read(Path::new("f"), text).unwrap().is_empty(), "{text:?}");
        }
    }

    /// Malformed TOML: an error on line 1, whichever reader reads it.
    #[test]
    fn malformed_toml_is_an_error_on_its_line() {
        let cases: &[(Reader, &str)] = &[
            (bunfig::read, "[install\n"),
            (cargo_config::read, "[source\n"),
            (python::read_uv_toml, "index-url = \n"),
        ];
        for (read, text) in cases {
            let e = read(Path::new("f"), text).unwrap_err();
            assert_eq!(e.line, Some(1), "{text:?}");
        }
    }

    #[test]
    fn clean_folds_dots() {
        crate::test_support::assert_maps_paths(
            clean,
            &[
                ("./a/../b/.npmrc", "b/.npmrc"),
                ("a/..", "."),
                ("../x", "../x"),
                ("./../../x", "../../x"),
            ],
        );
    }

    #[test]
    fn folders_stop_at_the_repository_root() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("repo");
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::create_dir_all(root.join("web/app")).unwrap();
        let lock = root.join("web/app/package-lock.json");
        let dirs = folders(&lock, None);
        assert_eq!(
            dirs,
            vec![root.join("web/app"), root.join("web"), root.clone()]
        );
    }

    #[test]
    fn folders_outside_git_stop_at_the_working_folder_or_the_lockfile() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("web")).unwrap();
        let lock = root.join("web/package-lock.json");
        assert_eq!(
            folders(&lock, Some(&root)),
            vec![root.join("web"), root.clone()]
        );
        assert_eq!(folders(&lock, None), vec![root.join("web")]);
    }
}
