//! [`Client`]: one per run. Synchronous to its callers (it owns a small tokio runtime;
//! do not call it from inside another runtime); inside, it asks many names at once with
//! bounded concurrency, answers from the [`cache`] what is fresh there, and marks a
//! registry that cannot be reached as down for the rest of the run.

use super::progress::Progress;
use super::retry::Fetched;
use super::time::now;
use super::{Answer, Config, RegistryError, cache};
use crate::lockfile::Ecosystem;
use futures_util::StreamExt as _;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

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
    pub(super) config: Config,
    pub(super) http: reqwest::Client,
    pub(super) rt: tokio::runtime::Runtime,
    cache: Option<cache::Cache>,
    pub(super) requests: AtomicUsize,
    cache_hits: AtomicUsize,
    revalidated: AtomicUsize,
    down: Mutex<HashMap<String, RegistryError>>,
    pub(super) cargo_dl: Mutex<Option<String>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

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
            .map_err(|e| RegistryError::Client(super::error::chain(&e)))?;
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
        if !super::valid_name(eco, name) {
            return Ok(Answer::NotFound {
                url: format!("{base} (`{name}` is not a valid {eco} name)"),
            });
        }
        let url = super::document_url(eco, &base, name);
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
        if let Some(e) = cached
            .as_ref()
            .filter(|e| e.is_fresh(now, self.config.ttl, self.config.offline))
        {
            self.cache_hits.fetch_add(1, Ordering::Relaxed);
            return Ok(super::answer(eco, name, e.clone()));
        }
        if self.config.offline {
            return Err(RegistryError::Offline { url });
        }
        if let Some(err) = self.is_down(&base) {
            return Err(err);
        }
        let fetched = match self.get(&url, super::accept(eco), cached.as_ref()).await {
            Ok(f) => f,
            Err(e) => {
                if e.is_unreachable() {
                    self.mark_down(&base, &e);
                }
                return Err(e);
            }
        };
        let entry = self
            .entry_from(eco, name, url, now, fetched, cached)
            .await?;
        if let Some(c) = &self.cache {
            let _ = c.store(eco, &base, name, &entry);
        }
        Ok(super::answer(eco, name, entry))
    }

    /// The cache entry an HTTP answer makes: a `304` renews the cached one, a `404` or
    /// `410` records that the name does not exist, a `200` is read (on the blocking
    /// pool) and compared with what was cached before.
    async fn entry_from(
        &self,
        eco: Ecosystem,
        name: &str,
        url: String,
        now: i64,
        fetched: Fetched,
        cached: Option<cache::Entry>,
    ) -> Result<cache::Entry, RegistryError> {
        match (fetched.status, cached) {
            (304, Some(c)) => {
                self.revalidated.fetch_add(1, Ordering::Relaxed);
                Ok(c.revalidated(now))
            }
            (404 | 410, _) => Ok(cache::Entry::not_found(
                url,
                now,
                fetched.etag,
                fetched.last_modified,
            )),
            (200, cached) => {
                let body = fetched.body;
                let ct = fetched.content_type.clone();
                let owned_name = name.to_string();
                let parsed = tokio::task::spawn_blocking(move || {
                    super::parse(eco, &body, &owned_name, ct.as_deref())
                })
                .await
                .map_err(|e| RegistryError::Client(e.to_string()))?;
                let versions = parsed.map_err(|message| RegistryError::Malformed {
                    url: url.clone(),
                    message,
                })?;
                Ok(cache::Entry::refreshed(
                    cached.as_ref(),
                    url,
                    now,
                    fetched.etag,
                    fetched.last_modified,
                    versions,
                ))
            }
            (status, _) => Err(RegistryError::Status {
                url,
                status,
                detail: String::new(),
            }),
        }
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
}
