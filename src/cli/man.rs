//! `lockgate man`: the manual page, as roff.

use super::print;
use anyhow::Context as _;
use clap::CommandFactory as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `lockgate man`.
#[derive(clap::Args, Debug)]
#[command(after_long_help = "\
Read it with `lockgate man | man -l -`, or install the pages with
`lockgate man --dir ~/.local/share/man/man1`.")]
pub struct Args {
    /// Write lockgate.1 and one page per subcommand (lockgate-check.1, …) into DIR
    /// instead of printing lockgate.1.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

/// Run `lockgate man`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let cmd = super::Cli::command();
    match args.dir {
        None => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(cmd).render(&mut buf)?;
            print(&String::from_utf8_lossy(&buf))?;
        }
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            clap_mangen::generate_to(cmd, &dir)
                .with_context(|| format!("cannot write man pages to {}", dir.display()))?;
            eprintln!("wrote man pages to {}", dir.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
