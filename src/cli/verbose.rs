//! `-v` / `--verbose`: what the online client does (requests with URL and status, cache
//! hits, misses and stale entries, retries, DNS, timings), one line each on stderr.
//!
//! The library never prints: the registry client tells a
//! [`lockgate::registry::Observer`] about each [`lockgate::registry::Event`], and this
//! is the observer that prints them. Without `-v` there is none and stderr is unchanged.

use lockgate::registry::Observer;
use std::sync::atomic::{AtomicBool, Ordering};

static VERBOSE: AtomicBool = AtomicBool::new(false);

/// Turn `-v` on for the rest of the process.
pub fn enable() {
    VERBOSE.store(true, Ordering::Relaxed);
}

/// The registry observer `-v` asks for: each event as one `lockgate: …` line on
/// stderr; `None` without `-v`.
pub fn observer() -> Option<Observer> {
    VERBOSE.load(Ordering::Relaxed).then(|| {
        Observer::new(|event| {
            let text = event.to_string();
            eprintln!(
                "lockgate: {}",
                lockgate::report::escape::display_safe_text(&text)
            );
        })
    })
}
