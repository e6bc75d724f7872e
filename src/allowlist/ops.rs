//! The maintenance operations behind `lockgate allowlist init | suggest | prune`,
//! as pure functions of a [`Resolution`] and an [`Allowlist`]. The CLI applies
//! them with [`super::edit::update`].

use super::edit::{Editor, compare_versions};
use super::gate::{Flag, Gate};
use super::{Allowlist, Approval};
use crate::model::{Ecosystem, Hash, Package, PackageKey, Source};
use crate::registry::{Client, pins, published};
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
    /// Whether a lockfile takes this version from a registry. A git or path
    /// package is not fetched by name, so the name checks do not apply to it (the
    /// `sources` policy governs it); the known-bad lists and deny rules still do.
    pub from_registry: bool,
    /// Why it must not be approved silently (see [`super::gate`]); filled by [`flag`].
    pub flags: Vec<Flag>,
}

impl Wanted {
    /// The key the allowlist files this version's name under.
    pub fn key(&self) -> PackageKey {
        PackageKey::new(self.ecosystem, &self.name)
    }

    /// The version as the registry judges take a query: `(ecosystem, name, version)`.
    pub fn query(&self) -> (Ecosystem, String, String) {
        (self.ecosystem, self.name.clone(), self.version.clone())
    }
}

/// Add the gate's [`Wanted::flags`] to each version (keeping flags already set,
/// e.g. the registry's `yanked` / `too-new` with `--online`).
pub fn flag(wanted: &mut [Wanted], gate: &Gate, list: Option<&Allowlist>) {
    for w in wanted {
        let found = gate.flags(list, w.ecosystem, &w.name, Some(&w.version));
        w.flags.extend(
            found.into_iter().filter(|f| {
                w.from_registry || matches!(f.id.as_str(), "known-malicious" | "denied")
            }),
        );
        w.flags.sort();
        w.flags.dedup();
    }
}

/// Per (ecosystem, normalised name, version): the name as written, the hashes of
/// every lockfile that pins it, and whether any of them takes it from a registry.
type Gathered = (String, BTreeSet<Hash>, bool);

/// A pin that would change: same version, other hashes of an algorithm already pinned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinChange {
    /// Ecosystem.
    pub ecosystem: Ecosystem,
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// The hashes pinned now.
    pub old: Vec<Hash>,
    /// The hashes that would replace them.
    pub new: Vec<Hash>,
}

impl std::fmt::Display for PinChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |hs: &[Hash]| {
            hs.iter()
                .map(|h| h.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        write!(
            f,
            "PIN CHANGED: {} {}@{}: from [{}] to [{}]",
            self.ecosystem,
            self.name,
            self.version,
            list(&self.old),
            list(&self.new)
        )
    }
}

/// The wanted versions whose pin exists with other hashes of the same algorithm:
/// the tampering case, which needs `--force --reason`.
pub fn pin_changes(list: Option<&Allowlist>, wanted: &[Wanted]) -> Vec<PinChange> {
    let Some(list) = list else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for w in wanted {
        let Some(pin) = list
            .entry(w.ecosystem, &w.name)
            .and_then(|e| e.pin(w.ecosystem, &w.version))
        else {
            continue;
        };
        let changed = pin.hashes.iter().any(|old| {
            w.hashes.iter().any(|n| n.algorithm == old.algorithm) && !w.hashes.contains(old)
        }) || w.hashes.iter().any(|n| {
            pin.hashes.iter().any(|o| o.algorithm == n.algorithm) && !pin.hashes.contains(n)
        });
        if changed {
            out.push(PinChange {
                ecosystem: w.ecosystem,
                name: w.name.clone(),
                version: w.version.clone(),
                old: pin.hashes.clone(),
                new: w.hashes.clone(),
            });
        }
    }
    out
}

