//! `install-script` where a version is chosen, against a local fake npm registry that
//! serves the recorded packument tests/fixtures/install-scripts/registry/bufferutil.json
//! (bufferutil 4.0.9 declares `"install": "node-gyp-build"`; see the README there) and
//! tests/fixtures/registry/npm/left-pad.json (no install hook):
//!
//! - `allowlist add` refuses a version whose script is *gained* (the package's other
//!   approved versions say `scripts = false`) or contradicts its own pin, unless
//!   `--force --reason`; a version with a hook that is not gained is pinned without
//!   `scripts = true` and stderr says that `check` will report it;
//! - `lockgate name --online`, the MCP name tool (`--online`) and `guard --online`
//!   report the registry's hooks for an exact version the allowlist does not approve
//!   with `scripts = true`, at the severity of `[policy] install-scripts` (the guard
//!   refuses an error, prints a warning and runs, passes `allow`).
//!
//! The allowlists are written by the tests: the hashes are bufferutil's real
//! integrities from the recorded packument; `scripts = false` on 4.0.8 is the
//! allowlist's (hand-written) record, which is what the gained-script rule reads.

mod support;

use httpmock::prelude::*;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The fake npm registry under /npm/.
fn fake_registry() -> MockServer {
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
    server
}

/// The real integrity of bufferutil `version` in the recorded packument.
fn integrity(version: &str) -> String {
    let doc: serde_json::Value = serde_json::from_slice(
        &std::fs::read(fixtures().join("install-scripts/registry/bufferutil.json")).unwrap(),
    )
    .unwrap();
    doc["versions"][version]["dist"]["integrity"]
        .as_str()
        .unwrap()
        .to_string()
}

struct Cli {
    dir: tempfile::TempDir,
    cache: tempfile::TempDir,
    registry: String,
}

impl Cli {
    fn new(server: &MockServer) -> Cli {
        Cli {
            dir: tempfile::tempdir().unwrap(),
            cache: tempfile::tempdir().unwrap(),
            registry: server.url("/npm/"),
        }
    }

    fn command(&self) -> Command {
        let mut c = support::lockgate();
        c.current_dir(self.dir.path())
            .env("LOCKGATE_NPM_REGISTRY", &self.registry)
            .env("LOCKGATE_CACHE_DIR", self.cache.path())
            .env("LOCKGATE_RETRIES", "0")
            .env_remove("LOCKGATE_ALLOWLIST");
        c
    }

    /// (exit code, stdout, stderr).
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let o = self.command().args(args).output().unwrap();
        (
            o.status.code().expect("killed by a signal"),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    }

    fn allowlist(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("allowlist.toml")).unwrap_or_default()
    }

    fn set_allowlist(&self, text: &str) {
        std::fs::write(self.dir.path().join("allowlist.toml"), text).unwrap();
    }
}

/// An allowlist: `policy` lines, then bufferutil's pins `(version, extra)`.
fn allowlist(policy: &str, pins: &[(&str, &str)]) -> String {
    let mut s = format!("[policy]\n{policy}\n[npm.bufferutil]\n");
    for (v, extra) in pins {
        s.push_str(&format!(
            "versions.\"{v}\" = {{ hashes = [\"{}\"]{extra} }}\n",
            integrity(v)
        ));
    }
    s
}

