//! Hostile input: lockgate must fail closed. Each case of
//! `tests/fixtures/hostile/README.md` runs through the real binary and must end with
//! a clear error (exit 2) or the right finding, never a panic (exit 101) or a
//! signal, and never exit 0 with packages silently skipped. Large and
//! filesystem-dependent cases (10^6 entries, 10^5-deep nesting, a 1 GB sparse file,
//! symlinks, unreadable files) are made at test time in a scratch folder.
//!
//! The fuzzers' crashing inputs (`tests/fixtures/hostile/fuzz-regressions/<target>/`)
//! are replayed through the entry point of their fuzz target.

// A test may report what it measured or skipped.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use lockgate::lockfile::{self, Kind};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod support;
use support::copy_dir;

fn hostile() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile")
}

fn e2e(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/e2e")
        .join(name)
}

/// Run lockgate in `dir`.
fn lockgate(dir: &Path, args: &[&str]) -> Output {
    support::lockgate()
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// The exit code; a signal or a panic (101) fails the test.
fn code(o: &Output) -> i32 {
    let c = o
        .status
        .code()
        .unwrap_or_else(|| panic!("lockgate was killed by a signal: {}", stderr(o)));
    assert_ne!(c, 101, "lockgate panicked: {}", stderr(o));
    c
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// An allowlist that allows everything, so that only unreadable input fails `check`.
fn permissive(dir: &Path) -> PathBuf {
    let p = dir.join("permissive.toml");
    std::fs::write(
        &p,
        "schema = 1\n[policy]\nunlisted = \"allow\"\nmissing-hash = \"allow\"\nunpinned = \"allow\"\nsimilar-names = \"allow\"\nsources = [\"registry\", \"git\", \"path\", \"url\"]\n",
    )
    .unwrap();
    p
}

/// `target` (a folder or file, relative to `dir`) must be refused: `packages` and
/// `check` (with an allowlist that allows everything) exit 2, naming the problem.
fn assert_refused(dir: &Path, target: &str, needle: &str) {
    let o = lockgate(dir, &["packages", target]);
    assert_eq!(
        code(&o),
        2,
        "{target}: packages should refuse it; stdout: {}",
        stdout(&o)
    );
    assert!(
        stderr(&o).contains(needle),
        "{target}: expected `{needle}` in: {}",
        stderr(&o)
    );
    assert!(
        stdout(&o).is_empty(),
        "{target}: no package list may be printed"
    );
    let scratch = tempfile::tempdir().unwrap();
    let allow = permissive(scratch.path());
    let o = lockgate(
        dir,
        &[
            "check",
            target,
            "--allowlist",
            allow.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(
        code(&o),
        2,
        "{target}: check should refuse it: {}",
        stdout(&o)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let errors: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "parse-error")
        .map(|f| {
            let line = f["line"]
                .as_u64()
                .map(|l| format!(":{l}"))
                .unwrap_or_default();
            format!(
                "{}{line}: {}",
                f["lockfile"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        errors.iter().any(|e| e.contains(needle)),
        "{target}: expected a parse-error with `{needle}`, got {errors:?}"
    );
}

fn write(path: &Path, text: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// (name, version, line, hashes) of every package, from `packages --format json`.
fn package_list(dir: &Path, target: &str) -> Vec<(String, String, u64, Vec<String>)> {
    let o = lockgate(dir, &["packages", "--format", "json", target]);
    assert_eq!(code(&o), 0, "{target}: {}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut out: Vec<_> = v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["version"].as_str().unwrap().to_string(),
                p["line"].as_u64().unwrap(),
                p["hashes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| h.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect();
    out.sort();
    out
}

// ---------------------------------------------------------------------------
// Committed cases (tests/fixtures/hostile/*)

#[test]
fn committed_cases_are_refused_with_the_line_and_reason() {
    let cases: &[(&str, &str)] = &[
        ("invalid-utf8", "Cargo.lock:8: is not valid UTF-8"),
        (
            "duplicate-keys/npm",
            "package-lock.json:12: `packages` has the key `node_modules/foo` twice",
        ),
        (
            "duplicate-keys/cargo",
            "Cargo.lock:8: is not a valid Cargo.lock: duplicate key",
        ),
        (
            "duplicate-keys/pnpm",
            "pnpm-lock.yaml:16: malformed YAML: duplicate mapping key",
        ),
        (
            "duplicate-keys/uv",
            "uv.lock:9: is not a valid uv.lock: duplicate key",
        ),
        (
            "listed-twice/cargo",
            "Cargo.lock:14: package `foo 1.0.0` is listed twice",
        ),
        (
            "no-version/cargo",
            "Cargo.lock:3: is not a valid Cargo.lock: missing field `version`",
        ),
        (
            "no-version/npm",
            "package-lock.json:7: `node_modules/foo` (foo) has no `version`",
        ),
        ("no-version/uv", "uv.lock:5: package `foo` has no `version`"),
        (
            "version-not-string/cargo",
            "Cargo.lock:5: is not a valid Cargo.lock: invalid type: floating point `1.0`, expected a string",
        ),
        (
            "version-not-string/npm",
            "package-lock.json:8: unexpected content: invalid type: integer `1`, expected a string",
        ),
        (
            "version-not-string/poetry",
            "poetry.lock:5: is not a valid poetry.lock: invalid type: floating point `1.0`, expected a string",
        ),
        (
            "yaml-alias-bomb",
            "pnpm-lock.yaml:3: malformed YAML: budget breached",
        ),
        (
            "newer-format/cargo",
            "Cargo.lock:3: Cargo.lock version 5 is newer than lockgate knows (1-4)",
        ),
        (
            "newer-format/npm",
            "package-lock.json:4: unexpected content: lockfileVersion 4 is newer than lockgate knows (1-3)",
        ),
        (
            "newer-format/yarn-berry",
            "yarn.lock:5: Yarn lockfile version 99 is newer than lockgate knows",
        ),
        (
            "newer-format/pnpm",
            "pnpm-lock.yaml:1: lockfileVersion '99.0' is newer than lockgate knows",
        ),
        (
            "newer-format/bun",
            "bun.lock:2: unexpected content: lockfileVersion 99 is newer than lockgate knows (0-2)",
        ),
        (
            "newer-format/poetry",
            "poetry.lock:5: lock-version 99.0 is newer than lockgate knows",
        ),
        (
            "newer-format/pipfile",
            "Pipfile.lock:6: `_meta.pipfile-spec` 99 is not a version lockgate knows (6)",
        ),
        (
            "newer-format/uv",
            "uv.lock:1: uv.lock version 99 is newer than lockgate knows (1)",
        ),
        (
            "newer-format/pdm",
            "pdm.lock:7: lock_version 99.0 is newer than lockgate knows",
        ),
        (
            "newer-format/pylock",
            "pylock.toml:1: `lock-version` \"99.0\" is not a version lockgate knows",
        ),
    ];
    let dir = hostile();
    for (case, needle) in cases {
        assert!(dir.join(case).is_dir(), "missing fixture {case}");
        assert_refused(&dir, case, needle);
    }
}

#[test]
fn a_package_listed_twice_with_two_hashes_is_a_hash_mismatch() {
    // uv and requirements files merge the entries: both hashes are the package's,
    // so the one the allowlist does not pin is `hash-mismatch` (exit 1).
    let dir = hostile();
    for case in ["listed-twice/uv", "listed-twice/requirements"] {
        let allow = format!("{case}/allowlist.toml");
        let o = lockgate(
            &dir,
            &["check", case, "--allowlist", &allow, "--format", "json"],
        );
        assert_eq!(code(&o), 1, "{case}: {}{}", stdout(&o), stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let ids: Vec<&str> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["hash-mismatch"], "{case}");
        let msg = v["findings"][0]["message"].as_str().unwrap();
        assert!(msg.contains("sha256:bbbbbbbb"), "{case}: {msg}");
    }
}

#[test]
fn every_committed_case_is_in_the_readme() {
    let readme = std::fs::read_to_string(hostile().join("README.md")).unwrap();
    for dir in [
        "invalid-utf8",
        "duplicate-keys",
        "listed-twice",
        "no-version",
        "version-not-string",
        "yaml-alias-bomb",
        "newer-format",
    ] {
        assert!(
            readme.contains(&format!("`{dir}")),
            "README.md does not describe {dir}"
        );
    }
}

// ---------------------------------------------------------------------------
// Encodings: a BOM and CRLF line ends change nothing.

#[test]
fn bom_and_crlf_read_the_same_as_plain_text() {
    let cases = [
        ("npm-before", "package-lock.json"),
        ("cargo-before", "Cargo.lock"),
        ("uv-before", "uv.lock"),
    ];
    for (fixture, file) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        copy_dir(&e2e(fixture), &root.join("plain"));
        let plain = std::fs::read(root.join("plain").join(file)).unwrap();
        let crlf: Vec<u8> = String::from_utf8(plain.clone())
            .unwrap()
            .replace('\n', "\r\n")
            .into_bytes();
        for (variant, bytes) in [
            ("bom", [b"\xEF\xBB\xBF".as_slice(), &plain].concat()),
            ("crlf", crlf.clone()),
            ("bom-crlf", [b"\xEF\xBB\xBF".as_slice(), &crlf].concat()),
        ] {
            copy_dir(&e2e(fixture), &root.join(variant));
            std::fs::write(root.join(variant).join(file), bytes).unwrap();
            let want = package_list(root, &format!("plain/{file}"));
            assert!(!want.is_empty());
            assert_eq!(
                package_list(root, &format!("{variant}/{file}")),
                want,
                "{fixture} {variant}"
            );
        }
        // An allowlist made from the plain file passes the others.
        let o = lockgate(root, &["allowlist", "init", "plain"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        for variant in ["bom", "crlf", "bom-crlf"] {
            let o = lockgate(root, &["check", variant]);
            assert_eq!(code(&o), 0, "{fixture} {variant}: {}", stdout(&o));
        }
    }
}

// ---------------------------------------------------------------------------
// Size: very long lines, 10^6 entries, 10^5-deep nesting, a 1 GB file.

#[test]
fn very_long_lines_are_read() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let long = "x".repeat(16 * 1024 * 1024);
    let hash = "ab".repeat(32);
    write(
        &root.join("req/requirements.txt"),
        format!("# {long}\nfoo==1.0.0 --hash=sha256:{hash}\n"),
    );
    let got = package_list(root, "req");
    assert_eq!(
        got,
        [(
            "foo".to_string(),
            "1.0.0".to_string(),
            2,
            vec![format!("sha256:{hash}")]
        )]
    );
    // A 16 MiB string where the format allows free text.
    let lock = std::fs::read_to_string(e2e("npm-before/package-lock.json")).unwrap();
    let want = package_list(&e2e("npm-before"), "package-lock.json").len();
    let huge = lock.replacen(
        "\"lockfileVersion\"",
        &format!("\"x-note\": \"{long}\",\n  \"lockfileVersion\""),
        1,
    );
    assert_ne!(huge, lock);
    write(&root.join("npm/package-lock.json"), huge);
    assert_eq!(package_list(root, "npm").len(), want);
    // A 16 MiB package name is read, or refused; never a crash.
    write(
        &root.join("name/requirements.txt"),
        format!("{long}==1.0.0\n"),
    );
    let c = code(&lockgate(root, &["packages", "name"]));
    assert!(c == 0 || c == 2, "exit {c}");
}

#[test]
fn a_million_entries_are_all_counted() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let mut text = String::with_capacity(16 << 20);
    for i in 0..1_000_000 {
        text.push_str(&format!("p{i}==1.0.0\n"));
    }
    write(&root.join("big/requirements.txt"), text);
    let allow = permissive(root);
    let o = lockgate(
        root,
        &["check", "big", "--allowlist", allow.to_str().unwrap()],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("0 findings in 1000000 packages from 1 lockfile"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn nesting_100k_deep_is_refused_without_overflowing_the_stack() {
    const N: usize = 100_000;
    let arr = || format!("{}{}", "[".repeat(N), "]".repeat(N));
    let tables = || format!("{}1{}", "{a=".repeat(N), "}".repeat(N));
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "pipfile/Pipfile.lock",
            format!("{{\"_meta\": {}}}", arr()),
            "recursion limit",
        ),
        (
            "bun/bun.lock",
            format!("{{\"lockfileVersion\": 1, \"workspaces\": {}}}", arr()),
            "bun.lock",
        ),
        (
            "npm/package-lock.json",
            format!(
                "{{\"lockfileVersion\": 3, \"packages\": {{\"node_modules/a\": {{\"version\": {}}}}}}}",
                arr()
            ),
            "package-lock.json",
        ),
        (
            "pnpm/pnpm-lock.yaml",
            format!("lockfileVersion: '9.0'\nimporters: {}\n", arr()),
            "pnpm-lock.yaml:2: malformed YAML",
        ),
        (
            "pnpm-map/pnpm-lock.yaml",
            format!(
                "lockfileVersion: '9.0'\nimporters: {}\n",
                "{a: ".repeat(N) + &"}".repeat(N)
            ),
            "budget",
        ),
        (
            "cargo/Cargo.lock",
            format!("version = 4\nx = {}\n", arr()),
            "recursion",
        ),
        (
            "cargo-tables/Cargo.lock",
            format!("version = 4\nx = {}\n", tables()),
            "recursion",
        ),
        (
            "cargo-dotted/Cargo.lock",
            format!("version = 4\n[{}]\n", vec!["a"; N].join(".")),
            "recursion",
        ),
        (
            "uv/uv.lock",
            format!("version = 1\nx = {}\n", arr()),
            "recursion",
        ),
        (
            "poetry/poetry.lock",
            format!("x = {}\n", arr()),
            "recursion",
        ),
        ("pdm/pdm.lock", format!("x = {}\n", arr()), "recursion"),
        (
            "pylock/pylock.toml",
            format!("x = {}\n", arr()),
            "recursion",
        ),
        (
            "yarn/yarn.lock",
            format!(
                "# yarn lockfile v1\n\n{}",
                (0..2000)
                    .map(|i| format!("{}a:\n", " ".repeat(i)))
                    .collect::<String>()
            ),
            "yarn.lock:4",
        ),
    ];
    let tmp = tempfile::tempdir().unwrap();
    for (file, text, needle) in &cases {
        write(&tmp.path().join(file), text);
        let dir = file.split('/').next().unwrap();
        assert_refused(tmp.path(), dir, needle);
    }
}

/// Peak RSS in KiB of `lockgate args` in `dir`, when /usr/bin/time is there.
fn peak_rss_kib(dir: &Path, args: &[&str]) -> Option<(i32, u64)> {
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        return None;
    }
    let o = support::clean_env(&mut Command::new(time))
        .args(["-f", "RSS_KIB=%M", env!("CARGO_BIN_EXE_lockgate")])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    let err = stderr(&o);
    let kib = err
        .lines()
        .find_map(|l| l.strip_prefix("RSS_KIB="))?
        .trim()
        .parse()
        .ok()?;
    Some((o.status.code().unwrap_or(-1), kib))
}

#[test]
fn a_1_gb_file_is_refused_before_reading() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(root.join("big")).unwrap();
    let f = std::fs::File::create(root.join("big/Cargo.lock")).unwrap();
    f.set_len(1 << 30).unwrap(); // sparse: no disk space used
    drop(f);
    let start = std::time::Instant::now();
    assert_refused(
        root,
        "big",
        "big/Cargo.lock: is 1024 MiB, more than the 256 MiB lockgate reads",
    );
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
    if let Some((c, kib)) = peak_rss_kib(root, &["packages", "big"]) {
        assert_eq!(c, 2);
        assert!(kib < 100 * 1024, "peak RSS {kib} KiB: the file was read");
    }
    // The same file as a requirements include.
    std::fs::create_dir_all(root.join("inc")).unwrap();
    std::os::unix::fs::symlink(root.join("big/Cargo.lock"), root.join("inc/huge.txt")).unwrap();
    write(&root.join("inc/requirements.txt"), "-r huge.txt\n");
    assert_refused(root, "inc", "is not a regular file of a readable size");
}

// ---------------------------------------------------------------------------
// The file system: symlinks, folders, loops, unreadable files.

#[test]
fn a_symlinked_lockfile_is_read_through_the_link_and_a_broken_one_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    copy_dir(&e2e("cargo-before"), &root.join("real"));
    std::fs::create_dir_all(root.join("linked")).unwrap();
    std::os::unix::fs::symlink("../real/Cargo.lock", root.join("linked/Cargo.lock")).unwrap();
    assert_eq!(package_list(root, "linked"), package_list(root, "real"));

    std::fs::create_dir_all(root.join("dangling")).unwrap();
    std::os::unix::fs::symlink("nowhere", root.join("dangling/Cargo.lock")).unwrap();
    assert_refused(root, "dangling", "dangling/Cargo.lock: cannot read");

    std::fs::create_dir_all(root.join("self")).unwrap();
    std::os::unix::fs::symlink("Cargo.lock", root.join("self/Cargo.lock")).unwrap();
    assert_refused(root, "self", "self/Cargo.lock: cannot read");
}

#[test]
fn a_lockfile_that_is_a_folder_or_a_fifo_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(root.join("dir/Cargo.lock")).unwrap();
    assert_refused(root, "dir", "dir/Cargo.lock: is not a regular file");
    // Named directly on the command line: the folder is walked, and refused too.
    assert_refused(root, "dir/Cargo.lock", "is not a regular file");
    std::fs::create_dir_all(root.join("fifo")).unwrap();
    let mk = Command::new("mkfifo")
        .arg(root.join("fifo/yarn.lock"))
        .status();
    if mk.is_ok_and(|s| s.success()) {
        // Must not block reading the FIFO.
        assert_refused(root, "fifo", "fifo/yarn.lock: is not a regular file");
    } else {
        eprintln!("notice: mkfifo is not available; the FIFO case was skipped");
    }
}

#[test]
fn symlink_loops_in_the_tree_are_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    copy_dir(&e2e("cargo-before"), &root.join("tree"));
    std::fs::create_dir_all(root.join("tree/sub")).unwrap();
    std::os::unix::fs::symlink("..", root.join("tree/sub/up")).unwrap();
    std::os::unix::fs::symlink("loop2", root.join("tree/loop1")).unwrap();
    std::os::unix::fs::symlink("loop1", root.join("tree/loop2")).unwrap();
    let o = lockgate(root, &["packages", "tree"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("1 lockfile, 13 packages"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn requirements_includes_and_binary_lockfiles_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        &root.join("cycle/requirements.txt"),
        "-r requirements-b.txt\n",
    );
    write(
        &root.join("cycle/requirements-b.txt"),
        "-r requirements.txt\n",
    );
    assert_refused(root, "cycle", "cycle/requirements.txt:1: include cycle");
    std::fs::create_dir_all(root.join("zero")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", root.join("zero/zero.txt")).unwrap();
    write(&root.join("zero/requirements.txt"), "-r zero.txt\n");
    assert_refused(
        root,
        "zero",
        "zero/requirements.txt:1: the requirements file `zero.txt` is not a regular file",
    );
    write(
        &root.join("remote/requirements.txt"),
        "-r https://example.com/r.txt\n",
    );
    assert_refused(
        root,
        "remote",
        "remote/requirements.txt:1: the requirements file `https://example.com/r.txt` is remote",
    );
    write(
        &root.join("lockb/bun.lockb"),
        b"\x00\x01bun-lockfile-format-v0\n",
    );
    assert_refused(
        root,
        "lockb",
        "bun.lockb is Bun's binary lockfile, which lockgate cannot read",
    );
}

/// chmod 000 does not stop root from reading: then the case cannot be tested.
fn chmod_blocks_reads(path: &Path) -> bool {
    if path.is_dir() {
        std::fs::read_dir(path).is_err()
    } else {
        std::fs::read(path).is_err()
    }
}

#[test]
fn unreadable_files_and_folders_are_refused() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    copy_dir(&e2e("cargo-before"), &root.join("file"));
    let lock = root.join("file/Cargo.lock");
    std::fs::set_permissions(&lock, std::fs::Permissions::from_mode(0o000)).unwrap();
    copy_dir(&e2e("cargo-before"), &root.join("folder/inner"));
    let inner = root.join("folder/inner");
    std::fs::set_permissions(&inner, std::fs::Permissions::from_mode(0o000)).unwrap();
    let blocked = chmod_blocks_reads(&lock) && chmod_blocks_reads(&inner);
    if blocked {
        assert_refused(root, "file", "file/Cargo.lock: cannot read");
        assert_refused(root, "folder", "cannot walk");
    } else {
        eprintln!(
            "notice: running as root (chmod 000 does not block reads); the unreadable-file cases were skipped"
        );
    }
    std::fs::set_permissions(&inner, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn one_bad_lockfile_fails_the_whole_run() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    copy_dir(&e2e("cargo-before"), &root.join("tree/good"));
    copy_dir(&hostile().join("no-version/npm"), &root.join("tree/bad"));
    let o = lockgate(root, &["allowlist", "init", "tree"]);
    assert_eq!(
        code(&o),
        2,
        "init must not pin a partial tree: {}",
        stderr(&o)
    );
    assert!(!root.join("allowlist.toml").exists());
    let allow = permissive(root);
    let o = lockgate(
        root,
        &["check", "tree", "--allowlist", allow.to_str().unwrap()],
    );
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    assert!(!stdout(&o).contains("ok:"), "{}", stdout(&o));
}

// ---------------------------------------------------------------------------
// Fuzz regressions: every crashing input the fuzzers found, replayed through the
// entry point of its target (see fuzz/fuzz_targets/).

fn target_kind(target: &str) -> Option<(Kind, &'static str)> {
    Some(match target {
        "cargo_lock" => (Kind::CargoLock, "Cargo.lock"),
        "package_lock" => (Kind::PackageLock, "package-lock.json"),
        "yarn_lock" => (Kind::YarnLock, "yarn.lock"),
        "pnpm_lock" => (Kind::PnpmLock, "pnpm-lock.yaml"),
        "bun_lock" => (Kind::BunLock, "bun.lock"),
        "requirements" => (Kind::Requirements, "requirements.txt"),
        "poetry_lock" => (Kind::PoetryLock, "poetry.lock"),
        "pipfile_lock" => (Kind::PipfileLock, "Pipfile.lock"),
        "uv_lock" => (Kind::UvLock, "uv.lock"),
        "pdm_lock" => (Kind::PdmLock, "pdm.lock"),
        "pylock" => (Kind::Pylock, "pylock.toml"),
        _ => return None,
    })
}

/// What the fuzz target does with one input (panics on a bug).
fn replay(target: &str, scratch: &Path, data: &[u8]) {
    if let Some((kind, file)) = target_kind(target) {
        let Ok(text) = lockfile::decode_text(data) else {
            return;
        };
        let result = lockfile::parse_text(kind, &scratch.join(file), Path::new(file), text);
        if let Ok(lock) = result {
            for p in &lock.packages {
                assert!(!p.name.is_empty() && p.line >= 1, "{p:?}");
            }
        }
        return;
    }
    match target {
        "allowlist" => {
            let Ok(text) = lockfile::decode_text(data) else {
                return;
            };
            let path = Path::new("allowlist.toml");
            if lockgate::allowlist::parse(path, text).is_ok() {
                let mut ed = lockgate::allowlist::edit::Editor::from_text(path, text).unwrap();
                let out = ed.render();
                lockgate::allowlist::parse(path, &out).unwrap();
            }
        }
        "names" => {
            let Ok(name) = std::str::from_utf8(data) else {
                return;
            };
            let once = lockfile::pep503(name);
            assert_eq!(lockfile::pep503(&once), once);
            for eco in lockfile::Ecosystem::ALL {
                let n = eco.normalize(name);
                assert_eq!(eco.normalize(&n), n);
            }
        }
        other => panic!("fuzz-regressions/{other}: not a fuzz target"),
    }
}

#[test]
fn fuzz_regressions_replay_cleanly() {
    let dir = hostile().join("fuzz-regressions");
    let scratch = tempfile::tempdir().unwrap();
    let mut replayed = 0;
    let Ok(targets) = std::fs::read_dir(&dir) else {
        return;
    };
    for t in targets {
        let t = t.unwrap();
        if !t.file_type().unwrap().is_dir() {
            continue;
        }
        let target = t.file_name().to_string_lossy().into_owned();
        for f in std::fs::read_dir(t.path()).unwrap() {
            let f = f.unwrap().path();
            let data = std::fs::read(&f).unwrap();
            let r = std::panic::catch_unwind(|| replay(&target, scratch.path(), &data));
            assert!(r.is_ok(), "{} panics again", f.display());
            replayed += 1;
        }
    }
    eprintln!("replayed {replayed} fuzz regression inputs");
}
