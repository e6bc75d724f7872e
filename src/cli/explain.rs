//! `lockgate explain [ID]`.

use super::print;
use lockgate::checks::FindingId;
use std::process::ExitCode;

/// Arguments of `lockgate explain`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// A finding id, e.g. hash-mismatch. Without one, lists every id.
    id: Option<String>,
}

/// Run `lockgate explain`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    explain(args.id.as_deref())
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
    print(&format!(
        "{}\n\n{}\n\n{}\n\n{}\n",
        f.as_str(),
        f.summary(),
        f.explanation(),
        f.help()
    ))?;
    Ok(ExitCode::SUCCESS)
}
