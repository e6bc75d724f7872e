//! Behaviour of the name checker's public API: verdicts, findings, trusted names and
//! known-bad lists (OSV layout and TSV).

// A test may report what it measured or skipped.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use lockgate::checks::names::answer::{Query, answer};
use lockgate::lockfile::Ecosystem;
use lockgate::names::{NameChecker, Rule, Verdict};
use std::path::Path;

fn first(c: &NameChecker, eco: Ecosystem, name: &str) -> (Verdict, Option<(Rule, String, String)>) {
    let v = c.check(eco, name, None);
    let f = v
        .findings
        .iter()
        .find(|f| f.rule == Rule::SimilarName)
        .map(|f| {
            (
                f.rule,
                f.target.clone().unwrap_or_default(),
                f.how.clone().unwrap_or_default(),
            )
        });
    (v.verdict, f)
}

#[test]
fn typosquats_name_target_and_transformation() {
    let c = NameChecker::embedded();
    for (eco, name, target, how) in [
        (Ecosystem::Pypi, "reqeusts", "requests", "transposition"),
        (Ecosystem::Pypi, "reque5ts", "requests", "homoglyph"),
        (Ecosystem::Pypi, "rеquests", "requests", "homoglyph"), // Cyrillic е
        (Ecosystem::Npm, "comander", "commander", "omission"),
        (Ecosystem::Npm, "lodahs", "lodash", "transposition"),
        (Ecosystem::Cargo, "serde-jsonn", "serde-json", "addition"),
        (Ecosystem::Cargo, "tracings", "tracing", "plural"),
        (Ecosystem::Cargo, "lasso-rs", "lasso", "affix:-rs"),
        (Ecosystem::Pypi, "requests-py", "requests", "affix:-py"),
        (Ecosystem::Npm, "types-node", "@types/node", "scope"),
    ] {
        let (verdict, f) = first(&c, eco, name);
        assert_ne!(verdict, Verdict::Ok, "{name}");
        let (_, t, h) = f.unwrap_or_else(|| panic!("{name}: no similar-name"));
        assert_eq!((t.as_str(), h.as_str()), (target, how), "{name}");
    }
    let (v, f) = first(&c, Ecosystem::Pypi, "beautifulsoup-numpy");
    assert_eq!(v, Verdict::Warn);
    assert_eq!(f.unwrap().2, "combination");
}

#[test]
fn popular_and_legit_names_pass() {
    let c = NameChecker::embedded();
    for (eco, name) in [
        (Ecosystem::Pypi, "requests"),
        (Ecosystem::Pypi, "Django_REST.framework"),
        (Ecosystem::Npm, "framer-motion-3d"),
        (Ecosystem::Npm, "@types/node"),
        (Ecosystem::Npm, "@babel/core"),
        (Ecosystem::Cargo, "serde_json"),
        (Ecosystem::Cargo, "tokio"),
    ] {
        let v = c.check(eco, name, None);
        assert_eq!(v.verdict, Verdict::Ok, "{name}: {:?}", v.findings);
    }
}

#[test]
fn unknown_and_cross_ecosystem() {
    let c = NameChecker::embedded();
    let v = c.check(Ecosystem::Pypi, "surely-not-a-real-package-zq7", None);
    assert!(
        v.findings
            .iter()
            .any(|f| f.rule == Rule::UnknownName && f.message.contains(c.snapshot_date()))
    );
    let v = c.check(Ecosystem::Pypi, "webpack-dev-server", None);
    let f = v.findings.iter().find(|f| f.rule == Rule::CrossEcosystem);
    assert_eq!(
        f.and_then(|f| f.how.clone()).as_deref(),
        Some("npm"),
        "{:?}",
        v.findings
    );
}

#[test]
fn trusted_names_are_never_flagged_and_are_targets() {
    let mut c = NameChecker::embedded();
    c.add_trusted(Ecosystem::Pypi, "reqeusts");
    c.add_trusted(Ecosystem::Npm, "acme-internal-widgets");
    assert_eq!(
        c.check(Ecosystem::Pypi, "reqeusts", None).verdict,
        Verdict::Ok
    );
    let (v, f) = first(&c, Ecosystem::Npm, "acme-internal-widget");
    assert_ne!(v, Verdict::Ok);
    assert_eq!(f.unwrap().1, "acme-internal-widgets");
}

