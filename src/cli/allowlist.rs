//! `lockgate allowlist ...`: the security team's maintenance commands.

use super::{AllowlistArg, parse_ecosystem, print, resolve_whole, split_name_version, today};
use clap::Subcommand;
use lockgate::allowlist::{self, edit, ops};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug, Clone, Default)]
pub struct ApprovalArgs {
    /// Who approves (written to `approved.by` of new names).
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
        let any = self.by.is_some() || self.ticket.is_some() || self.reason.is_some();
        lockgate::allowlist::Approval {
            by: self.by.clone(),
            on: any.then(today),
            ticket: self.ticket.clone(),
            reason: self.reason.clone(),
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
        /// Overwrite an existing allowlist.
        #[arg(long)]
        force: bool,
        /// Skip files and folders matching this glob (repeatable); recorded as the
        /// allowlist's `exclude`.
        #[arg(long)]
        exclude: Vec<String>,
        #[command(flatten)]
        approval: ApprovalArgs,
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
        #[command(flatten)]
        approval: ApprovalArgs,
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
            approval,
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
            let mut ed = ops::init(&allowlist.path, &res, &approval.approval());
            if online {
                let wanted =
                    super::online::verify_wanted(None, &res, ops::wanted(&res, None), net.offline)?;
                ops::apply(&mut ed, &wanted, &approval.approval());
            }
            ed.set_exclude(&exclude);
            ed.save()?;
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
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Suggest {
            paths,
            allowlist,
            write,
            approval,
            online,
            net,
        } => {
            let list = allowlist::load(&allowlist.path)?;
            let res = resolve_whole(&paths, &list.exclude)?;
            let mut wanted = ops::wanted(&res, Some(&list));
            if online && !wanted.is_empty() {
                wanted = super::online::verify_wanted(Some(&list), &res, wanted, net.offline)?;
            }
            if wanted.is_empty() {
                eprintln!(
                    "nothing to suggest: {} already allows every package",
                    allowlist.path.display()
                );
                return Ok(ExitCode::SUCCESS);
            }
            if write {
                edit::update(&allowlist.path, false, |ed| {
                    ops::apply(ed, &wanted, &approval.approval());
                    Ok(())
                })?;
                eprintln!(
                    "added {} versions to {}",
                    wanted.len(),
                    allowlist.path.display()
                );
            } else {
                let snippet = if online {
                    ops::snippet_verified
                } else {
                    ops::snippet
                };
                // TOML escapes for bidi and invisible characters: same meaning, safe on a terminal.
                print(&lockgate::report::escape::toml_safe(&snippet(
                    &wanted,
                    &allowlist.path,
                    &approval.approval(),
                )))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Add {
            ecosystem,
            specs,
            allowlist,
            approval,
            force,
            net,
        } => super::online::add(
            &allowlist.path,
            &ecosystem,
            &specs,
            &approval.approval(),
            force,
            net.offline,
        ),
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
            let res = resolve_whole(&paths, &list.exclude)?;
            let unused = ops::prune(&res, &list);
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
            allowlist,
        } => {
            let eco = parse_ecosystem(&ecosystem)?;
            let vs = (!versions.is_empty()).then_some(versions.as_slice());
            edit::update(&allowlist.path, true, |ed| {
                ed.add_deny(eco, &name, &reason, vs);
                Ok(())
            })?;
            eprintln!("denied {eco} {name} in {}", allowlist.path.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}
