//! DNS once per host: the client's resolver ([`SharedResolver`], given to reqwest as
//! its `dns_resolver`) keeps one lookup in flight per host, shared by every request to
//! it, and keeps the answer for the rest of the run.
//!
//! Without it, a cold run starts one system lookup per connection (about 32 at once);
//! when one UDP answer is lost, glibc waits its 5 s timeout before asking again and
//! that request stalls the run. Here a lookup that has not answered after
//! [`FIRST_RETRY`] gets a second one beside it (a third at twice that, a fourth at
//! four times), the first answer wins, and the whole resolution gives up at the connect
//! timeout. A slow resolver is not cut short (the earlier lookups keep running); a
//! lost answer costs [`FIRST_RETRY`], not 5 s. A failed resolution is shared by the
//! requests waiting on it and then forgotten, so a later retry of a request resolves
//! afresh.

use super::event::{Event, Observer};
use futures_util::future::{BoxFuture, FutureExt as _, Shared};
use futures_util::future::{Either, select};
use futures_util::stream::{FuturesUnordered, StreamExt as _};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the first lookup of a host may take before a second one starts beside it.
pub(super) const FIRST_RETRY: Duration = Duration::from_millis(1000);

/// Lookups started at most for one resolution.
pub(super) const MAX_LOOKUPS: u32 = 4;

/// One system lookup of a host: its addresses (port 0), or why not.
pub type Lookup =
    Arc<dyn Fn(String) -> BoxFuture<'static, Result<Vec<SocketAddr>, String>> + Send + Sync>;

type Flight = Shared<BoxFuture<'static, Result<Arc<Vec<SocketAddr>>, String>>>;

/// The resolver of one client: one shared lookup per host. Clones share it.
#[derive(Clone)]
pub struct SharedResolver(Arc<Inner>);

struct Inner {
    lookup: Lookup,
    first_retry: Duration,
    deadline: Duration,
    observer: Option<Observer>,
    hosts: Mutex<HashMap<String, Flight>>,
}

impl SharedResolver {
    /// A resolver using `lookup` for each system lookup, starting another one beside
    /// it when no answer came `first_retry` after the first (again at twice, four
    /// times that, at most [`MAX_LOOKUPS`]), or at once when all have failed; giving
    /// up after `deadline`.
    pub fn new(
        lookup: Lookup,
        first_retry: Duration,
        deadline: Duration,
        observer: Option<Observer>,
    ) -> SharedResolver {
        SharedResolver(Arc::new(Inner {
            lookup,
            first_retry,
            deadline,
            observer,
            hosts: Mutex::new(HashMap::new()),
        }))
    }

    /// The operating system's resolver (`getaddrinfo`, on tokio's blocking pool).
    pub fn system() -> Lookup {
        Arc::new(|host: String| {
            async move {
                tokio::task::spawn_blocking(move || {
                    use std::net::ToSocketAddrs as _;
                    (host.as_str(), 0)
                        .to_socket_addrs()
                        .map(Iterator::collect::<Vec<_>>)
                        .map_err(|e| e.to_string())
                })
                .await
                .map_err(|e| e.to_string())?
            }
            .boxed()
        })
    }

    /// The addresses of `host`: the answer of the lookup in flight or done for it, or
    /// a new one.
    pub async fn resolve(&self, host: &str) -> Result<Arc<Vec<SocketAddr>>, String> {
        let flight = {
            let mut hosts = self.0.hosts.lock().unwrap_or_else(|e| e.into_inner());
            hosts
                .entry(host.to_string())
                .or_insert_with(|| self.start(host.to_string()))
                .clone()
        };
        let result = flight.clone().await;
        if result.is_err() {
            // Forget the failure (once) so that a later attempt resolves afresh.
            let mut hosts = self.0.hosts.lock().unwrap_or_else(|e| e.into_inner());
            if hosts.get(host).is_some_and(|f| f.ptr_eq(&flight)) {
                hosts.remove(host);
            }
        }
        result
    }

