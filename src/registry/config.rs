//! Where the client asks, and how: [`Config`], from the defaults, the allowlist's
//! `[registries]` table and the environment; registry URLs in each package manager's
//! own form ([`normalize_base`]).

use super::{Observer, RegistryError, cache, cargo, npm, pypi};
use crate::model::Ecosystem;
use std::collections::BTreeMap;
use std::time::Duration;

/// Where the client asks, and how.
#[derive(Debug, Clone)]
pub struct Config {
    /// cargo sparse index root, ending with `/`.
    pub cargo_index: String,
    /// npm registry root, ending with `/`.
    pub npm_registry: String,
    /// PyPI simple index root, ending with `/`.
    pub pypi_index: String,
    /// The GitHub REST API root that resolves action tags to commits, ending with `/`
    /// (`LOCKGATE_GITHUB_API`, `[registries] actions`).
    pub github_api: String,
    /// Cache folder; `None` disables the cache.
    pub cache_dir: Option<std::path::PathBuf>,
    /// How long a cached answer is used without asking again.
    pub ttl: Duration,
    /// Never use the network: answers come from the cache or are errors.
    pub offline: bool,
    /// Timeout of one request, body included.
    pub timeout: Duration,
    /// Timeout of connecting.
    pub connect_timeout: Duration,
    /// Retries after the first attempt (network errors, 429, 5xx).
    pub retries: u32,
    /// First backoff; doubled on each retry.
    pub backoff: Duration,
    /// Longest `Retry-After` that is waited for; a longer one fails the request.
    pub max_retry_after: Duration,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Show a progress bar on a terminal when a run takes more than a moment.
    pub progress: bool,
    /// Told what the client does (requests, cache, retries, DNS, timings); `-v`.
    pub observer: Option<Observer>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            cargo_index: cargo::DEFAULT_INDEX.to_string(),
            npm_registry: npm::DEFAULT_REGISTRY.to_string(),
            pypi_index: pypi::DEFAULT_INDEX.to_string(),
            github_api: super::github::DEFAULT_API.to_string(),
            cache_dir: cache::default_dir(),
            ttl: Duration::from_secs(3600),
            offline: false,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retries: 3,
            backoff: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(60),
            concurrency: 32,
            progress: true,
            observer: None,
        }
    }
}

/// The environment variable that sets an ecosystem's registry URL.
pub fn env_var(eco: Ecosystem) -> &'static str {
    match eco {
        Ecosystem::Cargo => "LOCKGATE_CARGO_INDEX",
        Ecosystem::Npm => "LOCKGATE_NPM_REGISTRY",
        Ecosystem::Pypi => "LOCKGATE_PYPI_INDEX",
        Ecosystem::Actions => "LOCKGATE_GITHUB_API",
    }
}

