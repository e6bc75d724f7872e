//! `lockgate packages`: list what the lockfiles pin.

use super::{OutFormat, print};
use lockgate::discover::Options;
use lockgate::report;
use lockgate::resolve::resolve;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `lockgate packages`.
#[derive(clap::Args, Debug)]
pub struct Args {
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
    /// Ask `cargo metadata` (offline) for workspace members and dev-only crates.
    #[arg(long)]
    cargo_metadata: bool,
}

/// Run `lockgate packages`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Args {
        paths,
        format,
        no_ignore,
        exclude,
        cargo_metadata,
    } = args;
    let res = resolve(
        &paths,
        &Options {
            no_ignore,
            exclude,
            cargo_metadata,
        },
    );
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
