//! The embedded reference data: per ecosystem, one `fst` map indexing the popular names
//! (the similarity targets), a postings blob, the target list, and for PyPI and npm the
//! full-name snapshot. Files live under `data/names/` and are made by
//! `scripts/names/gen-data.sh`; see `data/names/README.md` for the layout.
//!
//! Loading is `fst::Map::new` over `include_bytes!` slices: it reads a header and does
//! not copy or parse the data, so the load time is a few microseconds.

use crate::model::Ecosystem;
use fst::Map;

/// Tag of the keys holding each target's normalized name.
pub const TAG_NAME: &[u8] = b"n:";
/// Tag of the keys holding each target's skeleton.
pub const TAG_SKEL: &[u8] = b"s:";
/// Tag of the deletion-index keys (skeleton and its one-deletion variants).
pub const TAG_DEL: &[u8] = b"d:";
/// Tag of the anagram-index keys (sorted skeleton bytes).
pub const TAG_ANAGRAM: &[u8] = b"a:";
/// A value with this bit set is an offset into the postings blob; otherwise it is the
/// byte offset of a line of the targets text.
pub const POSTINGS_BIT: u64 = 1 << 40;

/// The date the PyPI and npm package lists were taken.
pub const SNAPSHOT_DATE: &str = "2026-11-22";

/// Reference data of one ecosystem.
pub struct EcoData {
    /// Which ecosystem.
    pub ecosystem: Ecosystem,
    index: Option<Map<&'static [u8]>>,
    post: &'static [u8],
    targets: &'static str,
    all: Option<Map<&'static [u8]>>,
    /// Whether `all` lists every name of the registry (PyPI, npm: a name missing from it
    /// is `unknown-name`) or only names known to be in use (cargo: resolved dependency
    /// trees, so a missing crate is merely not known).
    complete: bool,
    /// Popularity at or above which a name counts as top-tier (used by the stricter rules).
    pub top: u64,
}

/// A target found in the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// The target's normalized name.
    pub name: &'static str,
    /// Its popularity score (npm: downloads a month; PyPI: 15001 − rank; cargo: fan-in).
    pub score: u64,
}

fn map(bytes: &'static [u8]) -> Option<Map<&'static [u8]>> {
    Map::new(bytes).ok()
}

/// The embedded data of one ecosystem, from `data/names/<prefix>-index.fst`,
/// `-post.bin`, `-targets.txt` and the named file of known names.
macro_rules! embedded {
    ($eco:expr, $prefix:literal, known: $known:literal, complete: $complete:expr, top: $top:expr) => {
        EcoData {
            ecosystem: $eco,
            index: map(include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/data/names/",
                $prefix,
                "-index.fst"
            ))),
            post: include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/data/names/",
                $prefix,
                "-post.bin"
            )),
            targets: std::str::from_utf8(include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/data/names/",
                $prefix,
                "-targets.txt"
            )))
            .unwrap_or(""),
            all: map(include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/data/names/",
                $known
            ))),
            complete: $complete,
            top: $top,
        }
    };
}

impl EcoData {
    /// The embedded data of `eco`.
    pub fn embedded(eco: Ecosystem) -> EcoData {
        match eco {
            Ecosystem::Pypi => {
                embedded!(eco, "pypi", known: "pypi-all.fst", complete: true, top: 15001 - 1000)
            }
            Ecosystem::Npm => {
                embedded!(eco, "npm", known: "npm-all.fst", complete: true, top: 1_000_000)
            }
            // No name data for GitHub Actions: no typosquat lists (owner/repo
            // look-alikes would need a snapshot of GitHub's repositories).
            Ecosystem::Actions => EcoData {
                ecosystem: eco,
                index: None,
                post: &[],
                targets: "",
                all: None,
                complete: false,
                top: 0,
            },
            Ecosystem::Cargo => {
                embedded!(eco, "cargo", known: "cargo-known.fst", complete: false, top: 1000)
            }
        }
    }

    /// Number of popular names (similarity targets).
    pub fn target_count(&self) -> usize {
        self.targets.lines().count()
    }

