//! The record builder both yarn formats share: merges equal (name, version, source) and
//! computes each record's dependency path from the roots.

use crate::lockfile::graph::{self, Root};
use crate::lockfile::{Context, Ecosystem, Hash, Lockfile, Package, Source};
use std::collections::hash_map;

pub(super) use crate::model::FastMap;

/// Accumulates records, merging equal (name, version, source).
pub(super) struct Builder<'c> {
    pub(super) ctx: &'c Context<'c>,
    pub(super) records: Vec<Package>,
    pub(super) edges: Vec<Vec<usize>>,
    pub(super) ids: FastMap<(String, String, Source), usize>,
}

impl<'c> Builder<'c> {
    pub(super) fn new(ctx: &'c Context<'c>) -> Self {
        Builder {
            ctx,
            records: Vec::new(),
            edges: Vec::new(),
            ids: FastMap::default(),
        }
    }

    pub(super) fn add(
        &mut self,
        name: String,
        version: String,
        source: Source,
        hashes: Vec<Hash>,
        line: usize,
    ) -> usize {
        let i = match self.ids.entry((name, version, source)) {
            hash_map::Entry::Occupied(o) => *o.get(),
            hash_map::Entry::Vacant(v) => {
                let i = self.records.len();
                let (name, version, source) = v.key().clone();
                v.insert(i);
                self.records.push(Package::new(
                    Ecosystem::Npm,
                    name,
                    version,
                    source,
                    self.ctx.display,
                    line,
                ));
                self.edges.push(Vec::new());
                i
            }
        };
        if let Some(r) = self.records.get_mut(i) {
            r.hashes.extend(hashes);
        }
        i
    }

    pub(super) fn edge(&mut self, from: usize, to: usize) {
        if let Some(e) = self.edges.get_mut(from)
            && !e.contains(&to)
        {
            e.push(to);
        }
    }

    pub(super) fn finish(mut self, format: String, roots: &[Root]) -> Lockfile {
        graph::place(&mut self.records, &self.edges, roots);
        Lockfile {
            path: self.ctx.display.to_path_buf(),
            ecosystem: Ecosystem::Npm,
            format,
            packages: self.records,
            unpinned: Vec::new(),
        }
    }
}

/// Split `name@range` at the `@` that ends the name (a scope's `@` is part of the name).
pub(super) fn split_descriptor(d: &str) -> Option<(&str, &str)> {
    let at = d.get(1..)?.find('@')? + 1;
    let name = d.get(..at)?;
    let range = d.get(at + 1..)?;
    (!name.is_empty()).then_some((name, range))
}