#[test]
fn add_refuses_a_gained_script_unless_forced() {
    let server = fake_registry();
    let cli = Cli::new(&server);
    let before = allowlist("", &[("4.0.8", ", scripts = false")]);
    cli.set_allowlist(&before);

    // Gained: refused, nothing written, and the fix named.
    let (code, _, err) = cli.run(&["allowlist", "add", "npm", "bufferutil@4.0.9"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("error: npm bufferutil@4.0.9 gained code that runs at install (the registry's record says install: node-gyp-build); its approved versions 4.0.8 have none (`scripts = false`) [install-script]"),
        "{err}"
    );
    assert!(
        err.contains("rerun with --allow-scripts --force --reason \"why\""),
        "{err}"
    );
    assert!(err.contains("refused: bufferutil@4.0.9"), "{err}");
    assert_eq!(cli.allowlist(), before);

    // --allow-scripts alone does not approve a gained script.
    let (code, _, err) = cli.run(&[
        "allowlist",
        "add",
        "npm",
        "bufferutil@4.0.9",
        "--allow-scripts",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("rerun with --force --reason"), "{err}");
    assert_eq!(cli.allowlist(), before);

    // After review: --force --reason writes it, says so, and approves the script.
    let (code, _, err) = cli.run(&[
        "allowlist",
        "add",
        "npm",
        "bufferutil@4.0.9",
        "--allow-scripts",
        "--force",
        "--reason",
        "reviewed node-gyp-build",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("warning: npm bufferutil@4.0.9 gained code"),
        "{err}"
    );
    let text = cli.allowlist();
    let pin = text
        .lines()
        .find(|l| l.starts_with("versions.\"4.0.9\""))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(pin.contains("scripts = true"), "{text}");

    // A pin that says `scripts = false` while the registry shows a hook: refused too.
    let before = allowlist("", &[("4.0.9", ", scripts = false")]);
    cli.set_allowlist(&before);
    let (code, _, err) = cli.run(&["allowlist", "add", "npm", "bufferutil@4.0.9"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("but its allowlist pin says `scripts = false` [install-script]"),
        "{err}"
    );
    assert_eq!(cli.allowlist(), before);
}

#[test]
fn add_of_a_hook_that_is_not_gained_pins_it_and_says_check_will_report_it() {
    let server = fake_registry();
    let cli = Cli::new(&server);
    let (code, _, err) = cli.run(&["allowlist", "add", "npm", "bufferutil@4.0.9"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("warning: npm bufferutil@4.0.9 runs code at install (install: node-gyp-build); it is pinned WITHOUT `scripts = true`, so `lockgate check` reports it as `install-script`"),
        "{err}"
    );
    assert!(err.contains("rerun with --allow-scripts"), "{err}");
    assert!(!err.contains("[install-script]"), "not refused: {err}");
    let text = cli.allowlist();
    let pin = text
        .lines()
        .find(|l| l.starts_with("versions.\"4.0.9\""))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(!pin.contains("scripts"), "{text}");
}

/// `name --online --format json`: (exit code, the install-script findings'
/// (severity, message) of each name).
fn name_scripts(cli: &Cli, specs: &[&str]) -> (i32, Vec<Vec<(String, String)>>) {
    let mut args = vec!["name", "--online", "--format", "json", "npm"];
    args.extend_from_slice(specs);
    let (code, out, err) = cli.run(&args);
    let v: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    let per = v["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            n["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["id"] == "install-script")
                .map(|f| {
                    (
                        f["severity"].as_str().unwrap().to_string(),
                        f["message"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .collect();
    (code, per)
}

#[test]
fn name_online_reports_the_registry_hooks_at_the_policy_severity() {
    let server = fake_registry();
    let cli = Cli::new(&server);

    // No allowlist: the default policy (warn); a version without a hook and a name
    // without a version have none.
    let (code, found) = name_scripts(&cli, &["bufferutil@4.0.9", "left-pad@1.3.0", "bufferutil"]);
    assert_eq!(code, 0, "{found:?}");
    assert_eq!(found[0].len(), 1, "{found:?}");
    assert_eq!(found[0][0].0, "warn");
    assert!(
        found[0][0]
            .1
            .contains("bufferutil@4.0.9 runs code at install (the registry's record says install: node-gyp-build)"),
        "{found:?}"
    );
    assert!(found[1].is_empty(), "{found:?}");
    assert!(found[2].is_empty(), "{found:?}");

    // install-scripts = "deny" and a pin without `scripts = true`: deny, exit 1.
    cli.set_allowlist(&allowlist("install-scripts = \"deny\"", &[("4.0.9", "")]));
    let (code, found) = name_scripts(&cli, &["bufferutil@4.0.9"]);
    assert_eq!(code, 1, "{found:?}");
    assert_eq!(found[0][0].0, "deny", "{found:?}");

    // `scripts = true` approves it.
    cli.set_allowlist(&allowlist(
        "install-scripts = \"deny\"",
        &[("4.0.9", ", scripts = true")],
    ));
    let (code, found) = name_scripts(&cli, &["bufferutil@4.0.9"]);
    assert_eq!(code, 0, "{found:?}");
    assert!(found[0].is_empty(), "{found:?}");

    // `allow` lets it through; a gained script is denied whatever the policy.
    cli.set_allowlist(&allowlist(
        "install-scripts = \"allow\"",
        &[("4.0.8", ", scripts = false")],
    ));
    let (code, found) = name_scripts(&cli, &["bufferutil@4.0.9", "bufferutil@4.0.8"]);
    assert_eq!(code, 1, "{found:?}");
    assert_eq!(found[0][0].0, "deny", "{found:?}");
    assert!(found[0][0].1.contains("gained code"), "{found:?}");
    // 4.0.8's own pin says `scripts = false`, and the registry shows a hook.
    assert!(
        found[1][0]
            .1
            .contains("its allowlist pin says `scripts = false`"),
        "{found:?}"
    );

    // Offline, nothing is asked and nothing is said about scripts.
    let (_, out, err) = cli.run(&["name", "--format", "json", "npm", "bufferutil@4.0.9"]);
    assert!(!out.contains("install-script"), "{out}{err}");
}

#[test]
fn guard_online_refuses_an_unapproved_install_script_by_policy() {
    let server = fake_registry();
    let cli = Cli::new(&server);
    let guard = |dry_run: bool| {
        let mut args = vec!["guard", "--online"];
        if dry_run {
            args.push("--dry-run");
        }
        args.extend_from_slice(&["--", "npm", "install", "bufferutil@4.0.9"]);
        cli.run(&args)
    };

    // deny: refused before npm runs (no --dry-run: the refusal never starts npm).
    cli.set_allowlist(&allowlist("install-scripts = \"deny\"", &[("4.0.9", "")]));
    let (code, _, err) = guard(false);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("refused `npm install bufferutil@4.0.9` (nothing was installed)"),
        "{err}"
    );
    assert!(
        err.contains("install-script: bufferutil@4.0.9 runs code at install (the registry's record says install: node-gyp-build)"),
        "{err}"
    );
    assert!(err.contains("--allow-scripts"), "{err}");

    // A missing key is `warn`: said on stderr, and the command runs.
    cli.set_allowlist(&allowlist("", &[("4.0.9", "")]));
    let (code, _, err) = guard(true);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("lockgate guard: warning: bufferutil@4.0.9  install-script:"),
        "{err}"
    );
    assert!(err.contains("1 package approved"), "{err}");

    // allow: silent.
    cli.set_allowlist(&allowlist("install-scripts = \"allow\"", &[("4.0.9", "")]));
    let (code, _, err) = guard(true);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("install-script"), "{err}");

    // scripts = true: approved.
    cli.set_allowlist(&allowlist(
        "install-scripts = \"deny\"",
        &[("4.0.9", ", scripts = true")],
    ));
    let (code, _, err) = guard(true);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("install-script"), "{err}");

    // A gained script: refused whatever the policy.
    cli.set_allowlist(&allowlist(
        "install-scripts = \"allow\"",
        &[("4.0.8", ", scripts = false")],
    ));
    let mut args = vec!["guard", "--online", "--dry-run", "--"];
    args.extend_from_slice(&["npm", "install", "bufferutil@4.0.9"]);
    let (code, _, err) = cli.run(&args);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("gained code that runs at install"), "{err}");
}

/// The MCP server (`lockgate mcp --online`) driven over stdio with raw JSON-RPC
/// lines: the name tool reports the same `install-script` finding as `name --online`.
#[test]
fn mcp_name_tool_online_reports_install_scripts() {
    let server = fake_registry();
    let cli = Cli::new(&server);
    cli.set_allowlist(&allowlist("install-scripts = \"deny\"", &[("4.0.9", "")]));
    let mut child = cli
        .command()
        .args(["mcp", "--online"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut send = |v: serde_json::Value| {
        writeln!(stdin, "{v}").unwrap();
        stdin.flush().unwrap();
    };
    let mut wait_for = |id: i64| -> serde_json::Value {
        for line in lines.by_ref() {
            let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            if v["id"] == id {
                return v;
            }
        }
        panic!("the server closed stdout before answering request {id}");
    };
    send(
        serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-03-26", "capabilities": {},
        "clientInfo": {"name": "lockgate-test", "version": "0"}}}),
    );
    wait_for(1);
    send(serde_json::json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    send(
        serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
        "name": "check_package_names",
        "arguments": {"ecosystem": "npm", "packages": ["bufferutil@4.0.9"], "online": true}}}),
    );
    let answer = wait_for(2);
    // EOF on stdin ends the server.
    drop(stdin);
    let _ = child.wait();
    let names = &answer["result"]["structuredContent"]["names"];
    assert_eq!(names[0]["verdict"], "deny", "{answer}");
    let f = names[0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "install-script")
        .unwrap_or_else(|| panic!("{answer}"));
    assert_eq!(f["severity"], "deny", "{answer}");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("install: node-gyp-build"),
        "{answer}"
    );
}
