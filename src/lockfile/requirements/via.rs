//! `# via` annotations (pip-compile's and uv's, one-line and multi-line) and the
//! final assembly: constraints applied, sources filled in, dependency paths.

use super::super::graph::{self, Root};
use super::super::{Ecosystem, Lockfile, Package, Source, Unpinned, pep503};
use super::lines::*;
use super::*;
use crate::model::DepPath;
use compact_str::CompactString;
use std::collections::HashMap;

impl<'c, 'a> ReqParser<'c, 'a> {
    /// Read a comment line in the light of the annotation state.
    pub(super) fn annotate(&mut self, comment: &str, state: ViaState) -> ViaState {
        let body = comment.strip_prefix('#').unwrap_or(comment);
        let trimmed = body.trim();
        match state {
            ViaState::After(t) => {
                if let Some(rest) = trimmed.strip_prefix("via") {
                    if rest.is_empty() {
                        return ViaState::List(t);
                    }
                    if rest.starts_with(char::is_whitespace) {
                        for item in rest.split(',') {
                            self.add_via(t, item);
                        }
                        return ViaState::After(t);
                    }
                }
                ViaState::After(t)
            }
            ViaState::List(t) => {
                if body.starts_with(char::is_whitespace) && !trimmed.is_empty() {
                    self.add_via(t, trimmed);
                    ViaState::List(t)
                } else {
                    ViaState::None
                }
            }
            ViaState::None => ViaState::None,
        }
    }

    pub(super) fn add_via(&mut self, t: Target, item: &str) {
        let item = item.trim();
        if item.is_empty() {
            return;
        }
        let via = if let Some(file) = item
            .strip_prefix("-r ")
            .or_else(|| item.strip_prefix("--requirement "))
        {
            Via::Root(file.trim().to_string())
        } else if item.starts_with("-c ") || item.starts_with("--constraint ") {
            return;
        } else if let Some((name, _)) = item.split_once(" (") {
            // `project (pyproject.toml)`, `project (setup.cfg)`
            Via::Root(name.trim().to_string())
        } else if item.starts_with('-') {
            return;
        } else {
            Via::Package(pep503(item.split('[').next().unwrap_or(item)))
        };
        let list = match t {
            Target::Entry(i) => self.meta.get_mut(i).map(|e| &mut e.via),
            Target::Loose(i) => self.unpinned.get_mut(i).map(|e| &mut e.via),
            Target::Ignored => None,
        };
        if let Some(list) = list
            && !list.contains(&via)
        {
            list.push(via);
        }
    }

