//! `lockgate check`: the gate.

use super::output::{self, OutputArgs};
use super::{AllowlistArg, FailOn, WalkArgs};
use lockgate::allowlist;
use lockgate::checks;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `lockgate check`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    walk: WalkArgs,
    #[command(flatten)]
    allowlist: AllowlistArg,
    #[command(flatten)]
    output: OutputArgs,
    /// The lowest severity that fails the run.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// A list of known-bad packages to load (an OSV directory in the OpenSSF
    /// malicious-packages layout, or a TSV: ecosystem, name, id, versions); repeatable.
    #[arg(long, value_name = "PATH")]
    known_bad: Vec<PathBuf>,
    #[command(flatten)]
    net: super::online::CheckArgs,
    // Last: its help heading ("Pull requests") covers the arguments declared after it.
    #[command(flatten)]
    baseline: super::baseline::BaselineArgs,
}

/// Run `lockgate check`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Args {
        walk,
        allowlist,
        output,
        fail_on,
        known_bad,
        net,
        baseline,
    } = args;
    let list = allowlist::load(&allowlist.path)?;
    let res = walk.resolve(&list.exclude);
    walk.explain(&res);
    walk.refuse_empty(&res)?;
    let opts = checks::Options {
        fail_on: fail_on.severity(),
        known_bad,
        online: net.options(),
    };
    // The same checks run on the working tree and, with --baseline, on the base ref.
    let evaluate = |res: &lockgate::resolve::Resolution| -> anyhow::Result<checks::Outcome> {
        Ok(checks::run(res, &list, &opts)?)
    };
    let mut outcome = evaluate(&res)?;
    let cmp = baseline.apply(&mut outcome, &res, &walk, &list, evaluate)?;
    let changes = cmp.as_ref().map(|c| c.changes.as_slice());
    output::emit_with(&output, &outcome, changes, &res, &list)?;
    baseline.finish(cmp.as_ref(), &outcome, output.quiet)?;
    if !output.quiet {
        // Said on stderr, so that no report format changes.
        eprintln!(
            "discovery: read {} lockfile{}; {}{}",
            res.lockfiles.len(),
            if res.lockfiles.len() == 1 { "" } else { "s" },
            super::skips_summary(&res),
            if res.skipped.is_empty() || walk.explain_skips {
                ""
            } else {
                " (--explain-skips lists them)"
            }
        );
    }
    Ok(ExitCode::from(outcome.exit_code()))
}
