//! `lockgate allowlist ...`: the security team's maintenance commands.

#[path = "governance.rs"]
mod governance;

use super::{AllowlistArg, parse_ecosystem, print, resolve_whole, split_name_version, today};
use clap::Subcommand;
use lockgate::allowlist::{self, edit, gate, ops};
use std::path::PathBuf;
use std::process::ExitCode;

/// `--allow-scripts`, for the commands that write versions into the allowlist.
#[derive(clap::Args, Debug, Clone, Copy, Default)]
pub struct ScriptsArg {
    /// Approve the install scripts of the versions written (`scripts = true`):
    /// npm install scripts and binding.gyp, PyPI sdists, crate build scripts.
    /// Without it they are pinned without `scripts` and `check` reports them
    /// (`install-script`).
    #[arg(long)]
    pub allow_scripts: bool,
}

#[derive(clap::Args, Debug, Clone, Default)]
pub struct ApprovalArgs {
    /// Who approves (written to each version's `approved.by`); defaults to the git
    /// committer identity (`git config user.name` / `user.email`), else $USER.
    #[arg(long)]
    by: Option<String>,
    /// The ticket that records the approval.
    #[arg(long)]
    ticket: Option<String>,
    /// Why the packages are allowed.
    #[arg(long)]
    reason: Option<String>,
}

impl ApprovalArgs {
    fn approval(&self) -> lockgate::allowlist::Approval {
        lockgate::allowlist::Approval {
            by: Some(self.by.clone().unwrap_or_else(committer)),
            on: Some(today()),
            ticket: self.ticket.clone(),
            reason: self.reason.clone(),
        }
    }
}

/// What `init` and `suggest` record with the versions they pin: `--allow-scripts`
/// and who approved.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct PinArgs {
    #[command(flatten)]
    scripts: ScriptsArg,
    #[command(flatten)]
    approval: ApprovalArgs,
}

impl PinArgs {
    /// After the package pins: `scripts = true` on `scripts` (the pinned versions that
    /// run code at install) with --allow-scripts, and the action pins, approved.
    fn record(
        &self,
        ed: &mut edit::Editor,
        scripts: &[(lockgate::model::Ecosystem, String, String)],
        action_pins: &[lockgate::allowlist::actions::ActionPin],
    ) {
        if self.scripts.allow_scripts {
            for (eco, name, version) in scripts {
                ed.set_scripts(*eco, name, version, true);
            }
        }
        lockgate::allowlist::actions::apply(ed, action_pins, &self.approval.approval());
    }
}

/// `--by` and `--ticket`, for the commands that record a decision (deny, except).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct DecisionArgs {
    /// Who decides (default: the git committer identity).
    #[arg(long)]
    by: Option<String>,
    /// The ticket that records the decision.
    #[arg(long)]
    ticket: Option<String>,
}

impl DecisionArgs {
    /// The decision as recorded: who (else the committer), today, the ticket, `reason`.
    fn approval(self, reason: Option<String>) -> lockgate::allowlist::Approval {
        lockgate::allowlist::Approval {
            by: Some(self.by.unwrap_or_else(committer)),
            on: Some(today()),
            ticket: self.ticket,
            reason,
        }
    }
}

