//! Helpers shared by the tests of the TOML lockfiles of Python project managers
//! (poetry, uv, pdm), whose fixtures share one layout: `<dir>/<lockfile>` with an
//! `expected.txt` made by the tool, and `[[package]]` entries that start with
//! `name` and `version`.
#![allow(dead_code)]

use lockgate::lockfile::{Lockfile, Package, parse_file, pep503};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The fixtures under one folder, e.g. `tests/fixtures/pypi/uv`.
pub struct Fixtures(pub &'static str);

impl Fixtures {
    /// A file of the fixture folder.
    pub fn fixture(&self, rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(self.0).join(rel)
    }

    /// Parse a fixture lockfile, panicking with the error.
    pub fn parse(&self, rel: &str) -> Lockfile {
        let path = self.fixture(rel);
        parse_file(&path, Path::new(rel)).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The tool's own listing (`name version` lines) must equal lockgate's set.
    pub fn assert_matches_expected(&self, lock: &Lockfile, dir: &str) {
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
            .map(|p| (p.normalized_name(), p.version.clone()))
            .collect();
        assert_eq!(got, expected);
        assert_eq!(
            got.len(),
            lock.packages.len(),
            "one record per (name, version)"
        );
    }

    /// The recorded line is the `[[package]]` header and the next lines name the package.
    pub fn assert_line(&self, rel: &str, p: &Package) {
        let text = std::fs::read_to_string(self.fixture(rel)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[p.line - 1], "[[package]]", "{} at {}", p.name, p.line);
        assert_eq!(lines[p.line], format!("name = \"{}\"", p.name));
        assert_eq!(lines[p.line + 1], format!("version = \"{}\"", p.version));
    }

    /// Count the `hash = "sha256:` of one entry directly in the text.
    pub fn hashes_in_entry(&self, rel: &str, p: &Package) -> usize {
        let text = std::fs::read_to_string(self.fixture(rel)).unwrap();
        text.lines()
            .skip(p.line)
            .take_while(|l| *l != "[[package]]")
            .map(|l| l.matches("hash = \"sha256:").count())
            .sum()
    }
}

/// A package by name (and version).
pub fn get<'a>(lock: &'a Lockfile, name: &str, version: Option<&str>) -> &'a Package {
    lock.packages
        .iter()
        .find(|p| p.name == name && version.is_none_or(|v| p.version == v))
        .unwrap_or_else(|| panic!("{name} {version:?} not found"))
}

/// Copy a folder tree (a fixture) into `to`, creating it.
pub fn copy_dir(from: &Path, to: &Path) {
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
