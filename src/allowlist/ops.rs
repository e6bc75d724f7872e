//! The maintenance operations behind `lockgate allowlist init | suggest | prune`,
//! as pure functions of a [`Resolution`] and an [`Allowlist`]. The CLI applies
//! them with [`super::edit::update`].

use super::edit::{Editor, compare_versions};
use super::{Allowlist, Approval};
use crate::lockfile::{Ecosystem, Hash, Package, Source};
use crate::resolve::Resolution;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

/// One version to pin: what `init` and `suggest` write.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Wanted {
    /// Ecosystem.
    pub ecosystem: Ecosystem,
    /// Name as the lockfile writes it.
    pub name: String,
    /// Version.
    pub version: String,
    /// Hashes from the lockfile(s): the union over every lockfile that pins this version.
    pub hashes: Vec<Hash>,
    /// Whether the allowlist already has an entry for the name.
    pub name_listed: bool,
}

/// The versions a resolution uses that the allowlist does not approve as they are
/// (unlisted names, unlisted versions, and pins lacking a lockfile hash algorithm),
/// deduplicated across lockfiles, sorted.
pub fn wanted(res: &Resolution, list: Option<&Allowlist>) -> Vec<Wanted> {
    let mut map: BTreeMap<(Ecosystem, String, String), (String, BTreeSet<Hash>)> = BTreeMap::new();
    for p in res.packages() {
        if let Some(list) = list {
            if list
                .denied(p.ecosystem, &p.name, Some(&p.version))
                .is_some()
            {
                continue;
            }
            if let Some(pin) = list
                .entry(p.ecosystem, &p.name)
                .and_then(|e| e.pin(p.ecosystem, &p.version))
            {
                let covered = p
                    .hashes
                    .iter()
                    .all(|h| pin.hashes.iter().any(|x| x.algorithm == h.algorithm));
                if covered {
                    continue;
                }
            }
        }
        let e = map
            .entry((p.ecosystem, p.normalized_name(), p.version.clone()))
            .or_insert_with(|| (p.name.clone(), BTreeSet::new()));
        e.1.extend(p.hashes.iter().cloned());
        if let Some(pin) = list
            .and_then(|l| l.entry(p.ecosystem, &p.name))
            .and_then(|e| e.pin(p.ecosystem, &p.version))
        {
            e.1.extend(pin.hashes.iter().cloned());
        }
    }
    let mut out: Vec<Wanted> = map
        .into_iter()
        .map(|((eco, _, version), (name, hashes))| Wanted {
            name_listed: list.is_some_and(|l| l.entry(eco, &name).is_some()),
            ecosystem: eco,
            name,
            version,
            hashes: hashes.into_iter().collect(),
        })
        .collect();
    out.sort_by(|a, b| {
        (a.ecosystem, a.ecosystem.normalize(&a.name))
            .cmp(&(b.ecosystem, b.ecosystem.normalize(&b.name)))
            .then_with(|| compare_versions(&a.version, &b.version))
    });
    out
}

/// Apply wanted pins (and an approval, if any field is set) to an editor.
pub fn apply(ed: &mut Editor, wanted: &[Wanted], approval: &Approval) {
    for w in wanted {
        ed.set_pin(w.ecosystem, &w.name, &w.version, &w.hashes);
        if !w.name_listed {
            ed.set_approval(w.ecosystem, &w.name, approval);
        }
    }
}

