//! `lockgate guard -- <installer command…>`: check the packages a command would
//! add, refuse (exit 1) with the findings, or run the command unchanged and pass
//! its exit code through. The parsing and the checks are in [`lockgate::guard`].

use super::AllowlistArg;
use lockgate::guard::{self, Command, Refusal};
use lockgate::registry::Answer;
use lockgate::report::escape::display_safe;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `lockgate guard`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Also ask the registry whether each named package exists (`not-on-registry`),
    /// and for exact versions their publisher (`trust-downgrade`) and npm install
    /// hooks (`install-script`).
    #[arg(long)]
    online: bool,
    /// Check and print the verdict, but do not run the command.
    #[arg(long)]
    dry_run: bool,
    /// A list of known-bad packages to load (OSV directory or TSV); repeatable.
    #[arg(long, value_name = "PATH")]
    known_bad: Vec<PathBuf>,
    #[command(flatten)]
    allowlist: AllowlistArg,
    /// The installer command, after `--`: npm install|i|add, pnpm add, yarn add,
    /// bun add, pip install, uv add, uv pip install, poetry add, cargo add.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    command: Vec<String>,
}

/// Run `lockgate guard`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let install = match guard::parse(&args.command)? {
        Command::Install(i) => i,
        Command::Other(_) => return exec(&args.command, args.dry_run),
    };
    // The allowlist is optional: without one, only the name checks apply.
    let list = if args.allowlist.path.exists() {
        Some(lockgate::allowlist::load(&args.allowlist.path)?)
    } else {
        eprintln!(
            "lockgate guard: no allowlist at {}: checking names only",
            args.allowlist.path.display()
        );
        None
    };
    let checker = match &list {
        Some(l) => lockgate::checks::names::checker(l, &args.known_bad)?,
        None => {
            let mut c = lockgate::names::NameChecker::embedded();
            for p in &args.known_bad {
                c.load_known_bad(p)?;
            }
            c
        }
    };
    let mut refusals = guard::check(&install, list.as_ref(), &checker);
    if args.online && !install.packages.is_empty() {
        let eco = install.client.ecosystem();
        let client = super::online::client(list.as_ref(), false)?;
        let queries: Vec<_> = install
            .packages
            .iter()
            .map(|p| (eco, p.name.clone()))
            .collect();
        for (p, answer) in install.packages.iter().zip(client.lookup_all(&queries)) {
            match answer {
                Ok(Answer::NotFound { url }) => refusals.push(Refusal {
                    arg: p.arg.clone(),
                    id: "not-on-registry".into(),
                    message: format!("`{}` does not exist on the {eco} registry ({url}): a hallucinated or mistyped name", p.name),
                    fix: "check the name; never register or install a name only an assistant suggested".into(),
                }),
                Ok(_) => {}
                Err(e) => anyhow::bail!(
                    "cannot check `{}` online: {e}\n  hint: retry, or run without --online (nothing was installed)",
                    p.name
                ),
            }
        }
        // Publisher evidence of the exact versions asked for (trust-downgrade).
        let exact: Vec<_> = install
            .packages
            .iter()
            .filter_map(|p| Some((p, (eco, p.name.clone(), p.exact.clone()?))))
            .collect();
        let queries: Vec<_> = exact.iter().map(|(_, q)| q.clone()).collect();
        let judged = lockgate::checks::trust::judge(&client, list.as_ref(), &queries);
        for ((p, _), j) in exact.iter().zip(judged) {
            match j {
                Ok(j) => refusals.extend(j.problems.into_iter().map(|pr| Refusal {
                    arg: p.arg.clone(),
                    id: "trust-downgrade".into(),
                    message: pr.message,
                    fix: pr.help,
                })),
                Err(e) => anyhow::bail!(
                    "cannot read the publisher of `{}` online: {e}\n  hint: retry, or run without --online (nothing was installed)",
                    p.name
                ),
            }
        }
        // Code the registry says runs at install (install-script): an error refuses,
        // a warning (`install-scripts` absent or "warn") is printed and passes.
        let judged =
            lockgate::checks::install_script::judge_registry(&client, list.as_ref(), &queries);
        for ((p, _), j) in exact.iter().zip(judged) {
            match j {
                Ok(j) => {
                    let Some(f) = j.and_then(|j| j.finding) else {
                        continue;
                    };
                    if f.severity == lockgate::checks::Severity::Error {
                        refusals.push(Refusal {
                            arg: p.arg.clone(),
                            id: "install-script".into(),
                            message: f.message,
                            fix: f.help,
                        });
                    } else {
                        eprintln!(
                            "lockgate guard: warning: {}  install-script: {}\n      fix: {}",
                            display_safe(&p.arg),
                            display_safe(&f.message),
                            display_safe(&f.help)
                        );
                    }
                }
                Err(e) => anyhow::bail!(
                    "cannot read the install scripts of `{}` online: {e}\n  hint: retry, or run without --online (nothing was installed)",
                    p.name
                ),
            }
        }
    }
    let shown = args
        .command
        .iter()
        .map(|a| display_safe(a).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    if !refusals.is_empty() {
        eprintln!("lockgate guard: refused `{shown}` (nothing was installed):");
        for r in &refusals {
            eprintln!(
                "  {}  {}: {}\n      fix: {}",
                display_safe(&r.arg),
                r.id,
                display_safe(&r.message),
                display_safe(&r.fix)
            );
        }
        return Ok(ExitCode::from(1));
    }
    eprintln!(
        "lockgate guard: {} package{} approved; running `{shown}`",
        install.packages.len(),
        if install.packages.len() == 1 { "" } else { "s" }
    );
    exec(&args.command, args.dry_run)
}

/// Run the command unchanged: on Unix it replaces lockgate (signals, stdin and the
/// exit code are the installer's own); elsewhere lockgate waits and passes the
/// exit code through.
fn exec(command: &[String], dry_run: bool) -> anyhow::Result<ExitCode> {
    if dry_run {
        return Ok(ExitCode::SUCCESS);
    }
    let mut cmd = std::process::Command::new(&command[0]);
    cmd.args(&command[1..]);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt as _;
        let err = cmd.exec();
        eprintln!("error: cannot run `{}`: {err}", display_safe(&command[0]));
        Ok(ExitCode::from(127))
    }
    #[cfg(not(unix))]
    {
        match cmd.status() {
            Ok(s) => Ok(ExitCode::from(s.code().unwrap_or(1).clamp(0, 255) as u8)),
            Err(err) => {
                eprintln!("error: cannot run `{}`: {err}", display_safe(&command[0]));
                Ok(ExitCode::from(127))
            }
        }
    }
}
