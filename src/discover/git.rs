//! The git-tracked listing: `git ls-files` once per repository, so tracked files are
//! read whatever ignore files say.

use super::DiscoverError;
use super::classify::manifest_ecosystem;
use crate::lockfile::{self};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The files git tracks in one repository (paths relative to its top folder).
pub(super) struct Repo {
    /// The top folder, canonical.
    top: PathBuf,
    /// Every tracked file, relative to `top`.
    files: Vec<PathBuf>,
}

/// The nearest folder at or above `dir` (canonical) holding `.git`.
pub(super) fn git_top(dir: &Path) -> Option<PathBuf> {
    let canon = std::fs::canonicalize(dir).ok()?;
    canon
        .ancestors()
        .find(|a| a.join(".git").exists())
        .map(Path::to_path_buf)
}

/// Ask git for the files it tracks under `top` (`git ls-files -z`, with submodules).
pub(super) fn git_ls_files(top: &Path) -> Result<Vec<PathBuf>, String> {
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
pub(super) fn bytes_to_path(b: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(b))
}

#[cfg(not(unix))]
pub(super) fn bytes_to_path(b: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(b).into_owned())
}

/// The tracked files under the folder `root` that are named like a lockfile or a
/// manifest, as paths below `root` (joined to it as the user wrote it); `None`
/// outside a git repository.
pub(super) fn tracked_under(
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
