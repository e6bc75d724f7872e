//! `lockgate mcp`: serve the checks to coding agents over MCP (stdio).

use super::AllowlistArg;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `lockgate mcp`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Allow registry lookups (`registry_facts`, and `online` in `check_package_names`).
    /// Without it the server never touches the network.
    #[arg(long)]
    online: bool,
    /// A list of known-bad packages to load (OSV directory or TSV); repeatable.
    #[arg(long, value_name = "PATH")]
    known_bad: Vec<PathBuf>,
    #[command(flatten)]
    allowlist: AllowlistArg,
}

/// Run `lockgate mcp` until the client disconnects.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let opts = lockgate::mcp::Options {
        // Optional: without an allowlist the name checks still answer.
        allowlist: args
            .allowlist
            .path
            .exists()
            .then(|| args.allowlist.path.clone()),
        known_bad: args.known_bad,
        online: args.online,
    };
    lockgate::mcp::serve(opts)?;
    Ok(ExitCode::SUCCESS)
}
