//! What the readers' unit tests share (compiled only for tests).

use super::Source;

/// The git source of the hand-written git entries in the Python lock readers' tests
/// (no git host is reachable where the fixtures are made): the commit they pin.
pub(crate) fn hand_written_git() -> Source {
    Source::Git {
        url: "https://example.com/g.git".into(),
        rev: Some("0123abcd".into()),
    }
}
