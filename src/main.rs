//! The `lockgate` command line. Argument parsing and exit codes only (in `cli/`):
//! all work is done by the library.

mod cli;

/// mimalloc: lockgate allocates many small strings from several threads at once, where
/// it measured faster than the system allocator (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