    fn start(&self, host: String) -> Flight {
        let lookup = self.0.lookup.clone();
        let (first_retry, deadline) = (self.0.first_retry, self.0.deadline);
        let observer = self.0.observer.clone();
        async move {
            let started = Instant::now();
            let emit = |e: Event| {
                if let Some(o) = &observer {
                    o.emit(&e)
                }
            };
            let mut running = FuturesUnordered::new();
            running.push(lookup(host.clone()));
            let mut lookups: u32 = 1;
            let mut next = first_retry;
            let mut last_error = String::from("no answer");
            loop {
                let wake = if lookups < MAX_LOOKUPS {
                    next.min(deadline)
                } else {
                    deadline
                };
                let timer = Box::pin(tokio::time::sleep(wake.saturating_sub(started.elapsed())));
                let answered = match select(running.next(), timer).await {
                    Either::Left((r, _)) => r,
                    Either::Right(_) => None,
                };
                match answered {
                    Some(Ok(addrs)) if !addrs.is_empty() => {
                        emit(Event::Dns {
                            host: host.clone(),
                            addresses: addrs.len(),
                            elapsed: started.elapsed(),
                            lookups,
                        });
                        return Ok(Arc::new(addrs));
                    }
                    Some(r) => {
                        last_error = r.err().unwrap_or_else(|| "no addresses".to_string());
                        if !running.is_empty() {
                            continue;
                        }
                    }
                    None if started.elapsed() >= deadline => {
                        last_error = format!(
                            "no answer within {:.1} s ({lookups} lookup{})",
                            deadline.as_secs_f64(),
                            if lookups == 1 { "" } else { "s" }
                        );
                        break;
                    }
                    None => {
                        emit(Event::DnsRetry {
                            host: host.clone(),
                            lookup: lookups + 1,
                            after: started.elapsed(),
                        });
                        next = next.saturating_mul(2);
                    }
                }
                // Late, or every lookup so far failed: one more, unless at the limit.
                if lookups >= MAX_LOOKUPS {
                    if running.is_empty() {
                        break;
                    }
                    continue;
                }
                lookups += 1;
                running.push(lookup(host.clone()));
            }
            emit(Event::DnsFailed {
                host: host.clone(),
                error: last_error.clone(),
            });
            Err(last_error)
        }
        .boxed()
        .shared()
    }
}

