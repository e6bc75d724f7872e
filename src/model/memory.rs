//! A hint from the library to whoever owns the allocator: a large input is being read.
//!
//! The library does not know the allocator (the binary chooses it). An allocator that
//! keeps freed memory for a while before returning it to the kernel (mimalloc v3
//! waits a second by default) is fastest for the many small lockfiles
//! of a repository, but holds tens of MiB of freed memory at the peak of a 10^6-entry
//! lockfile (issue 13, docs/performance.md "memnpm3"). The binary registers a hook
//! with [`on_large_input`]; a reader of a large lockfile calls [`large_input`] before
//! it reads, and the hook can tell the allocator to return freed memory at once. With
//! no hook registered (the library used on its own, the tests) it does nothing.

use std::sync::OnceLock;

static HOOK: OnceLock<fn()> = OnceLock::new();

/// Call `hook` whenever a reader starts on a large lockfile: one read as a stream
/// (16 MiB or more; no lockfile of a usual repository comes near it). The first
/// registration stays; later ones are ignored.
pub fn on_large_input(hook: fn()) {
    let _ = HOOK.set(hook);
}

/// Tell the hook registered with [`on_large_input`] (if any) that a large input is
/// about to be read.
pub fn large_input() {
    if let Some(hook) = HOOK.get() {
        hook();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

    static CALLS: AtomicUsize = AtomicUsize::new(0);

    #[test]
    fn the_registered_hook_is_called_and_a_second_is_ignored() {
        on_large_input(|| {
            CALLS.fetch_add(1, Relaxed);
        });
        on_large_input(|| panic!("a second hook replaced the first"));
        large_input();
        large_input();
        // (at least: another test of this binary may stream a large lockfile meanwhile)
        assert!(CALLS.load(Relaxed) >= 2);
    }
}
