//! Errors of discovery and their hints.

use crate::lockfile::{self, ParseError};
use std::path::{Path, PathBuf};

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
