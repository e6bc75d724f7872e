//! Path arithmetic without the file system: resolve `.` and `..` in a path as text.
//!
//! On the ground floor: lockfile parsers (cargo's workspace members), the
//! allowlist's `extends` and the SARIF report all need it, and none of them may
//! import another for it.

use std::path::{Component, Path, PathBuf};

/// Resolve `.` and `..` components without touching the file system
/// (`a/./b/../c` is `a/c`; a leading `..` is kept).
pub fn lexical_normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_resolve_and_leading_parents_stay() {
        crate::test_support::assert_maps_paths(
            lexical_normalize,
            &[("a/./b/../c", "a/c"), ("../a/..", ".."), ("/x/../y", "/y")],
        );
    }
}