#[test]
fn shipped_known_lists() {
    let c = NameChecker::embedded();
    let v = c.check(Ecosystem::Pypi, "huggingface-cli", None);
    assert_eq!(v.verdict, Verdict::Deny);
    assert!(
        v.findings
            .iter()
            .any(|f| f.rule == Rule::KnownHallucination)
    );
    let v = c.check(Ecosystem::Npm, "react-codeshift", None);
    assert!(
        v.findings
            .iter()
            .any(|f| f.rule == Rule::KnownHallucination)
    );
    // Version-specific reports: only the affected version is denied.
    let bad = c.check(Ecosystem::Npm, "chalk", Some("5.6.1"));
    assert_eq!(bad.verdict, Verdict::Deny);
    assert_eq!(
        c.check(Ecosystem::Npm, "chalk", Some("5.6.0")).verdict,
        Verdict::Ok
    );
    let name_only = c.check(Ecosystem::Npm, "chalk", None);
    assert_eq!(name_only.verdict, Verdict::Warn);
    assert_eq!(name_only.findings[0].severity, Verdict::Warn);
}

#[test]
fn json_shape() {
    let c = NameChecker::embedded();
    let q = [Query::parse(Ecosystem::Pypi, "reqeusts").unwrap()];
    let v = serde_json::to_value(&answer(&c, None, Ecosystem::Pypi, &q)[0]).unwrap();
    assert_eq!(v["verdict"], "deny");
    assert_eq!(v["findings"][0]["id"], "similar-name");
    assert_eq!(v["findings"][0]["target"], "requests");
    assert_eq!(v["findings"][0]["how"], "transposition");
    assert_eq!(v["findings"][0]["severity"], "deny");
}

#[test]
fn osv_directory_respects_withdrawn_and_versions() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("osv/malicious");
    let write = |rel: &str, body: &str| {
        let p = base.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, body).unwrap();
    };
    write(
        "npm/evil-pkg/MAL-2099-1.json",
        r#"{"id":"MAL-2099-1","affected":[{"package":{"ecosystem":"npm","name":"evil-pkg"},
            "ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}]}"#,
    );
    write(
        "pypi/gone/MAL-2099-2.json",
        r#"{"id":"MAL-2099-2","withdrawn":"2099-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"gone"}}]}"#,
    );
    write(
        "crates.io/half-bad/MAL-2099-3.json",
        r#"{"id":"MAL-2099-3","affected":[{"package":{"ecosystem":"crates.io","name":"half_bad"},"versions":["1.0.1"]}]}"#,
    );
    let mut c = NameChecker::embedded();
    assert_eq!(c.load_known_bad(dir.path()).unwrap(), 2);
    assert_eq!(
        c.check(Ecosystem::Npm, "evil-pkg", Some("3.0.0")).verdict,
        Verdict::Deny
    );
    assert!(
        !c.check(Ecosystem::Pypi, "gone", None)
            .findings
            .iter()
            .any(|f| f.rule == Rule::KnownMalicious)
    );
    let ok = c.check(Ecosystem::Cargo, "half-bad", Some("1.0.0"));
    assert!(!ok.findings.iter().any(|f| f.rule == Rule::KnownMalicious));
    assert_eq!(
        c.check(Ecosystem::Cargo, "half-bad", Some("1.0.1")).verdict,
        Verdict::Deny
    );

    write("npm/broken/MAL-2099-4.json", "{\n  \"id\": 5,\n}");
    let err = c.load_known_bad(dir.path()).unwrap_err().to_string();
    assert!(err.contains("MAL-2099-4.json:2"), "{err}");
}

#[test]
fn shared_data_lists_load_in_place() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data"));
    if !dir.join("malicious-packages.tsv").is_file() {
        println!("NOTICE: {} not found: skipping", dir.display());
        return;
    }
    let mut c = NameChecker::embedded();
    assert!(
        c.load_known_bad(&dir.join("malicious-packages.tsv"))
            .unwrap()
            > 16_000
    );
    assert!(
        c.load_known_bad(&dir.join("hallucinated-names.tsv"))
            .unwrap()
            > 200
    );
    assert_eq!(c.load_known_bad(&dir.join("osv-examples")).unwrap(), 3);
    let v = c.check(Ecosystem::Npm, "cxp-jquery", None);
    assert!(v.findings.iter().any(|f| f.rule == Rule::KnownMalicious));
    // `arrayref` is a real crate with one reported version: name alone only warns.
    let v = c.check(Ecosystem::Cargo, "arrayref", Some("0.3.9"));
    assert!(
        !v.findings
            .iter()
            .any(|f| f.rule == Rule::KnownMalicious && f.severity == Verdict::Deny),
        "{:?}",
        v.findings
    );
    let v = c.check(Ecosystem::Cargo, "aiohttp", None);
    assert!(
        v.findings
            .iter()
            .any(|f| f.rule == Rule::KnownHallucination)
    );
}

#[test]
fn load_time_is_near_zero() {
    let t = std::time::Instant::now();
    for _ in 0..100 {
        std::hint::black_box(NameChecker::embedded());
    }
    let per = t.elapsed() / 100;
    assert!(per.as_millis() < 5, "load took {per:?}");
}

