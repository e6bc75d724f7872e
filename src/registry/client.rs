//! [`Client`]: one per run. Synchronous to its callers (it owns a small tokio runtime;
//! do not call it from inside another runtime); inside, it asks many names at once with
//! bounded concurrency, answers from the [`cache`] what is fresh there, and marks a
//! registry that cannot be reached as down for the rest of the run.

use super::dns::{self, Lookup, SharedResolver};
use super::event::{Event, Record};
use super::progress::Progress;
use super::retry::Fetched;
use super::time::now;
use super::{Answer, Config, RegistryError, cache};
use crate::model::{Ecosystem, PackageKey};
use futures_util::StreamExt as _;
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

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
    /// Built on first use: a run the cache answers never loads the system's
    /// certificates.
    http: OnceLock<Result<reqwest::Client, RegistryError>>,
    resolver: SharedResolver,
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
        Client::with_dns(config, SharedResolver::system())
    }

    /// A client whose DNS lookups go through `lookup` (tests; an embedding program's
    /// own resolver), one shared lookup per host as [`SharedResolver`] does.
    pub fn with_dns(config: Config, lookup: Lookup) -> Result<Client, RegistryError> {
        // reqwest is built without a bundled crypto provider; install ring once.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let resolver = SharedResolver::new(
            lookup,
            dns::FIRST_RETRY,
            config.connect_timeout,
            config.observer.clone(),
        );
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| RegistryError::Client(e.to_string()))?;
        Ok(Client {
            cache: config.cache_dir.clone().map(cache::Cache::new),
            config,
            http: OnceLock::new(),
            resolver,
            rt,
            requests: AtomicUsize::new(0),
            cache_hits: AtomicUsize::new(0),
            revalidated: AtomicUsize::new(0),
            down: Mutex::new(HashMap::new()),
            cargo_dl: Mutex::new(None),
        })
    }

    /// The HTTP client, built on first use (TLS with the system's certificates, DNS
    /// through the shared resolver).
    pub(super) fn http(&self) -> Result<&reqwest::Client, RegistryError> {
        self.http
            .get_or_init(|| {
                reqwest::Client::builder()
                    .user_agent(concat!("lockgate/", env!("CARGO_PKG_VERSION")))
                    .timeout(self.config.timeout)
                    .connect_timeout(self.config.connect_timeout)
                    .pool_max_idle_per_host(self.config.concurrency)
                    .dns_resolver(self.resolver.clone())
                    .build()
                    .map_err(|e| RegistryError::Client(super::error::chain(&e)))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Tell the observer, if any, about an event (built only when there is one).
    pub(super) fn emit(&self, event: impl FnOnce() -> Event) {
        if let Some(o) = &self.config.observer {
            o.emit(&event());
        }
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
        let (started, before) = (Instant::now(), self.stats());
        let mut unique: Vec<(Ecosystem, &str)> = Vec::new();
        let mut index: HashMap<PackageKey, usize> = HashMap::new();
        let slots: Vec<usize> = queries
            .iter()
            .map(|(eco, name)| {
                *index.entry(PackageKey::new(*eco, name)).or_insert_with(|| {
                    unique.push((*eco, name.as_str()));
                    unique.len() - 1
                })
            })
            .collect();
        let answers = self.run_all(&unique, self.config.concurrency, |(eco, name)| {
            self.lookup_async(*eco, name)
        });
        self.done(unique.len(), started, before);
        slots.into_iter().map(|i| answers[i].clone()).collect()
    }

    /// Ask about the versions lockfiles pin, `(ecosystem, name, version)`; one result
    /// per query, in order. A found package's [`PackageInfo`](super::PackageInfo)
    /// holds only the versions asked of that name, keyed as asked (a version the
    /// registry does not list is absent), and their [`changed`](super::PackageInfo::changed)
    /// hashes; [`PackageInfo::version`](super::PackageInfo::version) answers as with
    /// [`Client::lookup_all`]. This is what `check --online` needs, and it is answered
    /// from the cache's small per-version records
    /// ([`cache::Versions`]) where they are fresh and cover the versions asked;
    /// otherwise as [`Client::lookup_all`] does, and the record is written.
    pub fn lookup_versions(
        &self,
        queries: &[(Ecosystem, String, String)],
    ) -> Vec<Result<Answer, RegistryError>> {
        let (started, before) = (Instant::now(), self.stats());
        let mut unique: Vec<(Ecosystem, &str, BTreeSet<&str>)> = Vec::new();
        let mut index: HashMap<PackageKey, usize> = HashMap::new();
        let slots: Vec<usize> = queries
            .iter()
            .map(|(eco, name, version)| {
                let i = *index.entry(PackageKey::new(*eco, name)).or_insert_with(|| {
                    unique.push((*eco, name.as_str(), BTreeSet::new()));
                    unique.len() - 1
                });
                unique[i].2.insert(version.as_str());
                i
            })
            .collect();
        // Fresh records answer at once, read in parallel, without the runtime.
        let now = now();
        let records: Vec<Option<cache::Versions>> = match &self.cache {
            Some(c) => unique
                .par_iter()
                .map(|(eco, name, _)| {
                    if !super::valid_name(*eco, name) {
                        return None;
                    }
                    let base = self.config.base(*eco);
                    let url = super::document_url(*eco, base, name);
                    c.load_versions(*eco, base, name).filter(|r| r.url == url)
                })
                .collect(),
            None => vec![None; unique.len()],
        };
        let mut answers: Vec<Option<Result<Answer, RegistryError>>> = vec![None; unique.len()];
        // The names the records could not answer: (slot, ecosystem, name, versions
        // asked, the record if any).
        type Rest<'a> = (
            usize,
            Ecosystem,
            &'a str,
            &'a BTreeSet<&'a str>,
            Option<cache::Versions>,
        );
        let mut rest: Vec<Rest> = Vec::new();
        for (i, ((eco, name, asked), record)) in unique.iter().zip(records).enumerate() {
            match record {
                Some(r)
                    if r.is_fresh(now, self.config.ttl, self.config.offline)
                        && r.covers(asked.iter().copied()) =>
                {
                    self.cache_hits.fetch_add(1, Ordering::Relaxed);
                    self.emit(|| Event::CacheHit {
                        ecosystem: *eco,
                        name: name.to_string(),
                        record: Record::Versions,
                        age: now.saturating_sub(r.fetched),
                    });
                    answers[i] = Some(Ok(super::answer_versions(*eco, name, &r, asked)));
                }
                r => rest.push((i, *eco, name, asked, r)),
            }
        }
        let fetched = self.run_all(
            &rest,
            self.config.concurrency,
            |(_, eco, name, asked, record)| {
                self.lookup_versions_async(*eco, name, asked, record.as_ref())
            },
        );
        for ((i, ..), r) in rest.iter().zip(fetched) {
            answers[*i] = Some(r);
        }
        self.done(unique.len(), started, before);
        slots
            .into_iter()
            .map(|i| {
                answers[i]
                    .clone()
                    .unwrap_or_else(|| Err(RegistryError::Client("no answer".into())))
            })
            .collect()
    }

    /// Tell the observer about a batch of `names` that started at `started`, when the
    /// counters were `before`.
    fn done(&self, names: usize, started: Instant, before: Stats) {
        self.emit(|| {
            let now = self.stats();
            Event::Done {
                names,
                cache_hits: now.cache_hits - before.cache_hits,
                requests: now.requests - before.requests,
                elapsed: started.elapsed(),
            }
        });
    }

    /// Run `ask` on every item, `limit` at a time (at least one), with the progress
    /// bar; one result per item, in order.
    pub(super) fn run_all<'a, T, R, F, Fut>(
        &'a self,
        items: &'a [T],
        limit: usize,
        ask: F,
    ) -> Vec<Result<R, RegistryError>>
    where
        F: Fn(&'a T) -> Fut,
        Fut: std::future::Future<Output = Result<R, RegistryError>> + 'a,
    {
        if items.is_empty() {
            return Vec::new();
        }
        self.rt.block_on(async {
            let progress = Progress::new(self.config.progress, items.len());
            let mut out: Vec<Option<Result<R, RegistryError>>> =
                items.iter().map(|_| None).collect();
            let ask = &ask;
            let mut stream = futures_util::stream::iter(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| async move { (i, ask(item).await) }),
            )
            .buffer_unordered(limit.max(1));
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

    async fn lookup_async(&self, eco: Ecosystem, name: &str) -> Result<Answer, RegistryError> {
        if !super::valid_name(eco, name) {
            return Ok(invalid_name(self.config.base(eco), eco, name));
        }
        let (entry, _) = self.entry(eco, name).await?;
        Ok(super::answer(eco, name, entry))
    }

    /// [`Client::lookup_versions`] of one name whose [`cache::Versions`] record
    /// (`record`, if any) could not answer: the entry, from the cache or the
    /// registry, and a new record of the versions asked (with those the old record
    /// kept, up to [`cache::MAX_VERSIONS`]).
    async fn lookup_versions_async(
        &self,
        eco: Ecosystem,
        name: &str,
        asked: &BTreeSet<&str>,
        record: Option<&cache::Versions>,
    ) -> Result<Answer, RegistryError> {
        let base = self.config.base(eco);
        if !super::valid_name(eco, name) {
            return Ok(invalid_name(base, eco, name));
        }
        let (entry, stamp) = self.entry(eco, name).await?;
        let mut keep: BTreeSet<&str> = asked.clone();
        if let Some(r) = record.filter(|r| r.versions.len() + asked.len() <= cache::MAX_VERSIONS) {
            keep.extend(r.versions.keys().map(String::as_str));
        }
        let new = cache::Versions::from_entry(eco, &entry, keep);
        if let Some(c) = &self.cache
            // An entry read from the cache gives a record only while its file is the
            // one read: another run may have refreshed it meanwhile.
            && stamp.is_none_or(|s| c.stamp(eco, base, name) == Some(s))
        {
            let _ = c.store_versions(eco, base, name, &new);
        }
        Ok(super::answer_versions(eco, name, &new, asked))
    }

    /// A package's cache entry: the cached one while fresh (with the [`cache::Stamp`]
    /// of its file), else the registry's answer, stored (stamp `None`).
    async fn entry(
        &self,
        eco: Ecosystem,
        name: &str,
    ) -> Result<(cache::Entry, Option<cache::Stamp>), RegistryError> {
        let base = self.config.base(eco).to_string();
        let url = super::document_url(eco, &base, name);
        let now = now();
        // Cache entries of big packages are large: read and parse them on the
        // blocking pool, in parallel with each other and with the network.
        let cached = match self.cache.clone() {
            Some(c) => {
                let (b, n) = (base.clone(), name.to_string());
                tokio::task::spawn_blocking(move || c.load_stamped(eco, &b, &n))
                    .await
                    .ok()
                    .flatten()
                    .filter(|(e, _)| e.url == url)
            }
            None => None,
        };
        let cached = match cached {
            Some((e, stamp)) if e.is_fresh(now, self.config.ttl, self.config.offline) => {
                self.cache_hits.fetch_add(1, Ordering::Relaxed);
                self.emit(|| Event::CacheHit {
                    ecosystem: eco,
                    name: name.to_string(),
                    record: Record::Entry,
                    age: now.saturating_sub(e.fetched),
                });
                return Ok((e, Some(stamp)));
            }
            other => other.map(|(e, _)| e),
        };
        self.emit(|| match &cached {
            Some(e) => Event::CacheStale {
                ecosystem: eco,
                name: name.to_string(),
                age: now.saturating_sub(e.fetched),
            },
            None => Event::CacheMiss {
                ecosystem: eco,
                name: name.to_string(),
            },
        });
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
        Ok((entry, None))
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

/// The answer about a name the registry cannot have.
fn invalid_name(base: &str, eco: Ecosystem, name: &str) -> Answer {
    Answer::NotFound {
        url: format!("{base} (`{name}` is not a valid {eco} name)"),
    }
}
