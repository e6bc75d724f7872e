//! Helpers shared by the integration tests:
//! - [`lockgate`]: the one way to run the binary, in one cleaned environment
//!   ([`clean_env`]), so a test behaves the same on a laptop with `NO_COLOR` set,
//!   inside GitHub Actions, behind a proxy, or with a personal `~/.gitconfig`;
//! - [`Fixtures`] for the TOML lockfiles of Python project managers (poetry, uv, pdm),
//!   whose fixtures share one layout: `<dir>/<lockfile>` with an `expected.txt` made by
//!   the tool, and `[[package]]` entries that start with `name` and `version`;
//! - [`repo`] (a scratch folder of files), [`copy_dir`], [`git`] (a scratch repository's commands) and [`sarif_schema`]
//!   (the SARIF 2.1.0 schema every SARIF test validates against).
#![allow(dead_code)]

use lockgate::lockfile::{Lockfile, Package, parse_file, pep503};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The lockgate binary under test, in the cleaned environment of [`clean_env`], with
/// stdin closed. Set what a test needs (`current_dir`, `LOCKGATE_CACHE_DIR`, a fake
/// registry URL, `NO_COLOR`, `GITHUB_WORKSPACE`) on the returned command.
pub(crate) fn lockgate() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_lockgate"));
    clean_env(&mut c).stdin(Stdio::null());
    c
}

/// Is `key` a variable that changes what lockgate (or git, which it runs) does, and so
/// must not leak from the developer's shell or the CI runner into a test?
fn leaks(key: &str) -> bool {
    let k = key.to_ascii_uppercase();
    const EXACT: &[&str] = &[
        // Colour and terminal: `NO_COLOR`, `CLICOLOR(_FORCE)`, `FORCE_COLOR`, `TERM`,
        // the terminal size.
        "NO_COLOR",
        "FORCE_COLOR",
        "TERM",
        "COLUMNS",
        "LINES",
        // CI detection.
        "CI",
        // Proxies (reqwest's system-proxy reads them; tests talk to 127.0.0.1).
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "NO_PROXY",
        // Config and cache below the home folder (the cache folder, the global
        // gitignore read during discovery).
        "XDG_CACHE_HOME",
        "XDG_CONFIG_HOME",
        "USERPROFILE",
        "LOCALAPPDATA",
    ];
    EXACT.contains(&k.as_str())
        || [
            "CLICOLOR",
            "GITHUB_",
            "RUNNER_",
            "LOCKGATE_",
            "GIT_",
            "INPUT_",
        ]
        .iter()
        .any(|p| k.starts_with(p))
}

/// Remove from `c` every variable of the environment that [`leaks`] (colour, CI and
/// Actions, `LOCKGATE_*`, proxies, git's own variables, home-folder config), and point
/// `HOME` at an empty folder with git's global and system config off. The Rust
/// toolchain's own homes (`CARGO_HOME`, `RUSTUP_HOME`) are kept so that lockgate's
/// `cargo metadata` still finds the toolchain.
pub(crate) fn clean_env(c: &mut Command) -> &mut Command {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    for (key, _) in std::env::vars_os() {
        if key.to_str().is_some_and(leaks) {
            c.env_remove(&key);
        }
    }
    if let Some(home) = &home {
        if std::env::var_os("CARGO_HOME").is_none() {
            c.env("CARGO_HOME", home.join(".cargo"));
        }
        if std::env::var_os("RUSTUP_HOME").is_none() {
            c.env("RUSTUP_HOME", home.join(".rustup"));
        }
    }
    c.env("HOME", empty_home())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
}

/// An empty folder used as `HOME` by every run of the binary (created once).
fn empty_home() -> PathBuf {
    let home = Path::new(env!("CARGO_TARGET_TMPDIR")).join("lockgate-test-home");
    std::fs::create_dir_all(&home).unwrap();
    home
}

