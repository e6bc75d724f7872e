//! Approving GitHub Actions: what `allowlist init`, `suggest` and `add` pin for the
//! `uses:` of workflows and action files.
//!
//! An action's pin is its commit SHA (or a `docker://` image's `sha256:` digest),
//! the version key itself: `[actions."actions/checkout"]
//! versions."11d5960a326750d5838078e36cf38b85af677262" = "v4.4.0"`. The tag beside it
//! is a note for readers, never trusted. Offline, only refs that already are SHAs are
//! pinned; `--online` resolves a tag or branch to the commit it names now through the
//! forge's API ([`crate::registry::github`]).

use super::edit::{Editor, approval_table};
use super::{Allowlist, Approval};
use crate::lockfile::github_actions::is_pinned;
use crate::model::{Ecosystem, Package};
use crate::registry::{Client, RegistryError};
use crate::resolve::Resolution;
use std::collections::BTreeMap;
use toml_edit::{Item, Value, value};

/// One action version to approve.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ActionPin {
    /// `owner/repo[/path]` (or `docker://image`) as the workflow writes it.
    pub name: String,
    /// The commit SHA (or image digest): the pin.
    pub sha: String,
    /// The tag or branch it was resolved from, written beside the pin as a note.
    pub tag: Option<String>,
}

/// What the scanned workflows use that the allowlist does not approve.
#[derive(Debug, Clone, Default)]
pub struct Wanted {
    /// Refs that already are SHAs (or digests), not yet approved.
    pub pinned: Vec<ActionPin>,
    /// `(name, ref)` by tag or branch: pinned only after resolving them (`--online`).
    pub by_tag: Vec<(String, String)>,
}

/// The actions `res` uses that `list` does not approve (all of them without a list).
/// A denied version is left out (the deny rule reports it).
pub fn wanted(res: &Resolution, list: Option<&Allowlist>) -> Wanted {
    let mut pinned: BTreeMap<(String, String), ActionPin> = BTreeMap::new();
    let mut by_tag: BTreeMap<(String, String), (String, String)> = BTreeMap::new();
    for p in res.packages().filter(|p| p.ecosystem == Ecosystem::Actions) {
        let key = (p.normalized_name(), p.version.as_str().to_ascii_lowercase());
        if !is_pinned(&p.name, &p.version) {
            by_tag
                .entry(key)
                .or_insert_with(|| (p.name.to_string(), p.version.to_string()));
            continue;
        }
        if approved(list, p) {
            continue;
        }
        pinned.entry(key).or_insert_with(|| ActionPin {
            name: p.name.to_string(),
            sha: p.version.as_str().to_ascii_lowercase(),
            tag: None,
        });
    }
    Wanted {
        pinned: pinned.into_values().collect(),
        by_tag: by_tag.into_values().collect(),
    }
}

fn approved(list: Option<&Allowlist>, p: &Package) -> bool {
    list.is_some_and(|l| {
        l.denied(p.ecosystem, &p.name, Some(&p.version)).is_some()
            || l.entry(p.ecosystem, &p.name)
                .and_then(|e| e.pin(p.ecosystem, &p.version))
                .is_some()
    })
}

/// Resolve each `(name, ref)` to the commit it names now. A `docker://` image by
/// tag cannot be resolved here (no registry client for images): an error.
pub fn resolve(
    client: &Client,
    refs: &[(String, String)],
) -> (Vec<ActionPin>, Vec<(String, String, String)>) {
    let mut ok = Vec::new();
    let mut problems = Vec::new();
    for (name, reference) in refs {
        if let Some(image) = name.strip_prefix("docker://") {
            problems.push((
                name.clone(),
                reference.clone(),
                format!(
                    "lockgate does not resolve image tags; pin the digest yourself: `uses: docker://{image}@sha256:<digest>` (`docker buildx imagetools inspect {image}:{reference}`)"
                ),
            ));
            continue;
        }
        match client.resolve_action_ref(name, reference) {
            Ok(sha) => ok.push(ActionPin {
                name: name.clone(),
                sha,
                tag: Some(reference.clone()),
            }),
            Err(e) => problems.push((name.clone(), reference.clone(), error_text(&e))),
        }
    }
    (ok, problems)
}

fn error_text(e: &RegistryError) -> String {
    e.to_string()
}

/// The allowlist value of a pin: the tag as a string, or a table with `tag` and
/// `approved`; `[]` when there is neither.
fn pin_value(pin: &ActionPin, approval: Option<&Approval>) -> Value {
    let approved = approval.map(approval_table).filter(|t| !t.is_empty());
    match (&pin.tag, approved) {
        (Some(tag), None) => Value::from(tag.as_str()),
        (None, None) => Value::Array(toml_edit::Array::new()),
        (tag, Some(a)) => {
            let mut t = toml_edit::InlineTable::new();
            if let Some(tag) = tag {
                t.insert("tag", Value::from(tag.as_str()));
            }
            t.insert("approved", Value::InlineTable(a));
            Value::InlineTable(t)
        }
    }
}

impl Editor {
    /// Approve an action's commit SHA (or image digest), with its tag as a note.
    pub fn set_action_pin(&mut self, pin: &ActionPin, approval: Option<&Approval>) {
        let v = pin_value(pin, approval);
        let pkg = self.package_table(Ecosystem::Actions, &pin.name);
        match pkg.get_mut("versions") {
            Some(Item::Table(t)) => {
                t.insert(&pin.sha, value(v));
            }
            Some(Item::Value(Value::InlineTable(t))) => {
                t.insert(&pin.sha, v);
            }
            _ => {}
        }
    }
}

/// Write every pin with `approval`.
pub fn apply(ed: &mut Editor, pins: &[ActionPin], approval: &Approval) {
    for p in pins {
        ed.set_action_pin(p, Some(approval));
    }
}

/// The TOML to send to the security team for these pins.
pub fn snippet(pins: &[ActionPin], approval: &Approval) -> String {
    let mut ed = Editor::empty(std::path::Path::new("allowlist.toml"));
    apply(&mut ed, pins, approval);
    ed.render()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_are_written_in_the_form_the_loader_reads() {
        let pins = [
            ActionPin {
                name: "actions/checkout".into(),
                sha: "11d5960a326750d5838078e36cf38b85af677262".into(),
                tag: Some("v4.4.0".into()),
            },
            ActionPin {
                name: "Foo/Bar".into(),
                sha: "0057852bfaa89a56745cba8c7296529d2fc39830".into(),
                tag: None,
            },
        ];
        let approval = Approval {
            by: Some("sec".into()),
            ..Approval::default()
        };
        let text = format!("schema = 1\n{}", snippet(&pins, &approval));
        assert!(text.contains("tag = \"v4.4.0\""), "{text}");
        let list = super::super::load::parse(std::path::Path::new("a.toml"), &text).unwrap();
        let e = list.entry(Ecosystem::Actions, "foo/bar").unwrap();
        assert!(
            e.pin(
                Ecosystem::Actions,
                "0057852BFAA89A56745CBA8C7296529D2FC39830"
            )
            .is_some()
        );
        let mut ed = Editor::empty(std::path::Path::new("a.toml"));
        ed.set_action_pin(&pins[0], None);
        let text = ed.render();
        assert!(
            text.contains("11d5960a326750d5838078e36cf38b85af677262 = \"v4.4.0\""),
            "{text}"
        );
    }
}
