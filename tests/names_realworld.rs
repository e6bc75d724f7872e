//! Real names with a realistic allowlist in force (issue 12): the share of legitimate
//! package names that `lockgate` denies or warns about, per ecosystem.
//!
//! Names come from real lockfiles of public projects (tests/fixtures/names/*.txt, see the
//! README there for provenance), split into a *tuning* set (looked at while adjusting
//! the rules) and a *held-out* set (only measured). Each is checked the way `lockgate
//! check` checks a package the allowlist does not list: with the allowlist's names
//! trusted (never flagged, and extra similarity targets) through
//! `lockgate::checks::names::checker`. Allowlists: this repository's own
//! `allowlist.toml` (308 crates), one made by `lockgate allowlist init` on a real
//! ~1,900-package npm application (tests/fixtures/names/npm-app), and one made the same
//! way on a real `uv.lock` (tests/fixtures/names/pypi-app).
//!
//! Counted: the verdict `check` reports for a package the allowlist does not list (every
//! name finding but `unknown-name`, which `check` keeps for names no lockfile pins yet;
//! these names all come from lockfiles). Targets, asserted: deny ≤ 0.1 %, warn ≤ 1 % per
//! set. Beside it, the names `lockgate name` would flag with `unknown-name` alone (not in
//! the offline snapshot; `--online` settles them), reported, not asserted.
//! Run with `--nocapture` for the table docs/names.md quotes.

