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

use crate::lockfile::{self, Kind};

use crate::model::Ecosystem;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod classify;
mod error;
mod git;
mod global_ignore;
mod manifests;
#[cfg(test)]
mod tests;
mod walk;

pub use classify::{looks_like_lockfile, manifest_ecosystem};
pub use error::DiscoverError;
use git::{Repo, tracked_under};
pub use manifests::{
    declares_dependencies, lockfiles_for_manifest, manifest_name, manifests_without_lockfile,
};
use walk::{Excludes, walk};

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
    discover_with(roots, opts, &mut |_| ())
}

/// [`discover`], calling `found_one` with each lockfile the walk of a folder finds,
/// as it finds it (so that reading it can start before the walk ends). Not every
/// lockfile is passed (a root named as a file, the files git tracks that the walk
/// did not see are not): [`Discovered::lockfiles`] is the whole list.
pub fn discover_with(
    roots: &[PathBuf],
    opts: &Options,
    found_one: &mut dyn FnMut(&Found),
) -> Discovered {
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
            found_one,
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

/// A folder path made comparable: `""` and `"."` become `.`, a trailing `./` removed.
pub fn normalize_dir(d: &Path) -> PathBuf {
    let shown = display_path(d);
    if shown.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        shown
    }
}
