//! What changed between two versions of an allowlist, for `lockgate allowlist log`:
//! added, removed and re-pinned versions, deny rules, exceptions, policy and
//! `extends`. Pure: the caller reads the old text (e.g. `git show REF:allowlist.toml`).

use super::{Allowlist, Approval, Policy};
use crate::model::{Ecosystem, PackageKey};
use std::collections::BTreeSet;

/// One change, rendered as one line by its `Display`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// A version approved.
    Added(Ecosystem, String, String, Option<String>),
    /// A version no longer approved.
    Removed(Ecosystem, String, String),
    /// A version's hashes changed.
    Repinned(Ecosystem, String, String, String, String),
    /// A `[[deny]]` rule added or changed (description).
    DenyAdded(String),
    /// A `[[deny]]` rule removed.
    DenyRemoved(String),
    /// An `[[exception]]` added.
    ExceptionAdded(String),
    /// An `[[exception]]` removed.
    ExceptionRemoved(String),
    /// A policy key changed: key, old, new.
    Policy(String, String, String),
    /// The `extends` list changed: old, new.
    Extends(String, String),
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Change::Added(e, n, v, a) => {
                write!(f, "+ {e} {n}@{v}")?;
                if let Some(a) = a {
                    write!(f, "  ({a})")?;
                }
                Ok(())
            }
            Change::Removed(e, n, v) => write!(f, "- {e} {n}@{v}"),
            Change::Repinned(e, n, v, old, new) => {
                write!(f, "! {e} {n}@{v} PIN CHANGED from [{old}] to [{new}]")
            }
            Change::DenyAdded(d) => write!(f, "+ deny {d}"),
            Change::DenyRemoved(d) => write!(f, "- deny {d}"),
            Change::ExceptionAdded(d) => write!(f, "+ exception {d}"),
            Change::ExceptionRemoved(d) => write!(f, "- exception {d}"),
            Change::Policy(k, old, new) => write!(f, "~ policy {k}: {old} -> {new}"),
            Change::Extends(old, new) => write!(f, "~ extends: [{old}] -> [{new}]"),
        }
    }
}

/// A one-line summary of an approval: `by X on D, ticket T: reason`.
pub fn describe(a: &Approval) -> String {
    let mut s = String::new();
    if let Some(by) = &a.by {
        s.push_str(&format!("by {by}"));
    }
    if let Some(on) = &a.on {
        s.push_str(&format!(" on {on}"));
    }
    if let Some(t) = &a.ticket {
        s.push_str(&format!(", ticket {t}"));
    }
    if let Some(r) = &a.reason {
        s.push_str(&format!(": {r}"));
    }
    s.trim().to_string()
}

fn hashes(list: &Allowlist, e: Ecosystem, n: &str, v: &str) -> Option<String> {
    let pin = list.entry(e, n)?.pin(e, v)?;
    Some(
        pin.hashes
            .iter()
            .map(|h| h.to_string())
            .collect::<Vec<_>>()
            .join(", "),
    )
}

fn versions(list: &Allowlist) -> BTreeSet<(PackageKey, String, String)> {
    list.entries
        .iter()
        .flat_map(|(key, entry)| {
            entry
                .versions
                .keys()
                .map(move |v| (key.clone(), entry.name.clone(), v.clone()))
        })
        .collect()
}

fn policy_lines(p: &Policy) -> Vec<(String, String)> {
    vec![
        (
            "unlisted".into(),
            format!("{:?}", p.unlisted).to_lowercase(),
        ),
        (
            "missing-hash".into(),
            format!("{:?}", p.missing_hash).to_lowercase(),
        ),
        (
            "unpinned".into(),
            format!("{:?}", p.unpinned).to_lowercase(),
        ),
        (
            "similar-names".into(),
            format!("{:?}", p.similar_names).to_lowercase(),
        ),
        ("sources".into(), format!("{:?}", p.sources)),
        ("registries".into(), format!("{:?}", p.registries)),
        ("known-bad".into(), format!("{:?}", p.known_bad)),
        (
            "min-age-days".into(),
            p.min_age_days
                .map(|d| d.to_string())
                .unwrap_or_else(|| "none".into()),
        ),
        (
            "registry-errors".into(),
            format!("{:?}", p.registry_errors).to_lowercase(),
        ),
        (
            "min-age".into(),
            p.min_age
                .map(super::duration_text)
                .unwrap_or_else(|| "none".into()),
        ),
        (
            "missing-publish-time".into(),
            format!("{:?}", p.missing_publish_time).to_lowercase(),
        ),
        (
            "install-scripts".into(),
            format!("{:?}", p.install_scripts).to_lowercase(),
        ),
    ]
}

