//! `lockgate check`: the gate.

use super::output::{self, OutputArgs};
use super::{AllowlistArg, FailOn, WalkArgs};
use lockgate::allowlist;
use lockgate::checks::Outcome;
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
    let checker = lockgate::checks::names::checker(&list, &known_bad)?;
    let evaluate = |res: &lockgate::resolve::Resolution| -> anyhow::Result<Outcome> {
        let mut outcome = Outcome::offline(res, &list, fail_on.severity());
        outcome
            .findings
            .extend(lockgate::checks::names::check(res, &list, &checker));
        lockgate::checks::sort(&mut outcome.findings);
        if net.online {
            super::online::check(&mut outcome, res, &list, &net)?;
        }
        // Exceptions apply to every check's findings (see checks::apply_exceptions).
        lockgate::checks::apply_exceptions(&mut outcome.findings, &list, &allowlist::today());
        lockgate::checks::sort(&mut outcome.findings);
        Ok(outcome)
    };
    let mut outcome = evaluate(&res)?;
    let cmp = baseline.apply(&mut outcome, &res, &walk, &list, evaluate)?;
    output::emit(&output, &outcome, &res, &list)?;
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
