//! Errors are printed one way by every command: `error: <what and where>`, then one
//! `  help: <the fix>` line per hint (src/hint.rs), and exit 2.

// A test may say which case it skipped.
#![allow(clippy::print_stderr)]

mod support;

use std::path::Path;
use std::process::Output;

fn run(dir: &Path, args: &[&str]) -> Output {
    support::lockgate()
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The `help:` lines that follow the `error:` line starting with `error`.
fn help_after(err: &str, error: &str) -> Vec<String> {
    let mut lines = err.lines().skip_while(|l| !l.starts_with(error));
    assert!(
        lines.next().is_some(),
        "no line starting with `{error}` in:\n{err}"
    );
    lines
        .map_while(|l| l.strip_prefix("  help: "))
        .map(str::to_string)
        .collect()
}

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
}

#[test]
fn a_folder_that_cannot_be_read_prints_error_and_help() {
    let tmp = tempfile::tempdir().unwrap();
    let o = run(tmp.path(), &["packages", "no-such-folder"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(
        help_after(&err, "error: no-such-folder: cannot read: "),
        ["check the path you passed to lockgate"],
        "{err}"
    );
}

#[test]
fn an_unreadable_folder_inside_the_tree_prints_error_and_help() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let inner = tmp.path().join("tree/inner");
    std::fs::create_dir_all(&inner).unwrap();
    std::fs::copy(
        fixtures().join("e2e/cargo-before/Cargo.lock"),
        tmp.path().join("tree/Cargo.lock"),
    )
    .unwrap();
    std::fs::set_permissions(&inner, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read_dir(&inner).is_ok() {
        // Running as root: chmod 000 does not block reads, so there is nothing to test.
        std::fs::set_permissions(&inner, std::fs::Permissions::from_mode(0o755)).unwrap();
        eprintln!("notice: chmod 000 does not block reads here (root); case skipped");
        return;
    }
    let o = run(tmp.path(), &["packages", "tree"]);
    std::fs::set_permissions(&inner, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(
        help_after(&stderr(&o), "error: tree/inner: cannot walk: "),
        ["make the folder readable, or exclude it with --exclude if it holds no lockfile"],
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_allowlist_error_prints_error_and_help() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixtures().join("e2e/cargo-before/Cargo.lock"),
        tmp.path().join("Cargo.lock"),
    )
    .unwrap();
    // Missing file: the fix is to create one.
    let o = run(tmp.path(), &["check", "--allowlist", "missing.toml", "."]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(
        help_after(&err, "error: "),
        ["create one with `lockgate allowlist init`, or pass --allowlist FILE"],
        "{err}"
    );
    assert!(
        err.contains("missing.toml: cannot read the allowlist: no such file"),
        "{err}"
    );
    // Invalid file: the error names file:line, the help says where the keys are.
    std::fs::write(tmp.path().join("bad.toml"), "schema = 1\n[policy\n").unwrap();
    let o = run(tmp.path(), &["check", "--allowlist", "bad.toml", "."]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("bad.toml:2: "), "{err}");
    assert_eq!(
        help_after(&err, "error: "),
        [
            "fix that line of the allowlist (docs/allowlist.md describes every key), or restore the file from git"
        ],
        "{err}"
    );
}

#[test]
fn a_parse_error_prints_error_and_help() {
    let dir = fixtures().join("npm/package-lock/malformed/truncated");
    let o = run(&dir, &["packages", "package-lock.json"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(
        help_after(&err, "error: package-lock.json:"),
        ["regenerate it with `npm install --package-lock-only` (or restore it from git)"],
        "{err}"
    );
}

#[test]
fn a_run_that_finds_nothing_prints_error_and_help() {
    let tmp = tempfile::tempdir().unwrap();
    let o = run(tmp.path(), &["packages", "."]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let help = help_after(&stderr(&o), "error: no lockfile found under `.`");
    assert_eq!(help.len(), 1, "{}", stderr(&o));
    assert!(help[0].contains("pass --allow-empty"), "{}", stderr(&o));
}
