//! Finding lockfiles and manifests under the paths the user names.
//!
//! **Files that git tracks are always read.** Inside a git repository, every tracked
//! file under a scanned folder that is named like a lockfile or a manifest is read,
//! whatever `.gitignore` says and even inside a folder of the built-in skip list
//! (`node_modules`, `target`, `.venv`, `.cargo`, …): a pull request that adds
//! `requirements.txt` to `.gitignore`, or commits a project under `vendor/target/`,
//! cannot hide it. Only the allowlist's `exclude` (owned by the security team) and
//! `--exclude` leave a tracked file out. The tracked set comes from `git ls-files`,
//! run once per repository; a repository whose files git cannot list (git missing,
//! a "dubious ownership" refusal) is an error, not a silent fallback.
//!
//! Untracked files follow the older rules: the walk honours `.gitignore`, `.ignore`
//! and git's exclude files (also outside a git repository), does not follow
//! directory symlinks, and skips the folders where package managers install or
//! build ([`SKIPPED_DIRS`]), which hold thousands of copies of other projects'
//! manifests. Hidden folders are walked (a lockfile under `.tools/` is still a
//! lockfile), except `.git`. A folder that cannot be read is an error, not a silent
//! skip: it may hold a lockfile. Anything named like a lockfile that is not a
//! regular file (a folder, a FIFO, a dangling or looping symlink) is passed on to
//! [`lockfile::parse_file`], which refuses it, so it fails the run too.
//!
//! Whatever is not read is said: [`Discovered::skipped`] lists the skipped files
//! and folders with the reason ([`SkipReason`]); with [`Options::explain_skips`]
//! the skipped folders are walked too, so that every lockfile-like file in them is
//! listed on its own.
//!
//! Manifests (`package.json`, `Cargo.toml`, `pyproject.toml`, `Pipfile`,
//! `requirements*.in`, `requirements/*.in`) are collected too; one that declares
//! dependencies and has no lockfile of its ecosystem in its folder or a parent
//! folder (a workspace root) is reported as a manifest without a lockfile.

use crate::lockfile::{self, Kind, ParseError};

use crate::model::Ecosystem;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Folder names whose untracked content is not read (installer and build output).
/// `.git`, `.hg` and `.svn` are never entered at all.
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

/// Folders of installed packages: a manifest in them (even tracked, as in a
/// committed `node_modules`) is an installed package's metadata, not a project, so
/// it is not collected as a manifest. Lockfiles in them are read when tracked.
pub const INSTALLED_PACKAGE_DIRS: &[&str] = &[
    "node_modules",
    "bower_components",
    "jspm_packages",
    "site-packages",
    "__pypackages__",
];

/// Folders no walk enters: the version-control stores.
const VCS_DIRS: &[&str] = &[".git", ".hg", ".svn"];

/// How to walk.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Do not honour `.gitignore` and similar files.
    pub no_ignore: bool,
    /// Glob patterns (gitignore-like, `/` separated, relative to the current folder)
    /// of files and folders not to walk, given with `--exclude`, e.g. `tests/fixtures`.
    pub exclude: Vec<String>,
    /// The same, from the allowlist's top-level `exclude`.
    pub allowlist_exclude: Vec<String>,
    /// Enrich `Cargo.lock` files with `cargo metadata` (runs cargo, offline).
    pub cargo_metadata: bool,
    /// Walk the skipped folders too, to list every lockfile-like file not read
    /// (`--explain-skips`); slower in a tree with a large `node_modules`.
    pub explain_skips: bool,
}

/// The `--exclude` and allowlist patterns, compiled.
struct Excludes {
    cli: (globset::GlobSet, Vec<String>),
    allowlist: (globset::GlobSet, Vec<String>),
}

