//! The dependency path of a package ("why is this here"), stored compactly.
//!
//! The shortest paths from the roots to every package of a lockfile form a tree (a
//! breadth-first search tree), so each package's path is its own label plus a
//! pointer to its parent's path. A [`DepPath`] is either such a chain of nodes (one
//! allocation per label, built by [`DepPath::child`]) or one node of a [`PathTree`]:
//! the paths of a whole lockfile built at once, every label in one string with two
//! `u32`s per node (about 15 bytes a package instead of a 48-byte node; issue 13).
//! Both read alike: the labels, root first.

use compact_str::CompactString;
use serde::ser::{Serialize, SerializeSeq, Serializer};
use std::fmt;
use std::sync::Arc;

/// A chain of labels from a root to a package, root first (empty when unknown).
/// 16 bytes.
#[derive(Clone, Default)]
pub struct DepPath(Repr);

#[derive(Clone, Default)]
enum Repr {
    #[default]
    Empty,
    /// The last node of a chain.
    Node(Arc<Node>),
    /// Node `.1` of a tree of paths.
    Tree(Arc<PathTree>, u32),
}

struct Node {
    /// Inline when it is at most 24 bytes (most package names): no allocation.
    label: CompactString,
    parent: Option<Arc<Node>>,
}

/// The paths of many packages, which share their prefixes, in one allocation per
/// lockfile: node `k`'s label is `labels[end(k - 1)..end(k)]` and its parent is
/// node `parents[k]` ([`NO_PARENT`] for a path of one label). Built by
/// [`PathTree::new`]; read through the [`DepPath`]s of [`PathTree::path`].
pub struct PathTree {
    labels: String,
    ends: Vec<u32>,
    parents: Vec<u32>,
    /// Labels that did not fit a `u32` offset (never, for lockfiles of at most
    /// `MAX_LOCKFILE_BYTES`): (node, label), by node.
    spilled: Vec<(u32, CompactString)>,
}

/// The parent of a node that starts its path.
pub const NO_PARENT: u32 = u32::MAX;

impl PathTree {
    /// The tree of `parents.len()` nodes: node `k` has the label `label(k)` (asked
    /// for once per node, in order) and the parent `parents[k]`, an earlier or later
    /// node or [`NO_PARENT`]. A parent out of range, or one that makes a cycle,
    /// ends the path there (the search that builds the parents never makes either).
    pub fn new(parents: Vec<u32>, mut label: impl FnMut(usize) -> CompactString) -> Arc<PathTree> {
        let n = parents.len();
        let mut labels = String::new();
        let mut ends = Vec::with_capacity(n);
        let mut spilled = Vec::new();
        for k in 0..n {
            let l = label(k);
            match u32::try_from(labels.len() + l.len()) {
                Ok(end) => {
                    labels.push_str(&l);
                    ends.push(end);
                }
                Err(_) => {
                    ends.push(u32::try_from(labels.len()).unwrap_or(u32::MAX));
                    spilled.push((u32::try_from(k).unwrap_or(u32::MAX), l));
                }
            }
        }
        labels.shrink_to_fit();
        let mut parents = parents;
        for (k, p) in parents.iter_mut().enumerate() {
            if *p as usize >= n || *p as usize == k {
                *p = NO_PARENT;
            }
        }
        let mut tree = PathTree {
            labels,
            ends,
            parents,
            spilled,
        };
        tree.break_cycles();
        Arc::new(tree)
    }

    /// Make every chain of parents end: a node on a cycle loses its parent.
    fn break_cycles(&mut self) {
        // 0: not seen, 1: on the walk being made, 2: ends.
        let n = self.parents.len();
        let mut state = vec![0u8; n];
        let mut walk = Vec::new();
        for start in 0..n {
            let mut k = start;
            while k < n && state[k] == 0 {
                state[k] = 1;
                walk.push(k);
                k = self.parents[k] as usize;
            }
            if k < n && state[k] == 1 {
                self.parents[k] = NO_PARENT;
            }
            for w in walk.drain(..) {
                state[w] = 2;
            }
        }
    }

    /// The number of nodes.
    pub fn len(&self) -> usize {
        self.parents.len()
    }

