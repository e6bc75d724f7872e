//! Publisher evidence and `trust-downgrade` against a local fake registry serving the
//! answers in tests/fixtures/registry/trust/served (derived by make.py from the real
//! answers in recorded/, see the README there): `allowlist add` refuses a downgrade, a
//! repository or provider change and a provenance statement about another artifact,
//! and records the publisher of what it approves; `check --online`, `name --online` and
//! `guard --online` report the same; pylock.toml's attestation identities are read
//! offline.

mod support;

use httpmock::prelude::*;
use lockgate::registry::publisher::{Level, npm, pypi};
use std::path::{Path, PathBuf};

fn trust() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/registry/trust")
}

fn served(name: &str) -> String {
    std::fs::read_to_string(trust().join("served").join(name)).unwrap()
}

/// The fake registry: npm under /npm/, PyPI under /pypi/ (and its Integrity API under
/// /integrity/), the cargo index under /cargo/ and the crates.io API under /api/.
fn fake_registry() -> MockServer {
    let server = MockServer::start();
    let base = server.base_url();
    let npm_base = format!("{base}/npm/");
    let packument =
        served("npm-playwright-cli.json").replace("https://registry.npmjs.org/", &npm_base);
    server.mock(|when, then| {
        when.method(GET).path("/npm/@playwright%2fcli");
        then.status(200)
            .header("content-type", "application/json")
            .body(packument);
    });
    for v in ["0.1.0", "0.1.1", "0.1.4"] {
        let body = served(&format!("npm-attestations-{v}.json"));
        server.mock(move |when, then| {
            when.method(GET)
                .path(format!("/npm/-/npm/v1/attestations/@playwright%2fcli@{v}"));
            then.status(200)
                .header("content-type", "application/json")
                .body(body);
        });
    }
    let page = served("pypi-pypi-attestations.json")
        .replace("https://pypi.org/integrity/", &format!("{base}/integrity/"));
    server.mock(|when, then| {
        when.method(GET).path("/pypi/pypi-attestations/");
        then.status(200)
            .header("content-type", "application/vnd.pypi.simple.v1+json")
            .body(page);
    });
    let prov = served("pypi-provenance-0.0.19.json");
    server.mock(|when, then| {
        when.method(GET)
            .path("/integrity/pypi-attestations/0.0.19/pypi_attestations-0.0.19.tar.gz/provenance")
            .header("accept", pypi::INTEGRITY_ACCEPT);
        then.status(200)
            .header("content-type", pypi::INTEGRITY_ACCEPT)
            .body(prov);
    });
    let versions = served("crates-foo-versions.json");
    // The sparse index file of `foo` (HAND-WRITTEN from the API answer's versions and
    // checksums: the index is not what is under test here).
    let list: serde_json::Value = serde_json::from_str(&versions).unwrap();
    let index: String = list["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            format!(
                "{{\"name\":\"foo\",\"vers\":\"{}\",\"deps\":[],\"cksum\":\"{}\",\"features\":{{}},\"yanked\":false}}\n",
                v["num"].as_str().unwrap(),
                v["checksum"].as_str().unwrap()
            )
        })
        .collect();
    server.mock(|when, then| {
        when.method(GET).path("/cargo/3/f/foo");
        then.status(200).body(index);
    });
    server.mock(|when, then| {
        when.method(GET).path("/api/v1/crates/foo/versions");
        then.status(200)
            .header("content-type", "application/json")
            .body(versions);
    });
    server
}

struct Cli {
    dir: tempfile::TempDir,
    cache: tempfile::TempDir,
    base: String,
}