fn glob_set(patterns: &[String]) -> (globset::GlobSet, Vec<String>) {
    let mut b = globset::GlobSetBuilder::new();
    let mut kept = Vec::new();
    for p in patterns {
        let t = p.trim_start_matches("./").trim_end_matches('/');
        if let Ok(g) = globset::GlobBuilder::new(t).literal_separator(true).build() {
            b.add(g);
            kept.push(p.clone());
        }
    }
    (
        b.build().unwrap_or_else(|_| globset::GlobSet::empty()),
        kept,
    )
}

impl Excludes {
    fn new(opts: &Options) -> Excludes {
        Excludes {
            cli: glob_set(&opts.exclude),
            allowlist: glob_set(&opts.allowlist_exclude),
        }
    }

    /// The reason `shown` (a display path) itself is excluded, if it is.
    fn reason(&self, shown: &Path) -> Option<SkipReason> {
        if let Some(&i) = self.allowlist.0.matches(shown).first() {
            return Some(SkipReason::AllowlistExclude(self.allowlist.1[i].clone()));
        }
        if let Some(&i) = self.cli.0.matches(shown).first() {
            return Some(SkipReason::CliExclude(self.cli.1[i].clone()));
        }
        None
    }

    /// The reason `shown` or one of its parent folders is excluded, if one is.
    fn reason_with_parents(&self, shown: &Path) -> Option<SkipReason> {
        shown
            .ancestors()
            .filter(|a| !a.as_os_str().is_empty())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .find_map(|a| self.reason(a))
    }
}

/// Why a file (or folder) that may hold a lockfile or manifest was not read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SkipReason {
    /// Matched a pattern of the allowlist's `exclude`.
    AllowlistExclude(String),
    /// Matched an `--exclude` pattern.
    CliExclude(String),
    /// Inside a folder of installer or build output (`node_modules`, `target`, …)
    /// and not tracked by git.
    InstallFolder(String),
    /// Named by `.gitignore`, `.ignore` or git's exclude files, and not tracked by
    /// git (or not in a git repository).
    Ignored,
    /// A manifest inside a folder of installed packages (`node_modules`, …): an
    /// installed package's metadata, even when git tracks it.
    InstalledPackage(String),
    /// Named like a lockfile, but not a format lockgate reads.
    NotALockfileName,
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::AllowlistExclude(p) => {
                write!(f, "excluded by the allowlist's exclude `{p}`")
            }
            SkipReason::CliExclude(p) => write!(f, "excluded by --exclude `{p}`"),
            SkipReason::InstallFolder(d) => {
                write!(
                    f,
                    "inside {d}/ (installer or build output) and not tracked by git"
                )
            }
            SkipReason::Ignored => {
                write!(f, "ignored by .gitignore/.ignore and not tracked by git")
            }
            SkipReason::InstalledPackage(d) => {
                write!(f, "manifest of an installed package inside {d}/")
            }
            SkipReason::NotALockfileName => write!(f, "not a lockfile name lockgate reads"),
        }
    }
}

impl Skipped {
    /// The reason, worded for a file or for a folder.
    pub fn describe(&self) -> String {
        match (&self.reason, self.is_dir) {
            (SkipReason::InstallFolder(_), true) => {
                "folder of installer or build output that git does not track".to_string()
            }
            (r, _) => r.to_string(),
        }
    }
}

/// A file or folder that was not read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skipped {
    /// How to show it.
    pub display: PathBuf,
    /// A folder not entered (its content was not looked at), or a file.
    pub is_dir: bool,
    /// Why.
    pub reason: SkipReason,
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
    pub errors: Vec<DiscoverError>,
    /// Lockfile-like files and folders that were not read, sorted by display path.
    /// Without [`Options::explain_skips`], a skipped folder is listed once, not the
    /// files in it, and untracked files that ignore files name are not seen at all.
    pub skipped: Vec<Skipped>,
    /// Files read although an ignore file or the skip list names them, because
    /// git tracks them.
    pub tracked_overrides: Vec<PathBuf>,
}

