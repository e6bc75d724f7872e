//! Unit tests of discovery.

use super::classify::looks_like_lockfile;
use super::manifests::{lockfiles_for_manifest, manifests_without_lockfile};
use super::*;

/// Write `text` to `rel` below `root`, making its folders.
fn write(root: &Path, rel: &str, text: &str) {
    let full = root.join(rel);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(full, text).unwrap();
}

#[test]
fn display_drops_leading_dot_slash() {
    crate::test_support::assert_maps_paths(
        display_path,
        &[
            ("./web/package-lock.json", "web/package-lock.json"),
            ("web/x", "web/x"),
        ],
    );
}

#[test]
fn walk_skips_install_folders_and_honours_gitignore() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for p in [
        "a/Cargo.lock",
        "node_modules/x/package-lock.json",
        "b/target/Cargo.lock",
        ".hidden/uv.lock",
        "ignored/poetry.lock",
    ] {
        write(root, p, "");
    }
    std::fs::write(root.join(".gitignore"), "ignored/\n").unwrap();
    let found = discover(&[root.to_path_buf()], &Options::default());
    let names: Vec<_> = found
        .lockfiles
        .iter()
        .map(|f| f.path.strip_prefix(root).unwrap().to_path_buf())
        .collect();
    assert_eq!(
        names,
        vec![
            PathBuf::from(".hidden/uv.lock"),
            PathBuf::from("a/Cargo.lock")
        ]
    );
    let all = discover(
        &[root.to_path_buf()],
        &Options {
            no_ignore: true,
            ..Options::default()
        },
    );
    assert_eq!(all.lockfiles.len(), 3);
}

#[test]
fn manifest_covered_by_parent_lockfile_is_not_listed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "package.json", r#"{"workspaces":["pkgs/*"]}"#);
    write(root, "package-lock.json", "{}");
    write(root, "pkgs/a/package.json", r#"{"dependencies":{"x":"1"}}"#);
    write(root, "tools/package.json", r#"{"dependencies":{"y":"1"}}"#);
    write(root, "empty/package.json", r#"{"name":"nothing"}"#);
    write(
        root,
        "py/pyproject.toml",
        "[project]\nname='p'\ndependencies=['requests']\n",
    );
    let found = discover(&[root.to_path_buf()], &Options::default());
    let dirs = found
        .lockfiles
        .iter()
        .map(|f| (f.kind.ecosystem(), normalize_dir(f.path.parent().unwrap())))
        .collect();
    let listed: Vec<_> = manifests_without_lockfile(&found.manifests, &dirs)
        .into_iter()
        .map(|p| p.strip_prefix(root).unwrap().to_path_buf())
        .collect();
    assert_eq!(
        listed,
        vec![
            PathBuf::from("py/pyproject.toml"),
            PathBuf::from("tools/package.json")
        ]
    );
}

#[test]
fn a_manifest_brings_its_lockfile() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\n",
    );
    write(root, "Cargo.lock", "");
    write(
        root,
        "crates/a/Cargo.toml",
        "[package]\nname='a'\n[dependencies]\nx='1'\n",
    );
    write(root, "web/package.json", r#"{"dependencies":{"x":"1"}}"#);
    write(root, "web/package-lock.json", "{}");
    write(root, "web/Cargo.toml", "[package]\nname='w'\n");
    write(root, "py/pyproject.toml", "[project]\nname='p'\n");
    write(root, "other/x/Cargo.toml", "[package]\nname='o'\n");
    let lockfiles = |p: &str| -> Vec<PathBuf> {
        let found = discover(&[root.join(p)], &Options::default());
        assert!(found.errors.is_empty());
        assert_eq!(found.manifests.len(), 1);
        found
            .lockfiles
            .iter()
            .map(|f| f.path.strip_prefix(root).unwrap().to_path_buf())
            .collect()
    };
    assert_eq!(
        lockfiles("web/package.json"),
        vec![PathBuf::from("web/package-lock.json")]
    );
    assert_eq!(
        lockfiles("crates/a/Cargo.toml"),
        vec![PathBuf::from("Cargo.lock")]
    );
    assert_eq!(lockfiles("Cargo.toml"), vec![PathBuf::from("Cargo.lock")]);
    // Not a workspace member, or no lockfile of its ecosystem: just the manifest.
    assert!(lockfiles("web/Cargo.toml").is_empty());
    assert!(lockfiles("py/pyproject.toml").is_empty());
    // A manifest and its lockfile both named: read once.
    let both = discover(
        &[
            root.join("web/package.json"),
            root.join("web/package-lock.json"),
        ],
        &Options::default(),
    );
    assert_eq!(both.lockfiles.len(), 1);
    // A relative path in the current folder (what pre-commit passes).
    assert_eq!(
        lockfiles_for_manifest(Path::new("Cargo.toml"), Ecosystem::Cargo)
            .into_iter()
            .map(|(p, _)| p)
            .collect::<Vec<_>>(),
        if Path::new("Cargo.lock").exists() {
            vec![PathBuf::from("Cargo.lock")]
        } else {
            vec![]
        }
    );
}

#[test]
fn lockfile_likeness_for_explain_skips() {
    for yes in [
        "yarn.lock",
        "requirements/dev.txt",
        "requirements/dev.in",
        "yarn.lock.orig",
        "Gemfile.lock",
        "deno.lock",
        "requirements.txt.bak",
        "constraints.txt",
        "package.json",
    ] {
        assert!(looks_like_lockfile(Path::new(yes)), "{yes}");
    }
    for no in [
        "notes.txt",
        "src/requirements.rs",
        "s-homl4ri650-01hvlrd.lock",
        "docs/dev.txt",
        "yarn.lockfile",
    ] {
        assert!(!looks_like_lockfile(Path::new(no)), "{no}");
    }
}

#[test]
fn missing_root_is_an_error() {
    let found = discover(
        &[PathBuf::from("/definitely/not/here")],
        &Options::default(),
    );
    assert_eq!(found.errors.len(), 1);
}
