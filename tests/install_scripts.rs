//! The `install-script` check (issue 19, part 2): code that runs at install must be
//! approved per version (`scripts = true`), `[policy] install-scripts` sets the
//! severity otherwise, and a version that gained a script its approved versions did
//! not have is an error whatever the policy. Lockfiles made by the real tools:
//! tests/fixtures/npm/generate-package-lock.sh (bufferutil 4.0.9 has
//! `hasInstallScript`), tests/fixtures/npm/generate-pnpm.sh (pnpm 8 `requiresBuild`),
//! tests/fixtures/install-scripts/generate-install-scripts.sh (uv: docopt 0.6.2 is
//! published only as an sdist).

use std::path::{Path, PathBuf};
use std::process::Output;

mod support;
use support::copy_dir;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A scratch folder with `p/` copied from a fixture and an allowlist made by `init`.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new(fixture: &str, init_args: &[&str]) -> Scratch {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&fixtures().join(fixture), &dir.path().join("p"));
        let s = Scratch { dir };
        let mut args = vec!["allowlist", "init", "p"];
        args.extend_from_slice(init_args);
        let o = s.run(&args);
        assert_eq!(code(&o), 0, "init: {}", text(&o));
        s
    }
    fn run(&self, args: &[&str]) -> Output {
        support::lockgate()
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap()
    }
    fn allowlist(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("allowlist.toml")).unwrap()
    }
    fn set_allowlist(&self, text: &str) {
        std::fs::write(self.dir.path().join("allowlist.toml"), text).unwrap();
    }
    fn edit(&self, f: impl FnOnce(String) -> String) {
        let old = self.allowlist();
        let new = f(old.clone());
        assert_ne!(new, old, "the edit changed nothing");
        self.set_allowlist(&new);
    }
    /// `check --format json`: (exit code, [(id, severity, name, version)]).
    fn check(&self) -> (i32, Vec<(String, String, String, String)>) {
        let o = self.run(&["check", "p", "--format", "json"]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&o)));
        let s = |f: &serde_json::Value, k: &str| f[k].as_str().unwrap_or("").to_string();
        let findings = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (s(f, "id"), s(f, "severity"), s(f, "name"), s(f, "version")))
            .collect();
        (code(&o), findings)
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("lockgate was killed by a signal")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn f(id: &str, sev: &str, name: &str, version: &str) -> (String, String, String, String) {
    (id.into(), sev.into(), name.into(), version.into())
}

/// Replace the `install-scripts = "deny"` line `init` writes.
fn policy(level: Option<&str>) -> impl FnOnce(String) -> String {
    move |t: String| {
        let line = t
            .lines()
            .find(|l| l.starts_with("install-scripts"))
            .expect("init writes install-scripts")
            .to_string();
        let new = level
            .map(|l| format!("install-scripts = \"{l}\""))
            .unwrap_or_default();
        t.replace(&line, &new)
    }
}

const BUFFERUTIL_PIN: &str = "versions.\"4.0.9\" = { hashes = [";

/// Add `extra` inside bufferutil 4.0.9's inline pin table.
fn on_bufferutil_pin(extra: &'static str) -> impl FnOnce(String) -> String {
    move |t: String| {
        let start = t.find(BUFFERUTIL_PIN).expect("bufferutil is pinned");
        let end = start + t[start..].find('\n').unwrap();
        let line = &t[start..end];
        let new = format!(
            "{}, {extra} }}",
            line.trim_end().trim_end_matches('}').trim_end()
        );
        t.replacen(line, &new, 1)
    }
}

#[test]
fn package_lock_has_install_script_is_reported_until_approved() {
    let s = Scratch::new("npm/package-lock/v3", &[]);
    assert!(s.allowlist().contains("install-scripts = \"deny\""));
    let (rc, findings) = s.check();
    assert_eq!(rc, 1);
    assert_eq!(
        findings,
        vec![f("install-script", "error", "bufferutil", "4.0.9")]
    );
    s.edit(on_bufferutil_pin("scripts = true"));
    let (rc, findings) = s.check();
    assert_eq!((rc, findings), (0, vec![]));
}

