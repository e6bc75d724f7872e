//! [`RegistryError`]: everything the registry could not answer, each naming the URL.

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

/// An error with its sources, `a: b: c`.
pub(super) fn chain(e: &dyn std::error::Error) -> String {
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
