//! The command line: one file per command, shared arguments and helpers here.

// The command line is where lockgate prints (see `[lints]` in Cargo.toml).
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod actions;
mod allowlist;
mod baseline;
mod check;
mod completions;
mod explain;
mod guard;
mod man;
mod mcp;
mod name;
mod online;
mod output;
mod packages;
mod verbose;

use clap::{Parser, Subcommand, ValueEnum};
use lockgate::checks::Severity;
use lockgate::discover::Options;
use lockgate::hint::Hint;
use lockgate::lockfile::Ecosystem;
use lockgate::report;
use lockgate::resolve::{Resolution, resolve};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Guard the software supply chain before the build runs.
///
/// (The long help is [`long_about`]: it lists the formats from `lockfile::FORMATS`.)
#[derive(Parser, Debug)]
#[command(name = "lockgate", version, about, long_about = long_about(), max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Log what the online client does (requests, cache hits, retries, DNS, timings)
    /// to stderr.
    #[arg(short, long, global = true)]
    verbose: bool,
}

/// The long help of `lockgate --help`, with the file names of every format lockgate reads.
fn long_about() -> String {
    let names = lockgate::lockfile::file_names()
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "Guard the software supply chain before the build runs.\n\n\
         lockgate reads the lockfiles of cargo, npm and PyPI projects ({names}), checks \
         every package against a hash-pinned allowlist, and flags names that look like \
         typosquats or hallucinated packages.\n\n\
         Exit codes: 0 clean, 1 findings at or above the fail level, 2 usage, config or \
         parse error."
    )
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List every package the lockfiles under PATH pin.
    ///
    /// Walks the paths (default `.`), parses every lockfile in parallel and prints
    /// one list. Every file git tracks is read; untracked files that .gitignore names
    /// or that lie in node_modules, target, .venv and similar are skipped
    /// (`--explain-skips` lists them). Any lockfile that cannot be read fails the run
    /// (exit 2), and so does finding none (unless `--allow-empty`).
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
    /// Check the packages an install command names, then run it (or refuse, exit 1).
    ///
    /// `lockgate guard -- npm install left-pad@1.3.0` reads the package arguments of
    /// npm install|i|add, pnpm add, yarn add, bun add, pip install, uv add, uv pip
    /// install, poetry add and cargo add; checks each name and version against the
    /// allowlist and the name checks (and the registry with --online); refuses with
    /// the findings, or runs the command unchanged and exits with its exit code.
    /// Paths, URLs, git and other registries are refused: lockgate cannot check them.
    Guard(guard::Args),
    /// Serve the name and lockfile checks to coding agents over MCP (stdio).
    ///
    /// Register it with an agent (`claude mcp add lockgate -- lockgate mcp`); see
    /// docs/agents.md. Offline unless started with `--online`.
    Mcp(mcp::Args),
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
    if cli.verbose {
        verbose::enable();
    }
    let result = match cli.command {
        Command::Packages(args) => packages::run(args),
        Command::Check(args) => check::run(args),
        Command::Name(args) => name::run(args),
        Command::Guard(args) => guard::run(args),
        Command::Mcp(args) => mcp::run(args),
        Command::Allowlist(cmd) => allowlist::run(cmd),
        Command::Explain(args) => explain::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprint!("{}", render_error(&err));
            ExitCode::from(2)
        }
    }
}

