//! Asking the registries: the crates.io sparse index ([`cargo`]), the npm registry's
//! package documents ([`npm`]) and the PyPI JSON simple API ([`pypi`]), with an
//! on-disk [`cache`].
//!
//! [`Client`] does the asking. It is synchronous to its callers (it owns a small tokio
//! runtime; do not call it from inside another runtime) and, inside, fetches with
//! bounded concurrency, timeouts, retries with exponential backoff on network errors,
//! `429` and `5xx` (honouring `Retry-After`), and conditional revalidation of cached
//! answers. A registry that fails to connect or times out after its retries is marked
//! down for the rest of the run, so the remaining packages fail at once instead of
//! each waiting out its own timeouts. Nothing here is ever a silent pass: every
//! failure is a [`RegistryError`] naming the URL.
//!
//! TLS is rustls (no OpenSSL) with `rustls-platform-verifier`, which trusts the
//! operating system's certificate store, so networks that re-sign TLS with a
//! company CA work.
//!
//! Registry URLs ([`Config::from_env`]) come from `LOCKGATE_CARGO_INDEX`,
//! `LOCKGATE_NPM_REGISTRY` and `LOCKGATE_PYPI_INDEX`, else the allowlist's
//! `[registries]` table, else the public registries, each written the way its own
//! package manager takes it (see `docs/online.md`).

pub mod cache;
pub mod cargo;
pub mod npm;
pub mod pins;
pub mod published;
pub mod pypi;

use crate::model::{Ecosystem, Hash};
use futures_util::StreamExt as _;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Something the registry could not answer. The URL is always named.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// `--offline` forbids the network and the cache has no answer.
    #[error("{url}: not in the cache, and --offline forbids the network")]
    Offline {
        /// What would have been asked.
        url: String,
    },
    /// Could not connect, or the connection broke.
    #[error("{url}: cannot reach the registry: {message}")]
    Network {
        /// What was asked.
        url: String,
        /// Why.
        message: String,
    },
    /// No answer in time.
    #[error("{url}: no answer within {:.1} s", *millis as f64 / 1000.0)]
    Timeout {
        /// What was asked.
        url: String,
        /// The timeout, in milliseconds.
        millis: u64,
    },
    /// An HTTP status that is neither success nor "not found", after retries.
    #[error("{url}: HTTP {status}{detail}")]
    Status {
        /// What was asked.
        url: String,
        /// The status code.
        status: u16,
        /// More, e.g. the `Retry-After` the registry asked for.
        detail: String,
    },
    /// An answer lockgate cannot read (not JSON, wrong shape, bad hash).
    #[error("{url}: the registry answered something lockgate cannot read: {message}")]
    Malformed {
        /// What was asked.
        url: String,
        /// What is wrong.
        message: String,
    },
    /// A registry URL in the configuration is not usable.
    #[error("registry URL `{url}` (from {origin}) is not usable: {message}")]
    Config {
        /// The URL as given.
        url: String,
        /// Where it came from (`LOCKGATE_NPM_REGISTRY`, `[registries] npm`, …).
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// The HTTP client could not be set up.
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
}

impl RegistryError {
    /// The URL the error is about.
    pub fn url(&self) -> &str {
        match self {
            RegistryError::Offline { url }
            | RegistryError::Network { url, .. }
            | RegistryError::Timeout { url, .. }
            | RegistryError::Status { url, .. }
            | RegistryError::Malformed { url, .. }
            | RegistryError::Config { url, .. } => url,
            RegistryError::Client(_) => "",
        }
    }

    /// True for errors that mean the registry is unreachable (so the rest of the
    /// run does not try it again).
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            RegistryError::Network { .. } | RegistryError::Timeout { .. }
        )
    }
}

/// One distribution file of a version (cargo and npm have one per version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileInfo {
    /// File name (`serde-1.0.0.crate`, `left-pad-1.3.0.tgz`, `six-1.16.0-py2.py3-none-any.whl`).
    pub filename: String,
    /// Where to download it (cargo: from `config.json`, see [`cargo::download_url`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The hashes the registry publishes for it.
    #[serde(with = "hash_strings")]
    pub hashes: Vec<Hash>,
    /// Upload time (Unix seconds), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uploaded: Option<i64>,
    /// Yanked (PyPI per file; cargo per version).
    #[serde(default)]
    pub yanked: bool,
    /// Why it was yanked, when the registry says (PEP 592).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yanked_reason: Option<String>,
}

