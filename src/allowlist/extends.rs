//! Shared allowlists: `extends = [{ path = "...", sha256 = "..." }, { url = "...",
//! sha256 = "..." }]`.
//!
//! Each extended file is pinned by the sha256 of its bytes. A file whose bytes no
//! longer match the pin is an error naming the `extends` line, never a silent new
//! policy. A URL is downloaded once and kept in lockgate's cache folder under its
//! sha256 (`<cache>/extends/<sha256>.toml`), so offline runs use exactly the pinned
//! bytes; on a machine without that copy it is downloaded and must match the pin.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Where an extended file comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A local file (relative paths are relative to the extending allowlist).
    Path(PathBuf),
    /// An `https://` (or, for tests and intranets, `http://`) URL.
    Url(String),
}

/// Why an extended allowlist could not be read, or is not what its pin says.
#[derive(Debug, thiserror::Error)]
pub enum ExtendsError {
    /// A local file could not be read.
    #[error("cannot read {}: {message}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// A URL could not be downloaded (or the HTTP client not set up).
    #[error("cannot download {url}: {error}")]
    Download {
        /// The URL.
        url: String,
        /// Why.
        error: crate::registry::RegistryError,
    },
    /// The bytes do not match the pin.
    #[error(
        "{what} has sha256 {got}, but the pin is {pinned}: the shared allowlist changed. Review the change, then update the pin (`lockgate allowlist extends --update`), or restore the file"
    )]
    PinMismatch {
        /// The file or URL.
        what: String,
        /// The sha256 of what was read.
        got: String,
        /// The pinned sha256.
        pinned: String,
    },
}

impl crate::hint::Hint for ExtendsError {
    fn hints(&self) -> Vec<String> {
        match self {
            ExtendsError::Read { .. } => vec!["check the `extends` entry: a `path` is relative to the allowlist that extends it".to_string()],
            ExtendsError::Download { error, .. } => crate::hint::Hint::hints(error),
            ExtendsError::PinMismatch { .. } => vec!["review the change, then update the pin with `lockgate allowlist extends --update`, or restore the file".to_string()],
        }
    }
}

/// The sha256 of some bytes, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::model::hash::to_hex(&Sha256::digest(bytes))
}

/// The cache file of a URL pinned at `sha256`.
pub fn cache_file(sha256: &str) -> Option<PathBuf> {
    crate::registry::cache::default_dir().map(|d| d.join("extends").join(format!("{sha256}.toml")))
}

/// Read an extended file and check it against its pin. Returns the file it was
/// read from (the cache file for a URL) and its text; errors are one sentence that
/// says what to do.
pub fn fetch(loc: &Location, sha256: &str) -> Result<(PathBuf, Vec<u8>), ExtendsError> {
    match loc {
        Location::Path(p) => {
            let bytes = std::fs::read(p).map_err(|e| ExtendsError::Read {
                path: p.clone(),
                message: e.to_string(),
            })?;
            check_pin(&p.display().to_string(), &bytes, sha256)?;
            Ok((p.clone(), bytes))
        }
        Location::Url(url) => {
            if let Some(c) = cache_file(sha256)
                && let Ok(bytes) = std::fs::read(&c)
                && sha256_hex(&bytes) == sha256
            {
                return Ok((c, bytes));
            }
            let bytes = download(url)?;
            check_pin(url, &bytes, sha256)?;
            let cached = store_in_cache(sha256, &bytes);
            Ok((cached.unwrap_or_else(|| PathBuf::from(url)), bytes))
        }
    }
}

/// Download a shared allowlist (no progress output).
fn download(url: &str) -> Result<Vec<u8>, ExtendsError> {
    let error = |error| ExtendsError::Download {
        url: url.to_string(),
        error,
    };
    let client = crate::registry::Client::new(crate::registry::Config {
        progress: false,
        ..crate::registry::Config::default()
    })
    .map_err(error)?;
    client.download(url).map_err(error)
}

/// Write `bytes` to the cache file of `sha256`; returns that file's path (even
/// when writing failed: a cache that cannot be written only costs a download
/// next time), or `None` when there is no cache folder.
fn store_in_cache(sha256: &str, bytes: &[u8]) -> Option<PathBuf> {
    let c = cache_file(sha256)?;
    let _ = std::fs::create_dir_all(c.parent().unwrap_or(Path::new(".")))
        .and_then(|_| std::fs::write(&c, bytes));
    Some(c)
}

fn check_pin(what: &str, bytes: &[u8], sha256: &str) -> Result<(), ExtendsError> {
    let got = sha256_hex(bytes);
    if got == sha256 {
        Ok(())
    } else {
        Err(ExtendsError::PinMismatch {
            what: what.to_string(),
            got,
            pinned: sha256.to_string(),
        })
    }
}

/// Read an extended file as it is now, without checking a pin (for re-pinning it
/// with `lockgate allowlist extends --update`, after review).
pub fn fetch_current(loc: &Location) -> Result<Vec<u8>, ExtendsError> {
    match loc {
        Location::Path(p) => std::fs::read(p).map_err(|e| ExtendsError::Read {
            path: p.clone(),
            message: e.to_string(),
        }),
        Location::Url(url) => {
            let bytes = download(url)?;
            store_in_cache(&sha256_hex(&bytes), &bytes);
            Ok(bytes)
        }
    }
}
