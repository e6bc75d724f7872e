//! `install-script`: a package whose installation runs code that its approval does
//! not cover.
//!
//! Code runs at install when npm (or pnpm, yarn, bun) runs a `preinstall`, `install`
//! or `postinstall` script or node-gyp for a `binding.gyp`; when pip, uv, poetry or pdm
//! build a PyPI sdist (the build backend is arbitrary code); when cargo compiles a
//! crate's `build.rs` or a proc-macro. The fact comes from [`Package::install_script`]:
//! offline from the lockfile where the format records it (package-lock
//! `hasInstallScript`, pnpm 6-8 `requiresBuild`, a PyPI entry with no wheel), online
//! from the npm packument, in deep mode from the downloaded artifact.
//!
//! An allowlist version approves its scripts with `scripts = true`. Without it, the
//! finding's severity is `[policy] install-scripts` (`warn` when the key is absent,
//! `deny` in new allowlists). A version that has a script while every approved
//! version of the same package that records the fact says `scripts = false` *gained*
//! one (the Shai-Hulud and Nx pattern): an error whatever the policy, as is a version
//! whose own pin says `scripts = false`.

use super::names::answer::{AnswerFinding, NameAnswer, OnlineError};
use super::{Finding, FindingDef, FindingId, Precision, Severity};
use crate::allowlist::{Allowlist, Level, Pin};
use crate::model::{Ecosystem, Package, Source};
use crate::names::Verdict;
use crate::registry::{Answer, Client, RegistryError};

/// The `install-script` finding.
pub const INSTALL_SCRIPT: FindingDef = FindingDef {
    id: "install-script",
    summary: "Installing the package runs code (an install script, a native build, an sdist build, a build.rs) that its allowlist entry does not approve.",
    explanation: "Install scripts run with the developer's or the CI runner's rights before any test does: the Shai-Hulud worms and the Nx compromise stole tokens from a `postinstall`, 2026 samples hid the payload in a `binding.gyp`. A version that has such code must be approved for it (`scripts = true` on its pin); a version that gained code its approved predecessors did not have is an error whatever the policy.",
    help: "Review what the script does (`npm pack NAME@VERSION` and read package.json `scripts` and binding.gyp; the sdist's build backend; the crate's build.rs). If it is expected, add `scripts = true` to the version's pin in allowlist.toml (`versions.\"X\" = { hashes = [...], scripts = true }`, or `lockgate allowlist add ECOSYSTEM NAME@VERSION --allow-scripts`). Otherwise pick a version without it, or install with scripts disabled (`npm ci --ignore-scripts`, `pnpm` `onlyBuiltDependencies`, `pip install --only-binary :all:`).",
    severity: Severity::Warning,
    policy: &["install-scripts"],
    security_severity: Some("6.5"),
    precision: Precision::High,
};

/// Why installing `p` runs code, for the message.
pub fn reason(p: &Package) -> &'static str {
    match p.ecosystem {
        Ecosystem::Npm => {
            "the lockfile records an install script: preinstall, install, postinstall or a binding.gyp"
        }
        Ecosystem::Pypi => crate::model::install_script::SDIST_REASON,
        Ecosystem::Cargo => {
            "it has a build script (build.rs) or is a proc-macro: cargo runs its code when it builds"
        }
        // Never set for actions (no lockfile records it); the action's own code runs
        // in every job, which the SHA pin approves.
        Ecosystem::Actions => "the action runs code in the job",
    }
}

/// Findings for every package that runs code at install without `scripts = true`.
pub fn check(packages: &[&Package], list: &Allowlist) -> Vec<Finding> {
    packages
        .iter()
        .filter(|p| p.install_script == Some(true))
        .filter_map(|p| finding(p, reason(p), list))
        .collect()
}

/// How a version that runs code at install stands with the allowlist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Its pin says `scripts = true`.
    Approved,
    /// Its own pin says `scripts = false`: contradicted, an error whatever the policy.
    PinSaysNone,
    /// It *gained* the code: the package's other approved versions that record the
    /// fact (listed) all say `scripts = false`. An error whatever the policy.
    Gained(Vec<String>),
    /// Not approved; `[policy] install-scripts` decides.
    Unapproved,
}

