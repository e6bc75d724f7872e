//! One GET with retries: network errors, `429` and `5xx` are retried with exponential
//! backoff and jitter, honouring `Retry-After` up to [`super::Config::max_retry_after`];
//! `2xx`, `304`, `404` and `410` are answers; anything else is returned as its status.
//! Bodies over [`MAX_BODY`] are refused.

use super::error::chain;
use super::event::Event;
use super::{Client, RegistryError, cache};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// One HTTP answer, read whole.
pub(super) struct Fetched {
    pub(super) status: u16,
    pub(super) content_type: Option<String>,
    pub(super) etag: Option<String>,
    pub(super) last_modified: Option<String>,
    pub(super) body: Vec<u8>,
}

/// Largest registry answer read (bytes).
pub const MAX_BODY: usize = 128 * 1024 * 1024;

impl Client {
    /// GET with retries. 2xx, 304, 404 and 410 are answers; network errors, 429 and
    /// 5xx are retried; anything else is returned as its status.
    pub(super) async fn get(
        &self,
        url: &str,
        accept: &str,
        cached: Option<&cache::Entry>,
    ) -> Result<Fetched, RegistryError> {
        let mut attempt: u32 = 0;
        loop {
            let mut req = self
                .http()?
                .get(url)
                .header(reqwest::header::ACCEPT, accept);
            if let Some(c) = cached {
                if let Some(etag) = &c.etag {
                    req = req.header(reqwest::header::IF_NONE_MATCH, etag);
                }
                if let Some(lm) = &c.last_modified {
                    req = req.header(reqwest::header::IF_MODIFIED_SINCE, lm);
                }
            }
            self.requests.fetch_add(1, Ordering::Relaxed);
            let sent = Instant::now();
            let response = |status: u16, bytes: usize| Event::Response {
                url: url.to_string(),
                status,
                bytes,
                elapsed: sent.elapsed(),
                attempt,
            };
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
                        self.emit(|| response(status, 0));
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
                                self.emit(|| response(status, body.len()));
                                return Err(RegistryError::Malformed {
                                    url: url.to_string(),
                                    message: format!(
                                        "the answer is {} MiB, more than lockgate reads",
                                        body.len() >> 20
                                    ),
                                });
                            }
                            Ok(body) => {
                                self.emit(|| response(status, body.len()));
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
            if !matches!(err, RegistryError::Status { .. }) {
                self.emit(|| Event::RequestFailed {
                    url: url.to_string(),
                    error: err.to_string(),
                    elapsed: sent.elapsed(),
                    attempt,
                });
            }
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
            self.emit(|| Event::Retry {
                url: url.to_string(),
                attempt: attempt + 1,
                wait,
            });
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

#[cfg(test)]
mod tests {
    use super::*;

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
