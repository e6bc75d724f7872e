//! Property tests (proptest):
//!
//! - hash canonicalization round-trips: hex -> `Hash` -> SRI -> `Hash` -> canonical
//!   text -> `Hash`, for every algorithm, and wrong lengths are refused;
//! - name normalization (PEP 503, cargo, npm) is idempotent and ignores what the
//!   ecosystem ignores;
//! - `allowlist init` then `check` passes on any generated lockfile (Cargo.lock v4,
//!   package-lock.json v3, uv.lock v1 with proptest-chosen names, versions, hashes);
//! - any single flipped byte of any pinned digest is always `hash-mismatch` (exit 1).

use base64::Engine as _;
use lockgate::allowlist::{self, Approval, ops};
use lockgate::checks::{FindingId, Outcome, Severity};
use lockgate::discover::Options;
use lockgate::lockfile::{Ecosystem, Hash, hash, pep503};
use lockgate::resolve::{Resolution, resolve};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

const ALGORITHMS: [&str; 5] = ["md5", "sha1", "sha256", "sha384", "sha512"];

fn algorithm_and_digest() -> impl Strategy<Value = (&'static str, Vec<u8>)> {
    prop::sample::select(ALGORITHMS.to_vec()).prop_flat_map(|alg| {
        let len = hash::digest_len(alg).unwrap();
        (Just(alg), prop::collection::vec(any::<u8>(), len))
    })
}

proptest! {
    #[test]
    fn sri_and_hex_round_trip((alg, bytes) in algorithm_and_digest()) {
        let hex = hash::to_hex(&bytes);
        let h = Hash::from_hex(alg, &hex).unwrap();
        prop_assert_eq!(&h.value, &hex);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let sri = h.to_sri().unwrap();
        prop_assert_eq!(&sri, &format!("{alg}-{b64}"));
        prop_assert_eq!(&Hash::from_sri(&sri).unwrap(), &h);
        prop_assert_eq!(&Hash::parse(&sri).unwrap(), &h);
        let canonical = h.to_string();
        prop_assert_eq!(&canonical, &format!("{alg}:{hex}"));
        prop_assert_eq!(&Hash::parse(&canonical).unwrap(), &h);
        // Case of the algorithm and of the hex does not matter; the canonical form is lowercase.
        let shouted = format!("{}:{}", alg.to_ascii_uppercase(), hex.to_ascii_uppercase());
        prop_assert_eq!(&Hash::parse(&shouted).unwrap(), &h);
        // SRI options after `?` are ignored; an SRI list keeps every token.
        prop_assert_eq!(&Hash::from_sri(&format!("{sri}?opt")).unwrap(), &h);
        prop_assert_eq!(Hash::from_sri_list(&format!(" {sri}  {sri} ")).unwrap(), vec![h.clone(), h.clone()]);
    }

    #[test]
    fn digests_of_the_wrong_length_are_refused((alg, mut bytes) in algorithm_and_digest(), extra in 1usize..4, shorter: bool) {
        if shorter {
            bytes.truncate(bytes.len() - extra);
        } else {
            bytes.extend(std::iter::repeat_n(0u8, extra));
        }
        prop_assert!(Hash::from_hex(alg, &hash::to_hex(&bytes)).is_err());
        let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let sri = format!("{alg}-{b64}");
        prop_assert!(Hash::from_sri(&sri).is_err());
    }

    #[test]
    fn hash_parse_never_panics_and_accepts_only_canonical_shapes(s in "\\PC{0,200}") {
        if let Ok(h) = Hash::parse(&s) {
            // Whatever parses prints in a form that parses back to the same hash.
            prop_assert_eq!(Hash::parse(&h.to_string()).unwrap(), h);
        }
    }

    #[test]
    fn normalization_is_idempotent(name in "\\PC{0,40}") {
        let once = pep503(&name);
        prop_assert_eq!(pep503(&once), once.clone());
        for eco in Ecosystem::ALL {
            let n = eco.normalize(&name);
            prop_assert_eq!(eco.normalize(&n), n);
        }
        prop_assert_eq!(Ecosystem::Pypi.normalize(&name), once);
    }

    #[test]
    fn pypi_and_cargo_names_ignore_case_and_separators(name in "[A-Za-z0-9]{1,8}([-_.][A-Za-z0-9]{1,8}){0,3}", seps in prop::collection::vec(prop::sample::select(vec!["-", "_", ".", "__", "-.", "_-_"]), 4)) {
        // Same PyPI project: any run of separators, any case.
        let mut i = 0;
        let respelled: String = name
            .split(['-', '_', '.'])
            .collect::<Vec<_>>()
            .join("\u{0}")
            .split('\u{0}')
            .enumerate()
            .map(|(n, part)| {
                let sep = if n == 0 { "" } else { i += 1; seps[(i - 1) % seps.len()] };
                format!("{sep}{}", part.to_ascii_uppercase())
            })
            .collect();
        prop_assert_eq!(pep503(&respelled), pep503(&name));
        // cargo: `-` and `_` alike, any case.
        let cargo = name.replace('.', "-");
        prop_assert_eq!(Ecosystem::Cargo.normalize(&cargo.replace('-', "_").to_ascii_uppercase()), Ecosystem::Cargo.normalize(&cargo));
        // npm names are compared as written.
        prop_assert_eq!(Ecosystem::Npm.normalize(&name), name.clone());
    }
}

