//! Generator of the embedded name data (`data/names/*`), run by
//! `scripts/names/gen-data.sh` as an ignored test so that it shares lockgate's own
//! skeleton functions with the checker:
//!
//!     cargo test --release --test names_data -- --ignored --nocapture
//!
//! Inputs: `$LOCKGATE_PACKAGES/pypi.tsv` and `npm.tsv` (default
//! `/work/.library/env/packages`), and `data/names/cargo-popular.txt` (made by
//! `scripts/names/gen-cargo-popular.sh`). The non-ignored test checks that the committed
//! files load and agree with each other.

// A test may report what it measured or skipped.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use fst::MapBuilder;
use lockgate::lockfile::{Ecosystem, pep503};
use lockgate::names::data::{POSTINGS_BIT, TAG_ANAGRAM, TAG_DEL, TAG_NAME, TAG_SKEL};
use lockgate::names::text::{anagram_key, for_each_deletion, skeleton};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// npm names with at least this many downloads a month are similarity targets.
const NPM_TARGET_DOWNLOADS: u64 = 100_000;
/// At most this many targets per index key (most popular first).
const MAX_POSTINGS: usize = 32;

fn out_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/names")
}

fn write_map(path: &Path, entries: &BTreeMap<String, u64>) {
    let mut b = MapBuilder::new(Vec::new()).unwrap();
    for (k, v) in entries {
        b.insert(k.as_bytes(), *v).unwrap();
    }
    fs::write(path, b.into_inner().unwrap()).unwrap();
}

/// targets.txt + index.fst + post.bin for one ecosystem.
fn write_index(prefix: &str, targets: &BTreeMap<String, u64>, top: u64) {
    let dir = out_dir();
    let mut text = String::new();
    let mut keys: BTreeMap<Vec<u8>, Vec<(u64, u32)>> = BTreeMap::new();
    let mut add = |tag: &[u8], key: &[u8], score: u64, off: u32| {
        let mut k = tag.to_vec();
        k.extend_from_slice(key);
        let v = keys.entry(k).or_default();
        if !v.iter().any(|(_, o)| *o == off) {
            v.push((score, off));
        }
    };
    for (name, &score) in targets {
        let off = u32::try_from(text.len()).unwrap();
        text.push_str(&format!("{name}\t{score}\n"));
        let skel = skeleton(name);
        add(TAG_NAME, name.as_bytes(), score, off);
        add(TAG_SKEL, skel.as_bytes(), score, off);
        if skel.len() >= 4 {
            add(TAG_DEL, skel.as_bytes(), score, off);
            let mut level1 = Vec::new();
            for_each_deletion(skel.as_bytes(), |v| level1.push(v.to_vec()));
            for v in &level1 {
                add(TAG_DEL, v, score, off);
                // Top-tier targets of 7+ characters also get their two-deletion variants, so
                // that two substitutions (`chokader`, `dezcord.js`) are found too.
                if score >= top && skel.len() >= 7 {
                    for_each_deletion(v, |w| add(TAG_DEL, w, score, off));
                }
            }
        }
        if skel.len() >= 5 {
            add(TAG_ANAGRAM, &anagram_key(&skel), score, off);
        }
    }
    let mut post: Vec<u8> = Vec::new();
    let mut b = MapBuilder::new(Vec::new()).unwrap();
    for (k, mut v) in keys {
        if v.len() == 1 {
            b.insert(&k, u64::from(v[0].1)).unwrap();
            continue;
        }
        v.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        v.truncate(MAX_POSTINGS);
        let at = post.len() as u64;
        post.extend_from_slice(&u16::try_from(v.len()).unwrap().to_le_bytes());
        for (_, off) in &v {
            post.extend_from_slice(&off.to_le_bytes());
        }
        b.insert(&k, POSTINGS_BIT | at).unwrap();
    }
    fs::write(dir.join(format!("{prefix}-targets.txt")), text).unwrap();
    fs::write(
        dir.join(format!("{prefix}-index.fst")),
        b.into_inner().unwrap(),
    )
    .unwrap();
    fs::write(dir.join(format!("{prefix}-post.bin")), post).unwrap();
    eprintln!("{prefix}: {} targets", targets.len());
}

#[test]
#[ignore = "regenerates data/names; run by scripts/names/gen-data.sh"]
fn regenerate_names_data() {
    let pkgs = std::env::var("LOCKGATE_PACKAGES")
        .unwrap_or_else(|_| "/work/.library/env/packages".to_string());
    let pkgs = Path::new(&pkgs);

    // `LOCKGATE_REGEN=npm,cargo` regenerates only those (default: all three).
    let only = std::env::var("LOCKGATE_REGEN").unwrap_or_else(|_| "pypi,npm,cargo".into());
    if only.contains("pypi") {
        regenerate_pypi(pkgs);
    }
    if only.contains("npm") {
        regenerate_npm(pkgs);
    }
    if only.contains("cargo") {
        regenerate_cargo();
    }
}

