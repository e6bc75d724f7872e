//! Index lookups for similarity candidates: targets within one or two edits (through
//! the deletion index, never a scan of the reference names) and two popular names glued
//! together.

use super::data::{EcoData, TAG_DEL, TAG_SKEL, Target};
use super::finding::Verdict;
use super::similar::Cand;
use super::text::{self, osa_distance, skeleton};
use std::collections::HashSet;

/// Targets within the allowed edit distance of `skel` (OSA, on skeletons), found through
/// the deletion index: the index holds each target's skeleton and its one-deletion
/// variants (two-deletion for top-tier targets of 7+ characters); the query looks up
/// itself, its one-deletion and (for 6-10 characters) its two-deletion variants. Allowed distance:
/// 1 for targets of 4-6 characters, 2 for longer.
pub(super) fn edit_candidates(d: &EcoData, skel: &str) -> Vec<(Target, usize)> {
    let mut found: Vec<Target> = Vec::new();
    let q = skel.as_bytes();
    if q.len() < 3 {
        return Vec::new();
    }
    let mut visit = |v: &[u8]| {
        d.lookup(TAG_DEL, v, |t| {
            if !found.iter().any(|f| f.name == t.name) {
                found.push(t);
            }
        });
    };
    visit(q);
    let mut level1: Vec<Vec<u8>> = Vec::new();
    text::for_each_deletion(q, |v| level1.push(v.to_vec()));
    for v in &level1 {
        visit(v);
    }
    // Two deletions of the query (for two additions) only for names of 6-10 characters:
    // the variants grow with the square of the length, and long names get their
    // two-edit matches from the top-tier targets' two-deletion keys instead.
    if (6..=10).contains(&q.len()) {
        let mut seen: HashSet<Vec<u8>> = HashSet::new();
        for v in &level1 {
            text::for_each_deletion(v, |w| {
                if seen.insert(w.to_vec()) {
                    visit(w);
                }
            });
        }
    }
    found
        .into_iter()
        .filter_map(|t| {
            let ts = skeleton(t.name);
            let max = match ts.len() {
                0..=3 => return None,
                4..=6 => 1,
                _ => 2,
            };
            let dist = osa_distance(ts.as_bytes(), q, max)?;
            (dist > 0).then_some((t, dist))
        })
        .collect()
}

/// Two popular names glued together (`beautifulsoup-numpy`, `reactlodash`).
pub(super) fn combination(d: &EcoData, qwords: &[String], skel: &str, out: &mut Vec<Cand>) {
    let exact = |s: &str| {
        let mut best: Option<Target> = None;
        d.lookup(TAG_SKEL, s.as_bytes(), |t| {
            if best.is_none_or(|b| t.score > b.score) {
                best = Some(t);
            }
        });
        best
    };
    let mut splits: Vec<(String, String)> = Vec::new();
    if qwords.len() >= 2 {
        for k in 1..qwords.len() {
            splits.push((qwords[..k].concat(), qwords[k..].concat()));
        }
    } else if skel.len() >= 8 {
        for i in 4..=skel.len().saturating_sub(4) {
            if skel.is_char_boundary(i) {
                splits.push((skel[..i].to_string(), skel[i..].to_string()));
            }
        }
    }
    for (a, b) in splits {
        if a.len() < 4 || b.len() < 4 {
            continue;
        }
        if let (Some(x), Some(y)) = (exact(&skeleton(&a)), exact(&skeleton(&b))) {
            out.push(Cand {
                target: format!("{} + {}", x.name, y.name),
                score: x.score.min(y.score),
                how: "combination".into(),
                severity: Verdict::Warn,
                distance: 2,
            });
            return;
        }
    }
}
