//! The command line: one file per command, shared arguments and helpers here.

mod allowlist;
mod check;
mod completions;
mod explain;
mod man;
mod name;
mod online;
mod output;
mod packages;

use clap::{Parser, Subcommand, ValueEnum};
use lockgate::checks::Severity;
use lockgate::discover::Options;
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
    Packages(packages::Args),
    /// Check every package against the allowlist; exit 1 on findings, 2 on errors.
    ///
    /// Findings: unlisted, version-not-allowed, hash-mismatch (possible tampering),
    /// missing-hash, source-not-allowed, denied, unpinned, parse-error. Run
    /// `lockgate explain ID` for any of them.
    Check(check::Args),
    /// Check package names before installing them: typosquats, hallucinations,
    /// known-bad names.
    ///
    /// For a person, a script or an AI agent: `lockgate name pypi huggingface-cli`,
    /// or names on stdin with `-`. Verdicts: ok, warn, deny. Exit 1 when any name is
    /// `deny`. Offline by default (an embedded registry snapshot); `--online` asks
    /// the registry whether each name exists.
    Name(name::Args),
    /// Keep the allowlist: init, suggest, add, verify, remove, prune, deny.
    #[command(subcommand)]
    Allowlist(allowlist::Cmd),
    /// Explain a finding id: what it means and how to fix it.
    Explain(explain::Args),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(completions::Args),
    /// Print the manual page (roff), or write one per command into a folder.
    Man(man::Args),
}

/// Run the command line and return the exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Packages(args) => packages::run(args),
        Command::Check(args) => check::run(args),
        Command::Name(args) => name::run(args),
        Command::Allowlist(cmd) => allowlist::run(cmd),
        Command::Explain(args) => explain::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            let text = format!("{err:#}");
            eprintln!(
                "error: {}",
                lockgate::report::escape::display_safe_text(&text)
            );
            ExitCode::from(2)
        }
    }
}

/// What to walk: shared by `packages` and `check`.
#[derive(clap::Args, Debug, Clone)]
pub struct WalkArgs {
    /// Folders, lockfiles or manifests to read.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Do not honour .gitignore / .ignore files.
    #[arg(long)]
    pub no_ignore: bool,
    /// Skip files and folders matching this glob (repeatable), e.g. tests/fixtures;
    /// `check` adds the allowlist's `exclude`.
    #[arg(long)]
    pub exclude: Vec<String>,
    /// Ask `cargo metadata` (offline) for workspace members and dev-only crates.
    #[arg(long)]
    pub cargo_metadata: bool,
}

impl WalkArgs {
    /// Discover and parse everything under the paths, excluding `extra_exclude` too.
    pub fn resolve(&self, extra_exclude: &[String]) -> Resolution {
        let mut exclude = self.exclude.clone();
        exclude.extend(extra_exclude.iter().cloned());
        resolve(
            &self.paths,
            &Options {
                no_ignore: self.no_ignore,
                exclude,
                cargo_metadata: self.cargo_metadata,
            },
        )
    }
}

#[derive(clap::Args, Debug, Clone)]
pub struct AllowlistArg {
    /// The allowlist file.
    #[arg(
        long = "allowlist",
        env = "LOCKGATE_ALLOWLIST",
        default_value = "allowlist.toml"
    )]
    pub path: PathBuf,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
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
    pub fn severity(self) -> Option<Severity> {
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
pub enum OutFormat {
    /// A readable table.
    Human,
    /// JSON (documented in docs/json.md).
    Json,
}

/// Resolve, or fail with every parse error: the allowlist commands never act on a
/// partial package list.
pub fn resolve_whole(paths: &[PathBuf], exclude: &[String]) -> anyhow::Result<Resolution> {
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

pub fn parse_ecosystem(s: &str) -> anyhow::Result<Ecosystem> {
    Ecosystem::parse(s)
        .ok_or_else(|| anyhow::anyhow!("unknown ecosystem `{s}`: use cargo, npm or pypi"))
}

/// Split `NAME@VERSION`; a leading `@` is an npm scope, not a version separator.
pub fn split_name_version(s: &str) -> (&str, Option<&str>) {
    match s[1.min(s.len())..].rfind('@') {
        Some(i) => (&s[..i + 1], Some(&s[i + 2..])),
        None => (s, None),
    }
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
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
pub fn print(s: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
