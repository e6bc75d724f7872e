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
    lockgate::model::memory::on_large_input(purge_at_once);
    let code = cli::main();
    no_purge_at_exit();
    code
}

/// mimalloc's purge delay (`mi_option_purge_delay` in mimalloc v3's `mi_option_t`,
/// include/mimalloc.h; also 15 in v2): how long freed memory is kept before it is
/// returned to the kernel; 0 returns it at once, a negative value never.
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

/// Set mimalloc's purge delay (see [`MI_OPTION_PURGE_DELAY`]), unless the user set
/// it: `MIMALLOC_PURGE_DELAY`, or `MIMALLOC_RESET_DELAY`, the name mimalloc also reads
/// for it.
fn set_purge_delay(delay: std::ffi::c_long) {
    if ["MIMALLOC_PURGE_DELAY", "MIMALLOC_RESET_DELAY"]
        .iter()
        .any(|name| std::env::var_os(name).is_some())
    {
        return;
    }
    unsafe extern "C" {
        fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    }
    // SAFETY: mi_option_set stores an option's value in mimalloc's option table (the
    // library this binary's global allocator links); the purge delay is read again
    // at each purge, so a change mid-run takes effect. The two callers store once
    // each: `purge_at_once` under its `Once` (parse threads may be running: they only
    // read the word-sized value), and `no_purge_at_exit` after `cli::main` returned,
    // when every thread it started has been joined (`std::thread::scope`).
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, delay) }
}

/// The work is done and written: nothing is returned to the kernel page range by
/// page range any more, since the process's exit frees all of it at once. (At exit,
/// mimalloc frees what it holds and returns what its delay has not yet returned: on
/// the 18-lockfile folder about 48 `madvise` calls over 20 MiB, 0.4 ms after the
/// output; docs/performance.md, "eighth session".)
fn no_purge_at_exit() {
    set_purge_delay(-1);
}

/// Once a large lockfile is read (`model::memory`), mimalloc returns freed memory to
/// the kernel at once instead of after its delay (what `MIMALLOC_PURGE_DELAY=0`
/// does): about 40 MiB less at the peak of a 10^6-entry package-lock. A run that
/// reads no such file keeps the delay (it saves small runs system time); once set,
/// the setting stays until the work is written ([`no_purge_at_exit`]). A delay the
/// user set is left as they set it.
fn purge_at_once() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    // `Once` makes it one store, even when several parse threads meet large
    // lockfiles at the same time.
    ONCE.call_once(|| set_purge_delay(0));
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