    /// True when the tree has no node.
    pub fn is_empty(&self) -> bool {
        self.parents.is_empty()
    }

    /// The path that ends at node `k` (empty when there is no node `k`).
    pub fn path(tree: &Arc<PathTree>, k: usize) -> DepPath {
        match u32::try_from(k) {
            Ok(k32) if k < tree.len() => DepPath(Repr::Tree(tree.clone(), k32)),
            _ => DepPath::EMPTY,
        }
    }

    fn label(&self, k: u32) -> &str {
        if !self.spilled.is_empty()
            && let Ok(i) = self.spilled.binary_search_by_key(&k, |s| s.0)
        {
            return self.spilled[i].1.as_str();
        }
        let k = k as usize;
        let start = match k {
            0 => 0,
            _ => self.ends[k - 1] as usize,
        };
        let end = self.ends[k] as usize;
        self.labels.get(start..end).unwrap_or("")
    }

    fn parent(&self, k: u32) -> Option<u32> {
        Some(self.parents[k as usize]).filter(|&p| p != NO_PARENT)
    }
}

/// One step back along a path: a node of a chain, or of a tree.
#[derive(Clone, Copy)]
enum Cursor<'a> {
    Node(&'a Node),
    Tree(&'a PathTree, u32),
}

impl<'a> Cursor<'a> {
    fn of(path: &'a DepPath) -> Option<Cursor<'a>> {
        match &path.0 {
            Repr::Empty => None,
            Repr::Node(n) => Some(Cursor::Node(n)),
            Repr::Tree(t, k) => Some(Cursor::Tree(t, *k)),
        }
    }

    fn label(self) -> &'a str {
        match self {
            Cursor::Node(n) => n.label.as_str(),
            Cursor::Tree(t, k) => t.label(k),
        }
    }

    fn parent(self) -> Option<Cursor<'a>> {
        match self {
            Cursor::Node(n) => n.parent.as_deref().map(Cursor::Node),
            Cursor::Tree(t, k) => t.parent(k).map(|p| Cursor::Tree(t, p)),
        }
    }
}

/// The labels of a path, last first.
struct Back<'a>(Option<Cursor<'a>>);

impl<'a> Iterator for Back<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        let c = self.0?;
        self.0 = c.parent();
        Some(c.label())
    }
}

impl DepPath {
    /// The empty path.
    pub const EMPTY: DepPath = DepPath(Repr::Empty);

    fn back(&self) -> Back<'_> {
        Back(Cursor::of(self))
    }

    /// This path followed by `label` (the parent's path is shared, not copied, when
    /// it is a chain; a path of a [`PathTree`] is copied into a chain first).
    pub fn child(&self, label: impl Into<CompactString>) -> DepPath {
        let parent = match &self.0 {
            Repr::Empty => None,
            Repr::Node(n) => Some(n.clone()),
            Repr::Tree(..) => {
                let mut chain: Option<Arc<Node>> = None;
                for l in self.iter() {
                    chain = Some(Arc::new(Node {
                        label: l.into(),
                        parent: chain,
                    }));
                }
                chain
            }
        };
        DepPath(Repr::Node(Arc::new(Node {
            label: label.into(),
            parent,
        })))
    }

    /// The labels, root first.
    pub fn labels(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.back().collect();
        out.reverse();
        out
    }

    /// The labels, root first.
    pub fn iter(&self) -> std::vec::IntoIter<&str> {
        self.labels().into_iter()
    }

    /// The first label (the root's), if any.
    pub fn first(&self) -> Option<&str> {
        self.back().last()
    }

    /// The last label (the package's own), if any.
    pub fn last(&self) -> Option<&str> {
        Cursor::of(self).map(Cursor::label)
    }

    /// The labels, root first, as owned strings.
    pub fn to_vec(&self) -> Vec<String> {
        self.labels().into_iter().map(str::to_string).collect()
    }

    /// The number of labels.
    pub fn len(&self) -> usize {
        self.back().count()
    }

    /// True for the empty path.
    pub fn is_empty(&self) -> bool {
        matches!(self.0, Repr::Empty)
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
        let mut next = self.parent.take();
        while let Some(node) = next {
            match Arc::try_unwrap(node) {
                Ok(mut node) => next = node.parent.take(),
                Err(_) => break,
            }
        }
    }
}

