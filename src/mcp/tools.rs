//! The MCP tools: their parameters (JSON Schema for the client), and each tool as a call
//! into the library. Every tool runs on a blocking thread (the checks and the registry
//! client are synchronous) and answers with structured content; a wrong argument is a
//! tool error the agent can read, never a silent pass.

use super::{McpError, Options};
use crate::allowlist::{self, Allowlist};
use crate::checks::names::answer::{self, Query};
use crate::checks::{self, Severity};
use crate::lockfile::Ecosystem;
use crate::names::NameChecker;
use crate::registry::{self, Answer, Client};
use rmcp::handler::server::{router::tool::ToolRouter, wrapper::Parameters};
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig};
use rmcp::{ServerHandler, schemars, tool, tool_handler, tool_router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;

/// `check_package_names` parameters.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub(crate) struct NamesRequest {
    /// `npm`, `pypi` or `cargo`.
    #[schemars(description = "The ecosystem: npm, pypi or cargo.")]
    pub ecosystem: String,
    /// Names, each with an optional exact version.
    #[schemars(
        description = "Package names, each optionally with an exact version in the ecosystem's form: npm `chalk@5.6.1` or `@scope/pkg@1.2.3`, PyPI `requests==2.32.3`, cargo `serde@1.0.200`."
    )]
    pub packages: Vec<String>,
    /// Ask the registry too (only when the server allows it).
    #[schemars(
        description = "Also ask the registry whether each name exists (settles unknown-name, finds not-on-registry). Only when the server was started with --online."
    )]
    #[serde(default)]
    pub online: bool,
}

/// `check_lockfiles` parameters.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub(crate) struct LockfilesRequest {
    /// The folder to check.
    #[schemars(
        description = "The folder whose lockfiles (and manifests) to check against the allowlist, as `lockgate check FOLDER` does; relative paths are relative to the server's working directory."
    )]
    pub path: String,
}

/// `registry_facts` parameters.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub(crate) struct FactsRequest {
    /// `npm`, `pypi` or `cargo`.
    #[schemars(description = "The ecosystem: npm, pypi or cargo.")]
    pub ecosystem: String,
    /// The package, with an optional exact version.
    #[schemars(
        description = "The package name, optionally with an exact version (`chalk@5.6.1`, `requests==2.32.3`)."
    )]
    pub package: String,
}

/// What every tool call shares: the options and the name checker (built once).
struct State {
    opts: Options,
    list: Option<Allowlist>,
    checker: NameChecker,
}

/// The lockgate MCP server.
#[derive(Clone)]
pub struct Server {
    state: Arc<State>,
    tool_router: ToolRouter<Server>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("opts", &self.state.opts)
            .finish()
    }
}

fn error(message: impl Into<String>) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message.into())])
}

fn ecosystem(s: &str) -> Result<Ecosystem, CallToolResult> {
    match s.to_ascii_lowercase().as_str() {
        "npm" => Ok(Ecosystem::Npm),
        "pypi" | "pip" | "python" => Ok(Ecosystem::Pypi),
        "cargo" | "crates.io" | "rust" => Ok(Ecosystem::Cargo),
        _ => Err(error(format!(
            "unknown ecosystem `{s}`: use npm, pypi or cargo"
        ))),
    }
}

impl Server {
    /// A server with the allowlist and known-bad lists of `opts` loaded.
    pub fn new(opts: Options) -> Result<Server, McpError> {
        let list = match &opts.allowlist {
            Some(p) => Some(allowlist::load(p).map_err(|e| McpError::Setup(e.to_string()))?),
            None => None,
        };
        let checker = answer::checker(list.as_ref(), &opts.known_bad)
            .map_err(|e| McpError::Setup(e.to_string()))?;
        Ok(Server {
            state: Arc::new(State {
                opts,
                list,
                checker,
            }),
            tool_router: Self::tool_router(),
        })
    }

    fn client(&self) -> Result<Client, String> {
        checks::runner::client(self.state.list.as_ref(), false).map_err(|e| e.to_string())
    }

    fn offline_refusal() -> CallToolResult {
        error(
            "registry lookups are off: the user starts the server with `lockgate mcp --online` to allow them",
        )
    }
}

/// Run a blocking tool body off the async runtime.
async fn blocking(f: impl FnOnce() -> CallToolResult + Send + 'static) -> CallToolResult {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| error(format!("the tool failed: {e}")))
}

#[tool_router]
impl Server {
    /// Names (with optional versions) → verdicts.
    #[tool(
        description = "Before adding a dependency, check package names (optionally NAME@VERSION) for one ecosystem: typosquats, hallucinated names, Python import names that are not package names, known-malicious versions. Returns per name a verdict (ok, warn, deny), findings with the look-alike target and what to use instead, and what the project's allowlist approves (listed, versions). Do not install a name whose verdict is deny; look closer at warn."
    )]
    async fn check_package_names(
        &self,
        Parameters(req): Parameters<NamesRequest>,
    ) -> CallToolResult {
        let me = self.clone();
        blocking(move || me.names(req)).await
    }

    /// A folder's lockfiles → `check` findings.
    #[tool(
        description = "Check the lockfiles (and manifests) under a folder against the project's allowlist, as `lockgate check` does offline: returns the findings (id, severity, package, file, line, message, help) and whether the check passes."
    )]
    async fn check_lockfiles(
        &self,
        Parameters(req): Parameters<LockfilesRequest>,
    ) -> CallToolResult {
        let me = self.clone();
        blocking(move || me.lockfiles(req)).await
    }

    /// A package → what the registry says.
    #[tool(
        description = "What the package registry says about a package: whether it exists, how many versions, when the first and the asked version were published, whether the version is yanked. Only available when the server was started with --online."
    )]
    async fn registry_facts(&self, Parameters(req): Parameters<FactsRequest>) -> CallToolResult {
        let me = self.clone();
        blocking(move || me.facts(req)).await
    }
}

