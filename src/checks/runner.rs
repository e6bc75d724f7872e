//! [`run`]: every check of `lockgate check` in one call (offline checks, name checks,
//! and the online checks when asked), exceptions applied and findings sorted once.
//! The command line, the MCP server and the install guard call this, so they agree
//! on what a check finds.

use super::{Finding, FindingId, Outcome, Severity, names, online};
use crate::allowlist::{self, Allowlist};
use crate::lockfile::Package;
use crate::registry::{Client, Config, RegistryError};
use crate::resolve::Resolution;
use std::path::PathBuf;

/// What `lockgate check` is asked to do, as plain values (see [`run`]).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The lowest severity that fails the run; `None` never fails on findings.
    pub fail_on: Option<Severity>,
    /// Known-bad lists to load besides the policy's `known-bad` (OSV directories or TSV files).
    pub known_bad: Vec<PathBuf>,
    /// Ask the registries too (`--online`); `None` stays offline.
    pub online: Option<Online>,
}

/// How to ask the registries in [`run`].
#[derive(Clone, Default)]
pub struct Online {
    /// Download one artifact per version and hash it (`--deep`).
    pub deep: bool,
    /// Told what the registry client does (the CLI's `-v`); `None` tells no one.
    pub observer: Option<crate::registry::Observer>,
}

impl std::fmt::Debug for Online {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Online")
            .field("deep", &self.deep)
            .field("observer", &self.observer.is_some())
            .finish()
    }
}

/// Why [`run`] could not check at all (findings are not errors; these are).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A known-bad list could not be loaded.
    #[error(transparent)]
    KnownBad(#[from] crate::names::KnownBadError),
    /// The registry client could not be configured (`--online`).
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

/// A registry client configured from the environment (`LOCKGATE_*` variables) and
/// the allowlist's `[registries]`; `offline` answers from the cache only.
pub fn client(list: Option<&Allowlist>, offline: bool) -> Result<Client, RegistryError> {
    client_with(list, offline, None)
}

/// [`client`], telling `observer` what the client does (requests, cache, retries,
/// DNS, timings: the CLI's `-v`).
pub fn client_with(
    list: Option<&Allowlist>,
    offline: bool,
    observer: Option<crate::registry::Observer>,
) -> Result<Client, RegistryError> {
    let empty = Default::default();
    let mut config = Config::from_env(list.map(|l| &l.registries).unwrap_or(&empty))?;
    config.offline = offline;
    config.observer = observer;
    Client::new(config)
}

/// Run every check on a resolution: the offline checks, the name checks, and with
/// [`Options::online`] the registry checks (which also settle `unknown-name`).
/// Exceptions are applied to all of them, then findings are sorted once, worst first.
pub fn run(res: &Resolution, list: &Allowlist, opts: &Options) -> Result<Outcome, RunError> {
    let checker = names::checker(list, &opts.known_bad)?;
    let client = match &opts.online {
        Some(online) => Some(client_with(Some(list), false, online.observer.clone())?),
        None => None,
    };
    let mut findings: Vec<Finding> = super::offline_findings(res, list);
    findings.extend(names::check(res, list, &checker));
    if let (Some(net), Some(client)) = (&opts.online, &client) {
        let packages: Vec<&Package> = res.packages().collect();
        let online_opts = online::Options {
            deep: net.deep,
            ..online::Options::default()
        };
        findings.extend(online::check(&packages, list, client, &online_opts));
        findings.extend(super::trust::check(&packages, list, client));
        names::settle_unknown(&mut findings, client, online_opts.now);
    }
    super::apply_exceptions(&mut findings, list, &allowlist::today());
    super::sort(&mut findings);
    // An installer configuration file that cannot be read is a parse error too.
    let complete = res.is_complete() && !findings.iter().any(|f| f.id == FindingId::ParseError);
    Ok(Outcome {
        findings,
        lockfiles: res.lockfiles.len(),
        packages: res.packages().count(),
        complete,
        fail_on: opts.fail_on,
        allowlist: list.path.clone(),
    })
}