impl Cli {
    fn new(server: &MockServer) -> Cli {
        Cli {
            dir: tempfile::tempdir().unwrap(),
            cache: tempfile::tempdir().unwrap(),
            base: server.base_url(),
        }
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = support::lockgate()
            .args(args)
            .current_dir(self.dir.path())
            .env(
                "LOCKGATE_CARGO_INDEX",
                format!("sparse+{}/cargo/", self.base),
            )
            .env("LOCKGATE_CRATES_API", &self.base)
            .env("LOCKGATE_NPM_REGISTRY", format!("{}/npm/", self.base))
            .env("LOCKGATE_PYPI_INDEX", format!("{}/pypi/", self.base))
            .env("LOCKGATE_CACHE_DIR", self.cache.path())
            .env("LOCKGATE_RETRIES", "0")
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn allowlist(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("allowlist.toml")).unwrap_or_default()
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.dir.path().join(name), text).unwrap();
    }
}

fn ids(json: &str) -> Vec<(String, String)> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const PINNED_NPM: &str = "publisher = { kind = \"github\", repository = \"microsoft/playwright-cli\", workflow = \"publish.yml\" }";

#[test]
fn npm_add_records_the_publisher_and_refuses_downgrade_repository_change_and_foreign_subject() {
    let server = fake_registry();
    let cli = Cli::new(&server);
    // 0.1.1: trusted publisher with provenance from microsoft/playwright-cli: approved,
    // and its publisher written beside the pin.
    let (code, _, err) = cli.run(&[
        "allowlist",
        "add",
        "npm",
        "@playwright/cli@0.1.1",
        "--by",
        "sec",
    ]);
    assert_eq!(code, 0, "{err}");
    let text = cli.allowlist();
    assert!(text.contains(PINNED_NPM), "{text}");
    assert!(err.contains("publisher of npm @playwright/cli@0.1.1: github microsoft/playwright-cli workflow publish.yml"), "{err}");
    // 0.0.61, published after 0.1.1 with a token: a downgrade, refused, nothing written.
    let (code, _, err) = cli.run(&["allowlist", "add", "npm", "@playwright/cli@0.0.61"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("[trust-downgrade]"), "{err}");
    assert!(
        err.contains("was published with no publisher evidence, but 0.1.1, published before it, had trusted publisher"),
        "{err}"
    );
    assert!(!cli.allowlist().contains("0.0.61"));
    // 0.1.0: provenance from another repository than the pinned one.
    let (code, _, err) = cli.run(&["allowlist", "add", "npm", "@playwright/cli@0.1.0"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("repository `attacker/playwright-cli` instead of `microsoft/playwright-cli`"),
        "{err}"
    );
    assert!(!cli.allowlist().contains("0.1.0\""));
    // 0.1.4: its attestation's subject is 0.1.1's tarball, not 0.1.4's.
    let (code, _, err) = cli.run(&["allowlist", "add", "npm", "@playwright/cli@0.1.4"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("does not name the artifact being pinned"),
        "{err}"
    );
    // --force with a reason approves after review (a warning, not an error).
    let (code, _, err) = cli.run(&[
        "allowlist",
        "add",
        "npm",
        "@playwright/cli@0.0.61",
        "--force",
        "--reason",
        "checked with upstream",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("warning: npm @playwright/cli@0.0.61 was published with"),
        "{err}"
    );
    assert!(cli.allowlist().contains("0.0.61"));
}

#[test]
fn check_name_and_guard_report_the_same_downgrades_online() {
    let server = fake_registry();
    let cli = Cli::new(&server);
    let (code, _, err) = cli.run(&["allowlist", "add", "npm", "@playwright/cli@0.1.1"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = cli.run(&["allowlist", "add", "pypi", "pypi-attestations@0.0.19"]);
    assert_eq!(code, 0, "{err}");

    // check --online: a lockfile (HAND-WRITTEN, minimal package-lock v3) naming the
    // version from another repository, and a requirements file naming the release
    // published without provenance after one with it (ultralytics' second round).
    let packument: serde_json::Value =
        serde_json::from_str(&served("npm-playwright-cli.json")).unwrap();
    let integrity = packument["versions"]["0.1.0"]["dist"]["integrity"]
        .as_str()
        .unwrap();
    cli.write(
        "package-lock.json",
        &format!(
            r#"{{
  "name": "app",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {{
    "": {{ "name": "app", "dependencies": {{ "@playwright/cli": "0.1.0" }} }},
    "node_modules/@playwright/cli": {{
      "version": "0.1.0",
      "resolved": "https://registry.npmjs.org/@playwright/cli/-/cli-0.1.0.tgz",
      "integrity": "{integrity}"
    }}
  }}
}}
"#
        ),
    );
    cli.write(
        "package.json",
        "{\"name\":\"app\",\"dependencies\":{\"@playwright/cli\":\"0.1.0\"}}\n",
    );
    cli.write(
        "requirements.txt",
        "pypi-attestations==0.0.20 --hash=sha256:f57534ec6ce6dd8596be083ad186d700f5e905c3e2a645fc31ddfd0a2b1d32ea\n",
    );
    let (code, out, err) = cli.run(&["check", "--online", "--format", "json"]);
    assert_eq!(code, 1, "{out}{err}");
    let found = ids(&out);
    let trust: Vec<&String> = found
        .iter()
        .filter(|(id, _)| id == "trust-downgrade")
        .map(|(_, m)| m)
        .collect();
    assert!(
        trust
            .iter()
            .any(|m| m.contains("@playwright/cli@0.1.0") && m.contains("attacker/playwright-cli")),
        "{found:?}"
    );
    assert!(
        trust.iter().any(|m| m.starts_with(
            "pypi-attestations@0.0.20 was published with no publisher evidence, but 0.0.19"
        )),
        "{found:?}"
    );

    // name --online: the same verdicts for an agent or a developer asking first.
    let (code, out, err) = cli.run(&[
        "name",
        "--online",
        "--format",
        "json",
        "npm",
        "@playwright/cli@0.0.61",
        "@playwright/cli@0.1.1",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["names"][0]["verdict"], "deny", "{out}");
    assert_eq!(
        v["names"][0]["findings"][0]["id"], "trust-downgrade",
        "{out}"
    );
    assert_eq!(v["names"][1]["verdict"], "ok", "{out}");
    let (code, out, _) = cli.run(&[
        "name",
        "--online",
        "--format",
        "json",
        "npm",
        "@playwright/cli@0.1.0",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("instead of `microsoft/playwright-cli`"),
        "{out}"
    );

    // guard --online: refused before the installer runs; the approved version passes.
    let (code, _, err) = cli.run(&[
        "guard",
        "--online",
        "--dry-run",
        "--",
        "npm",
        "install",
        "@playwright/cli@0.0.61",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("trust-downgrade"), "{err}");
    let (code, _, err) = cli.run(&[
        "guard",
        "--online",
        "--dry-run",
        "--",
        "npm",
        "install",
        "@playwright/cli@0.1.1",
    ]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn pypi_and_crates_publishers_are_recorded_and_changes_refused() {
    let server = fake_registry();
    let cli = Cli::new(&server);
    let (code, _, err) = cli.run(&["allowlist", "add", "pypi", "pypi-attestations@0.0.19"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        cli.allowlist().contains("publisher = { kind = \"github\", repository = \"trailofbits/pypi-attestations\", workflow = \"release.yml\" }"),
        "{}",
        cli.allowlist()
    );
    let (code, _, err) = cli.run(&["allowlist", "add", "pypi", "pypi-attestations@0.0.20"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("[trust-downgrade]"), "{err}");
    // 0.0.18 was published before any release had provenance: not a downgrade.
    let (code, _, err) = cli.run(&["allowlist", "add", "pypi", "pypi-attestations@0.0.18"]);
    assert_eq!(code, 0, "{err}");

    let (code, _, err) = cli.run(&["allowlist", "add", "cargo", "foo@1.1.0"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        cli.allowlist()
            .contains("publisher = { kind = \"github\", repository = \"rust-lang/foo-rs\" }"),
        "{}",
        cli.allowlist()
    );
    // 1.2.0: published by a user's token after a trusted publisher release.
    let (code, _, err) = cli.run(&["allowlist", "add", "cargo", "foo@1.2.0"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("foo@1.2.0 was published with no publisher evidence, but 1.1.0"),
        "{err}"
    );
    // 1.3.0: a trusted publisher, but on GitLab where the pin says GitHub.
    let (code, _, err) = cli.run(&["allowlist", "add", "cargo", "foo@1.3.0"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("kind `gitlab` instead of `github`"), "{err}");
}

#[test]
fn recorded_statements_name_their_artifacts() {
    // npm: the real attestations of @playwright/cli 0.1.1 name its tarball's sha512
    // and the workflow that built it.
    let att =
        std::fs::read(trust().join("recorded/npm-playwright-cli-0.1.1.attestations.json")).unwrap();
    let sha512 = "f64d7565f0f001f3150c322e1155b55afb3c4a80cd5c863574d43ef42f7f492f199849647317acbb97a82fbbcd6bdea7b626d419aab54ccdaa428aaf765fc8f6";
    let st = npm::parse_attestations(&att, Some(sha512)).unwrap();
    assert!(st.mismatches.is_empty(), "{:?}", st.mismatches);
    assert_eq!(
        st.workflow,
        Some((
            "https://github.com/microsoft/playwright-cli".to_string(),
            ".github/workflows/publish.yml".to_string()
        ))
    );
    assert_eq!(st.predicate_types.len(), 2);
    let other = format!("{}00", &sha512[..126]);
    let st = npm::parse_attestations(&att, Some(&other)).unwrap();
    assert_eq!(
        st.mismatches.len(),
        2,
        "both statements name another tarball"
    );

    // PyPI: the real provenance of pypi_attestations-0.0.19.tar.gz.
    let prov =
        std::fs::read(trust().join("recorded/pypi_attestations-0.0.19.tar.gz.provenance")).unwrap();
    let sdist = "9bb1add04b1b4e182be6b0b80931593f7a291eb49d69b4fd728a5d4cbcdc4bd3";
    let (id, mism) = pypi::parse_provenance(&prov, Some(sdist), "sdist").unwrap();
    let id = id.unwrap();
    assert_eq!(
        (
            id.kind.as_str(),
            id.repository.as_deref(),
            id.workflow.as_deref()
        ),
        (
            "github",
            Some("trailofbits/pypi-attestations"),
            Some("release.yml")
        )
    );
    assert!(mism.is_empty(), "{mism:?}");
    let (_, mism) = pypi::parse_provenance(&prov, Some(&sdist.replace('9', "8")), "sdist").unwrap();
    assert_eq!(mism.len(), 1);

    // The packument levels: staged > trusted publisher > provenance > none.
    let doc = npm::parse_packument(served("npm-playwright-cli.json").as_bytes()).unwrap();
    assert_eq!(doc.versions["0.1.1"].rank(), Level::TrustedPublisher);
    assert_eq!(doc.versions["0.0.61"].rank(), Level::None);
    assert!(Level::Staged > Level::TrustedPublisher && Level::TrustedPublisher > Level::Provenance);
}

#[test]
fn pylock_attestation_identities_are_checked_offline() {
    let dir = tempfile::tempdir().unwrap();
    let sdist = "9bb1add04b1b4e182be6b0b80931593f7a291eb49d69b4fd728a5d4cbcdc4bd3";
    std::fs::write(
        dir.path().join("allowlist.toml"),
        format!(
            "schema = 1\n\n[pypi.pypi-attestations]\nversions.\"0.0.19\" = {{ hashes = [\"sha256:{sdist}\"], publisher = {{ kind = \"github\", repository = \"trailofbits/pypi-attestations\", workflow = \"release.yml\" }} }}\n"
        ),
    )
    .unwrap();
    // HAND-WRITTEN pylock.toml (PEP 751 shape; pip and uv do not write
    // attestation-identities yet).
    let lock = |repository: &str| {
        format!(
            r#"lock-version = "1.0"
created-by = "hand-written test input"

[[packages]]
name = "pypi-attestations"
version = "0.0.19"
sdist = {{ name = "pypi_attestations-0.0.19.tar.gz", url = "https://files.pythonhosted.org/packages/c5/4d/a114bdd186903426bd9c1e9c3700761ec5eaac260fa3dfdef14bf84b751b/pypi_attestations-0.0.19.tar.gz", hashes = {{ sha256 = "{sdist}" }} }}

[[packages.attestation-identities]]
kind = "GitHub"
repository = "{repository}"
workflow = "release.yml"
"#
        )
    };
    let run = || {
        support::lockgate()
            .args(["check", "--format", "json"])
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    std::fs::write(
        dir.path().join("pylock.toml"),
        lock("trailofbits/pypi-attestations"),
    )
    .unwrap();
    let o = run();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::write(
        dir.path().join("pylock.toml"),
        lock("someone/pypi-attestations"),
    )
    .unwrap();
    let o = run();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(1), "{out}");
    let found = ids(&out);
    assert!(
        found.iter().any(|(id, m)| id == "trust-downgrade"
            && m.contains("github someone/pypi-attestations workflow release.yml")
            && m.contains("trailofbits/pypi-attestations")),
        "{found:?}"
    );
    // A malformed identity (no kind) fails closed.
    std::fs::write(
        dir.path().join("pylock.toml"),
        lock("x/y").replace("kind = \"GitHub\"\n", ""),
    )
    .unwrap();
    let o = run();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(2), "{out}");
    let found = ids(&out);
    assert!(
        found.iter().any(|(id, m)| id == "parse-error"
            && m.contains("attestation-identities")
            && m.contains("`kind`")),
        "{found:?}"
    );
}

#[test]
fn suggest_online_records_publishers_and_flags_downgrades() {
    let server = fake_registry();
    let cli = Cli::new(&server);
    cli.write("allowlist.toml", "schema = 1\n");
    cli.write(
        "requirements.txt",
        "pypi-attestations==0.0.19 --hash=sha256:9bb1add04b1b4e182be6b0b80931593f7a291eb49d69b4fd728a5d4cbcdc4bd3\n",
    );
    let (code, _, err) = cli.run(&["allowlist", "suggest", "--online", "--write", "--by", "sec"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        cli.allowlist().contains("publisher = { kind = \"github\", repository = \"trailofbits/pypi-attestations\", workflow = \"release.yml\" }"),
        "{}",
        cli.allowlist()
    );
    cli.write(
        "requirements.txt",
        "pypi-attestations==0.0.20 --hash=sha256:f57534ec6ce6dd8596be083ad186d700f5e905c3e2a645fc31ddfd0a2b1d32ea\n",
    );
    let (code, _, err) = cli.run(&["allowlist", "suggest", "--online", "--write"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("[trust-downgrade]") && err.contains("refused"),
        "{err}"
    );
    assert!(!cli.allowlist().contains("0.0.20"));
}

#[test]
fn evidence_is_cached_per_version_within_the_ttl() {
    let server = MockServer::start();
    let packument = served("npm-playwright-cli.json").replace(
        "https://registry.npmjs.org/",
        &format!("{}/npm/", server.base_url()),
    );
    let doc = server.mock(|when, then| {
        when.method(GET).path("/npm/@playwright%2fcli");
        then.status(200)
            .header("content-type", "application/json")
            .body(packument);
    });
    let att = server.mock(|when, then| {
        when.method(GET)
            .path("/npm/-/npm/v1/attestations/@playwright%2fcli@0.1.1");
        then.status(200)
            .header("content-type", "application/json")
            .body(served("npm-attestations-0.1.1.json"));
    });
    let cli = Cli::new(&server);
    for _ in 0..2 {
        let (code, out, err) = cli.run(&[
            "name",
            "--online",
            "--format",
            "json",
            "npm",
            "@playwright/cli@0.1.1",
        ]);
        assert_eq!(code, 0, "{out}{err}");
    }
    assert_eq!(att.calls(), 1, "the second run answers from the cache");
    // The name lookup is cached by the registry client, the evidence by its own record:
    // two document requests on the cold run (one each), none on the warm one.
    assert_eq!(doc.calls(), 2);
}
