//! The dependency path of a package ("why is this here"), stored compactly.
//!
//! The shortest paths from the roots to every package of a lockfile form a tree (a
//! breadth-first search tree), so each package's path is its own label plus a
//! pointer to its parent's path. A [`DepPath`] is that pointer: eight bytes per
//! package, with the labels and the shared prefixes stored once per lockfile instead
//! of a vector of owned strings per package (which also grew with the square of the
//! depth on a long chain).

use compact_str::CompactString;
use serde::ser::{Serialize, SerializeSeq, Serializer};
use std::fmt;
use std::sync::Arc;

/// A chain of labels from a root to a package, root first (empty when unknown).
#[derive(Clone, Default)]
pub struct DepPath(Option<Arc<Node>>);

struct Node {
    /// Inline when it is at most 24 bytes (most package names): no allocation.
    label: CompactString,
    parent: DepPath,
}

impl DepPath {
    /// The empty path.
    pub const EMPTY: DepPath = DepPath(None);

    /// This path followed by `label` (the parent's path is shared, not copied).
    pub fn child(&self, label: impl Into<CompactString>) -> DepPath {
        DepPath(Some(Arc::new(Node {
            label: label.into(),
            parent: self.clone(),
        })))
    }

    /// The labels, root first.
    pub fn labels(&self) -> Vec<&str> {
        self.iter().map(CompactString::as_str).collect()
    }

    /// The labels, root first.
    pub fn iter(&self) -> std::vec::IntoIter<&CompactString> {
        let mut out = Vec::new();
        let mut cur = self;
        while let Some(node) = &cur.0 {
            out.push(&node.label);
            cur = &node.parent;
        }
        out.reverse();
        out.into_iter()
    }

    /// The first label (the root's), if any.
    pub fn first(&self) -> Option<&CompactString> {
        self.iter().next()
    }

    /// The last label (the package's own), if any.
    pub fn last(&self) -> Option<&CompactString> {
        self.0.as_ref().map(|n| &n.label)
    }

    /// The labels, root first, as owned strings.
    pub fn to_vec(&self) -> Vec<String> {
        self.labels().into_iter().map(str::to_string).collect()
    }

    /// The number of labels.
    pub fn len(&self) -> usize {
        let mut n = 0;
        let mut cur = self;
        while let Some(node) = &cur.0 {
            n += 1;
            cur = &node.parent;
        }
        n
    }

    /// True for the empty path.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// The labels joined by `sep`, root first (`app > a > b`).
    pub fn join(&self, sep: &str) -> String {
        self.labels().join(sep)
    }
}

impl<S: AsRef<str>> FromIterator<S> for DepPath {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> DepPath {
        iter.into_iter()
            .fold(DepPath::EMPTY, |p, l| p.child(l.as_ref()))
    }
}

impl From<Vec<String>> for DepPath {
    fn from(v: Vec<String>) -> DepPath {
        v.into_iter().collect()
    }
}

impl Drop for Node {
    // Unlink the chain iteratively: dropping the last holder of a long chain must
    // not recurse once per label (a hostile lockfile can make the chain long).
    fn drop(&mut self) {
        let mut next = self.parent.0.take();
        while let Some(node) = next {
            match Arc::try_unwrap(node) {
                Ok(mut node) => next = node.parent.0.take(),
                Err(_) => break,
            }
        }
    }
}

impl PartialEq for DepPath {
    fn eq(&self, other: &DepPath) -> bool {
        let (mut a, mut b) = (self, other);
        loop {
            match (&a.0, &b.0) {
                (None, None) => return true,
                (Some(x), Some(y)) if Arc::ptr_eq(x, y) => return true,
                (Some(x), Some(y)) if x.label == y.label => {
                    a = &x.parent;
                    b = &y.parent;
                }
                _ => return false,
            }
        }
    }
}

impl Eq for DepPath {}

impl Ord for DepPath {
    /// As the label vectors compare: label by label, root first.
    fn cmp(&self, other: &DepPath) -> std::cmp::Ordering {
        self.iter().cmp(other.iter())
    }
}

impl PartialOrd for DepPath {
    fn partial_cmp(&self, other: &DepPath) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::hash::Hash for DepPath {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.iter().collect::<Vec<_>>().hash(state);
    }
}

impl std::ops::Index<usize> for DepPath {
    type Output = CompactString;
    /// The `i`-th label, root first. Panics when out of range, as a slice does.
    fn index(&self, i: usize) -> &CompactString {
        let labels: Vec<&CompactString> = self.iter().collect();
        match labels.get(i) {
            Some(l) => l,
            None => panic!(
                "index {i} out of range for a path of {} labels",
                labels.len()
            ),
        }
    }
}

impl<S: AsRef<str>> PartialEq<[S]> for DepPath {
    fn eq(&self, other: &[S]) -> bool {
        let labels = self.labels();
        labels.len() == other.len() && labels.iter().zip(other).all(|(a, b)| *a == b.as_ref())
    }
}

impl<S: AsRef<str>> PartialEq<Vec<S>> for DepPath {
    fn eq(&self, other: &Vec<S>) -> bool {
        *self == other[..]
    }
}

impl<S: AsRef<str>, const N: usize> PartialEq<[S; N]> for DepPath {
    fn eq(&self, other: &[S; N]) -> bool {
        *self == other[..]
    }
}

impl fmt::Debug for DepPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.labels()).finish()
    }
}

impl Serialize for DepPath {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let labels = self.labels();
        let mut seq = s.serialize_seq(Some(labels.len()))?;
        for l in labels {
            seq.serialize_element(l)?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_share_their_parent_and_list_root_first() {
        let root = DepPath::EMPTY.child("app");
        let a = root.child("a");
        let b = a.child("b");
        assert_eq!(b.labels(), ["app", "a", "b"]);
        assert_eq!(b.len(), 3);
        assert_eq!(b[0], "app");
        assert_eq!(b.first().map(CompactString::as_str), Some("app"));
        assert_eq!(b.last().map(CompactString::as_str), Some("b"));
        assert_eq!(b.join(" > "), "app > a > b");
        assert_eq!(b, vec!["app", "a", "b"]);
        assert_ne!(a, b);
        assert_eq!(DepPath::from(vec!["app".to_string(), "a".to_string()]), a);
        assert!(DepPath::EMPTY.is_empty());
        assert_eq!(serde_json::to_string(&b).unwrap(), r#"["app","a","b"]"#);
        assert_eq!(format!("{b:?}"), r#"["app", "a", "b"]"#);
    }

    #[test]
    fn a_very_long_chain_drops_without_recursion() {
        let mut p = DepPath::EMPTY;
        for i in 0..1_000_000 {
            p = p.child(i.to_string());
        }
        assert_eq!(p.len(), 1_000_000);
        drop(p);
    }
}