fn regenerate_pypi(pkgs: &Path) {
    // PyPI: name, version, month, rank_among_15000_most_downloaded, summary.
    let text = fs::read_to_string(pkgs.join("pypi.tsv")).unwrap();
    let mut all: BTreeMap<String, u64> = BTreeMap::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let Some(name) = f.first().map(|n| pep503(n)).filter(|n| !n.is_empty()) else {
            continue;
        };
        let score = f
            .get(3)
            .and_then(|r| r.trim().parse::<u64>().ok())
            .map_or(0, |r| 15001u64.saturating_sub(r));
        let e = all.entry(name).or_insert(0);
        *e = (*e).max(score);
    }
    write_map(&out_dir().join("pypi-all.fst"), &all);
    let targets: BTreeMap<String, u64> = all
        .iter()
        .filter(|(_, s)| **s > 0)
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    eprintln!("pypi: {} names", all.len());
    write_index("pypi", &targets, 15001 - 1000);
}

fn regenerate_npm(pkgs: &Path) {
    // npm: name, version, downloads_a_month, summary.
    let text = fs::read_to_string(pkgs.join("npm.tsv")).unwrap();
    let mut all: BTreeMap<String, u64> = BTreeMap::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let Some(name) = f.first().map(|n| Ecosystem::Npm.normalize(n.trim())) else {
            continue;
        };
        if name.is_empty() {
            continue;
        }
        let dl = f
            .get(2)
            .and_then(|d| d.trim().parse::<u64>().ok())
            .unwrap_or(0);
        let e = all.entry(name).or_insert(0);
        *e = (*e).max(dl);
    }
    // Names the dependency trees of the most downloaded packages reach but the list lacks
    // (data/names/npm-resolved.txt, made by scripts/names/gen-npm-resolved.sh): registered
    // and depended upon, downloads unknown (0).
    let listed = all.len();
    let resolved = fs::read_to_string(out_dir().join("npm-resolved.txt")).unwrap_or_default();
    for line in resolved.lines() {
        let name = Ecosystem::Npm.normalize(line.trim());
        if !name.is_empty() {
            all.entry(name).or_insert(0);
        }
    }
    eprintln!(
        "npm: {} names added from npm-resolved.txt",
        all.len() - listed
    );
    write_map(&out_dir().join("npm-all.fst"), &all);
    let targets: BTreeMap<String, u64> = all
        .iter()
        .filter(|(_, s)| **s >= NPM_TARGET_DOWNLOADS)
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    eprintln!("npm: {} names", all.len());
    write_index("npm", &targets, 1_000_000);
}

fn regenerate_cargo() {
    // cargo: data/names/cargo-popular.txt (name <TAB> score).
    let text = fs::read_to_string(out_dir().join("cargo-popular.txt")).unwrap();
    let mut targets: BTreeMap<String, u64> = BTreeMap::new();
    for line in text.lines() {
        if let Some((n, s)) = line.split_once('\t') {
            targets.insert(Ecosystem::Cargo.normalize(n), s.trim().parse().unwrap());
        }
    }
    write_index("cargo", &targets, 1000);
    // The known set: cargo-known.txt (every crate of the resolved trees, optional
    // features included; name <TAB> fan-in) plus the popular set.
    let text = fs::read_to_string(out_dir().join("cargo-known.txt")).unwrap_or_default();
    let mut known = targets.clone();
    for line in text.lines() {
        if let Some((n, s)) = line.split_once('\t') {
            let e = known.entry(Ecosystem::Cargo.normalize(n)).or_insert(0);
            *e = (*e).max(s.trim().parse().unwrap());
        }
    }
    eprintln!("cargo: {} known crates", known.len());
    write_map(&out_dir().join("cargo-known.fst"), &known);
}

#[test]
fn embedded_data_is_present_and_consistent() {
    let c = lockgate::names::NameChecker::embedded();
    // GitHub Actions have no name data (no typosquat lists): the other three do.
    for eco in Ecosystem::ALL
        .into_iter()
        .filter(|e| *e != Ecosystem::Actions)
    {
        let d = c.data(eco);
        assert!(
            d.target_count() > 500,
            "{eco}: {} targets",
            d.target_count()
        );
    }
    let py = c.data(Ecosystem::Pypi);
    assert!(py.snapshot_len().unwrap() > 800_000);
    assert_eq!(py.target("requests").unwrap().score, 15001 - 6);
    assert!(c.data(Ecosystem::Npm).snapshot_len().unwrap() > 200_000);
    assert!(c.data(Ecosystem::Npm).target("lodash").unwrap().score > 10_000_000);
    assert!(c.data(Ecosystem::Cargo).target("serde").is_some());
    assert!(c.data(Ecosystem::Cargo).target("serde-json").is_some());
    // The cargo known set: larger than the popular set, holds it, and is no snapshot.
    let cargo = c.data(Ecosystem::Cargo);
    assert!(cargo.known_len() > 3000, "{}", cargo.known_len());
    assert!(cargo.snapshot_score("adler").is_some());
    assert!(!cargo.has_snapshot() && cargo.snapshot_len().is_none());
    // npm names only the resolved trees know (missing from the package list).
    for n in ["atob", "@swc/core-linux-ppc64-gnu"] {
        assert!(c.data(Ecosystem::Npm).snapshot_score(n).is_some(), "{n}");
    }
}