/// The manifest ecosystem for a file name, if it is a manifest lockgate tracks.
pub fn manifest_ecosystem(path: &Path) -> Option<Ecosystem> {
    let name = path.file_name()?.to_str()?;
    match name {
        "package.json" => Some(Ecosystem::Npm),
        "Cargo.toml" => Some(Ecosystem::Cargo),
        "pyproject.toml" | "Pipfile" => Some(Ecosystem::Pypi),
        _ if name.starts_with("requirements") && name.ends_with(".in") => Some(Ecosystem::Pypi),
        _ if name.ends_with(".in") && lockfile::in_requirements_folder(path) => {
            Some(Ecosystem::Pypi)
        }
        _ => None,
    }
}

/// Lockfiles of tools whose formats lockgate does not read (listed by
/// `--explain-skips` so that nobody believes them checked).
const OTHER_LOCKFILES: &[&str] = &[
    "deno.lock",
    "Gemfile.lock",
    "composer.lock",
    "flake.lock",
    "Podfile.lock",
    "mix.lock",
    "pubspec.lock",
    "packages.lock.json",
    "gradle.lockfile",
    "Package.resolved",
    "go.sum",
    "conan.lock",
    "pixi.lock",
    "conda-lock.yml",
    "Manifest.toml",
];

/// Is this file named like a lockfile or manifest, whether lockgate reads it or
/// not (for `--explain-skips`)? `Gemfile.lock`, `deno.lock`, `yarn.lock.orig`,
/// `requirements.txt.orig`, `constraints.txt` are; `notes.txt` and
/// `requirements.rs` are not.
pub fn looks_like_lockfile(path: &Path) -> bool {
    if lockfile::detect(path).is_some() || manifest_ecosystem(path).is_some() {
        return true;
    }
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    if OTHER_LOCKFILES.contains(&name) {
        return true;
    }
    // Copies of a lockfile lockgate reads (`yarn.lock.orig`): the exact names of
    // the format list (not the patterns such as `requirements*.txt`).
    if lockfile::file_names()
        .filter(|n| !n.contains('*'))
        .any(|n| name.len() > n.len() && name.starts_with(n) && name[n.len()..].starts_with('.'))
    {
        return true;
    }
    let lower = name.to_ascii_lowercase();
    (lower.starts_with("requirements") || lower.starts_with("constraints"))
        && (lower.contains(".txt") || lower.ends_with(".in") || lower.contains(".lock"))
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
    let excludes = Excludes::new(opts);
    let mut repos: HashMap<PathBuf, Arc<Repo>> = HashMap::new();
    for root in roots {
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                out.errors.push(DiscoverError::Unreadable {
                    path: root.clone(),
                    message: e.to_string(),
                });
                continue;
            }
        };
        if meta.is_file() {
            // A `.txt` named on the command line is taken for a requirements file
            // (`deps/prod.txt`): if it is not one, reading it fails with its line.
            let named_kind = lockfile::detect(root).or_else(|| {
                (manifest_ecosystem(root).is_none() && root.extension().is_some_and(|e| e == "txt"))
                    .then_some(Kind::Requirements)
            });
            if let Some(kind) = named_kind {
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
                out.errors
                    .push(DiscoverError::NotALockfile { path: root.clone() });
            }
            continue;
        }
        let tracked = match tracked_under(root, &mut repos) {
            Ok(t) => t,
            Err(e) => {
                out.errors.push(e);
                continue;
            }
        };
        walk(
            root,
            opts,
            &excludes,
            tracked.as_deref(),
            &mut out,
            &mut seen,
        );
    }
    out.lockfiles.sort_by(|a, b| a.display.cmp(&b.display));
    out.manifests.sort_by(|a, b| a.display.cmp(&b.display));
    out.skipped.sort();
    out.skipped.dedup();
    out.tracked_overrides.sort();
    out.tracked_overrides.dedup();
    out
}

/// The files git tracks in one repository (paths relative to its top folder).
struct Repo {
    /// The top folder, canonical.
    top: PathBuf,
    /// Every tracked file, relative to `top`.
    files: Vec<PathBuf>,
}