impl PartialEq for DepPath {
    fn eq(&self, other: &DepPath) -> bool {
        match (&self.0, &other.0) {
            (Repr::Node(a), Repr::Node(b)) if Arc::ptr_eq(a, b) => return true,
            (Repr::Tree(a, i), Repr::Tree(b, j)) if Arc::ptr_eq(a, b) && i == j => return true,
            _ => {}
        }
        self.back().eq(other.back())
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
        self.labels().hash(state);
    }
}

impl std::ops::Index<usize> for DepPath {
    type Output = str;
    /// The `i`-th label, root first. Panics when out of range, as a slice does.
    fn index(&self, i: usize) -> &str {
        let labels = self.labels();
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
        assert_eq!(&b[0], "app");
        assert_eq!(b.first(), Some("app"));
        assert_eq!(b.last(), Some("b"));
        assert_eq!(b.join(" > "), "app > a > b");
        assert_eq!(b, vec!["app", "a", "b"]);
        assert_ne!(a, b);
        assert_eq!(DepPath::from(vec!["app".to_string(), "a".to_string()]), a);
        assert!(DepPath::EMPTY.is_empty());
        assert_eq!(serde_json::to_string(&b).unwrap(), r#"["app","a","b"]"#);
        assert_eq!(format!("{b:?}"), r#"["app", "a", "b"]"#);
    }

    #[test]
    fn a_tree_path_reads_as_the_chain_it_replaces() {
        // app -> a -> b, app -> c, d alone; node 4 is the root "app".
        let labels = ["a", "b", "c", "d", "app", ""];
        let parents = vec![4, 0, 4, NO_PARENT, NO_PARENT, 1];
        let tree = PathTree::new(parents, |k| labels[k].into());
        let chain = |v: &[&str]| -> DepPath { v.iter().collect() };
        let want = [
            chain(&["app", "a"]),
            chain(&["app", "a", "b"]),
            chain(&["app", "c"]),
            chain(&["d"]),
            chain(&["app"]),
            chain(&["app", "a", "b", ""]),
        ];
        for (k, w) in want.iter().enumerate() {
            let p = PathTree::path(&tree, k);
            assert_eq!(p, *w, "{k}");
            assert_eq!(*w, p, "{k}");
            assert_eq!(p.labels(), w.labels());
            assert_eq!(
                (p.len(), p.first(), p.last()),
                (w.len(), w.first(), w.last())
            );
            assert_eq!(p.join(" > "), w.join(" > "));
            assert_eq!(format!("{p:?}"), format!("{w:?}"));
            assert_eq!(
                serde_json::to_string(&p).unwrap(),
                serde_json::to_string(w).unwrap()
            );
            assert_eq!(p.cmp(w), std::cmp::Ordering::Equal);
            // A child of a tree path is a chain with the same labels first.
            assert_eq!(p.child("z"), w.child("z"));
            assert_eq!(p.child("z").labels().last(), Some(&"z"));
        }
        assert_ne!(PathTree::path(&tree, 0), PathTree::path(&tree, 2));
        assert!(PathTree::path(&tree, 6).is_empty());
        assert_eq!(tree.len(), 6);
    }

    #[test]
    fn a_tree_with_a_cycle_or_a_parent_out_of_range_ends_its_paths() {
        // 0 -> 1 -> 2 -> 0 is a cycle; 3's parent is out of range; 4's is itself.
        let parents = vec![2, 0, 1, 77, 4, 3];
        let tree = PathTree::new(parents, |k| k.to_string().into());
        for k in 0..6 {
            let p = PathTree::path(&tree, k);
            assert!(p.len() <= 6, "{k}: {p:?}");
            assert_eq!(p.last().map(str::to_string), Some(k.to_string()));
        }
        assert_eq!(PathTree::path(&tree, 3), ["3"]);
        assert_eq!(PathTree::path(&tree, 4), ["4"]);
        assert_eq!(PathTree::path(&tree, 5), ["3", "5"]);
    }

    #[test]
    fn a_path_is_two_words() {
        // A `Package` holds one: an `Arc` and a node number.
        assert_eq!(std::mem::size_of::<DepPath>(), 16);
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
