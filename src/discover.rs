//! Finding lockfiles and manifests under the paths the user names.
//!
//! The walk honours `.gitignore`, `.ignore` and git's exclude files (also outside a
//! git repository), does not follow directory symlinks, and skips the folders where
//! package managers install or build (`node_modules`, `target`, `.venv`, …), which
//! hold thousands of copies of other projects' manifests. Hidden folders are walked
//! (a lockfile under `.tools/` is still a lockfile), except `.git` and the skipped
//! ones. A folder that cannot be read is an error, not a silent skip: it may hold a
//! lockfile. Anything named like a lockfile that is not a regular file (a folder,
//! a FIFO, a dangling or looping symlink) is passed on to [`lockfile::parse_file`],
//! which refuses it, so it fails the run too. [`Options::exclude`] (the allowlist's
//! top-level `exclude`) skips more paths, e.g. test fixtures that are never installed.
//!
//! Manifests (`package.json`, `Cargo.toml`, `pyproject.toml`, `Pipfile`,
//! `requirements*.in`) are collected too; one that declares dependencies and has no
//! lockfile of its ecosystem in its folder or a parent folder (a workspace root) is
//! reported as a manifest without a lockfile.

use crate::lockfile::{self, Ecosystem, Kind, ParseError};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Folder names that are never entered.
pub const SKIPPED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "bower_components",
    "jspm_packages",
    "target",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "__pypackages__",
    "site-packages",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "__pycache__",
    ".yarn",
    ".pnpm-store",
    ".cargo",
];

/// How to walk.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Do not honour `.gitignore` and similar files.
    pub no_ignore: bool,
    /// Glob patterns (gitignore-like, `/` separated, relative to the current folder)
    /// of files and folders not to walk, e.g. `tests/fixtures`.
    pub exclude: Vec<String>,
    /// Enrich `Cargo.lock` files with `cargo metadata` (runs cargo, offline).
    pub cargo_metadata: bool,
}

impl Options {
    fn exclude_set(&self) -> globset::GlobSet {
        let mut b = globset::GlobSetBuilder::new();
        for p in &self.exclude {
            let p = p.trim_start_matches("./").trim_end_matches('/');
            if let Ok(g) = globset::GlobBuilder::new(p).literal_separator(true).build() {
                b.add(g);
            }
        }
        b.build().unwrap_or_else(|_| globset::GlobSet::empty())
    }
}

/// A lockfile found by the walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Where to read it.
    pub path: PathBuf,
    /// How to show it (relative to the scan root as the user wrote it, without `./`).
    pub display: PathBuf,
    /// Its kind.
    pub kind: Kind,
}

/// A manifest found by the walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// Where to read it.
    pub path: PathBuf,
    /// How to show it.
    pub display: PathBuf,
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
}

/// What the walk found.
#[derive(Debug, Clone, Default)]
pub struct Discovered {
    /// Lockfiles, sorted by display path.
    pub lockfiles: Vec<Found>,
    /// Manifests, sorted by display path.
    pub manifests: Vec<Manifest>,
    /// Folders or files that could not be read (the run must not pass).
    pub errors: Vec<ParseError>,
}

/// The manifest ecosystem for a file name, if it is a manifest lockgate tracks.
pub fn manifest_ecosystem(path: &Path) -> Option<Ecosystem> {
    let name = path.file_name()?.to_str()?;
    match name {
        "package.json" => Some(Ecosystem::Npm),
        "Cargo.toml" => Some(Ecosystem::Cargo),
        "pyproject.toml" | "Pipfile" => Some(Ecosystem::Pypi),
        _ if name.starts_with("requirements") && name.ends_with(".in") => Some(Ecosystem::Pypi),
        _ => None,
    }
}

/// Show `p` the way a user expects: without a leading `./`.
pub fn display_path(p: &Path) -> PathBuf {
    p.strip_prefix(".")
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| p.to_path_buf())
}

