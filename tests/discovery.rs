//! Discovery end to end, in real git repositories made by each test: files that git
//! tracks are always read (whatever `.gitignore` or the built-in skip list says),
//! untracked installer output is skipped and said, `--explain-skips` lists what was
//! not read, a run that finds nothing fails, and requirements files are found in the
//! pip-tools layouts and refused when pip would decode them other than as UTF-8.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

const H1: &str = "8abb2f1d86890a2dfb989f9a77cfcfd3e47c2a354b01111771326f8aa26e0254";
const H2: &str = "1e61c37477a1626458e36f7b1d82aa5c9b094fa4802892072e49de9c60c4c926";
const H_EVIL: &str = "0000000000000000000000000000000000000000000000000000000000000bad";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A scratch git repository.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let r = Repo {
            dir: tempfile::tempdir().unwrap(),
        };
        r.git(&["init", "-q"]);
        r
    }
    /// A scratch folder that is not a git repository.
    fn plain() -> Repo {
        Repo {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }
    fn write(&self, p: &str, text: &str) {
        let full = self.path(p);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
    fn write_bytes(&self, p: &str, bytes: &[u8]) {
        let full = self.path(p);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, bytes).unwrap();
    }
    fn git(&self, args: &[&str]) {
        support::git(self.dir.path(), args);
    }
    /// Stage everything (`-f`: also what .gitignore names) and commit.
    fn commit_all(&self, paths: &[&str]) {
        let mut args = vec!["add", "-f", "--"];
        args.extend(paths);
        self.git(&args);
        self.git(&["commit", "-q", "-m", "x"]);
    }
    fn run(&self, args: &[&str]) -> Output {
        support::lockgate()
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap()
    }
    fn edit(&self, p: &str, from: &str, to: &str) {
        let text = std::fs::read_to_string(self.path(p)).unwrap();
        assert!(text.contains(from), "{p} has no `{from}`");
        std::fs::write(self.path(p), text.replacen(from, to, 1)).unwrap();
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The lockfile paths `lockgate packages --format json` read.
fn lockfiles_read(r: &Repo, args: &[&str]) -> Vec<String> {
    let mut a = vec!["packages", "--format", "json"];
    a.extend(args);
    let o = r.run(&a);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    let mut files: Vec<String> = v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["lockfile"].as_str().unwrap().to_string())
        .collect();
    files.sort();
    files.dedup();
    files
}

fn requirements(name: &str, version: &str, hash: &str) -> String {
    format!("{name}=={version} \\\n    --hash=sha256:{hash}\n")
}

/// A repository with a hashed requirements.txt and the npm e2e project, both
/// pinned in allowlist.toml, committed.
fn pinned_repo() -> Repo {
    let r = Repo::new();
    r.write("requirements.txt", &requirements("six", "1.16.0", H1));
    for f in ["package.json", "package-lock.json"] {
        std::fs::create_dir_all(r.path("web")).unwrap();
        std::fs::copy(
            fixtures().join("e2e/npm-before").join(f),
            r.path("web").join(f),
        )
        .unwrap();
    }
    let o = r.run(&["allowlist", "init", "."]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    r.commit_all(&["."]);
    let o = r.run(&["check", "."]);
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    r
}

#[test]
fn a_gitignore_line_does_not_hide_a_tracked_lockfile() {
    let r = pinned_repo();
    // The pull request: ignore the lockfiles, then change them.
    r.write(".gitignore", "requirements.txt\npackage-lock.json\n");
    r.commit_all(&[".gitignore"]);
    r.edit("requirements.txt", H1, H_EVIL);
    let lock = std::fs::read_to_string(r.path("web/package-lock.json")).unwrap();
    let integrity = lock
        .split("\"integrity\": \"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let flipped = format!("{}A==", &integrity[..integrity.len() - 3]);
    assert_ne!(flipped, integrity);
    r.edit("web/package-lock.json", &integrity, &flipped);
    assert_eq!(
        lockfiles_read(&r, &["."]),
        vec!["requirements.txt", "web/package-lock.json"]
    );
    let o = r.run(&["check", ".", "--format", "json"]);
    assert_eq!(code(&o), 1, "{}", err(&o));
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    let mismatched: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "hash-mismatch")
        .map(|f| f["lockfile"].as_str().unwrap())
        .collect();
    assert!(mismatched.contains(&"requirements.txt"), "{mismatched:?}");
    assert!(
        mismatched.contains(&"web/package-lock.json"),
        "{mismatched:?}"
    );
    // --explain-skips says why they were read.
    let o = r.run(&["packages", "--explain-skips", "."]);
    assert!(
        err(&o).contains("requirements.txt  read: tracked by git"),
        "{}",
        err(&o)
    );
}

#[test]
fn untracked_ignored_files_are_skipped_and_said() {
    let r = pinned_repo();
    r.write(".gitignore", "scratch/\n");
    r.write(
        "scratch/requirements.txt",
        &requirements("six", "1.16.0", H_EVIL),
    );
    r.commit_all(&[".gitignore"]);
    assert_eq!(
        lockfiles_read(&r, &["."]),
        vec!["requirements.txt", "web/package-lock.json"]
    );
    let o = r.run(&["check", "."]);
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    let o = r.run(&["check", ".", "--explain-skips"]);
    assert_eq!(code(&o), 0);
    assert!(
        err(&o).contains(
            "scratch/requirements.txt  ignored by .gitignore/.ignore and not tracked by git"
        ),
        "{}",
        err(&o)
    );
    // Once committed, it is read (and its hash fails).
    r.commit_all(&["scratch/requirements.txt"]);
    let o = r.run(&["check", "."]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(out(&o).contains("scratch/requirements.txt"), "{}", out(&o));
}

#[test]
fn tracked_projects_in_skipped_folders_are_read_untracked_installs_are_not() {
    let r = Repo::new();
    let req = requirements("six", "1.16.0", H1);
    for p in [
        "vendor/target/proj/requirements.txt",
        ".cargo/tool/requirements.txt",
        "env/venv/requirements.txt",
    ] {
        r.write(p, &req);
    }
    r.commit_all(&["."]);
    // Untracked installer output: thousands of these in a real node_modules.
    r.write("node_modules/x/requirements.txt", &req);
    r.write(
        "node_modules/x/package.json",
        r#"{"dependencies":{"y":"1"}}"#,
    );
    r.write("target/debug/requirements.txt", &req);
    assert_eq!(
        lockfiles_read(&r, &["."]),
        vec![
            ".cargo/tool/requirements.txt",
            "env/venv/requirements.txt",
            "vendor/target/proj/requirements.txt"
        ]
    );
    let o = r.run(&["packages", ".", "--explain-skips"]);
    let e = err(&o);
    for line in [
        "node_modules/x/requirements.txt  inside node_modules/ (installer or build output) and not tracked by git",
        "node_modules/x/package.json  inside node_modules/",
        "target/debug/requirements.txt  inside target/",
    ] {
        assert!(e.contains(line), "{line}\n{e}");
    }
    // Without the flag, the folders are counted on check's discovery line.
    r.write(
        "allowlist.toml",
        "schema = 1\n[policy]\nunlisted = \"allow\"\nmissing-hash = \"allow\"\n",
    );
    let o = r.run(&["check", "."]);
    assert!(
        err(&o).contains("discovery: read 3 lockfiles; skipped 2 folders (installer output) (--explain-skips lists them)"),
        "{}",
        err(&o)
    );
    // A committed node_modules: its lockfiles are read, its manifests are installed
    // packages' metadata, not projects.
    r.commit_all(&["node_modules"]);
    assert!(lockfiles_read(&r, &["."]).contains(&"node_modules/x/requirements.txt".to_string()));
    let o = r.run(&["packages", ".", "--explain-skips"]);
    assert!(
        err(&o).contains(
            "node_modules/x/package.json  manifest of an installed package inside node_modules/"
        ),
        "{}",
        err(&o)
    );
}

#[test]
fn only_explicit_excludes_leave_a_tracked_lockfile_out() {
    let r = pinned_repo();
    r.write(
        "fixtures/requirements.txt",
        &requirements("evil", "1.0", H_EVIL),
    );
    r.write(".gitignore", "fixtures/\n");
    r.commit_all(&["."]);
    let o = r.run(&["check", "."]);
    assert_eq!(code(&o), 1, "the tracked file is read: {}", out(&o));
    let o = r.run(&["check", ".", "--exclude", "fixtures", "--explain-skips"]);
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    assert!(
        err(&o).contains("fixtures/requirements.txt  excluded by --exclude `fixtures`"),
        "{}",
        err(&o)
    );
    let list = std::fs::read_to_string(r.path("allowlist.toml")).unwrap();
    std::fs::write(
        r.path("allowlist.toml"),
        list.replacen("[policy]", "exclude = [\"fixtures/**\"]\n\n[policy]", 1),
    )
    .unwrap();
    let o = r.run(&["check", ".", "--explain-skips"]);
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    assert!(
        err(&o).contains("excluded by the allowlist's exclude `fixtures/**`"),
        "{}",
        err(&o)
    );
}

#[test]
fn a_repository_git_cannot_list_fails_closed() {
    let r = Repo::plain();
    r.write(".git", "gitdir: /nonexistent/lockgate-test\n");
    r.write("requirements.txt", &requirements("six", "1.16.0", H1));
    let o = r.run(&["packages", "."]);
    assert_eq!(code(&o), 2, "{}", out(&o));
    assert!(
        err(&o).contains("cannot list the files git tracks"),
        "{}",
        err(&o)
    );
    assert!(err(&o).contains("safe.directory"), "{}", err(&o));
}

#[test]
fn outside_git_ignore_files_still_apply() {
    let r = Repo::plain();
    r.write("a/requirements.txt", &requirements("six", "1.16.0", H1));
    r.write("b/requirements.txt", &requirements("six", "1.16.0", H1));
    r.write(".ignore", "b/\n");
    assert_eq!(lockfiles_read(&r, &["."]), vec!["a/requirements.txt"]);
}

#[test]
fn a_run_that_finds_no_lockfile_is_an_error_unless_allowed() {
    let r = Repo::new();
    r.write("allowlist.toml", "schema = 1\n");
    r.write("src/main.py", "print(1)\n");
    r.write("node_modules/x/package-lock.json", "{}");
    for cmd in ["check", "packages"] {
        let o = r.run(&[cmd, "."]);
        assert_eq!(code(&o), 2, "{cmd}: {}", out(&o));
        let e = err(&o);
        assert!(e.contains("no lockfile found under `.`"), "{e}");
        assert!(e.contains("1 folder"), "what was skipped is said: {e}");
        assert!(e.contains("--allow-empty"), "{e}");
        let o = r.run(&[cmd, ".", "--allow-empty"]);
        assert_eq!(code(&o), 0, "{cmd}: {}", err(&o));
    }
    // A manifest without dependencies named alone (what the pre-commit hook passes).
    r.write("package.json", r#"{"name":"x","scripts":{"t":"true"}}"#);
    assert_eq!(code(&r.run(&["check", "package.json"])), 2);
    assert_eq!(code(&r.run(&["check", "--allow-empty", "package.json"])), 0);
}

#[test]
fn pip_tools_layouts_are_read() {
    let r = Repo::new();
    r.write(
        "requirements/main.txt",
        &format!("-r base.txt\n{}", requirements("idna", "3.7", H2)),
    );
    r.write("requirements/base.txt", &requirements("six", "1.16.0", H1));
    r.write("requirements/tests.txt", &requirements("six", "1.16.0", H1));
    r.write("requirements/main.in", "idna\n");
    r.write("requirements/README.md", "how to compile\n");
    r.write("docs/notes.txt", "not a lockfile\n");
    r.write("requirements-dev.lock", &requirements("six", "1.16.0", H1));
    r.write("deps/prod.txt", &requirements("six", "1.16.0", H1));
    r.commit_all(&["."]);
    assert_eq!(
        lockfiles_read(&r, &["."]),
        vec![
            "requirements-dev.lock",
            "requirements/base.txt",
            "requirements/main.txt",
            "requirements/tests.txt"
        ]
    );
    // The package only reached through `-r` is read and counted, recorded against
    // the file that holds it.
    let o = r.run(&["packages", "requirements/main.txt", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    let got: Vec<(String, String)> = v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["lockfile"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        got.contains(&("six".into(), "requirements/base.txt".into())),
        "{got:?}"
    );
    assert!(got.contains(&("idna".into(), "requirements/main.txt".into())));
    // A .txt named on the command line is read as a requirements file...
    assert_eq!(
        lockfiles_read(&r, &["deps/prod.txt"]),
        vec!["deps/prod.txt"]
    );
    // ...and one that is not fails with its line, not as "neither a lockfile".
    let o = r.run(&["packages", "docs/notes.txt"]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("docs/notes.txt:1"), "{}", err(&o));
    // A random .txt elsewhere in a folder scan is not a lockfile, nor is a source
    // file named after one; a lockfile of another tool is said not to be read.
    r.write("src/requirements.rs", "// code\n");
    r.write("web/deno.lock", "{}\n");
    let o = r.run(&["packages", ".", "--explain-skips"]);
    assert!(!err(&o).contains("notes.txt"), "{}", err(&o));
    assert!(!err(&o).contains("requirements.rs"), "{}", err(&o));
    assert!(
        err(&o).contains("web/deno.lock  not a lockfile name lockgate reads"),
        "{}",
        err(&o)
    );
}

/// Issue 18 case 7: pip decodes by the PEP 263 declaration; `+AAo-` is a line break
/// in UTF-7, so pip sees a second requirement where lockgate would see a comment.
#[test]
fn requirement_files_pip_would_not_decode_as_utf8_are_refused() {
    let r = Repo::new();
    let utf7 = format!(
        "# -*- coding: utf-7 -*-\n{}# reviewed +AAo-idna==3.7 --hash=sha256:{H_EVIL}\n",
        requirements("six", "1.16.0", H1)
    );
    r.write("requirements.txt", &utf7);
    let o = r.run(&["packages", "."]);
    assert_eq!(code(&o), 2, "{}", out(&o));
    let e = err(&o);
    assert!(e.contains("requirements.txt:1"), "{e}");
    assert!(e.contains("utf-7"), "{e}");
    assert!(e.contains("save the file as UTF-8"), "{e}");
    // Declaration on line 2, another spelling.
    r.write(
        "requirements.txt",
        &format!(
            "#!/usr/bin/env pip\n# vim: set fileencoding=latin-1 :\n{}",
            requirements("six", "1.16.0", H1)
        ),
    );
    let o = r.run(&["packages", "."]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("requirements.txt:2"), "{}", err(&o));
    // UTF-8 under the names Python gives it reads.
    for decl in [
        "# -*- coding: utf-8 -*-",
        "# coding=UTF8",
        "# coding: utf_8_sig",
    ] {
        r.write(
            "requirements.txt",
            &format!("{decl}\n{}", requirements("six", "1.16.0", H1)),
        );
        assert_eq!(
            lockfiles_read(&r, &["."]),
            vec!["requirements.txt"],
            "{decl}"
        );
    }
    // A declaration not at the start of the line, or on line 3, is not one to pip.
    r.write(
        "requirements.txt",
        &format!(
            " # coding: utf-7\n\n# coding: utf-7\n{}",
            requirements("six", "1.16.0", H1)
        ),
    );
    assert_eq!(lockfiles_read(&r, &["."]), vec!["requirements.txt"]);
    // A UTF-8 byte order mark wins over a declaration (pip checks it first).
    let mut bom = b"\xEF\xBB\xBF# coding: utf-7\n".to_vec();
    bom.extend(requirements("six", "1.16.0", H1).as_bytes());
    r.write_bytes("requirements.txt", &bom);
    assert_eq!(lockfiles_read(&r, &["."]), vec!["requirements.txt"]);
    // UTF-16: refused with its own message.
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "six==1.16.0\n".encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    r.write_bytes("requirements.txt", &utf16);
    let o = r.run(&["packages", "."]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("UTF-16 byte order mark"), "{}", err(&o));
    // An included file and a requirements.in are held to the same rule.
    r.write(
        "requirements.txt",
        &format!("-r more.txt\n{}", requirements("six", "1.16.0", H1)),
    );
    r.write("more.txt", &utf7);
    let o = r.run(&["packages", "."]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("more.txt:1"), "{}", err(&o));
    r.write("more.txt", &requirements("idna", "3.7", H2));
    r.write("requirements.in", "# -*- coding: utf-7 -*-\nsix\n");
    let o = r.run(&["packages", "."]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("requirements.in:1"), "{}", err(&o));
}

/// Git's global ignore file applies to untracked files, also outside git: the default
/// one (`$XDG_CONFIG_HOME/git/ignore`, else `~/.config/git/ignore`) and the one a git
/// config names with `core.excludesFile` (in any case of the key).
#[test]
fn git_s_global_ignore_file_applies_to_untracked_files() {
    for config in [None, Some("excludesFile"), Some("EXCLUDESFILE")] {
        let home = tempfile::tempdir().unwrap();
        let r = Repo::plain();
        r.write("a/requirements.txt", &requirements("six", "1.16.0", H1));
        r.write("b/requirements.txt", &requirements("six", "1.16.0", H1));
        let ignore = match config {
            None => home.path().join(".config/git/ignore"),
            Some(key) => {
                let file = home.path().join("global-ignore");
                std::fs::write(
                    home.path().join(".gitconfig"),
                    format!("[core]\n\t{key} = {}\n", file.display()),
                )
                .unwrap();
                file
            }
        };
        std::fs::create_dir_all(ignore.parent().unwrap()).unwrap();
        std::fs::write(&ignore, "/a/\n").unwrap();
        let o = support::lockgate()
            .args(["packages", "--format", "json", "."])
            .current_dir(r.dir.path())
            .env("HOME", home.path())
            .output()
            .unwrap();
        assert_eq!(code(&o), 0, "{config:?}: {}", err(&o));
        let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
        let files: Vec<&str> = v["lockfiles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["path"].as_str().unwrap())
            .collect();
        assert_eq!(files, ["b/requirements.txt"], "{config:?}");
    }
}