/// What a registry says about one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionInfo {
    /// Its files and their hashes.
    pub files: Vec<FileInfo>,
    /// First publish time (Unix seconds), when the registry says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<i64>,
    /// Yanked (for PyPI: every file yanked).
    #[serde(default)]
    pub yanked: bool,
}

impl VersionInfo {
    /// Every hash of every file, sorted and deduplicated.
    pub fn hashes(&self) -> Vec<Hash> {
        let mut out: Vec<Hash> = self
            .files
            .iter()
            .flat_map(|f| f.hashes.iter().cloned())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The hashes to pin in an allowlist: every file's hashes, without sha1 and md5
    /// where the registry also publishes a stronger digest of the same file.
    pub fn pin_hashes(&self) -> Vec<Hash> {
        let mut out: Vec<Hash> = Vec::new();
        for f in &self.files {
            let strong = f
                .hashes
                .iter()
                .any(|h| !matches!(h.algorithm.as_str(), "sha1" | "md5"));
            out.extend(
                f.hashes
                    .iter()
                    .filter(|h| !strong || !matches!(h.algorithm.as_str(), "sha1" | "md5"))
                    .cloned(),
            );
        }
        out.sort();
        out.dedup();
        out
    }

    /// Does the registry publish any hash of this algorithm for the version?
    pub fn has_algorithm(&self, algorithm: &str) -> bool {
        self.files
            .iter()
            .flat_map(|f| &f.hashes)
            .any(|h| h.algorithm == algorithm)
    }
}

/// A package as the registry describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageInfo {
    /// Ecosystem.
    pub ecosystem: Ecosystem,
    /// The name asked for.
    pub name: String,
    /// The document's URL.
    pub url: String,
    /// Every published version, keyed as the registry writes it.
    pub versions: BTreeMap<String, VersionInfo>,
    /// Versions whose published hashes changed since lockgate first cached them:
    /// version → the hashes first seen.
    pub changed: BTreeMap<String, Vec<Hash>>,
    /// When the answer was fetched (Unix seconds).
    pub fetched: i64,
}

impl PackageInfo {
    /// A version, by exact spelling, else (PyPI) by its loose PEP 440 form.
    pub fn version(&self, v: &str) -> Option<&VersionInfo> {
        if let Some(x) = self.versions.get(v) {
            return Some(x);
        }
        if self.ecosystem == Ecosystem::Pypi {
            let want = pypi::loose_version(v);
            return self
                .versions
                .iter()
                .find(|(k, _)| pypi::loose_version(k) == want)
                .map(|(_, x)| x);
        }
        None
    }
}

/// The registry's answer about a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The package exists.
    Found(Arc<PackageInfo>),
    /// The registry has no such package (404 or 410), or the name cannot exist there.
    NotFound {
        /// What was asked.
        url: String,
    },
}

/// Where the client asks, and how.
#[derive(Debug, Clone)]
pub struct Config {
    /// cargo sparse index root, ending with `/`.
    pub cargo_index: String,
    /// npm registry root, ending with `/`.
    pub npm_registry: String,
    /// PyPI simple index root, ending with `/`.
    pub pypi_index: String,
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
}

impl Default for Config {
    fn default() -> Self {
        Config {
            cargo_index: cargo::DEFAULT_INDEX.to_string(),
            npm_registry: npm::DEFAULT_REGISTRY.to_string(),
            pypi_index: pypi::DEFAULT_INDEX.to_string(),
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
        }
    }
}

