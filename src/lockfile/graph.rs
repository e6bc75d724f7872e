//! Shortest dependency paths ("why is this package here").
//!
//! Parsers number their packages `0..n`, list each package's dependencies as edges,
//! and name the roots (the project, workspace members) with the packages each
//! depends on directly. [`shortest_paths`] runs one breadth-first search from all
//! roots at once and returns, for every package, the shortest chain of names from a
//! root to it, root first; ties go to the root and edge listed first, so output is
//! deterministic. A package no root reaches gets a path of its own name alone.

use crate::model::dep_path::{NO_PARENT, PathTree};
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

impl Root {
    /// Every package the root depends on directly: production, then development,
    /// then optional (the order the search meets them).
    pub fn all_deps(&self) -> impl Iterator<Item = usize> + '_ {
        (self.deps.iter())
            .chain(&self.dev_deps)
            .chain(&self.optional_deps)
            .copied()
    }
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
    shortest_paths_by(n, |i| std::mem::take(&mut labels[i]).into(), edges, roots)
}

/// The dependencies of each package, as [`shortest_paths_by`] reads them: a
/// `Vec` per package (`[Vec<usize>]`) or one list for all ([`EdgeList`]).
pub trait Edges {
    /// The dependencies of package `i` (none when `i` is out of range).
    fn of(&self, i: usize) -> impl Iterator<Item = usize> + '_;
}

impl Edges for [Vec<usize>] {
    fn of(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.get(i)
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .copied()
    }
}

/// Every package's dependencies in one list: package `i`'s are
/// `to[start[i]..start[i + 1]]`, four bytes an edge and a package (a `Vec` per
/// package is 24 bytes and an allocation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EdgeList {
    start: Vec<u32>,
    to: Vec<u32>,
}

impl EdgeList {
    /// The edges of packages `0..n` from `(package, dependency)` pairs: each
    /// package's dependencies in the order of their first pair, without repeats
    /// (what pushing the pairs in order onto a `Vec` per package, skipping a
    /// dependency already there, makes). Pairs naming a package `>= n` are dropped.
    pub fn from_pairs(n: usize, mut pairs: Vec<(u32, u32)>) -> EdgeList {
        // Stable: the pairs of one package keep their order.
        pairs.sort_by_key(|&(p, _)| p);
        let mut start = Vec::with_capacity(n + 1);
        let mut to: Vec<u32> = Vec::with_capacity(pairs.len());
        let mut pairs = pairs.into_iter().peekable();
        for p in 0..n {
            start.push(u32::try_from(to.len()).unwrap_or(u32::MAX));
            let from = to.len();
            while let Some(&(_, q)) = pairs.peek().filter(|&&(a, _)| a as usize == p) {
                pairs.next();
                if !to[from..].contains(&q) {
                    to.push(q);
                }
            }
        }
        start.push(u32::try_from(to.len()).unwrap_or(u32::MAX));
        to.shrink_to_fit();
        EdgeList { start, to }
    }
}

impl Edges for EdgeList {
    fn of(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let range = match (self.start.get(i), self.start.get(i + 1)) {
            (Some(&a), Some(&b)) => a as usize..b as usize,
            _ => 0..0,
        };
        self.to
            .get(range)
            .unwrap_or(&[])
            .iter()
            .map(|&q| q as usize)
    }
}

/// [`shortest_paths`] over packages `0..n`, labelled by `label(i)` (called once per
/// package), with the edges in any [`Edges`] form.
pub fn shortest_paths_by<E: Edges + ?Sized>(
    n: usize,
    label: impl FnMut(usize) -> CompactString,
    edges: &E,
    roots: &[Root],
) -> Vec<Reach> {
    let mut out = Reaches {
        reach: vec![Reach::default(); n],
        label,
    };
    search(&mut out, n, edges, roots);
    out.reach
}

/// [`shortest_paths_by`] written straight into the packages (their `path`,
/// `direct`, `dev` and `optional`, labelled by their names), without a [`Reach`]
/// per package beside them.
pub(crate) fn place_by<E: Edges + ?Sized>(packages: &mut [Package], edges: &E, roots: &[Root]) {
    let n = packages.len();
    search(packages, n, edges, roots);
}

/// Where [`search`] keeps what it finds about package `i`.
trait Places {
    /// The label of package `i` (asked for once).
    fn label(&mut self, i: usize) -> CompactString;
    /// Keep the path of package `i`.
    fn set_path(&mut self, i: usize, path: DepPath);
    /// Keep whether a root depends on package `i` directly.
    fn set_direct(&mut self, i: usize, direct: bool);
    /// Keep the `dev` and `optional` flags of package `i`.
    fn set_flags(&mut self, i: usize, dev: bool, optional: bool);
}