/// A new allowlist pinning everything the resolution uses ("trust on first use").
///
/// The policy is widened just enough that `check` passes on the current state,
/// and every widening is said in a comment: the source kinds and registries in use
/// are allowed, and `missing-hash` / `unpinned` become warnings when the lockfiles
/// have entries without hashes or the tree has unpinned manifests.
pub fn init(path: &Path, res: &Resolution, approval: &Approval) -> Editor {
    let mut ed = Editor::new(path);
    let wanted = wanted(res, None);
    apply(&mut ed, &wanted, approval);
    let packages: Vec<&Package> = res.packages().collect();
    let mut kinds: Vec<&str> = vec!["registry"];
    let mut registries: BTreeSet<String> = BTreeSet::new();
    for p in &packages {
        let k = p.source.kind();
        if !kinds.contains(&k) {
            kinds.push(k);
        }
        if let Source::Registry(Some(url)) = &p.source {
            registries.insert(url.clone());
        }
    }
    let no_hash = packages
        .iter()
        .filter(|p| matches!(p.source, Source::Registry(_) | Source::Url(_)) && p.hashes.is_empty())
        .count();
    let unpinned = res.manifests_without_lockfile.len() + res.unpinned().count();
    ed.init_policy(
        &kinds,
        &registries.into_iter().collect::<Vec<_>>(),
        no_hash,
        unpinned,
    );
    ed
}

/// Entries that no lockfile of the resolution uses: whole names, or single
/// versions of names that are still used at other versions.
pub fn prune(res: &Resolution, list: &Allowlist) -> Vec<(Ecosystem, String, Option<String>)> {
    let used: HashSet<(Ecosystem, String, String)> = res
        .packages()
        .map(|p| (p.ecosystem, p.normalized_name(), p.version.clone()))
        .collect();
    super::edit::unused(list.entries.iter(), &used)
}

/// The snippet `suggest` prints: new names as whole tables, new versions of listed
/// names as lines to add under the existing table.
pub fn snippet(wanted: &[Wanted], allowlist: &Path, approval: &Approval) -> String {
    snippet_with(wanted, allowlist, approval, false)
}

/// [`snippet`] for hashes fetched from the registries (`suggest --online`): the
/// header says they were verified instead of UNVERIFIED.
pub fn snippet_verified(wanted: &[Wanted], allowlist: &Path, approval: &Approval) -> String {
    snippet_with(wanted, allowlist, approval, true)
}

fn snippet_with(
    wanted: &[Wanted],
    allowlist: &Path,
    approval: &Approval,
    verified: bool,
) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "# lockgate allowlist suggest: {} version{} to add to {}\n",
        wanted.len(),
        if wanted.len() == 1 { "" } else { "s" },
        allowlist.display()
    ));
    if verified {
        out.push_str("# Verified: these hashes were fetched from the registries (every file of each version), and the lockfiles' hashes match them.\n");
    } else {
        out.push_str("# UNVERIFIED: these hashes are copied from the lockfiles, not fetched from the registry.\n");
    }
    out.push_str("# Review each package before approving; apply with `lockgate allowlist suggest --write`.\n");
    let (new, listed): (Vec<&Wanted>, Vec<&Wanted>) = wanted.iter().partition(|w| !w.name_listed);
    if !new.is_empty() {
        let mut ed = Editor::empty(allowlist);
        let new: Vec<Wanted> = new.into_iter().cloned().collect();
        apply(&mut ed, &new, approval);
        out.push('\n');
        out.push_str(ed.render().trim_start());
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    let mut last: Option<(Ecosystem, String)> = None;
    for w in listed {
        let key = (w.ecosystem, w.ecosystem.normalize(&w.name));
        if last.as_ref() != Some(&key) {
            out.push_str(&format!(
                "\n# add under the existing [{}.{}]:\n",
                w.ecosystem,
                toml_key(&w.name)
            ));
            last = Some(key);
        }
        let hs: Vec<String> = w.hashes.iter().map(|h| format!("\"{h}\"")).collect();
        let value = if hs.len() == 1 {
            hs[0].clone()
        } else {
            format!("[{}]", hs.join(", "))
        };
        out.push_str(&format!("# versions.\"{}\" = {value}\n", w.version));
    }
    out
}

fn toml_key(name: &str) -> String {
    if name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        name.to_string()
    } else {
        format!("\"{name}\"")
    }
}