/// Everything that differs from `old` to `new`, sorted: additions, removals,
/// re-pins, then rules and policy.
pub fn diff(old: &Allowlist, new: &Allowlist) -> Vec<Change> {
    let mut out = Vec::new();
    let (a, b) = (versions(old), versions(new));
    for (PackageKey { ecosystem: e, .. }, n, v) in b.difference(&a) {
        let who = new.approval_of(*e, n, v).map(describe);
        out.push(Change::Added(*e, n.clone(), v.clone(), who));
    }
    for (PackageKey { ecosystem: e, .. }, n, v) in a.difference(&b) {
        out.push(Change::Removed(*e, n.clone(), v.clone()));
    }
    for (PackageKey { ecosystem: e, .. }, n, v) in a.intersection(&b) {
        let (x, y) = (hashes(old, *e, n, v), hashes(new, *e, n, v));
        if x != y {
            out.push(Change::Repinned(
                *e,
                n.clone(),
                v.clone(),
                x.unwrap_or_default(),
                y.unwrap_or_default(),
            ));
        }
    }
    let deny = |l: &Allowlist| -> BTreeSet<String> {
        l.deny
            .iter()
            .map(|d| {
                format!(
                    "{} {}{}: {}",
                    d.ecosystem,
                    d.name,
                    d.versions
                        .as_ref()
                        .map(|v| format!(" ({})", v.join(", ")))
                        .unwrap_or_default(),
                    d.reason
                )
            })
            .collect()
    };
    let (da, db) = (deny(old), deny(new));
    out.extend(db.difference(&da).cloned().map(Change::DenyAdded));
    out.extend(da.difference(&db).cloned().map(Change::DenyRemoved));
    let exc = |l: &Allowlist| -> BTreeSet<String> {
        l.exceptions
            .iter()
            .map(|x| {
                format!(
                    "{} {} {} until {} ({})",
                    x.ecosystem,
                    x.name_at_version(),
                    x.finding,
                    x.until,
                    describe(&x.approval)
                )
            })
            .collect()
    };
    let (ea, eb) = (exc(old), exc(new));
    out.extend(eb.difference(&ea).cloned().map(Change::ExceptionAdded));
    out.extend(ea.difference(&eb).cloned().map(Change::ExceptionRemoved));
    for ((k, x), (_, y)) in policy_lines(&old.policy)
        .into_iter()
        .zip(policy_lines(&new.policy))
    {
        if x != y {
            out.push(Change::Policy(k, x, y));
        }
    }
    let ext = |l: &Allowlist| {
        l.extends
            .iter()
            .map(|x| format!("{} sha256:{}", x.location, x.sha256))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if ext(old) != ext(new) {
        out.push(Change::Extends(ext(old), ext(new)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn diff_names_added_removed_and_repinned_versions_and_policy() {
        let h = |c: char| format!("sha256:{}", c.to_string().repeat(64));
        let parse = |text: String| super::super::parse(Path::new("a.toml"), &text).unwrap();
        let old = parse(format!(
            "[policy]\nunlisted = \"deny\"\n[pypi.a]\nversions.\"1\" = \"{}\"\nversions.\"2\" = \"{}\"\n",
            h('1'),
            h('2')
        ));
        let new = parse(format!(
            "[policy]\nunlisted = \"warn\"\n[pypi.a]\nversions.\"2\" = \"{}\"\nversions.\"3\" = {{ hashes = [\"{}\"], approved = {{ by = \"sec\", ticket = \"SEC-1\" }} }}\n",
            h('9'),
            h('3')
        ));
        let lines: Vec<String> = diff(&old, &new).iter().map(|c| c.to_string()).collect();
        assert!(
            lines.contains(&"+ pypi a@3  (by sec, ticket SEC-1)".to_string()),
            "{lines:?}"
        );
        assert!(lines.contains(&"- pypi a@1".to_string()), "{lines:?}");
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("! pypi a@2 PIN CHANGED")),
            "{lines:?}"
        );
        assert!(
            lines.contains(&"~ policy unlisted: deny -> warn".to_string()),
            "{lines:?}"
        );
    }
}
