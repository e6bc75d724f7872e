//! The walk itself: `--exclude`/allowlist patterns, the skip list, ignore files, and
//! the skipped-file explanations.

use super::classify::{looks_like_lockfile, manifest_ecosystem};
use super::global_ignore::global_excludes_file;
use super::{
    DiscoverError, Discovered, Found, INSTALLED_PACKAGE_DIRS, Manifest, Options, SKIPPED_DIRS,
    SkipReason, Skipped, VCS_DIRS, display_path,
};
use crate::lockfile::{self};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The `--exclude` and allowlist patterns, compiled.
pub(super) struct Excludes {
    cli: (globset::GlobSet, Vec<String>),
    allowlist: (globset::GlobSet, Vec<String>),
}

pub(super) fn glob_set(patterns: &[String]) -> (globset::GlobSet, Vec<String>) {
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
    pub(super) fn new(opts: &Options) -> Excludes {
        Excludes {
            cli: glob_set(&opts.exclude),
            allowlist: glob_set(&opts.allowlist_exclude),
        }
    }

    /// True when there is no pattern (the usual case): nothing is excluded.
    pub(super) fn is_empty(&self) -> bool {
        self.allowlist.0.is_empty() && self.cli.0.is_empty()
    }

    /// The reason `shown` (a display path) itself is excluded, if it is.
    pub(super) fn reason(&self, shown: &Path) -> Option<SkipReason> {
        if self.is_empty() {
            return None;
        }
        if let Some(&i) = self.allowlist.0.matches(shown).first() {
            return Some(SkipReason::AllowlistExclude(self.allowlist.1[i].clone()));
        }
        if let Some(&i) = self.cli.0.matches(shown).first() {
            return Some(SkipReason::CliExclude(self.cli.1[i].clone()));
        }
        None
    }

    /// The reason `shown` or one of its parent folders is excluded, if one is.
    pub(super) fn reason_with_parents(&self, shown: &Path) -> Option<SkipReason> {
        shown
            .ancestors()
            .filter(|a| !a.as_os_str().is_empty())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .find_map(|a| self.reason(a))
    }
}

/// The first folder of the skip list (or of `list`) on the way from `root` to `path`.
pub(super) fn skip_component(root: &Path, path: &Path, list: &[&str]) -> Option<String> {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parent = rel.parent()?;
    parent
        .components()
        .filter_map(|c| c.as_os_str().to_str())
        .find(|n| list.contains(n))
        .map(String::from)
}

pub(super) fn walk(
    root: &Path,
    opts: &Options,
    excludes: &Excludes,
    tracked: Option<&[PathBuf]>,
    out: &mut Discovered,
    seen: &mut HashSet<PathBuf>,
    found_one: &mut dyn FnMut(&Found),
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
        // Git's global ignore file is added below instead (same matcher, same rank,
        // without `ignore` compiling a regular expression on every run).
        .git_global(false)
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
            // (No display path to build for the patterns when there are none.)
            let excluded = (!filter_excludes.is_empty())
                .then(|| filter_excludes.reason(&display_path(e.path())))
                .flatten();
            let reason = excluded.or_else(|| {
                (is_dir && SKIPPED_DIRS.contains(&name))
                    .then(|| SkipReason::InstallFolder(name.to_string()))
            });
            match reason {
                None => true,
                Some(reason) => {
                    if is_dir || looks_like_lockfile(e.path()) {
                        let mut v = filter_skipped.lock().unwrap_or_else(|p| p.into_inner());
                        v.push(Skipped {
                            display: display_path(e.path()),
                            is_dir,
                            reason,
                        });
                    }
                    false
                }
            }
        });
    if !opts.no_ignore
        && let Some(global) = global_excludes_file()
        && global.is_file()
    {
        // Ranked after every other ignore file, where `git_global` put it; rooted at
        // the current folder as it was. An unreadable file adds no rule, as before.
        let _ = builder.add_ignore(global);
    }
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
        if add_file(path, out, seen)
            && let Some(found) = out.lockfiles.last().filter(|f| f.path == path)
        {
            found_one(found);
        }
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
pub(super) fn add_file(path: &Path, out: &mut Discovered, seen: &mut HashSet<PathBuf>) -> bool {
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
pub(super) fn explain(
    root: &Path,
    excludes: &Excludes,
    skipped: &mut Vec<Skipped>,
    seen: &HashSet<PathBuf>,
) {
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

pub(super) fn walk_error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

pub(super) fn walk_error_text(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => {
            walk_error_text(err)
        }
        other => other.to_string(),
    }
}
