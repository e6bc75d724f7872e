//! The `lockgate` command line. Argument parsing and exit codes only (in `cli/`):
//! all work is done by the library.

// The binary is where lockgate talks to the terminal (see `[lints]` in Cargo.toml).
#![allow(clippy::print_stdout, clippy::print_stderr)]

// The binary's modules are no API: their `pub` items are crate-visible by
// construction, so `unreachable_pub` (which guards the library's API) is off here.
#[allow(unreachable_pub)]
mod cli;

/// mimalloc: lockgate allocates many small strings from several threads at once, where
/// it measured faster than the system allocator (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
