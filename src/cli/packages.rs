//! `lockgate packages`: list what the lockfiles pin.

use super::{WalkArgs, print_with};
use lockgate::report::{self, Format};
use std::process::ExitCode;

/// Arguments of `lockgate packages`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    walk: WalkArgs,
    /// Output format.
    #[arg(long, value_parser = super::output::format_parser(Format::PACKAGES), default_value = "human")]
    format: Format,
}

/// Run `lockgate packages`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Args { walk, format } = args;
    // Not dropped: the process ends right after, and freeing every package one by
    // one (thousands of strings and hashes) would only delay the exit.
    // For JSON, each lockfile's records are written in the parse threads as soon
    // as it is read: what is left after the parse is to copy them out.
    let (res, records): (_, Vec<_>) = match format {
        Format::Json => {
            let (res, made) = walk.resolve_with(&[], &report::json::package_records);
            (res, made.into_iter().map(Option::flatten).collect())
        }
        _ => (walk.resolve(&[]), Vec::new()),
    };
    let (res, records) = (
        std::mem::ManuallyDrop::new(res),
        std::mem::ManuallyDrop::new(records),
    );
    walk.explain(&res);
    walk.refuse_empty(&res)?;
    match format {
        // Written as it is serialized: the document of a large scan is megabytes.
        Format::Json => print_with(|out| report::json::write_packages_with(&res, &records, out))?,
        // Written as it is made, too: the list of a large lockfile is tens of megabytes.
        Format::Human if res.is_complete() => {
            print_with(|out| report::human::write_packages(&res, out))?
        }
        Format::Human => {}
        // Refused by the argument parser (Format::PACKAGES).
        Format::Sarif | Format::Github | Format::Markdown => anyhow::bail!(
            "`lockgate packages` writes {}, not {}",
            Format::list(Format::PACKAGES),
            format.name()
        ),
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
