//! Shortest dependency paths ("why is this package here").
//!
//! Parsers number their packages `0..n`, list each package's dependencies as edges,
//! and name the roots (the project, workspace members) with the packages each
//! depends on directly. [`shortest_paths`] runs one breadth-first search from all
//! roots at once and returns, for every package, the shortest chain of names from a
//! root to it, root first; ties go to the root and edge listed first, so output is
//! deterministic. A package no root reaches gets a path of its own name alone.

use crate::model::{DepPath, Package};
use compact_str::CompactString;
use std::collections::VecDeque;

/// A root of the graph: its label (project or workspace member name), its direct
/// dependencies (package indices) and whether those are development dependencies.
#[derive(Debug, Clone, Default)]
pub struct Root {
    /// The label that starts every path through this root.
    pub label: String,
    /// Packages this root depends on for production.
    pub deps: Vec<usize>,
    /// Packages this root depends on for development only.
    pub dev_deps: Vec<usize>,
    /// Packages this root depends on optionally.
    pub optional_deps: Vec<usize>,
}

/// Reachability facts about one package.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reach {
    /// Shortest chain of labels from a root, root first, ending in the package's label.
    pub path: DepPath,
    /// A root depends on it directly.
    pub direct: bool,
    /// Only development dependencies lead to it (false when no root reaches it).
    pub dev: bool,
    /// Only optional dependencies lead to it.
    pub optional: bool,
}

/// Give each record its place in the graph: its [`Reach`] (`direct`, `dev`,
/// `optional`, the shortest dependency path from a root, labelled by the records'
/// names), and its hashes sorted without repeats. For readers whose edges already
/// carry every optional mark (pnpm, yarn); npm's tree adds its own.
pub(crate) fn place(records: &mut [Package], edges: &[Vec<usize>], roots: &[Root]) {
    let labels: Vec<String> = records.iter().map(|p| p.name.to_string()).collect();
    let reach = shortest_paths(&labels, edges, roots);
    for (p, r) in records.iter_mut().zip(reach) {
        p.hashes.sort();
        p.hashes.dedup();
        p.direct = r.direct;
        p.dev = r.dev;
        p.optional = r.optional;
        p.path = r.path;
    }
}

/// Compute [`Reach`] for packages `0..labels.len()`.
///
/// `edges[i]` are the dependencies of package `i` (out-of-range indices are ignored).
/// Only the roots' edges carry kinds (production, dev, optional): a package is `dev`
/// when only dev roots' edges reach it, `optional` when only optional ones (or dev
/// and optional) do. Optional edges below the roots are the parser's to mark.
pub fn shortest_paths(labels: &[String], edges: &[Vec<usize>], roots: &[Root]) -> Vec<Reach> {
    shortest_paths_owned(labels.to_vec(), edges, roots)
}

/// [`shortest_paths`] taking the labels by value: each label moves into its
/// package's path instead of being copied (a parser that builds the labels only for
/// this keeps one copy of each name, not two, while the paths are built).
pub fn shortest_paths_owned<L: Into<CompactString> + Default>(
    mut labels: Vec<L>,
    edges: &[Vec<usize>],
    roots: &[Root],
) -> Vec<Reach> {
    let n = labels.len();
    let mut reach: Vec<Reach> = vec![Reach::default(); n];
    let root_paths: Vec<DepPath> = roots
        .iter()
        .map(|r| DepPath::EMPTY.child(r.label.clone()))
        .collect();
    // Each package's path is its BFS parent's path plus its own label: the paths
    // share their prefixes (see [`DepPath`]). Set when the package is first reached
    // (or at the end, when never): each label is used once, so it is moved.
    let mut reached = vec![false; n];
    let mut queue = VecDeque::new();
    for (r, root) in roots.iter().enumerate() {
        for &d in root
            .deps
            .iter()
            .chain(&root.dev_deps)
            .chain(&root.optional_deps)
        {
            if d < n && !reached[d] {
                reached[d] = true;
                reach[d].path = root_paths[r].child(std::mem::take(&mut labels[d]));
                queue.push_back(d);
            }
            if d < n {
                reach[d].direct = true;
            }
        }
    }
    while let Some(i) = queue.pop_front() {
        for &d in edges.get(i).map(Vec::as_slice).unwrap_or(&[]) {
            if d < n && !reached[d] {
                reached[d] = true;
                reach[d].path = reach[i].path.child(std::mem::take(&mut labels[d]));
                queue.push_back(d);
            }
        }
    }
    for i in 0..n {
        if !reached[i] {
            reach[i].path = DepPath::EMPTY.child(std::mem::take(&mut labels[i]));
        }
    }
    // dev / optional: reachable only through dev (or optional) roots' edges.
    let prod = reachable(n, edges, roots.iter().flat_map(|r| r.deps.iter().copied()));
    let non_dev = reachable(
        n,
        edges,
        roots
            .iter()
            .flat_map(|r| r.deps.iter().chain(&r.optional_deps).copied()),
    );
    for i in 0..n {
        if reached[i] {
            reach[i].dev = !non_dev[i];
            reach[i].optional = non_dev[i] && !prod[i];
        }
    }
    reach
}

/// Which packages are reachable from `starts`.
pub fn reachable(n: usize, edges: &[Vec<usize>], starts: impl Iterator<Item = usize>) -> Vec<bool> {
    let mut seen = vec![false; n];
    let mut stack: Vec<usize> = starts.filter(|&s| s < n).collect();
    while let Some(i) = stack.pop() {
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        if let Some(ds) = edges.get(i) {
            stack.extend(ds.iter().copied().filter(|&d| d < n && !seen[d]));
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn shortest_path_and_flags() {
        // app -> a -> b -> c ; app -> c? no: app -dev-> d -> c ; e unreachable
        let l = labels(&["a", "b", "c", "d", "e"]);
        let edges = vec![vec![1], vec![2], vec![], vec![2], vec![]];
        let roots = vec![Root {
            label: "app".into(),
            deps: vec![0],
            dev_deps: vec![3],
            optional_deps: vec![],
        }];
        let r = shortest_paths(&l, &edges, &roots);
        assert_eq!(r[0].path, labels(&["app", "a"]));
        assert!(r[0].direct && !r[0].dev);
        assert_eq!(r[2].path, labels(&["app", "d", "c"]));
        assert!(!r[2].dev, "c is also reached through production a -> b");
        assert!(r[3].dev && r[3].direct);
        assert_eq!(r[4].path, labels(&["e"]));
        assert!(!r[4].direct && !r[4].dev);
    }

    #[test]
    fn cycles_terminate() {
        let l = labels(&["a", "b"]);
        let edges = vec![vec![1], vec![0]];
        let roots = vec![Root {
            label: "r".into(),
            deps: vec![0],
            ..Root::default()
        }];
        let r = shortest_paths(&l, &edges, &roots);
        assert_eq!(r[1].path, labels(&["r", "a", "b"]));
    }
}