/// Walk `roots` (files or folders) and collect lockfiles and manifests.
///
/// A root that is a file is taken as it is when it is a lockfile or a manifest; a
/// root that does not exist is an error.
pub fn discover(roots: &[PathBuf], opts: &Options) -> Discovered {
    let mut out = Discovered::default();
    let mut seen = HashSet::new();
    for root in roots {
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                out.errors.push(
                    ParseError::new(root, None, format!("cannot read: {e}"))
                        .with_hint("check the path you passed to lockgate"),
                );
                continue;
            }
        };
        if meta.is_file() {
            if let Some(kind) = lockfile::detect(root) {
                if seen.insert(root.clone()) {
                    out.lockfiles.push(Found {
                        path: root.clone(),
                        display: display_path(root),
                        kind,
                    });
                }
            } else if let Some(ecosystem) = manifest_ecosystem(root) {
                if seen.insert(root.clone()) {
                    out.manifests.push(Manifest {
                        path: root.clone(),
                        display: display_path(root),
                        ecosystem,
                    });
                }
                // A manifest named on its own (a pre-commit hook passes the changed
                // files) stands for its project: check the lockfile that pins it.
                for (path, kind) in lockfiles_for_manifest(root, ecosystem) {
                    let display = display_path(&path);
                    if out.lockfiles.iter().any(|f| f.display == display) {
                        continue;
                    }
                    if seen.insert(path.clone()) {
                        out.lockfiles.push(Found {
                            path,
                            display,
                            kind,
                        });
                    }
                }
            } else {
                out.errors.push(
                    ParseError::new(root, None, "is neither a lockfile nor a manifest lockgate knows")
                        .with_hint("pass a folder, a lockfile (Cargo.lock, package-lock.json, yarn.lock, pnpm-lock.yaml, bun.lock, requirements*.txt, poetry.lock, Pipfile.lock, uv.lock, pdm.lock, pylock.toml) or a manifest"),
                );
            }
            continue;
        }
        walk(root, opts, &mut out, &mut seen);
    }
    out.lockfiles.sort_by(|a, b| a.display.cmp(&b.display));
    out.manifests.sort_by(|a, b| a.display.cmp(&b.display));
    out
}

/// The lockfiles that pin a manifest's dependencies: those of its ecosystem in its
/// own folder, else those of the nearest parent folder that has any, when that
/// folder's manifest names the manifest's folder as a workspace member (the same
/// rule as [`manifests_without_lockfile`]). The search stops at the top of a git
/// repository (a folder holding `.git`) and, for a relative path, at the current
/// folder. Paths are built from the manifest's path, so they display the same way.
pub fn lockfiles_for_manifest(manifest: &Path, ecosystem: Ecosystem) -> Vec<(PathBuf, Kind)> {
    let Some(own) = manifest.parent() else {
        return Vec::new();
    };
    let in_dir = |dir: &Path| -> Vec<(PathBuf, Kind)> {
        let read_from = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let Ok(entries) = std::fs::read_dir(read_from) else {
            return Vec::new();
        };
        let mut found: Vec<(PathBuf, Kind)> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()))
            .filter_map(|e| {
                let path = dir.join(e.file_name());
                let kind = lockfile::detect(&path)?;
                (kind.ecosystem() == ecosystem).then_some((path, kind))
            })
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        found
    };
    let here = in_dir(own);
    if !here.is_empty() {
        return here;
    }
    let mut dir = own;
    while !dir.as_os_str().is_empty() && !dir.join(".git").exists() {
        let Some(parent) = dir.parent() else {
            break;
        };
        let found = in_dir(parent);
        if !found.is_empty() {
            let rel = own.strip_prefix(parent).unwrap_or(own);
            let member = workspace_globs(parent, ecosystem).is_some_and(|set| set.is_match(rel));
            return if member { found } else { Vec::new() };
        }
        dir = parent;
    }
    Vec::new()
}

fn walk(root: &Path, opts: &Options, out: &mut Discovered, seen: &mut HashSet<PathBuf>) {
    let exclude = opts.exclude_set();
    let mut builder = ignore::WalkBuilder::new(root);
    builder
        .hidden(false)
        .follow_links(false)
        .require_git(false)
        .git_ignore(!opts.no_ignore)
        .git_exclude(!opts.no_ignore)
        .git_global(!opts.no_ignore)
        .ignore(!opts.no_ignore)
        .parents(!opts.no_ignore)
        .filter_entry(move |e| {
            if e.depth() == 0 {
                return true;
            }
            let skipped_dir = e.file_type().is_some_and(|t| t.is_dir())
                && e.file_name()
                    .to_str()
                    .is_some_and(|n| SKIPPED_DIRS.contains(&n));
            !skipped_dir && !exclude.is_match(display_path(e.path()))
        });
    for entry in builder.build() {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let path = walk_error_path(&err).unwrap_or_else(|| root.to_path_buf());
                out.errors.push(
                    ParseError::new(&display_path(&path), None, format!("cannot walk: {}", walk_error_text(&err)))
                        .with_hint("make the folder readable, or exclude it in .gitignore / .ignore if it holds no lockfile"),
                );
                continue;
            }
        };
        let path = entry.path();
        let is_file = match entry.file_type() {
            Some(t) if t.is_file() => true,
            // A symlinked file is read through the link (a symlinked folder is not entered).
            Some(t) if t.is_symlink() => {
                std::fs::metadata(path)
                    .map(|m| m.is_file())
                    .unwrap_or(false)
                    || lockfile::detect(path).is_some()
            }
            // A folder, FIFO, socket or device with a lockfile's name is not skipped
            // in silence: reading it fails ("is not a regular file"), failing the run.
            _ => lockfile::detect(path).is_some(),
        };
        if !is_file {
            continue;
        }
        if let Some(kind) = lockfile::detect(path) {
            if seen.insert(path.to_path_buf()) {
                out.lockfiles.push(Found {
                    path: path.to_path_buf(),
                    display: display_path(path),
                    kind,
                });
            }
        } else if let Some(ecosystem) = manifest_ecosystem(path)
            && seen.insert(path.to_path_buf())
        {
            out.manifests.push(Manifest {
                path: path.to_path_buf(),
                display: display_path(path),
                ecosystem,
            });
        }
    }
}

