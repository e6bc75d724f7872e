//! Labelled evaluation of the name checker: recall on real typosquats and hallucinated
//! names, and the share of legit names flagged, per ecosystem and per finding.
//!
//! Positives are read in place from `../shared/data/` (typosquat-pairs.tsv,
//! hallucinated-names.tsv, and the cargo rows of malicious-packages.tsv, labelled here
//! with the crate each imitates); the test prints a notice and skips those parts when the
//! directory is absent. Negatives come from the embedded data (legit names of middling
//! popularity, checked as if they were new) and a hand list of legit look-alikes.
//!
//! Run with `--nocapture` to see the tables that docs/names.md quotes.

// A test may report what it measured or skipped.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use lockgate::lockfile::Ecosystem;
use lockgate::names::text::skeleton;
use lockgate::names::{NameChecker, Rule, Verdict};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn shared_data() -> Option<PathBuf> {
    let dir = std::env::var_os("LOCKGATE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data")));
    if dir.join("typosquat-pairs.tsv").is_file() {
        Some(dir)
    } else {
        println!(
            "NOTICE: {} not found: skipping the typosquat/hallucination evaluation",
            dir.display()
        );
        None
    }
}

fn rows(dir: &std::path::Path, file: &str) -> Vec<Vec<String>> {
    std::fs::read_to_string(dir.join(file))
        .unwrap()
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

/// Cargo typosquats: names from malicious-packages.tsv (RustSec / OSV reports), with the
/// crate each imitates (our labels). Ambiguous rows (tracing-check, sha-rust, time-sync,
/// win_run_rs, ...) are left out.
const CARGO_SQUATS: &[(&str, &str)] = &[
    ("oncecell", "once-cell"),
    ("postgress", "postgres"),
    ("rands", "rand"),
    ("tracings", "tracing"),
    ("lasso-rs", "lasso"),
    ("windowsservice", "windows-service"),
    ("windows-service-rs", "windows-service"),
];

/// Documented cargo typosquats that are not in shared/data: rustdecimal (RUSTSEC-2022-0042),
/// faster_log (2025, imitating fast_log).
const CARGO_SQUATS_DOCUMENTED: &[(&str, &str)] =
    &[("rustdecimal", "rust-decimal"), ("faster_log", "fast-log")];

/// Legit names that merely look like popular ones (each checked with `check`, i.e. with
/// their real standing in the snapshot).
const LEGIT_LOOKALIKES: &[(&str, &str)] = &[
    ("npm", "framer-motion-3d"),
    ("npm", "react-codemod"),
    ("npm", "eslint-plugin-unused-imports"),
    ("npm", "lodash-es"),
    ("npm", "@types/node"),
    ("npm", "chokidar-cli"),
    ("npm", "commander-ts"),
    ("pypi", "types-requests"),
    ("pypi", "requests-toolbelt"),
    ("pypi", "huggingface-hub"),
    ("pypi", "django-redis"),
    ("pypi", "pytest-django"),
    ("pypi", "python-dateutil"),
    ("pypi", "beautifulsoup4"),
    ("cargo", "serde_json"),
    ("cargo", "tokio-util"),
    ("cargo", "rand_core"),
];

#[derive(Default)]
struct Tally {
    total: usize,
    flagged: usize,
    by_id: BTreeMap<&'static str, usize>,
    misses: Vec<String>,
}

impl Tally {
    fn add(&mut self, name: &str, v: &lockgate::names::NameVerdict, hit: bool) {
        self.total += 1;
        if hit {
            self.flagged += 1;
        } else {
            self.misses.push(name.to_string());
        }
        let mut ids: Vec<&'static str> = v.findings.iter().map(|f| f.rule.as_str()).collect();
        ids.dedup();
        for id in ids {
            *self.by_id.entry(id).or_default() += 1;
        }
    }
    fn rate(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.flagged as f64 / self.total as f64
        }
    }
    fn line(&self, label: &str) -> String {
        let ids: Vec<String> = self.by_id.iter().map(|(k, v)| format!("{k} {v}")).collect();
        format!(
            "{label:<34} {:>4}/{:<4} = {:>5.1}%   by finding: {}",
            self.flagged,
            self.total,
            100.0 * self.rate(),
            ids.join(", ")
        )
    }
}