/// The nearest folder at or above `dir` (canonical) holding `.git`.
fn git_top(dir: &Path) -> Option<PathBuf> {
    let canon = std::fs::canonicalize(dir).ok()?;
    canon
        .ancestors()
        .find(|a| a.join(".git").exists())
        .map(Path::to_path_buf)
}

/// Ask git for the files it tracks under `top` (`git ls-files -z`, with submodules).
fn git_ls_files(top: &Path) -> Result<Vec<PathBuf>, String> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(top)
        .args(["ls-files", "-z", "--recurse-submodules"])
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_COMMON_DIR")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        return Err(format!("`git ls-files` failed: {}", first.trim()));
    }
    Ok(out
        .stdout
        .split(|&b| b == 0)
        .filter(|s| !s.is_empty())
        .map(bytes_to_path)
        .collect())
}

#[cfg(unix)]
fn bytes_to_path(b: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(b))
}

#[cfg(not(unix))]
fn bytes_to_path(b: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(b).into_owned())
}

/// The tracked files under the folder `root` that are named like a lockfile or a
/// manifest, as paths below `root` (joined to it as the user wrote it); `None`
/// outside a git repository.
fn tracked_under(
    root: &Path,
    repos: &mut HashMap<PathBuf, Arc<Repo>>,
) -> Result<Option<Vec<PathBuf>>, DiscoverError> {
    let Some(top) = git_top(root) else {
        return Ok(None);
    };
    let repo = match repos.get(&top) {
        Some(r) => Arc::clone(r),
        None => {
            let files = git_ls_files(&top).map_err(|message| DiscoverError::GitTracked {
                path: root.to_path_buf(),
                top: top.clone(),
                message,
            })?;
            let r = Arc::new(Repo {
                top: top.clone(),
                files,
            });
            repos.insert(top, Arc::clone(&r));
            r
        }
    };
    let canon = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let rel_root = canon.strip_prefix(&repo.top).unwrap_or(Path::new(""));
    Ok(Some(
        repo.files
            .iter()
            .filter_map(|f| f.strip_prefix(rel_root).ok())
            .filter(|f| lockfile::detect(f).is_some() || manifest_ecosystem(f).is_some())
            .map(|f| root.join(f))
            .collect(),
    ))
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

/// The first folder of the skip list (or of `list`) on the way from `root` to `path`.
fn skip_component(root: &Path, path: &Path, list: &[&str]) -> Option<String> {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parent = rel.parent()?;
    parent
        .components()
        .filter_map(|c| c.as_os_str().to_str())
        .find(|n| list.contains(n))
        .map(String::from)
}

fn walk(
    root: &Path,
    opts: &Options,
    excludes: &Excludes,
    tracked: Option<&[PathBuf]>,
    out: &mut Discovered,
    seen: &mut HashSet<PathBuf>,
) {
    let skipped: Arc<Mutex<Vec<Skipped>>> = Arc::default();
    let filter_skipped = Arc::clone(&skipped);
    let filter_excludes = Excludes {
        cli: excludes.cli.clone(),
        allowlist: excludes.allowlist.clone(),
    };
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
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            let name = e.file_name().to_str().unwrap_or("");
            if is_dir && VCS_DIRS.contains(&name) {
                return false;
            }
            let shown = display_path(e.path());
            let reason = filter_excludes.reason(&shown).or_else(|| {
                (is_dir && SKIPPED_DIRS.contains(&name))
                    .then(|| SkipReason::InstallFolder(name.to_string()))
            });
            match reason {
                None => true,
                Some(reason) => {
                    if is_dir || looks_like_lockfile(e.path()) {
                        let mut v = filter_skipped.lock().unwrap_or_else(|p| p.into_inner());
                        v.push(Skipped {
                            display: shown,
                            is_dir,
                            reason,
                        });
                    }
                    false
                }
            }
        });
    for entry in builder.build() {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let path = walk_error_path(&err).unwrap_or_else(|| root.to_path_buf());
                out.errors.push(DiscoverError::UnreadableFolder {
                    path: display_path(&path),
                    message: walk_error_text(&err),
                });
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
        add_file(path, out, seen);
    }
    let mut skipped = std::mem::take(&mut *skipped.lock().unwrap_or_else(|p| p.into_inner()));
    // What git tracks is read, whatever ignore files and the skip list say.
    for path in tracked.unwrap_or(&[]) {
        if seen.contains(path) {
            continue;
        }
        let known = lockfile::detect(path).is_some() || manifest_ecosystem(path).is_some();
        if !known || std::fs::symlink_metadata(path).is_err() {
            continue;
        }
        let shown = display_path(path);
        let rel = path.strip_prefix(root).unwrap_or(path);
        if rel.components().any(|c| {
            c.as_os_str()
                .to_str()
                .is_some_and(|n| VCS_DIRS.contains(&n))
        }) {
            continue;
        }
        if let Some(reason) = excludes.reason_with_parents(&shown) {
            skipped.push(Skipped {
                display: shown,
                is_dir: false,
                reason,
            });
            continue;
        }
        if lockfile::detect(path).is_none()
            && let Some(d) = skip_component(root, path, INSTALLED_PACKAGE_DIRS)
        {
            skipped.push(Skipped {
                display: shown,
                is_dir: false,
                reason: SkipReason::InstalledPackage(d),
            });
            continue;
        }
        if add_file(path, out, seen) {
            out.tracked_overrides.push(shown);
        }
    }
    // A skipped folder that holds tracked files was read in part (its tracked
    // files): it is not counted as skipped; its untracked files are listed by
    // --explain-skips.
    let skipped_dirs: HashSet<PathBuf> = skipped
        .iter()
        .filter(|s| s.is_dir)
        .map(|s| s.display.clone())
        .collect();
    if !skipped_dirs.is_empty() {
        let mut holding = HashSet::new();
        for path in tracked.unwrap_or(&[]) {
            for a in display_path(path).ancestors().skip(1) {
                if skipped_dirs.contains(a) {
                    holding.insert(a.to_path_buf());
                }
            }
        }
        skipped.retain(|s| !(s.is_dir && holding.contains(&s.display)));
    }
    if opts.explain_skips {
        // The files in the skipped folders are listed one by one instead.
        skipped.retain(|s| !s.is_dir);
        explain(root, excludes, &mut skipped, seen);
    }
    out.skipped.extend(skipped);
}