fn walk_error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

fn walk_error_text(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => {
            walk_error_text(err)
        }
        other => other.to_string(),
    }
}

/// The package name a manifest declares (`name` in package.json, `[package] name`
/// in Cargo.toml, `[project] name` or `[tool.poetry] name` in pyproject.toml).
pub fn manifest_name(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    match path.file_name()?.to_str()? {
        "package.json" => serde_json::from_str::<serde_json::Value>(&text)
            .ok()?
            .get("name")?
            .as_str()
            .map(String::from),
        "Cargo.toml" => text
            .parse::<toml::Table>()
            .ok()?
            .get("package")?
            .get("name")?
            .as_str()
            .map(String::from),
        "pyproject.toml" => {
            let v = text.parse::<toml::Table>().ok()?;
            v.get("project")
                .and_then(|p| p.get("name"))
                .or_else(|| v.get("tool")?.get("poetry")?.get("name"))
                .and_then(|n| n.as_str())
                .map(String::from)
        }
        _ => None,
    }
}

/// Does this manifest declare any dependency? Unreadable or malformed manifests count
/// as declaring some (the safe answer: they are then listed, never hidden).
pub fn declares_dependencies(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return true;
    };
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    match name {
        "package.json" => {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
                return true;
            };
            [
                "dependencies",
                "devDependencies",
                "optionalDependencies",
                "peerDependencies",
            ]
            .iter()
            .any(|k| {
                v.get(k)
                    .and_then(|d| d.as_object())
                    .is_some_and(|o| !o.is_empty())
            }) || v.get("workspaces").is_some()
        }
        "Cargo.toml" => {
            let Ok(v) = text.parse::<toml::Table>() else {
                return true;
            };
            v.contains_key("workspace")
                || [
                    "dependencies",
                    "dev-dependencies",
                    "build-dependencies",
                    "target",
                ]
                .iter()
                .any(|k| {
                    v.get(*k)
                        .and_then(|d| d.as_table())
                        .is_some_and(|t| !t.is_empty())
                })
        }
        "pyproject.toml" => {
            let Ok(v) = text.parse::<toml::Table>() else {
                return true;
            };
            let project_deps = v
                .get("project")
                .and_then(|p| p.get("dependencies"))
                .and_then(|d| d.as_array())
                .is_some_and(|a| !a.is_empty());
            let optional = v
                .get("project")
                .and_then(|p| p.get("optional-dependencies"))
                .and_then(|d| d.as_table())
                .is_some_and(|t| !t.is_empty());
            let groups = v
                .get("dependency-groups")
                .and_then(|d| d.as_table())
                .is_some_and(|t| !t.is_empty());
            let poetry = v
                .get("tool")
                .and_then(|t| t.get("poetry"))
                .and_then(|p| p.get("dependencies"))
                .and_then(|d| d.as_table())
                .is_some_and(|t| t.keys().any(|k| k != "python"));
            project_deps || optional || groups || poetry
        }
        _ => text
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .any(|l| !l.is_empty()),
    }
}

/// Manifests that declare dependencies and have no lockfile covering them.
///
/// A lockfile covers a manifest in its own folder, and the manifests of the
/// workspace members that the manifest beside it names (npm/yarn `workspaces`,
/// `pnpm-workspace.yaml` `packages`, cargo `[workspace] members`, uv
/// `[tool.uv.workspace] members`).
pub fn manifests_without_lockfile(
    manifests: &[Manifest],
    lockfile_dirs: &HashSet<(Ecosystem, PathBuf)>,
) -> Vec<PathBuf> {
    manifests
        .iter()
        .filter(|m| !is_covered(m, lockfile_dirs))
        .filter(|m| declares_dependencies(&m.path))
        .map(|m| m.display.clone())
        .collect()
}

fn is_covered(m: &Manifest, lockfile_dirs: &HashSet<(Ecosystem, PathBuf)>) -> bool {
    let Some(own) = m.path.parent() else {
        return false;
    };
    if lockfile_dirs.contains(&(m.ecosystem, normalize_dir(own))) {
        return true;
    }
    let mut dir = own.parent();
    while let Some(d) = dir {
        if lockfile_dirs.contains(&(m.ecosystem, normalize_dir(d))) {
            let rel = own.strip_prefix(d).unwrap_or(own);
            return workspace_globs(d, m.ecosystem).is_some_and(|set| set.is_match(rel));
        }
        dir = d.parent();
    }
    false
}

