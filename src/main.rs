//! The `lockgate` command line. Argument parsing and exit codes only: all work is
//! done by the library.

use clap::{Parser, Subcommand, ValueEnum};
use lockgate::discover::Options;
use lockgate::allowlist::{self, edit, ops};
use lockgate::checks::{FindingId, Outcome, Severity};
use lockgate::lockfile::Ecosystem;
use lockgate::report;
use lockgate::resolve::{Resolution, resolve};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Guard the software supply chain before the build runs.
///
/// lockgate reads the lockfiles of cargo, npm and PyPI projects (Cargo.lock,
/// package-lock.json, npm-shrinkwrap.json, yarn.lock, pnpm-lock.yaml, bun.lock,
/// requirements*.txt, poetry.lock, Pipfile.lock, uv.lock, pdm.lock, pylock.toml),
/// checks every package against a hash-pinned allowlist, and flags names that look
/// like typosquats or hallucinated packages.
///
/// Exit codes: 0 clean, 1 findings at or above the fail level, 2 usage, config or
/// parse error.
#[derive(Parser, Debug)]
#[command(name = "lockgate", version, about, long_about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List every package the lockfiles under PATH pin.
    ///
    /// Walks the paths (default `.`), honouring .gitignore and skipping
    /// node_modules, target, .venv and similar, parses every lockfile in parallel and
    /// prints one list. Any lockfile that cannot be read fails the run (exit 2).
    Packages {
        /// Folders or lockfiles to read.
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutFormat::Human)]
        format: OutFormat,
        /// Do not honour .gitignore / .ignore files.
        #[arg(long)]
        no_ignore: bool,
        /// Skip files and folders matching this glob (repeatable), e.g. tests/fixtures.
        #[arg(long)]
        exclude: Vec<String>,
    },
    /// Check every package against the allowlist; exit 1 on findings, 2 on errors.
    ///
    /// Findings: unlisted, version-not-allowed, hash-mismatch (possible tampering),
    /// missing-hash, source-not-allowed, denied, unpinned, parse-error. Run
    /// `lockgate explain ID` for any of them.
    Check {
        /// Folders or lockfiles to check.
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        allowlist: AllowlistArg,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutFormat::Human)]
        format: OutFormat,
        /// The lowest severity that fails the run.
        #[arg(long, value_enum, default_value_t = FailOn::Error)]
        fail_on: FailOn,
        /// Do not honour .gitignore / .ignore files.
        #[arg(long)]
        no_ignore: bool,
        /// Skip files and folders matching this glob (repeatable), besides the
        /// allowlist's `exclude`.
        #[arg(long)]
        exclude: Vec<String>,
    },
    /// Keep the allowlist: init, suggest, remove, prune, deny.
    #[command(subcommand)]
    Allowlist(AllowlistCmd),
    /// Explain a finding id: what it means and how to fix it.
    Explain {
        /// A finding id, e.g. hash-mismatch. Without one, lists every id.
        id: Option<String>,
    },
}

#[derive(clap::Args, Debug, Clone)]
struct AllowlistArg {
    /// The allowlist file.
    #[arg(long = "allowlist", env = "LOCKGATE_ALLOWLIST", default_value = "allowlist.toml")]
    path: PathBuf,
}

