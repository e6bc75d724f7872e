//! The allowlist is the security team's record. These tests run the real binary and
//! check that:
//!
//! - a command that fails (bad input, a lockfile it cannot read, an allowlist with an
//!   error) leaves the old file byte for byte, and a command killed at any moment
//!   leaves either the old or the new file, whole (atomic write: temporary file,
//!   fsync, rename);
//! - concurrent writers lose no entry (`allowlist deny` x 8, `suggest --write` x 4);
//! - comments and unknown keys survive every command that edits the file.

// A test may report what it measured or skipped.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

mod support;
use support::copy_dir;

fn e2e(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/e2e")
        .join(name)
}

fn cmd(dir: &Path, args: &[&str]) -> Command {
    let mut c = support::lockgate();
    c.args(args).current_dir(dir);
    c
}

fn run(dir: &Path, args: &[&str]) -> Output {
    cmd(dir, args).output().unwrap()
}

fn code(o: &Output) -> i32 {
    let c = o.status.code().expect("lockgate was killed by a signal");
    assert_ne!(
        c,
        101,
        "lockgate panicked: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    c
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

/// No temporary files left next to the allowlist.
fn assert_no_leftovers(dir: &Path) {
    let tmp: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(tmp.is_empty(), "temporary files left: {tmp:?}");
}

/// A scratch folder with the cargo e2e project, and an allowlist pinning it.
fn project() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&e2e("cargo-before"), &tmp.path().join("project"));
    let o = run(tmp.path(), &["allowlist", "init", "project"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    tmp
}

#[test]
fn failed_commands_leave_the_allowlist_as_it_was() {
    let tmp = project();
    let root = tmp.path();
    let list = root.join("allowlist.toml");
    let before = read(&list);
    // A lockfile that cannot be read, next to the good one.
    std::fs::create_dir_all(root.join("project/web")).unwrap();
    std::fs::write(
        root.join("project/web/package-lock.json"),
        "{\"lockfileVersion\": 3, \"packages\": {",
    )
    .unwrap();
    let failing: &[&[&str]] = &[
        &["allowlist", "init", "project", "--force"],
        &["allowlist", "suggest", "project", "--write"],
        &["allowlist", "prune", "project"],
        &["allowlist", "remove", "cargo", "no-such-crate"],
        &["allowlist", "remove", "gems", "serde"],
        &["allowlist", "deny", "nonsense", "x", "--reason", "r"],
    ];
    for args in failing {
        let o = run(root, args);
        assert_eq!(
            code(&o),
            2,
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(read(&list), before, "{args:?} changed the allowlist");
    }
    // An allowlist with an error is never rewritten (nor "repaired").
    let broken = before.replace("[policy]", "[policy]\nunlistd = \"warn\"");
    std::fs::write(&list, &broken).unwrap();
    for args in [
        &["allowlist", "deny", "cargo", "log", "--reason", "r"][..],
        &["allowlist", "remove", "cargo", "log"],
        &["allowlist", "suggest", "project", "--write"],
    ] {
        let o = run(root, args);
        assert_eq!(code(&o), 2, "{args:?}");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("unlistd"),
            "{args:?}"
        );
        assert_eq!(read(&list), broken, "{args:?} changed the broken allowlist");
    }
    assert_no_leftovers(root);
}

/// A Cargo.lock with `n` packages (for a command that runs long enough to be killed).
fn big_cargo_lock(n: usize) -> String {
    let mut s = String::from(
        "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n",
    );
    for i in 0..n {
        s.push_str(&format!(" \"crate-{i}\",\n"));
    }
    s.push_str("]\n");
    for i in 0..n {
        s.push_str(&format!(
            "\n[[package]]\nname = \"crate-{i}\"\nversion = \"1.0.{}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{:064x}\"\n",
            i % 10,
            i + 1
        ));
    }
    s
}

#[test]
fn a_killed_command_leaves_the_old_or_the_new_file_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(root.join("small")).unwrap();
    std::fs::write(root.join("small/Cargo.lock"), big_cargo_lock(10)).unwrap();
    let o = run(root, &["allowlist", "init", "small"]);
    assert_eq!(code(&o), 0);
    let list = root.join("allowlist.toml");
    let old = read(&list);
    std::fs::create_dir_all(root.join("big")).unwrap();
    std::fs::write(root.join("big/Cargo.lock"), big_cargo_lock(2500)).unwrap();
    // The new file, from a run that is not killed. The synthetic names (crate-10
    // looks like crate-1) are flagged by the name checks: approve them with
    // --force --reason, which is what this test times and kills.
    let suggest = [
        "allowlist",
        "suggest",
        "big",
        "--write",
        "--force",
        "--reason",
        "synthetic names",
    ];
    let start = std::time::Instant::now();
    let o = run(root, &suggest);
    let full = start.elapsed().as_millis() as u64;
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let new = read(&list);
    assert_ne!(old, new);
    // Kill the same command at moments spread over its run time and a bit beyond.
    let (mut saw_old, mut saw_new) = (0, 0);
    for i in 0..14u64 {
        std::fs::write(&list, &old).unwrap();
        let mut child = cmd(root, &suggest)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(full * i / 12));
        let _ = child.kill(); // SIGKILL: no chance to clean up
        let _ = child.wait();
        let now = read(&list);
        if now == old {
            saw_old += 1;
        } else if now == new {
            saw_new += 1;
        } else {
            panic!(
                "after a kill at {} ms the allowlist is neither the old nor the new file:\n{now}",
                full * i / 12
            );
        }
        // A leftover temporary file (a kill between create and rename) does not
        // disturb the next command.
        let o = run(
            root,
            &[
                "allowlist",
                "deny",
                "pypi",
                "leftover-check",
                "--reason",
                "r",
            ],
        );
        assert_eq!(code(&o), 0);
    }
    assert!(saw_old > 0, "no kill landed before the write");
    eprintln!(
        "a run takes {full} ms; killed runs: {saw_old} left the old file, {saw_new} the new one"
    );
}