/// The workspace member globs that the manifest in `dir` declares, if any.
fn workspace_globs(dir: &Path, eco: Ecosystem) -> Option<globset::GlobSet> {
    let mut patterns: Vec<String> = Vec::new();
    match eco {
        Ecosystem::Npm => {
            if let Ok(text) = std::fs::read_to_string(dir.join("package.json"))
                && let Ok(v) = serde_json::from_str::<serde_json::Value>(&text)
            {
                let ws = v.get("workspaces");
                let list = ws.and_then(|w| w.as_array()).or_else(|| {
                    ws.and_then(|w| w.get("packages"))
                        .and_then(|p| p.as_array())
                });
                patterns.extend(
                    list.into_iter()
                        .flatten()
                        .filter_map(|s| s.as_str().map(String::from)),
                );
            }
            if let Ok(text) = std::fs::read_to_string(dir.join("pnpm-workspace.yaml")) {
                // `packages:` followed by `- 'glob'` items; a tiny reader is enough here.
                let mut in_packages = false;
                for line in text.lines() {
                    let t = line.trim();
                    if !line.starts_with([' ', '\t', '-']) {
                        in_packages = t.starts_with("packages:");
                        continue;
                    }
                    if in_packages && let Some(item) = t.strip_prefix('-') {
                        patterns.push(item.trim().trim_matches(['\'', '"']).to_string());
                    }
                }
            }
        }
        Ecosystem::Cargo | Ecosystem::Pypi => {
            let file = if eco == Ecosystem::Cargo {
                "Cargo.toml"
            } else {
                "pyproject.toml"
            };
            let text = std::fs::read_to_string(dir.join(file)).ok()?;
            let v = text.parse::<toml::Table>().ok()?;
            let ws = if eco == Ecosystem::Cargo {
                v.get("workspace")
            } else {
                v.get("tool")
                    .and_then(|t| t.get("uv"))
                    .and_then(|u| u.get("workspace"))
            };
            let members = ws.and_then(|w| w.get("members")).and_then(|m| m.as_array());
            patterns.extend(
                members
                    .into_iter()
                    .flatten()
                    .filter_map(|s| s.as_str().map(String::from)),
            );
        }
    }
    let mut b = globset::GlobSetBuilder::new();
    let mut any = false;
    for p in patterns {
        let p = p.trim_start_matches("./").trim_end_matches('/');
        if p.starts_with('!') || p.is_empty() {
            continue;
        }
        if let Ok(g) = globset::GlobBuilder::new(p).literal_separator(true).build() {
            b.add(g);
            any = true;
        }
    }
    if !any {
        return None;
    }
    b.build().ok()
}

/// Resolve `.` and `..` components without touching the file system
/// (`a/./b/../c` is `a/c`; a leading `..` is kept).
pub fn lexical_normalize(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// A folder path made comparable: `""` and `"."` become `.`, a trailing `./` removed.
pub fn normalize_dir(d: &Path) -> PathBuf {
    let shown = display_path(d);
    if shown.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_drops_leading_dot_slash() {
        assert_eq!(
            display_path(Path::new("./web/package-lock.json")),
            PathBuf::from("web/package-lock.json")
        );
        assert_eq!(display_path(Path::new("web/x")), PathBuf::from("web/x"));
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
            let full = root.join(p);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, "").unwrap();
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
        let write = |p: &str, s: &str| {
            let full = root.join(p);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, s).unwrap();
        };
        write("package.json", r#"{"workspaces":["pkgs/*"]}"#);
        write("package-lock.json", "{}");
        write("pkgs/a/package.json", r#"{"dependencies":{"x":"1"}}"#);
        write("tools/package.json", r#"{"dependencies":{"y":"1"}}"#);
        write("empty/package.json", r#"{"name":"nothing"}"#);
        write(
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
        let write = |p: &str, s: &str| {
            let full = root.join(p);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, s).unwrap();
        };
        write("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n");
        write("Cargo.lock", "");
        write(
            "crates/a/Cargo.toml",
            "[package]\nname='a'\n[dependencies]\nx='1'\n",
        );
        write("web/package.json", r#"{"dependencies":{"x":"1"}}"#);
        write("web/package-lock.json", "{}");
        write("web/Cargo.toml", "[package]\nname='w'\n");
        write("py/pyproject.toml", "[project]\nname='p'\n");
        write("other/x/Cargo.toml", "[package]\nname='o'\n");
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
    fn missing_root_is_an_error() {
        let found = discover(
            &[PathBuf::from("/definitely/not/here")],
            &Options::default(),
        );
        assert_eq!(found.errors.len(), 1);
    }
}