/// An error of the command line itself, with what fixes it.
#[derive(Debug)]
pub struct Failure {
    /// What is wrong.
    pub message: String,
    /// What fixes it.
    pub hints: Vec<String>,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

impl Hint for Failure {
    fn hints(&self) -> Vec<String> {
        self.hints.clone()
    }
}

/// How every command reports the error it ends with: `error: <message>` (the whole
/// chain of causes), then `  help: <text>` for each hint of the first error in the
/// chain that has any ([`lockgate::hint`]).
pub fn render_error(err: &anyhow::Error) -> String {
    use lockgate::report::escape::display_safe_text;
    let hints = err
        .chain()
        .map(error_hints)
        .find(|h| !h.is_empty())
        .unwrap_or_default();
    let hints: Vec<String> = hints
        .iter()
        .map(|h| display_safe_text(h).into_owned())
        .collect();
    lockgate::hint::render(&display_safe_text(&format!("{err:#}")), &hints)
}

/// The hints of one error, when it is one of the library's error types.
fn error_hints(e: &(dyn std::error::Error + 'static)) -> Vec<String> {
    macro_rules! hints_of {
        ($($t:ty),* $(,)?) => {
            $( if let Some(e) = e.downcast_ref::<$t>() { return e.hints(); } )*
        };
    }
    hints_of!(
        Failure,
        lockgate::lockfile::ParseError,
        lockgate::discover::DiscoverError,
        lockgate::allowlist::AllowlistError,
        lockgate::allowlist::extends::ExtendsError,
        lockgate::registry::RegistryError,
        lockgate::registry::pins::PinProblem,
        lockgate::lockfile::hash::HashError,
        lockgate::version::InvalidVersion,
        lockgate::names::known::KnownBadError,
    );
    Vec::new()
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
    /// List on stderr every lockfile-like file under the paths that was not read,
    /// and why (ignored and untracked, inside node_modules, excluded, ...).
    #[arg(long)]
    pub explain_skips: bool,
    /// Pass when no lockfile is found (by default that is an error, exit 2).
    #[arg(long)]
    pub allow_empty: bool,
}

impl WalkArgs {
    /// Discover and parse everything under the paths; `allowlist_exclude` is the
    /// allowlist's `exclude`.
    pub fn resolve(&self, allowlist_exclude: &[String]) -> Resolution {
        resolve(&self.paths, &self.options(allowlist_exclude))
    }

    /// [`Self::resolve`], with `each` applied to every lockfile in the parse threads
    /// (see [`lockgate::resolve::resolve_with`]).
    pub fn resolve_with<T: Send>(
        &self,
        allowlist_exclude: &[String],
        each: &(dyn Fn(&lockgate::lockfile::Lockfile) -> T + Sync),
    ) -> (Resolution, Vec<Option<T>>) {
        lockgate::resolve::resolve_with(&self.paths, &self.options(allowlist_exclude), each)
    }

    fn options(&self, allowlist_exclude: &[String]) -> Options {
        Options {
            no_ignore: self.no_ignore,
            exclude: self.exclude.clone(),
            allowlist_exclude: allowlist_exclude.to_vec(),
            cargo_metadata: self.cargo_metadata,
            explain_skips: self.explain_skips,
        }
    }

    /// `--explain-skips`: print what was not read, on stderr.
    pub fn explain(&self, res: &Resolution) {
        if self.explain_skips {
            eprint!("{}", explain_skips(res));
        }
    }

    /// A run that found nothing to check (no lockfile, no manifest that declares
    /// dependencies without one) and met no error fails, unless `--allow-empty`.
    pub fn refuse_empty(&self, res: &Resolution) -> anyhow::Result<()> {
        if self.allow_empty
            || !res.lockfiles.is_empty()
            || !res.manifests_without_lockfile.is_empty()
            || !res.is_complete()
        {
            return Ok(());
        }
        let scanned = self
            .paths
            .iter()
            .map(|p| format!("`{}`", p.display()))
            .collect::<Vec<_>>()
            .join(", ");
        let skipped = if res.skipped.is_empty() {
            "nothing was skipped".to_string()
        } else {
            format!(
                "{}; run `lockgate packages --explain-skips {}` to list them",
                skips_summary(res),
                self.paths
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        };
        Err(Failure {
            message: format!(
                "no lockfile found under {scanned} ({skipped}), so nothing was checked"
            ),
            hints: vec!["run lockgate from the repository root or pass the folder or lockfile to check; if a run without lockfiles is expected (e.g. a hook given only other files), pass --allow-empty".to_string()],
        }
        .into())
    }
}

/// One line: how many lockfile-like files and folders were not read, by reason.
pub fn skips_summary(res: &Resolution) -> String {
    use lockgate::discover::SkipReason;
    let files = res.skipped.iter().filter(|s| !s.is_dir).count();
    let dirs: Vec<&lockgate::discover::Skipped> = res.skipped.iter().filter(|s| s.is_dir).collect();
    let mut kinds: Vec<&str> = res
        .skipped
        .iter()
        .map(|s| match s.reason {
            SkipReason::AllowlistExclude(_) => "allowlist exclude",
            SkipReason::CliExclude(_) => "--exclude",
            SkipReason::InstallFolder(_) => "installer output",
            SkipReason::Ignored => "ignored",
            SkipReason::InstalledPackage(_) => "installed packages",
            SkipReason::NotALockfileName => "other formats",
        })
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let mut parts = Vec::new();
    if files > 0 {
        parts.push(plural(files, "lockfile-like file", "lockfile-like files"));
    }
    if !dirs.is_empty() {
        parts.push(plural(dirs.len(), "folder", "folders"));
    }
    if parts.is_empty() {
        return "nothing skipped".to_string();
    }
    format!("skipped {} ({})", parts.join(" and "), kinds.join(", "))
}

/// A path for the terminal: control and bidi characters escaped.
fn shown(p: &std::path::Path) -> String {
    p.display()
        .to_string()
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
                format!("\\u{{{:x}}}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The `--explain-skips` listing.
pub fn explain_skips(res: &Resolution) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    if res.skipped.is_empty() {
        out.push_str("explain-skips: every lockfile-like file under the paths was read\n");
    } else {
        let _ = writeln!(out, "explain-skips: not read ({}):", res.skipped.len());
        for s in &res.skipped {
            let slash = if s.is_dir { "/" } else { "" };
            let _ = writeln!(out, "  {}{slash}  {}", shown(&s.display), s.describe());
        }
    }
    for p in &res.tracked_overrides {
        let _ = writeln!(
            out,
            "  {}  read: tracked by git, although an ignore file or the skip list names it",
            shown(p)
        );
    }
    out
}

#[derive(clap::Args, Debug, Clone)]
pub struct AllowlistArg {
    /// The allowlist file. A bare file name that is not in the current folder is
    /// looked for in each parent folder up to the repository root.
    #[arg(
        long = "allowlist",
        env = "LOCKGATE_ALLOWLIST",
        default_value = "allowlist.toml",
        value_parser = find_allowlist
    )]
    pub path: PathBuf,
}

/// `allowlist.toml` (a bare name) from the current folder up to the repository root
/// (the first folder with `.git`): `check` in a subfolder finds the repository's
/// allowlist. Anything else is taken as given.
fn find_allowlist(s: &str) -> Result<PathBuf, String> {
    let p = PathBuf::from(s);
    let bare = p.components().count() == 1 && p.file_name().is_some();
    if !bare || p.exists() {
        return Ok(p);
    }
    let Ok(cwd) = std::env::current_dir() else {
        return Ok(p);
    };
    let mut up = PathBuf::new();
    for dir in cwd.ancestors() {
        if dir.join(&p).is_file() {
            return Ok(if up.as_os_str().is_empty() {
                p
            } else {
                up.join(&p)
            });
        }
        if dir.join(".git").exists() {
            break;
        }
        up.push("..");
    }
    Ok(p)
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

/// Resolve, or fail with every parse error: the allowlist commands never act on a
/// partial package list.
pub fn resolve_whole(paths: &[PathBuf], exclude: &[String]) -> anyhow::Result<Resolution> {
    let opts = Options {
        allowlist_exclude: exclude.to_vec(),
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
        .ok_or_else(|| anyhow::anyhow!("unknown ecosystem `{s}`: use cargo, npm, pypi or actions"))
}

/// Split `NAME@VERSION`; a leading `@` is an npm scope, not a version separator.
pub fn split_name_version(s: &str) -> (&str, Option<&str>) {
    match s[1.min(s.len())..].rfind('@') {
        Some(i) => (&s[..i + 1], Some(&s[i + 2..])),
        None => (s, None),
    }
}

/// Today's date (UTC) as `YYYY-MM-DD` (the library's, so approvals, exceptions and
/// checks agree on the day).
pub fn today() -> String {
    lockgate::allowlist::today()
}

/// Write to stdout; a closed pipe (`lockgate packages | head`) is not an error.
pub fn print(s: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// [`print`] what `write` writes, through a buffer (for output written as it is made).
pub fn print_with(
    write: impl FnOnce(&mut std::io::BufWriter<std::io::StdoutLock<'static>>) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    match write(&mut out).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