/// The environment variable that sets an ecosystem's registry URL.
pub fn env_var(eco: Ecosystem) -> &'static str {
    match eco {
        Ecosystem::Cargo => "LOCKGATE_CARGO_INDEX",
        Ecosystem::Npm => "LOCKGATE_NPM_REGISTRY",
        Ecosystem::Pypi => "LOCKGATE_PYPI_INDEX",
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
        }
        Ok(())
    }

    /// An ecosystem's registry root (ends with `/`).
    pub fn base(&self, eco: Ecosystem) -> &str {
        match eco {
            Ecosystem::Cargo => &self.cargo_index,
            Ecosystem::Npm => &self.npm_registry,
            Ecosystem::Pypi => &self.pypi_index,
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

/// Counters of one client.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// HTTP requests sent (retries included).
    pub requests: usize,
    /// Answers served from the cache without a request.
    pub cache_hits: usize,
    /// Cached answers revalidated with `304 Not Modified`.
    pub revalidated: usize,
}

/// The registry client. Build one per run and ask it many names at once with
/// [`Client::lookup_all`].
pub struct Client {
    config: Config,
    http: reqwest::Client,
    rt: tokio::runtime::Runtime,
    cache: Option<cache::Cache>,
    requests: AtomicUsize,
    cache_hits: AtomicUsize,
    revalidated: AtomicUsize,
    down: Mutex<HashMap<String, RegistryError>>,
    cargo_dl: Mutex<Option<String>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

struct Fetched {
    status: u16,
    content_type: Option<String>,
    etag: Option<String>,
    last_modified: Option<String>,
    body: Vec<u8>,
}

/// Largest registry answer read (bytes).
pub const MAX_BODY: usize = 128 * 1024 * 1024;

impl Client {
    /// A client for a configuration.
    pub fn new(config: Config) -> Result<Client, RegistryError> {
        // reqwest is built without a bundled crypto provider; install ring once.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .user_agent(concat!("lockgate/", env!("CARGO_PKG_VERSION")))
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .pool_max_idle_per_host(config.concurrency)
            .build()
            .map_err(|e| RegistryError::Client(chain(&e)))?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| RegistryError::Client(e.to_string()))?;
        Ok(Client {
            cache: config.cache_dir.clone().map(cache::Cache::new),
            config,
            http,
            rt,
            requests: AtomicUsize::new(0),
            cache_hits: AtomicUsize::new(0),
            revalidated: AtomicUsize::new(0),
            down: Mutex::new(HashMap::new()),
            cargo_dl: Mutex::new(None),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Counters so far.
    pub fn stats(&self) -> Stats {
        Stats {
            requests: self.requests.load(Ordering::Relaxed),
            cache_hits: self.cache_hits.load(Ordering::Relaxed),
            revalidated: self.revalidated.load(Ordering::Relaxed),
        }
    }

    /// Ask about one package.
    pub fn lookup(&self, eco: Ecosystem, name: &str) -> Result<Answer, RegistryError> {
        self.lookup_all(&[(eco, name.to_string())])
            .pop()
            .unwrap_or_else(|| Err(RegistryError::Client("no answer".into())))
    }

    /// Ask about many packages, [`Config::concurrency`] at a time; one result per
    /// query, in order. Duplicate names are asked once.
    pub fn lookup_all(
        &self,
        queries: &[(Ecosystem, String)],
    ) -> Vec<Result<Answer, RegistryError>> {
        let mut unique: Vec<(Ecosystem, &str)> = Vec::new();
        let mut index: HashMap<(Ecosystem, String), usize> = HashMap::new();
        let slots: Vec<usize> = queries
            .iter()
            .map(|(eco, name)| {
                *index.entry((*eco, eco.normalize(name))).or_insert_with(|| {
                    unique.push((*eco, name.as_str()));
                    unique.len() - 1
                })
            })
            .collect();
        let answers = self.rt.block_on(async {
            let progress = Progress::new(self.config.progress, unique.len());
            let mut out: Vec<Option<Result<Answer, RegistryError>>> = vec![None; unique.len()];
            let mut stream =
                futures_util::stream::iter(unique.iter().enumerate().map(
                    |(i, (eco, name))| async move { (i, self.lookup_async(*eco, name).await) },
                ))
                .buffer_unordered(self.config.concurrency.max(1));
            while let Some((i, r)) = stream.next().await {
                out[i] = Some(r);
                progress.tick();
            }
            progress.finish();
            out
        });
        slots
            .into_iter()
            .map(|i| {
                answers[i]
                    .clone()
                    .unwrap_or_else(|| Err(RegistryError::Client("no answer".into())))
            })
            .collect()
    }

    async fn lookup_async(&self, eco: Ecosystem, name: &str) -> Result<Answer, RegistryError> {
        let base = self.config.base(eco).to_string();
        let valid = match eco {
            Ecosystem::Cargo => cargo::valid_name(name),
            Ecosystem::Npm => npm::valid_name(name),
            Ecosystem::Pypi => pypi::valid_name(name),
        };
        if !valid {
            return Ok(Answer::NotFound {
                url: format!("{base} (`{name}` is not a valid {eco} name)"),
            });
        }
        let url = match eco {
            Ecosystem::Cargo => cargo::document_url(&base, name),
            Ecosystem::Npm => npm::document_url(&base, name),
            Ecosystem::Pypi => pypi::document_url(&base, name),
        };
        let now = now();
        // Cache entries of big packages are large: read and parse them on the
        // blocking pool, in parallel with each other and with the network.
        let cached = match self.cache.clone() {
            Some(c) => {
                let (b, n) = (base.clone(), name.to_string());
                tokio::task::spawn_blocking(move || c.load(eco, &b, &n))
                    .await
                    .ok()
                    .flatten()
                    .filter(|e| e.url == url)
            }
            None => None,
        };
        if let Some(e) = &cached {
            let age = now.saturating_sub(e.fetched);
            if self.config.offline || (age >= 0 && (age as u64) < self.config.ttl.as_secs()) {
                self.cache_hits.fetch_add(1, Ordering::Relaxed);
                return Ok(answer(
                    eco,
                    name,
                    cached.clone().unwrap_or_else(|| unreachable_entry(&url)),
                ));
            }
        }
        if self.config.offline {
            return Err(RegistryError::Offline { url });
        }
        if let Some(err) = self.is_down(&base) {
            return Err(err);
        }
        let accept = match eco {
            Ecosystem::Pypi => pypi::ACCEPT,
            Ecosystem::Cargo | Ecosystem::Npm => "application/json",
        };
        let res = self.get(&url, accept, cached.as_ref()).await;
        let fetched = match res {
            Ok(f) => f,
            Err(e) => {
                if e.is_unreachable() {
                    self.mark_down(&base, &e);
                }
                return Err(e);
            }
        };
        let entry = match fetched.status {
            304 if cached.is_some() => {
                self.revalidated.fetch_add(1, Ordering::Relaxed);
                let mut e = cached.unwrap_or_else(|| unreachable_entry(&url));
                e.fetched = now;
                e
            }
            404 | 410 => cache::Entry {
                url: url.clone(),
                fetched: now,
                etag: fetched.etag,
                last_modified: fetched.last_modified,
                found: false,
                versions: BTreeMap::new(),
                changed: BTreeMap::new(),
            },
            200 => {
                let body = fetched.body;
                let ct = fetched.content_type.clone();
                let owned_name = name.to_string();
                let parsed = tokio::task::spawn_blocking(move || match eco {
                    Ecosystem::Cargo => cargo::parse(&body, &owned_name),
                    Ecosystem::Npm => npm::parse(&body, &owned_name),
                    Ecosystem::Pypi => pypi::parse(&body, &owned_name, ct.as_deref()),
                })
                .await
                .map_err(|e| RegistryError::Client(e.to_string()))?;
                let versions = parsed.map_err(|message| RegistryError::Malformed {
                    url: url.clone(),
                    message,
                })?;
                let mut changed = cached
                    .as_ref()
                    .map(|c| c.changed.clone())
                    .unwrap_or_default();
                if let Some(old) = &cached {
                    for (v, info) in &old.versions {
                        if let Some(new) = versions.get(v)
                            && !changed.contains_key(v)
                            && !info.hashes().is_empty()
                            && info.hashes() != new.hashes()
                        {
                            changed.insert(
                                v.clone(),
                                info.hashes().iter().map(Hash::to_string).collect(),
                            );
                        }
                    }
                }
                cache::Entry {
                    url: url.clone(),
                    fetched: now,
                    etag: fetched.etag,
                    last_modified: fetched.last_modified,
                    found: true,
                    versions,
                    changed,
                }
            }
            status => {
                return Err(RegistryError::Status {
                    url,
                    status,
                    detail: String::new(),
                });
            }
        };
        if let Some(c) = &self.cache {
            let _ = c.store(eco, &base, name, &entry);
        }
        Ok(answer(eco, name, entry))
    }

    fn is_down(&self, base: &str) -> Option<RegistryError> {
        self.down.lock().ok()?.get(base).cloned()
    }

    fn mark_down(&self, base: &str, err: &RegistryError) {
        if let Ok(mut d) = self.down.lock() {
            d.entry(base.to_string())
                .or_insert_with(|| RegistryError::Network {
                    url: base.to_string(),
                    message: format!(
                        "not asked: an earlier request to this registry failed ({err})"
                    ),
                });
        }
    }

    /// GET with retries. 2xx, 304, 404 and 410 are answers; network errors, 429 and
    /// 5xx are retried; anything else is returned as its status.
    async fn get(
        &self,
        url: &str,
        accept: &str,
        cached: Option<&cache::Entry>,
    ) -> Result<Fetched, RegistryError> {
        let mut attempt: u32 = 0;
        loop {
            let mut req = self.http.get(url).header(reqwest::header::ACCEPT, accept);
            if let Some(c) = cached {
                if let Some(etag) = &c.etag {
                    req = req.header(reqwest::header::IF_NONE_MATCH, etag);
                }
                if let Some(lm) = &c.last_modified {
                    req = req.header(reqwest::header::IF_MODIFIED_SINCE, lm);
                }
            }
            self.requests.fetch_add(1, Ordering::Relaxed);
            let (err, retry_after) = match req.send().await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let header = |h: reqwest::header::HeaderName| {
                        resp.headers()
                            .get(h)
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_string)
                    };
                    let retry_after = header(reqwest::header::RETRY_AFTER);
                    let content_type = header(reqwest::header::CONTENT_TYPE);
                    let etag = header(reqwest::header::ETAG);
                    let last_modified = header(reqwest::header::LAST_MODIFIED);
                    if status == 429 || status >= 500 {
                        (
                            RegistryError::Status {
                                url: url.to_string(),
                                status,
                                detail: retry_after
                                    .as_deref()
                                    .map(|r| format!(" (Retry-After: {r})"))
                                    .unwrap_or_default(),
                            },
                            retry_after.as_deref().and_then(parse_retry_after),
                        )
                    } else {
                        match resp.bytes().await {
                            Ok(body) if body.len() > MAX_BODY => {
                                return Err(RegistryError::Malformed {
                                    url: url.to_string(),
                                    message: format!(
                                        "the answer is {} MiB, more than lockgate reads",
                                        body.len() >> 20
                                    ),
                                });
                            }
                            Ok(body) => {
                                return Ok(Fetched {
                                    status,
                                    content_type,
                                    etag,
                                    last_modified,
                                    body: body.to_vec(),
                                });
                            }
                            Err(e) => (self.net_error(url, &e), None),
                        }
                    }
                }
                Err(e) => (self.net_error(url, &e), None),
            };
            if attempt >= self.config.retries {
                return Err(err);
            }
            let wait = match retry_after {
                Some(w) if w > self.config.max_retry_after => {
                    return Err(match err {
                        RegistryError::Status { url, status, .. } => RegistryError::Status {
                            url,
                            status,
                            detail: format!(
                                " (the registry asks to retry after {} s, longer than lockgate waits)",
                                w.as_secs()
                            ),
                        },
                        other => other,
                    });
                }
                Some(w) => w,
                None => backoff(self.config.backoff, attempt),
            };
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    fn net_error(&self, url: &str, e: &reqwest::Error) -> RegistryError {
        if e.is_timeout() {
            RegistryError::Timeout {
                url: url.to_string(),
                millis: self.config.timeout.as_millis() as u64,
            }
        } else {
            RegistryError::Network {
                url: url.to_string(),
                message: chain(e),
            }
        }
    }

    /// Download one file (deep mode), with the same retries and timeouts.
    pub fn download(&self, url: &str) -> Result<Vec<u8>, RegistryError> {
        if self.config.offline {
            return Err(RegistryError::Offline {
                url: url.to_string(),
            });
        }
        self.rt.block_on(async {
            let f = self.get(url, "*/*", None).await?;
            if f.status != 200 {
                return Err(RegistryError::Status {
                    url: url.to_string(),
                    status: f.status,
                    detail: String::new(),
                });
            }
            Ok(f.body)
        })
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
        self.rt.block_on(async {
            let progress = Progress::new(self.config.progress, urls.len());
            let mut out: Vec<Option<Result<Vec<Hash>, RegistryError>>> = vec![None; urls.len()];
            let mut stream =
                futures_util::stream::iter(urls.iter().enumerate().map(|(i, url)| async move {
                    let r = async {
                        let f = self.get(url, "*/*", None).await?;
                        if f.status != 200 {
                            return Err(RegistryError::Status {
                                url: url.clone(),
                                status: f.status,
                                detail: String::new(),
                            });
                        }
                        let body = f.body;
                        tokio::task::spawn_blocking(move || digests(&body))
                            .await
                            .map_err(|e| RegistryError::Client(e.to_string()))
                    }
                    .await;
                    (i, r)
                }))
                .buffer_unordered(self.config.concurrency.clamp(1, 8));
            while let Some((i, r)) = stream.next().await {
                out[i] = Some(r);
                progress.tick();
            }
            progress.finish();
            out.into_iter()
                .map(|r| r.unwrap_or_else(|| Err(RegistryError::Client("no answer".into()))))
                .collect()
        })
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
            .map(|h| h.value.as_str())
            .unwrap_or("");
        Ok(cargo::download_url(&dl, name, version, sha))
    }
}

/// The sha256 and sha512 of some bytes.
pub fn digests(bytes: &[u8]) -> Vec<Hash> {
    use sha2::Digest as _;
    let hex256 = crate::model::hash::to_hex(&sha2::Sha256::digest(bytes));
    let hex512 = crate::model::hash::to_hex(&sha2::Sha512::digest(bytes));
    vec![
        Hash {
            algorithm: crate::model::hash::Algorithm::Sha256,
            value: hex256.into(),
        },
        Hash {
            algorithm: crate::model::hash::Algorithm::Sha512,
            value: hex512.into(),
        },
    ]
}

/// A relative file URL (PEP 691 allows them) resolved against the registry base.
fn resolve_url(base: &str, u: &str) -> String {
    match reqwest::Url::parse(base).and_then(|b| b.join(u)) {
        Ok(x) => x.to_string(),
        Err(_) => u.to_string(),
    }
}

fn unreachable_entry(url: &str) -> cache::Entry {
    cache::Entry {
        url: url.to_string(),
        fetched: 0,
        etag: None,
        last_modified: None,
        found: false,
        versions: BTreeMap::new(),
        changed: BTreeMap::new(),
    }
}

fn answer(eco: Ecosystem, name: &str, e: cache::Entry) -> Answer {
    if !e.found {
        return Answer::NotFound { url: e.url };
    }
    let changed = e
        .changed
        .iter()
        .map(|(v, hs)| {
            (
                v.clone(),
                hs.iter().filter_map(|h| Hash::parse(h).ok()).collect(),
            )
        })
        .collect();
    Answer::Found(Arc::new(PackageInfo {
        ecosystem: eco,
        name: name.to_string(),
        url: e.url,
        versions: e.versions,
        changed,
        fetched: e.fetched,
    }))
}

/// `backoff · 2^attempt`, plus up to 25% jitter.
fn backoff(base: Duration, attempt: u32) -> Duration {
    let d = base.saturating_mul(1u32 << attempt.min(16));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    d + d.mul_f64(f64::from(nanos % 1000) / 4000.0)
}

/// `Retry-After`: delta-seconds or an HTTP date.
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// An error with its sources, `a: b: c`.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(x) = src {
        let m = x.to_string();
        if !s.contains(&m) {
            s.push_str(": ");
            s.push_str(&m);
        }
        src = x.source();
    }
    s
}

/// Now, in Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// An RFC 3339 / ISO 8601 time (`2024-01-02T03:04:05Z`, fractional seconds and
/// `+hh:mm` offsets allowed) as Unix seconds.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    let (y, mo, d, h, mi, se) = (
        num(0..4)?,
        num(5..7)?,
        num(8..10)?,
        num(11..13)?,
        num(14..16)?,
        num(17..19)?,
    );
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(r) = rest.strip_prefix('.') {
        let n = r.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        rest = &r[n..];
    }
    let offset = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let r = &rest[1..];
            let (oh, om) = match r.len() {
                5 if r.as_bytes()[2] == b':' => (r.get(0..2)?, r.get(3..5)?),
                4 => (r.get(0..2)?, r.get(2..4)?),
                _ => return None,
            };
            sign * (oh.parse::<i64>().ok()? * 3600 + om.parse::<i64>().ok()? * 60)
        }
    };
    // Days from civil (Howard Hinnant).
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + se - offset)
}