#[test]
fn init_with_allow_scripts_approves_them() {
    let s = Scratch::new("npm/package-lock/v3", &["--allow-scripts"]);
    assert!(
        s.allowlist()
            .lines()
            .any(|l| l.starts_with(BUFFERUTIL_PIN) && l.contains("scripts = true")),
        "{}",
        s.allowlist()
    );
    // Only the version that has a script says so.
    let approved = s
        .allowlist()
        .lines()
        .filter(|l| l.starts_with("versions.") && l.contains("scripts = true"))
        .count();
    assert_eq!(approved, 1);
    assert_eq!(s.check(), (0, vec![]));
}

#[test]
fn policy_decides_the_severity_and_a_missing_key_warns() {
    let s = Scratch::new("npm/package-lock/v3", &[]);
    s.edit(policy(Some("warn")));
    assert_eq!(
        s.check(),
        (
            0,
            vec![f("install-script", "warning", "bufferutil", "4.0.9")]
        )
    );
    s.edit(policy(Some("allow")));
    assert_eq!(s.check(), (0, vec![]));
    // An allowlist written before the key existed: warn, so upgrades keep passing.
    s.edit(|t| t.replace("install-scripts = \"allow\"", ""));
    assert_eq!(
        s.check(),
        (
            0,
            vec![f("install-script", "warning", "bufferutil", "4.0.9")]
        )
    );
}