impl Config {
    /// The defaults, overridden by the allowlist's `[registries]` table and then by
    /// the environment: `LOCKGATE_{CARGO_INDEX,NPM_REGISTRY,PYPI_INDEX}`,
    /// `LOCKGATE_CACHE_DIR`, `LOCKGATE_NO_CACHE=1`, `LOCKGATE_CACHE_TTL` (seconds),
    /// `LOCKGATE_HTTP_TIMEOUT` (seconds), `LOCKGATE_RETRIES`, `LOCKGATE_CONCURRENCY`.
    pub fn from_env(registries: &BTreeMap<String, String>) -> Result<Config, RegistryError> {
        let mut c = Config::default();
        for eco in Ecosystem::ALL {
            let from_list = registries
                .iter()
                .find(|(k, _)| Ecosystem::parse(k) == Some(eco))
                .map(|(k, v)| (v.clone(), format!("[registries] {k}")));
            let from_env = std::env::var(env_var(eco))
                .ok()
                .filter(|v| !v.trim().is_empty())
                .map(|v| (v, env_var(eco).to_string()));
            if let Some((url, origin)) = from_env.or(from_list) {
                c.set_registry(eco, &url, &origin)?;
            }
        }
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let num = |k: &str| -> Result<Option<f64>, RegistryError> {
            match var(k) {
                None => Ok(None),
                Some(v) => v
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite() && *x >= 0.0)
                    .map(Some)
                    .ok_or_else(|| RegistryError::Config {
                        url: v.clone(),
                        origin: k.to_string(),
                        message: "expected a non-negative number".to_string(),
                    }),
            }
        };
        if var("LOCKGATE_NO_CACHE").is_some_and(|v| v != "0") {
            c.cache_dir = None;
        }
        if let Some(s) = num("LOCKGATE_CACHE_TTL")? {
            c.ttl = Duration::from_secs_f64(s);
        }
        if let Some(s) = num("LOCKGATE_HTTP_TIMEOUT")? {
            c.timeout = Duration::from_secs_f64(s.max(0.001));
            c.connect_timeout = c.connect_timeout.min(c.timeout);
        }
        if let Some(n) = num("LOCKGATE_RETRIES")? {
            c.retries = n as u32;
        }
        if let Some(n) = num("LOCKGATE_CONCURRENCY")? {
            c.concurrency = (n as usize).max(1);
        }
        Ok(c)
    }

    /// Set an ecosystem's registry from a URL as its package manager takes it: the
    /// sparse index (with or without `sparse+`), the `.npmrc` registry, pip's
    /// `--index-url`. `origin` names where it came from, for errors.
    pub fn set_registry(
        &mut self,
        eco: Ecosystem,
        url: &str,
        origin: &str,
    ) -> Result<(), RegistryError> {
        let base = normalize_base(eco, url).map_err(|message| RegistryError::Config {
            url: url.to_string(),
            origin: origin.to_string(),
            message,
        })?;
        match eco {
            Ecosystem::Cargo => self.cargo_index = base,
            Ecosystem::Npm => self.npm_registry = base,
            Ecosystem::Pypi => self.pypi_index = base,
            Ecosystem::Actions => self.github_api = base,
        }
        Ok(())
    }

    /// An ecosystem's registry root (ends with `/`).
    pub fn base(&self, eco: Ecosystem) -> &str {
        match eco {
            Ecosystem::Cargo => &self.cargo_index,
            Ecosystem::Npm => &self.npm_registry,
            Ecosystem::Pypi => &self.pypi_index,
            Ecosystem::Actions => &self.github_api,
        }
    }

    /// True when a lockfile's registry URL (as [`crate::model::Source::Registry`]
    /// records it) is the one this configuration asks for `eco`, or `None` (the
    /// ecosystem's default registry).
    pub fn serves(&self, eco: Ecosystem, lockfile_registry: Option<&str>) -> bool {
        match lockfile_registry {
            None => true,
            Some(url) => normalize_base(eco, url).is_ok_and(|b| same_url(&b, self.base(eco))),
        }
    }
}

fn same_url(a: &str, b: &str) -> bool {
    a.trim_end_matches('/')
        .eq_ignore_ascii_case(b.trim_end_matches('/'))
}

/// A registry URL in canonical form: `http(s)://…/` with a trailing slash.
pub fn normalize_base(eco: Ecosystem, url: &str) -> Result<String, String> {
    let mut u = url.trim();
    if eco == Ecosystem::Cargo {
        if let Some(rest) = u.strip_prefix("registry+") {
            if rest.trim_end_matches('/') == "https://github.com/rust-lang/crates.io-index" {
                return Ok(cargo::DEFAULT_INDEX.to_string());
            }
            return Err(
                "a git index; lockgate reads only sparse indexes (`sparse+https://…/`)".to_string(),
            );
        }
        u = u.strip_prefix("sparse+").unwrap_or(u);
    }
    let parsed = reqwest::Url::parse(u).map_err(|e| e.to_string())?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("scheme `{}` is not http or https", parsed.scheme()));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err("a registry URL has no query or fragment".to_string());
    }
    let mut s = parsed.to_string();
    if !s.ends_with('/') {
        s.push('/');
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_urls_in_each_managers_form() {
        assert_eq!(
            normalize_base(Ecosystem::Cargo, "sparse+https://index.crates.io").unwrap(),
            "https://index.crates.io/"
        );
        assert_eq!(
            normalize_base(
                Ecosystem::Cargo,
                "registry+https://github.com/rust-lang/crates.io-index"
            )
            .unwrap(),
            "https://index.crates.io/"
        );
        assert!(normalize_base(Ecosystem::Cargo, "registry+https://git.example/index").is_err());
        assert_eq!(
            normalize_base(Ecosystem::Pypi, "https://pypi.org/simple").unwrap(),
            "https://pypi.org/simple/"
        );
        assert!(normalize_base(Ecosystem::Npm, "ftp://x").is_err());
        let c = Config::default();
        assert!(c.serves(Ecosystem::Npm, None));
        assert!(c.serves(Ecosystem::Pypi, Some("https://pypi.org/simple")));
        assert!(!c.serves(Ecosystem::Pypi, Some("https://corp.example/simple")));
    }
}