impl Standing {
    /// Gained or contradicted: an error whatever the policy, and what `allowlist add`
    /// refuses without `--force`.
    pub fn is_absolute(&self) -> bool {
        matches!(self, Standing::PinSaysNone | Standing::Gained(_))
    }
}

/// How `p` (known to run code at install) stands with the allowlist.
pub fn standing(p: &Package, list: &Allowlist) -> Standing {
    let entry = list.entry(p.ecosystem, &p.name);
    let pin: Option<&Pin> = entry.and_then(|e| e.pin(p.ecosystem, &p.version));
    match pin.and_then(|p| p.scripts) {
        Some(true) => return Standing::Approved,
        Some(false) => return Standing::PinSaysNone,
        None => {}
    }
    // Gained: the other approved versions that record the fact all say none.
    let others: Vec<(&String, bool)> = entry
        .into_iter()
        .flat_map(|e| e.versions.iter())
        .filter(|(v, _)| !crate::version::same_version(p.ecosystem, v, &p.version))
        .filter_map(|(v, pin)| pin.scripts.map(|s| (v, s)))
        .collect();
    if !others.is_empty() && others.iter().all(|(_, s)| !s) {
        return Standing::Gained(others.iter().map(|(v, _)| v.to_string()).collect());
    }
    Standing::Unapproved
}

/// The finding for one package known to run code at install (`why` says how it is
/// known), or `None` when its pin approves the scripts or the policy allows them.
pub fn finding(p: &Package, why: &str, list: &Allowlist) -> Option<Finding> {
    let at = format!("{}@{}", p.name, p.version);
    let approve = format!(
        "if the script is expected, approve it: `scripts = true` on `versions.\"{}\"` of [{}.{}] in {} (or `lockgate allowlist add {} {at} --allow-scripts`)",
        p.version,
        p.ecosystem,
        toml_key(&p.name),
        list.path.display(),
        p.ecosystem,
    );
    let standing = standing(p, list);
    // `allowlist add` refuses a gained or contradicted script without --force.
    let approve = if standing.is_absolute() {
        approve.replace(
            "--allow-scripts`)",
            "--allow-scripts --force --reason \"why\"`)",
        )
    } else {
        approve
    };
    match standing {
        Standing::Approved => None,
        Standing::PinSaysNone => Some(Finding::for_package(
            FindingId::InstallScript,
            Severity::Error,
            p,
            format!(
                "{at} runs code at install ({why}), but its allowlist pin says `scripts = false`"
            ),
            format!("do not merge until the script is reviewed; {approve}"),
        )),
        Standing::Gained(had) => Some(Finding::for_package(
            FindingId::InstallScript,
            Severity::Error,
            p,
            format!(
                "{at} gained code that runs at install ({why}); its approved versions {} have none (`scripts = false`)",
                had.join(", ")
            ),
            format!(
                "a new install script is how Shai-Hulud and the Nx compromise spread: do not merge until it is reviewed; {approve}"
            ),
        )),
        Standing::Unapproved => {
            let severity = match list.policy.install_scripts {
                Level::Deny => Severity::Error,
                Level::Warn => Severity::Warning,
                Level::Allow => return None,
            };
            Some(Finding::for_package(
                FindingId::InstallScript,
                severity,
                p,
                format!(
                    "{at} runs code at install ({why}) and its approval does not say `scripts = true`"
                ),
                approve,
            ))
        }
    }
}

/// What the registry's record of one exact version says about code at install.
#[derive(Debug, Clone)]
pub struct Registered {
    /// The install hooks the record declares (`install: node-gyp-build`, `gypfile`);
    /// empty: none.
    pub hooks: Vec<String>,
    /// How the version stands with the allowlist (meaningful when `hooks` is not empty).
    pub standing: Standing,
    /// The `install-script` finding, if any (none when approved or the policy allows it).
    pub finding: Option<Finding>,
}

