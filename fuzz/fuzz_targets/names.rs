#![no_main]
//! Fuzz name normalization (idempotence of `Ecosystem::normalize` and `pep503`)
//! and the typosquat checker (`lockgate::names::NameChecker::check`).

use libfuzzer_sys::fuzz_target;
use lockgate::lockfile::{Ecosystem, pep503};
use lockgate::names::NameChecker;
use std::sync::OnceLock;

fn checker() -> &'static NameChecker {
    static C: OnceLock<NameChecker> = OnceLock::new();
    C.get_or_init(NameChecker::embedded)
}

fuzz_target!(|data: &[u8]| {
    let Ok(name) = std::str::from_utf8(data) else {
        return;
    };
    let once = pep503(name);
    assert_eq!(pep503(&once), once, "pep503 is not idempotent on {name:?}");
    for eco in Ecosystem::ALL {
        let n = eco.normalize(name);
        assert_eq!(
            eco.normalize(&n),
            n,
            "{eco} normalize is not idempotent on {name:?}"
        );
        if name.len() <= 256 {
            let _ = checker().check(eco, name, Some("1.0.0"));
        }
    }
});
