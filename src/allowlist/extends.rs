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
pub fn fetch(loc: &Location, sha256: &str) -> Result<(PathBuf, Vec<u8>), String> {
    match loc {
        Location::Path(p) => {
            let bytes =
                std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
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
            let client = crate::registry::Client::new(crate::registry::Config {
                progress: false,
                ..crate::registry::Config::default()
            })
            .map_err(|e| e.to_string())?;
            let bytes = client
                .download(url)
                .map_err(|e| format!("cannot download {url}: {e}"))?;
            check_pin(url, &bytes, sha256)?;
            let cached = cache_file(sha256);
            if let Some(c) = &cached {
                // A cache that cannot be written only costs a download next time.
                let _ = std::fs::create_dir_all(c.parent().unwrap_or(Path::new(".")))
                    .and_then(|_| std::fs::write(c, &bytes));
            }
            Ok((cached.unwrap_or_else(|| PathBuf::from(url)), bytes))
        }
    }
}

fn check_pin(what: &str, bytes: &[u8], sha256: &str) -> Result<(), String> {
    let got = sha256_hex(bytes);
    if got == sha256 {
        Ok(())
    } else {
        Err(format!(
            "{what} has sha256 {got}, but the pin is {sha256}: the shared allowlist changed. Review the change, then update the pin (`lockgate allowlist extends --update`), or restore the file"
        ))
    }
}

/// Read an extended file as it is now, without checking a pin (for re-pinning it
/// with `lockgate allowlist extends --update`, after review).
pub fn fetch_current(loc: &Location) -> Result<Vec<u8>, String> {
    match loc {
        Location::Path(p) => {
            std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
        }
        Location::Url(url) => {
            let client = crate::registry::Client::new(crate::registry::Config {
                progress: false,
                ..crate::registry::Config::default()
            })
            .map_err(|e| e.to_string())?;
            let bytes = client
                .download(url)
                .map_err(|e| format!("cannot download {url}: {e}"))?;
            if let Some(c) = cache_file(&sha256_hex(&bytes)) {
                let _ = std::fs::create_dir_all(c.parent().unwrap_or(Path::new(".")))
                    .and_then(|_| std::fs::write(c, &bytes));
            }
            Ok(bytes)
        }
    }
}