/// A [`Reach`] per package, labelled by a function.
struct Reaches<F> {
    reach: Vec<Reach>,
    label: F,
}

impl<F: FnMut(usize) -> CompactString> Places for Reaches<F> {
    fn label(&mut self, i: usize) -> CompactString {
        (self.label)(i)
    }
    fn set_path(&mut self, i: usize, path: DepPath) {
        self.reach[i].path = path;
    }
    fn set_direct(&mut self, i: usize, direct: bool) {
        self.reach[i].direct = direct;
    }
    fn set_flags(&mut self, i: usize, dev: bool, optional: bool) {
        self.reach[i].dev = dev;
        self.reach[i].optional = optional;
    }
}

impl Places for [Package] {
    fn label(&mut self, i: usize) -> CompactString {
        self[i].name.clone()
    }
    fn set_path(&mut self, i: usize, path: DepPath) {
        self[i].path = path;
    }
    fn set_direct(&mut self, i: usize, direct: bool) {
        self[i].direct = direct;
    }
    fn set_flags(&mut self, i: usize, dev: bool, optional: bool) {
        self[i].dev = dev;
        self[i].optional = optional;
    }
}

/// The breadth-first search of [`shortest_paths`], its findings kept in `out`.
fn search<E: Edges + ?Sized, P: Places + ?Sized>(out: &mut P, n: usize, edges: &E, roots: &[Root]) {
    for i in 0..n {
        out.set_direct(i, false);
    }
    // Each package's path is its BFS parent's path plus its own label: the paths of
    // the lockfile are one `PathTree` (packages `0..n`, then the roots), in which
    // `parent[i]` is the package or root that package `i` was first reached from
    // (`NO_PARENT` when none: its path is its own label alone).
    let node = |k: usize| u32::try_from(k).unwrap_or(NO_PARENT);
    let mut parent: Vec<u32> = vec![NO_PARENT; n + roots.len()];
    let mut queue: VecDeque<u32> = VecDeque::new();
    for (r, root) in roots.iter().enumerate() {
        for d in root.all_deps() {
            if d < n && parent[d] == NO_PARENT {
                parent[d] = node(n + r);
                queue.push_back(node(d));
            }
            if d < n {
                out.set_direct(d, true);
            }
        }
    }
    while let Some(i) = queue.pop_front() {
        for d in edges.of(i as usize) {
            if d < n && parent[d] == NO_PARENT {
                parent[d] = i;
                queue.push_back(node(d));
            }
        }
    }
    drop(queue);
    let reached: Vec<bool> = parent[..n].iter().map(|&p| p != NO_PARENT).collect();
    // Each label is asked for once.
    let tree = PathTree::new(parent, |k| match k.checked_sub(n) {
        None => out.label(k),
        Some(r) => roots[r].label.as_str().into(),
    });
    for i in 0..n {
        out.set_path(i, PathTree::path(&tree, i));
    }
    // dev / optional: reachable only through dev (or optional) roots' edges.
    let prod = reachable_by(n, edges, roots.iter().flat_map(|r| r.deps.iter().copied()));
    let non_dev = reachable_by(
        n,
        edges,
        roots
            .iter()
            .flat_map(|r| r.deps.iter().chain(&r.optional_deps).copied()),
    );
    for i in 0..n {
        let (dev, optional) = match reached[i] {
            true => (!non_dev[i], non_dev[i] && !prod[i]),
            false => (false, false),
        };
        out.set_flags(i, dev, optional);
    }
}

/// Which packages are reachable from `starts`.
pub fn reachable(n: usize, edges: &[Vec<usize>], starts: impl Iterator<Item = usize>) -> Vec<bool> {
    reachable_by(n, edges, starts)
}

