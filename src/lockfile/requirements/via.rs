//! `# via` annotations (pip-compile's and uv's, one-line and multi-line) and the
//! final assembly: constraints applied, sources filled in, dependency paths.

use super::super::graph::{self, Root};
use super::super::{Ecosystem, Lockfile, Package, Source, Unpinned, pep503};
use super::lines::*;
use super::*;
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
            Target::Entry(i) => self.entries.get_mut(i).map(|e| &mut e.via),
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
            match self.constraints.get(&pep503(&l.name)) {
                Some((v, ch)) => {
                    let mut hashes = l.hashes.clone();
                    hashes.extend(ch.iter().cloned());
                    let key = (pep503(&l.name), v.clone(), None);
                    if let Some(&i) = self.index.get(&key) {
                        if let Some(e) = self.entries.get_mut(i) {
                            e.hashes.extend(hashes);
                            e.via.extend(l.via);
                        }
                    } else {
                        self.entries.push(Entry {
                            name: l.name,
                            version: v.clone(),
                            hashes,
                            source: None,
                            file: l.file,
                            line: l.line,
                            via: l.via,
                            dev_file: l.dev_file,
                            seq: l.seq,
                        });
                        self.index.insert(key, self.entries.len() - 1);
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
        self.index = HashMap::new();
        self.constraints = HashMap::new();
        self.entries.sort_by_key(|e| e.seq);
        let registry = self.registry();
        let default_label = self.ctx.root_label();
        let labels: Vec<String> = self.entries.iter().map(|e| e.name.clone()).collect();
        // Only `# via <package>` lines look packages up by name (a file without them,
        // such as one written by `pip freeze`, needs no map).
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        let any_via_package = self
            .entries
            .iter()
            .any(|e| e.via.iter().any(|v| matches!(v, Via::Package(_))));
        for (i, e) in self.entries.iter().enumerate().filter(|_| any_via_package) {
            by_name
                .entry(pep503(&e.name))
                .or_insert_with(|| Vec::with_capacity(1))
                .push(i);
        }
        let mut roots: Vec<Root> = vec![Root {
            label: default_label,
            ..Root::default()
        }];
        let mut root_ix: HashMap<String, usize> = HashMap::new();
        let mut edges: Vec<Vec<usize>> = vec![Vec::new(); self.entries.len()];
        for (i, e) in self.entries.iter().enumerate() {
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
        let reach = graph::shortest_paths_owned(labels, &edges, &roots);
        let packages = self
            .entries
            .into_iter()
            .zip(reach)
            .map(|(e, r)| {
                let mut hashes = e.hashes;
                hashes.sort();
                hashes.dedup();
                let source = e
                    .source
                    .unwrap_or_else(|| Source::Registry(registry.clone()));
                Package {
                    hashes,
                    direct: r.direct,
                    dev: r.dev,
                    optional: r.optional,
                    path: r.path,
                    ..Package::new(Ecosystem::Pypi, e.name, e.version, source, e.file, e.line)
                }
            })
            .collect();
        Lockfile {
            path: self.ctx.display.to_path_buf(),
            ecosystem: Ecosystem::Pypi,
            format: "requirements".to_string(),
            packages,
            unpinned,
        }
    }
}