#[test]
fn evaluation_meets_targets() {
    let c = NameChecker::embedded();
    let mut report = Vec::new();

    // --- Legit names (negatives) -------------------------------------------------------
    // PyPI: every 5th name ranked 5001..=15000, checked as if new (registered, unpopular).
    let mut legit: BTreeMap<&str, Tally> = BTreeMap::new();
    let py = c.data(Ecosystem::Pypi);
    let npm = c.data(Ecosystem::Npm);
    let cargo = c.data(Ecosystem::Cargo);
    let targets = |d: &lockgate::names::data::EcoData, text: &str| -> Vec<(String, u64)> {
        let _ = d;
        text.lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(n, s)| (n.to_string(), s.parse().unwrap()))
            .collect()
    };
    let py_t = targets(py, include_str!("../data/names/pypi-targets.txt"));
    let npm_t = targets(npm, include_str!("../data/names/npm-targets.txt"));
    let cargo_t = targets(cargo, include_str!("../data/names/cargo-targets.txt"));
    let mut fp_examples: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (eco, list, keep) in [
        (
            Ecosystem::Pypi,
            &py_t,
            (|s: u64| s <= 15001 - 5001) as fn(u64) -> bool,
        ),
        (Ecosystem::Npm, &npm_t, |s| s < 300_000),
        (Ecosystem::Cargo, &cargo_t, |s| s < 1000),
    ] {
        let mut t = Tally::default();
        for (i, (name, _)) in list.iter().filter(|(_, s)| keep(*s)).enumerate() {
            if eco != Ecosystem::Cargo && i % 5 != 0 {
                continue;
            }
            let v = c.check_as_new(eco, name);
            let hit = v.verdict != Verdict::Ok;
            if hit {
                let f = &v.findings[0];
                fp_examples.entry(eco.as_str()).or_default().push(format!(
                    "{name} -> {} ({})",
                    f.target.clone().unwrap_or_default(),
                    f.how.clone().unwrap_or_default()
                ));
            }
            t.add(name, &v, hit);
        }
        legit.insert(eco.as_str(), t);
    }
    // npm: names with 2,000..100,000 downloads a month (not targets): every 20th, checked
    // with their real standing.
    {
        let text = std::fs::read_to_string("/work/.library/env/packages/npm.tsv").ok();
        let mut t = Tally::default();
        let mut picked = 0usize;
        if let Some(text) = text {
            for (i, l) in text.lines().skip(1).enumerate() {
                let f: Vec<&str> = l.split('\t').collect();
                let dl: u64 = f.get(2).and_then(|d| d.parse().ok()).unwrap_or(0);
                if !(2_000..100_000).contains(&dl) || i % 20 != 0 {
                    continue;
                }
                picked += 1;
                let v = c.check(Ecosystem::Npm, f[0], None);
                let hit = v.verdict != Verdict::Ok;
                if hit {
                    let fd = &v.findings[0];
                    fp_examples.entry("npm-mid").or_default().push(format!(
                        "{} -> {} ({})",
                        f[0],
                        fd.target.clone().unwrap_or_default(),
                        fd.how.clone().unwrap_or_default()
                    ));
                }
                t.add(f[0], &v, hit);
            }
            legit.insert("npm-mid", t);
        } else {
            println!("NOTICE: npm.tsv not found: skipping the npm 2k-100k sample");
        }
        let _ = picked;
    }
    let mut look = Tally::default();
    for (eco, name) in LEGIT_LOOKALIKES {
        let eco = Ecosystem::parse(eco).unwrap();
        let v = c.check(eco, name, None);
        let hit = v.verdict != Verdict::Ok;
        assert!(!hit, "legit look-alike {name} flagged: {:?}", v.findings);
        look.add(name, &v, hit);
    }

    report.push("LEGIT NAMES FLAGGED (lower is better)".to_string());
    for (k, t) in &legit {
        report.push(t.line(&format!("legit {k}")));
    }
    report.push(look.line("legit look-alikes (hand list)"));

    // --- Positives ----------------------------------------------------------------------
    let mut squat_recall: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut squat_any: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    if let Some(dir) = shared_data() {
        let mut squats: BTreeMap<&str, Tally> = BTreeMap::new();
        let mut squats_target: BTreeMap<&str, Tally> = BTreeMap::new();
        let mut pairs: Vec<(String, String, String)> = rows(&dir, "typosquat-pairs.tsv")
            .into_iter()
            .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
            .collect();
        let cargo_mal: Vec<String> = rows(&dir, "malicious-packages.tsv")
            .into_iter()
            .filter(|r| r[0] == "cargo")
            .map(|r| r[1].clone())
            .collect();
        for (n, t) in CARGO_SQUATS {
            assert!(
                cargo_mal.iter().any(|m| m == n),
                "{n} not in malicious-packages.tsv"
            );
            pairs.push(("cargo".into(), n.to_string(), t.to_string()));
        }
        for (n, t) in CARGO_SQUATS_DOCUMENTED {
            pairs.push(("cargo".into(), n.to_string(), t.to_string()));
        }
        for (eco_s, name, target) in &pairs {
            let eco = Ecosystem::parse(eco_s).unwrap();
            let v = c.check(eco, name, None);
            let key: &str = match eco {
                Ecosystem::Cargo => "cargo",
                Ecosystem::Npm => "npm",
                Ecosystem::Pypi => "pypi",
                Ecosystem::Actions => "actions",
            };
            squats
                .entry(key)
                .or_default()
                .add(name, &v, v.verdict != Verdict::Ok);
            let in_scope = c.is_popular(eco, target) || target == "npm-cli-flag";
            if in_scope {
                let norm_t = eco.normalize(target);
                let hit = v.findings.iter().any(|f| {
                    f.rule == Rule::SimilarName
                        && (f.target.as_deref().map(|x| eco.normalize(x)) == Some(norm_t.clone())
                            || f.how.as_deref() == Some("cli-flag")
                            || f.target.as_deref().is_some_and(|x| {
                                let (a, b) = (skeleton(x), skeleton(&norm_t));
                                a.contains(&b) || b.starts_with(&a)
                            }))
                });
                squats_target.entry(key).or_default().add(name, &v, hit);
            }
        }
        report.push(String::new());
        report.push("TYPOSQUAT RECALL, any finding (real typosquats)".into());
        for (k, t) in &squats {
            squat_any.insert(k.to_string(), (t.flagged, t.total));
            report.push(t.line(&format!("typosquats {k}")));
            report.push(format!("    missed: {:?}", t.misses));
        }
        report
            .push("TYPOSQUAT RECALL, similar-name naming the right target (target popular)".into());
        for (k, t) in &squats_target {
            report.push(t.line(&format!("typosquats {k} (in scope)")));
            report.push(format!("    missed: {:?}", t.misses));
            squat_recall.insert(k.to_string(), (t.flagged, t.total));
        }

        let mut hall: BTreeMap<&str, Tally> = BTreeMap::new();
        for r in rows(&dir, "hallucinated-names.tsv") {
            let eco = Ecosystem::parse(&r[0]).unwrap();
            let v = c.check(eco, &r[1], None);
            let key: &str = match eco {
                Ecosystem::Cargo => "cargo",
                Ecosystem::Npm => "npm",
                Ecosystem::Pypi => "pypi",
                Ecosystem::Actions => "actions",
            };
            hall.entry(key)
                .or_default()
                .add(&r[1], &v, v.verdict != Verdict::Ok);
        }
        report.push(String::new());
        report.push("HALLUCINATED NAMES FLAGGED (VDB subset)".into());
        for (k, t) in &hall {
            report.push(t.line(&format!("hallucinations {k}")));
        }
    }
    report.push(String::new());
    report.push("FALSE-POSITIVE EXAMPLES".into());
    for (k, v) in &fp_examples {
        report.push(format!(
            "  {k}: {}",
            v.iter().take(40).cloned().collect::<Vec<_>>().join("; ")
        ));
    }
    println!("{}", report.join("\n"));

    // --- Targets ------------------------------------------------------------------------
    for (k, t) in &legit {
        assert!(
            t.rate() <= 0.01,
            "{k}: {:.2}% of legit names flagged",
            100.0 * t.rate()
        );
    }
    // Recall as a user sees it: the verdict on a real typosquat is not `ok`.
    for (k, (hit, total)) in &squat_any {
        let r = *hit as f64 / *total as f64;
        assert!(r >= 0.9, "{k}: typosquat recall {hit}/{total}");
    }
    let _ = squat_recall;
}