/// [`reachable`] with the edges in any [`Edges`] form.
fn reachable_by<E: Edges + ?Sized>(
    n: usize,
    edges: &E,
    starts: impl Iterator<Item = usize>,
) -> Vec<bool> {
    let mut seen = vec![false; n];
    let mut stack: Vec<usize> = starts.filter(|&s| s < n).collect();
    while let Some(i) = stack.pop() {
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        stack.extend(edges.of(i).filter(|&d| d < n && !seen[d]));
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    /// The search as it was before the paths became one `PathTree`: a chain of
    /// nodes per package, built as the packages are reached.
    fn chain_paths(labels: &[String], edges: &[Vec<usize>], roots: &[Root]) -> Vec<DepPath> {
        let n = labels.len();
        let root_paths: Vec<DepPath> = (roots.iter())
            .map(|r| DepPath::EMPTY.child(r.label.clone()))
            .collect();
        let mut paths = vec![DepPath::EMPTY; n];
        let mut reached = vec![false; n];
        let mut queue = VecDeque::new();
        for (r, root) in roots.iter().enumerate() {
            for d in root.all_deps() {
                if d < n && !reached[d] {
                    reached[d] = true;
                    paths[d] = root_paths[r].child(labels[d].as_str());
                    queue.push_back(d);
                }
            }
        }
        while let Some(i) = queue.pop_front() {
            for &d in &edges[i] {
                if d < n && !reached[d] {
                    reached[d] = true;
                    paths[d] = paths[i].child(labels[d].as_str());
                    queue.push_back(d);
                }
            }
        }
        for i in (0..n).filter(|&i| !reached[i]) {
            paths[i] = DepPath::EMPTY.child(labels[i].as_str());
        }
        paths
    }

    #[test]
    fn tree_paths_read_as_the_chains_they_replace() {
        // Random graphs (cycles, repeats, self-edges, out-of-range packages, roots
        // with no or shared dependencies, empty and repeated labels).
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |m: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % m.max(1) as u64) as usize
        };
        for round in 0..400 {
            let n = next(40);
            let l: Vec<String> = (0..n)
                .map(|i| match next(4) {
                    0 => String::new(),
                    1 => "same".to_string(),
                    _ => format!("p{i}-{}", "x".repeat(next(30))),
                })
                .collect();
            let edges: Vec<Vec<usize>> = (0..n)
                .map(|_| (0..next(4)).map(|_| next(n + 2)).collect())
                .collect();
            let roots: Vec<Root> = (0..next(4))
                .map(|r| Root {
                    label: format!("root{r}"),
                    deps: (0..next(3)).map(|_| next(n + 1)).collect(),
                    dev_deps: (0..next(3)).map(|_| next(n + 1)).collect(),
                    optional_deps: (0..next(2)).map(|_| next(n + 1)).collect(),
                })
                .collect();
            let want = chain_paths(&l, &edges, &roots);
            let got = shortest_paths(&l, &edges, &roots);
            for i in 0..n {
                assert_eq!(got[i].path, want[i], "round {round}, package {i}");
                assert_eq!(got[i].path.to_vec(), want[i].to_vec());
            }
        }
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

    #[test]
    fn an_edge_list_reads_as_the_vectors_it_replaces() {
        // (package, dependency) pairs in the order a reader meets them, repeats and
        // out-of-range packages included.
        let pairs: Vec<(u32, u32)> = vec![
            (2, 0),
            (0, 1),
            (2, 3),
            (0, 1),
            (1, 2),
            (2, 0),
            (0, 3),
            (9, 1),
            (3, 7),
        ];
        let n = 5;
        let mut vecs: Vec<Vec<usize>> = vec![Vec::new(); n];
        for &(p, q) in &pairs {
            if let Some(v) = vecs.get_mut(p as usize)
                && !v.contains(&(q as usize))
            {
                v.push(q as usize);
            }
        }
        let list = EdgeList::from_pairs(n, pairs);
        for i in 0..n + 2 {
            let a: Vec<usize> = list.of(i).collect();
            let b: Vec<usize> = vecs[..].of(i).collect();
            assert_eq!(a, b, "{i}");
        }
        let roots = vec![Root {
            label: "r".into(),
            deps: vec![2],
            dev_deps: vec![4],
            ..Root::default()
        }];
        let l = labels(&["a", "b", "c", "d", "e"]);
        let by_vecs = shortest_paths(&l, &vecs, &roots);
        let by_list = shortest_paths_by(n, |i| l[i].as_str().into(), &list, &roots);
        assert_eq!(by_vecs, by_list);
        // Written into packages: what each `Reach` says.
        let mut packages: Vec<Package> = (l.iter())
            .map(|name| {
                let mut p = Package::new(
                    crate::model::Ecosystem::Npm,
                    name.as_str(),
                    "1",
                    crate::model::Source::Registry(None),
                    "package-lock.json",
                    1,
                );
                (p.direct, p.dev, p.optional) = (true, true, true);
                p
            })
            .collect();
        place_by(&mut packages, &list, &roots);
        for (p, r) in packages.iter().zip(&by_list) {
            assert_eq!(
                (&p.path, p.direct, p.dev, p.optional),
                (&r.path, r.direct, r.dev, r.optional)
            );
        }
        assert_eq!(by_list[1].path, labels(&["r", "c", "a", "b"]));
    }
}
