//! Python import names that are not package names (`cv2` comes from `opencv-python`):
//! the shipped mapping `data/names/python-imports.tsv` (its header says where each
//! entry comes from).

use crate::lockfile::Ecosystem;
use crate::model::NormalizedName;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Where the mapping comes from (the `source` of an `import-name` finding).
pub const SOURCE: &str = "lockgate python-imports.tsv";

const TSV: &str = include_str!("../../data/names/python-imports.tsv");

/// One entry of the mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportName {
    /// The import name (or misname) as written in the file.
    pub name: &'static str,
    /// The PyPI package that provides it.
    pub package: &'static str,
    /// `true` for a module name (`import cv2`), `false` for a misname (`opencv`).
    pub is_import: bool,
}

/// Every entry of the shipped mapping, in file order.
pub fn all() -> &'static [ImportName] {
    static ALL: OnceLock<Vec<ImportName>> = OnceLock::new();
    ALL.get_or_init(|| {
        TSV.lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let mut f = l.split('\t');
                Some(ImportName {
                    name: f.next()?,
                    package: f.next()?,
                    is_import: f.next()? == "import",
                })
            })
            .collect()
    })
}

/// The entry for a name (compared in PEP 503 form), PyPI only.
pub fn lookup(eco: Ecosystem, name: &str) -> Option<ImportName> {
    static BY_NAME: OnceLock<HashMap<NormalizedName, ImportName>> = OnceLock::new();
    if eco != Ecosystem::Pypi {
        return None;
    }
    BY_NAME
        .get_or_init(|| {
            all()
                .iter()
                .map(|e| (NormalizedName::new(Ecosystem::Pypi, e.name), *e))
                .collect()
        })
        .get(&NormalizedName::new(Ecosystem::Pypi, name))
        .copied()
}

/// The package that provides an import name, PyPI only.
pub fn provider(eco: Ecosystem, name: &str) -> Option<&'static str> {
    lookup(eco, name).map(|e| e.package)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_parses_and_differs_from_its_package() {
        let lines = TSV
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .count();
        assert_eq!(
            all().len(),
            lines,
            "a line without three tab-separated fields"
        );
        for e in all() {
            assert_ne!(
                NormalizedName::new(Ecosystem::Pypi, e.name),
                NormalizedName::new(Ecosystem::Pypi, e.package),
                "{} is its own package name",
                e.name
            );
        }
    }

    #[test]
    fn well_known_imports() {
        for (import, package) in [
            ("cv2", "opencv-python"),
            ("sklearn", "scikit-learn"),
            ("yaml", "PyYAML"),
            ("PIL", "Pillow"),
            ("pil", "Pillow"),
            ("bs4", "beautifulsoup4"),
            ("dateutil", "python-dateutil"),
            ("opencv", "opencv-python"),
        ] {
            assert_eq!(provider(Ecosystem::Pypi, import), Some(package), "{import}");
        }
        assert_eq!(provider(Ecosystem::Npm, "yaml"), None);
        assert_eq!(provider(Ecosystem::Pypi, "requests"), None);
    }
}
