//! `lockgate packages`: list what the lockfiles pin.

use super::{OutFormat, WalkArgs, print};
use lockgate::report;
use std::process::ExitCode;

/// Arguments of `lockgate packages`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    walk: WalkArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutFormat::Human)]
    format: OutFormat,
}

/// Run `lockgate packages`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Args { walk, format } = args;
    let res = walk.resolve(&[]);
    walk.explain(&res);
    walk.refuse_empty(&res)?;
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