    /// Number of names in the full snapshot (`None` for cargo, which has none).
    pub fn snapshot_len(&self) -> Option<usize> {
        self.all.as_ref().filter(|_| self.complete).map(|m| m.len())
    }

    /// Whether a full-name snapshot (every registered name) is embedded.
    pub fn has_snapshot(&self) -> bool {
        self.complete && self.all.is_some()
    }

    /// Number of names known to be in use (the snapshot, or for cargo the crates of the
    /// resolved dependency trees).
    pub fn known_len(&self) -> usize {
        self.all.as_ref().map_or(0, |m| m.len())
    }

    /// Whether any known name starts with `prefix` and satisfies `f` (a range scan over
    /// the sorted names: cheap for a narrow prefix such as `@scope/base-`).
    pub fn any_known_with_prefix(&self, prefix: &str, mut f: impl FnMut(&str) -> bool) -> bool {
        use fst::{IntoStreamer, Streamer};
        let Some(all) = &self.all else { return false };
        let mut hi = prefix.as_bytes().to_vec();
        // The smallest key greater than every key starting with `prefix`.
        while let Some(last) = hi.pop() {
            if last < u8::MAX {
                hi.push(last + 1);
                break;
            }
        }
        let mut range = all.range().ge(prefix);
        if !hi.is_empty() {
            range = range.lt(hi);
        }
        let mut stream = range.into_stream();
        while let Some((k, _)) = stream.next() {
            if let Ok(k) = std::str::from_utf8(k)
                && f(k)
            {
                return true;
            }
        }
        false
    }

    fn target_at(&self, off: u64) -> Option<Target> {
        let rest = self.targets.get(usize::try_from(off).ok()?..)?;
        let line = rest.split('\n').next()?;
        let (name, score) = line.split_once('\t')?;
        Some(Target {
            name,
            score: score.parse().ok()?,
        })
    }

    /// Call `f` with every target stored under `tag` + `key`.
    pub fn lookup(&self, tag: &[u8], key: &[u8], mut f: impl FnMut(Target)) {
        let Some(index) = &self.index else { return };
        let mut k = Vec::with_capacity(tag.len() + key.len());
        k.extend_from_slice(tag);
        k.extend_from_slice(key);
        let Some(v) = index.get(&k) else { return };
        if v & POSTINGS_BIT == 0 {
            if let Some(t) = self.target_at(v) {
                f(t);
            }
            return;
        }
        let Ok(start) = usize::try_from(v & !POSTINGS_BIT) else {
            return;
        };
        let Some(head) = self.post.get(start..start + 2) else {
            return;
        };
        let count = usize::from(u16::from_le_bytes([head[0], head[1]]));
        let Some(body) = self.post.get(start + 2..start + 2 + count * 4) else {
            return;
        };
        for chunk in body.chunks_exact(4) {
            let off = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
            if let Some(t) = self.target_at(u64::from(off)) {
                f(t);
            }
        }
    }

    /// Whether any popular npm name is in the scope `@scope/`.
    pub fn has_scope(&self, scope: &str) -> bool {
        use fst::{IntoStreamer, Streamer};
        let Some(index) = &self.index else {
            return false;
        };
        let lo = format!("n:@{scope}/");
        let hi = format!("n:@{scope}0"); // '0' follows '/'
        index.range().ge(lo).lt(hi).into_stream().next().is_some()
    }

    /// The popular target with exactly this normalized name.
    pub fn target(&self, normalized: &str) -> Option<Target> {
        let mut found = None;
        self.lookup(TAG_NAME, normalized.as_bytes(), |t| found = Some(t));
        found
    }

    /// The popularity of a name in the full snapshot: `Some(score)` if the name is in the
    /// snapshot (score 0 = listed but unranked), `None` if not. For cargo, the known set
    /// (crates of resolved dependency trees, fan-in as score) and the popular set are the
    /// only lists, so this is `Some` only for crates in them.
    pub fn snapshot_score(&self, normalized: &str) -> Option<u64> {
        let known = self.all.as_ref().and_then(|all| all.get(normalized));
        match known {
            Some(s) => Some(s),
            None if !self.complete => self.target(normalized).map(|t| t.score),
            None => None,
        }
    }
}
