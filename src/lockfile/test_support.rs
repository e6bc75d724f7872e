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