struct Progress {
    bar: Option<indicatif::ProgressBar>,
    start: Instant,
    shown: std::cell::Cell<bool>,
}

impl Progress {
    fn new(enabled: bool, len: usize) -> Progress {
        use std::io::IsTerminal as _;
        let bar = (enabled && len > 1 && std::io::stderr().is_terminal()).then(|| {
            let b = indicatif::ProgressBar::with_draw_target(
                Some(len as u64),
                indicatif::ProgressDrawTarget::hidden(),
            );
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} asking the registries {pos}/{len} [{bar:30}] {elapsed}",
            ) {
                b.set_style(style.progress_chars("=> "));
            }
            b
        });
        Progress {
            bar,
            start: Instant::now(),
            shown: std::cell::Cell::new(false),
        }
    }

    /// Count one answer; the bar appears only once the run has taken 300 ms.
    fn tick(&self) {
        if let Some(b) = &self.bar {
            if !self.shown.get() && self.start.elapsed() > Duration::from_millis(300) {
                b.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                self.shown.set(true);
            }
            b.inc(1);
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

mod hash_strings {
    use crate::model::Hash;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(hashes: &[Hash], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(hashes.iter().map(|h| h.to_string()))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Hash>, D::Error> {
        let v: Vec<String> = Vec::deserialize(d)?;
        v.iter()
            .map(|s| Hash::parse(s).map_err(serde::de::Error::custom))
            .collect()
    }
}

impl crate::hint::Hint for RegistryError {
    fn hints(&self) -> Vec<String> {
        let hint = match self {
            RegistryError::Offline { .. } => {
                "run once without --offline to fill the cache, or drop --offline".to_string()
            }
            RegistryError::Network { .. } => "check the network and proxy settings (HTTPS_PROXY), or point lockgate at a reachable mirror with LOCKGATE_CARGO_INDEX / LOCKGATE_NPM_REGISTRY / LOCKGATE_PYPI_INDEX or the allowlist's [registries]".to_string(),
            RegistryError::Timeout { .. } => {
                "try again, or allow more time with LOCKGATE_HTTP_TIMEOUT=SECONDS".to_string()
            }
            RegistryError::Status { status: 429, .. } => {
                "the registry limits the request rate: try again later, or lower LOCKGATE_CONCURRENCY".to_string()
            }
            RegistryError::Status { .. } => "try again later; if it persists, check the registry URL (LOCKGATE_CARGO_INDEX / LOCKGATE_NPM_REGISTRY / LOCKGATE_PYPI_INDEX or [registries])".to_string(),
            RegistryError::Malformed { .. } => "check that the registry URL points at the registry's API (a sparse cargo index, an npm registry, a PyPI simple index)".to_string(),
            RegistryError::Config { origin, .. } => {
                format!("fix the URL in {origin}: an http(s) URL of the registry")
            }
            RegistryError::Client(_) => {
                "check the system's TLS setup (CA certificates) and try again".to_string()
            }
        };
        vec![hint]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_timestamp("2024-09-05T00:40:51.026000+00:00"),
            Some(1_725_496_851)
        );
        assert_eq!(
            parse_timestamp("2018-04-09T01:21:06.476Z"),
            Some(1_523_236_866)
        );
        assert_eq!(
            parse_timestamp("2020-01-01T02:00:00+02:00"),
            Some(1_577_836_800)
        );
        assert_eq!(parse_timestamp("yesterday"), None);
        assert_eq!(parse_timestamp("2020-13-01T00:00:00Z"), None);
    }

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

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}
