//! Pin verification: what the registry says about versions before they are pinned
//! (`allowlist add`, `init --online`, `suggest --online`). The command line prints
//! what these functions return; the MCP server and the install guard can call the
//! same code. Comparing existing pins with the registry (`allowlist verify`) is
//! [`super::online::verify_allowlist`], summed up by [`VerifyOutcome`].

use super::{Finding, FindingId, Severity};
use crate::allowlist::gate::{Flag, Gate};
use crate::allowlist::ops::{self, PinChange, Wanted};
use crate::allowlist::{self, Allowlist};
use crate::lockfile::{Ecosystem, Source};
use crate::model::PackageKey;
use crate::registry::Client;
use crate::registry::pins::{self, PinProblem};
use crate::resolve::Resolution;
use std::collections::HashSet;

/// The result of [`verify_wanted`].
#[derive(Debug)]
pub struct Verified {
    /// Versions to pin: the registry's hashes for those lockgate asked about (with the
    /// registry's `yanked` / `too-new` flags), the lockfile's for the others.
    pub wanted: Vec<Wanted>,
    /// How many versions kept the lockfile's hashes, unverified, because they come
    /// from git, a path, a URL or a registry lockgate is not pointed at.
    pub unverified: usize,
    /// Versions that could not be verified; nothing may be written when not empty.
    pub problems: Vec<PinProblem>,
}

/// Replace the lockfile hashes of `wanted` by the registry's and flag what the
/// registry says must not be approved silently (see [`registry_flags`]).
pub fn verify_wanted(
    client: &Client,
    list: Option<&Allowlist>,
    res: &Resolution,
    wanted: Vec<Wanted>,
) -> Verified {
    let served: HashSet<(PackageKey, String)> = res
        .packages()
        .filter(|p| matches!(&p.source, Source::Registry(url) if client.config().serves(p.ecosystem, url.as_deref())))
        .map(|p| (p.key(), p.version.to_string()))
        .collect();
    let (ask, keep): (Vec<Wanted>, Vec<Wanted>) = wanted.into_iter().partition(|w| {
        served.contains(&(PackageKey::new(w.ecosystem, &w.name), w.version.clone()))
    });
    let (mut ok, problems) = crate::allowlist::ops::pin_from_registry(client, ask);
    if problems.is_empty() {
        registry_flags(list, client, &mut ok);
    }
    let unverified = keep.len();
    ok.extend(keep);
    Verified {
        wanted: ok,
        unverified,
        problems,
    }
}

/// True when an exception in force waives finding `id` for this version.
fn waived(
    list: Option<&Allowlist>,
    eco: Ecosystem,
    name: &str,
    version: &str,
    id: &str,
    today: &str,
) -> bool {
    list.and_then(|l| l.exception(eco, name, Some(version), id))
        .is_some_and(|x| !x.expired(today))
}

/// The registry's flags on one version: `yanked`, and `too-new` under
/// `min-age-days`, unless an exception in force waives them.
fn flags_for(
    list: Option<&Allowlist>,
    w: (Ecosystem, &str, &str),
    v: &crate::registry::VersionInfo,
    now: i64,
    today: &str,
) -> Vec<Flag> {
    let (eco, name, version) = w;
    let mut flags = Vec::new();
    if v.yanked && !waived(list, eco, name, version, "yanked", today) {
        flags.push(Flag {
            id: "yanked".into(),
            message: format!("{name} {version} is yanked on the registry"),
        });
    }
    if let (Some(min), Some(setting), Some(published)) = (
        list.and_then(|l| l.policy.min_age_secs()),
        list.and_then(|l| l.policy.min_age_setting()),
        v.published,
    ) && now - published < min
        && !waived(list, eco, name, version, "too-new", today)
    {
        flags.push(Flag {
            id: "too-new".into(),
            message: format!(
                "{name} {version} was published {} ago, less than {setting}",
                crate::checks::cooldown::age_text((now - published).max(0))
            ),
        });
    }
    flags
}

/// The registry's part of the gate (`suggest --online`, `init --online`): a yanked
/// version, or one younger than `min-age-days`, is flagged unless an exception in
/// force waives that finding for it. The answers come from the client's cache.
pub fn registry_flags(list: Option<&Allowlist>, client: &Client, wanted: &mut [Wanted]) {
    let queries: Vec<(Ecosystem, String)> = wanted
        .iter()
        .map(|w| (w.ecosystem, w.name.clone()))
        .collect();
    let answers = client.lookup_all(&queries);
    let now =
        crate::model::timestamp::clock().unwrap_or_else(|_| crate::model::timestamp::system_now());
    let today = allowlist::today();
    for (w, ans) in wanted.iter_mut().zip(answers) {
        let Ok(v) = pins::resolve_version(w.ecosystem, &w.name, &w.version, ans) else {
            continue;
        };
        let flags = flags_for(list, (w.ecosystem, &w.name, &w.version), &v, now, &today);
        w.flags.extend(flags);
    }
}

