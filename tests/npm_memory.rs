//! Memory of the package-lock reader (issue 13: at most 350 bytes per package entry on
//! the 10^6-entry inputs), counted exactly with an allocator that wraps the system one.
//!
//! One test in this binary, so no other test allocates while it counts. The input has
//! the shape `scripts/bench/gen_npm_lock.py` writes (lockfileVersion 3, every entry
//! with `version`, `resolved` and an sha512 `integrity`, chains of five), with enough
//! entries to be larger than `lockfile::STREAM_FROM_BYTES`, so it is streamed as the
//! 10^6-entry file is. Run with `--nocapture` to see the figures.
#![allow(clippy::print_stdout)]

use base64::Engine as _;
use lockgate::lockfile::{STREAM_FROM_BYTES, parse_file};
use sha2::Digest as _;
use std::fmt::Write as _;
use std::sync::atomic::Ordering::Relaxed;

#[path = "support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::{LIVE, PEAK};

/// The package-lock of `n` entries that `gen_npm_lock.py` writes (the same bytes).
fn package_lock(n: usize) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let heads: Vec<String> = (0..n)
        .step_by(5)
        .map(|i| format!("\"p{i}\": \"1.0.0\""))
        .collect();
    let mut t = String::from(
        "{\n  \"name\": \"big\",\n  \"version\": \"1.0.0\",\n  \"lockfileVersion\": 3,\n  \"requires\": true,\n  \"packages\": {\n",
    );
    write!(
        t,
        "    \"\": {{\"name\": \"big\", \"version\": \"1.0.0\", \"dependencies\": {{{}}}}}",
        heads.join(", ")
    )
    .unwrap();
    for i in 0..n {
        let sri = b64.encode(sha2::Sha512::digest(i.to_string().as_bytes()));
        write!(
            t,
            ",\n    \"node_modules/p{i}\": {{\"version\": \"1.0.0\", \"resolved\": \"https://registry.npmjs.org/p{i}/-/p{i}-1.0.0.tgz\", \"integrity\": \"sha512-{sri}\""
        )
        .unwrap();
        if i % 5 != 4 && i + 1 < n {
            write!(t, ", \"dependencies\": {{\"p{}\": \"1.0.0\"}}", i + 1).unwrap();
        }
        t.push('}');
    }
    t.push_str("\n  }\n}\n");
    t
}

#[test]
fn a_streamed_package_lock_entry_stays_within_its_budget() {
    const N: usize = 80_000;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("package-lock.json");
    let text = package_lock(N);
    assert!(
        text.len() as u64 >= STREAM_FROM_BYTES,
        "{} bytes",
        text.len()
    );
    std::fs::write(&path, &text).unwrap();
    let text_len = text.len();
    drop(text);

    let before = LIVE.load(Relaxed);
    PEAK.store(before, Relaxed);
    let lock = parse_file(&path, std::path::Path::new("package-lock.json")).unwrap();
    let kept = LIVE.load(Relaxed) - before;
    let peak = PEAK.load(Relaxed) - before;
    assert_eq!(lock.packages.len(), N);
    let beside = (peak - kept) / N;
    println!(
        "{N} package-lock entries ({text_len} bytes, streamed): {} bytes kept per package, \
         peak {} bytes per entry, {beside} bytes per entry at the peak beside the packages",
        kept / N,
        peak / N,
    );
    // What reading costs beside what the packages keep, at the peak: 431 bytes per
    // entry when the install tree held a node with owned strings beside each package
    // (and the reader kept a map of every key); the compact tree holds its keys and
    // dependency names in shared strings and builds each package as its entry is
    // read. The figure counts the unused room of vectors grown by doubling (pages
    // never touched, so not in the peak RSS).
    // 201 since the install tree keeps its keys without `node_modules/`, a
    // dependency in 4 bytes and its edges in one `u32` list beside its slots.
    assert!(
        beside <= 230,
        "{beside} bytes per entry beside the packages"
    );
    // What a package keeps: 596 bytes, 524 after the integrity list was sized to
    // its hashes, 475 with the tarball URL, its artifact record and the artifact's
    // hash list; 320 since a tarball at its default URL is a flag rebuilt when read
    // (`model::Artifacts`), the digest an untagged 64 bytes; 269 with the one hash
    // in place (`OneOrList`), the path a node of its lockfile's `PathTree` and a
    // git revision a `Box<str>` (`Package` 176 bytes, the digest 80, the path about
    // 13).
    assert!(kept / N <= 280, "{} bytes kept per package", kept / N);
}