#[derive(clap::Args, Debug, Clone, Default)]
struct ApprovalArgs {
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
enum AllowlistCmd {
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

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum FailOn {
    /// Only possible tampering.
    Critical,
    /// Errors and worse (the default).
    Error,
    /// Warnings and worse.
    Warning,
    /// Every finding.
    Note,
    /// Never fail on findings (parse errors still exit 2).
    Never,
}

impl FailOn {
    fn severity(self) -> Option<Severity> {
        match self {
            FailOn::Critical => Some(Severity::Critical),
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Note => Some(Severity::Note),
            FailOn::Never => None,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum OutFormat {
    /// A readable table.
    Human,
    /// JSON (documented in docs/json.md).
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Packages {
            paths,
            format,
            no_ignore,
            exclude,
        } => {
            let res = resolve(&paths, &Options { no_ignore, exclude });
            let out = match format {
                OutFormat::Human => report::human::packages(&res),
                OutFormat::Json => report::json::packages(&res),
            };
            if res.is_complete() || format == OutFormat::Json {
                print(&out)?;
            }
            if !res.is_complete() {
                eprint!("{}", report::human::errors(&res.errors));
                eprintln!(
                    "error: {} file{} could not be read; no package list is given because it would be incomplete",
                    res.errors.len(),
                    if res.errors.len() == 1 { "" } else { "s" }
                );
                return Ok(ExitCode::from(2));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Check {
            paths,
            allowlist,
            format,
            fail_on,
            no_ignore,
            mut exclude,
        } => {
            let list = allowlist::load(&allowlist.path)?;
            exclude.extend(list.exclude.iter().cloned());
            let res = resolve(&paths, &Options { no_ignore, exclude });
            let outcome = Outcome::offline(&res, &list, fail_on.severity());
            let out = match format {
                OutFormat::Human => report::human::findings(&outcome),
                OutFormat::Json => report::json::findings(&outcome),
            };
            print(&out)?;
            Ok(ExitCode::from(outcome.exit_code()))
        }
        Command::Explain { id } => explain(id.as_deref()),
        Command::Allowlist(cmd) => allowlist_cmd(cmd),
    }
}

fn explain(id: Option<&str>) -> anyhow::Result<ExitCode> {
    let Some(id) = id else {
        let mut out = String::from("Finding ids (run `lockgate explain ID` for one):\n");
        for f in FindingId::ALL {
            out.push_str(&format!("  {:24} {}\n", f.as_str(), f.summary()));
        }
        print(&out)?;
        return Ok(ExitCode::SUCCESS);
    };
    let Some(f) = FindingId::parse(id) else {
        anyhow::bail!("unknown finding id `{id}`; run `lockgate explain` for the list");
    };
    print(&format!("{}\n\n{}\n\n{}\n", f.as_str(), f.summary(), f.explanation()))?;
    Ok(ExitCode::SUCCESS)
}

/// Resolve, or fail with every parse error: the allowlist commands never act on a
/// partial package list.
fn resolve_whole(paths: &[PathBuf], exclude: &[String]) -> anyhow::Result<Resolution> {
    let opts = Options {
        exclude: exclude.to_vec(),
        ..Options::default()
    };
    let res = resolve(paths, &opts);
    if !res.is_complete() {
        eprint!("{}", report::human::errors(&res.errors));
        anyhow::bail!(
            "{} file{} could not be read; the allowlist was not changed",
            res.errors.len(),
            if res.errors.len() == 1 { "" } else { "s" }
        );
    }
    Ok(res)
}

fn parse_ecosystem(s: &str) -> anyhow::Result<Ecosystem> {
    Ecosystem::parse(s).ok_or_else(|| anyhow::anyhow!("unknown ecosystem `{s}`: use cargo, npm or pypi"))
}

/// Split `NAME@VERSION`; a leading `@` is an npm scope, not a version separator.
fn split_name_version(s: &str) -> (&str, Option<&str>) {
    match s[1.min(s.len())..].rfind('@') {
        Some(i) => (&s[..i + 1], Some(&s[i + 2..])),
        None => (s, None),
    }
}

fn allowlist_cmd(cmd: AllowlistCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        AllowlistCmd::Init {
            paths,
            allowlist,
            force,
            exclude,
            approval,
        } => {
            if allowlist.path.exists() && !force {
                anyhow::bail!(
                    "{} already exists; use `lockgate allowlist suggest --write` to add to it, or `init --force` to start over",
                    allowlist.path.display()
                );
            }
            let res = resolve_whole(&paths, &exclude)?;
            let mut ed = ops::init(&allowlist.path, &res, &approval.approval());
            ed.set_exclude(&exclude);
            ed.save()?;
            let list = allowlist::load(&allowlist.path)?;
            eprintln!(
                "wrote {}: {} packages, {} versions pinned from {} lockfiles (hashes taken from the lockfiles: verify them before you trust them)",
                allowlist.path.display(),
                list.entries.len(),
                list.pin_count(),
                res.lockfiles.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        AllowlistCmd::Suggest {
            paths,
            allowlist,
            write,
            approval,
        } => {
            let list = allowlist::load(&allowlist.path)?;
            let res = resolve_whole(&paths, &list.exclude)?;
            let wanted = ops::wanted(&res, Some(&list));
            if wanted.is_empty() {
                eprintln!("nothing to suggest: {} already allows every package", allowlist.path.display());
                return Ok(ExitCode::SUCCESS);
            }
            if write {
                edit::update(&allowlist.path, false, |ed| {
                    ops::apply(ed, &wanted, &approval.approval());
                    Ok(())
                })?;
                eprintln!("added {} versions to {}", wanted.len(), allowlist.path.display());
            } else {
                print(&ops::snippet(&wanted, &allowlist.path, &approval.approval()))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        AllowlistCmd::Remove {
            ecosystem,
            name,
            allowlist,
        } => {
            let eco = parse_ecosystem(&ecosystem)?;
            let (name, version) = split_name_version(&name);
            let removed = edit::update(&allowlist.path, false, |ed| Ok(ed.remove(eco, name, version)))?;
            if !removed {
                anyhow::bail!(
                    "{eco} {name}{} is not in {}",
                    version.map(|v| format!("@{v}")).unwrap_or_default(),
                    allowlist.path.display()
                );
            }
            eprintln!("removed {eco} {name}{}", version.map(|v| format!("@{v}")).unwrap_or_default());
            Ok(ExitCode::SUCCESS)
        }
        AllowlistCmd::Prune {
            paths,
            allowlist,
            dry_run,
        } => {
            let list = allowlist::load(&allowlist.path)?;
            let res = resolve_whole(&paths, &list.exclude)?;
            let unused = ops::prune(&res, &list);
            let mut out = String::new();
            for (eco, name, version) in &unused {
                out.push_str(&format!("{}{eco} {name}{}\n", if dry_run { "would remove " } else { "removed " }, version.as_ref().map(|v| format!("@{v}")).unwrap_or_default()));
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
            eprintln!("{} entr{} unused", unused.len(), if unused.len() == 1 { "y" } else { "ies" });
            Ok(ExitCode::SUCCESS)
        }
        AllowlistCmd::Deny {
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

/// Today's date (UTC) as `YYYY-MM-DD`.
fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0) as i64;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!("{y:04}-{m:02}-{d:02}")
}

/// Write to stdout; a closed pipe (`lockgate packages | head`) is not an error.
fn print(s: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