#[test]
fn concurrent_writers_lose_no_entry() {
    let tmp = project();
    let root = tmp.path();
    let list = root.join("allowlist.toml");
    // 8 deny commands at once.
    let children: Vec<_> = (0..8)
        .map(|i| {
            cmd(
                root,
                &[
                    "allowlist",
                    "deny",
                    "pypi",
                    &format!("bad-name-{i}"),
                    "--reason",
                    &format!("reason {i}"),
                ],
            )
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    }
    let text = read(&list);
    for i in 0..8 {
        assert!(
            text.contains(&format!("name = \"bad-name-{i}\"")),
            "lost bad-name-{i}:\n{text}"
        );
    }
    assert_eq!(text.matches("[[deny]]").count(), 8);
    // 4 `suggest --write` from 4 different projects at once, with 4 denies mixed in.
    for (i, fixture) in ["npm-before", "uv-before", "npm-after", "uv-after"]
        .iter()
        .enumerate()
    {
        copy_dir(&e2e(fixture), &root.join(format!("p{i}")));
    }
    let mut children: Vec<_> = (0..4)
        .map(|i| {
            cmd(root, &["allowlist", "suggest", &format!("p{i}"), "--write"])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    children.extend((8..12).map(|i| {
        cmd(
            root,
            &[
                "allowlist",
                "deny",
                "npm",
                &format!("bad-{i}"),
                "--reason",
                "r",
            ],
        )
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
    }));
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    }
    // Every project now passes: nothing any writer added was lost.
    for i in 0..4 {
        let o = run(root, &["check", &format!("p{i}")]);
        assert_eq!(code(&o), 0, "p{i}: {}", String::from_utf8_lossy(&o.stdout));
    }
    let o = run(root, &["check", "project"]);
    assert_eq!(code(&o), 0);
    let text = read(&list);
    assert_eq!(text.matches("[[deny]]").count(), 12, "{text}");
    assert_no_leftovers(root);
}

#[test]
fn comments_and_unknown_keys_survive_every_command() {
    let tmp = project();
    let root = tmp.path();
    let list = root.join("allowlist.toml");
    let text = read(&list);
    // Add the team's own comments and keys everywhere lockgate allows them.
    let text = format!("# TEAM-HEADER: owned by security@\n{text}")
        .replace("[policy]", "# TEAM-POLICY-COMMENT\n[policy]")
        .replace("unlisted = \"deny\"", "unlisted = \"deny\" # TEAM-INLINE")
        .replace("[cargo.serde]", "# TEAM-SERDE-COMMENT\n[cargo.serde]\nowner = \"TEAM-UNKNOWN-KEY\"\nreview = { date = 2026-01-01, note = \"TEAM-NESTED\" }");
    std::fs::write(&list, &text).unwrap();
    let markers = [
        "# TEAM-HEADER: owned by security@",
        "# TEAM-POLICY-COMMENT",
        "# TEAM-INLINE",
        "# TEAM-SERDE-COMMENT",
        "owner = \"TEAM-UNKNOWN-KEY\"",
        "TEAM-NESTED",
    ];
    copy_dir(&e2e("npm-before"), &root.join("web"));
    let commands: &[&[&str]] = &[
        &["allowlist", "suggest", "web", "--write"],
        &[
            "allowlist",
            "suggest",
            "web",
            "--write",
            "--by",
            "sec",
            "--ticket",
            "SEC-1",
            "--reason",
            "ok",
        ],
        &[
            "allowlist",
            "deny",
            "pypi",
            "huggingface-cli",
            "--reason",
            "hallucinated",
        ],
        &[
            "allowlist",
            "deny",
            "pypi",
            "huggingface-cli",
            "--reason",
            "changed",
            "--version",
            "1.0",
        ],
        &["allowlist", "remove", "cargo", "log"],
        &["allowlist", "prune", "project"],
        &["allowlist", "suggest", "project", "--write"],
    ];
    for args in commands {
        let o = run(root, args);
        assert_eq!(
            code(&o),
            0,
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let now = read(&list);
        for m in markers {
            assert!(now.contains(m), "{args:?} dropped `{m}`:\n{now}");
        }
        // The owner key stays in serde's table.
        let serde = now.find("[cargo.serde]").unwrap();
        let owner = now.find("owner = \"TEAM-UNKNOWN-KEY\"").unwrap();
        assert!(
            owner > serde && !now[serde..owner].contains("\n["),
            "{args:?} moved the key:\n{now}"
        );
    }
    assert_no_leftovers(root);
}
