//! Installer configuration committed in the repository (`.npmrc`, `.yarnrc.yml`,
//! `.cargo/config.toml`, `[tool.uv]`…) is input: `lockgate check` holds the registry
//! it names to the policy, refuses settings that turn verification off, and fails
//! closed on a file it cannot read. Run as a user would: the real binary, on the
//! real-tool projects of tests/fixtures/e2e, with an allowlist made by
//! `lockgate allowlist init` so that the run passes until the configuration changes.

use std::path::{Path, PathBuf};
use std::process::Output;

mod support;
use support::copy_dir;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/e2e")
}

/// A scratch folder (not a git repository) with `project/` copied from a fixture and
/// `allowlist.toml` pinning everything its lockfile holds.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new(fixture: &str) -> Repo {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&fixtures().join(fixture), &dir.path().join("project"));
        let repo = Repo { dir };
        let out = repo.run(&[
            "allowlist",
            "init",
            "--allowlist",
            "allowlist.toml",
            "project",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = repo.check();
        assert_eq!(out.status.code(), Some(0), "baseline: {}", text(&out));
        repo
    }
    fn run(&self, args: &[&str]) -> Output {
        support::lockgate()
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap()
    }
    fn check(&self) -> Output {
        self.run(&["check", "--allowlist", "allowlist.toml", "project"])
    }
    fn check_json(&self) -> (Option<i32>, serde_json::Value) {
        let out = self.run(&[
            "check",
            "--allowlist",
            "allowlist.toml",
            "--format",
            "json",
            "project",
        ]);
        let v =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)));
        (out.status.code(), v)
    }
    fn write(&self, rel: &str, content: &str) {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
    fn set_policy_registries(&self, list: &str) {
        let p = self.dir.path().join("allowlist.toml");
        let t = std::fs::read_to_string(&p).unwrap();
        let new = t.replace("registries = []", &format!("registries = {list}"));
        assert_ne!(t, new);
        std::fs::write(p, new).unwrap();
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// (id, file, line) of every finding.
fn findings(v: &serde_json::Value) -> Vec<(String, String, u64)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_string(),
                f["lockfile"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn one(id: &str, file: &str, line: u64) -> Vec<(String, String, u64)> {
    vec![(id.to_string(), file.to_string(), line)]
}

#[test]
fn npmrc_registry_to_another_host_fails_naming_the_line() {
    let repo = Repo::new("npm-before");
    repo.write(
        "project/.npmrc",
        "# the mirror\nregistry=http://other-host/\n",
    );
    let out = repo.check();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("project/.npmrc:2"), "{t}");
    assert!(t.contains("registry-not-allowed"), "{t}");
    assert!(t.contains("http://other-host/"), "{t}");
    let (code, v) = repo.check_json();
    assert_eq!(code, Some(1));
    assert_eq!(
        findings(&v),
        one("registry-not-allowed", "project/.npmrc", 2)
    );
}

#[test]
fn npmrc_above_the_project_is_read_too() {
    let repo = Repo::new("npm-before");
    repo.write(
        ".npmrc",
        "@acme:registry=https://npm.acme.example.attacker.test/\n",
    );
    let (code, v) = repo.check_json();
    assert_eq!(code, Some(1));
    assert_eq!(findings(&v), one("registry-not-allowed", ".npmrc", 1));
}

#[test]
fn allowed_registry_passes_and_look_alikes_do_not() {
    let repo = Repo::new("npm-before");
    repo.set_policy_registries(r#"["https://npm.acme.example/"]"#);
    for ok in [
        "registry=https://npm.acme.example/\n",
        "registry=https://NPM.acme.example:443/npm/\n",
        "registry=https://registry.npmjs.org/\n",
    ] {
        repo.write("project/.npmrc", ok);
        let out = repo.check();
        assert_eq!(out.status.code(), Some(0), "{ok}: {}", text(&out));
    }
    // Case 11 of issue 18: the spellings a text-prefix match admitted.
    for bad in [
        "registry=https://npm.acme.example.attacker.test/\n",
        "registry=https://npm.acme.example-mirror.test/\n",
        "registry=https://npm.acme.example@other-host/\n",
        "registry=http://npm.acme.example/\n",
    ] {
        repo.write("project/.npmrc", bad);
        let (code, v) = repo.check_json();
        assert_eq!(code, Some(1), "{bad}");
        assert_eq!(
            findings(&v),
            one("registry-not-allowed", "project/.npmrc", 1),
            "{bad}"
        );
    }
}

#[test]
fn verification_switched_off_is_an_error() {
    let repo = Repo::new("npm-before");
    repo.write(
        "project/.yarnrc.yml",
        "nodeLinker: node-modules\nchecksumBehavior: ignore\n",
    );
    let (code, v) = repo.check_json();
    assert_eq!(code, Some(1));
    assert_eq!(
        findings(&v),
        one("verification-disabled", "project/.yarnrc.yml", 2)
    );
    repo.write("project/.yarnrc.yml", "checksumBehavior: throw\n");
    repo.write("project/.npmrc", "strict-ssl=false\n");
    let (code, v) = repo.check_json();
    assert_eq!(code, Some(1));
    assert_eq!(
        findings(&v),
        one("verification-disabled", "project/.npmrc", 1)
    );
}

#[test]
fn cargo_source_replacement_to_an_unlisted_registry() {
    let repo = Repo::new("cargo-before");
    repo.write(
        "project/.cargo/config.toml",
        "[source.crates-io]\nreplace-with = \"mirror\"\n\n[source.mirror]\nregistry = \"sparse+https://crates.attacker.test/index/\"\n",
    );
    let (code, v) = repo.check_json();
    assert_eq!(code, Some(1));
    assert_eq!(
        findings(&v),
        one("registry-not-allowed", "project/.cargo/config.toml", 5)
    );
    // The same mirror, allowed by the policy, passes.
    repo.set_policy_registries(r#"["https://crates.attacker.test/index/"]"#);
    let out = repo.check();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn cargo_vendored_directory_needs_path_sources() {
    let repo = Repo::new("cargo-before");
    repo.write(
        "project/.cargo/config.toml",
        "[source.crates-io]\nreplace-with = \"vendored\"\n[source.vendored]\ndirectory = \"vendor\"\n",
    );
    let (code, v) = repo.check_json();
    assert_eq!(code, Some(1));
    assert_eq!(
        findings(&v),
        one("registry-not-allowed", "project/.cargo/config.toml", 4)
    );
}

#[test]
fn uv_index_url_in_pyproject() {
    let repo = Repo::new("uv-before");
    let p = repo.dir.path().join("project/pyproject.toml");
    let mut t = std::fs::read_to_string(&p).unwrap();
    t.push_str("\n[tool.uv]\nindex-url = \"https://pypi.attacker.test/simple\"\n");
    let line = t.lines().position(|l| l.starts_with("index-url")).unwrap() as u64 + 1;
    std::fs::write(&p, t).unwrap();
    let (code, v) = repo.check_json();
    assert_eq!(code, Some(1));
    assert_eq!(
        findings(&v),
        one("registry-not-allowed", "project/pyproject.toml", line)
    );
}

#[test]
fn uv_toml_pointing_at_pypi_passes() {
    let repo = Repo::new("uv-before");
    repo.write(
        "project/uv.toml",
        "index-url = \"https://pypi.org/simple\"\n",
    );
    let out = repo.check();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn malformed_config_fails_closed_with_exit_2() {
    for (file, content, line) in [
        (
            "project/.yarnrc.yml",
            "nodeLinker: node-modules\nnpmRegistryServer: [\n",
            None,
        ),
        (
            "project/.npmrc",
            "registry=https://registry.npmjs.org/\n[broken\n",
            Some(2),
        ),
        (
            "project/bunfig.toml",
            "[install\nregistry = \"x\"\n",
            Some(1),
        ),
    ] {
        let repo = Repo::new("npm-before");
        repo.write(file, content);
        let (code, v) = repo.check_json();
        assert_eq!(code, Some(2), "{file}");
        assert_eq!(v["complete"], false);
        let f = findings(&v);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!((f[0].0.as_str(), f[0].1.as_str()), ("parse-error", file));
        if let Some(l) = line {
            assert_eq!(f[0].2, l, "{file}");
        }
    }
}

#[test]
fn malformed_policy_registry_is_an_allowlist_error() {
    let repo = Repo::new("npm-before");
    repo.set_policy_registries(r#"["https://user:token@npm.acme.example/"]"#);
    let out = repo.check();
    assert_eq!(out.status.code(), Some(2));
    let t = text(&out);
    assert!(t.contains("allowlist.toml:"), "{t}");
    assert!(t.contains("user name or password"), "{t}");
}