#[test]
fn ten_thousand_names_in_well_under_200ms() {
    let t = std::time::Instant::now();
    let c = NameChecker::embedded();
    let text = include_str!("../data/names/pypi-targets.txt");
    let mut n = 0;
    for (i, line) in text.lines().take(10_000).enumerate() {
        let name = line.split('\t').next().unwrap_or_default();
        // Half real names, half typo'd copies (a doubled letter) to exercise the index.
        let q = if i % 2 == 0 {
            name.to_string()
        } else {
            format!("{name}{}", &name[name.len() - 1..])
        };
        std::hint::black_box(c.check(Ecosystem::Pypi, &q, None));
        n += 1;
    }
    let el = t.elapsed();
    println!("{n} names (load included): {el:?}");
    if !cfg!(debug_assertions) {
        assert!(el.as_millis() < 200, "{n} names took {el:?}");
    }
}

/// Issue 12: a name's own standing weighs against a resemblance to a trusted
/// (allowlisted) name. Crates of the known set (resolved dependency trees) next to an
/// allowlisted crate are not flagged; crates outside it are warned about, never denied
/// (cargo's known set is not the whole registry); npm names nobody knows are still denied.
#[test]
fn standing_weighs_against_resemblance_to_trusted_names() {
    let mut c = NameChecker::embedded();
    for n in [
        "adler2", "idna", "rand", "bstr", "anyhow", "wasip2", "funty",
    ] {
        c.add_trusted(Ecosystem::Cargo, n);
    }
    for n in ["adler", "adler32", "rend", "cstr", "manyhow", "unty"] {
        assert!(
            c.data(Ecosystem::Cargo).snapshot_score(n).is_some(),
            "{n} is in the cargo known set"
        );
        assert_eq!(
            c.check(Ecosystem::Cargo, n, None).verdict,
            Verdict::Ok,
            "{n}"
        );
    }
    for n in ["wasip3", "idea", "hstr"] {
        assert_ne!(
            c.check(Ecosystem::Cargo, n, None).verdict,
            Verdict::Deny,
            "{n}"
        );
    }
    // A typing mistake of a seed crate is still denied; of a trusted crate that is in
    // no list, a warning naming it.
    assert_eq!(first(&c, Ecosystem::Cargo, "anyhwo").0, Verdict::Deny);
    c.add_trusted(Ecosystem::Cargo, "acme-widgets");
    let (v, f) = first(&c, Ecosystem::Cargo, "acme-widgtes");
    assert_eq!(v, Verdict::Warn);
    assert_eq!(f.unwrap().1, "acme-widgets");

    // npm: an unknown name one typing edit from a trusted one is denied ...
    c.add_trusted(Ecosystem::Npm, "acme-internal-widgets");
    let (v, f) = first(&c, Ecosystem::Npm, "acme-internal-qidgets");
    assert_eq!(v, Verdict::Deny);
    assert_eq!(f.unwrap().1, "acme-internal-widgets");
    // ... while a registered package with downloads of its own is not.
    c.add_trusted(Ecosystem::Npm, "fs-constants");
    assert_ne!(
        c.check(Ecosystem::Npm, "es-constants", None).verdict,
        Verdict::Deny
    );
}

/// Issue 12: npm platform builds (`@scope/base-<os>-<arch>[-<libc>]`) belong to their
/// family when the scope holds a known member of it; an attacker's scope does not.
#[test]
fn npm_platform_packages_join_their_family_only_in_the_owners_scope() {
    let c = NameChecker::embedded();
    for n in [
        "@swc/core-linux-ppc64-gnu",
        "@swc/core-linux-s390x-gnu",
        "@rspack/binding-linux-riscv64-gnu",
        "@unrs/resolver-binding-openharmony-arm64",
        "@esbuild/openharmony-arm64",
        "@swc/core-win32-ia32-msvc",
    ] {
        assert!(c.platform_family(Ecosystem::Npm, n).is_some(), "{n}");
        let v = c.check(Ecosystem::Npm, n, None);
        assert_eq!(v.verdict, Verdict::Ok, "{n}: {:?}", v.findings);
    }
    for n in [
        "@attacker/core-linux-x64-gnu",
        "@swc/nonexistent-thing-linux-x64-gnu",
        "swc-core-linux-x64-gnu-lockgate-probe",
    ] {
        assert!(c.platform_family(Ecosystem::Npm, n).is_none(), "{n}");
        let v = c.check(Ecosystem::Npm, n, None);
        assert!(
            v.findings.iter().any(|f| f.rule == Rule::UnknownName),
            "{n}: {:?}",
            v.findings
        );
    }
    assert!(
        c.platform_family(Ecosystem::Cargo, "@swc/core-linux-x64-gnu")
            .is_none()
    );
}