/// Record a lockfile or manifest found at `path`; true when it is new.
fn add_file(path: &Path, out: &mut Discovered, seen: &mut HashSet<PathBuf>) -> bool {
    if let Some(kind) = lockfile::detect(path) {
        if seen.insert(path.to_path_buf()) {
            out.lockfiles.push(Found {
                path: path.to_path_buf(),
                display: display_path(path),
                kind,
            });
            return true;
        }
    } else if let Some(ecosystem) = manifest_ecosystem(path)
        && seen.insert(path.to_path_buf())
    {
        out.manifests.push(Manifest {
            path: path.to_path_buf(),
            display: display_path(path),
            ecosystem,
        });
        return true;
    }
    false
}

/// `--explain-skips`: walk everything under `root` (no ignore files, no skip list)
/// and list each lockfile-like file that was not read, with its reason, in place
/// of the skipped folders.
fn explain(root: &Path, excludes: &Excludes, skipped: &mut Vec<Skipped>, seen: &HashSet<PathBuf>) {
    let mut builder = ignore::WalkBuilder::new(root);
    builder
        .standard_filters(false)
        .hidden(false)
        .follow_links(false)
        .filter_entry(|e| {
            e.depth() == 0
                || !(e.file_type().is_some_and(|t| t.is_dir())
                    && e.file_name()
                        .to_str()
                        .is_some_and(|n| VCS_DIRS.contains(&n)))
        });
    let already: HashSet<PathBuf> = skipped
        .iter()
        .filter(|s| !s.is_dir)
        .map(|s| s.display.clone())
        .collect();
    let mut files = Vec::new();
    for entry in builder.build().flatten() {
        let path = entry.path();
        if entry.file_type().is_some_and(|t| t.is_dir()) || seen.contains(path) {
            continue;
        }
        if !looks_like_lockfile(path) {
            continue;
        }
        let shown = display_path(path);
        if already.contains(&shown) {
            continue;
        }
        let known = lockfile::detect(path).is_some() || manifest_ecosystem(path).is_some();
        let reason = excludes
            .reason_with_parents(&shown)
            .or_else(|| skip_component(root, path, SKIPPED_DIRS).map(SkipReason::InstallFolder))
            .unwrap_or(if known {
                SkipReason::Ignored
            } else {
                SkipReason::NotALockfileName
            });
        files.push(Skipped {
            display: shown,
            is_dir: false,
            reason,
        });
    }
    skipped.extend(files);
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

/// A folder path made comparable: `""` and `"."` become `.`, a trailing `./` removed.
pub fn normalize_dir(d: &Path) -> PathBuf {
    let shown = display_path(d);
    if shown.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        shown
    }
}