/// The git committer identity (`Name <email>`), else $USER (with a note).
fn committer() -> String {
    let git = |k: &str| {
        std::process::Command::new("git")
            .args(["config", "--get", k])
            .stderr(std::process::Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .filter(|s| !s.is_empty())
    };
    match (git("user.name"), git("user.email")) {
        (Some(n), Some(e)) => format!("{n} <{e}>"),
        (None, Some(e)) => e,
        (Some(n), None) => n,
        (None, None) => {
            let user = std::env::var("USER")
                .or_else(|_| std::env::var("USERNAME"))
                .unwrap_or_else(|_| "unknown".to_string());
            eprintln!(
                "note: no --by and no git identity (`git config user.email`); recording the approval as by \"{user}\""
            );
            user
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Trust on first use: pin every package the lockfiles hold now.
    Init {
        /// Folders or lockfiles to pin.
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        allowlist: AllowlistArg,
        /// Overwrite an existing allowlist; with --reason, also approve the versions
        /// the name checks flag (known-malicious ones never).
        #[arg(long)]
        force: bool,
        /// Skip files and folders matching this glob (repeatable); recorded as the
        /// allowlist's `exclude`.
        #[arg(long)]
        exclude: Vec<String>,
        #[command(flatten)]
        pin: PinArgs,
        /// Take the hashes from the registries (every file of each version), not
        /// from the lockfiles; a lockfile hash the registry does not publish fails.
        #[arg(long)]
        online: bool,
        #[command(flatten)]
        net: super::online::NetArgs,
    },
    /// Print the entries a change needs, as a snippet for the security team.
    Suggest {
        /// Folders or lockfiles to check.
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        allowlist: AllowlistArg,
        /// Write the entries into the allowlist instead of printing them.
        #[arg(long)]
        write: bool,
        /// With --write: also write the versions the name checks flag (needs
        /// --reason; known-malicious ones are never written).
        #[arg(long, requires = "reason")]
        force: bool,
        #[command(flatten)]
        pin: PinArgs,
        /// Take the hashes from the registries, not the lockfiles (the snippet then
        /// says they were verified).
        #[arg(long)]
        online: bool,
        #[command(flatten)]
        net: super::online::NetArgs,
    },
    /// Approve versions with the hashes the registry publishes for every file of them.
    ///
    /// Refuses names the name checks flag (typosquats, known hallucinations or
    /// malware), yanked versions, and versions younger than `min-age-days`, unless
    /// --force is given with --reason.
    Add {
        /// cargo, npm or pypi.
        ecosystem: String,
        /// NAME@VERSION (npm scopes work: @types/node@22.0.0).
        #[arg(required = true)]
        specs: Vec<String>,
        #[command(flatten)]
        allowlist: AllowlistArg,
        #[command(flatten)]
        approval: ApprovalArgs,
        /// Add even what the checks flag; needs --reason.
        #[arg(long, requires = "reason")]
        force: bool,
        #[command(flatten)]
        scripts: ScriptsArg,
        #[command(flatten)]
        net: super::online::NetArgs,
    },
    /// Compare every pinned hash with what the registry publishes.
    ///
    /// Exit 1 when a pin is not what the registry publishes (or the name or version
    /// is gone), 2 when a registry cannot be asked.
    Verify {
        #[command(flatten)]
        allowlist: AllowlistArg,
        /// Also download one artifact per pinned version and hash it.
        #[arg(long)]
        deep: bool,
        #[command(flatten)]
        net: super::online::NetArgs,
    },
    /// Remove a package, or one version of it.
    Remove {
        /// cargo, npm or pypi.
        ecosystem: String,
        /// NAME or NAME@VERSION (npm scopes work: @types/node@22.0.0).
        name: String,
        #[command(flatten)]
        allowlist: AllowlistArg,
    },
    /// Drop entries that no lockfile uses any more.
    Prune {
        /// Folders or lockfiles that together use everything still needed.
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        allowlist: AllowlistArg,
        /// Print what would be removed without writing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Deny a package (every version, or those given with --version).
    Deny {
        /// cargo, npm or pypi.
        ecosystem: String,
        /// Package name.
        name: String,
        /// Why (shown to whoever hits the rule).
        #[arg(long)]
        reason: String,
        /// Deny only these versions (repeatable).
        #[arg(long = "version")]
        versions: Vec<String>,
        #[command(flatten)]
        decision: DecisionArgs,
        #[command(flatten)]
        allowlist: AllowlistArg,
    },
    /// Waive one finding for one package (or one version) until a date.
    ///
    /// For findings such as too-new, similar-name, unknown-name, missing-hash,
    /// cross-ecosystem, yanked, source-not-allowed. Never hash-mismatch or
    /// known-malicious. After `--until` the finding applies again and `check` says so.
    Except {
        /// cargo, npm or pypi.
        ecosystem: String,
        /// NAME or NAME@VERSION.
        name: String,
        /// The finding id to waive (see `lockgate explain`).
        finding: String,
        /// The last day the exception applies (YYYY-MM-DD).
        #[arg(long)]
        until: String,
        /// Why the finding does not apply (required).
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        decision: DecisionArgs,
        #[command(flatten)]
        allowlist: AllowlistArg,
    },
    /// List the exceptions, in force and expired.
    Exceptions {
        #[command(flatten)]
        allowlist: AllowlistArg,
    },
    /// Who approved a package (or version), when, why, with which ticket, in which
    /// file and which commit.
    Why {
        /// cargo, npm or pypi.
        ecosystem: String,
        /// NAME or NAME@VERSION.
        name: String,
        #[command(flatten)]
        allowlist: AllowlistArg,
    },
    /// What changed in the allowlist since a git revision (default: the latest tag).
    #[command(alias = "history")]
    Log {
        /// The revision to compare with (a tag, a commit, a branch).
        #[arg(long)]
        since: Option<String>,
        #[command(flatten)]
        allowlist: AllowlistArg,
    },
    /// Show the files the allowlist extends and check their pins; --update re-pins
    /// them to their current content (review the change first).
    Extends {
        /// Re-pin every extended file to the sha256 of its current content.
        #[arg(long)]
        update: bool,
        #[command(flatten)]
        allowlist: AllowlistArg,
    },
}

/// Run an allowlist subcommand.
pub fn run(cmd: Cmd) -> anyhow::Result<ExitCode> {
    match cmd {
        Cmd::Init {
            paths,
            allowlist,
            force,
            exclude,
            pin,
            online,
            net,
        } => {
            if allowlist.path.exists() && !force {
                anyhow::bail!(
                    "{} already exists; use `lockgate allowlist suggest --write` to add to it, or `init --force` to start over",
                    allowlist.path.display()
                );
            }
            let res = resolve_whole(&paths, &exclude)?;
            let mut wanted = ops::wanted(&res, None);
            let mut publishers = Vec::new();
            if online {
                wanted = super::online::verify_wanted(None, &res, wanted, net.offline)?;
                publishers = super::online::publishers_of(None, &mut wanted, net.offline)?;
            }
            let action_pins = super::actions::gather(&res, None, online, net.offline)?;
            let gate = gate::Gate::new(None, &[])?;
            ops::flag(&mut wanted, &gate, None);
            let forced = force && pin.approval.reason.is_some();
            let (flagged, clean): (Vec<ops::Wanted>, Vec<ops::Wanted>) =
                wanted.into_iter().partition(|w| {
                    w.flags.iter().any(|f| f.is_absolute()) || (!w.flags.is_empty() && !forced)
                });
            let mut ed = ops::init_with(&allowlist.path, &res, &pin.approval.approval(), &clean);
            ed.set_exclude(&exclude);
            let scripts = with_scripts(&res, &clean);
            pin.record(&mut ed, &scripts, &action_pins);
            for (eco, name, version, p) in &publishers {
                if clean
                    .iter()
                    .any(|w| w.name == *name && w.version == *version)
                {
                    ed.set_publisher(*eco, name, version, p);
                }
            }
            ed.append_comment(&ops::commented_out(&flagged, &allowlist.path));
            for w in clean.iter().filter(|w| !w.flags.is_empty()) {
                for f in &w.flags {
                    eprintln!(
                        "warning: approved with --force: {} {}@{}: {} [{}]",
                        w.ecosystem, w.name, w.version, f.message, f.id
                    );
                }
            }
            ed.save()?;
            tell_scripts(&scripts, pin.scripts.allow_scripts);
            let list = allowlist::load(&allowlist.path)?;
            eprintln!(
                "wrote {}: {} packages, {} versions pinned from {} lockfiles ({})",
                allowlist.path.display(),
                list.entries.len(),
                list.pin_count(),
                res.lockfiles.len(),
                if online {
                    "hashes from the registries"
                } else {
                    "hashes taken from the lockfiles: verify them before you trust them, e.g. with `lockgate allowlist verify`"
                }
            );
            if !flagged.is_empty() {
                for w in &flagged {
                    for f in &w.flags {
                        eprintln!(
                            "error: NOT approved: {} {}@{}: {} [{}]",
                            w.ecosystem, w.name, w.version, f.message, f.id
                        );
                    }
                }
                eprintln!(
                    "{} flagged version{} written commented out at the end of {}; `check` fails until the dependency is removed or approved (`lockgate allowlist add --force --reason`; known-malicious never)",
                    flagged.len(),
                    if flagged.len() == 1 { " is" } else { "s are" },
                    allowlist.path.display()
                );
                return Ok(ExitCode::from(1));
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Suggest {
            paths,
            allowlist,
            write,
            force,
            pin,
            online,
            net,
        } => {
            let list = allowlist::load(&allowlist.path)?;
            let res = resolve_whole(&paths, &list.exclude)?;
            let mut wanted = ops::wanted(&res, Some(&list));
            let mut publishers = Vec::new();
            if online && !wanted.is_empty() {
                wanted = super::online::verify_wanted(Some(&list), &res, wanted, net.offline)?;
                publishers = super::online::publishers_of(Some(&list), &mut wanted, net.offline)?;
            }
            let action_pins = super::actions::gather(&res, Some(&list), online, net.offline)?;
            let gate = gate::Gate::new(Some(&list), &[])?;
            ops::flag(&mut wanted, &gate, Some(&list));
            if wanted.is_empty() && action_pins.is_empty() {
                eprintln!(
                    "nothing to suggest: {} already allows every package",
                    allowlist.path.display()
                );
                return Ok(ExitCode::SUCCESS);
            }
            if write {
                let flagged: Vec<&ops::Wanted> =
                    wanted.iter().filter(|w| !w.flags.is_empty()).collect();
                let malicious = flagged
                    .iter()
                    .any(|w| w.flags.iter().any(|f| f.is_absolute()));
                for w in &flagged {
                    for f in &w.flags {
                        eprintln!(
                            "{}: {} {}@{}: {} [{}]",
                            if force && !f.is_absolute() {
                                "warning"
                            } else {
                                "error"
                            },
                            w.ecosystem,
                            w.name,
                            w.version,
                            f.message,
                            f.id
                        );
                    }
                }
                if malicious {
                    anyhow::bail!(
                        "refused: a known-malicious version is never approved, not even with --force; remove it from the lockfile. Nothing was written"
                    );
                }
                if !flagged.is_empty() && !force {
                    anyhow::bail!(
                        "refused: {} flagged version{} (see above); nothing was written. If you have checked and still approve, rerun with --force --reason \"why\"",
                        flagged.len(),
                        if flagged.len() == 1 { "" } else { "s" }
                    );
                }
                let scripts = with_scripts(&res, &wanted);
                edit::update(&allowlist.path, false, |ed| {
                    ops::apply(ed, &wanted, &pin.approval.approval());
                    pin.record(ed, &scripts, &action_pins);
                    for (eco, name, version, p) in &publishers {
                        ed.set_publisher(*eco, name, version, p);
                    }
                    Ok(())
                })?;
                tell_scripts(&scripts, pin.scripts.allow_scripts);
                eprintln!(
                    "added {} versions to {}",
                    wanted.len() + action_pins.len(),
                    allowlist.path.display()
                );
            } else {
                let snippet = if online {
                    ops::snippet_verified
                } else {
                    ops::snippet
                };
                // TOML escapes for bidi and invisible characters: same meaning, safe on a terminal.
                if !wanted.is_empty() {
                    print(&lockgate::report::escape::toml_safe(&snippet(
                        &wanted,
                        &allowlist.path,
                        &pin.approval.approval(),
                    )))?;
                }
                if !action_pins.is_empty() {
                    print(&lockgate::report::escape::toml_safe(
                        &lockgate::allowlist::actions::snippet(
                            &action_pins,
                            &pin.approval.approval(),
                        ),
                    ))?;
                }
                if wanted.iter().any(|w| !w.flags.is_empty()) {
                    eprintln!(
                        "warning: some versions are FLAGGED in the snippet (typosquat, hallucination, malware or deny rule): review them before anyone approves them"
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Add {
            ecosystem,
            specs,
            allowlist,
            approval,
            force,
            scripts: ScriptsArg { allow_scripts },
            net,
        } => {
            let code = super::online::add(
                &allowlist.path,
                &ecosystem,
                &specs,
                &approval.approval(),
                force,
                allow_scripts,
                net.offline,
            )?;
            if code == ExitCode::SUCCESS {
                let eco = parse_ecosystem(&ecosystem)?;
                record_scripts(&allowlist.path, eco, &specs, allow_scripts, net.offline)?;
            }
            Ok(code)
        }
        Cmd::Verify {
            allowlist,
            deep,
            net,
        } => super::online::verify(&allowlist.path, net.offline, deep),
        Cmd::Remove {
            ecosystem,
            name,
            allowlist,
        } => {
            let eco = parse_ecosystem(&ecosystem)?;
            let (name, version) = split_name_version(&name);
            let removed = edit::update(&allowlist.path, false, |ed| {
                Ok(ed.remove(eco, name, version))
            })?;
            if !removed {
                anyhow::bail!(
                    "{eco} {name}{} is not in {}",
                    version.map(|v| format!("@{v}")).unwrap_or_default(),
                    allowlist.path.display()
                );
            }
            eprintln!(
                "removed {eco} {name}{}",
                version.map(|v| format!("@{v}")).unwrap_or_default()
            );
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Prune {
            paths,
            allowlist,
            dry_run,
        } => {
            let list = allowlist::load(&allowlist.path)?;
            refuse_partial_prune(&allowlist.path, &paths)?;
            let res = resolve_whole(&paths, &list.exclude)?;
            let unused = ops::prune(&res, &list);
            let shared: usize = list
                .entries
                .values()
                .filter(|e| e.file != list.path)
                .count();
            if shared > 0 {
                eprintln!(
                    "note: {shared} entr{} from extended files ({}) are not pruned: prune never touches a file this allowlist extends",
                    if shared == 1 { "y" } else { "ies" },
                    list.extends
                        .iter()
                        .map(|x| x.location.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            let mut out = String::new();
            for (eco, name, version) in &unused {
                out.push_str(&format!(
                    "{}{eco} {name}{}\n",
                    if dry_run { "would remove " } else { "removed " },
                    version
                        .as_ref()
                        .map(|v| format!("@{v}"))
                        .unwrap_or_default()
                ));
            }
            if !dry_run && !unused.is_empty() {
                edit::update(&allowlist.path, false, |ed| {
                    for (eco, name, version) in &unused {
                        ed.remove(*eco, name, version.as_deref());
                    }
                    Ok(())
                })?;
            }
            print(&out)?;
            eprintln!(
                "{} entr{} unused",
                unused.len(),
                if unused.len() == 1 { "y" } else { "ies" }
            );
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Deny {
            ecosystem,
            name,
            reason,
            versions,
            decision,
            allowlist,
        } => {
            let eco = parse_ecosystem(&ecosystem)?;
            let vs = (!versions.is_empty()).then_some(versions.as_slice());
            let who = decision.approval(None);
            edit::update(&allowlist.path, true, |ed| {
                ed.add_deny_approved(eco, &name, &reason, vs, &who);
                Ok(())
            })?;
            eprintln!("denied {eco} {name} in {}", allowlist.path.display());
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Except {
            ecosystem,
            name,
            finding,
            until,
            reason,
            decision,
            allowlist,
        } => governance::except(
            &allowlist.path,
            &ecosystem,
            &name,
            &finding,
            &until,
            decision.approval(Some(reason)),
        ),
        Cmd::Exceptions { allowlist } => governance::exceptions(&allowlist.path),
        Cmd::Why {
            ecosystem,
            name,
            allowlist,
        } => governance::why(&allowlist.path, &ecosystem, &name),
        Cmd::Log { since, allowlist } => governance::log(&allowlist.path, since.as_deref()),
        Cmd::Extends { update, allowlist } => governance::extends(&allowlist.path, update),
    }
}

/// `prune` sees only the lockfiles under PATH: it refuses an allowlist that lives
/// outside every PATH (another project's, or an organisation's shared one), whose
/// other users it cannot see.
fn refuse_partial_prune(allowlist: &std::path::Path, paths: &[PathBuf]) -> anyhow::Result<()> {
    let abs = |p: &std::path::Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let dir = abs(allowlist)
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let covered = paths.iter().any(|p| {
        let p = abs(p);
        dir.starts_with(&p) || p.starts_with(&dir)
    });
    if !covered {
        anyhow::bail!(
            "refusing to prune {}: it is outside the folders given ({}), so other projects may use entries these lockfiles do not. Run prune from the allowlist's folder (e.g. `lockgate allowlist prune {}`)",
            allowlist.display(),
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            dir.display()
        );
    }
    Ok(())
}

/// The versions being written whose installation runs code, as the lockfiles say
/// (see [`lockgate::model::Package::install_script`]).
fn with_scripts(
    res: &lockgate::resolve::Resolution,
    wanted: &[ops::Wanted],
) -> Vec<(lockgate::model::Ecosystem, String, String)> {
    let mut out: Vec<_> = res
        .packages()
        .filter(|p| p.install_script == Some(true))
        .filter(|p| {
            wanted.iter().any(|w| {
                w.ecosystem == p.ecosystem
                    && w.key() == p.key()
                    && lockgate::version::same_version(p.ecosystem, &w.version, &p.version)
            })
        })
        .map(|p| (p.ecosystem, p.name.to_string(), p.version.to_string()))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Say which versions run code at install and whether their scripts were approved.
fn tell_scripts(scripts: &[(lockgate::model::Ecosystem, String, String)], approved: bool) {
    if scripts.is_empty() {
        return;
    }
    let list: Vec<String> = scripts
        .iter()
        .map(|(e, n, v)| format!("{e} {n}@{v}"))
        .collect();
    if approved {
        eprintln!(
            "install scripts approved (`scripts = true`, --allow-scripts): {}",
            list.join(", ")
        );
    } else {
        eprintln!(
            "note: {} version{} run{} code at install and {} pinned without `scripts = true`; `check` reports {} as `install-script` until someone reviews the code and approves it (rerun with --allow-scripts, or add `scripts = true` to the pin): {}",
            scripts.len(),
            if scripts.len() == 1 { "" } else { "s" },
            if scripts.len() == 1 { "s" } else { "" },
            if scripts.len() == 1 { "is" } else { "are" },
            if scripts.len() == 1 { "it" } else { "them" },
            list.join(", ")
        );
    }
}

/// After `allowlist add`: `scripts = true` on every version with --allow-scripts;
/// otherwise `scripts = false` where the registry's record says the version runs no
/// code at install (so a later version that gains a script is caught), and a note for
/// those that do. The registry answers come from the cache `add` just filled.
fn record_scripts(
    path: &std::path::Path,
    eco: lockgate::model::Ecosystem,
    specs: &[String],
    allow_scripts: bool,
    offline: bool,
) -> anyhow::Result<()> {
    let versions: Vec<(String, String)> = specs
        .iter()
        .filter_map(|s| match split_name_version(s) {
            (n, Some(v)) => Some((n.to_string(), v.to_string())),
            _ => None,
        })
        .collect();
    let facts: Vec<Option<Vec<String>>> = if allow_scripts {
        vec![None; versions.len()]
    } else {
        let list = allowlist::load(path)?;
        let client = super::online::client(Some(&list), offline)?;
        let queries: Vec<_> = versions
            .iter()
            .map(|(n, v)| (eco, n.clone(), v.clone()))
            .collect();
        client
            .lookup_versions(&queries)
            .into_iter()
            .zip(&versions)
            .map(|(a, (_, v))| match a {
                Ok(lockgate::registry::Answer::Found(info)) => {
                    info.version(v).and_then(|i| i.install_scripts.clone())
                }
                _ => None,
            })
            .collect()
    };
    edit::update(path, false, |ed| {
        for ((name, version), fact) in versions.iter().zip(&facts) {
            if allow_scripts {
                ed.set_scripts(eco, name, version, true);
            } else if fact.as_ref().is_some_and(|f| f.is_empty()) {
                ed.set_scripts(eco, name, version, false);
            }
        }
        Ok(())
    })?;
    if allow_scripts {
        eprintln!(
            "install scripts approved (`scripts = true`) for {}",
            specs.join(", ")
        );
    }
    for ((name, version), fact) in versions.iter().zip(&facts) {
        if let Some(hooks) = fact.as_ref().filter(|f| !f.is_empty()) {
            eprintln!(
                "warning: {eco} {name}@{version} runs code at install ({}); it is pinned WITHOUT `scripts = true`, so `lockgate check` reports it as `install-script` (an error under `[policy] install-scripts = \"deny\"`, a warning when the key is absent or \"warn\") until someone reviews the script and approves it: rerun with --allow-scripts, or add `scripts = true` to the pin",
                hooks.join("; ")
            );
        }
    }
    Ok(())
}
