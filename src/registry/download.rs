//! Deep mode's downloads: one artifact per version, hashed in memory (sha256 and
//! sha512) and not kept, and the download URL of a file (for cargo, from the index's
//! `config.json`).

use super::{Client, FileInfo, RegistryError, cargo};
use crate::model::{Ecosystem, Hash};

impl Client {
    /// Download one file (deep mode), with the same retries and timeouts.
    pub fn download(&self, url: &str) -> Result<Vec<u8>, RegistryError> {
        if self.config.offline {
            return Err(RegistryError::Offline {
                url: url.to_string(),
            });
        }
        self.rt.block_on(self.fetch_file(url))
    }

    /// Download files and hash them (sha256 and sha512) without keeping them, a few
    /// at a time; one result per URL, in order.
    pub fn download_digests(&self, urls: &[String]) -> Vec<Result<Vec<Hash>, RegistryError>> {
        if self.config.offline {
            return urls
                .iter()
                .map(|u| Err(RegistryError::Offline { url: u.clone() }))
                .collect();
        }
        self.run_all(
            urls,
            self.config.concurrency.clamp(1, 8),
            |url| async move {
                let body = self.fetch_file(url).await?;
                tokio::task::spawn_blocking(move || digests(&body))
                    .await
                    .map_err(|e| RegistryError::Client(e.to_string()))
            },
        )
    }

    /// GET a file (with the client's retries and timeouts); anything but 200 is an error.
    async fn fetch_file(&self, url: &str) -> Result<Vec<u8>, RegistryError> {
        let f = self.get(url, "*/*", None).await?;
        if f.status != 200 {
            return Err(RegistryError::Status {
                url: url.to_string(),
                status: f.status,
                detail: String::new(),
            });
        }
        Ok(f.body)
    }

    /// [`Client::download_digests`], and each file looked into for code that runs at
    /// install ([`super::inspect::install_code`]; `Err` when the archive does not
    /// read, `Ok(None)` when not inspected). One result per (URL, ecosystem), in order.
    #[allow(clippy::type_complexity)]
    pub fn download_inspect(
        &self,
        files: &[(String, Ecosystem)],
    ) -> Vec<Result<(Vec<Hash>, Result<Option<Vec<String>>, String>), RegistryError>> {
        if self.config.offline {
            return files
                .iter()
                .map(|(u, _)| Err(RegistryError::Offline { url: u.clone() }))
                .collect();
        }
        self.run_all(
            files,
            self.config.concurrency.clamp(1, 8),
            |(url, eco)| async move {
                let body = self.fetch_file(url).await?;
                let eco = *eco;
                tokio::task::spawn_blocking(move || {
                    (digests(&body), super::inspect::install_code(eco, &body))
                })
                .await
                .map_err(|e| RegistryError::Client(e.to_string()))
            },
        )
    }

    /// The download URL of a file: the registry's own, or for cargo the one the
    /// index's `config.json` (`dl`) gives.
    pub fn file_url(
        &self,
        eco: Ecosystem,
        name: &str,
        version: &str,
        file: &FileInfo,
    ) -> Result<String, RegistryError> {
        if let Some(u) = &file.url {
            return Ok(resolve_url(self.config.base(eco), u));
        }
        if eco != Ecosystem::Cargo {
            return Err(RegistryError::Malformed {
                url: self.config.base(eco).to_string(),
                message: format!("no download URL for {}", file.filename),
            });
        }
        let dl = {
            let cached = self.cargo_dl.lock().ok().and_then(|g| g.clone());
            match cached {
                Some(d) => d,
                None => {
                    let url = format!("{}config.json", self.config.cargo_index);
                    let body = self.download(&url)?;
                    let dl = cargo::parse_config(&body)
                        .map_err(|message| RegistryError::Malformed { url, message })?;
                    if let Ok(mut g) = self.cargo_dl.lock() {
                        *g = Some(dl.clone());
                    }
                    dl
                }
            }
        };
        let sha = file
            .hashes
            .iter()
            .find(|h| h.algorithm == "sha256")
            .map(|h| h.value.to_string())
            .unwrap_or_default();
        Ok(cargo::download_url(&dl, name, version, &sha))
    }
}

/// The sha256 and sha512 of some bytes.
pub fn digests(bytes: &[u8]) -> Vec<Hash> {
    use crate::model::hash::Algorithm;
    use sha2::Digest as _;
    vec![
        Hash::from_digest(Algorithm::Sha256, &sha2::Sha256::digest(bytes)),
        Hash::from_digest(Algorithm::Sha512, &sha2::Sha512::digest(bytes)),
    ]
}

/// A relative file URL (PEP 691 allows them) resolved against the registry base.
fn resolve_url(base: &str, u: &str) -> String {
    match reqwest::Url::parse(base).and_then(|b| b.join(u)) {
        Ok(x) => x.to_string(),
        Err(_) => u.to_string(),
    }
}