/// Why discovery could not read a path it was given or met. Every such error fails
/// the run, like a lockfile that cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {}", self.path().display(), self.message())]
pub enum DiscoverError {
    /// A path given to lockgate does not exist or cannot be read.
    Unreadable {
        /// The path as given.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// A file given to lockgate is neither a lockfile nor a manifest it knows.
    NotALockfile {
        /// The path as given.
        path: PathBuf,
    },
    /// The folder is in a git repository, but git could not list the files it tracks.
    GitTracked {
        /// The folder as given.
        path: PathBuf,
        /// The repository's top folder.
        top: PathBuf,
        /// What git said.
        message: String,
    },
    /// A folder (or an entry in it) under a root could not be read during the walk.
    UnreadableFolder {
        /// The folder, as shown in output.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

impl DiscoverError {
    /// The path the error is about.
    pub fn path(&self) -> &Path {
        match self {
            DiscoverError::Unreadable { path, .. }
            | DiscoverError::NotALockfile { path }
            | DiscoverError::GitTracked { path, .. }
            | DiscoverError::UnreadableFolder { path, .. } => path,
        }
    }

    /// What is wrong, without the path.
    pub fn message(&self) -> String {
        match self {
            DiscoverError::Unreadable { message, .. } => format!("cannot read: {message}"),
            DiscoverError::NotALockfile { .. } => {
                "is neither a lockfile nor a manifest lockgate knows".to_string()
            }
            DiscoverError::GitTracked { top, message, .. } => format!(
                "cannot list the files git tracks in {}: {message}",
                top.display()
            ),
            DiscoverError::UnreadableFolder { message, .. } => format!("cannot walk: {message}"),
        }
    }
}

impl crate::hint::Hint for DiscoverError {
    fn hints(&self) -> Vec<String> {
        vec![match self {
            DiscoverError::Unreadable { .. } => "check the path you passed to lockgate".to_string(),
            DiscoverError::NotALockfile { .. } => format!(
                "pass a folder, a lockfile ({}) or a manifest",
                lockfile::file_names().collect::<Vec<_>>().join(", ")
            ),
            DiscoverError::GitTracked { top, .. } => format!(
                "lockgate reads every tracked lockfile, even one an ignore file names, so it needs git: install git, or if git refuses the folder as of \"dubious ownership\", run `git config --global --add safe.directory {}`",
                top.display()
            ),
            DiscoverError::UnreadableFolder { .. } => {
                "make the folder readable, or exclude it with --exclude if it holds no lockfile"
                    .to_string()
            }
        }]
    }
}

/// A discovery error joins the parse errors of a [`crate::resolve::Resolution`]: the
/// run reports every file or folder it could not read the same way, and fails.
impl From<DiscoverError> for ParseError {
    fn from(e: DiscoverError) -> ParseError {
        use crate::hint::Hint;
        let hint = e.hints().join("; ");
        ParseError {
            path: e.path().to_path_buf(),
            line: None,
            message: e.message(),
            hint,
        }
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
}
