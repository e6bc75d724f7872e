//! The GitHub Actions part of `allowlist init`, `suggest` and `add`: commit SHAs are
//! pinned as they are; tags and branches only with `--online`, resolved through the
//! forge's API (`LOCKGATE_GITHUB_API`, default `https://api.github.com/`).

use anyhow::Context as _;
use lockgate::allowlist::actions::{self, ActionPin};
use lockgate::allowlist::{self, Allowlist, Approval, edit};
use lockgate::model::Ecosystem;
use lockgate::resolve::Resolution;
use std::path::Path;
use std::process::ExitCode;

/// The action versions to approve for `res`: its unapproved SHAs, and with `online`
/// its tags resolved to commits. Resolution failures are errors (nothing is written).
pub fn gather(
    res: &Resolution,
    list: Option<&Allowlist>,
    online: bool,
    offline: bool,
) -> anyhow::Result<Vec<ActionPin>> {
    let wanted = actions::wanted(res, list);
    let mut pins = wanted.pinned;
    if wanted.by_tag.is_empty() {
        return Ok(pins);
    }
    if !online {
        eprintln!(
            "note: {} action{} used by tag or branch {} not pinned: rerun with --online to resolve {} to commits, or pin the commit SHA in the workflow (`uses: owner/repo@<sha> # <tag>`)",
            wanted.by_tag.len(),
            if wanted.by_tag.len() == 1 { "" } else { "s" },
            if wanted.by_tag.len() == 1 {
                "is"
            } else {
                "are"
            },
            if wanted.by_tag.len() == 1 {
                "it"
            } else {
                "them"
            },
        );
        return Ok(pins);
    }
    let client = super::online::client(list, offline)?;
    let resolved = resolve_all(
        &client,
        &wanted.by_tag,
        " (check LOCKGATE_GITHUB_API); the allowlist was not changed",
    )?;
    for p in resolved {
        let approved = list
            .and_then(|l| l.entry(Ecosystem::Actions, &p.name))
            .and_then(|e| e.pin(Ecosystem::Actions, &p.sha))
            .is_some();
        if !approved {
            eprintln!(
                "resolved actions {}@{} to {}: approve the commit, and pin it in the workflow: `uses: {}@{} # {}`",
                p.name,
                p.tag.as_deref().unwrap_or(""),
                p.sha,
                p.name,
                p.sha,
                p.tag.as_deref().unwrap_or("")
            );
            pins.push(p);
        }
    }
    pins.sort();
    pins.dedup_by(|a, b| a.name.eq_ignore_ascii_case(&b.name) && a.sha == b.sha);
    Ok(pins)
}

/// `lockgate allowlist add actions OWNER/REPO[/PATH]@REF...`: a SHA is pinned as
/// given; a tag or branch is resolved to its commit through the forge's API.
pub fn add(
    allowlist_path: &Path,
    specs: &[String],
    approval: &Approval,
    offline: bool,
) -> anyhow::Result<ExitCode> {
    let list = if allowlist_path.exists() {
        Some(allowlist::load(allowlist_path)?)
    } else {
        None
    };
    let mut pins = Vec::new();
    let mut refs = Vec::new();
    for spec in specs {
        let Some((name, reference)) = spec.split_once('@').filter(|(_, r)| !r.is_empty()) else {
            anyhow::bail!(
                "`{spec}`: give the ref to approve, as OWNER/REPO[/PATH]@REF (a tag, a branch or a commit SHA)"
            );
        };
        if !lockgate::lockfile::github_actions::valid_name(name) {
            anyhow::bail!("`{spec}`: `{name}` is not OWNER/REPO[/PATH]");
        }
        if let Some(l) = &list
            && let Some(rule) = l.denied(Ecosystem::Actions, name, Some(reference))
        {
            anyhow::bail!(
                "refused: actions {spec} is denied by the rule at {}:{} ({})",
                rule.file.display(),
                rule.line,
                rule.reason
            );
        }
        if lockgate::lockfile::github_actions::is_pinned(name, reference) {
            pins.push(ActionPin {
                name: name.to_string(),
                sha: reference.to_ascii_lowercase(),
                tag: None,
            });
        } else {
            refs.push((name.to_string(), reference.to_string()));
        }
    }
    if !refs.is_empty() {
        let client = super::online::client(list.as_ref(), offline)?;
        pins.extend(resolve_all(&client, &refs, "; nothing was written")?);
    }
    edit::update(allowlist_path, true, |ed| {
        actions::apply(ed, &pins, approval);
        Ok(())
    })
    .context("writing the allowlist")?;
    for p in &pins {
        match &p.tag {
            Some(tag) => eprintln!(
                "pinned actions {}@{} (from {tag}); in the workflow write `uses: {}@{} # {tag}`",
                p.name, p.sha, p.name, p.sha
            ),
            None => eprintln!("pinned actions {}@{}", p.name, p.sha),
        }
    }
    eprintln!(
        "added {} action version{} to {}",
        pins.len(),
        if pins.len() == 1 { "" } else { "s" },
        allowlist_path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Resolve each (action, tag or branch) to its commit; every one that fails is printed,
/// and then the whole call fails, its message ending with `outcome`.
fn resolve_all(
    client: &lockgate::registry::Client,
    refs: &[(String, String)],
    outcome: &str,
) -> anyhow::Result<Vec<ActionPin>> {
    let (resolved, problems) = actions::resolve(client, refs);
    for (name, reference, why) in &problems {
        eprintln!("error: actions {name}@{reference}: {why}");
    }
    if !problems.is_empty() {
        anyhow::bail!(
            "{} action ref{} could not be resolved to a commit{outcome}",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        );
    }
    Ok(resolved)
}
