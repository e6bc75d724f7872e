//! `lockgate completions SHELL`: print a shell completion script.

use super::print;
use clap::CommandFactory as _;
use clap_complete::Shell;
use std::process::ExitCode;

/// Arguments of `lockgate completions`.
#[derive(clap::Args, Debug)]
#[command(after_long_help = "\
Install, for example:
  bash:  lockgate completions bash > ~/.local/share/bash-completion/completions/lockgate
  zsh:   lockgate completions zsh > ~/.zfunc/_lockgate   (with fpath+=~/.zfunc before compinit)
  fish:  lockgate completions fish > ~/.config/fish/completions/lockgate.fish
  pwsh:  lockgate completions powershell >> $PROFILE")]
pub struct Args {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    shell: Shell,
}

/// Run `lockgate completions`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut cmd = super::Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "lockgate", &mut buf);
    print(&String::from_utf8_lossy(&buf))?;
    Ok(ExitCode::SUCCESS)
}