// ---------------------------------------------------------------------------
// Generated lockfiles

/// One locked package of a generated lockfile.
#[derive(Debug, Clone)]
struct Pkg {
    name: String,
    version: String,
    digest: Vec<u8>,
}

#[derive(Debug, Clone, Copy)]
enum Format {
    CargoV4,
    PackageLockV3,
    UvV1,
}

impl Format {
    fn file(self) -> &'static str {
        match self {
            Format::CargoV4 => "Cargo.lock",
            Format::PackageLockV3 => "package-lock.json",
            Format::UvV1 => "uv.lock",
        }
    }

    fn ecosystem(self) -> Ecosystem {
        match self {
            Format::CargoV4 => Ecosystem::Cargo,
            Format::PackageLockV3 => Ecosystem::Npm,
            Format::UvV1 => Ecosystem::Pypi,
        }
    }

    fn digest_len(self) -> usize {
        match self {
            Format::PackageLockV3 => 64,
            _ => 32,
        }
    }

    fn render(self, pkgs: &[Pkg]) -> String {
        let mut out = String::new();
        match self {
            Format::CargoV4 => {
                out.push_str("# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n");
                for p in pkgs {
                    out.push_str(&format!(" \"{}\",\n", p.name));
                }
                out.push_str("]\n");
                for p in pkgs {
                    out.push_str(&format!(
                        "\n[[package]]\nname = \"{}\"\nversion = \"{}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{}\"\n",
                        p.name,
                        p.version,
                        hash::to_hex(&p.digest)
                    ));
                }
            }
            Format::PackageLockV3 => {
                let deps: serde_json::Map<String, serde_json::Value> = pkgs
                    .iter()
                    .map(|p| (p.name.clone(), serde_json::Value::from(p.version.clone())))
                    .collect();
                let mut packages = serde_json::Map::new();
                packages.insert(
                    String::new(),
                    serde_json::json!({ "name": "app", "version": "1.0.0", "dependencies": deps }),
                );
                for p in pkgs {
                    let base = p.name.rsplit('/').next().unwrap();
                    packages.insert(
                        format!("node_modules/{}", p.name),
                        serde_json::json!({
                            "version": p.version,
                            "resolved": format!("https://registry.npmjs.org/{}/-/{base}-{}.tgz", p.name, p.version),
                            "integrity": format!("sha512-{}", base64::engine::general_purpose::STANDARD.encode(&p.digest)),
                        }),
                    );
                }
                let doc = serde_json::json!({ "name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": packages });
                out = serde_json::to_string_pretty(&doc).unwrap();
                out.push('\n');
            }
            Format::UvV1 => {
                out.push_str("version = 1\nrevision = 3\nrequires-python = \">=3.12\"\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\nsource = { virtual = \".\" }\ndependencies = [\n");
                for p in pkgs {
                    out.push_str(&format!("    {{ name = \"{}\" }},\n", p.name));
                }
                out.push_str("]\n");
                for p in pkgs {
                    let file = p.name.replace('-', "_");
                    out.push_str(&format!(
                        "\n[[package]]\nname = \"{name}\"\nversion = \"{v}\"\nsource = {{ registry = \"https://pypi.org/simple\" }}\nsdist = {{ url = \"https://files.pythonhosted.org/packages/{file}-{v}.tar.gz\", hash = \"sha256:{h}\", size = 1234 }}\n",
                        name = p.name,
                        v = p.version,
                        h = hash::to_hex(&p.digest)
                    ));
                }
            }
        }
        out
    }
}

fn name_strategy(format: Format) -> BoxedStrategy<String> {
    match format {
        Format::CargoV4 => "[a-z][a-z0-9_-]{0,14}[a-z0-9]".boxed(),
        Format::PackageLockV3 => "(@[a-z][a-z0-9-]{0,6}/)?[a-z][a-z0-9._-]{0,12}[a-z0-9]".boxed(),
        // uv writes names normalized.
        Format::UvV1 => "[a-z][a-z0-9-]{0,14}[a-z0-9]"
            .prop_map(|n| pep503(&n))
            .boxed(),
    }
}

