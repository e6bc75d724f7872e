//! A lockfile path shared by every package of the lockfile.

use serde::{Serialize, Serializer};
use std::cell::RefCell;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A path held once and shared: every [`Package`](super::Package) of a lockfile
/// points to one allocation of the lockfile's path instead of owning a copy. Reads
/// like a `&Path` (it derefs to one) and compares with paths.
///
/// An `Arc<PathBuf>`, not an `Arc<Path>`: a thin pointer (8 bytes in every package
/// instead of a 16-byte fat one), for one more indirection per lockfile, not per
/// package. `PathBuf` orders, hashes, prints and serializes as its `Path`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SharedPath(Arc<PathBuf>);

thread_local! {
    /// The path the last [`SharedPath::new`] on this thread made.
    static LAST: RefCell<Option<Arc<PathBuf>>> = const { RefCell::new(None) };
}

impl SharedPath {
    /// `path`, sharing the allocation of the previous call on this thread when it
    /// names the same path. A parser builds every package of one lockfile on one
    /// thread, so they all share one allocation without the parsers passing it on.
    pub fn new(path: &Path) -> SharedPath {
        LAST.with(|last| {
            let mut last = last.borrow_mut();
            match &*last {
                Some(p) if **p == *path => SharedPath(p.clone()),
                _ => {
                    let p = Arc::new(path.to_path_buf());
                    *last = Some(p.clone());
                    SharedPath(p)
                }
            }
        })
    }

    /// True when both share one allocation.
    pub fn ptr_eq(&self, other: &SharedPath) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

super::newtype::reads_as!(SharedPath => Path);

impl From<&Path> for SharedPath {
    fn from(p: &Path) -> SharedPath {
        SharedPath::new(p)
    }
}

impl From<SharedPath> for PathBuf {
    fn from(p: SharedPath) -> PathBuf {
        Arc::unwrap_or_clone(p.0)
    }
}

impl PartialEq<PathBuf> for SharedPath {
    fn eq(&self, other: &PathBuf) -> bool {
        *self.0 == **other
    }
}

impl fmt::Debug for SharedPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0.as_path(), f)
    }
}

impl Serialize for SharedPath {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.as_path().serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_path_in_a_row_shares_one_allocation() {
        let a = SharedPath::new(Path::new("x/package-lock.json"));
        let b = SharedPath::new(Path::new("x/package-lock.json"));
        let c = SharedPath::new(Path::new("y/package-lock.json"));
        assert!(a.ptr_eq(&b));
        assert!(!a.ptr_eq(&c));
        assert_eq!(c, Path::new("y/package-lock.json"));
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            r#""x/package-lock.json""#
        );
    }

    #[test]
    fn it_is_one_thin_pointer() {
        // A package holds one; a fat `Arc<Path>` would cost it 8 bytes more.
        assert_eq!(
            std::mem::size_of::<SharedPath>(),
            std::mem::size_of::<usize>()
        );
    }
}