    pub(super) fn finish(mut self) -> Lockfile {
        // Constraint pins turn loose requirements into packages.
        let mut unpinned = Vec::new();
        for l in std::mem::take(&mut self.unpinned) {
            let key_name = pep503(&l.name);
            match self.constraints.get(&key_name).cloned() {
                Some((v, ch)) => {
                    let mut hashes = l.hashes;
                    hashes.extend(ch);
                    if let Some(i) = self.find(&key_name, &v, None) {
                        if let (Some(p), Some(m)) = (self.packages.get_mut(i), self.meta.get_mut(i))
                        {
                            p.hashes.extend(hashes);
                            m.via.extend(l.via);
                        }
                    } else {
                        let hash = self.key_hash(&key_name, &v, None);
                        let mut p = Package::new(
                            Ecosystem::Pypi,
                            l.name,
                            v,
                            Source::Registry(None),
                            &*l.file,
                            l.line,
                        );
                        p.hashes = hashes.into();
                        p.lockfile = l.file;
                        if let Target::Entry(i) = self.push(hash, p, l.dev_file, true, l.seq)
                            && let Some(m) = self.meta.get_mut(i)
                        {
                            m.via = l.via;
                        }
                    }
                }
                None => unpinned.push(Unpinned {
                    ecosystem: Ecosystem::Pypi,
                    name: l.name,
                    spec: l.spec,
                    file: l.file.into(),
                    line: l.line,
                }),
            }
        }
        // The lookup tables are done with: free them before the graph is built, which is
        // when the memory of a large file peaks.
        self.index = HashMap::default();
        self.collided = HashMap::new();
        self.constraints = HashMap::new();
        let mut packages = std::mem::take(&mut self.packages);
        let mut meta = std::mem::take(&mut self.meta);
        if !meta.is_sorted_by_key(|m| m.seq) {
            // Constraint-pinned packages go back to where they were read.
            let mut both: Vec<(Package, Meta)> = packages.into_iter().zip(meta).collect();
            both.sort_by_key(|(_, m)| m.seq);
            (packages, meta) = both.into_iter().unzip();
        }
        let registry = self.registry();
        for (p, m) in packages.iter_mut().zip(&meta) {
            if m.from_index {
                p.source = Source::Registry(registry.clone());
            }
            p.hashes.sort();
            p.hashes.dedup();
            p.shrink_to_fit();
        }
        let default_label = self.ctx.root_label();
        if meta.iter().all(|m| m.via.is_empty()) {
            // No annotation (a file written by `pip freeze`, or by hand): every package
            // is direct from the project, dev when its file is a dev one, with the
            // path `project > name` the graph below would give it; its tables
            // (three lists and the search's own, beside every package) are not built.
            // The records beside the packages are freed before the paths are made
            // (when the memory of a large file peaks).
            for (p, m) in packages.iter_mut().zip(&meta) {
                p.direct = true;
                p.dev = m.dev_file;
            }
            drop(meta);
            let root = DepPath::EMPTY.child(default_label);
            for p in &mut packages {
                p.path = root.child(p.name.as_str());
            }
            return self.lockfile(packages, unpinned);
        }
        let labels: Vec<CompactString> = packages.iter().map(|p| p.name.clone()).collect();
        // Only `# via <package>` lines look packages up by name (a file without them,
        // such as one written by `pip freeze`, needs no map).
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        let any_via_package = meta
            .iter()
            .any(|m| m.via.iter().any(|v| matches!(v, Via::Package(_))));
        for (i, p) in packages.iter().enumerate().filter(|_| any_via_package) {
            by_name
                .entry(pep503(&p.name))
                .or_insert_with(|| Vec::with_capacity(1))
                .push(i);
        }
        let mut roots: Vec<Root> = vec![Root {
            label: default_label,
            ..Root::default()
        }];
        let mut root_ix: HashMap<String, usize> = HashMap::new();
        let mut edges: Vec<Vec<usize>> = vec![Vec::new(); packages.len()];
        for (i, e) in meta.iter().enumerate() {
            let mut rooted = false;
            for v in &e.via {
                match v {
                    Via::Root(label) => {
                        let r = *root_ix.entry(label.clone()).or_insert_with(|| {
                            roots.push(Root {
                                label: label.clone(),
                                ..Root::default()
                            });
                            roots.len() - 1
                        });
                        if let Some(root) = roots.get_mut(r) {
                            if is_dev_name(label) {
                                root.dev_deps.push(i);
                            } else {
                                root.deps.push(i);
                            }
                        }
                        rooted = true;
                    }
                    Via::Package(name) => {
                        for &p in by_name.get(name).map(Vec::as_slice).unwrap_or(&[]) {
                            if let Some(list) = edges.get_mut(p) {
                                list.push(i);
                            }
                            rooted = true;
                        }
                    }
                }
            }
            if !rooted
                && e.via.is_empty()
                && let Some(root) = roots.first_mut()
            {
                if e.dev_file {
                    root.dev_deps.push(i);
                } else {
                    root.deps.push(i);
                }
            }
        }
        drop((meta, by_name, root_ix));
        let reach = graph::shortest_paths_owned(labels, &edges, &roots);
        drop((edges, roots));
        for (p, r) in packages.iter_mut().zip(reach) {
            p.direct = r.direct;
            p.dev = r.dev;
            p.optional = r.optional;
            p.path = r.path;
        }
        self.lockfile(packages, unpinned)
    }

    fn lockfile(&self, packages: Vec<Package>, unpinned: Vec<Unpinned>) -> Lockfile {
        Lockfile {
            path: self.ctx.display.to_path_buf(),
            ecosystem: Ecosystem::Pypi,
            format: "requirements".to_string(),
            packages,
            unpinned,
        }
    }
}