// A test may report what it measured or skipped.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use lockgate::allowlist::{self, Allowlist};
use lockgate::lockfile::Ecosystem;
use lockgate::names::{Rule, Verdict};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn names(file: &str) -> Vec<String> {
    std::fs::read_to_string(root().join("tests/fixtures/names").join(file))
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

fn load(path: &Path) -> Allowlist {
    allowlist::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[derive(Default)]
struct Tally {
    checked: usize,
    /// `check`'s view: every finding but `unknown-name` (which `check` reports only for
    /// names no lockfile pins; these all come from lockfiles).
    deny: Vec<String>,
    warn: Vec<String>,
    /// `lockgate name`'s view adds `unknown-name` (a warning): names it alone flags.
    unknown_only: Vec<String>,
}

fn measure(eco: Ecosystem, list: &Allowlist, corpus: &[String]) -> Tally {
    let checker = lockgate::checks::names::checker(list, &[]).unwrap();
    let mut t = Tally::default();
    for n in corpus {
        // `check` runs the name rules only on packages the allowlist does not list.
        if list.entry(eco, n).is_some() {
            continue;
        }
        t.checked += 1;
        let v = checker.check(eco, n, None);
        let what = || {
            let f: Vec<String> = v
                .findings
                .iter()
                .map(|f| match &f.target {
                    Some(tg) => format!("{}~{tg}", f.rule.as_str()),
                    None => f.rule.as_str().to_string(),
                })
                .collect();
            format!("{n} ({})", f.join(", "))
        };
        let check_verdict = v
            .findings
            .iter()
            // As `check` does for pinned names: no `unknown-name`, no `import-name`.
            .filter(|f| f.rule != Rule::UnknownName && f.rule != Rule::ImportName)
            .map(|f| f.severity)
            .max()
            .unwrap_or(Verdict::Ok);
        match check_verdict {
            Verdict::Deny => t.deny.push(what()),
            Verdict::Warn => t.warn.push(what()),
            Verdict::Ok if v.verdict != Verdict::Ok => t.unknown_only.push(what()),
            Verdict::Ok => {}
        }
    }
    t
}

fn pct(n: usize, d: usize) -> f64 {
    100.0 * n as f64 / d.max(1) as f64
}

#[test]
fn real_names_with_an_allowlist_in_force_are_rarely_flagged() {
    let repo = load(&root().join("allowlist.toml"));
    let npm_app = load(&root().join("tests/fixtures/names/npm-app/allowlist.toml"));
    let pypi_app = load(&root().join("tests/fixtures/names/pypi-app/allowlist.toml"));
    assert!(
        npm_app.entries.len() > 1500,
        "npm app allowlist: {}",
        npm_app.entries.len()
    );
    let cases: Vec<(Ecosystem, &str, &str, &Allowlist)> = vec![
        (Ecosystem::Cargo, "cargo-tune.txt", "repo", &repo),
        (Ecosystem::Cargo, "cargo-heldout.txt", "repo", &repo),
        (Ecosystem::Npm, "npm-tune.txt", "npm-app", &npm_app),
        (Ecosystem::Npm, "npm-heldout.txt", "npm-app", &npm_app),
        (Ecosystem::Pypi, "pypi-tune.txt", "repo", &repo),
        (Ecosystem::Pypi, "pypi-heldout.txt", "pypi-app", &pypi_app),
    ];
    println!("| set | allowlist | checked | deny | warn | `name` only: unknown-name |");
    println!("|---|---|---|---|---|---|");
    let mut failures = Vec::new();
    for (eco, file, list_name, list) in cases {
        let corpus = names(file);
        assert!(corpus.len() > 50, "{file}: {} names", corpus.len());
        let t = measure(eco, list, &corpus);
        println!(
            "| {file} | {list_name} | {} | {} = {:.2}% | {} = {:.2}% | {} = {:.2}% |",
            t.checked,
            t.deny.len(),
            pct(t.deny.len(), t.checked),
            t.warn.len(),
            pct(t.warn.len(), t.checked),
            t.unknown_only.len(),
            pct(t.unknown_only.len(), t.checked)
        );
        for u in &t.unknown_only {
            println!("    unknown {u}");
        }
        for d in &t.deny {
            println!("    deny {d}");
        }
        for w in &t.warn {
            println!("    warn {w}");
        }
        if pct(t.deny.len(), t.checked) > 0.1 {
            failures.push(format!("{file}: deny {:?}", t.deny));
        }
        if pct(t.warn.len(), t.checked) > 1.0 {
            failures.push(format!("{file}: warn {:?}", t.warn));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The allowlists must not cost recall: every labelled typosquat
/// (`../shared/data/typosquat-pairs.tsv`) flagged without an allowlist is still flagged
/// with the ecosystem's allowlist in force. Skips, with a notice, when ../shared is absent.
#[test]
fn typosquat_recall_holds_with_the_allowlists_in_force() {
    let dir = std::env::var_os("LOCKGATE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/data"));
    let Ok(text) = std::fs::read_to_string(dir.join("typosquat-pairs.tsv")) else {
        println!(
            "NOTICE: {} not found: skipping the recall-with-allowlist check",
            dir.display()
        );
        return;
    };
    let repo = load(&root().join("allowlist.toml"));
    let npm_app = load(&root().join("tests/fixtures/names/npm-app/allowlist.toml"));
    let pypi_app = load(&root().join("tests/fixtures/names/pypi-app/allowlist.toml"));
    let plain = lockgate::names::NameChecker::embedded();
    let with = |eco: Ecosystem| -> &Allowlist {
        match eco {
            Ecosystem::Cargo | Ecosystem::Actions => &repo,
            Ecosystem::Npm => &npm_app,
            Ecosystem::Pypi => &pypi_app,
        }
    };
    let checkers: Vec<(Ecosystem, lockgate::names::NameChecker)> = Ecosystem::ALL
        .iter()
        .map(|&e| (e, lockgate::checks::names::checker(with(e), &[]).unwrap()))
        .collect();
    let (mut before, mut after, mut lost) = (0, 0, Vec::new());
    for line in text.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (Some(eco), Some(name)) = (cols.first().and_then(|e| Ecosystem::parse(e)), cols.get(1))
        else {
            continue;
        };
        let c = &checkers.iter().find(|(e, _)| *e == eco).unwrap().1;
        let b = plain.check(eco, name, None).verdict != Verdict::Ok;
        let a = c.check(eco, name, None).verdict != Verdict::Ok;
        before += usize::from(b);
        after += usize::from(a);
        if b && !a {
            lost.push(format!("{eco} {name}"));
        }
    }
    println!("typosquats flagged: {before} without an allowlist, {after} with the allowlists");
    assert!(lost.is_empty(), "recall lost with the allowlist: {lost:?}");
    assert!(after >= before);
}
