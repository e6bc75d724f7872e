//! What the client does, as [`Event`]s for an [`Observer`]: requests with their URL
//! and status, cache hits, misses and stale entries, retries, DNS lookups, timings.
//!
//! The library never prints: `lockgate -v` (src/cli/) installs an observer that writes
//! each event to stderr, one line each ([`Event`]'s `Display`). Other callers (the MCP
//! server, the install guard, tests) can record them instead.

use crate::model::Ecosystem;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Which cache record answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    /// The small per-version record (`check --online`).
    Versions,
    /// The whole package entry.
    Entry,
}

/// One thing the registry client did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A cached answer was used without a request.
    CacheHit {
        /// Ecosystem.
        ecosystem: Ecosystem,
        /// Package name as asked.
        name: String,
        /// Which record answered.
        record: Record,
        /// Seconds since it was fetched or revalidated.
        age: i64,
    },
    /// Nothing usable in the cache: the registry is asked.
    CacheMiss {
        /// Ecosystem.
        ecosystem: Ecosystem,
        /// Package name as asked.
        name: String,
    },
    /// A cached answer older than the TTL: revalidated with a conditional request.
    CacheStale {
        /// Ecosystem.
        ecosystem: Ecosystem,
        /// Package name as asked.
        name: String,
        /// Seconds since it was fetched or revalidated.
        age: i64,
    },
    /// An HTTP answer (any status).
    Response {
        /// What was asked.
        url: String,
        /// The status code.
        status: u16,
        /// Body size in bytes.
        bytes: usize,
        /// From sending the request to the end of the body.
        elapsed: Duration,
        /// 0 for the first attempt.
        attempt: u32,
    },
    /// A request that got no HTTP answer (network error, timeout).
    RequestFailed {
        /// What was asked.
        url: String,
        /// Why.
        error: String,
        /// Time spent.
        elapsed: Duration,
        /// 0 for the first attempt.
        attempt: u32,
    },
    /// A request will be sent again after `wait`.
    Retry {
        /// What was asked.
        url: String,
        /// The attempt about to be made (1 for the first retry).
        attempt: u32,
        /// The wait before it.
        wait: Duration,
    },
    /// A host name was resolved (once per host and run; every request shares it).
    Dns {
        /// The host.
        host: String,
        /// Addresses found.
        addresses: usize,
        /// Time until the answer.
        elapsed: Duration,
        /// Lookups started (more than one when an answer was late or lost).
        lookups: u32,
    },
    /// A lookup was late: another one was started beside it.
    DnsRetry {
        /// The host.
        host: String,
        /// The lookup about to start (2 for the first retry).
        lookup: u32,
        /// Time since the first lookup started.
        after: Duration,
    },
    /// A host name could not be resolved.
    DnsFailed {
        /// The host.
        host: String,
        /// Why.
        error: String,
    },
    /// A batch of questions answered.
    Done {
        /// Package names asked.
        names: usize,
        /// Answered from the cache.
        cache_hits: usize,
        /// HTTP requests sent (retries included).
        requests: usize,
        /// Wall time of the batch.
        elapsed: Duration,
    },
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = |d: &Duration| d.as_secs_f64() * 1000.0;
        match self {
            Event::CacheHit {
                ecosystem,
                name,
                record,
                age,
            } => write!(
                f,
                "cache hit: {ecosystem} {name} ({}, {age} s old)",
                match record {
                    Record::Versions => "version record",
                    Record::Entry => "package entry",
                }
            ),
            Event::CacheMiss { ecosystem, name } => {
                write!(f, "cache miss: {ecosystem} {name}")
            }
            Event::CacheStale {
                ecosystem,
                name,
                age,
            } => write!(
                f,
                "cache stale: {ecosystem} {name} ({age} s old), revalidating"
            ),
            Event::Response {
                url,
                status,
                bytes,
                elapsed,
                attempt,
            } => {
                write!(
                    f,
                    "GET {url} -> {status} ({bytes} bytes, {:.0} ms",
                    ms(elapsed)
                )?;
                if *attempt > 0 {
                    write!(f, ", attempt {}", attempt + 1)?;
                }
                write!(f, ")")
            }
            Event::RequestFailed {
                url,
                error,
                elapsed,
                attempt,
            } => write!(
                f,
                "GET {url} failed after {:.0} ms (attempt {}): {error}",
                ms(elapsed),
                attempt + 1
            ),
            Event::Retry { url, attempt, wait } => {
                write!(f, "retry {attempt} of {url} in {:.0} ms", ms(wait))
            }
            Event::Dns {
                host,
                addresses,
                elapsed,
                lookups,
            } => write!(
                f,
                "dns: {host} -> {addresses} address{} in {:.0} ms ({lookups} lookup{})",
                if *addresses == 1 { "" } else { "es" },
                ms(elapsed),
                if *lookups == 1 { "" } else { "s" }
            ),
            Event::DnsRetry {
                host,
                lookup,
                after,
            } => write!(
                f,
                "dns: no answer for {host} after {:.0} ms, lookup {lookup} started",
                ms(after)
            ),
            Event::DnsFailed { host, error } => write!(f, "dns: {host} failed: {error}"),
            Event::Done {
                names,
                cache_hits,
                requests,
                elapsed,
            } => write!(
                f,
                "asked about {names} package{}: {cache_hits} from the cache, {requests} request{}, {:.1} ms",
                if *names == 1 { "" } else { "s" },
                if *requests == 1 { "" } else { "s" },
                ms(elapsed)
            ),
        }
    }
}

/// Receives the client's [`Event`]s, from any thread.
#[derive(Clone)]
pub struct Observer(Arc<dyn Fn(&Event) + Send + Sync>);

impl Observer {
    /// An observer calling `f` for every event.
    pub fn new(f: impl Fn(&Event) + Send + Sync + 'static) -> Observer {
        Observer(Arc::new(f))
    }

    /// Tell it about one event.
    pub fn emit(&self, event: &Event) {
        (self.0)(event)
    }
}

impl fmt::Debug for Observer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Observer")
    }
}