/// One reason `allowlist add` refuses a version without `--force`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The name.
    pub name: String,
    /// The version.
    pub version: String,
    /// Why (a finding id and its message).
    pub flag: Flag,
}

/// `allowlist add`, before the registry is asked: the gate's flags (known-bad
/// lists, deny rules, name checks) on each `(name, version)`. A refusal whose flag
/// [`Flag::is_absolute`] (known-malicious) is never approved, not even with `--force`.
pub fn gate_add(
    list: Option<&Allowlist>,
    gate: &Gate,
    eco: Ecosystem,
    wanted: &[(String, String)],
) -> Vec<Refusal> {
    let mut out = Vec::new();
    for (name, version) in wanted {
        for flag in gate.flags(list, eco, name, Some(version)) {
            out.push(Refusal {
                name: name.clone(),
                version: version.clone(),
                flag,
            });
        }
    }
    out
}

/// `allowlist add`, asking the registry: what to pin and why not.
#[derive(Debug, Default)]
pub struct AddPlan {
    /// The versions with the registry's hashes.
    pub pins: Vec<Wanted>,
    /// Registry flags (`yanked`, `too-new`) that need `--force`.
    pub refusals: Vec<Refusal>,
    /// Versions the registry could not confirm; nothing may be written.
    pub problems: Vec<PinProblem>,
    /// Versions for which the registry publishes no hash: nothing to pin.
    pub no_hash: Vec<(String, String)>,
    /// Pins that would change hash (the tampering case): need `--force`.
    pub changes: Vec<PinChange>,
}

/// Ask the registry about each `(name, version)` to add: its hashes, and whether it
/// is yanked or younger than `min-age-days` (unless an exception waives that).
pub fn plan_add(
    list: Option<&Allowlist>,
    client: &Client,
    eco: Ecosystem,
    wanted: &[(String, String)],
) -> AddPlan {
    let queries: Vec<(Ecosystem, String)> = wanted.iter().map(|(n, _)| (eco, n.clone())).collect();
    let answers = client.lookup_all(&queries);
    let now =
        crate::model::timestamp::clock().unwrap_or_else(|_| crate::model::timestamp::system_now());
    let today = allowlist::today();
    let mut plan = AddPlan::default();
    for ((name, version), ans) in wanted.iter().zip(answers) {
        match pins::resolve_version(eco, name, version, ans) {
            Err(p) => plan.problems.push(p),
            Ok(v) => {
                for flag in flags_for(list, (eco, name, version), &v, now, &today) {
                    plan.refusals.push(Refusal {
                        name: name.clone(),
                        version: version.clone(),
                        flag,
                    });
                }
                let hashes = v.pin_hashes();
                if hashes.is_empty() {
                    plan.no_hash.push((name.clone(), version.clone()));
                    continue;
                }
                plan.pins.push(Wanted {
                    ecosystem: eco,
                    name: name.clone(),
                    version: version.clone(),
                    name_listed: list.is_some_and(|l| l.entry(eco, name).is_some()),
                    from_registry: true,
                    hashes,
                    flags: Vec::new(),
                });
            }
        }
    }
    plan.changes = ops::pin_changes(list, &plan.pins);
    plan
}

/// `allowlist verify`: every pin compared with the registry, and the verdict.
#[derive(Debug, Clone)]
pub struct VerifyOutcome {
    /// The findings, in the order [`super::online::verify_allowlist`] returns them.
    pub findings: Vec<Finding>,
    /// How many pins the allowlist holds.
    pub pins: usize,
}

impl VerifyOutcome {
    /// Compare every pin of `list` with the registry.
    pub fn run(list: &Allowlist, client: &Client, opts: &super::online::Options) -> VerifyOutcome {
        VerifyOutcome {
            findings: super::online::verify_allowlist(list, client, opts),
            pins: list.pin_count(),
        }
    }

    /// 2 when a registry could not be asked (at error level), 1 when a finding is
    /// an error or worse, 0 otherwise.
    pub fn exit_code(&self) -> u8 {
        let failed = self
            .findings
            .iter()
            .any(|f| f.id == FindingId::RegistryError && f.severity >= Severity::Error);
        if failed {
            2
        } else if self.findings.iter().any(|f| f.severity >= Severity::Error) {
            1
        } else {
            0
        }
    }
}

/// The `allowlist suggest` snippet for a report (the Markdown job summary): what the
/// lockfiles pin that the allowlist does not approve, with the gate's flags marked.
/// `None` when nothing is missing, or when a lockfile could not be read (a snippet
/// from a partial list would mislead).
pub fn suggestion(res: &Resolution, list: &Allowlist) -> Option<String> {
    if !res.is_complete() {
        return None;
    }
    let mut wanted = ops::wanted(res, Some(list));
    // Flagged versions are marked in the snippet (the gate of every writing command).
    if let Ok(gate) = Gate::new(Some(list), &[]) {
        ops::flag(&mut wanted, &gate, Some(list));
    }
    (!wanted.is_empty()).then(|| ops::snippet(&wanted, &list.path, &allowlist::Approval::default()))
}
