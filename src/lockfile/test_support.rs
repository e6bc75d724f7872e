//! What the readers' unit tests share (compiled only for tests).

use super::{Package, Source};

/// The git source of the hand-written git entries in the Python lock readers' tests
/// (no git host is reachable where the fixtures are made): the commit they pin.
pub(crate) fn hand_written_git() -> Source {
    Source::Git {
        url: "https://example.com/g.git".into(),
        rev: Some("0123abcd".into()),
    }
}

/// Each package's name, version and line, in the order read.
pub(crate) fn where_read(packages: &[Package]) -> Vec<(&str, &str, usize)> {
    packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.line as usize))
        .collect()
}

/// Every file under `tests/fixtures` that `keep` takes (by its name and path).
pub(crate) fn fixture_files(
    keep: &dyn Fn(&str, &std::path::Path) -> bool,
) -> Vec<std::path::PathBuf> {
    fn walk(
        dir: &std::path::Path,
        keep: &dyn Fn(&str, &std::path::Path) -> bool,
        out: &mut Vec<std::path::PathBuf>,
    ) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for path in entries.flatten().map(|e| e.path()) {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            if path.is_dir() {
                walk(&path, keep, out);
            } else if keep(&name, &path) {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    walk(&root, keep, &mut out);
    out
}
