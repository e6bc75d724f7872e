//! The similarity rules: which popular or trusted names a name imitates, and how
//! (`similar-name`). Candidates come from index lookups (`candidates.rs`); the tests of
//! what a difference looks like are in `shape.rs`.

use super::NameChecker;
use super::candidates::{combination, edit_candidates};
use super::data::{EcoData, TAG_ANAGRAM, TAG_SKEL};
use super::finding::Verdict;
use super::shape::{
    digits_only_difference, e_is_plural, family_member, is_extension, npm_scope, typo_like,
};
use super::text::{
    self, Edit, edits, osa_distance, plain_skeleton, skeleton, skeleton_folded, words,
};
use crate::lockfile::Ecosystem;
use std::collections::HashSet;

/// Word affixes that turn a popular name into a plausible-looking other name.
const PREFIXES: &[&str] = &["py", "python", "node", "js", "rust", "lib", "go"];
/// Affixes that name an ecosystem or language (allowed against registered names).
const ECO_WORDS: &[&str] = &["py", "python", "js", "node", "rs", "rust", "go"];
const SUFFIXES: &[&str] = &[
    "py", "python", "js", "node", "rs", "rust", "cli", "sdk", "api", "lib", "client",
];

/// npm downloads a month from which a registered name one edit from a popular name is
/// warned about rather than denied (`es-constants`, 7,000 a month, next to
/// `fs-constants`); squats rarely reach it before they are taken down.
const NPM_STANDING_DOWNLOADS: u64 = 5_000;

/// A similarity candidate before it becomes a finding.
#[derive(Debug, Clone)]
pub(super) struct Cand {
    pub(super) target: String,
    pub(super) score: u64,
    pub(super) how: String,
    pub(super) severity: Verdict,
    pub(super) distance: usize,
}

