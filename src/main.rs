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
    no_huge_pages();
    cli::main()
}

/// Transparent huge pages off for this process (what `MIMALLOC_ALLOW_THP=0` does).
/// mimalloc asks the kernel for 2 MiB pages for its heap, and the kernel zeroes (and
/// may first compact memory for) each 2 MiB page that a run touches: a short run that
/// uses a few MiB paid for tens of MiB of zeroing, more than half of the system time
/// of a `lockgate --version` (docs/performance.md, "folder13").
#[cfg(target_os = "linux")]
fn no_huge_pages() {
    use std::ffi::{c_int, c_ulong};
    unsafe extern "C" {
        fn prctl(option: c_int, ...) -> c_int;
    }
    const PR_SET_THP_DISABLE: c_int = 41;
    // SAFETY: prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) sets a flag of this process (and of
    // the processes it starts); it reads and writes no memory of ours. A kernel that
    // does not know it returns an error, which changes nothing.
    unsafe {
        prctl(
            PR_SET_THP_DISABLE,
            1 as c_ulong,
            0 as c_ulong,
            0 as c_ulong,
            0 as c_ulong,
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn no_huge_pages() {}
