//! The allowlist as a control a security team can sign off (issue 11), run as a
//! team would: the real binary, real git repositories in scratch folders, and
//! lockfiles made by npm (tests/fixtures/e2e, generate-e2e.sh and
//! generate-governance.sh; `npm-typo` is npm-before after `npm install expresss`,
//! a typo of express). Where a test changes a lockfile by hand (a known-malicious
//! version), it says so: that is the adversarial input.

use httpmock::prelude::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

mod support;
use support::copy_dir;

const SEC: &str = "Security Team <sec@acme.example>";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/e2e")
        .join(name)
}

/// A git repository in a scratch folder, holding `project/` from a fixture.
struct Repo {
    dir: tempfile::TempDir,
    cache: tempfile::TempDir,
}

impl Repo {
    fn new(fixture_name: &str) -> Repo {
        let r = Repo {
            dir: tempfile::tempdir().unwrap(),
            cache: tempfile::tempdir().unwrap(),
        };
        copy_dir(&fixture(fixture_name), &r.path("project"));
        r.git(&["init", "-q"]);
        r.git(&["config", "user.name", "Dev Eloper"]);
        r.git(&["config", "user.email", "dev@acme.example"]);
        r.git(&["config", "commit.gpgsign", "false"]);
        r
    }
    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }
    fn git(&self, args: &[&str]) -> String {
        let o = Command::new("git")
            .args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    }
    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }
    fn run_in(&self, sub: &str, args: &[&str]) -> Output {
        let o = support::lockgate()
            .args(args)
            .current_dir(self.path(sub))
            .env("LOCKGATE_CACHE_DIR", self.cache.path())
            .output()
            .unwrap();
        assert_ne!(o.status.code(), Some(101), "panic: {}", err(&o));
        o
    }
    fn run(&self, args: &[&str]) -> Output {
        self.run_in("", args)
    }
    fn read(&self, p: &str) -> String {
        std::fs::read_to_string(self.path(p)).unwrap()
    }
    fn write(&self, p: &str, text: &str) {
        std::fs::write(self.path(p), text).unwrap();
    }
    fn replace_project(&self, fixture_name: &str) {
        std::fs::remove_dir_all(self.path("project")).unwrap();
        copy_dir(&fixture(fixture_name), &self.path("project"));
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("killed by a signal")
}
fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Finding ids (with names) of `check --format json`.
fn ids(o: &Output) -> Vec<(String, String)> {
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", out(o)));
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_string(),
                f["name"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn has(ids: &[(String, String)], id: &str, name: &str) -> bool {
    ids.iter().any(|(i, n)| i == id && n == name)
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The repository after the security team's first allowlist, committed.
fn baseline() -> Repo {
    let r = Repo::new("npm-before");
    let o = r.run(&[
        "allowlist",
        "init",
        "project",
        "--by",
        SEC,
        "--ticket",
        "SEC-1",
        "--reason",
        "baseline",
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    r.commit("security: first allowlist (SEC-1)");
    r
}

#[test]
fn a_change_goes_through_the_whole_loop() {
    let r = baseline();
    let before = r.read("allowlist.toml");

    // 1. A developer adds `expresss` (npm made the lockfile): refused.
    r.replace_project("npm-typo");
    let o = r.run(&["check", "project", "--format", "json"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    let found = ids(&o);
    assert!(has(&found, "unlisted", "expresss"), "{found:?}");
    assert!(has(&found, "similar-name", "expresss"), "{found:?}");

    // `check` in a subfolder finds the repository's allowlist (it does not advise init).
    let o = r.run_in("project", &["check", "."]);
    assert_eq!(code(&o), 1, "{}{}", out(&o), err(&o));
    assert!(!err(&o).contains("allowlist init"), "{}", err(&o));
    assert!(out(&o).contains("expresss"), "{}", out(&o));

    // 2. `suggest` proposes it, marked as flagged.
    let o = r.run(&["allowlist", "suggest", "project"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(out(&o).contains("[npm.expresss]"), "{}", out(&o));
    assert!(
        out(&o).contains("# FLAGGED expresss@0.0.0 [similar-name]"),
        "{}",
        out(&o)
    );
    // The job summary (markdown) carries the same mark.
    let o = r.run(&["check", "project", "--format", "markdown"]);
    assert!(out(&o).contains("FLAGGED expresss@0.0.0"), "{}", out(&o));

    // 3. A flagged name cannot be written without --force --reason.
    let o = r.run(&["allowlist", "suggest", "--write", "project"]);
    assert_ne!(code(&o), 0);
    assert!(err(&o).contains("--force --reason"), "{}", err(&o));
    let o = r.run(&["allowlist", "suggest", "--write", "--force", "project"]);
    assert_eq!(code(&o), 2, "--force needs --reason: {}", err(&o));
    assert_eq!(r.read("allowlist.toml"), before, "nothing was written");

    // 4. A time-boxed exception for the name check, which then expires.
    let o = r.run(&[
        "allowlist",
        "except",
        "npm",
        "expresss@0.0.0",
        "similar-name",
        "--until",
        "2999-12-31",
        "--reason",
        "placeholder package, reviewed",
        "--ticket",
        "SEC-78",
        "--by",
        SEC,
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let o = r.run(&["check", "project", "--format", "json"]);
    let found = ids(&o);
    assert!(
        !has(&found, "similar-name", "expresss"),
        "waived: {found:?}"
    );
    assert!(
        has(&found, "unlisted", "expresss"),
        "an exception is no approval: {found:?}"
    );
    let o = r.run(&["allowlist", "exceptions"]);
    assert!(out(&o).contains("in force until 2999-12-31"), "{}", out(&o));
    // time passes: the exception's last day is behind us
    let text = r.read("allowlist.toml").replace("2999-12-31", "2001-01-31");
    r.write("allowlist.toml", &text);
    let o = r.run(&["check", "project", "--format", "json"]);
    let found = ids(&o);
    assert!(
        has(&found, "similar-name", "expresss"),
        "applies again: {found:?}"
    );
    assert!(has(&found, "exception-expired", "expresss"), "{found:?}");
    let o = r.run(&["check", "project"]);
    assert!(out(&o).contains("expired on 2001-01-31"), "{}", out(&o));
    let o = r.run(&["allowlist", "exceptions"]);
    assert!(out(&o).contains("EXPIRED on 2001-01-31"), "{}", out(&o));
    // an expired exception does not open the gate either
    let o = r.run(&["allowlist", "suggest", "--write", "project"]);
    assert_ne!(code(&o), 0, "{}", err(&o));
    r.write("allowlist.toml", &before);

    // 5. The security team approves it with a ticket, and commits.
    let o = r.run(&[
        "allowlist",
        "suggest",
        "--write",
        "--force",
        "project",
        "--by",
        SEC,
        "--ticket",
        "SEC-77",
        "--reason",
        "npm security placeholder, no code",
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(
        err(&o).contains("similar-name"),
        "the override is said: {}",
        err(&o)
    );
    let text = r.read("allowlist.toml");
    assert!(
        text.contains("[npm.expresss]\nversions.\"0.0.0\" = { hashes = [\"sha512-dnfKMF9CM+MRGXD58Ul3T+neY+5C9i4CaT5sEEOvIWxdueyk7TiFIzauAOFnxmMZAdio5uak7M3FDcr+B9A8xg==\"], approved = { by = \"Security Team <sec@acme.example>\", on = "),
        "per-version approval, SRI pin like the lockfile: {text}"
    );
    assert!(text.contains("ticket = \"SEC-77\""), "{text}");
    r.commit("security: approve expresss 0.0.0 (SEC-77)");
    let o = r.run(&["check", "project"]);
    assert_eq!(code(&o), 0, "{}", out(&o));

    // 6. `why` shows who, when, why, the ticket and the commit.
    let o = r.run(&["allowlist", "why", "npm", "expresss@0.0.0"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let why = out(&o);
    assert!(
        why.contains("by:     Security Team <sec@acme.example>"),
        "{why}"
    );
    assert!(why.contains("ticket: SEC-77"), "{why}");
    assert!(
        why.contains("reason: npm security placeholder, no code"),
        "{why}"
    );
    assert!(
        why.contains("approve expresss 0.0.0 (SEC-77)"),
        "the commit: {why}"
    );
    // the older approvals keep theirs
    let o = r.run(&["allowlist", "why", "npm", "chalk"]);
    assert!(out(&o).contains("ticket: SEC-1"), "{}", out(&o));
    // 7. and `log` says what changed since the first allowlist
    let first = r.git(&["rev-list", "--max-parents=0", "HEAD"]);
    let o = r.run(&["allowlist", "log", "--since", first.trim()]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(out(&o).contains("+ npm expresss@0.0.0"), "{}", out(&o));
    assert!(out(&o).contains("SEC-77"), "{}", out(&o));

    // 8. The organisation's shared allowlist, pinned by sha256, changed upstream.
    std::fs::create_dir_all(r.path("org")).unwrap();
    let shared = r.read("allowlist.toml");
    r.write("org/shared.toml", &shared);
    let pin = sha256(shared.as_bytes());
    r.write(
        "allowlist.toml",
        &format!("schema = 1\nextends = [{{ path = \"org/shared.toml\", sha256 = \"{pin}\" }}]\n"),
    );
    let o = r.run(&["check", "project"]);
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    let o = r.run(&["allowlist", "why", "npm", "expresss@0.0.0"]);
    assert!(
        out(&o).contains("org/shared.toml"),
        "which file approved it: {}",
        out(&o)
    );
    // upstream loosens its policy: refused until the pin is updated
    r.write(
        "org/shared.toml",
        &shared.replace("unlisted = \"deny\"", "unlisted = \"allow\""),
    );
    let o = r.run(&["check", "project"]);
    assert_eq!(code(&o), 2, "{}", out(&o));
    assert!(err(&o).contains("allowlist.toml:2"), "{}", err(&o));
    assert!(
        err(&o).contains("the shared allowlist changed"),
        "{}",
        err(&o)
    );
    let o = r.run(&["allowlist", "extends"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(out(&o).contains("CHANGED  org/shared.toml"), "{}", out(&o));
    let o = r.run(&["allowlist", "extends", "--update"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let o = r.run(&["check", "project"]);
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    // the local file adds stricter policy on top of the shared one
    let local = r.read("allowlist.toml");
    r.write(
        "allowlist.toml",
        &format!("{local}\n[policy]\nunlisted = \"deny\"\n"),
    );
    r.replace_project("npm-after");
    let o = r.run(&["check", "project", "--format", "json"]);
    assert!(has(&ids(&o), "unlisted", "left-pad"), "{}", out(&o));
    // and prune never touches the shared file
    let o = r.run(&["allowlist", "prune", "."]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(
        r.read("org/shared.toml"),
        shared.replace("unlisted = \"deny\"", "unlisted = \"allow\"")
    );
}

#[test]
fn init_never_pins_a_known_malicious_or_flagged_version() {
    let r = Repo::new("npm-typo");
    // Adversarial: the lockfile claims chalk 5.6.1, the phished release.
    let lock = r
        .read("project/package-lock.json")
        .replace("\"version\": \"4.1.2\"", "\"version\": \"5.6.1\"");
    r.write("project/package-lock.json", &lock);
    let o = r.run(&["allowlist", "init", "project"]);
    assert_eq!(code(&o), 1, "{}", err(&o));
    assert!(err(&o).contains("known-malicious"), "{}", err(&o));
    let text = r.read("allowlist.toml");
    assert!(!text.contains("\n[npm.chalk]"), "{text}");
    assert!(text.contains("# [npm.chalk]"), "commented out: {text}");
    assert!(text.contains("#   known-malicious:"), "{text}");
    assert!(!text.contains("\n[npm.expresss]"), "{text}");
    assert!(text.contains("#   similar-name:"), "{text}");
    // --by defaults to the git committer identity
    assert!(
        text.contains("by = \"Dev Eloper <dev@acme.example>\""),
        "{text}"
    );
    let o = r.run(&["check", "project"]);
    assert_eq!(code(&o), 1, "{}", out(&o));

    // --force --reason approves the flagged name, never the malicious version.
    let o = r.run(&[
        "allowlist",
        "init",
        "--force",
        "--reason",
        "checked",
        "project",
    ]);
    assert_eq!(code(&o), 1, "{}", err(&o));
    let text = r.read("allowlist.toml");
    assert!(text.contains("\n[npm.expresss]"), "{text}");
    assert!(!text.contains("\n[npm.chalk]"), "{text}");
}

#[test]
fn suggest_write_and_add_refuse_known_malicious_even_with_force() {
    let r = Repo::new("npm-before");
    let o = r.run(&["allowlist", "init", "project"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let before = r.read("allowlist.toml");
    // Adversarial: the lockfile moves chalk to the malicious 5.6.1.
    let lock = r
        .read("project/package-lock.json")
        .replace("\"version\": \"4.1.2\"", "\"version\": \"5.6.1\"");
    r.write("project/package-lock.json", &lock);
    let o = r.run(&["allowlist", "suggest", "project"]);
    assert!(
        out(&o).contains("FLAGGED chalk@5.6.1 [known-malicious]"),
        "{}",
        out(&o)
    );
    let o = r.run(&[
        "allowlist",
        "suggest",
        "--write",
        "--force",
        "--reason",
        "x",
        "project",
    ]);
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(err(&o).contains("never approved"), "{}", err(&o));
    // `add` refuses it before asking any registry, even for a listed name.
    let o = r.run(&[
        "allowlist",
        "add",
        "npm",
        "chalk@5.6.1",
        "--force",
        "--reason",
        "x",
        "--offline",
    ]);
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(err(&o).contains("known-malicious"), "{}", err(&o));
    let o = r.run(&["allowlist", "add", "npm", "expresss@0.0.0", "--offline"]);
    assert_ne!(code(&o), 0);
    assert!(err(&o).contains("[similar-name]"), "{}", err(&o));
    // an exception cannot waive it either
    let o = r.run(&[
        "allowlist",
        "except",
        "npm",
        "chalk@5.6.1",
        "known-malicious",
        "--until",
        "2999-01-01",
        "--reason",
        "x",
    ]);
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert_eq!(r.read("allowlist.toml"), before);
    // and a hand-written one is refused at load, naming the line
    r.write(
        "allowlist.toml",
        &format!("{before}\n[[exception]]\necosystem = \"npm\"\nname = \"chalk\"\nfinding = \"hash-mismatch\"\nby = \"x\"\nreason = \"x\"\nuntil = 2999-01-01\n"),
    );
    let o = r.run(&["check", "project"]);
    assert_eq!(code(&o), 2);
    let line = before.lines().count() + 5;
    assert!(
        err(&o).contains(&format!(
            "allowlist.toml:{line}: `hash-mismatch` can never be waived"
        )),
        "{}",
        err(&o)
    );
}

#[test]
fn deny_records_who_and_the_lock_stays_out_of_the_tree() {
    let r = baseline();
    let o = r.run(&[
        "allowlist",
        "deny",
        "npm",
        "event-stream",
        "--reason",
        "flatmap-stream",
        "--ticket",
        "SEC-9",
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let text = r.read("allowlist.toml");
    assert!(
        text.contains("by = \"Dev Eloper <dev@acme.example>\""),
        "{text}"
    );
    assert!(text.contains("ticket = \"SEC-9\""), "{text}");
    let status = r.git(&["status", "--porcelain", "--untracked-files=all"]);
    assert!(!status.contains(".lock"), "{status}");
    assert_eq!(status.trim(), "M allowlist.toml", "{status}");
    let o = r.run(&["allowlist", "why", "npm", "event-stream"]);
    assert!(out(&o).contains("DENIED"), "{}", out(&o));
    assert!(out(&o).contains("SEC-9"), "{}", out(&o));
}

#[test]
fn path_crates_need_no_pin() {
    let r = Repo::new("cargo-before");
    let o = r.run(&["allowlist", "init", "project"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let text = r.read("allowlist.toml");
    assert!(!text.contains("e2e-app"), "the project's own crate: {text}");
    // bumping the project's own version needs no approval
    let lock = r.read("project/Cargo.lock");
    let bumped = lock.replace(
        "name = \"e2e-app\"\nversion = \"0.1.0\"",
        "name = \"e2e-app\"\nversion = \"0.2.0\"",
    );
    assert_ne!(bumped, lock);
    r.write("project/Cargo.lock", &bumped);
    let o = r.run(&["check", "project"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
}

#[test]
fn a_shared_allowlist_by_url_is_pinned_and_cached() {
    let r = baseline();
    let shared = r.read("allowlist.toml");
    let pin = sha256(shared.as_bytes());
    let server = MockServer::start();
    let mut mock = server.mock(|when, then| {
        when.method(GET).path("/org/allowlist.toml");
        then.status(200).body(shared.clone());
    });
    let url = server.url("/org/allowlist.toml");
    r.write(
        "allowlist.toml",
        &format!("schema = 1\nextends = [{{ url = \"{url}\", sha256 = \"{pin}\" }}]\n"),
    );
    let o = r.run(&["check", "project"]);
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    mock.assert_calls(1);
    // offline: the pinned copy comes from the cache
    mock.delete();
    let o = r.run(&["check", "project"]);
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    // on a machine without that copy, a changed upstream file is refused
    let changed = server.mock(|when, then| {
        when.method(GET).path("/org/allowlist.toml");
        then.status(200)
            .body(shared.replace("unlisted = \"deny\"", "unlisted = \"allow\""));
    });
    std::fs::remove_dir_all(r.cache.path().join("extends")).unwrap();
    let o = r.run(&["check", "project"]);
    assert_eq!(code(&o), 2, "{}", out(&o));
    assert!(
        err(&o).contains("the shared allowlist changed"),
        "{}",
        err(&o)
    );
    changed.assert_calls(1);
}

#[test]
fn add_keeps_approvals_per_version_and_refuses_a_changed_pin() {
    let r = Repo::new("npm-after");
    let o = r.run(&[
        "allowlist",
        "init",
        "project",
        "--by",
        SEC,
        "--ticket",
        "SEC-2",
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    // A fake npm registry serving the recorded left-pad packument.
    let server = MockServer::start();
    let body = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/registry/npm/left-pad.json"),
    )
    .unwrap();
    server.mock(|when, then| {
        when.method(GET).path("/npm/left-pad");
        then.status(200)
            .header("content-type", "application/json")
            .body(body);
    });
    let add = |args: &[&str]| {
        let o = support::lockgate()
            .args(["allowlist", "add", "npm"])
            .args(args)
            .current_dir(r.path(""))
            .env("LOCKGATE_CACHE_DIR", r.cache.path())
            .env("LOCKGATE_NPM_REGISTRY", server.url("/npm/"))
            .output()
            .unwrap();
        assert_ne!(o.status.code(), Some(101), "panic: {}", err(&o));
        o
    };
    // A new version gets its own approval; the old one keeps its ticket.
    let o = add(&["left-pad@1.2.0", "--by", SEC, "--ticket", "SEC-77"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let o = r.run(&["allowlist", "why", "npm", "left-pad@1.2.0"]);
    assert!(out(&o).contains("ticket: SEC-77"), "{}", out(&o));
    let o = r.run(&["allowlist", "why", "npm", "left-pad@1.3.0"]);
    assert!(out(&o).contains("ticket: SEC-2"), "{}", out(&o));

    // The pin of 1.3.0 differs from what the registry publishes now.
    let real = "sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQGinBN9yTQT3bFlCBy/aVx2HrNcqQGsdot8ghrjyrvMCoEA==";
    let fake = "sha512-AI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQGinBN9yTQT3bFlCBy/aVx2HrNcqQGsdot8ghrjyrvMCoEA==";
    let text = r.read("allowlist.toml");
    assert!(text.contains(real), "{text}");
    r.write("allowlist.toml", &text.replace(real, fake));
    let before = r.read("allowlist.toml");
    let o = add(&["left-pad@1.3.0"]);
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(
        err(&o).contains("PIN CHANGED: npm left-pad@1.3.0: from [sha512:"),
        "{}",
        err(&o)
    );
    assert!(err(&o).contains("--force --reason"), "{}", err(&o));
    assert_eq!(r.read("allowlist.toml"), before, "nothing written");
    let o = add(&[
        "left-pad@1.3.0",
        "--force",
        "--reason",
        "registry republished, SEC-90",
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(err(&o).contains("re-pinned: PIN CHANGED"), "{}", err(&o));
    let text = r.read("allowlist.toml");
    assert!(text.contains(real) && !text.contains(fake), "{text}");

    // min-age-days: every version is too new for a 100-year minimum, until an
    // exception in force waives `too-new` for that one version.
    r.write(
        "allowlist.toml",
        &text.replacen("[policy]\n", "[policy]\nmin-age-days = 36500\n", 1),
    );
    let o = add(&["left-pad@1.1.3"]);
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(
        err(&o).contains("less than min-age-days = 36500"),
        "{}",
        err(&o)
    );
    let o = r.run(&[
        "allowlist",
        "except",
        "npm",
        "left-pad@1.1.3",
        "too-new",
        "--until",
        "2999-12-31",
        "--reason",
        "urgent fix release",
        "--ticket",
        "SEC-91",
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let o = add(&["left-pad@1.1.3", "--ticket", "SEC-91"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    // the exception is for that version only
    let o = add(&["left-pad@1.1.2"]);
    assert_eq!(code(&o), 2, "{}", err(&o));
}

#[test]
fn exclude_is_relative_to_the_allowlist_wherever_lockgate_runs() {
    let r = baseline();
    // Hand-written, malformed on purpose: a fixture that is never installed.
    std::fs::create_dir_all(r.path("tests/fixtures/broken")).unwrap();
    r.write(
        "tests/fixtures/broken/package-lock.json",
        "{\"lockfileVersion\": 3, \"packages\": {",
    );
    let o = r.run(&["check", "."]);
    assert_eq!(code(&o), 2, "not excluded yet: {}", out(&o));
    let text = r.read("allowlist.toml");
    r.write(
        "allowlist.toml",
        &text.replacen(
            "schema = 1\n",
            "schema = 1\nexclude = [\"tests/fixtures\"]\n",
            1,
        ),
    );
    let o = r.run(&["check", "."]);
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    // from a subfolder, walking the whole repository
    let o = r.run_in("project", &["check", ".."]);
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
}