impl NameChecker {
    /// Similar-name candidates, best first (at most 3). `own` is the name's own standing:
    /// its score in the snapshot, `None` when unknown.
    pub(super) fn similar(
        &self,
        eco: Ecosystem,
        name: &str,
        norm: &str,
        own: Option<u64>,
    ) -> Vec<Cand> {
        let registered = own.is_some();
        // An established package (in the snapshot with downloads, dependents or a rank)
        // is not condemned for resembling a trusted name: `adler` next to an allowlisted
        // `adler2`, `idea` next to `idna`. npm's snapshot holds only packages with 480+
        // downloads a month or that popular packages depend on; PyPI's holds every name,
        // so there only ranked names count; cargo's known set is the resolved trees.
        let established = match eco {
            Ecosystem::Pypi => own.is_some_and(|s| s > 0),
            Ecosystem::Npm | Ecosystem::Cargo | Ecosystem::Actions => registered,
        };
        // Standing enough that one edit from a popular name is a warning, not a denial:
        // npm names with 5,000+ downloads a month or that the dependency trees of the most
        // downloaded packages reach (score 0: listed from those trees, downloads unknown);
        // cargo crates of the known set (resolved trees). PyPI's ranked names are popular
        // themselves, hence never checked against popular names.
        let standing = match eco {
            Ecosystem::Npm => own.is_some_and(|s| s == 0 || s >= NPM_STANDING_DOWNLOADS),
            Ecosystem::Cargo => registered,
            Ecosystem::Pypi | Ecosystem::Actions => false,
        };
        let d = self.data(eco);
        let mut out: Vec<Cand> = Vec::new();
        if eco == Ecosystem::Npm && name.starts_with('-') {
            out.push(Cand {
                target: "npm CLI flag".into(),
                score: u64::MAX,
                how: "cli-flag".into(),
                severity: Verdict::Deny,
                distance: 0,
            });
        }
        let (skel, folded) = skeleton_folded(norm);
        let plain = plain_skeleton(norm);
        let qwords = words(norm);
        let is_self = |t: &str| t == norm;
        // Only a scope's owner can publish in it: a name in the scope of a popular package
        // is that owner's, never a squat of it.
        let qscope = npm_scope(norm);
        if let Some(sc) = qscope
            && d.has_scope(sc)
        {
            return out;
        }
        let same_scope = |t: &str| qscope.is_some() && npm_scope(t) == qscope;

        // 1. Same skeleton: separators, case, scope punctuation, homoglyphs.
        d.lookup(TAG_SKEL, skel.as_bytes(), |t| {
            if is_self(t.name) {
                return;
            }
            let how = if folded && plain_skeleton(t.name) != plain {
                "homoglyph"
            } else if registered {
                // Registered names that differ only by separators or scope are mostly the
                // old unscoped name of a package (`fastify-cookie`) or a long-standing
                // sibling (`file-saver`/`FileSaver`).
                return;
            } else if t.name.starts_with('@') != norm.starts_with('@') {
                "scope"
            } else {
                "separator"
            };
            out.push(Cand {
                target: t.name.into(),
                score: t.score,
                how: how.into(),
                severity: Verdict::Deny,
                distance: 0,
            });
        });

        // 2. One or two edits, through the deletion index.
        for (t, dist) in edit_candidates(d, &skel) {
            if is_self(t.name) {
                continue;
            }
            let tskel = skeleton(t.name);
            // `framer-motion-3d`, `eslint-config-x-compat`: whole words added to a popular
            // name is how plugins and companions are named, not an edit (affixes that
            // squatters favour are caught by the affix rule below).
            let twords = words(t.name);
            if same_scope(t.name)
                || is_extension(&twords, &qwords)
                || (digits_only_difference(&plain_skeleton(t.name), &plain)
                    && (registered
                        || eco == Ecosystem::Cargo
                        || t.name.bytes().any(|c| c.is_ascii_digit())))
                || family_member(&twords, &qwords)
            {
                continue;
            }
            let plural = e_is_plural(&tskel, &skel);
            if tskel.len() < 5 && !plural {
                continue;
            }
            // Registered names must look like a typing mistake (transposition, omission,
            // doubled or neighbouring key, homoglyph), not a different word.
            if registered && !(folded || typo_like(tskel.as_bytes(), skel.as_bytes())) {
                continue;
            }
            // Cargo has no snapshot to tell registered names apart, so the same test applies
            // to every one-edit crate name (plurals allowed: `tracings`).
            if eco == Ecosystem::Cargo
                && dist == 1
                && !(folded || plural || typo_like(tskel.as_bytes(), skel.as_bytes()))
            {
                continue;
            }
            // A registered name (in the snapshot) needs a stronger case: one edit away from
            // a top-tier name. Cargo has no snapshot: two edits only to top-tier crates.
            if registered && (dist > 1 || t.score < d.top) {
                continue;
            }
            if eco == Ecosystem::Cargo && dist > 1 && t.score < d.top {
                continue;
            }
            let e = edits(tskel.as_bytes(), skel.as_bytes());
            if eco == Ecosystem::Cargo && dist > 1 && e.contains(&Edit::Substitution) {
                continue;
            }
            let mut ops: Vec<&str> = Vec::new();
            if folded
                && osa_distance(plain_skeleton(t.name).as_bytes(), plain.as_bytes(), 3)
                    != Some(dist)
            {
                ops.push("homoglyph");
            }
            if words(t.name).len() != qwords.len() {
                ops.push("separator");
            }
            let edit_names: Vec<&str> = e.iter().map(|x| x.as_str()).collect();
            ops.extend(edit_names);
            // A scope typo: the edits fall inside the npm scope.
            if norm.starts_with('@') && t.name.starts_with('@') {
                let qs = norm.split('/').nth(1);
                let ts = t.name.split('/').nth(1);
                if qs.is_some() && qs == ts {
                    ops = vec!["scope"];
                }
            }
            // Cargo has no complete snapshot, so an unlisted crate may well be an
            // established one (`unicode-id` next to `unicode-xid`, `dtparse` next to
            // `vtparse`): one edit is denied only against a top-tier (seed) crate, the
            // names squatters aim at; against the rest of the popular set it warns.
            let severity = if dist == 1
                && tskel.len() >= 5
                && !standing
                && !(eco == Ecosystem::Cargo && t.score < d.top)
            {
                Verdict::Deny
            } else {
                Verdict::Warn
            };
            out.push(Cand {
                target: t.name.into(),
                score: t.score,
                how: ops.join("+"),
                severity,
                distance: dist,
            });
        }

        // 3. Same letters in another order: word order, or a non-adjacent swap.
        if skel.len() >= 5 {
            d.lookup(TAG_ANAGRAM, &text::anagram_key(&skel), |t| {
                if is_self(t.name) {
                    return;
                }
                let tskel = skeleton(t.name);
                if tskel == skel || same_scope(t.name) || (registered && t.score < d.top) {
                    return;
                }
                let mut tw = words(t.name);
                let mut qw = qwords.clone();
                tw.sort();
                qw.sort();
                let (how, severity) = if tw == qw && qw.len() > 1 {
                    ("word-order", Verdict::Warn)
                } else if osa_distance(tskel.as_bytes(), skel.as_bytes(), 2).is_none()
                    && tskel
                        .bytes()
                        .zip(skel.bytes())
                        .filter(|(a, b)| a != b)
                        .count()
                        == 2
                    && tskel.len() >= 6
                {
                    ("transposition", Verdict::Warn)
                } else {
                    return;
                };
                out.push(Cand {
                    target: t.name.into(),
                    score: t.score,
                    how: how.into(),
                    severity,
                    distance: 2,
                });
            });
        }

        // 4. A popular name with an affix (`-py`, `python-`, `-js`, ...), possibly typo'd.
        if out.is_empty() {
            self.affix_candidates(d, norm, &qwords, &skel, registered, &mut out);
        }

        // 5. Two popular names glued together: only for names no registry lists (a blend
        // like `react-codeshift` is a hallucination shape; registered blends are mostly
        // plugins such as `django-redis`). Cargo has no snapshot, so never there.
        if out.is_empty() && !registered && eco != Ecosystem::Cargo && qscope.is_none() {
            combination(d, &qwords, &skel, &mut out);
        }

        // Trusted names are targets too (small list: scanned). A resemblance condemns only
        // names without standing: unknown names are denied (one edit), registered but
        // unranked ones warned about, established ones left alone. The exemptions of the
        // popular-name rule apply (plugins, version digits, family members, short names),
        // and where "unknown" is weak evidence (cargo, whose known set is not the whole
        // registry) or the name is registered, one edit must look like a typing mistake.
        if let Some(list) = self.trusted_targets.get(&eco).filter(|_| !established) {
            for (tskel, tname) in list {
                if tname == norm || tskel.len() < 4 {
                    continue;
                }
                let max = if tskel.len() >= 9 { 2 } else { 1 };
                let Some(dist) = osa_distance(tskel.as_bytes(), skel.as_bytes(), max) else {
                    continue;
                };
                let twords = words(tname);
                let plural = e_is_plural(tskel, &skel);
                if dist > 0
                    && (same_scope(tname)
                        || is_extension(&twords, &qwords)
                        || (digits_only_difference(&plain_skeleton(tname), &plain)
                            && (registered
                                || eco == Ecosystem::Cargo
                                || tname.bytes().any(|c| c.is_ascii_digit())))
                        || family_member(&twords, &qwords)
                        || (tskel.len() < 5 && !plural))
                {
                    continue;
                }
                let typo = dist == 0
                    || folded
                    || plural
                    || (dist == 1 && typo_like(tskel.as_bytes(), skel.as_bytes()));
                if !typo && (registered || eco == Ecosystem::Cargo) {
                    continue;
                }
                if registered && dist > 1 {
                    continue;
                }
                let how = if dist == 0 {
                    "separator".to_string()
                } else {
                    edits(tskel.as_bytes(), skel.as_bytes())
                        .iter()
                        .map(|e| e.as_str())
                        .collect::<Vec<_>>()
                        .join("+")
                };
                out.push(Cand {
                    target: tname.clone(),
                    score: u64::MAX / 2,
                    how,
                    // Cargo's "unknown" is weak (the known set is not the registry): a
                    // resemblance to a trusted crate warns, as to a non-seed popular one.
                    severity: if dist <= 1 && !registered && eco != Ecosystem::Cargo {
                        Verdict::Deny
                    } else {
                        Verdict::Warn
                    },
                    distance: dist,
                });
            }
        }

        out.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.distance.cmp(&b.distance))
                .then(b.score.cmp(&a.score))
        });
        let mut seen = HashSet::new();
        out.retain(|c| seen.insert(c.target.clone()));
        out.truncate(3);
        let _ = name;
        out
    }

    fn affix_candidates(
        &self,
        d: &EcoData,
        norm: &str,
        qwords: &[String],
        skel: &str,
        registered: bool,
        out: &mut Vec<Cand>,
    ) {
        let mut cores: Vec<(String, String)> = Vec::new();
        if qwords.len() >= 2 {
            let (first, last) = (&qwords[0], &qwords[qwords.len() - 1]);
            if PREFIXES.contains(&first.as_str()) {
                cores.push((qwords[1..].concat(), format!("affix:{first}-")));
            }
            if SUFFIXES.contains(&last.as_str()) || last.bytes().all(|b| b.is_ascii_digit()) {
                cores.push((
                    qwords[..qwords.len() - 1].concat(),
                    format!("affix:-{last}"),
                ));
            }
        }
        for p in PREFIXES {
            if let Some(rest) = skel.strip_prefix(p)
                && rest.len() >= 5
                && !norm.starts_with(&format!("{p}-"))
            {
                cores.push((skeleton(rest), format!("affix:{p}")));
            }
        }
        for s in SUFFIXES {
            if let Some(rest) = skel.strip_suffix(s)
                && rest.len() >= 5
            {
                cores.push((skeleton(rest), format!("affix:{s}")));
            }
        }
        let trimmed = skel.trim_end_matches(|c: char| c.is_ascii_digit());
        if trimmed.len() != skel.len() && trimmed.len() >= 5 {
            cores.push((trimmed.to_string(), "affix:digits".into()));
        }
        for (core, how) in cores {
            let core = skeleton(&core);
            if core.len() < 4 {
                continue;
            }
            // Registered names: only the ecosystem-word affixes (`-py`, `node-`, `-rs`...)
            // on a top-tier name; `-cli`, `-api`, digits are how companions are named.
            let eco_word = ECO_WORDS
                .iter()
                .any(|w| how.trim_start_matches("affix:").trim_matches('-') == *w);
            if registered && !eco_word {
                continue;
            }
            let mut hit = false;
            d.lookup(TAG_SKEL, core.as_bytes(), |t| {
                if t.name == norm || t.score < d.top {
                    return;
                }
                hit = true;
                out.push(Cand {
                    target: t.name.into(),
                    score: t.score,
                    how: how.clone(),
                    severity: Verdict::Warn,
                    distance: 1,
                });
            });
            if hit || core.len() < 5 || registered || how == "affix:digits" {
                continue;
            }
            for (t, dist) in edit_candidates(d, &core) {
                let ts = skeleton(t.name);
                if dist != 1
                    || t.name == norm
                    || t.score < d.top
                    || !typo_like(ts.as_bytes(), core.as_bytes())
                {
                    continue;
                }
                let e = edits(ts.as_bytes(), core.as_bytes());
                out.push(Cand {
                    target: t.name.into(),
                    score: t.score,
                    how: format!("{how}+{}", e.first().map_or("edit", |x: &Edit| x.as_str())),
                    severity: Verdict::Warn,
                    distance: 2,
                });
            }
        }
    }
}
