//! The `lockgate` command line. Argument parsing and exit codes only (in `cli/`):
//! all work is done by the library.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