impl reqwest::dns::Resolve for SharedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let this = self.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs = this.resolve(&host).await.map_err(
                |e| -> Box<dyn std::error::Error + Send + Sync> {
                    format!("cannot resolve {host}: {e}").into()
                },
            )?;
            let list: Vec<SocketAddr> = addrs.as_ref().clone();
            Ok(Box::new(list.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    }

    /// A lookup that counts its calls per host and answers as `answer` says for the
    /// n-th call (0-based): `Some(delay)` answers 127.0.0.1 after the delay, `None`
    /// never answers (a lost UDP answer), an error fails after 20 ms.
    fn counting(
        answer: impl Fn(usize) -> Result<Option<Duration>, String> + Send + Sync + 'static,
    ) -> (Lookup, Arc<Mutex<HashMap<String, usize>>>) {
        let calls: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let seen = calls.clone();
        let lookup: Lookup = Arc::new(move |host: String| {
            let n = {
                let mut c = seen.lock().unwrap();
                let n = c.entry(host).or_insert(0);
                *n += 1;
                *n - 1
            };
            let how = answer(n);
            async move {
                if how.is_err() {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                match how? {
                    Some(d) => {
                        tokio::time::sleep(d).await;
                        Ok(vec!["127.0.0.1:0".parse().unwrap()])
                    }
                    None => futures_util::future::pending().await,
                }
            }
            .boxed()
        });
        (lookup, calls)
    }

    /// Resolve every host at the same time, one request each; the answers in the
    /// order they come.
    async fn resolve_at_once(
        r: &SharedResolver,
        hosts: &[&'static str],
    ) -> Vec<Result<Arc<Vec<SocketAddr>>, String>> {
        let all = FuturesUnordered::new();
        for host in hosts {
            let r = r.clone();
            all.push(async move { r.resolve(host).await });
        }
        all.collect::<Vec<_>>().await
    }

    #[test]
    fn concurrent_requests_share_one_lookup_per_host() {
        let (lookup, calls) = counting(|_| Ok(Some(Duration::from_millis(50))));
        let r = SharedResolver::new(lookup, FIRST_RETRY, Duration::from_secs(5), None);
        let rt = runtime();
        let mut hosts = vec!["a.test"; 32];
        hosts.push("b.test");
        let results = rt.block_on(resolve_at_once(&r, &hosts));
        assert_eq!(results.len(), 33);
        assert!(
            results
                .iter()
                .all(|x| x.as_ref().is_ok_and(|a| a.len() == 1))
        );
        // The answer is kept: a later request asks nobody.
        rt.block_on(r.resolve("a.test")).unwrap();
        let calls = calls.lock().unwrap();
        assert_eq!((calls["a.test"], calls["b.test"]), (1, 1));
    }

    #[test]
    fn a_lost_answer_costs_the_retry_delay_not_the_system_timeout() {
        // The first lookup never answers; the second, started beside it, does.
        let (lookup, calls) = counting(|n| Ok((n > 0).then_some(Duration::ZERO)));
        let events: Arc<Mutex<Vec<Event>>> = Arc::default();
        let sink = events.clone();
        let observer = Observer::new(move |e| sink.lock().unwrap().push(e.clone()));
        let r = SharedResolver::new(
            lookup,
            Duration::from_millis(100),
            Duration::from_secs(10),
            Some(observer),
        );
        let started = Instant::now();
        runtime().block_on(r.resolve("a.test")).unwrap();
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(100) && took < Duration::from_secs(2),
            "{took:?}"
        );
        assert_eq!(calls.lock().unwrap()["a.test"], 2);
        let events = events.lock().unwrap();
        assert!(
            matches!(&events[0], Event::DnsRetry { lookup: 2, .. }),
            "{events:?}"
        );
        assert!(
            matches!(&events[1], Event::Dns { lookups: 2, .. }),
            "{events:?}"
        );
    }

    #[test]
    fn a_failure_is_shared_then_forgotten() {
        let (lookup, calls) = counting(|_| Err("Name or service not known".to_string()));
        let r = SharedResolver::new(lookup, FIRST_RETRY, Duration::from_secs(5), None);
        let rt = runtime();
        let results = rt.block_on(resolve_at_once(&r, &["gone.test"; 8]));
        assert!(
            results
                .iter()
                .all(|x| x.as_ref().is_err_and(|e| e.contains("not known")))
        );
        assert_eq!(calls.lock().unwrap()["gone.test"], MAX_LOOKUPS as usize);
        assert!(rt.block_on(r.resolve("gone.test")).is_err());
        assert_eq!(calls.lock().unwrap()["gone.test"], 2 * MAX_LOOKUPS as usize);
    }

    #[test]
    fn no_answer_at_all_fails_at_the_deadline() {
        let (lookup, calls) = counting(|_| Ok(None));
        let r = SharedResolver::new(
            lookup,
            Duration::from_millis(20),
            Duration::from_millis(400),
            None,
        );
        let started = Instant::now();
        let err = runtime().block_on(r.resolve("a.test")).unwrap_err();
        assert!(started.elapsed() >= Duration::from_millis(400), "{err}");
        assert!(err.contains("no answer within 0.4 s (4 lookups)"), "{err}");
        assert_eq!(calls.lock().unwrap()["a.test"], MAX_LOOKUPS as usize);
    }
}