/// Ask the registry about the install-time code of exact versions (`allowlist add`,
/// `lockgate name --online`, the MCP name tool, `guard --online`): one result per
/// query, in order. `Ok(None)`: the registry records no such fact (PyPI, crates.io,
/// actions, a version it does not have). A registry error is returned as is: the
/// caller must not pass what it could not judge. Without an allowlist the default
/// policy applies (`warn`).
pub fn judge_registry(
    client: &Client,
    list: Option<&Allowlist>,
    queries: &[(Ecosystem, String, String)],
) -> Vec<Result<Option<Registered>, RegistryError>> {
    let default;
    let list = match list {
        Some(l) => l,
        None => {
            default = Allowlist {
                path: "allowlist.toml".into(),
                ..Allowlist::default()
            };
            &default
        }
    };
    // Only the npm registry records install hooks.
    let asked: Vec<(Ecosystem, String, String)> = queries
        .iter()
        .filter(|(eco, _, _)| *eco == Ecosystem::Npm)
        .cloned()
        .collect();
    let mut answers = client.lookup_versions(&asked).into_iter();
    queries
        .iter()
        .map(|(eco, name, version)| {
            if *eco != Ecosystem::Npm {
                return Ok(None);
            }
            let info = match answers.next().expect("one answer per npm query")? {
                Answer::Found(info) => info,
                Answer::NotFound { .. } => return Ok(None),
            };
            let Some(hooks) = info
                .version(version)
                .and_then(|v| v.install_scripts.clone())
            else {
                return Ok(None);
            };
            let p = Package::new(
                *eco,
                name.clone(),
                version.clone(),
                Source::Registry(None),
                "",
                0,
            );
            if hooks.is_empty() {
                return Ok(Some(Registered {
                    hooks,
                    standing: Standing::Unapproved,
                    finding: None,
                }));
            }
            let why = format!("the registry's record says {}", hooks.join("; "));
            Ok(Some(Registered {
                standing: standing(&p, list),
                finding: finding(&p, &why, list),
                hooks,
            }))
        })
        .collect()
}

/// `install-script` on the name answers given with a version (`lockgate name
/// --online`, the MCP name tool): the npm registry's record of that version declares
/// an install hook that the allowlist does not approve. `deny` when the finding is
/// an error (gained, contradicted, or `install-scripts = "deny"`), `warn` otherwise.
pub fn settle_names(
    answers: &mut [NameAnswer],
    list: Option<&Allowlist>,
    client: &Client,
) -> Result<(), OnlineError> {
    let asked: Vec<usize> = (0..answers.len())
        .filter(|&i| answers[i].version.is_some())
        .collect();
    let queries: Vec<(Ecosystem, String, String)> = asked
        .iter()
        .map(|&i| {
            let a = &answers[i];
            (
                a.ecosystem,
                a.name.clone(),
                a.version.clone().unwrap_or_default(),
            )
        })
        .collect();
    for (&i, r) in asked.iter().zip(judge_registry(client, list, &queries)) {
        let a = &mut answers[i];
        let judged = r.map_err(|source| OnlineError {
            name: a.name.clone(),
            source,
        })?;
        let Some(f) = judged.and_then(|j| j.finding) else {
            continue;
        };
        a.findings.push(AnswerFinding {
            id: FindingId::InstallScript,
            target: None,
            how: None,
            distance: None,
            source: None,
            versions: vec![a.version.clone().unwrap_or_default()],
            message: f.message,
            help: f.help,
            instead: None,
            severity: if f.severity == Severity::Error {
                Verdict::Deny
            } else {
                Verdict::Warn
            },
        });
        a.verdict = crate::names::settle(&mut a.findings, |f| f.severity, |f| f.id);
    }
    Ok(())
}

/// A bare TOML key when it can be one, else quoted.
fn toml_key(name: &str) -> String {
    if !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        name.to_string()
    } else {
        format!("{name:?}")
    }
}