/// The versions a resolution uses that the allowlist does not approve as they are
/// (unlisted names, unlisted versions, and pins lacking a lockfile hash algorithm),
/// deduplicated across lockfiles, sorted.
pub fn wanted(res: &Resolution, list: Option<&Allowlist>) -> Vec<Wanted> {
    let mut map: BTreeMap<(PackageKey, String), Gathered> = BTreeMap::new();
    for p in res.packages() {
        // Path and workspace packages are governed by `sources`, not pinned per version.
        // Actions are pinned by commit SHA, not by hash: see `super::actions`.
        if matches!(p.source, Source::Path(_)) || p.ecosystem == crate::model::Ecosystem::Actions {
            continue;
        }
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
                // A lockfile hash of a pinned algorithm that is not pinned is a
                // `hash-mismatch`: never suggested (re-pinning needs `add --force`).
                let mismatch = p.hashes.iter().any(|h| {
                    pin.hashes.iter().any(|x| x.algorithm == h.algorithm) && !pin.hashes.contains(h)
                });
                if covered || mismatch {
                    continue;
                }
            }
        }
        let e = map
            .entry((p.key(), p.version.to_string()))
            .or_insert_with(|| (p.name.to_string(), BTreeSet::new(), false));
        e.1.extend(p.hashes.iter().cloned());
        e.2 |= matches!(p.source, Source::Registry(_));
        if let Some(pin) = list
            .and_then(|l| l.entry(p.ecosystem, &p.name))
            .and_then(|e| e.pin(p.ecosystem, &p.version))
        {
            e.1.extend(pin.hashes.iter().cloned());
        }
    }
    let mut out: Vec<Wanted> = map
        .into_iter()
        .map(
            |((PackageKey { ecosystem: eco, .. }, version), (name, hashes, from_registry))| {
                Wanted {
                    name_listed: list.is_some_and(|l| l.entry(eco, &name).is_some()),
                    from_registry,
                    ecosystem: eco,
                    name,
                    version,
                    hashes: hashes.into_iter().collect(),
                    flags: Vec::new(),
                }
            },
        )
        .collect();
    out.sort_by(|a, b| {
        a.key()
            .cmp(&b.key())
            .then_with(|| compare_versions(&a.version, &b.version))
    });
    out
}

/// Apply wanted pins to an editor, each version with the approval (if any field is
/// set), written per version.
pub fn apply(ed: &mut Editor, wanted: &[Wanted], approval: &Approval) {
    for w in wanted {
        ed.set_pin_approved(w.ecosystem, &w.name, &w.version, &w.hashes, Some(approval));
    }
}

/// The flagged versions written as comments, each with its findings: what `init`
/// puts at the end of a new allowlist instead of approving them.
pub fn commented_out(wanted: &[Wanted], path: &Path) -> String {
    let mut out = String::new();
    for w in wanted.iter().filter(|w| !w.flags.is_empty()) {
        out.push_str(&format!(
            "\n# NOT APPROVED by `lockgate allowlist init`: {} {}@{} is flagged:\n",
            w.ecosystem, w.name, w.version
        ));
        for f in &w.flags {
            out.push_str(&format!("#   {}: {}\n", f.id, f.message.replace('\n', " ")));
        }
        if w.flags.iter().any(Flag::is_absolute) {
            out.push_str("# Remove the dependency: a known-malicious version is never approved.\n");
        } else {
            out.push_str("# Remove the dependency, or approve it after review with `lockgate allowlist add --force --reason`.\n");
        }
        let mut ed = Editor::empty(path);
        ed.set_pin(w.ecosystem, &w.name, &w.version, &w.hashes);
        for line in ed.render().trim().lines() {
            out.push_str(&format!("# {line}\n"));
        }
    }
    out
}

/// A new allowlist pinning everything the resolution uses ("trust on first use").
///
/// The policy is widened just enough that `check` passes on the current state,
/// and every widening is said in a comment: the source kinds and registries in use
/// are allowed, and `missing-hash` / `unpinned` become warnings when the lockfiles
/// have entries without hashes or the tree has unpinned manifests.
pub fn init(path: &Path, res: &Resolution, approval: &Approval) -> Editor {
    init_with(path, res, approval, &wanted(res, None))
}

/// [`init`] with the versions to pin given (e.g. without the flagged ones).
pub fn init_with(path: &Path, res: &Resolution, approval: &Approval, wanted: &[Wanted]) -> Editor {
    let mut ed = Editor::new(path);
    apply(&mut ed, wanted, approval);
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
    let used: HashSet<(PackageKey, String)> = res
        .packages()
        .map(|p| (p.key(), p.version.to_string()))
        .collect();
    super::edit::unused(
        list.entries.iter().filter(|(_, e)| e.file == list.path),
        &used,
    )
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
    let flagged = wanted.iter().filter(|w| !w.flags.is_empty()).count();
    if flagged > 0 {
        out.push_str(&format!(
            "# WARNING: {flagged} version{} FLAGGED below (typosquat, hallucination, malware or deny rule): `suggest --write` does not apply {} without --force --reason.\n",
            if flagged == 1 { " is" } else { "s are" },
            if flagged == 1 { "it" } else { "them" }
        ));
    }
    let (new, listed): (Vec<&Wanted>, Vec<&Wanted>) = wanted.iter().partition(|w| !w.name_listed);
    let mut i = 0;
    while i < new.len() {
        // one table per name, its flags (if any) above it
        let key = new[i].key();
        let mut j = i;
        while j < new.len() && new[j].key() == key {
            j += 1;
        }
        let group: Vec<Wanted> = new[i..j].iter().map(|w| (*w).clone()).collect();
        out.push('\n');
        out.push_str(&flag_lines(&group));
        let mut ed = Editor::empty(allowlist);
        apply(&mut ed, &group, approval);
        out.push_str(ed.render().trim_start());
        if !out.ends_with('\n') {
            out.push('\n');
        }
        i = j;
    }
    let mut last: Option<PackageKey> = None;
    for w in listed {
        let key = w.key();
        if last.as_ref() != Some(&key) {
            out.push_str(&format!(
                "\n# add under the existing [{}.{}]:\n",
                w.ecosystem,
                toml_key(&w.name)
            ));
            last = Some(key);
        }
        out.push_str(&flag_lines(std::slice::from_ref(w)));
        let hs: Vec<String> = w
            .hashes
            .iter()
            .map(|h| format!("\"{}\"", super::hash_text(w.ecosystem, h)))
            .collect();
        let value = if hs.len() == 1 {
            hs[0].clone()
        } else {
            format!("[{}]", hs.join(", "))
        };
        out.push_str(&format!("# versions.\"{}\" = {value}\n", w.version));
    }
    out
}