impl Server {
    fn names(&self, req: NamesRequest) -> CallToolResult {
        let eco = match ecosystem(&req.ecosystem) {
            Ok(e) => e,
            Err(e) => return e,
        };
        if req.packages.is_empty() {
            return error("give at least one package name in `packages`");
        }
        let queries = match req
            .packages
            .iter()
            .map(|s| Query::parse(eco, s))
            .collect::<Result<Vec<_>, _>>()
        {
            Ok(q) => q,
            Err(e) => return error(e.to_string()),
        };
        let s = &self.state;
        let mut answers = answer::answer(&s.checker, s.list.as_ref(), eco, &queries);
        if req.online {
            if !s.opts.online {
                return Self::offline_refusal();
            }
            let client = match self.client() {
                Ok(c) => c,
                Err(e) => return error(e),
            };
            if let Err(e) = answer::settle_online(&mut answers, &client, registry::now()) {
                return error(e.to_string());
            }
            if let Err(e) = checks::trust::settle_names(&mut answers, s.list.as_ref(), &client) {
                return error(e.to_string());
            }
            if let Err(e) =
                checks::install_script::settle_names(&mut answers, s.list.as_ref(), &client)
            {
                return error(e.to_string());
            }
        }
        CallToolResult::structured(json!({
            "snapshot_date": s.checker.snapshot_date(),
            "online": req.online,
            "names": answers,
        }))
    }

    fn lockfiles(&self, req: LockfilesRequest) -> CallToolResult {
        let Some(list) = &self.state.list else {
            return error(
                "no allowlist: start the server in the project (or with `--allowlist PATH`) so that lockfiles can be checked against it",
            );
        };
        let path = PathBuf::from(&req.path);
        if !path.is_dir() {
            return error(format!("`{}` is not a folder", req.path));
        }
        let res = crate::resolve::resolve(
            &[path],
            &crate::discover::Options {
                allowlist_exclude: list.exclude.clone(),
                ..Default::default()
            },
        );
        // `lockgate check` offline: the same library call.
        let opts = checks::Options {
            fail_on: Some(Severity::Error),
            known_bad: self.state.opts.known_bad.clone(),
            online: None,
        };
        let outcome = match checks::run(&res, list, &opts) {
            Ok(o) => o,
            Err(e) => return error(e.to_string()),
        };
        let code = outcome.exit_code();
        CallToolResult::structured(json!({
            "passed": code == 0,
            "complete": outcome.complete,
            "lockfiles": outcome.lockfiles,
            "packages": outcome.packages,
            "errors": outcome.count(Severity::Error) + outcome.count(Severity::Critical),
            "warnings": outcome.count(Severity::Warning),
            "findings": outcome.findings,
        }))
    }

    fn facts(&self, req: FactsRequest) -> CallToolResult {
        if !self.state.opts.online {
            return Self::offline_refusal();
        }
        let eco = match ecosystem(&req.ecosystem) {
            Ok(e) => e,
            Err(e) => return e,
        };
        let q = match Query::parse(eco, &req.package) {
            Ok(q) => q,
            Err(e) => return error(e.to_string()),
        };
        let client = match self.client() {
            Ok(c) => c,
            Err(e) => return error(e),
        };
        let now = registry::now();
        let answer = client.lookup_all(&[(eco, q.name.clone())]).pop();
        let info = match answer {
            Some(Ok(Answer::Found(info))) => info,
            Some(Ok(Answer::NotFound { url })) => {
                return CallToolResult::structured(json!({
                    "name": q.name, "ecosystem": eco, "exists": false, "url": url,
                }));
            }
            Some(Err(e)) => return error(format!("the registry could not be asked: {e}")),
            None => return error("the registry gave no answer"),
        };
        let first = checks::names::first_published(&info);
        let established = matches!(
            checks::names::registry_history(&info, now),
            checks::names::History::Established
        );
        let version: Value = match &q.version {
            None => Value::Null,
            Some(v) => match info.version(v) {
                None => json!({"version": v, "exists": false}),
                Some(vi) => json!({
                    "version": v,
                    "exists": true,
                    "yanked": vi.yanked,
                    "published": vi.published.map(date),
                }),
            },
        };
        CallToolResult::structured(json!({
            "name": q.name,
            "ecosystem": eco,
            "exists": true,
            "url": info.url,
            "versions": info.versions.len(),
            "first_published": first.map(date),
            "established": established,
            "version": version,
        }))
    }
}

/// Unix seconds → `YYYY-MM-DD`.
fn date(t: i64) -> String {
    crate::allowlist::civil_date(t.div_euclid(86_400))
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("lockgate", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "lockgate checks packages before they are installed. Before adding a dependency, call check_package_names; do not install a name whose verdict is deny, and prefer the `instead` package a finding names.",
            )
    }
}