#[test]
fn a_gained_script_is_an_error_whatever_the_policy() {
    let s = Scratch::new("npm/package-lock/v3", &[]);
    s.edit(policy(Some("allow")));
    // An earlier version approved knowing it had no install script.
    s.edit(|t| {
        t.replace(
            "[npm.bufferutil]\n",
            "[npm.bufferutil]\nversions.\"4.0.8\" = { hashes = [\"sha512-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\"], scripts = false }\n",
        )
    });
    let o = s.run(&["check", "p"]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    assert!(
        text(&o).contains("gained code that runs at install"),
        "{}",
        text(&o)
    );
    assert!(text(&o).contains("4.0.8"), "{}", text(&o));
    assert_eq!(
        s.check(),
        (1, vec![f("install-script", "error", "bufferutil", "4.0.9")])
    );
    // Approving the new version's scripts explicitly ends it.
    s.edit(on_bufferutil_pin("scripts = true"));
    assert_eq!(s.check(), (0, vec![]));
}

#[test]
fn a_pin_that_says_no_scripts_contradicted_is_an_error() {
    let s = Scratch::new("npm/package-lock/v3", &[]);
    s.edit(policy(Some("allow")));
    s.edit(on_bufferutil_pin("scripts = false"));
    let o = s.run(&["check", "p"]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    assert!(text(&o).contains("says `scripts = false`"), "{}", text(&o));
}

#[test]
fn an_sdist_only_pypi_entry_runs_its_build_backend() {
    let s = Scratch::new("install-scripts/uv-sdist", &[]);
    let o = s.run(&["check", "p"]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    assert!(
        text(&o).contains("built from sdist: the build backend runs code"),
        "{}",
        text(&o)
    );
    // docopt (sdist only) in uv.lock and pylock.toml; six has a wheel.
    assert_eq!(
        s.check().1,
        vec![
            f("install-script", "error", "docopt", "0.6.2"),
            f("install-script", "error", "docopt", "0.6.2"),
        ]
    );
    s.edit(|t| {
        let start = t.find("[pypi.docopt]").unwrap();
        let line_start = start + t[start..].find("versions.").unwrap();
        let end = line_start + t[line_start..].find('\n').unwrap();
        let line = t[line_start..end].to_string();
        let new = format!(
            "{}, scripts = true }}",
            line.trim_end_matches('}').trim_end()
        );
        t.replacen(&line, &new, 1)
    });
    assert_eq!(s.check(), (0, vec![]));
}

#[test]
fn pnpm_requires_build_is_reported() {
    let s = Scratch::new("npm/pnpm/v6-pnpm8", &[]);
    let (rc, findings) = s.check();
    assert_eq!(rc, 1);
    let names: Vec<&str> = findings
        .iter()
        .filter(|f| f.0 == "install-script")
        .map(|f| f.2.as_str())
        .collect();
    assert_eq!(names, vec!["@pkgjs/parseargs", "fsevents"], "{findings:?}");
    // pnpm 9's lockfile no longer records it: nothing to report offline.
    let s9 = Scratch::new("npm/pnpm/v9-pnpm10", &[]);
    assert_eq!(s9.check(), (0, vec![]));
}

#[test]
fn bad_values_are_refused_at_their_line() {
    let s = Scratch::new("npm/package-lock/v3", &[]);
    s.edit(policy(Some("maybe")));
    let o = s.run(&["check", "p"]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    assert!(
        text(&o).contains("`policy.install-scripts` must be \"deny\", \"warn\" or \"allow\""),
        "{}",
        text(&o)
    );
    s.edit(policy(Some("deny")));
    s.edit(on_bufferutil_pin("scripts = \"yes\""));
    let o = s.run(&["check", "p"]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    assert!(text(&o).contains("`scripts` must be true"), "{}", text(&o));
    assert!(text(&o).contains("allowlist.toml:"), "{}", text(&o));
}

// ---- online and deep mode, against a local fake registry ---------------------------

mod online {
    use super::fixtures;
    use httpmock::prelude::*;
    use lockgate::allowlist::{self, Allowlist};
    use lockgate::checks::online::{self, Options};
    use lockgate::checks::{Finding, FindingId, Severity};
    use lockgate::lockfile::{Ecosystem, Hash, Package, Source};
    use lockgate::registry::{Client, Config};
    use std::path::{Path, PathBuf};
    use std::time::Duration;

    const BUFFERUTIL_SRI: &str = "sha512-WDtdLmJvAuNNPzByAYpRo2rF1Mmradw6gvWsQKf63476DDXmomT9zUiGypLcG4ibIM67vhAj8jJRdbmEws2Aqw==";

    fn artifact(name: &str) -> Vec<u8> {
        std::fs::read(fixtures().join("install-scripts/artifacts").join(name)).unwrap()
    }

    fn client(server: &MockServer, cache: &Path) -> Client {
        let mut config = Config {
            cache_dir: Some(cache.to_path_buf()),
            retries: 0,
            backoff: Duration::from_millis(10),
            timeout: Duration::from_secs(5),
            progress: false,
            ..Config::default()
        };
        config
            .set_registry(
                Ecosystem::Cargo,
                &format!("sparse+{}", server.url("/cargo/")),
                "test",
            )
            .unwrap();
        config
            .set_registry(Ecosystem::Npm, &server.url("/npm/"), "test")
            .unwrap();
        config
            .set_registry(Ecosystem::Pypi, &server.url("/simple/"), "test")
            .unwrap();
        Client::new(config).unwrap()
    }

    fn pkg(eco: Ecosystem, name: &str, version: &str, hash: &Hash) -> Package {
        Package {
            hashes: vec![hash.clone()].into(),
            ..Package::new(
                eco,
                name,
                version,
                Source::Registry(None),
                PathBuf::from("lock"),
                1,
            )
        }
    }

    fn list(text: &str) -> Allowlist {
        allowlist::parse(Path::new("allowlist.toml"), text).unwrap()
    }

    fn scripts_findings(fs: &[Finding]) -> Vec<&Finding> {
        fs.iter()
            .filter(|f| f.id == FindingId::InstallScript)
            .collect()
    }

    #[test]
    fn the_packument_install_hook_is_reported_when_the_lockfile_does_not_say() {
        let server = MockServer::start();
        let body =
            std::fs::read(fixtures().join("install-scripts/registry/bufferutil.json")).unwrap();
        server.mock(|when, then| {
            when.method(GET).path("/npm/bufferutil");
            then.status(200)
                .header("content-type", "application/json")
                .body(body);
        });
        let cache = tempfile::tempdir().unwrap();
        let client = client(&server, cache.path());
        let hash = Hash::parse(BUFFERUTIL_SRI).unwrap();
        // As bun.lock or yarn.lock record it: nothing about scripts.
        let p = pkg(Ecosystem::Npm, "bufferutil", "4.0.9", &hash);
        let opts = Options {
            deep: false,
            now: 2_000_000_000,
        };
        let pin = format!(
            "[policy]\ninstall-scripts = \"deny\"\n[npm.bufferutil]\nversions.\"4.0.9\" = \"{BUFFERUTIL_SRI}\"\n"
        );
        let fs = online::check(&[&p], &list(&pin), &client, &opts);
        let found = scripts_findings(&fs);
        assert_eq!(found.len(), 1, "{fs:#?}");
        assert_eq!(found[0].severity, Severity::Error);
        assert!(
            found[0].message.contains("install: node-gyp-build"),
            "{}",
            found[0].message
        );
        // Approved: nothing.
        let approved = format!(
            "[policy]\ninstall-scripts = \"deny\"\n[npm.bufferutil]\nversions.\"4.0.9\" = {{ hashes = [\"{BUFFERUTIL_SRI}\"], scripts = true }}\n"
        );
        let fs = online::check(&[&p], &list(&approved), &client, &opts);
        assert!(scripts_findings(&fs).is_empty(), "{fs:#?}");
        // The lockfile said so already: the offline check reports it, not this one again.
        let mut q = p.clone();
        q.install_script = Some(true);
        let fs = online::check(&[&q], &list(&pin), &client, &opts);
        assert!(scripts_findings(&fs).is_empty(), "{fs:#?}");
    }

    /// ADVERSARIAL (poetry.lock's sdist renamed to a wheel name, hash kept): poetry
    /// fetches by hash, so it builds the sdist. Offline the lockfile's names say
    /// "only wheels"; online the index's name for that hash says sdist. The index
    /// page is hand-written in PEP 691 form with docopt 0.6.2's real file and hash.
    #[test]
    fn the_index_names_the_sdist_behind_a_renamed_pypi_file() {
        const DOCOPT: &str = "49b3a825280bd66b3aa83585ef59c4a8c82f2c8a522dbe754a8bc8d08c85c491";
        let server = MockServer::start();
        let page = serde_json::json!({
            "meta": {"api-version": "1.1"},
            "name": "docopt",
            "versions": ["0.6.2"],
            "files": [{
                "filename": "docopt-0.6.2.tar.gz",
                "url": "https://files.pythonhosted.org/packages/a2/55/8f8cab2afd404cf578136ef2cc5dfb50baa1761b68c9da1fb1e4eed343c9/docopt-0.6.2.tar.gz",
                "hashes": {"sha256": DOCOPT},
                "upload-time": "2014-06-16T11:18:57.406018Z"
            }]
        });
        server.mock(|when, then| {
            when.method(GET).path("/simple/docopt/");
            then.status(200)
                .header("content-type", "application/vnd.pypi.simple.v1+json")
                .body(page.to_string());
        });
        let cache = tempfile::tempdir().unwrap();
        let client = client(&server, cache.path());
        let hash = Hash::parse(&format!("sha256:{DOCOPT}")).unwrap();
        let mut p = pkg(Ecosystem::Pypi, "docopt", "0.6.2", &hash);
        p.artifacts = vec![lockgate::model::Artifact {
            filename: Some("docopt-0.6.2-py2.py3-none-any.whl".into()),
            ..lockgate::model::Artifact::new(None, vec![hash.clone()], 1)
        }]
        .into();
        p.infer_pypi_install_script();
        assert_eq!(
            p.install_script,
            Some(false),
            "the lockfile's names say wheel"
        );
        let opts = Options {
            deep: false,
            now: 2_000_000_000,
        };
        let pin = format!(
            "[policy]\ninstall-scripts = \"deny\"\n[pypi.docopt]\nversions.\"0.6.2\" = \"sha256:{DOCOPT}\"\n"
        );
        let fs = online::check(&[&p], &list(&pin), &client, &opts);
        let found = scripts_findings(&fs);
        assert_eq!(found.len(), 1, "{fs:#?}");
        assert_eq!(found[0].severity, Severity::Error);
        assert!(
            found[0].message.contains("docopt-0.6.2.tar.gz"),
            "{}",
            found[0].message
        );
    }

    /// A hand-written package document (labelled: `gyp-only` is not published) whose
    /// tarball is the real `npm pack` output; it declares no scripts and no `gypfile`.
    #[test]
    fn deep_mode_finds_a_binding_gyp_without_a_scripts_entry() {
        let server = MockServer::start();
        let tgz = artifact("gyp-only-1.0.0.tgz");
        let sha512 = lockgate::registry::digests(&tgz)[1].clone();
        let sri = sha512.to_sri().unwrap();
        let doc = format!(
            "{{\"name\":\"gyp-only\",\"versions\":{{\"1.0.0\":{{\"name\":\"gyp-only\",\"version\":\"1.0.0\",\"dist\":{{\"integrity\":\"{sri}\",\"tarball\":\"{}\"}}}}}}}}",
            server.url("/dl/gyp-only-1.0.0.tgz")
        );
        server.mock(|when, then| {
            when.method(GET).path("/npm/gyp-only");
            then.status(200)
                .header("content-type", "application/json")
                .body(doc);
        });
        server.mock(|when, then| {
            when.method(GET).path("/dl/gyp-only-1.0.0.tgz");
            then.status(200).body(tgz);
        });
        let cache = tempfile::tempdir().unwrap();
        let client = client(&server, cache.path());
        let p = pkg(Ecosystem::Npm, "gyp-only", "1.0.0", &sha512);
        let pin = format!(
            "[policy]\ninstall-scripts = \"warn\"\n[npm.gyp-only]\nversions.\"1.0.0\" = \"{sri}\"\n"
        );
        let now = 2_000_000_000;
        // Without --deep the record says nothing: no finding.
        let fs = online::check(&[&p], &list(&pin), &client, &Options { deep: false, now });
        assert!(scripts_findings(&fs).is_empty(), "{fs:#?}");
        let fs = online::check(&[&p], &list(&pin), &client, &Options { deep: true, now });
        let found = scripts_findings(&fs);
        assert_eq!(found.len(), 1, "{fs:#?}");
        assert_eq!(found[0].severity, Severity::Warning);
        assert!(
            found[0].message.contains("binding.gyp"),
            "{}",
            found[0].message
        );
        // And no hash finding: the artifact is the pinned one.
        assert_eq!(fs.len(), 1, "{fs:#?}");
    }

    /// Hand-written index lines (labelled: the crates are not published) for the real
    /// `cargo package` outputs.
    #[test]
    fn deep_mode_finds_a_build_script_and_a_proc_macro_in_crates() {
        let server = MockServer::start();
        let dl = server.url("/dl");
        server.mock(move |when, then| {
            when.path("/cargo/config.json");
            then.status(200)
                .body(format!("{{\"dl\":\"{dl}/{{crate}}/{{version}}\"}}"));
        });
        let mut pkgs = Vec::new();
        for (name, index_path) in [
            ("with-build", "/cargo/wi/th/with-build"),
            ("a-proc-macro", "/cargo/a-/pr/a-proc-macro"),
        ] {
            let bytes = artifact(&format!("{name}-0.1.0.crate"));
            let sha = lockgate::registry::digests(&bytes)[0].clone();
            let line = format!(
                "{{\"name\":\"{name}\",\"vers\":\"0.1.0\",\"cksum\":\"{}\"}}\n",
                sha.value
            );
            server.mock(move |when, then| {
                when.path(index_path);
                then.status(200).body(line);
            });
            let dl_path = format!("/dl/{name}/0.1.0");
            server.mock(move |when, then| {
                when.path(dl_path);
                then.status(200).body(bytes);
            });
            pkgs.push(pkg(Ecosystem::Cargo, name, "0.1.0", &sha));
        }
        let cache = tempfile::tempdir().unwrap();
        let client = client(&server, cache.path());
        let refs: Vec<&Package> = pkgs.iter().collect();
        let empty = list("[policy]\ninstall-scripts = \"deny\"\n");
        let fs = online::check(&refs, &empty, &client, &Options { deep: true, now: 0 });
        let found = scripts_findings(&fs);
        assert_eq!(found.len(), 2, "{fs:#?}");
        let by = |n: &str| found.iter().find(|f| f.name.as_deref() == Some(n)).unwrap();
        assert!(
            by("with-build").message.contains("build.rs"),
            "{}",
            by("with-build").message
        );
        assert!(
            by("a-proc-macro").message.contains("proc-macro"),
            "{}",
            by("a-proc-macro").message
        );
        assert!(found.iter().all(|f| f.severity == Severity::Error));
        // Offline (no --deep) Cargo.lock says nothing: the default run stays quiet.
        let fs = online::check(
            &refs,
            &empty,
            &client,
            &Options {
                deep: false,
                now: 0,
            },
        );
        assert!(scripts_findings(&fs).is_empty(), "{fs:#?}");
    }

    /// `allowlist add` against the fake registry: `scripts = false` where the record
    /// says none (arming the gained-script check), a note and no approval where it
    /// has hooks, `scripts = true` with --allow-scripts.
    #[test]
    fn allowlist_add_records_what_the_registry_says() {
        let server = MockServer::start();
        for (name, file) in [
            ("bufferutil", "install-scripts/registry/bufferutil.json"),
            ("left-pad", "registry/npm/left-pad.json"),
        ] {
            let body = std::fs::read(fixtures().join(file)).unwrap();
            server.mock(move |when, then| {
                when.method(GET).path(format!("/npm/{name}"));
                then.status(200)
                    .header("content-type", "application/json")
                    .body(body);
            });
        }
        let dir = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let add = |args: &[&str]| {
            let o = crate::support::lockgate()
                .args(["allowlist", "add", "npm"])
                .args(args)
                .current_dir(dir.path())
                .env("LOCKGATE_CACHE_DIR", cache.path())
                .env("LOCKGATE_NPM_REGISTRY", server.url("/npm/"))
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&o.stderr).into_owned();
            assert_eq!(o.status.code(), Some(0), "{err}");
            err
        };
        let pin_line = |name: &str, version: &str| -> String {
            let text = std::fs::read_to_string(dir.path().join("allowlist.toml")).unwrap();
            let table = text
                .find(&format!("[npm.{name}]"))
                .unwrap_or_else(|| panic!("{text}"));
            text[table..]
                .lines()
                .find(|l| l.starts_with(&format!("versions.\"{version}\"")))
                .unwrap_or_else(|| panic!("{text}"))
                .to_string()
        };
        add(&["left-pad@1.3.0"]);
        assert!(pin_line("left-pad", "1.3.0").contains("scripts = false"));
        let err = add(&["bufferutil@4.0.9"]);
        assert!(
            err.contains("runs code at install (install: node-gyp-build)"),
            "{err}"
        );
        assert!(!pin_line("bufferutil", "4.0.9").contains("scripts"));
        add(&["bufferutil@4.0.9", "--allow-scripts"]);
        assert!(pin_line("bufferutil", "4.0.9").contains("scripts = true"));
    }
}