fn flag_lines(group: &[Wanted]) -> String {
    let mut out = String::new();
    for w in group {
        for f in &w.flags {
            out.push_str(&format!(
                "# FLAGGED {}@{} [{}]: {}\n",
                w.name,
                w.version,
                f.id,
                f.message.replace('\n', " ")
            ));
        }
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

/// Replace the lockfile hashes of `wanted` with the registry's. Versions that could
/// not be verified are left out of the result and reported as problems.
pub fn pin_from_registry(
    client: &Client,
    wanted: Vec<Wanted>,
) -> (Vec<Wanted>, Vec<pins::PinProblem>) {
    let queries: Vec<(Ecosystem, String)> = wanted
        .iter()
        .map(|w| (w.ecosystem, w.name.clone()))
        .collect();
    let answers = client.lookup_all(&queries);
    let mut ok = Vec::new();
    let mut problems = Vec::new();
    for (mut w, ans) in wanted.into_iter().zip(answers) {
        match pins::resolve_version(w.ecosystem, &w.name, &w.version, ans) {
            Err(p) => problems.push(p),
            Ok(v) => {
                let bad = published::unpublished(&w.hashes, &v);
                if !bad.is_empty() {
                    problems.push(pins::PinProblem::Mismatch {
                        ecosystem: w.ecosystem,
                        name: w.name.clone(),
                        version: w.version.clone(),
                        lockfile: pins::list(bad.into_iter()),
                        registry: pins::list(v.hashes().iter()),
                    });
                    continue;
                }
                w.hashes = pins::pin_for(&v, &w.hashes);
                ok.push(w);
            }
        }
    }
    (ok, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_different_hash_for_a_pinned_version_is_a_pin_change() {
        let h = |c: char| Hash::parse(&format!("sha256:{}", c.to_string().repeat(64))).unwrap();
        let list = super::super::parse(
            Path::new("a.toml"),
            &format!("[pypi.a]\nversions.\"1\" = \"{}\"\n", h('1')),
        )
        .unwrap();
        let w = |hashes: Vec<Hash>| Wanted {
            ecosystem: Ecosystem::Pypi,
            name: "a".into(),
            from_registry: true,
            version: "1".into(),
            hashes,
            name_listed: true,
            flags: Vec::new(),
        };
        assert!(pin_changes(Some(&list), &[w(vec![h('1')])]).is_empty());
        let changes = pin_changes(Some(&list), &[w(vec![h('2')])]);
        assert_eq!(changes.len(), 1);
        let text = changes[0].to_string();
        assert!(
            text.starts_with("PIN CHANGED: pypi a@1: from [sha256:1111"),
            "{text}"
        );
        assert!(text.contains("to [sha256:2222"), "{text}");
    }

    #[test]
    fn the_gate_flags_known_malicious_versions_of_listed_names() {
        let list = super::super::parse(
            Path::new("a.toml"),
            "[npm.chalk]\nversions.\"4.1.2\" = []\n",
        )
        .unwrap();
        let gate = Gate::new(Some(&list), &[]).unwrap();
        let flags = gate.flags(Some(&list), Ecosystem::Npm, "chalk", Some("5.6.1"));
        assert!(
            flags
                .iter()
                .any(|f| f.id == "known-malicious" && f.is_absolute()),
            "{flags:?}"
        );
        assert!(
            gate.flags(Some(&list), Ecosystem::Npm, "chalk", Some("4.1.2"))
                .is_empty()
        );
        let flags = gate.flags(Some(&list), Ecosystem::Npm, "expresss", Some("0.0.0"));
        assert!(flags.iter().any(|f| f.id == "similar-name"), "{flags:?}");
    }
}