/// The fixtures under one folder, e.g. `tests/fixtures/pypi/uv`.
pub(crate) struct Fixtures(pub &'static str);

impl Fixtures {
    /// A file of the fixture folder.
    pub(crate) fn fixture(&self, rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(self.0).join(rel)
    }

    /// Parse a fixture lockfile, panicking with the error.
    pub(crate) fn parse(&self, rel: &str) -> Lockfile {
        let path = self.fixture(rel);
        parse_file(&path, Path::new(rel)).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The tool's own listing (`name version` lines) must equal lockgate's set.
    pub(crate) fn assert_matches_expected(&self, lock: &Lockfile, dir: &str) {
        let text = std::fs::read_to_string(self.fixture(dir).join("expected.txt")).unwrap();
        let expected: BTreeSet<(String, String)> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let (n, v) = l.split_once(' ').unwrap();
                (pep503(n), v.to_string())
            })
            .collect();
        let got: BTreeSet<(String, String)> = lock
            .packages
            .iter()
            .map(|p| (p.normalized_name(), p.version.to_string()))
            .collect();
        assert_eq!(got, expected);
        assert_eq!(
            got.len(),
            lock.packages.len(),
            "one record per (name, version)"
        );
    }

    /// The recorded line is the `[[package]]` header and the next lines name the package.
    pub(crate) fn assert_line(&self, rel: &str, p: &Package) {
        let text = std::fs::read_to_string(self.fixture(rel)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let line = p.line as usize;
        assert_eq!(lines[line - 1], "[[package]]", "{} at {}", p.name, p.line);
        assert_eq!(lines[line], format!("name = \"{}\"", p.name));
        assert_eq!(lines[line + 1], format!("version = \"{}\"", p.version));
    }

    /// Count the `hash = "sha256:` of one entry directly in the text.
    pub(crate) fn hashes_in_entry(&self, rel: &str, p: &Package) -> usize {
        let text = std::fs::read_to_string(self.fixture(rel)).unwrap();
        text.lines()
            .skip(p.line as usize)
            .take_while(|l| *l != "[[package]]")
            .map(|l| l.matches("hash = \"sha256:").count())
            .sum()
    }
}

/// A package by name (and version).
pub(crate) fn get<'a>(lock: &'a Lockfile, name: &str, version: Option<&str>) -> &'a Package {
    lock.packages
        .iter()
        .find(|p| p.name == name && version.is_none_or(|v| p.version == v))
        .unwrap_or_else(|| panic!("{name} {version:?} not found"))
}

/// A scratch folder holding `files` (relative path, text), with parent folders made.
pub(crate) fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

/// Copy a folder tree (a fixture) into `to`, creating it.
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// Run `git` in `dir` for a test's scratch repository and return its trimmed stdout,
/// panicking with git's stderr when it fails. It runs in [`clean_env`] (so no
/// `GIT_DIR` or personal config of the developer or runner leaks in), with a fixed
/// committer, unsigned commits, and `main` as the default branch.
pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
    let mut c = Command::new("git");
    clean_env(&mut c)
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com");
    let o = c.output().expect("git runs");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// The SARIF 2.1.0 schema (tests/schemas/sarif-2.1.0-rtm.5.json), as published, but
/// for one repair made in memory: its two `language` patterns
/// `^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$` have a stray `]` that the meta-schema's
/// `format: regex` check rejects; the OASIS errata schema reads
/// `^[a-zA-Z]{2}(-[a-zA-Z]{2})?$`. lockgate writes no `language`. Panics if the file
/// no longer has exactly those two.
pub(crate) fn sarif_schema() -> serde_json::Value {
    use serde_json::Value;
    const BAD: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    fn repair(v: &mut Value, n: &mut usize) {
        match v {
            Value::String(s) if s == BAD => {
                *s = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".to_string();
                *n += 1;
            }
            Value::Array(a) => a.iter_mut().for_each(|x| repair(x, n)),
            Value::Object(o) => o.values_mut().for_each(|x| repair(x, n)),
            _ => {}
        }
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-2.1.0-rtm.5.json");
    let mut schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut repaired = 0;
    repair(&mut schema, &mut repaired);
    assert_eq!(repaired, 2, "the schema file changed");
    schema
}
