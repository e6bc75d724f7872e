//! Benchmarks of the name checker: one name per iteration, against the embedded data
//! (886k PyPI names, 227k npm names, their popular sets and indexes).
//!
//!     cargo bench --bench names

use lockgate::lockfile::Ecosystem;
use lockgate::names::NameChecker;
use std::sync::LazyLock;

static CHECKER: LazyLock<NameChecker> = LazyLock::new(NameChecker::embedded);

fn main() {
    divan::main();
}

/// Loading the embedded data.
#[divan::bench]
fn load() -> NameChecker {
    NameChecker::embedded()
}

/// A mix of squats, legit names and unknown names, one check per iteration.
#[divan::bench(args = [
    ("pypi", "reqeusts"),
    ("pypi", "requests"),
    ("pypi", "beautifulsoup-numpy"),
    ("pypi", "django-rest-framework-simplejwt-extra"),
    ("pypi", "huggingface-cli"),
    ("npm", "chokader"),
    ("npm", "framer-motion-3d"),
    ("npm", "@types/lodash-es-extra"),
    ("npm", "react-codeshift"),
    ("cargo", "serde-jsonn"),
    ("cargo", "tokio"),
])]
fn check(args: (&str, &str)) -> lockgate::names::NameVerdict {
    let eco = Ecosystem::parse(args.0).unwrap();
    CHECKER.check(divan::black_box(eco), divan::black_box(args.1), None)
}
