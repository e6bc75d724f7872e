//! Benchmarks for reading lockfiles and checking them.
//!
//! The data is generated on first use by `scripts/bench/gen_monorepo.py` into
//! `target/bench-data/` (200 lockfiles with 50,000 package entries in six formats,
//! and one ~5 MB package-lock.json). Run with `cargo bench --bench lockfiles`.
//! Figures and the machine they were taken on: docs/performance.md.

use lockgate::allowlist::ops;
use lockgate::checks::{Outcome, Severity};
use lockgate::discover::Options;
use lockgate::lockfile;
use lockgate::resolve::resolve;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

// The same allocator as the `lockgate` binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

fn data() -> &'static PathBuf {
    static DATA: OnceLock<PathBuf> = OnceLock::new();
    DATA.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
        let mono = root.join("mono");
        if !mono.join("svc-199").exists() {
            let status = std::process::Command::new("python3")
                .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/bench/gen_monorepo.py"))
                .arg(&mono)
                .args(["--big-npm", "15000"])
                .status()
                .expect("python3 runs the generator");
            assert!(status.success());
        }
        root
    })
}

/// One ~5 MB package-lock.json (15,000 entries), read and parsed.
#[divan::bench(sample_count = 30)]
fn parse_big_package_lock(b: divan::Bencher) {
    let path = data().join("mono-big/package-lock.json");
    b.bench(|| lockfile::parse_file(&path, &path).unwrap().packages.len());
}

/// One lockfile of each generated format (250 entries each).
#[divan::bench(args = ["svc-000", "svc-001", "svc-002", "svc-003", "svc-004", "svc-005"], sample_count = 50)]
fn parse_one(b: divan::Bencher, dir: &str) {
    let d = data().join("mono").join(dir);
    let path = std::fs::read_dir(&d)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| lockfile::detect(p).is_some())
        .unwrap();
    b.bench(|| lockfile::parse_file(&path, &path).unwrap().packages.len());
}

/// Discover and parse the whole 200-lockfile tree (what `lockgate packages` does).
#[divan::bench(sample_count = 20)]
fn resolve_monorepo(b: divan::Bencher) {
    let root = vec![data().join("mono")];
    b.bench(|| resolve(&root, &Options::default()).packages().count());
}

/// `check` on the tree against an allowlist pinning everything in it.
#[divan::bench(sample_count = 20)]
fn check_monorepo(b: divan::Bencher) {
    let root = vec![data().join("mono")];
    let res = resolve(&root, &Options::default());
    let file = data().join("allowlist.toml");
    let mut ed = ops::init(&file, &res, &Default::default());
    ed.save().unwrap();
    let list = lockgate::allowlist::load(&file).unwrap();
    b.bench(|| {
        let res = resolve(&root, &Options::default());
        Outcome::offline(&res, &list, Some(Severity::Error))
            .findings
            .len()
    });
}

/// Loading the 20,000-entry allowlist alone.
#[divan::bench(sample_count = 20)]
fn load_allowlist(b: divan::Bencher) {
    let file = data().join("allowlist.toml");
    if !file.exists() {
        let res = resolve(&[data().join("mono")], &Options::default());
        ops::init(&file, &res, &Default::default()).save().unwrap();
    }
    b.bench(|| lockgate::allowlist::load(&file).unwrap().entries.len());
}

// ---------------------------------------------------------------------------------------
// The 18-lockfile folder of real lockfiles (issue 13): `scripts/bench/corpus.sh` copies
// them from tests/fixtures/ into target/bench-data/corpus/ on first use.

fn corpus() -> &'static PathBuf {
    static CORPUS: OnceLock<PathBuf> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/corpus");
        if !dir.join("18-requirements").exists() {
            let status = std::process::Command::new("bash")
                .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/bench/corpus.sh"))
                .arg(&dir)
                .status()
                .expect("bash runs the corpus script");
            assert!(status.success());
        }
        dir
    })
}

/// The lockfile of one corpus folder.
fn corpus_lockfile(name: &str) -> PathBuf {
    let d = corpus().join(name);
    std::fs::read_dir(&d)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| lockfile::detect(p).is_some())
        .unwrap()
}

/// One real lockfile of each format, read and parsed; throughput in bytes of lockfile.
#[divan::bench(args = [
    "01-package-lock-v2", "04-pnpm-v9", "05-pnpm-v6", "06-pnpm-v5", "07-yarn-berry-v8",
    "08-yarn-berry-v6", "09-yarn-classic", "11-bun", "12-cargo", "13-uv", "14-poetry",
    "15-pdm", "16-pipfile", "17-pylock", "18-requirements",
], sample_count = 50)]
fn corpus_format(b: divan::Bencher, name: &str) {
    let path = corpus_lockfile(name);
    let len = std::fs::metadata(&path).unwrap().len();
    b.counter(divan::counter::BytesCount::new(len))
        .bench(|| lockfile::parse_file(&path, &path).unwrap().packages.len());
}

/// Discover and parse the whole 18-lockfile folder (what `lockgate packages` does).
#[divan::bench(sample_count = 30)]
fn corpus_folder(b: divan::Bencher) {
    let root = vec![corpus().clone()];
    let bytes: u64 = std::fs::read_dir(corpus())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| corpus_lockfile(&e.file_name().to_string_lossy()))
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();
    b.counter(divan::counter::BytesCount::new(bytes))
        .bench(|| resolve(&root, &Options::default()).packages().count());
}