fn packages(format: Format) -> impl Strategy<Value = Vec<Pkg>> {
    let version = "(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})";
    let digest = prop::collection::vec(any::<u8>(), format.digest_len());
    prop::collection::vec((name_strategy(format), version, digest), 1..12).prop_map(move |v| {
        // One entry per normalized name (a real lockfile's names do not collide).
        let mut by_name: BTreeMap<String, Pkg> = BTreeMap::new();
        for (name, version, digest) in v {
            let key = format.ecosystem().normalize(&name);
            if key == "app" {
                continue;
            }
            by_name.entry(key).or_insert(Pkg {
                name,
                version,
                digest,
            });
        }
        if by_name.is_empty() {
            let digest = vec![7; format.digest_len()];
            by_name.insert(
                "zz".into(),
                Pkg {
                    name: "zz".into(),
                    version: "1.0.0".into(),
                    digest,
                },
            );
        }
        by_name.into_values().collect()
    })
}

fn resolve_dir(dir: &Path) -> Resolution {
    let res = resolve(&[dir.to_path_buf()], &Options::default());
    assert!(res.is_complete(), "{:?}", res.errors);
    res
}

/// Write the lockfile, `allowlist init` it, and return the allowlist's text.
fn init(dir: &Path, format: Format, pkgs: &[Pkg]) -> (Resolution, String) {
    std::fs::write(dir.join(format.file()), format.render(pkgs)).unwrap();
    let res = resolve_dir(dir);
    assert_eq!(
        res.packages().count(),
        pkgs.len(),
        "{}",
        format.render(pkgs)
    );
    let path = dir.join("allowlist.toml");
    let mut ed = ops::init(&path, &res, &Approval::default());
    // As `init --allow-scripts`: an sdist-only entry runs its build backend, and this
    // property is about hashes.
    for p in res.packages().filter(|p| p.install_script == Some(true)) {
        ed.set_scripts(p.ecosystem, &p.name, &p.version, true);
    }
    ed.save().unwrap();
    (res, std::fs::read_to_string(&path).unwrap())
}

fn check(dir: &Path) -> Outcome {
    let res = resolve_dir(dir);
    let list = allowlist::load(&dir.join("allowlist.toml")).unwrap();
    Outcome::offline(&res, &list, Some(Severity::Warning))
}

fn lockfile_case(format: Format) -> impl Strategy<Value = (Vec<Pkg>, usize, usize, u8)> {
    packages(format).prop_flat_map(move |pkgs| {
        let n = pkgs.len();
        (Just(pkgs), 0..n, 0..format.digest_len(), 1u8..=255)
    })
}

fn init_then_check_then_flip(
    format: Format,
    pkgs: Vec<Pkg>,
    which: usize,
    byte: usize,
    mask: u8,
) -> Result<(), TestCaseError> {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (res, _) = init(dir, format, &pkgs);
    prop_assert_eq!(res.packages().count(), pkgs.len());
    let outcome = check(dir);
    prop_assert!(
        outcome.findings.is_empty(),
        "{:?}\n{}",
        outcome.findings,
        format.render(&pkgs)
    );
    prop_assert_eq!(outcome.exit_code(), 0);

    // Flip one byte of one digest: always hash-mismatch, never anything else.
    let mut tampered = pkgs.clone();
    tampered[which].digest[byte] ^= mask;
    std::fs::write(dir.join(format.file()), format.render(&tampered)).unwrap();
    let outcome = check(dir);
    let ids: Vec<(FindingId, Option<String>)> = outcome
        .findings
        .iter()
        .map(|f| (f.id, f.name.clone()))
        .collect();
    prop_assert_eq!(
        ids,
        vec![(FindingId::HashMismatch, Some(pkgs[which].name.clone()))]
    );
    prop_assert_eq!(outcome.findings[0].severity, Severity::Critical);
    prop_assert_eq!(outcome.exit_code(), 1);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn cargo_lock_init_then_check_passes_and_a_flipped_byte_is_hash_mismatch((pkgs, which, byte, mask) in lockfile_case(Format::CargoV4)) {
        init_then_check_then_flip(Format::CargoV4, pkgs, which, byte, mask)?;
    }

    #[test]
    fn package_lock_init_then_check_passes_and_a_flipped_byte_is_hash_mismatch((pkgs, which, byte, mask) in lockfile_case(Format::PackageLockV3)) {
        init_then_check_then_flip(Format::PackageLockV3, pkgs, which, byte, mask)?;
    }

    #[test]
    fn uv_lock_init_then_check_passes_and_a_flipped_byte_is_hash_mismatch((pkgs, which, byte, mask) in lockfile_case(Format::UvV1)) {
        init_then_check_then_flip(Format::UvV1, pkgs, which, byte, mask)?;
    }
}
