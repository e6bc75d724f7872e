//! The hash rule and the per-file source rules (issue 18, cases 1–4, 6 and 12), run
//! as a user would: the real binary on lockfiles made by the real package managers
//! (tests/fixtures/**), `allowlist init`, then the tampering the issue describes
//! (hand edits of a real lockfile, labelled as such), and the finding it must raise.

use std::path::{Path, PathBuf};
use std::process::Output;

mod support;
use support::copy_dir;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A scratch folder holding `p/` copied from a fixture, with an allowlist made by `init`.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new(fixture: &str) -> Scratch {
        Scratch::with(fixture, |_| {})
    }

    /// Copy the fixture, let `before` change it (what an older lockfile held), then init.
    fn with(fixture: &str, before: impl FnOnce(&Scratch)) -> Scratch {
        // --allow-scripts: this file tests the hash and source rules, not install scripts.
        Scratch::init(
            fixture,
            before,
            &["allowlist", "init", "p", "--allow-scripts"],
        )
    }

    /// Like [`Scratch::new`], approving names the name checks flag too (some hand-made
    /// fixtures use made-up names that look like popular ones; this file tests the
    /// hash and source rules, not the name gate).
    fn forced(fixture: &str) -> Scratch {
        let args = [
            "allowlist",
            "init",
            "p",
            "--force",
            "--reason",
            "test fixture",
            "--allow-scripts",
        ];
        Scratch::init(fixture, |_| {}, &args)
    }

    fn init(fixture: &str, before: impl FnOnce(&Scratch), args: &[&str]) -> Scratch {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&fixtures().join(fixture), &dir.path().join("p"));
        let s = Scratch { dir };
        before(&s);
        let o = s.run(args);
        assert_eq!(o.status.code(), Some(0), "{fixture}: init: {}", stderr(&o));
        s
    }

    fn run(&self, args: &[&str]) -> Output {
        support::lockgate()
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap()
    }

    /// Replace the one occurrence of `old` in `p/<file>` by `new`.
    fn edit(&self, file: &str, old: &str, new: &str) {
        let p = self.dir.path().join("p").join(file);
        let text = std::fs::read_to_string(&p).unwrap();
        assert_eq!(text.matches(old).count(), 1, "{old} in {file}");
        std::fs::write(p, text.replace(old, new)).unwrap();
    }

    /// The 1-based line where the one occurrence of `needle` in `p/<file>` starts.
    fn line_of(&self, file: &str, needle: &str) -> usize {
        let text = std::fs::read_to_string(self.dir.path().join("p").join(file)).unwrap();
        let hits: Vec<usize> = text
            .match_indices(needle)
            .map(|(i, _)| text[..i].matches('\n').count() + 1)
            .collect();
        assert_eq!(hits.len(), 1, "{needle} in {file}: {hits:?}");
        hits[0]
    }

    /// `check --format json`: the exit code and every finding as (id, name, line).
    fn check(&self) -> (i32, Vec<(String, String, usize)>) {
        let o = self.run(&["check", "p", "--format", "json"]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&o), stderr(&o)));
        let findings = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["id"].as_str().unwrap().to_string(),
                    f["name"].as_str().unwrap_or("").to_string(),
                    f["line"].as_u64().unwrap_or(0) as usize,
                )
            })
            .collect();
        (o.status.code().unwrap(), findings)
    }

    /// Exit 1 with a finding `id` for `name` at `line`.
    fn assert_finding(&self, id: &str, name: &str, line: usize) {
        let (code, findings) = self.check();
        assert_eq!(code, 1, "{findings:?}");
        assert!(
            findings
                .iter()
                .any(|(i, n, l)| i == id && n == name && *l == line),
            "no {id} for {name} at line {line}: {findings:?}"
        );
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// An SRI sha512 token no registry published (64 bytes of 0xab).
const OTHER_SHA512_SRI: &str = "sha512-q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urqw==";

fn other_sha512_hex() -> String {
    "ab".repeat(64)
}

#[test]
fn every_real_fixture_passes_after_init() {
    let mut seen = 0;
    for eco in ["npm", "pypi", "cargo"] {
        for format in std::fs::read_dir(fixtures().join(eco)).unwrap() {
            let format = format.unwrap().path();
            if !format.is_dir() {
                continue;
            }
            for case in std::fs::read_dir(&format).unwrap() {
                let case = case.unwrap().path();
                let name = case.file_name().unwrap().to_str().unwrap();
                // Made by the real tools only: malformed input and hand edits (which
                // may hold settings the installer-config check rightly reports) are
                // tested where their behaviour is the point.
                if !case.is_dir() || name == "malformed" || name.starts_with("hand") {
                    continue;
                }
                let rel = case.strip_prefix(fixtures()).unwrap().to_str().unwrap();
                let (code, findings) = Scratch::forced(rel).check();
                let new_rules = [
                    "hash-mismatch",
                    "hash-not-pinned",
                    "weak-pin",
                    "unverified-source",
                    "foreign-artifact",
                    "source-not-allowed",
                ];
                let hits: Vec<_> = findings
                    .iter()
                    .filter(|(id, _, _)| new_rules.contains(&id.as_str()))
                    .collect();
                assert_eq!((code, hits), (0, Vec::new()), "{rel}: {findings:?}");
                seen += 1;
            }
        }
    }
    assert!(seen >= 25, "only {seen} fixtures");
}

/// Case 1: pip installs a file that matches any listed hash.
#[test]
fn requirements_extra_sha512_hash_is_not_pinned() {
    let s = Scratch::new("pypi/requirements/pip-compile");
    s.edit(
        "requirements.txt",
        "annotated-types==0.8.0 \\",
        &format!(
            "annotated-types==0.8.0 --hash=sha512:{} \\",
            other_sha512_hex()
        ),
    );
    let line = s.line_of("requirements.txt", "annotated-types==0.8.0");
    s.assert_finding("hash-not-pinned", "annotated-types", line);
}

/// Case 2: the pin is sha1 (from an old lockfile); the PR keeps it and adds a sha512
/// token, the only one npm verifies.
#[test]
fn package_lock_sha1_pin_with_an_added_sha512_is_a_weak_pin() {
    let sha512 = "sha512-PYAthTa2m2VKxuvSD3DPC/Gy+U+sOA1LAuT8mkmRuvw+NACSaeXEQ+NHcVF7rONl6qcaxV3Uuemwawk+7+SJLw==";
    let sha1 = "sha1-C/C+EltnAUrcsLCSHmLbe//hay4=";
    let s = Scratch::with("npm/package-lock/v3", |s| {
        s.edit("package-lock.json", sha512, sha1)
    });
    assert_eq!(s.check(), (0, Vec::new()), "the sha1 pin matches");
    s.edit(
        "package-lock.json",
        &format!("\"{sha1}\""),
        &format!("\"{sha1} {OTHER_SHA512_SRI}\""),
    );
    let line = s.line_of("package-lock.json", "\"node_modules/accepts\"");
    s.assert_finding("weak-pin", "accepts", line);
}

/// Case 3: `<pinned>?\u00a0sha512-<other>` is two tokens to ssri.
#[test]
fn a_digest_after_question_mark_and_nbsp_is_read() {
    let pinned = "sha512-PYAthTa2m2VKxuvSD3DPC/Gy+U+sOA1LAuT8mkmRuvw+NACSaeXEQ+NHcVF7rONl6qcaxV3Uuemwawk+7+SJLw==";
    // (fixture, file, entry, lead, quote): yarn classic needs quotes around a value
    // with a space in it (lockgate refuses the unquoted form as a parse error).
    for (fixture, file, entry, lead, quote) in [
        (
            "npm/package-lock/v3",
            "package-lock.json",
            "\"node_modules/accepts\"",
            "\"",
            "",
        ),
        (
            "npm/yarn-classic/workspace",
            "yarn.lock",
            "accepts@~1.3.8:",
            " ",
            "\"",
        ),
        (
            "npm/pnpm/v9-pnpm10",
            "pnpm-lock.yaml",
            "  accepts@1.3.8:\n    resolution",
            " ",
            "",
        ),
    ] {
        let s = Scratch::new(fixture);
        s.edit(
            file,
            &format!("{lead}{pinned}"),
            &format!("{lead}{quote}{pinned}?\u{a0}{OTHER_SHA512_SRI}{quote}"),
        );
        let line = s.line_of(file, entry);
        s.assert_finding("hash-mismatch", "accepts", line);
    }
}

/// Case 4: a second wheel with a sha512 hash, on another host.
#[test]
fn uv_second_wheel_with_a_foreign_url_and_a_sha512() {
    let s = Scratch::new("pypi/uv/project");
    let wheel = "    { url = \"https://files.pythonhosted.org/packages/58/a2/bb081bab032533a855d44de1d56f8e8426114ff1ba5d1f07a438a0a654f8/idna-3.20-py3-none-any.whl\"";
    s.edit(
        "uv.lock",
        wheel,
        &format!(
            "    {{ url = \"https://evil.test/idna-3.20-py2-none-any.whl\", hash = \"sha512:{}\", size = 1 }},\n{wheel}",
            other_sha512_hex()
        ),
    );
    let entry = s.line_of("uv.lock", "version = \"3.20\"") - 2;
    let file = s.line_of("uv.lock", "https://evil.test/");
    let (code, findings) = s.check();
    assert_eq!(code, 1);
    assert!(
        findings.contains(&("hash-not-pinned".into(), "idna".into(), entry)),
        "{findings:?}"
    );
    assert!(
        findings.contains(&("source-not-allowed".into(), "idna".into(), file)),
        "{findings:?}"
    );
}

/// A wheel without a hash is an artifact the pin cannot approve; a wheel of another
/// package on PyPI's own host is a foreign artifact.
#[test]
fn uv_unhashed_or_foreign_wheels() {
    let wheel = "    { url = \"https://files.pythonhosted.org/packages/58/a2/bb081bab032533a855d44de1d56f8e8426114ff1ba5d1f07a438a0a654f8/idna-3.20-py3-none-any.whl\"";
    let s = Scratch::new("pypi/uv/project");
    s.edit(
        "uv.lock",
        wheel,
        &format!(
            "    {{ url = \"https://files.pythonhosted.org/packages/00/idna-3.20-py2-none-any.whl\", size = 1 }},\n{wheel}"
        ),
    );
    let entry = s.line_of("uv.lock", "version = \"3.20\"") - 2;
    s.assert_finding("hash-not-pinned", "idna", entry);

    let s = Scratch::new("pypi/uv/project");
    s.edit(
        "uv.lock",
        "/idna-3.20-py3-none-any.whl\"",
        "/six-1.16.0-py2.py3-none-any.whl\"",
    );
    let file = s.line_of("uv.lock", "six-1.16.0-py2.py3-none-any.whl");
    s.assert_finding("foreign-artifact", "idna", file);
}

/// pylock.toml: every wheel's URL is held to the policy, not only the first one's.
#[test]
fn pylock_second_wheel_on_another_host() {
    let s = Scratch::new("pypi/pylock/pip-lock");
    s.edit(
        "pylock.toml",
        "[[packages]]\nname = \"anyio\"",
        &format!(
            "[[packages.wheels]]\nname = \"annotated_types-0.8.0-py2-none-any.whl\"\nurl = \"https://evil.test/annotated_types-0.8.0-py2-none-any.whl\"\n\n[packages.wheels.hashes]\nsha512 = \"{}\"\n\n[[packages]]\nname = \"anyio\"",
            other_sha512_hex()
        ),
    );
    let entry = s.line_of("pylock.toml", "name = \"annotated-types\"");
    let (code, findings) = s.check();
    assert_eq!(code, 1);
    for id in ["hash-not-pinned", "source-not-allowed"] {
        assert!(
            findings.contains(&(id.into(), "annotated-types".into(), entry)),
            "{id}: {findings:?}"
        );
    }
}

/// Case 6: yarn classic installs whatever `resolved` points to.
#[test]
fn yarn_classic_resolved_to_another_package() {
    let s = Scratch::new("npm/yarn-classic/workspace");
    s.edit(
        "yarn.lock",
        "\"https://registry.yarnpkg.com/accepts/-/accepts-1.3.8.tgz#0bf0be125b67014adcb0b0921e62db7bffe16b2e\"",
        "\"https://registry.yarnpkg.com/array-flatten/-/array-flatten-1.1.1.tgz#0bf0be125b67014adcb0b0921e62db7bffe16b2e\"",
    );
    let line = s.line_of("yarn.lock", "array-flatten-1.1.1.tgz#0bf0");
    s.assert_finding("foreign-artifact", "accepts", line);
}

/// pnpm's `tarball` and bun's tarball element name their package too.
#[test]
fn pnpm_and_bun_tarballs_of_another_package() {
    let s = Scratch::new("npm/pnpm/v9-pnpm10");
    let integrity = "sha512-PYAthTa2m2VKxuvSD3DPC/Gy+U+sOA1LAuT8mkmRuvw+NACSaeXEQ+NHcVF7rONl6qcaxV3Uuemwawk+7+SJLw==";
    s.edit(
        "pnpm-lock.yaml",
        &format!("{{integrity: {integrity}}}"),
        &format!("{{integrity: {integrity}, tarball: https://registry.npmjs.org/array-flatten/-/array-flatten-1.1.1.tgz}}"),
    );
    let line = s.line_of("pnpm-lock.yaml", "  accepts@1.3.8:\n    resolution");
    s.assert_finding("foreign-artifact", "accepts", line);

    let s = Scratch::new("npm/bun/v1");
    s.edit(
        "bun.lock",
        "[\"left-pad@1.3.0\", \"\",",
        "[\"left-pad@1.3.0\", \"https://registry.npmjs.org/is-odd/-/is-odd-3.0.1.tgz\",",
    );
    let line = s.line_of("bun.lock", "\"left-pad\": [\"left-pad@1.3.0\"");
    let (code, findings) = s.check();
    assert_eq!(code, 1, "{findings:?}");
    assert!(
        findings.iter().any(|(id, n, l)| n == "left-pad"
            && *l == line
            && (id == "foreign-artifact" || id == "source-not-allowed")),
        "{findings:?}"
    );
}

/// Case 12: a version pinned by hash, taken from a path.
#[test]
fn cargo_pinned_version_from_a_path_is_unverified() {
    let s = Scratch::new("cargo/cargo-lock/v4");
    s.edit(
        "Cargo.lock",
        "name = \"aho-corasick\"\nversion = \"1.1.5\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"c982642fa9e8606056828ee9a8505737230110bb1099153c79efe865c59d12ba\"\n",
        "name = \"aho-corasick\"\nversion = \"1.1.5\"\n",
    );
    let line = s.line_of("Cargo.lock", "name = \"aho-corasick\"") - 1;
    s.assert_finding("unverified-source", "aho-corasick", line);
}

/// pdm.lock: a file with its own URL on another host, another package's name and an
/// unpinned sha512.
#[test]
fn pdm_extra_file_of_another_package_on_another_host() {
    let s = Scratch::new("pypi/pdm/project");
    let first = "    {file = \"annotated_types-0.8.0-py3-none-any.whl\"";
    s.edit(
        "pdm.lock",
        first,
        &format!(
            "    {{url = \"https://evil.test/six-1.16.0-py2.py3-none-any.whl\", file = \"six-1.16.0-py2.py3-none-any.whl\", hash = \"sha512:{}\"}},\n{first}",
            other_sha512_hex()
        ),
    );
    let entry = s.line_of("pdm.lock", "name = \"annotated-types\"") - 1;
    let file = s.line_of("pdm.lock", "https://evil.test/");
    let (code, findings) = s.check();
    assert_eq!(code, 1);
    for f in [
        ("hash-not-pinned", entry),
        ("source-not-allowed", file),
        ("foreign-artifact", file),
    ] {
        assert!(
            findings.contains(&(f.0.into(), "annotated-types".into(), f.1)),
            "{f:?}: {findings:?}"
        );
    }
}

/// poetry.lock names files without URLs: the name must still be the entry's.
#[test]
fn poetry_file_of_another_package() {
    let s = Scratch::new("pypi/poetry/v2");
    let first = "    {file = \"idna-3.20-py3-none-any.whl\"";
    s.edit(
        "poetry.lock",
        first,
        &format!(
            "    {{file = \"six-1.16.0-py2.py3-none-any.whl\", hash = \"sha256:{}\"}},\n{first}",
            "cd".repeat(32)
        ),
    );
    let entry = s.line_of("poetry.lock", "name = \"idna\"\nversion") - 1;
    let file = s.line_of("poetry.lock", "six-1.16.0-py2.py3-none-any.whl");
    let (code, findings) = s.check();
    assert_eq!(code, 1);
    assert!(
        findings.contains(&("hash-mismatch".into(), "idna".into(), entry)),
        "{findings:?}"
    );
    assert!(
        findings.contains(&("foreign-artifact".into(), "idna".into(), file)),
        "{findings:?}"
    );
}

/// Pipfile.lock: one more hash of another algorithm is one more file pip accepts.
#[test]
fn pipfile_extra_sha512_is_not_pinned() {
    let s = Scratch::new("pypi/pipfile/pipenv");
    let first = "                \"sha256:a7db850025b95ded1eae8a46181a1a6c56c92c96f0e2b005d9ff8dc0210cab44\",";
    s.edit(
        "Pipfile.lock",
        first,
        &format!(
            "                \"sha512:{}\",\n{first}",
            other_sha512_hex()
        ),
    );
    let entry = s.line_of("Pipfile.lock", "\"idna\": {");
    s.assert_finding("hash-not-pinned", "idna", entry);
}
